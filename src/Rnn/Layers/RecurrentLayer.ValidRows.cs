// The whole-sequence products of RecurrentLayer over the valid rows alone, when a pass has lengths. T = time steps,
// B = batch, I = input features, H = hidden units, G = gate blocks, B_t = the rows running at time t (a prefix, see
// RecurrentLayer.Lengths.cs), N = Σ_t B_t. The valid rows are gathered in time order into compact [N, ·] buffers, step t's
// at rows off_t .. off_t+B_t−1 with off_t = Σ_{t'<t} B_t', and each product is one GEMM over N rows instead of T·B:
//   forward:   P = X·W_ihᵀ computed compactly into the first N rows of P itself, then moved out to the time-major rows
//   backward:  ∇W_ih += Δ_cᵀ·X_c,  ∇W_hh += Δ^h_cᵀ·S_prev,c (with h0, or zero, in the rows that start a sequence),
//              ∇b over the N rows,  dX += Δ_c·W_ih scattered back onto the valid rows of dX
// Padded rows are zero in Δ and in S, so leaving them out changes the sums only by round-off. Without lengths none of
// this runs and the products are the plain single calls over all T·B rows.
using System.Numerics;
using System.Numerics.Tensors;
using Rnn.Kernels;
using Rnn.Tensors;

namespace Rnn.Layers;

public sealed partial class RecurrentLayer<T>
{
    private int[] _rowOffsets = [];       // off_t, where time t's rows start in the compact buffers [T]
    private int _validRows;               // N = Σ_t B_t
    private T[] _compactRows = [];        // scratch [N, max(I, H)]: X's valid rows, then the previous states, then dX's
    private T[] _compactDeltas = [];      // Δ of the valid rows [N, G·H], gathered by backward, read by BackwardInput
    private T[] _compactHiddenDeltas = [];   // Δ^h of the valid rows [N, G·H] (GRU)

    /// <summary>off_t and N from the B_t of a pass with lengths.</summary>
    private void SetRowOffsets(int sequenceLength)
    {
        Workspace.EnsureLength(ref _rowOffsets, sequenceLength);
        int offset = 0;
        for (int t = 0; t < sequenceLength; t++)
        {
            _rowOffsets[t] = offset;
            offset += _activeRows[t];
        }
        _validRows = offset;
    }

    /// <summary>
    /// P = X·W_ihᵀ on the valid rows only, left in the time-major rows of <paramref name="gates"/> [T·B, ldGates]: one GEMM
    /// into the first N rows, then each step's block moved out to its own rows, last step first, so that no row is
    /// overwritten before it has moved. Padded rows of P are left as they were.
    /// </summary>
    private void ForwardInputProductValidRows(Span<T> gates, int ldGates, int gh)
    {
        int n = _validRows, inputSize = InputSize, batch = _batch;
        Workspace.EnsureLength(ref _compactRows, n * Math.Max(inputSize, HiddenSize));
        Span<T> compactInput = _compactRows.AsSpan(0, n * inputSize);
        GatherValidRows(_input.Span, _ldInput, inputSize, compactInput);
        Gemm.Multiply(false, true, n, gh, inputSize, T.One, compactInput, inputSize, _parameters.Value(_weightIh), inputSize,
            T.Zero, gates, ldGates);
        for (int t = _sequenceLength - 1; t > 0; t--)
        {
            int from = _rowOffsets[t], to = t * batch;
            for (int b = _activeRows[t] - 1; b >= 0; b--)
                gates.Slice((from + b) * ldGates, gh).CopyTo(gates.Slice((to + b) * ldGates, gh));
        }
    }

    /// <summary>
    /// The parameter gradients of a pass with lengths, over the N valid rows: ∇W_ih += Δᵀ·X, ∇W_hh += Σ_t Δ^h_t h_{t∓1}ᵀ
    /// (h0 or zero for a row's first step), ∇b_ih += Σ Δ, ∇b_hh += Σ Δ^h. Leaves Δ_c for <see cref="BackwardInputValidRows"/>.
    /// </summary>
    private void ParameterGradientsValidRows(ReadOnlySpan<T> delta, ReadOnlySpan<T> hiddenDelta, bool separateHiddenDelta, int gh)
    {
        int n = _validRows, h = HiddenSize, inputSize = InputSize;
        Workspace.EnsureLength(ref _compactDeltas, n * gh);
        Workspace.EnsureLength(ref _compactRows, n * Math.Max(inputSize, h));
        Span<T> compactDelta = _compactDeltas.AsSpan(0, n * gh);
        GatherValidRows(delta, gh, gh, compactDelta);
        Span<T> compactHiddenDelta = compactDelta;
        if (separateHiddenDelta)
        {
            Workspace.EnsureLength(ref _compactHiddenDeltas, n * gh);
            compactHiddenDelta = _compactHiddenDeltas.AsSpan(0, n * gh);
            GatherValidRows(hiddenDelta, gh, gh, compactHiddenDelta);
        }

        // ∇W_ih += Δ_cᵀ·X_c
        Span<T> compactInput = _compactRows.AsSpan(0, n * inputSize);
        GatherValidRows(_input.Span, _ldInput, inputSize, compactInput);
        Gemm.Multiply(true, false, gh, inputSize, n, T.One, compactDelta, gh, compactInput, inputSize, T.One,
            _parameters.Gradient(_weightIh), inputSize);

        // ∇W_hh += Δ^h_cᵀ·S_prev,c: each valid row with the state it started its step from
        Span<T> previous = _compactRows.AsSpan(0, n * h);
        GatherPreviousStates(previous);
        Gemm.Multiply(true, false, gh, h, n, T.One, compactHiddenDelta, gh, previous, h, T.One, _parameters.Gradient(_weightHh), h);

        AddBiasGradients(compactDelta, compactHiddenDelta, n, gh);
    }

    /// <summary>dX += Δ·W_ih on the valid rows of dX [T·B, lddx]: one GEMM over Δ_c, added back row by row.</summary>
    private void BackwardInputValidRows(Span<T> dx, int lddx)
    {
        int n = _validRows, inputSize = InputSize, gh = Gates * HiddenSize, batch = _batch;
        Span<T> compactDx = _compactRows.AsSpan(0, n * inputSize);
        Gemm.Multiply(false, false, n, inputSize, gh, T.One, _compactDeltas.AsSpan(0, n * gh), gh, _parameters.Value(_weightIh), inputSize,
            T.Zero, compactDx, inputSize);
        for (int t = 0; t < _sequenceLength; t++)
            for (int b = 0, c = _rowOffsets[t]; b < _activeRows[t]; b++, c++)
            {
                Span<T> row = dx.Slice((t * batch + b) * lddx, inputSize);
                TensorPrimitives.Add(row, compactDx.Slice(c * inputSize, inputSize), row);
            }
    }

    /// <summary>The first <paramref name="width"/> columns of the valid rows of a [T·B, ld] buffer into compact [N, width].</summary>
    private void GatherValidRows(ReadOnlySpan<T> source, int ld, int width, Span<T> destination)
    {
        int batch = _batch;
        for (int t = 0; t < _sequenceLength; t++)
        {
            int rows = _activeRows[t], offset = _rowOffsets[t];
            if (ld == width)
            {
                source.Slice(t * batch * width, rows * width).CopyTo(destination.Slice(offset * width, rows * width));
                continue;
            }
            for (int b = 0; b < rows; b++)
                source.Slice((t * batch + b) * ld, width).CopyTo(destination.Slice((offset + b) * width, width));
        }
    }

    /// <summary>
    /// For each valid row in compact order [N, H], the state its step started from: the state one step before in processing
    /// order (t−1 forward, t+1 reverse) for rows that ran that step, else h0 (zero without one).
    /// </summary>
    private void GatherPreviousStates(Span<T> destination)
    {
        int batch = _batch, h = HiddenSize, lds = _ldStates;
        ReadOnlySpan<T> s = _states.Span;
        for (int t = 0; t < _sequenceLength; t++)
        {
            int rows = _activeRows[t], offset = _rowOffsets[t], previous = Reverse ? t + 1 : t - 1;
            int continuing = previous < 0 || previous >= _sequenceLength ? 0 : Math.Min(rows, _activeRows[previous]);
            for (int b = 0; b < continuing; b++)
                s.Slice((previous * batch + b) * lds, h).CopyTo(destination.Slice((offset + b) * h, h));
            Span<T> starting = destination.Slice((offset + continuing) * h, (rows - continuing) * h);
            if (_hasInitialState) _initialState.AsSpan(continuing * h, (rows - continuing) * h).CopyTo(starting);
            else starting.Clear();
        }
    }
}
