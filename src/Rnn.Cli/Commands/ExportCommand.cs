using System.CommandLine;
using Rnn.Models;
using Rnn.Interop.Onnx;

namespace Rnn.Cli.Commands;

/// <summary><c>rnn export</c>: writes a model file as an ONNX graph.</summary>
public static class ExportCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "A model file written by rnn train or rnn import." };
        var onnx = new Option<string>("--onnx") { Description = "The ONNX file to write (inputs tokens [T, B], h0 [L, B, H] and for LSTM c0; outputs logits [T, B, V], h_n [L, B, H] and for LSTM c_n).", Required = true };
        var command = new Command("export", "Write a model as ONNX (opset 14) for ONNX Runtime and other runtimes.") { model, onnx };
        command.SetAction(parse =>
        {
            var checkpoint = CommandSteps.LoadModel(parse.GetValue(model)!, ModelTask.Lm);
            var lm = checkpoint.CreateModel<float>();
            string destination = parse.GetValue(onnx)!;
            try
            {
                OnnxExporter.Save(destination, lm, checkpoint.Vocabulary);
            }
            catch (ArgumentException e) when (e.ParamName == "model")
            {
                // An activation ONNX lacks is the user's choice of model, not a damaged file: exit 2.
                throw new UsageException(e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal));
            }
            parse.InvocationConfiguration.Output.WriteLine($"wrote {destination}: {lm.Config}, ONNX opset {OnnxExporter.OpsetVersion}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
