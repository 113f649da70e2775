using System.CommandLine;
using Rnn.Models;
using Rnn.Interop.Onnx;

namespace Rnn.Cli.Commands;

/// <summary><c>rnn export</c>: writes a model file of any task as an ONNX graph.</summary>
public static class ExportCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "A model file written by rnn train or rnn import, of any task." };
        var onnx = new Option<string>("--onnx")
        {
            Description = "The ONNX file to write. lm: inputs tokens [T, B], h0 [L, B, H] and for LSTM c0; outputs logits [T, B, V], h_n [L, B, H] and for LSTM c_n. " +
                "classify and tag: inputs tokens [T, B] and sequence_lens [B]; outputs logits and probabilities ([B, C]; tag [T, B, C]). " +
                "forecast: inputs features [T, B, I] in the columns' units and sequence_lens [B]; output forecast [B, K] in the target's units.",
            Required = true,
        };
        var command = new Command("export", "Write a model as ONNX (opset 14) for ONNX Runtime and other runtimes; labels, vocabulary and scaling go into its metadata.") { model, onnx };
        command.SetAction(parse =>
        {
            var checkpoint = CommandSteps.LoadModel(parse.GetValue(model)!);
            string destination = parse.GetValue(onnx)!;
            string description;
            try
            {
                if (checkpoint.Task == ModelTask.Lm)
                {
                    var lm = checkpoint.CreateModel<float>();
                    OnnxExporter.Save(destination, lm, checkpoint.Vocabulary);
                    description = lm.Config.ToString();
                }
                else
                {
                    var sequenceModel = checkpoint.CreateSequenceModel<float>();
                    OnnxExporter.Save(destination, sequenceModel, checkpoint.Contents);
                    description = sequenceModel.Config.ToString();
                }
            }
            catch (ArgumentException e) when (e.ParamName == "model")
            {
                // An activation ONNX lacks is the user's choice of model, not a damaged file: exit 2.
                throw new UsageException(e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal));
            }
            catch (ArgumentException e) when (e.ParamName == "contents")
            {
                // labels, vocabulary or scaling that do not fit the network: a damaged file, exit 1
                throw new InvalidDataException($"{checkpoint.Name}: {e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal)}");
            }
            parse.InvocationConfiguration.Output.WriteLine($"wrote {destination}: {description}, ONNX opset {OnnxExporter.OpsetVersion}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
