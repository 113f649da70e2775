// Gradient flow through time, measured. The tutorial carries the error term back from step t to step k by
//   δ_kᵀ = δ_tᵀ Π_{i=k}^{t-1} W diag[f'(net_i)]      so    ‖δ_k‖ ≤ (σ_max(W) · max|f'|)^{t−k} ‖δ_t‖
// (σ_max = the largest singular value). Here the loss sits at the last step only (dY = 0 except at t = T−1), BPTT
// runs in float64, and ‖δ_k‖ is read for every k from RecurrentLayer.LastDeltas: log10 ‖δ_k‖ against t − k is then
// a line whose slope is log10 of the per-step factor (< 0 vanishing, > 0 exploding).
// T = steps, B = batch, I = input features, H = hidden units, L = layers.
using System.Numerics;
using System.Numerics.Tensors;
using Rnn.Layers;
using Rnn.Optim;
using Rnn.Tensors;

namespace Rnn.Diagnostics;

/// <summary>One gradient-flow experiment: a unidirectional float64 RNN, its W rescaled, the loss at the last step.</summary>
public sealed record GradientFlowOptions
{
    /// <summary>The network (I, H, L, f, bias); must be unidirectional, since a reverse direction starts at the loss.</summary>
    public required RnnOptions Network { get; init; }

    /// <summary>T, the distance the error term travels.</summary>
    public int SequenceLength { get; init; } = 150;

    /// <summary>B, independent random sequences in the batch.</summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>The spectral radius ρ(W) = max |λ_i(W)| every layer's W is given.</summary>
    public double SpectralRadius { get; init; } = 1;

    /// <summary>
    /// False: PyTorch's uniform initialisation of W, multiplied by ρ / ρ̂(W) with ρ̂ from <see cref="GradientFlow.SpectralRadius"/>.
    /// True: W = ρ·Q for a random orthogonal Q, so every eigenvalue and every singular value has modulus ρ.
    /// </summary>
    public bool Orthogonal { get; init; }

    /// <summary>A global-norm clipping threshold applied to the parameter gradients (0 = no clipping).</summary>
    public double ClipNorm { get; init; }

    /// <summary>Seed of the weights, the inputs and the loss direction.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Network);
        Network.Validate();
        if (Network.Bidirectional)
            throw new ArgumentException("Gradient flow is measured on a unidirectional network: a reverse direction starts at the loss and carries it nowhere.", nameof(Network));
        if (SequenceLength < 2) throw new ArgumentOutOfRangeException(nameof(SequenceLength), SequenceLength, "The sequence length must be at least 2.");
        if (BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "The batch size must be positive.");
        if (!(SpectralRadius > 0 && double.IsFinite(SpectralRadius)))
            throw new ArgumentOutOfRangeException(nameof(SpectralRadius), SpectralRadius, "The spectral radius must be positive and finite.");
        if (!(ClipNorm >= 0 && double.IsFinite(ClipNorm)))
            throw new ArgumentOutOfRangeException(nameof(ClipNorm), ClipNorm, "The clipping threshold must be ≥ 0 (0 = off).");
    }
}

/// <summary>What one gradient-flow experiment measured.</summary>
/// <param name="Options">The experiment.</param>
/// <param name="Norms">‖δ_k‖ per layer (index l) and step (index k = 0..T−1), the L2 norm over batch and hidden units,
/// after clipping (see <see cref="ClipScale"/>).</param>
/// <param name="InitialSpectralRadii">ρ̂ of each layer's W as PyTorch initialises it, before it was rescaled or replaced.</param>
/// <param name="SpectralRadii">ρ̂ of each layer's W as used.</param>
/// <param name="LargestSingularValues">σ_max of each layer's W as used.</param>
/// <param name="GradientNorm">The global L2 norm of all parameter gradients before clipping.</param>
/// <param name="ClipScale">The factor clipping multiplied every gradient by (1 when it did not act). Every parameter
/// gradient is linear in the δ's (∇W = Σ δ_t s_{t−1}ᵀ, ∇U = Σ δ_t x_tᵀ, ∇b = Σ δ_t), so the clipped gradients are
/// those of the δ's times this factor, and <see cref="Norms"/> holds those.</param>
public sealed record GradientFlowRun(GradientFlowOptions Options, IReadOnlyList<double[]> Norms, double[] InitialSpectralRadii,
    double[] SpectralRadii, double[] LargestSingularValues, double GradientNorm, double ClipScale)
{
    /// <summary>The least-squares slope of log10 ‖δ_k‖ against t − k for layer <paramref name="layer"/> (see <see cref="GradientFlow.Slope"/>).</summary>
    public double Slope(int layer) => GradientFlow.Slope(Norms[layer]);
}

/// <summary>Measures how the BPTT error terms shrink or grow with the distance they travel back in time.</summary>
public static partial class GradientFlow
{
    // Power-iteration budget: steps to let v settle into the dominant eigenspace, then steps averaged over.
    private const int SettleIterations = 2000, MeasureIterations = 2000;

    /// <summary>
    /// ‖δ_k‖ for every step k of the last backward pass of <paramref name="layer"/>: the L2 norm of the [B, G·H] block (every gate) of
    /// <see cref="RecurrentLayer{T}.LastDeltas"/> at step k (k in time order, whatever the direction), summed in double.
    /// </summary>
    /// <param name="sequenceLength">T of that pass.</param>
    /// <returns>[T]; all zeros before any backward pass.</returns>
    public static double[] DeltaNorms<T>(RecurrentLayer<T> layer, int sequenceLength) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequenceLength);
        ReadOnlySpan<T> deltas = layer.LastDeltas;
        var norms = new double[sequenceLength];
        if (deltas.IsEmpty) return norms;
        if (deltas.Length % (sequenceLength * layer.HiddenSize) != 0)
            throw new ArgumentException($"The last backward pass held {deltas.Length} error terms, not a multiple of T·H = {sequenceLength}·{layer.HiddenSize}.", nameof(sequenceLength));
        int block = deltas.Length / sequenceLength;    // B·H values per step
        for (int k = 0; k < sequenceLength; k++) norms[k] = GradientClipping.GlobalNorm(deltas.Slice(k * block, block));
        return norms;
    }

    /// <summary>
    /// <see cref="DeltaNorms{T}(RecurrentLayer{T}, int)"/> for every layer of <paramref name="network"/>, index
    /// layer·D + direction: call it after <see cref="RecurrentNetwork{T}.Backward"/>, e.g. to log gradient flow in training.
    /// </summary>
    public static double[][] DeltaNorms<T>(RecurrentNetwork<T> network, int sequenceLength) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        return [.. network.Layers.Select(layer => DeltaNorms(layer, sequenceLength))];
    }

    /// <summary>
    /// The least-squares slope of y_k = log10 ‖δ_k‖ against the distance d_k = T−1−k from the last step, over the steps
    /// whose norm is positive and finite: log10 of the mean per-step factor by which the error term changes as it
    /// travels back (−1 = ten times smaller per step). NaN when fewer than two steps qualify.
    /// </summary>
    /// <param name="norms">‖δ_k‖ for k = 0..T−1.</param>
    public static double Slope(ReadOnlySpan<double> norms)
    {
        double n = 0, sumX = 0, sumY = 0, sumXX = 0, sumXY = 0;
        for (int k = 0; k < norms.Length; k++)
        {
            if (!(norms[k] > 0 && double.IsFinite(norms[k]))) continue;
            double x = norms.Length - 1 - k, y = Math.Log10(norms[k]);
            n++;
            sumX += x;
            sumY += y;
            sumXX += x * x;
            sumXY += x * y;
        }
        double denominator = n * sumXX - sumX * sumX;
        return n < 2 || denominator == 0 ? double.NaN : (n * sumXY - sumX * sumY) / denominator;
    }

    /// <summary>
    /// An estimate ρ̂ of the spectral radius ρ(W) = max_i |λ_i(W)| of the square matrix <paramref name="matrix"/> [n, n],
    /// by Gelfand's formula ρ(W) = lim_k ‖W^k v‖^{1/k}: power iteration v ← Wv / ‖Wv‖ from a random v, 2000 steps to
    /// settle into the dominant eigenspace, then the geometric mean of ‖Wv‖ over 2000 more. Unlike the ratio of two
    /// successive iterates this converges also when the dominant eigenvalues of a real nonsymmetric W are a complex
    /// pair (the usual case for a random W, whose iterates then rotate instead of settling). The error is of order
    /// log(cond(P))/2000 for the eigenvector basis P of that pair, plus (|λ₂|/|λ₁|)^2000 when the two largest moduli
    /// are close; for a normal W (symmetric, orthogonal times a scalar) it is exact to rounding. Zero for a nilpotent W.
    /// </summary>
    public static double SpectralRadius(ReadOnlySpan<double> matrix, int n, ulong seed = 1)
    {
        CheckSquare(matrix.Length, n);
        var v = new double[n];
        var next = new double[n];
        new SeededRandom(seed).FillNormal<double>(v, 0, 1);
        double logSum = 0;
        for (int i = 0; i < SettleIterations + MeasureIterations; i++)
        {
            MultiplyVector(matrix, n, transpose: false, v, next);
            double norm = TensorPrimitives.Norm<double>(next);
            if (norm == 0) return 0;
            if (i >= SettleIterations) logSum += Math.Log(norm);
            TensorPrimitives.Divide(next, norm, v);
        }
        return Math.Exp(logSum / MeasureIterations);
    }

    /// <summary>
    /// σ_max(W), the largest singular value of <paramref name="matrix"/> [n, n] (its operator 2-norm), by power
    /// iteration on the symmetric WᵀW: σ_max = √λ_max(WᵀW), 4000 steps, converging monotonically. σ_max ≥ ρ(W), with
    /// equality for a normal W; it is σ_max, not ρ, that bounds one step of the error term, ‖δ W‖ ≤ σ_max ‖δ‖.
    /// </summary>
    public static double LargestSingularValue(ReadOnlySpan<double> matrix, int n, ulong seed = 1)
    {
        CheckSquare(matrix.Length, n);
        var v = new double[n];
        var wv = new double[n];
        var next = new double[n];
        new SeededRandom(seed).FillNormal<double>(v, 0, 1);
        TensorPrimitives.Divide(v, TensorPrimitives.Norm<double>(v), v);
        double eigenvalue = 0;
        for (int i = 0; i < SettleIterations + MeasureIterations; i++)
        {
            MultiplyVector(matrix, n, transpose: false, v, wv);
            MultiplyVector(matrix, n, transpose: true, wv, next);
            eigenvalue = TensorPrimitives.Norm<double>(next);     // ‖WᵀW v‖ with ‖v‖ = 1 → λ_max(WᵀW)
            if (eigenvalue == 0) return 0;
            TensorPrimitives.Divide(next, eigenvalue, v);
        }
        return Math.Sqrt(eigenvalue);
    }

    /// <summary>Fills <paramref name="matrix"/> [n, n] with a random orthogonal Q (QQᵀ = I): a Gaussian matrix whose rows
    /// are orthonormalised by modified Gram–Schmidt, run twice so that QQᵀ = I holds to rounding.</summary>
    public static void FillOrthogonal(Span<double> matrix, int n, SeededRandom random)
    {
        CheckSquare(matrix.Length, n);
        ArgumentNullException.ThrowIfNull(random);
        random.FillNormal(matrix, 0, 1);
        for (int pass = 0; pass < 2; pass++)
            for (int i = 0; i < n; i++)
            {
                Span<double> row = matrix.Slice(i * n, n);
                for (int j = 0; j < i; j++)
                {
                    ReadOnlySpan<double> previous = matrix.Slice(j * n, n);
                    double projection = TensorPrimitives.Dot(row, previous);
                    TensorPrimitives.MultiplyAdd(previous, -projection, row, row);
                }
                TensorPrimitives.Divide(row, TensorPrimitives.Norm<double>(row), row);
            }
    }

    /// <summary>
    /// Runs one experiment: builds the float64 network (PyTorch's initialisation from the seed), sets every layer's W as
    /// <see cref="GradientFlowOptions.Orthogonal"/> says, runs it on x ~ N(0, 1) [T, B, I] from h0 = 0, and back-propagates
    /// E = Σ g ⊙ y_{T−1} for a random direction g [B, H] of unit norm (so dY = 0 except at t = T−1 and ‖dY‖ = 1);
    /// then clips the parameter gradients by global norm if asked, and returns ‖δ_k‖ of every layer and step.
    /// </summary>
    public static GradientFlowRun Measure(GradientFlowOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var o = options.Network;
        int sequenceLength = options.SequenceLength, batch = options.BatchSize, h = o.HiddenSize;
        var network = new RecurrentNetwork<double>(o, seed: options.Seed);
        var random = new SeededRandom(options.Seed ^ 0x9E3779B97F4A7C15UL);
        var initial = new double[o.NumLayers];
        var radii = new double[o.NumLayers];
        var singular = new double[o.NumLayers];
        for (int l = 0; l < o.NumLayers; l++)
        {
            Span<double> w = network.Parameters.Value(network.Layers[l].WeightHh);
            initial[l] = SpectralRadius(w, h);
            if (options.Orthogonal) FillOrthogonal(w, h, random);
            else if (initial[l] == 0) throw new InvalidOperationException($"Layer {l}'s W has spectral radius 0 and cannot be rescaled.");
            // ρ(cW) = |c| ρ(W): one multiplication puts every eigenvalue on the requested radius.
            TensorPrimitives.Multiply(w, options.SpectralRadius / (options.Orthogonal ? 1 : initial[l]), w);
            radii[l] = SpectralRadius(w, h);
            singular[l] = LargestSingularValue(w, h);
        }

        var x = new double[sequenceLength * batch * o.InputSize];
        random.FillNormal<double>(x, 0, 1);
        network.Forward(x, sequenceLength, batch, h0: default, y: default, hN: default);
        var dy = new double[sequenceLength * batch * o.OutputSize];
        Span<double> last = dy.AsSpan((sequenceLength - 1) * batch * o.OutputSize);      // the rows of t = T−1
        random.FillNormal(last, 0, 1);
        TensorPrimitives.Divide(last, TensorPrimitives.Norm<double>(last), last);
        network.Parameters.ZeroGradients();
        network.Backward(dy, dhN: default, dx: default, dh0: default);

        double[][] norms = DeltaNorms(network, sequenceLength);
        double gradientNorm = GradientClipping.GlobalNorm<double>(network.Parameters.Gradients);
        double scale = 1;
        if (options.ClipNorm > 0)
        {
            // The same factor ClipByGlobalNorm applies, carried over to the δ's the clipped gradients come from.
            GradientClipping.ClipByGlobalNorm<double>(network.Parameters.Gradients, options.ClipNorm);
            double c = options.ClipNorm / (gradientNorm + GradientClipping.NormEpsilon);
            if (c < 1 && double.IsFinite(gradientNorm)) scale = c;
            foreach (double[] layerNorms in norms) TensorPrimitives.Multiply(layerNorms, scale, layerNorms);
        }
        return new GradientFlowRun(options, norms, initial, radii, singular, gradientNorm, scale);
    }

    /// <summary>destination = W·v (or Wᵀ·v) for W [n, n].</summary>
    private static void MultiplyVector(ReadOnlySpan<double> matrix, int n, bool transpose, ReadOnlySpan<double> v, Span<double> destination)
    {
        if (!transpose)
        {
            for (int i = 0; i < n; i++) destination[i] = TensorPrimitives.Dot(matrix.Slice(i * n, n), v);
            return;
        }
        destination.Clear();
        for (int i = 0; i < n; i++) TensorPrimitives.MultiplyAdd(matrix.Slice(i * n, n), v[i], destination, destination);
    }

    private static void CheckSquare(int length, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        if (length != n * n) throw new ArgumentException($"The matrix has {length} elements; expected [n={n}, n={n}].", "matrix");
    }
}
