// Steps that several commands share: reading a text or a model named on the command line, Ctrl-C, sampling.
using Rnn.Data;
using Rnn.Models;
using Rnn.Serialization;
using Rnn.Training;

namespace Rnn.Cli;

/// <summary>Steps shared by the commands, so that no command calls into another.</summary>
public static class CommandSteps
{
    /// <summary>Refuses a text path that is a directory or names no file (usage errors).</summary>
    public static void CheckTextFile(string path)
    {
        if (Directory.Exists(path)) throw new UsageException($"{path} is a directory, not a text file.");
        if (!File.Exists(path)) throw new UsageException($"{path}: no such file.");
    }

    /// <summary>Reads a corpus, turning the reader's complaints into usage errors where the user gave a bad file.</summary>
    public static string ReadText(string path)
    {
        CheckTextFile(path);
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

    /// <summary>
    /// Writes the prime as the model reads it (its tokens decoded, so words it does not know are left out) and then
    /// each drawn token as soon as it is drawn; stops after <paramref name="length"/> tokens or as soon as the text
    /// written after the prime completes <paramref name="stopAt"/>.
    /// </summary>
    public static void WriteSample(LanguageModel<float> model, Vocabulary vocabulary, SampleSettings settings, TextWriter output, TextWriter error)
    {
        int[] primeIds = PrefixTokens(vocabulary, settings.Prime, "--prime", error);
        var detokenizer = new Detokenizer(vocabulary);
        var stop = settings.StopAt is null ? null : new StopString(settings.StopAt);
        foreach (int id in primeIds)
        {
            string text = detokenizer.Next(id);
            // Without a prime the model starts from a line break or <s> that is not part of the sample.
            if (string.IsNullOrEmpty(settings.Prime)) continue;
            output.Write(text);
            stop?.Precede(text);
        }
        var sampler = new Sampler<float>(model, settings.Seed) { ExcludedToken = vocabulary.UnknownId };
        foreach (int id in sampler.Generate(primeIds, settings.Length, settings.Temperature, settings.TopK))
        {
            string text = detokenizer.Next(id);
            output.Write(text);
            output.Flush();
            if (stop?.Completes(text) == true) break;
        }
    }

    /// <summary>
    /// The ids of a prefix for the model to continue (<see cref="Vocabulary.EncodePrefix"/>). Tokens the vocabulary
    /// lacks are left out and named in one line on <paramref name="error"/>; a prefix with no token left starts a fresh
    /// line (or sentence), as an empty one does.
    /// </summary>
    /// <param name="what">How the message names the prefix: the option or argument it came from.</param>
    public static int[] PrefixTokens(Vocabulary vocabulary, string? prefix, string what, TextWriter error)
    {
        var unknown = new List<string>();
        int[] ids = [.. vocabulary.EncodePrefix(prefix ?? "", unknown).Where(id => id != vocabulary.UnknownId)];
        if (unknown.Count > 0)
        {
            string kind = vocabulary.Kind == TokenKind.Word ? "word" : "character";
            string[] distinct = [.. unknown.Distinct(StringComparer.Ordinal)];
            const int Shown = 12;
            string list = string.Join(" ", distinct.Take(Shown).Select(Visible)) + (distinct.Length > Shown ? $" and {distinct.Length - Shown} more" : "");
            error.WriteLine($"rnn: {what}: skipped {unknown.Count} {kind}{(unknown.Count == 1 ? "" : "s")} the model does not know: {list}");
        }
        if (ids.Length > 0) return ids;
        if (vocabulary.Kind == TokenKind.Word) return [vocabulary.StartId];
        return [vocabulary.Contains("\n") ? vocabulary.Id("\n") : vocabulary.Count - 1];
    }

    /// <summary>A token as one printable field: backslash, tab, CR and LF escaped as \\, \t, \r, \n; other control characters as \uXXXX.</summary>
    public static string Visible(string token)
    {
        var text = new System.Text.StringBuilder(token.Length);
        foreach (char c in token)
        {
            switch (c)
            {
                case '\\': text.Append("\\\\"); break;
                case '\t': text.Append("\\t"); break;
                case '\r': text.Append("\\r"); break;
                case '\n': text.Append("\\n"); break;
                default:
                    if (char.IsControl(c)) text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
                    else text.Append(c);
                    break;
            }
        }
        return text.ToString();
    }
}
