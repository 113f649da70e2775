// Central-difference gradient check of the whole RNN (any cell), in float64:
//   E(θ) = Σ y ⊙ G + Σ h_N ⊙ G_h (+ Σ c_N ⊙ G_c for LSTM)   (fixed random G, G_h, G_c: every output and final state matters)
//   numeric ∂E/∂θ_i = (E(θ + ε e_i) − E(θ − ε e_i)) / 2ε
// compared with BPTT's analytic gradient for every parameter, x, h0 (and c0 for LSTM).
using Rnn.Layers;
using Rnn.Tensors;

namespace Rnn.Diagnostics;

/// <summary>The worst disagreement between BPTT and central differences for one tensor.</summary>
/// <param name="Name">The parameter name, or <c>x</c> / <c>h0</c> / <c>c0</c>.</param>
/// <param name="Count">Elements checked.</param>
/// <param name="MaxAbsoluteError">max_i |analytic_i − numeric_i|.</param>
/// <param name="RelativeError">MaxAbsoluteError / max(max_i |analytic_i|, max_i |numeric_i|) (0 when both are 0).</param>
public sealed record GradientCheckResult(string Name, int Count, double MaxAbsoluteError, double RelativeError);

/// <summary>Checks BPTT against finite differences over every parameter and input of an RNN.</summary>
public static class GradientCheck
{
    /// <summary>The default threshold below which a relative error passes.</summary>
    public const double DefaultTolerance = 1e-6;

    /// <summary>
    /// Builds a float64 RNN with <paramref name="options"/>, random x, h0 and upstream gradients from
    /// <paramref name="seed"/>, and compares the BPTT gradient of every parameter, x and h0 with central differences.
    /// </summary>
    public static IReadOnlyList<GradientCheckResult> Run(RnnOptions options, int sequenceLength, int batch, ulong seed = 1, double epsilon = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (sequenceLength <= 0) throw new ArgumentOutOfRangeException(nameof(sequenceLength), sequenceLength, "The sequence length must be positive.");
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch size must be positive.");
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Epsilon must be positive.");

        var network = new RecurrentNetwork<double>(options, seed: seed);
        var random = new SeededRandom(seed ^ 0x5DEECE66DUL);
        int stateSize = options.NumLayers * options.NumDirections * batch * options.HiddenSize;
        var x = new double[sequenceLength * batch * options.InputSize];
        var h0 = new double[stateSize];
        var g = new double[sequenceLength * batch * options.OutputSize];
        var gh = new double[stateSize];
        random.FillNormal<double>(x, 0, 1);
        random.FillNormal<double>(h0, 0, 0.5);
        random.FillNormal<double>(g, 0, 1);
        random.FillNormal<double>(gh, 0, 1);
        // The cell state's draws come after the others, so the simple cell's check draws what it always drew.
        int cellSize = options.HasCellState ? stateSize : 0;
        var c0 = new double[cellSize];
        var gc = new double[cellSize];
        random.FillNormal<double>(c0, 0, 0.5);
        random.FillNormal<double>(gc, 0, 1);
        var cN = new double[cellSize];

        var y = new double[g.Length];
        var hN = new double[stateSize];
        double Loss()
        {
            network.Forward(x, sequenceLength, batch, h0, y, hN, c0, cN);
            double e = 0;
            for (int i = 0; i < y.Length; i++) e += y[i] * g[i];
            for (int i = 0; i < hN.Length; i++) e += hN[i] * gh[i];
            for (int i = 0; i < cN.Length; i++) e += cN[i] * gc[i];
            return e;
        }

        Loss();
        var dx = new double[x.Length];
        var dh0 = new double[h0.Length];
        network.Parameters.ZeroGradients();
        var dc0 = new double[cellSize];
        network.Backward(g, gh, dx, dh0, gc, dc0);

        var results = new List<GradientCheckResult>();
        double[] values = network.Parameters.Values;
        foreach (var p in network.Parameters.All)
            results.Add(Compare(p.Name, network.Parameters.Gradient(p).ToArray(), values, p.Offset, p.Length, epsilon, Loss));
        results.Add(Compare("x", dx, x, 0, x.Length, epsilon, Loss));
        results.Add(Compare("h0", dh0, h0, 0, h0.Length, epsilon, Loss));
        if (options.HasCellState) results.Add(Compare("c0", dc0, c0, 0, c0.Length, epsilon, Loss));
        return results;
    }

    private static GradientCheckResult Compare(string name, double[] analytic, double[] values, int offset, int length, double epsilon, Func<double> loss)
    {
        double maxError = 0, maxMagnitude = 0;
        for (int i = 0; i < length; i++)
        {
            double saved = values[offset + i];
            values[offset + i] = saved + epsilon;
            double plus = loss();
            values[offset + i] = saved - epsilon;
            double minus = loss();
            values[offset + i] = saved;
            double numeric = (plus - minus) / (2 * epsilon);
            maxError = Math.Max(maxError, Math.Abs(analytic[i] - numeric));
            maxMagnitude = Math.Max(maxMagnitude, Math.Max(Math.Abs(analytic[i]), Math.Abs(numeric)));
        }
        double relative = maxMagnitude == 0 ? maxError : maxError / maxMagnitude;
        return new GradientCheckResult(name, length, maxError, relative);
    }
}
