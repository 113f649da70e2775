using System.CommandLine;
using System.Globalization;
using Rnn.Diagnostics;
using Rnn.IO;
using Rnn.Kernels;
using Rnn.Layers;
using Rnn.Training;
using ScottPlot;

namespace Rnn.Cli.Commands;

/// <summary>
/// <c>rnn gradflow</c>: the error terms ‖δ_k‖ of BPTT against the distance t − k they travelled, for several activations,
/// spectral radii of W and with or without clipping, as a table of slopes and a PNG of log10 ‖δ_k‖.
/// </summary>
public static class GradFlowCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var input = CommandLine.PositiveInt("--input", "Input features I.", 8);
        var hidden = CommandLine.PositiveInt("--hidden", "Hidden units H per layer.", 64);
        var layers = CommandLine.PositiveInt("--layers", "Stacked layers L.", 1);
        var seq = CommandLine.PositiveInt("--seq", "Sequence length T: the loss sits at step T−1.", 150);
        var batch = CommandLine.PositiveInt("--batch", "Random sequences B.", 8);
        var nonlinearity = new Option<string>("--nonlinearity") { Description = "Activations to compare, comma-separated (tanh, relu, sigmoid, identity).", DefaultValueFactory = _ => "tanh,relu,sigmoid" };
        var radius = new Option<string>("--spectral-radius") { Description = "Spectral radii ρ(W) to compare, comma-separated.", DefaultValueFactory = _ => "0.5,1,1.5" };
        var clip = new Option<double>("--clip") { Description = "Also run each configuration with the gradients clipped to this global norm (0 = no clipped runs).", DefaultValueFactory = _ => 1 };
        var orthogonal = new Option<bool>("--orthogonal") { Description = "W = ρ·Q for a random orthogonal Q instead of PyTorch's uniform W rescaled to ρ." };
        var noBias = new Option<bool>("--no-bias") { Description = "Leave out b_ih and b_hh." };
        var seed = new Option<ulong>("--seed") { Description = "Seed for weights, inputs and the loss direction.", DefaultValueFactory = _ => 1 };
        var cells = new Option<string?>("--cell") { Description = "Compare cells instead, comma-separated (rnn, lstm, gru): ‖∂E/∂h_k‖ at PyTorch's initialisation, W left as initialised." };
        var trained = new Option<int>("--trained") { Description = "With --cell: first train each cell this many Adam steps on the delay-recall task (0 = untrained)." };
        var output = new Option<string>("--out", "-o") { Description = "The PNG to write.", DefaultValueFactory = _ => "gradflow.png" };
        var command = new Command("gradflow", "Measure how BPTT's error terms vanish or explode with the distance they travel back in time.")
        {
            input, hidden, layers, seq, batch, nonlinearity, radius, clip, orthogonal, noBias, seed, cells, trained, output,
        };
        command.SetAction(parse =>
        {
            var network = new RnnOptions
            {
                InputSize = parse.GetValue(input),
                HiddenSize = parse.GetValue(hidden),
                NumLayers = parse.GetValue(layers),
                Bias = !parse.GetValue(noBias),
            };
            int sequenceLength = parse.GetValue(seq);
            if (sequenceLength < 2 || sequenceLength > 100_000) throw new UsageException($"--seq must be between 2 and 100000, not {sequenceLength}.");
            if (parse.GetValue(cells) is string cellList)
            {
                int steps = parse.GetValue(trained);
                if (steps is < 0 or > 1_000_000) throw new UsageException($"--trained must be in [0, 1000000], not {steps}.");
                var plan = new GradFlowCells.Plan(network, CommandLine.ParseCells(cellList, "--cell"), sequenceLength, parse.GetValue(batch), steps, parse.GetValue(seed));
                GradFlowCells.Run(plan, parse.GetValue(output)!, parse.InvocationConfiguration.Output);
                return ExitCodes.Ok;
            }
            double clipNorm = parse.GetValue(clip);
            if (!(clipNorm >= 0 && double.IsFinite(clipNorm))) throw new UsageException($"--clip must be ≥ 0 (0 = no clipped runs), not {clipNorm}.");
            var template = new GradientFlowOptions
            {
                Network = network, SequenceLength = sequenceLength, BatchSize = parse.GetValue(batch),
                Orthogonal = parse.GetValue(orthogonal), Seed = parse.GetValue(seed),
            };
            var runs = Plan(template, ParseActivations(parse.GetValue(nonlinearity)!), ParseRadii(parse.GetValue(radius)!), clipNorm);
            Run(runs, parse.GetValue(output)!, parse.InvocationConfiguration.Output);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Every combination of activation × radius × (unclipped, clipped when <paramref name="clipNorm"/> &gt; 0).</summary>
    public static IReadOnlyList<GradientFlowOptions> Plan(GradientFlowOptions template, IReadOnlyList<Nonlinearity> activations,
        IReadOnlyList<double> radii, double clipNorm)
    {
        var plan = new List<GradientFlowOptions>();
        foreach (var f in activations)
            foreach (double r in radii)
            {
                var options = template with { Network = template.Network with { Nonlinearity = f }, SpectralRadius = r, ClipNorm = 0 };
                plan.Add(options);
                if (clipNorm > 0) plan.Add(options with { ClipNorm = clipNorm });
            }
        return plan;
    }

    /// <summary>Measures every run, prints the table of slopes and writes the chart to <paramref name="pngPath"/>.</summary>
    public static IReadOnlyList<GradientFlowRun> Run(IReadOnlyList<GradientFlowOptions> plan, string pngPath, TextWriter output)
    {
        var runs = plan.Select(GradientFlow.Measure).ToList();
        var first = plan[0];
        var n = first.Network;
        string init = first.Orthogonal ? "W = ρ·Q, Q random orthogonal" : "W = PyTorch's uniform init rescaled to spectral radius ρ";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"gradflow: I={n.InputSize} H={n.HiddenSize} L={n.NumLayers} T={first.SequenceLength} B={first.BatchSize}, bias {(n.Bias ? "on" : "off")}, float64; {init}; loss at t = T−1 only, ‖dY‖ = 1"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"PyTorch's init gave layer 0 a spectral radius of {runs[0].InitialSpectralRadii[0]:F3}. slope = least-squares slope of log10 ‖δ_k‖ against t − k; factor = 10^slope per step."));
        output.WriteLine($"{"run",-22} {"layer",5} {"ρ(W)",7} {"σmax(W)",8} {"‖∇θ‖",9} {"clip ×",9} {"‖δ_t‖",9} {"‖δ_0‖",10} {"slope",8} {"factor",7}");
        foreach (var run in runs)
            for (int l = 0; l < run.Norms.Count; l++)
            {
                double[] norms = run.Norms[l];
                double slope = run.Slope(l);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{Label(run.Options),-22} {l,5} {run.SpectralRadii[l],7:F3} {run.LargestSingularValues[l],8:F3} {run.GradientNorm,9:0.00e+00} {run.ClipScale,9:0.00e+00} {norms[^1],9:0.00e+00} {norms[0],10:0.00e+00} {slope,8:F4} {Math.Pow(10, slope),7:F4}"));
            }
        Save(pngPath, runs);
        output.WriteLine($"chart: {pngPath}");
        return runs;
    }

    /// <summary>A run's legend text, e.g. <c>tanh ρ=1.5 clip 1</c>.</summary>
    public static string Label(GradientFlowOptions options) => string.Create(CultureInfo.InvariantCulture,
        $"{Activation.Name(options.Network.Nonlinearity)} ρ={options.SpectralRadius:G4}{(options.ClipNorm > 0 ? $" clip {options.ClipNorm:G4}" : "")}");

    private static void Save(string path, IReadOnlyList<GradientFlowRun> runs)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var colors = new Dictionary<(Nonlinearity, double), Color>();
        foreach (var run in runs)
        {
            var key = (run.Options.Network.Nonlinearity, run.Options.SpectralRadius);
            if (!colors.TryGetValue(key, out Color color)) colors[key] = color = palette.GetColor(colors.Count);
            for (int l = 0; l < run.Norms.Count; l++)
            {
                double[] norms = run.Norms[l];
                // log10 0 = −∞ cannot be drawn: a δ that vanished to exactly 0 (dead relus, underflow) ends its line.
                var points = Enumerable.Range(0, norms.Length).Where(k => norms[k] > 0 && double.IsFinite(norms[k])).ToList();
                var scatter = plot.Add.Scatter(points.Select(k => (double)(norms.Length - 1 - k)).ToArray(), points.Select(k => Math.Log10(norms[k])).ToArray());
                scatter.Color = color;
                scatter.MarkerSize = 0;
                scatter.LineWidth = 2;
                if (run.Options.ClipNorm > 0) scatter.LinePattern = LinePattern.Dashed;
                scatter.LegendText = Label(run.Options) + (run.Norms.Count > 1 ? $" layer {l}" : "");
            }
        }
        plot.Title("BPTT error terms, loss at the last step only (dashed: gradients clipped by global norm)");
        plot.XLabel("t − k (steps travelled back)");
        plot.YLabel("log10 ‖δ_k‖");
        plot.ShowLegend(Edge.Right);
        byte[] png = plot.GetImageBytes(1200, 700, ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(png));
    }

    private static List<Nonlinearity> ParseActivations(string list)
    {
        var result = new List<Nonlinearity>();
        foreach (string name in Split(list, "--nonlinearity"))
        {
            try { result.Add(Activation.Parse(name)); }
            catch (ArgumentException) { throw new UsageException($"--nonlinearity: unknown activation '{name}'; expected tanh, relu, sigmoid or identity."); }
        }
        return result;
    }

    private static List<double> ParseRadii(string list)
    {
        var result = new List<double>();
        foreach (string text in Split(list, "--spectral-radius"))
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double r) || !(r > 0 && r <= 100))
                throw new UsageException($"--spectral-radius: each value must be a number in (0, 100], not '{text}'.");
            result.Add(r);
        }
        return result;
    }

    private static string[] Split(string list, string option)
    {
        string[] items = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return items.Length > 0 ? items : throw new UsageException($"{option} needs at least one value.");
    }
}
