// Variable-length batches for RecurrentLayer, PyTorch's packed semantics. T = time steps, B = batch.
// The rows are sorted longest first, so at time t the rows still running are a prefix [0, B_t) with
// B_t = #{b : lengths[b] > t}: each per-step product runs on B_t rows, and rows past their end stay zero in S and Δ.
// The whole-sequence products (P = X·W_ihᵀ, ∇W_ih = Δᵀ·X, ∇W_hh, ∇b, dX = Δ·W_ih) run on the N = Σ_t B_t valid rows
// alone, gathered into compact buffers (RecurrentLayer.ValidRows.cs).
// In processing order, a step's rows split in two: [0, continuing) carry the previous step's state, [continuing, active)
// start from h0 (the reverse direction starts row b at lengths[b]−1). With every length T this is the plain loop.
using System.Numerics;
using Rnn.Tensors;

namespace Rnn.Layers;

public sealed partial class RecurrentLayer<T>
{
    private T[] _firstHiddenDeltas = [];   // Δ^h at each row's first step in processing order (reverse, with lengths) [B, G·H]

    /// <summary>Checks and keeps the lengths of the next pass; all of them T (or none) means the plain loop.</summary>
    private void SetLengths(ReadOnlySpan<int> lengths, int sequenceLength, int batch)
    {
        _hasLengths = false;
        if (lengths.IsEmpty) return;
        if (lengths.Length != batch)
            throw new ArgumentException($"lengths has {lengths.Length} elements; expected one per sequence, B={batch}.", nameof(lengths));
        for (int b = 0; b < batch; b++)
        {
            if (lengths[b] < 1 || lengths[b] > sequenceLength)
                throw new ArgumentOutOfRangeException(nameof(lengths), lengths[b], $"lengths[{b}] must be in 1..T={sequenceLength}.");
            if (b > 0 && lengths[b] > lengths[b - 1])
                throw new ArgumentException($"lengths must be sorted longest first; lengths[{b}] = {lengths[b]} follows {lengths[b - 1]}.", nameof(lengths));
        }
        if (lengths[batch - 1] == sequenceLength) return;
        _hasLengths = true;
        Workspace.EnsureLength(ref _lengths, batch);
        Workspace.EnsureLength(ref _activeRows, sequenceLength);
        lengths.CopyTo(_lengths);
        // B_t = #{b : lengths[b] > t}
        int active = batch;
        for (int t = 0; t < sequenceLength; t++)
        {
            while (active > 0 && _lengths[active - 1] <= t) active--;
            _activeRows[t] = active;
        }
        SetRowOffsets(sequenceLength);
    }

    /// <summary>B_t at step <paramref name="step"/> (processing order): the rows [0, B_t) that run it.</summary>
    private int ActiveRows(int step) => _hasLengths ? _activeRows[TimeAt(step)] : _batch;

    /// <summary>The active rows whose previous step (processing order) ran: the others start from h0 here.</summary>
    private int ContinuingRows(int step) => step == 0 ? 0 : Math.Min(ActiveRows(step - 1), ActiveRows(step));

    /// <summary>The active rows that run the next step too (processing order): the others end here, where dh_N enters.</summary>
    private int ContinuedRows(int step) => step == _sequenceLength - 1 ? 0 : Math.Min(ActiveRows(step + 1), ActiveRows(step));

    /// <summary>The time of row b's last step in processing order, where its final state is.</summary>
    private int LastTime(int b) => Reverse ? 0 : (_hasLengths ? _lengths[b] : _sequenceLength) - 1;

    /// <summary>
    /// Δ^h at each row's first step in processing order [B, G·H], the rows that met h0 through W_hh: the first step's
    /// rows, except in the reverse direction with lengths, where row b started at lengths[b]−1 (gathered).
    /// </summary>
    private ReadOnlySpan<T> FirstHiddenDeltas(ReadOnlySpan<T> hiddenDelta, int gh)
    {
        int batch = _batch;
        if (!(_hasLengths && Reverse)) return hiddenDelta.Slice(TimeAt(0) * batch * gh, batch * gh);
        Workspace.EnsureLength(ref _firstHiddenDeltas, batch * gh);
        for (int b = 0; b < batch; b++)
            hiddenDelta.Slice(((_lengths[b] - 1) * batch + b) * gh, gh).CopyTo(_firstHiddenDeltas.AsSpan(b * gh, gh));
        return _firstHiddenDeltas.AsSpan(0, batch * gh);
    }
}
