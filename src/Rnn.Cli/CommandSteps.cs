// Steps that several commands share: reading a text or a model named on the command line, Ctrl-C, sampling.
using Rnn.Data;
using Rnn.Models;
using Rnn.Serialization;
using Rnn.Training;

namespace Rnn.Cli;

/// <summary>Steps shared by the commands, so that no command calls into another.</summary>
public static class CommandSteps
{
    /// <summary>Reads a corpus, turning the reader's complaints into usage errors where the user gave a bad file.</summary>
    public static string ReadText(string path)
    {
        if (Directory.Exists(path)) throw new UsageException($"{path} is a directory, not a text file.");
        if (!File.Exists(path)) throw new UsageException($"{path}: no such file.");
        try
        {
            return TextFile.ReadCorpus(path);
        }
        catch (InvalidDataException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>Loads <paramref name="path"/>; a missing file is a usage error, a damaged or foreign one a failure.</summary>
    public static Checkpoint LoadModel(string path)
    {
        if (Directory.Exists(path)) throw new UsageException($"{path} is a directory, not a model file.");
        if (!File.Exists(path)) throw new UsageException($"{path}: no such model file.");
        return Checkpoint.Load(path);
    }

    /// <summary>Loads <paramref name="path"/> and refuses a model of another task than <paramref name="task"/> (a usage error).</summary>
    public static Checkpoint LoadModel(string path, ModelTask task)
    {
        var checkpoint = LoadModel(path);
        if (checkpoint.Task != task)
            throw new UsageException($"{path} is a {ModelTasks.Name(checkpoint.Task)} model; this command needs a {ModelTasks.Name(task)} model.");
        return checkpoint;
    }

    /// <summary>Loads a checkpoint to resume from; it must exist and hold training state.</summary>
    public static Checkpoint LoadForResume(string path)
    {
        if (!File.Exists(path)) throw new UsageException($"{path}: no such checkpoint to resume from.");
        var checkpoint = Checkpoint.Load(path);
        if (checkpoint.Training is null) throw new UsageException($"{path} holds a model without training state; it cannot be resumed.");
        return checkpoint;
    }

    /// <summary>
    /// Reads a data file with <paramref name="read"/>; a missing file, or a file that breaks its format (the reader's
    /// message names the line and column), is a usage error.
    /// </summary>
    public static TData ReadData<TData>(string path, Func<string, TData> read)
    {
        if (Directory.Exists(path)) throw new UsageException($"{path} is a directory, not a data file.");
        if (!File.Exists(path)) throw new UsageException($"{path}: no such file.");
        return Guard(() => read(path));
    }

    /// <summary>Runs <paramref name="step"/>, turning a complaint about the user's data into a usage error.</summary>
    public static TResult Guard<TResult>(Func<TResult> step)
    {
        try
        {
            return step();
        }
        catch (InvalidDataException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>Writes <paramref name="lines"/> to the file <paramref name="path"/> (atomically), or to <paramref name="output"/> when null.</summary>
    public static void WriteLines(string? path, IEnumerable<string> lines, TextWriter output)
    {
        if (path is null)
        {
            foreach (string line in lines) output.WriteLine(line);
            return;
        }
        string text = string.Concat(lines.Select(line => line + "\n"));
        Rnn.IO.AtomicFile.Write(path, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>A token that is cancelled by the first Ctrl-C (the second one ends the process as usual).</summary>
    public static CancellationToken CancelOnCtrlC()
    {
        var source = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            if (source.IsCancellationRequested) return;
            e.Cancel = true;
            source.Cancel();
        };
        return source.Token;
    }

    /// <summary>Writes the prime and then each drawn token as soon as it is drawn.</summary>
    public static void WriteSample(LanguageModel<float> model, Vocabulary vocabulary, string? prime, int length, double temperature, int topK, ulong seed, TextWriter output)
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
