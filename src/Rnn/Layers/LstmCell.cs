// One time step of PyTorch's nn.LSTM cell over a batch, forward and backward side by side.
// B = batch, H = hidden units; gate blocks in PyTorch's order i, f, g, o, each H wide: a row of P_t is [a_i a_f a_g a_o].
//   forward:  a = P_t + h_{t-1}·W_hhᵀ          P_t = W_ih x_t + b_ih + b_hh, computed for all t at once
//             i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o)
//             c_t = f ⊙ c_{t-1} + i ⊙ g,   h_t = o ⊙ tanh(c_t)
//   backward: dh = dy_t + Δ_{t+1}·W_hh,   dc = dc_carry + dh ⊙ o ⊙ (1 − tanh²(c_t))
//             δo = dh ⊙ tanh(c_t) ⊙ o(1−o),  δi = dc ⊙ g ⊙ i(1−i),  δf = dc ⊙ c_{t-1} ⊙ f(1−f),  δg = dc ⊙ i ⊙ (1−g²)
//             dc_{t-1} = f ⊙ dc
using System.Numerics;
using System.Numerics.Tensors;
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
    public static void Forward(in CellStep<T> step, in CellForwardBuffers<T> buffers)
    {
        int h = step.HiddenSize, ldGates = step.LdGates;
        // a = P_t + h_{t-1}·W_hhᵀ
        if (!step.PreviousHidden.IsEmpty)
            Gemm.Multiply(step.Batch, T.One, step.PreviousHidden, step.LdPrevious, buffers.WeightHhTransposed, T.One, step.Gates, ldGates);
        for (int b = 0; b < step.Batch; b++)
        {
            Span<T> a = step.Gates.Slice(b * ldGates, 4 * h);
            Span<T> i = a[..h], f = a[h..(2 * h)], g = a[(2 * h)..(3 * h)], o = a[(3 * h)..];
            Activation.Forward(Nonlinearity.Sigmoid, a[..(2 * h)], a[..(2 * h)]);   // i, f
            Activation.Forward(Nonlinearity.Tanh, g, g);
            Activation.Forward(Nonlinearity.Sigmoid, o, o);
            Span<T> c = buffers.Cell.Slice(b * h, h), tanhC = step.TanhCell.Slice(b * h, h);
            // c_t = f ⊙ c_{t-1} + i ⊙ g
            if (step.PreviousCell.IsEmpty) TensorPrimitives.Multiply(i, g, c);
            else
            {
                TensorPrimitives.Multiply(f, step.PreviousCell.Slice(b * h, h), c);
                TensorPrimitives.MultiplyAdd(i, g, c, c);
            }
            // h_t = o ⊙ tanh(c_t)
            Activation.Forward(Nonlinearity.Tanh, c, tanhC);
            TensorPrimitives.Multiply(o, tanhC, buffers.Hidden.Slice(b * buffers.LdHidden, h));
        }
    }

    /// <summary>From dh_t (entry of <see cref="CellBackwardBuffers{T}.HiddenGradient"/>) and the carried dc, writes Δ_t = [δi δf δg δo] and f ⊙ dc.</summary>
    public static void Backward(in CellStep<T> step, in CellBackwardBuffers<T> buffers)
    {
        int h = step.HiddenSize, ldGates = step.LdGates;
        Span<T> dhAll = buffers.HiddenGradient;
        // dh_t += Δ_{t+1}·W_hh: h_t entered the next step through W_hh
        if (!buffers.NextHiddenDelta.IsEmpty)
            Gemm.Multiply(step.Batch, T.One, buffers.NextHiddenDelta, 4 * h, buffers.WeightHh, T.One, dhAll, h);
        for (int b = 0; b < step.Batch; b++)
        {
            ReadOnlySpan<T> a = step.Gates.Slice(b * ldGates, 4 * h);
            ReadOnlySpan<T> tanhC = step.TanhCell.Slice(b * h, h), dh = dhAll.Slice(b * h, h);
            ReadOnlySpan<T> previousC = step.PreviousCell.IsEmpty ? default : step.PreviousCell.Slice(b * h, h);
            Span<T> delta = buffers.Delta.Slice(b * 4 * h, 4 * h), dc = buffers.CellCarry.Slice(b * h, h);
            for (int j = 0; j < h; j++)
            {
                T i = a[j], f = a[h + j], g = a[2 * h + j], o = a[3 * h + j], tc = tanhC[j];
                T cPrevious = previousC.IsEmpty ? T.Zero : previousC[j];
                T dcj = dc[j] + dh[j] * o * (T.One - tc * tc);          // dc_t += dh ⊙ o ⊙ tanh'(c_t)
                delta[j] = dcj * g * i * (T.One - i);                   // δi
                delta[h + j] = dcj * cPrevious * f * (T.One - f);       // δf
                delta[2 * h + j] = dcj * i * (T.One - g * g);           // δg
                delta[3 * h + j] = dh[j] * tc * o * (T.One - o);        // δo
                dc[j] = dcj * f;                                        // dc_{t-1} = f ⊙ dc_t
            }
        }
    }
}
