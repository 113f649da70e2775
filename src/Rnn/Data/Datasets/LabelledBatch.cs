// Glossary: B = sequences in the batch, T = the longest of them. Rows are sorted by length, longest first, so at step
// t the rows still running are a prefix [0, B_t) and a recurrent layer can run its step on B_t rows only.
namespace Rnn.Data;

/// <summary>
/// One batch of variable-length token sequences, padded and time-major. Row b holds the sequence with index
/// <c>Order[b]</c> in the batcher's list; <c>Lengths</c> is non-increasing.
/// </summary>
public sealed class LabelledBatch
{
    internal LabelledBatch(int[] tokens, int[] lengths, int[] order)
    {
        Tokens = tokens;
        Lengths = lengths;
        Order = order;
    }

    /// <summary>B: the rows.</summary>
    public int BatchSize => Lengths.Length;

    /// <summary>T: the longest length, <c>Lengths[0]</c>.</summary>
    public int SequenceLength => Lengths[0];

    /// <summary>[T, B] time-major: <c>Tokens[t·B + b]</c> is step t of row b's sequence, or 0 where t ≥ <c>Lengths[b]</c>.</summary>
    public int[] Tokens { get; }

    /// <summary>[B]: each row's length, longest first.</summary>
    public int[] Lengths { get; }

    /// <summary>[B]: the index, in the batcher's list, of each row's sequence; results of row b belong to example Order[b].</summary>
    public int[] Order { get; }

    /// <summary>[B]: <c>perExample[Order[b]]</c> for each row b, such as the class label of each sequence.</summary>
    public int[] GatherLabels(IReadOnlyList<int> perExample)
    {
        ArgumentNullException.ThrowIfNull(perExample);
        return [.. Order.Select(i => perExample[i])];
    }

    /// <summary>
    /// [T, B] time-major: step t of <c>perStep[Order[b]]</c> at t·B + b, such as each token's tag, and
    /// <paramref name="padding"/> where t ≥ <c>Lengths[b]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A row's per-step array is not as long as its sequence.</exception>
    public int[] GatherSteps(IReadOnlyList<int[]> perStep, int padding)
    {
        ArgumentNullException.ThrowIfNull(perStep);
        int rows = BatchSize;
        int[] result = new int[SequenceLength * rows];
        result.AsSpan().Fill(padding);
        for (int b = 0; b < rows; b++)
        {
            int[] steps = perStep[Order[b]];
            if (steps.Length != Lengths[b])
                throw new ArgumentException($"Example {Order[b]} has {steps.Length} per-step values for a sequence of {Lengths[b]} steps.", nameof(perStep));
            for (int t = 0; t < steps.Length; t++) result[t * rows + b] = steps[t];
        }
        return result;
    }

    /// <summary>Writes each row's result back to its example: <c>destination[Order[b]] = batchResults[b]</c>.</summary>
    public void Scatter<TValue>(ReadOnlySpan<TValue> batchResults, Span<TValue> destination)
    {
        if (batchResults.Length != BatchSize) throw new ArgumentException($"batchResults has {batchResults.Length} elements; the batch has {BatchSize} rows.", nameof(batchResults));
        for (int b = 0; b < BatchSize; b++) destination[Order[b]] = batchResults[b];
    }
}
