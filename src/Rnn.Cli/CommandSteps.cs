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
