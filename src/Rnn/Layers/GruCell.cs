// One time step of PyTorch's nn.GRU cell over a batch, forward and backward side by side.
// B = batch, H = hidden units; gate blocks in PyTorch's order r, z, n. The hidden part is kept apart from the input part,
// because the reset gate scales it, bias included:
//   forward:  u = P_t = W_ih x_t + b_ih (all t at once),   v = Z_t = h_{t-1}·W_hhᵀ + b_hh (this step)
//             r = σ(u_r + v_r), z = σ(u_z + v_z), n = tanh(u_n + r ⊙ v_n),   h_t = n + z ⊙ (h_{t-1} − n)
//   backward: dh = dy_t + Δ^h_{t+1}·W_hh + z_{t+1} ⊙ dh_{t+1}
//             δn = dh ⊙ (1−z) ⊙ (1−n²),  δz = dh ⊙ (h_{t-1} − n) ⊙ z(1−z),  δr = δn ⊙ v_n ⊙ r(1−r)
//             input path Δ = [δr δz δn],  hidden path Δ^h = [δr δz r⊙δn],  direct path z ⊙ dh
using System.Numerics;
using Rnn.Kernels;

namespace Rnn.Layers;

/// <summary>One time step of the GRU cell, <c>nn.GRU</c>'s equations and gate order.</summary>
internal readonly struct GruCell<T> : IRecurrentCell<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Gates => 3;

    public static bool GatesAreState => false;

    public static bool HasCellState => false;

    public static bool SeparatesHiddenPart => true;

    /// <summary>On entry the gate rows hold P_t; on exit r, z, n, with v_n and h_t written.</summary>
    public static unsafe void Forward(in CellStep<T> step, in CellForwardBuffers<T> buffers)
    {
        int h = step.HiddenSize, gh = 3 * h;
        fixed (T* gates = step.Gates, biasHh = buffers.BiasHh, previous = step.PreviousHidden, hiddenPart = step.HiddenPart, hidden = buffers.Hidden)
        fixed (T* product = buffers.Product)
        {
            bool hasProduct = !step.PreviousHidden.IsEmpty;
            var epilogue = new GruForwardEpilogue<T>(gates, step.LdGates, biasHh, previous, step.LdPrevious, hiddenPart, hidden, buffers.LdHidden, h,
                hasProduct);
            // Z_t = h_{t-1}·W_hhᵀ (+ b_hh in the epilogue), the product in GateColumns order, then the update by each thread over its units
            if (hasProduct)
                Gemm.Multiply(step.Batch, T.One, step.PreviousHidden, step.LdPrevious, buffers.WeightHhTransposed, T.Zero, buffers.Product, gh,
                    epilogue, ComputeThreads.Max);
            else epilogue.Apply(product, gh, 0, step.Batch, 0, gh);
        }
    }

    /// <summary>From dh_t and the carried direct path, writes Δ_t, Δ^h_t and the new carry z ⊙ dh_t.</summary>
    public static unsafe void Backward(in CellStep<T> step, in CellBackwardBuffers<T> buffers)
    {
        int h = step.HiddenSize;
        fixed (T* gates = step.Gates, hiddenPart = step.HiddenPart, previous = step.PreviousHidden, delta = buffers.Delta, hiddenDelta = buffers.HiddenDelta)
        fixed (T* carry = buffers.HiddenCarry, dh = buffers.HiddenGradient)
        {
            var epilogue = new GruBackwardEpilogue<T>(gates, step.LdGates, hiddenPart, previous, step.LdPrevious, delta, hiddenDelta, carry, h);
            // dh_t += Δ^h_{t+1}·W_hh (h_t entered the next step's Z through W_hh), then Δ_t, Δ^h_t by each thread over its units
            if (!buffers.NextHiddenDelta.IsEmpty)
                Gemm.Multiply(step.Batch, T.One, buffers.NextHiddenDelta, 3 * h, buffers.WeightHh, T.One, buffers.HiddenGradient, h,
                    epilogue, ComputeThreads.Max);
            else epilogue.Apply(dh, h, 0, step.Batch, 0, h);
        }
    }
}
