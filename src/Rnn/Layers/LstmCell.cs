// One time step of PyTorch's nn.LSTM cell over a batch, forward and backward side by side.
// B = batch, H = hidden units; gate blocks in PyTorch's order i, f, g, o, each H wide: a row of P_t is [a_i a_f a_g a_o].
//   forward:  a = P_t + h_{t-1}·W_hhᵀ          P_t = W_ih x_t + b_ih + b_hh, computed for all t at once
//             i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o)
//             c_t = f ⊙ c_{t-1} + i ⊙ g,   h_t = o ⊙ tanh(c_t)
//   backward: dh = dy_t + Δ_{t+1}·W_hh,   dc = dc_carry + dh ⊙ o ⊙ (1 − tanh²(c_t))
//             δo = dh ⊙ tanh(c_t) ⊙ o(1−o),  δi = dc ⊙ g ⊙ i(1−i),  δf = dc ⊙ c_{t-1} ⊙ f(1−f),  δg = dc ⊙ i ⊙ (1−g²)
//             dc_{t-1} = f ⊙ dc
using System.Numerics;
using Rnn.Kernels;

namespace Rnn.Layers;

/// <summary>One time step of the LSTM cell, <c>nn.LSTM</c>'s equations and gate order.</summary>
internal readonly struct LstmCell<T> : IRecurrentCell<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Gates => 4;

    public static bool GatesAreState => false;

    public static bool HasCellState => true;

    public static bool SeparatesHiddenPart => false;

    /// <summary>On entry the gate rows hold P_t; on exit the activations i, f, g, o, with c_t, tanh(c_t) and h_t written.</summary>
    public static unsafe void Forward(in CellStep<T> step, in CellForwardBuffers<T> buffers)
    {
        int h = step.HiddenSize, gh = 4 * h;
        fixed (T* gates = step.Gates, previousCell = step.PreviousCell, cell = buffers.Cell, tanhCell = step.TanhCell, hidden = buffers.Hidden)
        fixed (T* product = buffers.Product)
        {
            bool hasProduct = !step.PreviousHidden.IsEmpty;
            var epilogue = new LstmForwardEpilogue<T>(gates, step.LdGates, previousCell, cell, tanhCell, hidden, buffers.LdHidden, h, hasProduct);
            // a = P_t + h_{t-1}·W_hhᵀ, the product in GateColumns order, then the update by each thread over its units
            if (hasProduct)
                Gemm.Multiply(step.Batch, T.One, step.PreviousHidden, step.LdPrevious, buffers.WeightHhTransposed, T.Zero, buffers.Product, gh,
                    epilogue, ComputeThreads.Max);
            else epilogue.Apply(product, gh, 0, step.Batch, 0, gh);
        }
    }

    /// <summary>From dh_t (entry of <see cref="CellBackwardBuffers{T}.HiddenGradient"/>) and the carried dc, writes Δ_t = [δi δf δg δo] and f ⊙ dc.</summary>
    public static unsafe void Backward(in CellStep<T> step, in CellBackwardBuffers<T> buffers)
    {
        int h = step.HiddenSize;
        fixed (T* gates = step.Gates, previousCell = step.PreviousCell, tanhCell = step.TanhCell, delta = buffers.Delta, cellCarry = buffers.CellCarry)
        fixed (T* dh = buffers.HiddenGradient)
        {
            var epilogue = new LstmBackwardEpilogue<T>(gates, step.LdGates, previousCell, tanhCell, delta, cellCarry, h);
            // dh_t += Δ_{t+1}·W_hh (h_t entered the next step through W_hh), then Δ_t by each thread over its units
            if (!buffers.NextHiddenDelta.IsEmpty)
                Gemm.Multiply(step.Batch, T.One, buffers.NextHiddenDelta, 4 * h, buffers.WeightHh, T.One, buffers.HiddenGradient, h,
                    epilogue, ComputeThreads.Max);
            else epilogue.Apply(dh, h, 0, step.Batch, 0, h);
        }
    }
}
