using System.Diagnostics;
using System.Globalization;
using Rnn.Cli.Demos;
using Rnn.IO;
using Rnn.Layers;
using Rnn.Training;
using ScottPlot;

namespace Rnn.Cli.Commands;

/// <summary>
/// <c>rnn demo --task bidirectional|memory</c>: two small tasks on generated data that show what a bidirectional RNN
/// gains and where each cell's memory ends.
/// </summary>
public static class SequenceDemos
{
    /// <summary>Trains a unidirectional and a bidirectional RNN on y_t = x_{t+k} and prints both test accuracies.</summary>
    public static (FutureTokenResult Unidirectional, FutureTokenResult Bidirectional) RunBidirectional(FutureTokenOptions options, TextWriter output)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rnn demo --task bidirectional: label every step of a random sequence over {options.Symbols} symbols with the symbol {options.Lookahead} steps later"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"(or 'past the end'); T={options.SequenceLength}, tanh, H={options.HiddenSize} per direction, softmax cross-entropy at every step, {options.Steps} Adam steps of {options.BatchSize} sequences."));
        var clock = Stopwatch.StartNew();
        var uni = FutureTokenTask.Run(options, bidirectional: false);
        var bi = FutureTokenTask.Run(options, bidirectional: true);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"unidirectional: test accuracy {uni.Accuracy:P1}, cross-entropy {uni.Loss:F3} nats (without the future at most {FutureTokenTask.BlindAccuracy(options):P1} is expected)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"bidirectional:  test accuracy {bi.Accuracy:P1}, cross-entropy {bi.Loss:F3} nats"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"({clock.Elapsed.TotalSeconds:F0} s)"));
        return (uni, bi);
    }

    /// <summary>
    /// Trains the delay-recall network once per cell, prints R² per delay (one column per cell) and writes
    /// memory-by-delay.png (one line per cell) into <paramref name="folder"/>, and memory-traces.png when there is one cell.
    /// </summary>
    public static IReadOnlyList<DelayRecallResult> RunMemory(DelayRecallOptions options, IReadOnlyList<CellKind> cells, string folder, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(cells);
        string names = string.Join(", ", cells.Select(RnnOptions.CellName));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rnn demo --task memory: x_t uniform in (−1, 1); at every step output x_(t−d) for each d = 1..{options.MaxDelay} at once"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"T={options.SequenceLength}, one layer ({names}), H={options.HiddenSize}, linear read-out, mean squared error, {options.Steps} Adam steps of {options.BatchSize} sequences."));
        var clock = Stopwatch.StartNew();
        var results = cells.Select(cell => DelayRecallTask.Run(options with { Cell = cell })).ToList();
        output.WriteLine("R² = 1 − MSE/Var(x) on held-out sequences (1 = perfect recall, 0 = no memory):");
        if (cells.Count == 1)
            for (int d = 1; d <= results[0].RSquared.Length; d++)
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  d = {d,2}  R² = {results[0].RSquared[d - 1],6:F3}  {Bar(results[0].RSquared[d - 1])}"));
        else
        {
            output.WriteLine("  delay " + string.Concat(cells.Select(cell => $"{RnnOptions.CellName(cell),8}")));
            for (int d = 1; d <= options.MaxDelay; d++)
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  d = {d,2}") + string.Concat(results.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.RSquared[d - 1],8:F3}"))));
            output.WriteLine("  Σ R²  " + string.Concat(results.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.RSquared.Sum(),8:F2}"))));
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"A linear read-out of an H-unit state recalls at most H = {options.HiddenSize} independent inputs in all (memory capacity: Σ_d R² ≤ H)."));
        for (int i = 0; i < cells.Count; i++)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{RnnOptions.CellName(cells[i])}: Σ_d R² = {results[i].RSquared.Sum():F2}; ") + (results[i].MemoryEnd() is int end
                ? $"memory ends at d = {end}, the first delay recalled with R² below 0.5."
                : "every delay is recalled with R² ≥ 0.5."));

        Directory.CreateDirectory(folder);
        string byDelay = Path.Combine(folder, "memory-by-delay.png"), traces = Path.Combine(folder, "memory-traces.png");
        SaveByDelay(byDelay, cells, results);
        if (cells.Count == 1) SaveTraces(traces, results[0], options);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(cells.Count == 1 ? $"charts: {byDelay}, {traces}" : $"chart: {byDelay}")} ({clock.Elapsed.TotalSeconds:F0} s)"));
        return results;
    }

    private static string Bar(double r2) => new('#', (int)Math.Round(Math.Clamp(r2, 0, 1) * 40));

    private static void SaveByDelay(string path, IReadOnlyList<CellKind> cells, IReadOnlyList<DelayRecallResult> results)
    {
        var plot = new Plot();
        double[] delays = [.. Enumerable.Range(1, results[0].RSquared.Length).Select(d => (double)d)];
        for (int i = 0; i < results.Count; i++)
        {
            var scatter = plot.Add.Scatter(delays, results[i].RSquared);
            scatter.LineWidth = 2;
            scatter.MarkerSize = 8;
            scatter.LegendText = string.Create(CultureInfo.InvariantCulture, $"{RnnOptions.CellName(cells[i])} (Σ R² = {results[i].RSquared.Sum():F2})");
        }
        plot.Add.HorizontalLine(0.5, 1, Colors.Gray, LinePattern.Dashed);
        plot.Axes.SetLimitsY(Math.Min(-0.05, results.Min(r => r.RSquared.Min()) - 0.05), 1.05);
        plot.Title(cells.Count == 1 && cells[0] == CellKind.Rnn
            ? "Delay recall by a vanilla tanh RNN: R² of x_(t−d) against the delay d"
            : "Delay recall by cell: R² of x_(t−d) against the delay d");
        plot.XLabel("delay d (steps)");
        plot.YLabel("R² on held-out sequences");
        Write(path, plot);
    }

    private static void SaveTraces(string path, DelayRecallResult result, DelayRecallOptions options)
    {
        // Truth x_(t−d) and prediction for a few delays, each pair shifted down by 3 so the panels do not overlap.
        int t = options.SequenceLength, delays = options.MaxDelay;
        int[] shown = [.. new[] { 1, delays / 4, delays / 2, delays }.Where(d => d >= 1).Distinct()];
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < shown.Length; i++)
        {
            int d = shown[i];
            int offset = -3 * i;
            double[] steps = [.. Enumerable.Range(d, t - d).Select(s => (double)s)];
            var truth = plot.Add.Scatter(steps, [.. Enumerable.Range(d, t - d).Select(s => result.Input[s - d] + offset)]);
            truth.Color = Colors.Black;
            truth.MarkerSize = 0;
            truth.LineWidth = 1.5f;
            truth.LegendText = i == 0 ? "truth x_(t−d)" : "";
            var prediction = plot.Add.Scatter(steps, [.. Enumerable.Range(d, t - d).Select(s => result.Predictions[s * delays + d - 1] + offset)]);
            prediction.Color = palette.GetColor(i);
            prediction.MarkerSize = 0;
            prediction.LineWidth = 2;
            prediction.LinePattern = LinePattern.Dashed;
            prediction.LegendText = string.Create(CultureInfo.InvariantCulture, $"prediction, d = {d} (R² {result.RSquared[d - 1]:F2}), shifted by {offset}");
        }
        plot.Title("One held-out sequence: the delayed input and the network's recall of it");
        plot.XLabel("step t");
        plot.YLabel("x_(t−d), each delay shifted down by 3");
        Write(path, plot);
    }

    private static void Write(string path, Plot plot)
    {
        plot.ShowLegend(Alignment.LowerLeft);
        byte[] png = plot.GetImageBytes(1000, 600, ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(png));
    }
}
