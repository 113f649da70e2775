using System.CommandLine;
using System.Globalization;
using Rnn.Layers;
using Rnn.Models;

namespace Rnn.Cli.Commands;

/// <summary><c>rnn info MODEL</c>: what a model file holds, without running it.</summary>
public static class InfoCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "A model file written by rnn train." };
        var command = new Command("info", "Show a model file: task, cell, configuration, vocabulary or labels, parameters, training position.") { model };
        command.SetAction(parse =>
        {
            var checkpoint = CommandSteps.LoadModel(parse.GetValue(model)!);
            var config = checkpoint.Model;
            var n = config.Network;
            var output = parse.InvocationConfiguration.Output;
            long parameters = checkpoint.CreateSequenceModel<float>().Parameters.Count;
            output.WriteLine($"task          {ModelTasks.Name(config.Task)}");
            output.WriteLine($"cell          {RnnOptions.CellName(n.Cell)}");
            output.WriteLine($"configuration {config}");
            output.WriteLine(F($"network       hidden {n.HiddenSize}, layers {n.NumLayers}, {(n.Bidirectional ? "bidirectional" : "unidirectional")}, dropout {n.Dropout}, input width {n.InputSize}"));
            if (config.Task != ModelTask.Lm) output.WriteLine($"head          {HeadKinds.Name(config.Head)}, {config.OutputSize} outputs");
            if (checkpoint.Contents.Vocabulary is { } vocabulary)
                output.WriteLine($"vocabulary    {vocabulary.Count} {(vocabulary.Kind == Data.TokenKind.Word ? "words" : "characters")}");
            if (checkpoint.Contents.Labels is { } labels)
                output.WriteLine($"{(config.Task == ModelTask.Tag ? "tags  " : "labels")}        {string.Join(", ", labels.Labels)}");
            if (checkpoint.Contents.Forecast is { } layout)
                output.WriteLine($"forecast      target {layout.Target}, inputs {string.Join(",", layout.Inputs ?? [])}, T={layout.SequenceLength}, K={layout.Horizon}");
            output.WriteLine(F($"parameters    {parameters}"));
            if (checkpoint.Training is { } state)
            {
                string best = double.IsFinite(state.BestValidationLoss) ? F($", best validation loss {state.BestValidationLoss:F4}") : "";
                output.WriteLine(F($"training      step {state.Step} ({state.ChunksSeen} batches, {state.Seconds:F0} s{best})"));
            }
            else output.WriteLine("training      none saved (the model only)");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
