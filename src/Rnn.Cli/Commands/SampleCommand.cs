using System.CommandLine;
using Rnn.Models;
using Rnn.Data;
using Rnn.Training;

namespace Rnn.Cli.Commands;

/// <summary><c>rnn sample</c>: generates text from a trained model, streaming it as it is drawn.</summary>
public static class SampleCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "A model file written by rnn train." };
        var prime = new Option<string?>("--prime") { Description = "Text to start from (default: a line break, or <s> for word models)." };
        var length = new Option<int>("--length", "-n") { Description = "Tokens to generate.", DefaultValueFactory = _ => 500 };
        var temperature = new Option<double>("--temperature", "-t") { Description = "Softmax temperature (> 0; lower is more conservative).", DefaultValueFactory = _ => 0.8 };
        var topK = new Option<int>("--top-k") { Description = "Draw only among the k most likely tokens (0 = all).", DefaultValueFactory = _ => 0 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the draws.", DefaultValueFactory = _ => 1 };
        var command = new Command("sample", "Generate text from a trained model.") { model, prime, length, temperature, topK, seed };
        command.SetAction(parse =>
        {
            int n = parse.GetValue(length);
            if (n < 0) throw new UsageException($"--length must be ≥ 0, not {n}.");
            double t = parse.GetValue(temperature);
            if (!(t > 0) || double.IsInfinity(t)) throw new UsageException($"--temperature must be a positive number, not {t}.");
            int k = parse.GetValue(topK);
            if (k < 0) throw new UsageException($"--top-k must be ≥ 0, not {k}.");
            var checkpoint = ModelLoader.Load(parse.GetValue(model)!);
            var lm = checkpoint.CreateModel<float>();
            var output = parse.InvocationConfiguration.Output;
            Write(lm, checkpoint.Vocabulary, parse.GetValue(prime), n, t, k, parse.GetValue(seed), output);
            output.WriteLine();
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Writes the prime and then each drawn token as soon as it is drawn.</summary>
    public static void Write(LanguageModel<float> model, Vocabulary vocabulary, string? prime, int length, double temperature, int topK, ulong seed, TextWriter output)
    {
        int[] primeIds = PrimeTokens(vocabulary, prime);
        if (!string.IsNullOrEmpty(prime)) output.Write(prime);
        var detokenizer = new Detokenizer(vocabulary);
        foreach (int id in new Sampler<float>(model, seed) { ExcludedToken = vocabulary.UnknownId }.Generate(primeIds, length, temperature, topK))
        {
            output.Write(detokenizer.Next(id));
            output.Flush();
        }
    }

    /// <summary>The prime as token ids; an empty prime starts a fresh line (or sentence).</summary>
    public static int[] PrimeTokens(Vocabulary vocabulary, string? prime)
    {
        if (!string.IsNullOrEmpty(prime))
        {
            int[] ids = vocabulary.Encode(prime);
            if (ids.Length == 0) throw new UsageException("--prime has no tokens the model knows.");
            return ids;
        }
        if (vocabulary.Kind == TokenKind.Word) return [vocabulary.StartId];
        return [vocabulary.Contains("\n") ? vocabulary.Id("\n") : vocabulary.Count - 1];
    }
}
