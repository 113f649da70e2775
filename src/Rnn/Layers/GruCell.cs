// One time step of PyTorch's nn.GRU cell over a batch, forward and backward side by side.
// B = batch, H = hidden units; gate blocks in PyTorch's order r, z, n. The hidden part is kept apart from the input part,
// because the reset gate scales it, bias included:
//   forward:  u = P_t = W_ih x_t + b_ih (all t at once),   v = Z_t = h_{t-1}·W_hhᵀ + b_hh (this step)
//             r = σ(u_r + v_r), z = σ(u_z + v_z), n = tanh(u_n + r ⊙ v_n),   h_t = n + z ⊙ (h_{t-1} − n)
//   backward: dh = dy_t + Δ^h_{t+1}·W_hh + z_{t+1} ⊙ dh_{t+1}
//             δn = dh ⊙ (1−z) ⊙ (1−n²),  δz = dh ⊙ (h_{t-1} − n) ⊙ z(1−z),  δr = δn ⊙ v_n ⊙ r(1−r)
//             input path Δ = [δr δz δn],  hidden path Δ^h = [δr δz r⊙δn],  direct path z ⊙ dh
using System.Numerics;
using System.Numerics.Tensors;
using Rnn.Kernels;

namespace Rnn.Layers;

/// <summary>One time step of the GRU cell, <c>nn.GRU</c>'s equations and gate order.</summary>
internal readonly struct GruCell<T> : IRecurrentCell<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Gates => 3;

    public static bool GatesAreState => false;

    public static bool HasCellState => false;

    public static bool SeparatesHiddenPart => true;

    /// <summary>On entry the gate rows hold P_t; on exit r, z, n, with Z_t and h_t written.</summary>
    public static void Forward(in CellStep<T> step, in CellForwardBuffers<T> buffers)
    {
        int h = step.HiddenSize, gh = 3 * h, ldGates = step.LdGates;
        Span<T> hiddenPart = step.HiddenPart;
        // Z_t = h_{t-1}·W_hhᵀ + b_hh
        bool hasBias = !buffers.BiasHh.IsEmpty;
        for (int b = 0; b < step.Batch; b++)
        {
            if (hasBias) buffers.BiasHh.CopyTo(hiddenPart.Slice(b * gh, gh));
            else hiddenPart.Slice(b * gh, gh).Clear();
        }
        if (!step.PreviousHidden.IsEmpty)
            Gemm.Multiply(step.Batch, T.One, step.PreviousHidden, step.LdPrevious, buffers.WeightHhTransposed, T.One, hiddenPart, gh);
        for (int b = 0; b < step.Batch; b++)
        {
            Span<T> a = step.Gates.Slice(b * ldGates, gh);
            ReadOnlySpan<T> v = hiddenPart.Slice(b * gh, gh);
            Span<T> rz = a[..(2 * h)], r = a[..h], z = a[h..(2 * h)], n = a[(2 * h)..];
            // r, z = σ(u + v)
            TensorPrimitives.Add(rz, v[..(2 * h)], rz);
            Activation.Forward(Nonlinearity.Sigmoid, rz, rz);
            // n = tanh(u_n + r ⊙ v_n)
            TensorPrimitives.MultiplyAdd(r, v[(2 * h)..], n, n);
            Activation.Forward(Nonlinearity.Tanh, n, n);
            // h_t = n + z ⊙ (h_{t-1} − n)
            Span<T> hidden = buffers.Hidden.Slice(b * buffers.LdHidden, h);
            if (step.PreviousHidden.IsEmpty) TensorPrimitives.Negate(n, hidden);
            else TensorPrimitives.Subtract(step.PreviousHidden.Slice(b * step.LdPrevious, h), n, hidden);
            TensorPrimitives.MultiplyAdd(z, hidden, n, hidden);
        }
    }

    /// <summary>From dh_t and the carried direct path, writes Δ_t, Δ^h_t and the new carry z ⊙ dh_t.</summary>
    public static void Backward(in CellStep<T> step, in CellBackwardBuffers<T> buffers)
    {
        int h = step.HiddenSize, gh = 3 * h, ldGates = step.LdGates;
        Span<T> dhAll = buffers.HiddenGradient;
        // dh_t += Δ^h_{t+1}·W_hh: h_t entered the next step's Z through W_hh
        if (!buffers.NextHiddenDelta.IsEmpty)
            Gemm.Multiply(step.Batch, T.One, buffers.NextHiddenDelta, gh, buffers.WeightHh, T.One, dhAll, h);
        for (int b = 0; b < step.Batch; b++)
        {
            ReadOnlySpan<T> a = step.Gates.Slice(b * ldGates, gh), v = step.HiddenPart.Slice(b * gh, gh), dh = dhAll.Slice(b * h, h);
            ReadOnlySpan<T> previous = step.PreviousHidden.IsEmpty ? default : step.PreviousHidden.Slice(b * step.LdPrevious, h);
            Span<T> delta = buffers.Delta.Slice(b * gh, gh), hiddenDelta = buffers.HiddenDelta.Slice(b * gh, gh), carry = buffers.HiddenCarry.Slice(b * h, h);
            for (int j = 0; j < h; j++)
            {
                T r = a[j], z = a[h + j], n = a[2 * h + j], hPrevious = previous.IsEmpty ? T.Zero : previous[j];
                T dhj = dh[j] + carry[j];                               // + z_{t+1} ⊙ dh_{t+1}, the direct path
                T deltaN = dhj * (T.One - z) * (T.One - n * n);         // δn
                T deltaZ = dhj * (hPrevious - n) * z * (T.One - z);     // δz
                T deltaR = deltaN * v[2 * h + j] * r * (T.One - r);     // δr
                delta[j] = deltaR; delta[h + j] = deltaZ; delta[2 * h + j] = deltaN;
                hiddenDelta[j] = deltaR; hiddenDelta[h + j] = deltaZ; hiddenDelta[2 * h + j] = r * deltaN;
                carry[j] = dhj * z;                                     // h_{t-1} reaches h_t directly, scaled by z
            }
        }
    }
}
