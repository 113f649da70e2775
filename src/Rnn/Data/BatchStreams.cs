// Truncated BPTT as in char-rnn: each batch row reads its own contiguous stretch of the corpus from start to end, so
// the hidden state a row ends one chunk with is exactly the state that should start its next chunk. Rows never
// reshuffle, which is what makes carrying the state between chunks correct.
namespace Rnn.Data;

/// <summary>
/// Cuts a token sequence into <see cref="BatchSize"/> equal contiguous streams and serves them as time-major chunks of
/// <see cref="SequenceLength"/> steps. With N tokens, B rows and L = (N − 1) / B (rounded down), row b reads the inputs
/// at corpus positions [b·L, (b + 1)·L) and each input's target is the token that follows it in the corpus. Chunk k
/// holds steps [k·T, (k + 1)·T) of every row; the last L mod T steps of each row (and the last tokens of the corpus
/// that do not fill a row) are dropped, so every chunk has the same shape. Instances are immutable.
/// </summary>
public sealed class BatchStreams
{
    private readonly TokenIds _tokens;

    /// <summary>Prepares to serve <paramref name="tokens"/>, which must not be modified while this instance is used.</summary>
    /// <param name="batch">B: rows per chunk.</param>
    /// <param name="sequenceLength">T: time steps per chunk.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> or <paramref name="sequenceLength"/> is not positive.</exception>
    /// <exception cref="ArgumentException">There are fewer than B·T + 1 tokens, so not even one chunk can be formed.</exception>
    public BatchStreams(ReadOnlyMemory<int> tokens, int batch, int sequenceLength)
        : this(TokenIds.Wrap(tokens), batch, sequenceLength)
    {
    }

    /// <summary>Prepares to serve <paramref name="tokens"/> in compact storage; otherwise as the other constructor.</summary>
    public BatchStreams(TokenIds tokens, int batch, int sequenceLength)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequenceLength);
        long needed = (long)batch * sequenceLength + 1;
        if (tokens.Count < needed)
            throw new ArgumentException(
                $"The corpus has {tokens.Count} tokens, too few for batch size {batch} and sequence length {sequenceLength}: " +
                $"one chunk needs at least {needed} tokens. Use a longer corpus or a smaller batch size or sequence length.",
                nameof(tokens));
        _tokens = tokens;
        BatchSize = batch;
        SequenceLength = sequenceLength;
        StreamLength = (tokens.Count - 1) / batch;
        ChunksPerEpoch = StreamLength / sequenceLength;
    }

    /// <summary>B: rows per chunk.</summary>
    public int BatchSize { get; }

    /// <summary>T: time steps per chunk.</summary>
    public int SequenceLength { get; }

    /// <summary>L: input tokens per row, before dropping the steps that do not fill a chunk.</summary>
    public int StreamLength { get; }

    /// <summary>The number of chunks in one pass over the streams; at least 1.</summary>
    public int ChunksPerEpoch { get; }

    /// <summary>
    /// Writes chunk <paramref name="chunk"/> time-major: <c>inputs[t·B + b]</c> is the token at corpus position
    /// b·L + chunk·T + t and <c>targets[t·B + b]</c> is the token after it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunk"/> is not in [0, <see cref="ChunksPerEpoch"/>).</exception>
    /// <exception cref="ArgumentException">A span's length is not B·T.</exception>
    public void Fill(int chunk, Span<int> inputs, Span<int> targets)
    {
        if ((uint)chunk >= (uint)ChunksPerEpoch)
            throw new ArgumentOutOfRangeException(nameof(chunk), chunk, $"Chunks are numbered [0, {ChunksPerEpoch}).");
        int size = BatchSize * SequenceLength;
        if (inputs.Length != size) throw new ArgumentException($"inputs has {inputs.Length} elements; a chunk has B·T = {size}.", nameof(inputs));
        if (targets.Length != size) throw new ArgumentException($"targets has {targets.Length} elements; a chunk has B·T = {size}.", nameof(targets));

        int[]? rented = SequenceLength < 1024 ? null : System.Buffers.ArrayPool<int>.Shared.Rent(SequenceLength + 1);
        Span<int> row = rented is null ? stackalloc int[SequenceLength + 1] : rented.AsSpan(0, SequenceLength + 1);
        for (int b = 0; b < BatchSize; b++)
        {
            // T + 1 consecutive tokens serve both the inputs and the shifted targets of this row.
            _tokens.CopyTo(b * StreamLength + chunk * SequenceLength, row);
            for (int t = 0; t < SequenceLength; t++)
            {
                inputs[t * BatchSize + b] = row[t];
                targets[t * BatchSize + b] = row[t + 1];
            }
        }
        if (rented is not null) System.Buffers.ArrayPool<int>.Shared.Return(rented);
    }

    /// <summary>
    /// Splits <paramref name="tokens"/> into a training part and a validation part made of the last
    /// <paramref name="validationFraction"/> of the tokens (rounded to the nearest count), both contiguous and copied.
    /// A fraction of 0 gives an empty validation part.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validationFraction"/> is not in [0, 0.5].</exception>
    /// <exception cref="ArgumentException">The fraction is positive but the validation part would have fewer than 2 tokens (one input and its target).</exception>
    public static (int[] Train, int[] Validation) Split(int[] tokens, double validationFraction)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        int count = ValidationCount(tokens.Length, validationFraction);
        return (tokens[..^count], tokens[^count..]);
    }

    /// <summary>
    /// <see cref="Split(int[], double)"/> for ids in compact storage: the two parts are views of
    /// <paramref name="tokens"/>, nothing is copied.
    /// </summary>
    public static (TokenIds Train, TokenIds Validation) Split(TokenIds tokens, double validationFraction)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        int count = ValidationCount(tokens.Count, validationFraction);
        return (tokens.Slice(0, tokens.Count - count), tokens.Slice(tokens.Count - count, count));
    }

    /// <summary>
    /// How many of <paramref name="tokenCount"/> tokens <see cref="Split(int[], double)"/> holds out for
    /// <paramref name="validationFraction"/>, with its exceptions: known before any id is stored.
    /// </summary>
    public static int ValidationCount(int tokenCount, double validationFraction)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tokenCount);
        if (!(validationFraction >= 0 && validationFraction <= 0.5))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "The validation fraction must be in [0, 0.5].");
        int count = (int)Math.Round(tokenCount * validationFraction, MidpointRounding.AwayFromZero);
        if (validationFraction > 0 && count < 2)
            throw new ArgumentException(
                $"A validation fraction of {validationFraction} of {tokenCount} tokens leaves {count} validation tokens; at least 2 are needed. " +
                "Use a larger fraction, a longer corpus, or 0 for no validation.", nameof(validationFraction));
        return count;
    }
}
