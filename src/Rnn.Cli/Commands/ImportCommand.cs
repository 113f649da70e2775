using System.CommandLine;
using Rnn.IO;
using Rnn.Interop;
using Rnn.Kernels;
using Rnn.Data;
using Rnn.Serialization;
using Rnn.Training;

namespace Rnn.Cli.Commands;

/// <summary><c>rnn import</c>: turns a PyTorch Embedding → RNN, LSTM or GRU → Linear state dict (safetensors) into a model file.</summary>
public static class ImportCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var weights = new Argument<string>("weights") { Description = "A PyTorch state dict saved as safetensors (nn.Embedding, nn.RNN, nn.LSTM or nn.GRU, and nn.Linear submodules; the cell follows from the shapes)." };
        var output = new Option<string>("--out", "-o") { Description = "The model file to write.", Required = true };
        var vocab = new Option<string?>("--vocab") { Description = "The vocabulary: a .json file as in our model files ({\"kind\", \"tokens\"}), or a UTF-8 text whose characters make a character vocabulary. Default: the weights file's own 'vocab' metadata." };
        var nonlinearity = new Option<string?>("--nonlinearity") { Description = "The simple RNN's activation, which a state dict does not record (default: the file's own config metadata, else tanh); unused for LSTM and GRU." };
        nonlinearity.AcceptOnlyFromAmong("tanh", "relu", "sigmoid", "identity");
        var embedding = new Option<string?>("--prefix-embedding") { Description = $"The nn.Embedding's prefix (default: the one of {string.Join(" ", PyTorchStateDict.EmbeddingPrefixes)} present)." };
        var rnn = new Option<string?>("--prefix-rnn") { Description = $"The nn.RNN, nn.LSTM or nn.GRU's prefix (default: {string.Join(" ", PyTorchStateDict.RnnPrefixes)})." };
        var linear = new Option<string?>("--prefix-linear") { Description = $"The output nn.Linear's prefix (default: the one of {string.Join(" ", PyTorchStateDict.LinearPrefixes)} present)." };
        var command = new Command("import", "Make a model file from a PyTorch language model's state dict.") { weights, output, vocab, nonlinearity, embedding, rnn, linear };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(weights)!;
            if (Directory.Exists(path)) throw new UsageException($"{path} is a directory, not a safetensors file.");
            if (!File.Exists(path)) throw new UsageException($"{path}: no such file.");
            var file = SafeTensorsFile.Load(path);
            var options = new PyTorchImportOptions
            {
                Nonlinearity = parse.GetValue(nonlinearity) is string f ? Activation.Parse(f) : null,
                EmbeddingPrefix = parse.GetValue(embedding),
                RnnPrefix = parse.GetValue(rnn),
                LinearPrefix = parse.GetValue(linear),
            };
            var model = PyTorchStateDict.Import<float>(file, options);
            var vocabulary = ReadVocabulary(parse.GetValue(vocab), file);
            if (vocabulary.Count != model.Config.VocabularySize)
                throw new UsageException($"the vocabulary has {vocabulary.Count} tokens but {Path.GetFileName(path)}'s embedding has {model.Config.VocabularySize} rows.");
            string destination = parse.GetValue(output)!;
            Checkpoint.Save(destination, model, vocabulary);
            parse.InvocationConfiguration.Output.WriteLine($"wrote {destination}: {model.Config}, {(model.Config.Bias ? "with" : "without")} recurrent biases");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Vocabulary ReadVocabulary(string? path, SafeTensorsFile weights)
    {
        if (path is null)
            return weights.Metadata.TryGetValue("vocab", out var json)
                ? Vocabulary.FromJson(json)
                : throw new UsageException($"{Path.GetFileName(weights.SourceName)} has no vocabulary: give --vocab (a vocabulary .json or a text to build a character vocabulary from).");
        if (!path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            return Vocabulary.Build(CommandSteps.ReadText(path), TokenKind.Character);
        if (!File.Exists(path)) throw new UsageException($"{path}: no such file.");
        try
        {
            return Vocabulary.FromJson(File.ReadAllText(path));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }
}
