using System.CommandLine;
using System.Globalization;
using Rnn.Data;
using Rnn.Models;
using Rnn.Training;

namespace Rnn.Cli.Commands;

/// <summary><c>rnn eval</c>: a language model's loss, perplexity and bits per token on a text, or a supervised model's metrics on labelled data.</summary>
public static class EvalCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "A model file written by rnn train." };
        var file = new Argument<string>("data") { Description = "Data in the model's training format: a text (lm), label<TAB>text lines, token<TAB>tag lines, or a CSV series." };
        var json = new Option<bool>("--json") { Description = "classify, tag, forecast: print one JSON object with every metric at full precision." };
        var plot = new Option<string?>("--plot") { Description = "classify: a confusion-matrix heat map; forecast: the series and its forecasts (PNG)." };
        var season = new Option<int?>("--season") { Description = "forecast: the season length m for the seasonal naive baseline." };
        var batch = CommandLine.PositiveInt("--batch", "Parallel streams (speed only; each token is still predicted from all before it in its stream).", 32);
        var seq = CommandLine.PositiveInt("--seq", "Chunk length (speed only).", 64);
        var command = new Command("eval", "Measure a model on data: cross-entropy and perplexity (lm), accuracy and F1 (classify, tag), MAE, RMSE and MASE (forecast).")
        {
            model, file, batch, seq, json, plot, season,
        };
        command.SetAction(parse =>
        {
            var checkpoint = CommandSteps.LoadModel(parse.GetValue(model)!);
            var writer = parse.InvocationConfiguration.Output;
            if (parse.GetValue(season) is int m && m <= 0) throw new UsageException($"--season must be a positive integer, not {m}.");
            switch (checkpoint.Task)
            {
                case ModelTask.Classify:
                    TaskEvaluation.Classify(checkpoint, parse.GetValue(file)!, parse.GetValue(json), parse.GetValue(plot), writer);
                    return ExitCodes.Ok;
                case ModelTask.Tag:
                    TaskEvaluation.Tag(checkpoint, parse.GetValue(file)!, parse.GetValue(json), writer);
                    return ExitCodes.Ok;
                case ModelTask.Forecast:
                    TaskEvaluation.Forecast(checkpoint, parse.GetValue(file)!, parse.GetValue(season), parse.GetValue(json), parse.GetValue(plot), writer);
                    return ExitCodes.Ok;
            }
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
