// The step of the tutorial's simple recurrent cell over a batch, forward and backward side by side.
// B = batch, H = hidden units. Rows are strided (ld*) so states can live in a wider [T·B, D·H] buffer.
//   forward:  s_t = f(P_t + s_{t-1}·Wᵀ)            P_t = U x_t + b_ih + b_hh, computed for all t at once
//   backward: δ_t = (dS_t + δ_{t+1}·W) ⊙ f'(s_t)    δ_t = ∂E/∂net_t, net_t = P_t + s_{t-1}·Wᵀ
// The sequence loop, directions and stacking live in RecurrentLayer and RecurrentNetwork, so a gated
// cell can replace this one without touching them.
using System.Numerics;
using Rnn.Kernels;

namespace Rnn.Layers;

/// <summary>One time step of the simple (Elman) cell <c>s_t = f(U x_t + W s_{t-1} + b)</c>.</summary>
internal sealed class SimpleCell<T>(Nonlinearity nonlinearity, int hiddenSize) where T : unmanaged, IFloatingPointIeee754<T>
{
    public Nonlinearity Nonlinearity { get; } = nonlinearity;

    /// <summary>
    /// On entry <paramref name="state"/> [B, lds] holds P_t; on exit s_t = f(P_t + previous·Wᵀ).
    /// An empty <paramref name="previous"/> means s_{t-1} = 0.
    /// </summary>
    /// <param name="weightHhTransposed">Wᵀ [H, H], packed once per pass for the product.</param>
    /// <param name="previous">s_{t-1} [B, ldPrevious], or empty.</param>
    public void StepForward(PackedMatrix<T> weightHhTransposed, ReadOnlySpan<T> previous, int ldPrevious, Span<T> state, int lds, int batch)
    {
        int h = hiddenSize;
        if (!previous.IsEmpty)
        {
            // f is applied inside the product, by each thread to the part of s_t it computed
            Gemm.MultiplyAndActivate(batch, previous, ldPrevious, weightHhTransposed, state, lds, Nonlinearity);
            return;
        }
        if (lds == h)
        {
            Activation.Forward(Nonlinearity, state[..(batch * h)], state[..(batch * h)]);
            return;
        }
        for (int b = 0; b < batch; b++)
        {
            Span<T> row = state.Slice(b * lds, h);
            Activation.Forward(Nonlinearity, row, row);
        }
    }

    /// <summary>
    /// On entry <paramref name="delta"/> [B, H] holds dS_t, the loss gradient reaching s_t from outside the recurrence;
    /// on exit δ_t = (dS_t + δ_{t+1}·W) ⊙ f'(s_t). An empty <paramref name="nextDelta"/> means δ_{t+1} = 0.
    /// </summary>
    /// <param name="weightHh">W [H, H], packed once per pass for the product.</param>
    /// <param name="nextDelta">δ_{t+1} [B, H] (the step processed after this one in the forward pass), or empty.</param>
    /// <param name="state">s_t [B, lds], the saved forward output.</param>
    public void StepBackward(PackedMatrix<T> weightHh, ReadOnlySpan<T> nextDelta, Span<T> delta, ReadOnlySpan<T> state, int lds, int batch)
    {
        int h = hiddenSize;
        // ∂net_{t+1}/∂s_t = W, so dS_t += δ_{t+1}·W, then ⊙ f'(s_t) inside the product as in StepForward
        if (!nextDelta.IsEmpty)
        {
            Gemm.MultiplyAndScaleByDerivative(batch, nextDelta, h, weightHh, delta, h, Nonlinearity, state, lds);
            return;
        }
        if (lds == h)
        {
            Activation.Backward(Nonlinearity, state[..(batch * h)], delta[..(batch * h)], delta[..(batch * h)]);
            return;
        }
        for (int b = 0; b < batch; b++)
        {
            Span<T> row = delta.Slice(b * h, h);
            Activation.Backward(Nonlinearity, state.Slice(b * lds, h), row, row);
        }
    }
}
