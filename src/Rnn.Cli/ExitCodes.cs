using Rnn.IO;

namespace Rnn.Cli;

/// <summary>Exit codes and the one place where exceptions become one clear line on standard error.</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>The command ran but failed (a corrupt file, a check that did not pass, training that diverged).</summary>
    public const int Failure = 1;

    /// <summary>The command line was wrong: unknown option, value out of range, missing input file.</summary>
    public const int Usage = 2;

    /// <summary>Runs <paramref name="action"/> and turns any exception into a one-line message and an exit code.</summary>
    public static int Run(Func<int> action, TextWriter? error = null)
    {
        error ??= Console.Error;
        try
        {
            return action();
        }
        catch (UsageException e) { return Report(error, e.Message, Usage); }
        catch (ArgumentException e) { return Report(error, WithoutParameterSuffix(e), Usage); }
        catch (FileNotFoundException e) { return Report(error, e.Message, Usage); }
        catch (DirectoryNotFoundException e) { return Report(error, e.Message, Usage); }
        catch (SafeTensorsFormatException e) { return Report(error, e.Message, Failure); }
        catch (InvalidDataException e) { return Report(error, e.Message, Failure); }
        catch (IOException e) { return Report(error, e.Message, Failure); }
        catch (UnauthorizedAccessException e) { return Report(error, e.Message, Failure); }
        catch (InvalidOperationException e) { return Report(error, e.Message, Failure); }
        catch (OutOfMemoryException) { return Report(error, "out of memory: try a smaller --batch, --seq or --hidden", Failure); }
        // Sizes are checked products of the options (e.g. H·H for --hidden 100000), so an overflow means the options ask too much.
        catch (OverflowException) { return Report(error, "too large: the options ask for an array of more than 2^31 elements; try a smaller --hidden, --embedding, --batch or --seq", Usage); }
    }

    private static int Report(TextWriter error, string message, int code)
    {
        error.WriteLine($"rnn: {message}");
        return code;
    }

    // ArgumentException appends " (Parameter 'x')" to its message; the message already names the problem. The
    // library names its own options (SequenceLength must be positive); the user typed a flag (--seq).
    private static string WithoutParameterSuffix(ArgumentException e)
    {
        string m = e.Message;
        int i = m.LastIndexOf(" (Parameter '", StringComparison.Ordinal);
        if (i > 0) m = m[..i];
        if (e.ParamName is { } name && OptionFlags.TryGetValue(name, out var flag) && m.StartsWith(name + " ", StringComparison.Ordinal))
            m = flag + m[name.Length..];
        return m;
    }

    /// <summary>The flag that sets each library option the CLI exposes, by the option's property name.</summary>
    internal static readonly IReadOnlyDictionary<string, string> OptionFlags = new Dictionary<string, string>
    {
        ["SequenceLength"] = "--seq",
        ["BatchSize"] = "--batch",
        ["LearningRate"] = "--lr",
        ["Momentum"] = "--momentum",
        ["ClipNorm"] = "--clip",
        ["ClipValue"] = "--clip-value",
        ["LearningRateDecay"] = "--lr-decay",
        ["LearningRateDecayEvery"] = "--lr-decay-every",
        ["ValidationFraction"] = "--val-fraction",
        ["EvaluateEvery"] = "--eval-every",
        ["MaxSkippedSteps"] = "--max-skipped",
        ["Optimizer"] = "--optimizer",
        ["HiddenSize"] = "--hidden",
        ["NumLayers"] = "--layers",
        ["EmbeddingSize"] = "--embedding",
        ["Dropout"] = "--dropout",
        ["InputSize"] = "--input",
    };
}
