// ∂E/∂h_t for every step of the last backward pass, rebuilt from what that pass saved. Δ_t (LastDeltas) is the gradient
// of a cell's own gate pre-activations, a different quantity for each cell; dh_t is the one every cell shares, so it is
// what compares them. T = time steps, B = batch, H = hidden units, G = gate blocks.
//   dh_t = dy_t (+ dh_N at the last step processed) + Δ^h_next·W_hh (+ GRU: z_next ⊙ dh_next)
// where "next" is the step after t in processing order. The LSTM's c path is inside Δ_next: its gates i, f, g carry dc,
// so h_t reaches the loss through both h and c. The GRU's direct path h_t → h_next is the z term.
using System.Numerics;
using System.Numerics.Tensors;
using Rnn.Kernels;

namespace Rnn.Layers;

public sealed partial class RecurrentLayer<T>
{
    /// <summary>
    /// Writes dh_t = ∂E/∂h_t [T·B, H] (time-major, whatever the direction) for the last <see cref="Backward"/>, given the
    /// same <paramref name="dy"/> and <paramref name="dhN"/> it was given. Reads the saved error terms and W_hh, so call it
    /// before the parameters change. Allocates nothing.
    /// </summary>
    /// <param name="dy">dS [T·B, lddy]: the loss gradient with respect to each output h_t, first H columns.</param>
    /// <param name="lddy">Row stride of dS.</param>
    /// <param name="dhN">The loss gradient with respect to the final state [B, H], or empty for zero.</param>
    /// <param name="destination">dh [T·B, H], overwritten.</param>
    public void HiddenGradients(ReadOnlySpan<T> dy, int lddy, ReadOnlySpan<T> dhN, Span<T> destination)
    {
        int h = HiddenSize, gh = Gates * h, batch = _batch, stateRows = batch * h, rows = _sequenceLength * batch;
        Gemm.CheckMatrix("dy", rows, h, dy.Length, lddy);
        CheckState(dhN.Length, batch, nameof(dhN));
        if (destination.Length != rows * h)
            throw new ArgumentException($"destination has {destination.Length} elements; expected [T·B={rows}, H={h}].", nameof(destination));
        bool gru = Cell == CellKind.Gru;
        T[] saved = gru ? _hiddenDeltas : _deltas;
        if (saved.Length < rows * gh) throw new InvalidOperationException("HiddenGradients needs a backward pass first.");
        ReadOnlySpan<T> hiddenDelta = saved.AsSpan(0, rows * gh);     // Δ^h [T·B, G·H]
        ReadOnlySpan<T> weightHh = _parameters.Value(_weightHh);       // W_hh [G·H, H]
        for (int step = _sequenceLength - 1; step >= 0; step--)
        {
            int t = TimeAt(step);
            Span<T> dh = destination.Slice(t * stateRows, stateRows);
            for (int b = 0; b < batch; b++) dy.Slice((t * batch + b) * lddy, h).CopyTo(dh.Slice(b * h, h));
            if (step == _sequenceLength - 1)
            {
                if (!dhN.IsEmpty) TensorPrimitives.Add(dh, dhN, dh);
                continue;
            }
            int next = TimeAt(step + 1);
            // h_t entered the next step through W_hh
            Gemm.Multiply(false, false, batch, h, gh, T.One, hiddenDelta.Slice(next * batch * gh, batch * gh), gh, weightHh, h, T.One, dh, h);
            if (!gru) continue;
            // h_next = n + z ⊙ (h_t − n): the direct path, z_next from the saved gates [B, 3H] (r, z, n)
            ReadOnlySpan<T> dhNext = destination.Slice(next * stateRows, stateRows);
            for (int b = 0; b < batch; b++)
                TensorPrimitives.MultiplyAdd(_gates.AsSpan((next * batch + b) * gh + h, h), dhNext.Slice(b * h, h), dh.Slice(b * h, h), dh.Slice(b * h, h));
        }
    }
}
