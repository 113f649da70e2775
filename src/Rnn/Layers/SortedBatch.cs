// A batch of variable-length sequences sorted longest first, so that the rows still running at any step are a prefix
// (RecurrentLayer's per-step products then run on those rows only). B = batch, H = hidden units, S = states (L·D).
// Sorting is stable, and skipped when the lengths are already in order; all lengths T is no lengths at all.
using Rnn.Tensors;

namespace Rnn.Layers;

/// <summary>The lengths of one pass, sorted longest first, with the order that sorts the batch rows.</summary>
internal sealed class SortedBatch
{
    private int[] _order = [];     // sorted row i is batch row _order[i] [B]
    private int[] _lengths = [];   // lengths[_order[i]] [B]
    private int _batch;
    private bool _hasLengths, _permuted;

    /// <summary>The sorted lengths [B], or empty when every sequence has all T steps.</summary>
    public ReadOnlySpan<int> Lengths => _hasLengths ? _lengths.AsSpan(0, _batch) : default;

    /// <summary>The batch row of each sorted row [B], or empty when the rows are already in order.</summary>
    public ReadOnlySpan<int> Order => _permuted ? _order.AsSpan(0, _batch) : default;

    /// <summary>Checks <paramref name="lengths"/> (one per sequence, each in 1..T, or empty) and sorts them.</summary>
    public void Set(ReadOnlySpan<int> lengths, int sequenceLength, int batch)
    {
        _batch = batch;
        _hasLengths = _permuted = false;
        if (lengths.IsEmpty) return;
        // The checks format their message only when they fail: a training step must not allocate.
        if (lengths.Length != batch)
            throw new ArgumentException($"lengths has {lengths.Length} elements; expected one per sequence, B={batch}.", nameof(lengths));
        bool allFull = true;
        for (int b = 0; b < batch; b++)
        {
            if (lengths[b] < 1 || lengths[b] > sequenceLength)
                throw new ArgumentOutOfRangeException(nameof(lengths), lengths[b], $"lengths[{b}] must be in 1..T={sequenceLength}.");
            allFull &= lengths[b] == sequenceLength;
        }
        if (allFull) return;
        _hasLengths = true;
        Workspace.EnsureLength(ref _order, batch);
        Workspace.EnsureLength(ref _lengths, batch);
        // stable insertion sort, longest first (B is small; no allocation)
        for (int b = 0; b < batch; b++)
        {
            int i = b;
            for (; i > 0 && _lengths[i - 1] < lengths[b]; i--)
            {
                _lengths[i] = _lengths[i - 1];
                _order[i] = _order[i - 1];
            }
            _lengths[i] = lengths[b];
            _order[i] = b;
            _permuted |= i != b;
        }
    }

    /// <summary>Copies states [S, B, H] into sorted row order.</summary>
    public void ToSorted<T>(ReadOnlySpan<T> source, Span<T> destination, int hiddenSize) => Permute(source, destination, hiddenSize, toSorted: true);

    /// <summary>Copies states [S, B, H] from sorted row order back to the batch's.</summary>
    public void FromSorted<T>(ReadOnlySpan<T> source, Span<T> destination, int hiddenSize) => Permute(source, destination, hiddenSize, toSorted: false);

    private void Permute<T>(ReadOnlySpan<T> source, Span<T> destination, int hiddenSize, bool toSorted)
    {
        if (!_permuted) { source.CopyTo(destination); return; }
        int h = hiddenSize, batch = _batch;
        for (int s = 0; s < source.Length / (batch * h); s++)
            for (int i = 0; i < batch; i++)
            {
                int sorted = (s * batch + i) * h, original = (s * batch + _order[i]) * h;
                source.Slice(toSorted ? original : sorted, h).CopyTo(destination.Slice(toSorted ? sorted : original, h));
            }
    }
}
