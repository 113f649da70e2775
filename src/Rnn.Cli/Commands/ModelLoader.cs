using Rnn.Serialization;
using Rnn.Training;

namespace Rnn.Cli.Commands;

/// <summary>Opens a model file given on the command line, with usage errors for a missing path.</summary>
public static class ModelLoader
{
    /// <summary>Loads <paramref name="path"/>; a missing file is a usage error, a damaged or foreign one a failure.</summary>
    public static Checkpoint Load(string path)
    {
        if (Directory.Exists(path)) throw new UsageException($"{path} is a directory, not a model file.");
        if (!File.Exists(path)) throw new UsageException($"{path}: no such model file.");
        return Checkpoint.Load(path);
    }
}
