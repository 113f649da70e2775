// Bucketing as in torchtext's BucketIterator: shuffle, then sort by length within pools of many batches, so each batch
// holds sequences of similar length (little padding) while batches still differ from epoch to epoch.
using Rnn.Tensors;

namespace Rnn.Data;

/// <summary>
/// Groups variable-length token sequences into <see cref="LabelledBatch"/>es of at most <see cref="BatchSize"/> rows,
/// every row sorted by length, longest first (ties in the order the sequences were drawn). Instances are immutable;
/// the sequences must not be modified while they are used.
/// </summary>
public sealed class LabelledBatcher
{
    private readonly IReadOnlyList<int[]> _sequences;

    /// <summary>Prepares to batch <paramref name="sequences"/>.</summary>
    /// <param name="sequences">The token ids of each example; each at least one id long.</param>
    /// <param name="batchSize">B: the most rows in a batch.</param>
    /// <param name="poolBatches">How many batches' worth of shuffled sequences are sorted by length together.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> or <paramref name="poolBatches"/> is not positive.</exception>
    /// <exception cref="ArgumentException">There are no sequences, or one is empty.</exception>
    public LabelledBatcher(IReadOnlyList<int[]> sequences, int batchSize, int poolBatches = 50)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize, "BatchSize");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(poolBatches);
        if (sequences.Count == 0) throw new ArgumentException("There are no sequences to batch.", nameof(sequences));
        for (int i = 0; i < sequences.Count; i++)
            if (sequences[i] is null || sequences[i].Length == 0)
                throw new ArgumentException($"Sequence {i} is empty; every sequence needs at least one step.", nameof(sequences));
        _sequences = sequences;
        BatchSize = batchSize;
        PoolBatches = poolBatches;
    }

    /// <summary>B: the most rows in a batch.</summary>
    public int BatchSize { get; }

    /// <summary>How many batches' worth of sequences are sorted by length together.</summary>
    public int PoolBatches { get; }

    /// <summary>The number of batches in one pass: ⌈sequences / B⌉.</summary>
    public int BatchCount => (_sequences.Count + BatchSize - 1) / BatchSize;

    /// <summary>
    /// One training pass: the sequences shuffled by a seeded Fisher–Yates shuffle, cut into pools of
    /// B · <see cref="PoolBatches"/>, each pool sorted by length (longest first, stable) and cut into batches of B, then
    /// the batches shuffled. The same seed always gives the same batches.
    /// </summary>
    public IReadOnlyList<LabelledBatch> Shuffled(ulong seed)
    {
        var random = new SeededRandom(seed);
        int[] order = [.. Enumerable.Range(0, _sequences.Count)];
        Shuffle(order, random);
        var batches = new List<LabelledBatch>(BatchCount);
        int pool = BatchSize * PoolBatches;
        for (int start = 0; start < order.Length; start += pool)
        {
            int[] sorted = SortByLength(order.AsSpan(start, Math.Min(pool, order.Length - start)));
            for (int b = 0; b < sorted.Length; b += BatchSize) batches.Add(Batch(sorted.AsSpan(b, Math.Min(BatchSize, sorted.Length - b))));
        }
        LabelledBatch[] result = [.. batches];
        Shuffle(result, random);
        return result;
    }

    /// <summary>For prediction: consecutive runs of B sequences in input order, each batch sorted by length.</summary>
    public IReadOnlyList<LabelledBatch> InOrder()
    {
        var batches = new List<LabelledBatch>(BatchCount);
        int[] order = [.. Enumerable.Range(0, _sequences.Count)];
        for (int b = 0; b < order.Length; b += BatchSize) batches.Add(Batch(order.AsSpan(b, Math.Min(BatchSize, order.Length - b))));
        return batches;
    }

    private static void Shuffle<TItem>(TItem[] items, SeededRandom random)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>The indices sorted by their sequence's length, longest first; equal lengths keep their order.</summary>
    private int[] SortByLength(ReadOnlySpan<int> indices) => [.. indices.ToArray().OrderByDescending(i => _sequences[i].Length)];

    private LabelledBatch Batch(ReadOnlySpan<int> indices)
    {
        int[] order = SortByLength(indices);
        int rows = order.Length;
        int[] lengths = [.. order.Select(i => _sequences[i].Length)];
        int[] tokens = new int[lengths[0] * rows]; // [T, B], padding 0
        for (int b = 0; b < rows; b++)
        {
            int[] sequence = _sequences[order[b]];
            for (int t = 0; t < sequence.Length; t++) tokens[t * rows + b] = sequence[t];
        }
        return new LabelledBatch(tokens, lengths, order);
    }
}
