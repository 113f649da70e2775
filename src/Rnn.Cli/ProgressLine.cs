using System.Globalization;
using Rnn.Training;

namespace Rnn.Cli;

/// <summary>
/// Training progress on the console: one line redrawn in place on a terminal (loss, validation loss,
/// tokens/s, ETA and a bar), or a plain line every few seconds when the output is redirected.
/// </summary>
public sealed class ProgressLine(TextWriter output, bool interactive, string unit, double? scale = null)
{
    private DateTime _lastPrint = DateTime.MinValue;
    private int _lastLength;

    /// <summary>Shows <paramref name="p"/> if enough time has passed since the last update.</summary>
    public void Report(TrainingProgress p)
    {
        var now = DateTime.UtcNow;
        var interval = interactive ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromSeconds(10);
        if (now - _lastPrint < interval) return;
        _lastPrint = now;
        string text = Format(p);
        if (interactive)
        {
            output.Write("\r" + text.PadRight(_lastLength));
            _lastLength = text.Length;
        }
        else output.WriteLine(text);
        output.Flush();
    }

    /// <summary>Ends the in-place line so that later output starts on a fresh line.</summary>
    public void Finish()
    {
        if (interactive && _lastLength > 0) output.WriteLine();
        _lastLength = 0;
    }

    /// <summary>Prints a warning on its own line without breaking the progress line.</summary>
    public void Warn(string message)
    {
        Finish();
        output.WriteLine("warning: " + message);
    }

    private string Format(TrainingProgress p)
    {
        double toBits = scale ?? 1 / Math.Log(2);
        string validation = p.ValidationLoss is double v ? string.Create(CultureInfo.InvariantCulture, $"{v * toBits:F3}") : "-";
        string eta = p.Fraction > 0.001 ? FormatTime(p.Elapsed / p.Fraction - p.Elapsed) : "?";
        string bar = "";
        if (interactive)
        {
            int filled = (int)Math.Round(p.Fraction * 20);
            bar = "[" + new string('#', filled) + new string('.', 20 - filled) + "] ";
        }
        // The share of the time validation points took; "skipped" once the budget has passed some over.
        string share = p.EvaluationTime > TimeSpan.Zero && p.Elapsed > TimeSpan.Zero
            ? string.Create(CultureInfo.InvariantCulture, $" ({p.EvaluationTime / p.Elapsed * 100:F0}% of time{(p.SkippedEvaluations > 0 ? $", {p.SkippedEvaluations} skipped" : "")})")
            : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{bar}step {p.Step} epoch {p.Epoch:F2}  train {p.TrainLoss * toBits:F3} {unit}  val {validation}{share}  {p.TokensPerSecond:F0} tok/s  ETA {eta}");
    }

    private static string FormatTime(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:D2}m" : $"{t.Minutes}m{t.Seconds:D2}s";
}
