using System.CommandLine;
using System.Globalization;
using Rnn.Data;
using Rnn.Training;

namespace Rnn.Cli.Commands;

/// <summary><c>rnn eval</c>: loss, perplexity and bits per character (or word) of a model on a text.</summary>
public static class EvalCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "A model file written by rnn train." };
        var file = new Argument<string>("text-file") { Description = "A UTF-8 text to evaluate on." };
        var batch = CommandLine.PositiveInt("--batch", "Parallel streams (speed only; each token is still predicted from all before it in its stream).", 32);
        var seq = CommandLine.PositiveInt("--seq", "Chunk length (speed only).", 64);
        var command = new Command("eval", "Measure a model on a text: cross-entropy, perplexity, bits per token.") { model, file, batch, seq };
        command.SetAction(parse =>
        {
            var checkpoint = CommandSteps.LoadModel(parse.GetValue(model)!);
            string text = CommandSteps.ReadText(parse.GetValue(file)!);
            var lm = checkpoint.CreateModel<float>();
            int[] tokens = checkpoint.Vocabulary.Encode(text);
            if (tokens.Length < 2) throw new UsageException($"{parse.GetValue(file)} has fewer than 2 tokens: nothing to predict.");
            var result = Evaluation.Evaluate(lm, tokens, parse.GetValue(batch), parse.GetValue(seq));
            int unknown = tokens.Count(t => t == checkpoint.Vocabulary.UnknownId);
            string unit = checkpoint.Vocabulary.Kind == TokenKind.Word ? "bits per word" : "bits per character";
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"tokens      {tokens.Length} ({result.Predictions} predicted{(unknown > 0 ? $", {unknown} unknown to the vocabulary" : "")})"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loss        {result.Loss:F4} nats per token"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"perplexity  {result.Perplexity:F3}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{unit,-11} {result.BitsPerToken:F4}"));
            return ExitCodes.Ok;
        });
        return command;
    }
}
