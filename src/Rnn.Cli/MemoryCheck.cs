// A run whose buffers cannot fit is refused before the first of them is allocated, with the estimate and the memory
// there is: without the check, a model too large for the machine grows for minutes and ends in the kernel's OOM kill.
using System.Globalization;
using Rnn.Training;

namespace Rnn.Cli;

/// <summary>Compares a run's <see cref="MemoryEstimate"/> with the memory available (or <c>--max-memory</c>).</summary>
public static class MemoryCheck
{
    /// <summary>
    /// Refuses the run (a usage error: the options ask for more than there is) when <paramref name="estimate"/>
    /// exceeds <paramref name="limit"/>, or the memory available now when no limit is given; returns that memory.
    /// </summary>
    /// <param name="remedy">The options that would shrink the run, for the message.</param>
    /// <exception cref="OverflowException">An array would exceed the largest .NET can hold (reported as "too large").</exception>
    public static long Ensure(MemoryEstimate estimate, long? limit, string remedy = "--hidden, --layers, --batch or --seq")
    {
        ArgumentNullException.ThrowIfNull(estimate);
        if (estimate.LargestArray > Array.MaxLength) throw new OverflowException();
        long available = limit ?? MemoryEstimate.AvailableBytes();
        if (estimate.FitsIn(available)) return available;
        string where = limit is null ? "available" : "allowed by --max-memory";
        throw new UsageException(
            $"not enough memory: the run needs about {MemoryEstimate.FormatBytes(estimate.Total)} ({estimate.Parts()}) and {MemoryEstimate.FormatBytes(available)} is {where}; try a smaller {remedy}.");
    }

    /// <summary>
    /// Parses a size: a number of bytes, optionally with K, M, G or T (powers of 1000, a B may follow) or KiB, MiB,
    /// GiB, TiB (powers of 1024): <c>8G</c>, <c>512MiB</c>, <c>1.5GB</c>.
    /// </summary>
    public static long ParseSize(string text, string option)
    {
        ArgumentNullException.ThrowIfNull(text);
        string s = text.Trim();
        int split = s.Length;
        while (split > 0 && char.IsAsciiLetter(s[split - 1])) split--;
        string unit = s[split..].ToUpperInvariant();
        double scale = unit switch
        {
            "" or "B" => 1,
            "K" or "KB" => 1e3, "M" or "MB" => 1e6, "G" or "GB" => 1e9, "T" or "TB" => 1e12,
            "KIB" => 1L << 10, "MIB" => 1L << 20, "GIB" => 1L << 30, "TIB" => 1L << 40,
            _ => double.NaN,
        };
        if (!double.TryParse(s[..split], NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || double.IsNaN(scale)
            || !(value * scale >= 1 && value * scale < long.MaxValue))
            throw new UsageException($"{option} must be a size such as 8G, 512M or 1.5GB, not '{text}'.");
        return (long)(value * scale);
    }
}
