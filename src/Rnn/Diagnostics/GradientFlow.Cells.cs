// Gradient flow compared across cells. δ_k is a different thing in each cell (the simple cell's one pre-activation, the
// LSTM's four gates, the GRU's three), so cells are compared on ‖∂E/∂h_k‖, the gradient reaching the hidden state they
// all have: for the LSTM through both the h and the c path, for the GRU through W_hh and the direct path z ⊙ dh.
// The setting is Measure's: loss at the last step only, ‖dY‖ = 1, float64; but W_hh is left as given (PyTorch's
// initialisation, or trained weights), since rescaling a [G·H, H] W_hh to a spectral radius has no meaning.
// T = steps, B = batch, I = input features, H = hidden units.
using System.Numerics;
using System.Numerics.Tensors;
using Rnn.Layers;
using Rnn.Optim;
using Rnn.Tensors;

namespace Rnn.Diagnostics;

/// <summary>What <see cref="GradientFlow.MeasureHidden"/> measured on one network.</summary>
/// <param name="Cell">The network's cell.</param>
/// <param name="Norms">‖∂E/∂h_k‖ of the top layer for k = 0..T−1, the L2 norm over batch and hidden units.</param>
public sealed record HiddenGradientFlowRun(CellKind Cell, double[] Norms)
{
    /// <summary>The least-squares slope of log10 ‖∂E/∂h_k‖ against t − k (see <see cref="GradientFlow.Slope"/>).</summary>
    public double Slope => GradientFlow.Slope(Norms);
}

public static partial class GradientFlow
{
    /// <summary>
    /// ‖∂E/∂h_k‖ for every step k of the last backward pass of <paramref name="layer"/>, from
    /// <see cref="RecurrentLayer{T}.HiddenGradients"/>: the L2 norm of the [B, H] block of step k, summed in double.
    /// </summary>
    /// <param name="layer">A layer after its backward pass.</param>
    /// <param name="dy">The gradient that pass received at the layer's outputs [T·B, lddy].</param>
    /// <param name="lddy">Row stride of <paramref name="dy"/>.</param>
    /// <param name="sequenceLength">T of that pass.</param>
    /// <param name="gradients">Workspace [T·B, H], left holding ∂E/∂h_k.</param>
    /// <returns>[T].</returns>
    public static double[] HiddenGradientNorms<T>(RecurrentLayer<T> layer, ReadOnlySpan<T> dy, int lddy, int sequenceLength, Span<T> gradients)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequenceLength);
        layer.HiddenGradients(dy, lddy, dhN: default, gradients);
        int block = gradients.Length / sequenceLength;    // B·H values per step
        var norms = new double[sequenceLength];
        for (int k = 0; k < sequenceLength; k++) norms[k] = GradientClipping.GlobalNorm<T>(gradients.Slice(k * block, block));
        return norms;
    }

    /// <summary>
    /// Runs <paramref name="network"/> (unidirectional, weights as they are) on x ~ N(0, 1) [T, B, I] from zero states, back-
    /// propagates E = Σ g ⊙ y_{T−1} for a random direction g [B, H] of unit norm, and returns ‖∂E/∂h_k‖ of its top layer.
    /// </summary>
    /// <param name="network">The network; its gradients are overwritten.</param>
    /// <param name="sequenceLength">T, at least 2.</param>
    /// <param name="batchSize">B.</param>
    /// <param name="seed">Seed of the inputs and the loss direction.</param>
    public static HiddenGradientFlowRun MeasureHidden(RecurrentNetwork<double> network, int sequenceLength, int batchSize, ulong seed = 1)
    {
        ArgumentNullException.ThrowIfNull(network);
        var o = network.Options;
        if (o.Bidirectional)
            throw new ArgumentException("Gradient flow is measured on a unidirectional network: a reverse direction starts at the loss and carries it nowhere.", nameof(network));
        if (o.BatchFirst) throw new ArgumentException("The network must be time-major (BatchFirst = false).", nameof(network));
        if (sequenceLength < 2) throw new ArgumentOutOfRangeException(nameof(sequenceLength), sequenceLength, "The sequence length must be at least 2.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var random = new SeededRandom(seed ^ 0x9E3779B97F4A7C15UL);
        var x = new double[sequenceLength * batchSize * o.InputSize];
        random.FillNormal<double>(x, 0, 1);
        network.Forward(x, sequenceLength, batchSize, h0: default, y: default, hN: default);
        // A unidirectional network's output is its top layer's states, so dY is also that layer's dS.
        var dy = new double[sequenceLength * batchSize * o.HiddenSize];
        Span<double> last = dy.AsSpan((sequenceLength - 1) * batchSize * o.HiddenSize);
        random.FillNormal(last, 0, 1);
        TensorPrimitives.Divide(last, TensorPrimitives.Norm<double>(last), last);
        network.Parameters.ZeroGradients();
        network.Backward(dy, dhN: default, dx: default, dh0: default);
        var gradients = new double[dy.Length];
        return new HiddenGradientFlowRun(o.Cell, HiddenGradientNorms(network.Layers[^1], dy, o.HiddenSize, sequenceLength, gradients));
    }
}
