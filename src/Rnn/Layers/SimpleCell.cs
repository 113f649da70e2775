// The step of the tutorial's simple recurrent cell over a batch, forward and backward side by side.
// B = batch, H = hidden units. Rows are strided (ld*) so states can live in a wider [T·B, D·H] buffer.
//   forward:  s_t = f(P_t + s_{t-1}·Wᵀ)            P_t = U x_t + b_ih + b_hh, computed for all t at once
//   backward: δ_t = (dS_t + δ_{t+1}·W) ⊙ f'(s_t)    δ_t = ∂E/∂net_t, net_t = P_t + s_{t-1}·Wᵀ
// G = 1: the one gate block is the state, so P_t lives in the output rows and f is fused into the product.
using System.Numerics;
using Rnn.Kernels;

namespace Rnn.Layers;

/// <summary>One time step of the simple (Elman) cell <c>s_t = f(U x_t + W s_{t-1} + b)</c>.</summary>
internal readonly struct SimpleCell<T> : IRecurrentCell<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Gates => 1;

    public static bool GatesAreState => true;

    public static bool HasCellState => false;

    public static bool SeparatesHiddenPart => false;

    /// <summary>On entry the gate rows [B, lds] hold P_t; on exit s_t = f(P_t + previous·Wᵀ).</summary>
    public static void Forward(in CellStep<T> step, in CellForwardBuffers<T> buffers)
    {
        int h = step.HiddenSize, batch = step.Batch, lds = step.LdGates;
        Span<T> state = step.Gates;
        if (!step.PreviousHidden.IsEmpty)
        {
            // f is applied inside the product, by each thread to the part of s_t it computed
            Gemm.MultiplyAndActivate(batch, step.PreviousHidden, step.LdPrevious, buffers.WeightHhTransposed, state, lds, step.Nonlinearity);
            return;
        }
        if (lds == h)
        {
            Activation.Forward(step.Nonlinearity, state[..(batch * h)], state[..(batch * h)]);
            return;
        }
        for (int b = 0; b < batch; b++)
        {
            Span<T> row = state.Slice(b * lds, h);
            Activation.Forward(step.Nonlinearity, row, row);
        }
    }

    /// <summary>On entry Δ_t [B, H] holds dS_t; on exit δ_t = (dS_t + δ_{t+1}·W) ⊙ f'(s_t).</summary>
    public static void Backward(in CellStep<T> step, in CellBackwardBuffers<T> buffers)
    {
        int h = step.HiddenSize, batch = step.Batch, lds = step.LdGates;
        Span<T> delta = buffers.Delta;
        ReadOnlySpan<T> state = step.Gates;
        // ∂net_{t+1}/∂s_t = W, so dS_t += δ_{t+1}·W, then ⊙ f'(s_t) inside the product as in Forward
        if (!buffers.NextHiddenDelta.IsEmpty)
        {
            Gemm.MultiplyAndScaleByDerivative(batch, buffers.NextHiddenDelta, h, buffers.WeightHh, delta, h, step.Nonlinearity, state, lds);
            return;
        }
        if (lds == h)
        {
            Activation.Backward(step.Nonlinearity, state[..(batch * h)], delta[..(batch * h)], delta[..(batch * h)]);
            return;
        }
        for (int b = 0; b < batch; b++)
        {
            Span<T> row = delta.Slice(b * h, h);
            Activation.Backward(step.Nonlinearity, state.Slice(b * lds, h), row, row);
        }
    }
}
