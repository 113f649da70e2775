using System.Globalization;
using Rnn.Cli.Demos;
using Rnn.Diagnostics;
using Rnn.IO;
using Rnn.Layers;
using ScottPlot;

namespace Rnn.Cli.Commands;

/// <summary>
/// <c>rnn gradflow --cell rnn,lstm,gru</c>: ‖∂E/∂h_k‖ against t − k for each cell, the gradient their hidden states share,
/// at PyTorch's initialisation or after a short training run on the delay-recall task, as a table of slopes and one PNG.
/// </summary>
public static class GradFlowCells
{
    /// <summary>What to compare: the network shape every cell gets, and the experiment.</summary>
    /// <param name="Network">I, H, L, the simple cell's f and bias; the cell is replaced by each of <paramref name="Cells"/>.</param>
    /// <param name="Cells">The cells, in the table's order.</param>
    /// <param name="SequenceLength">T: the loss sits at step T−1.</param>
    /// <param name="BatchSize">B.</param>
    /// <param name="TrainedSteps">0: PyTorch's initialisation; else Adam steps on the delay-recall task first (I becomes 1).</param>
    /// <param name="Seed">Seed of weights, inputs and the loss direction.</param>
    public sealed record Plan(RnnOptions Network, IReadOnlyList<CellKind> Cells, int SequenceLength, int BatchSize, int TrainedSteps, ulong Seed);

    /// <summary>Measures every cell, prints the table of slopes and writes the chart to <paramref name="pngPath"/>.</summary>
    public static IReadOnlyList<HiddenGradientFlowRun> Run(Plan plan, string pngPath, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var runs = plan.Cells.Select(cell => GradientFlow.MeasureHidden(Network(plan, cell), plan.SequenceLength, plan.BatchSize, plan.Seed)).ToList();
        var n = plan.Network;
        string state = plan.TrainedSteps > 0
            ? $"after {plan.TrainedSteps} Adam steps on the delay-recall task (rnn demo --task memory), I = 1"
            : "at PyTorch's initialisation";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"gradflow --cell: H={n.HiddenSize} L={n.NumLayers} T={plan.SequenceLength} B={plan.BatchSize}, float64, {state}; loss at t = T−1 only, ‖dY‖ = 1"));
        output.WriteLine("‖∂E/∂h_k‖ of the top layer, through every path (LSTM: h and c; GRU: W_hh and z ⊙ dh); slope = least-squares slope of log10 against t − k; factor = 10^slope per step.");
        output.WriteLine($"{"cell",-6} {"‖∂E/∂h_t‖",11} {"‖∂E/∂h_0‖",11} {"slope",8} {"factor",7}");
        foreach (var run in runs)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{RnnOptions.CellName(run.Cell),-6} {run.Norms[^1],11:0.00e+00} {run.Norms[0],11:0.00e+00} {run.Slope,8:F4} {Math.Pow(10, run.Slope),7:F4}"));
        Save(pngPath, runs, state);
        output.WriteLine($"chart: {pngPath}");
        return runs;
    }

    private static RecurrentNetwork<double> Network(Plan plan, CellKind cell)
    {
        if (plan.TrainedSteps == 0) return new RecurrentNetwork<double>(plan.Network with { Cell = cell }, seed: plan.Seed);
        // The task's own network (one layer, I = 1), trained in float64 so that its weights are measured as trained.
        var task = new DelayRecallOptions
        {
            Cell = cell, HiddenSize = plan.Network.HiddenSize, Nonlinearity = plan.Network.Nonlinearity, Steps = plan.TrainedSteps, Seed = plan.Seed,
        };
        return DelayRecallTask.Train<double>(task).Rnn;
    }

    private static void Save(string path, IReadOnlyList<HiddenGradientFlowRun> runs, string state)
    {
        var plot = new Plot();
        foreach (var run in runs)
        {
            double[] norms = run.Norms;
            // log10 0 = −∞ cannot be drawn: a gradient that vanished to exactly 0 ends its line.
            var points = Enumerable.Range(0, norms.Length).Where(k => norms[k] > 0 && double.IsFinite(norms[k])).ToList();
            var scatter = plot.Add.Scatter(points.Select(k => (double)(norms.Length - 1 - k)).ToArray(), points.Select(k => Math.Log10(norms[k])).ToArray());
            scatter.MarkerSize = 0;
            scatter.LineWidth = 2;
            scatter.LegendText = string.Create(CultureInfo.InvariantCulture,
                $"{RnnOptions.CellName(run.Cell)}: slope {run.Slope:F4} (×{Math.Pow(10, run.Slope):F3} per step)");
        }
        // A log axis: the values drawn are log10, the labels say 10^n, minor ticks at 2·10^n … 9·10^n.
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => string.Create(CultureInfo.InvariantCulture, $"1e{y:0}"),
        };
        plot.Title($"‖∂E/∂h_k‖ by cell, {state}");
        plot.XLabel("t − k (steps travelled back)");
        plot.YLabel("‖∂E/∂h_k‖ (log scale)");
        plot.ShowLegend(Alignment.LowerLeft);
        byte[] png = plot.GetImageBytes(1000, 600, ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(png));
    }
}
