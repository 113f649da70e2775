using System.CommandLine;
using Rnn.Models;

namespace Rnn.Cli.Commands;

/// <summary><c>rnn sample</c>: generates text from a trained model, streaming it as it is drawn.</summary>
public static class SampleCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "A model file written by rnn train." };
        var prime = new Option<string?>("--prime") { Description = "Text to start from (default: a line break, or <s> for word models); characters or words the model does not know are skipped and named on standard error." };
        var length = new Option<int>("--length", "-n") { Description = "Tokens to generate.", DefaultValueFactory = _ => 500 };
        var temperature = new Option<double>("--temperature", "-t") { Description = "Softmax temperature (> 0; lower is more conservative).", DefaultValueFactory = _ => 0.8 };
        var topK = new Option<int>("--top-k") { Description = "Draw only among the k most likely tokens (0 = all).", DefaultValueFactory = _ => 0 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the draws.", DefaultValueFactory = _ => 1 };
        var stopAt = new Option<string?>("--stop-at") { Description = "End the sample once it has written this text, e.g. '\\n\\n' for a blank line (\\n, \\t and \\\\ are a line break, a tab and a backslash)." };
        var command = new Command("sample", "Generate text from a trained model.") { model, prime, length, temperature, topK, seed, stopAt };
        command.SetAction(parse =>
        {
            int n = parse.GetValue(length);
            if (n < 0) throw new UsageException($"--length must be ≥ 0, not {n}.");
            double t = parse.GetValue(temperature);
            if (!(t > 0) || double.IsInfinity(t)) throw new UsageException($"--temperature must be a positive number, not {t}.");
            int k = parse.GetValue(topK);
            if (k < 0) throw new UsageException($"--top-k must be ≥ 0, not {k}.");
            string? stop = parse.GetValue(stopAt) is string s ? StopString.Unescape(s) : null;
            if (stop is "") throw new UsageException("--stop-at must not be empty.");
            var checkpoint = CommandSteps.LoadModel(parse.GetValue(model)!, ModelTask.Lm);
            var lm = checkpoint.CreateModel<float>();
            var output = parse.InvocationConfiguration.Output;
            var settings = new SampleSettings { Prime = parse.GetValue(prime), Length = n, Temperature = t, TopK = k, Seed = parse.GetValue(seed), StopAt = stop };
            CommandSteps.WriteSample(lm, checkpoint.Vocabulary, settings, output, parse.InvocationConfiguration.Error);
            output.WriteLine();
            return ExitCodes.Ok;
        });
        return command;
    }
}
