// A corpus of a billion tokens is held as its ids and nothing else, each in the smallest unsigned integer type that
// holds every id of its vocabulary: one byte for up to 256 tokens (a character vocabulary of most texts), two for up to
// 65,536, four beyond. Slices are views that share the storage, so the training and validation parts of a corpus
// cost nothing beyond the corpus itself.
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Rnn.Data;

/// <summary>
/// A read-only sequence of token ids in compact storage (1, 2 or 4 bytes per id, see <see cref="BytesPerIdFor"/>).
/// Instances are immutable views; <see cref="Slice"/> shares the storage. Safe to read from several threads.
/// </summary>
public sealed class TokenIds
{
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly ReadOnlyMemory<ushort> _shorts;
    private readonly ReadOnlyMemory<int> _ints;

    private TokenIds(ReadOnlyMemory<byte> bytes, ReadOnlyMemory<ushort> shorts, ReadOnlyMemory<int> ints, int bytesPerId, int count)
    {
        _bytes = bytes;
        _shorts = shorts;
        _ints = ints;
        BytesPerId = bytesPerId;
        Count = count;
    }

    /// <summary>The number of ids.</summary>
    public int Count { get; }

    /// <summary>Bytes per id in storage: 1, 2 or 4.</summary>
    public int BytesPerId { get; }

    /// <summary>The bytes the ids of this view occupy.</summary>
    public long SizeInBytes => (long)Count * BytesPerId;

    /// <summary>The id at <paramref name="index"/>.</summary>
    /// <exception cref="IndexOutOfRangeException"><paramref name="index"/> is not in [0, <see cref="Count"/>).</exception>
    public int this[int index] => BytesPerId switch
    {
        1 => _bytes.Span[index],
        2 => _shorts.Span[index],
        _ => _ints.Span[index],
    };

    /// <summary>The smallest storage, in bytes per id, that holds every id of a vocabulary of <paramref name="vocabularySize"/> tokens.</summary>
    public static int BytesPerIdFor(int vocabularySize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabularySize);
        return vocabularySize <= byte.MaxValue + 1 ? 1 : vocabularySize <= ushort.MaxValue + 1 ? 2 : 4;
    }

    /// <summary>Ids held as they are, 4 bytes each, without copying; <paramref name="ids"/> must not change while they are read.</summary>
    public static TokenIds Wrap(ReadOnlyMemory<int> ids) => new(default, default, ids, 4, ids.Length);

    /// <summary>A compact copy of <paramref name="ids"/>, which must all lie in [0, <paramref name="vocabularySize"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside the vocabulary.</exception>
    public static TokenIds Copy(ReadOnlySpan<int> ids, int vocabularySize)
    {
        var builder = new Builder(vocabularySize, ids.Length);
        builder.Append(ids);
        return builder.ToTokenIds();
    }

    /// <summary>The view of <paramref name="length"/> ids from <paramref name="start"/>, sharing this storage.</summary>
    public TokenIds Slice(int start, int length)
    {
        if ((uint)start > (uint)Count || (uint)length > (uint)(Count - start))
            throw new ArgumentOutOfRangeException(nameof(start), $"[{start}, {(long)start + length}) is not within the {Count} ids.");
        return BytesPerId switch
        {
            1 => new(_bytes.Slice(start, length), default, default, 1, length),
            2 => new(default, _shorts.Slice(start, length), default, 2, length),
            _ => new(default, default, _ints.Slice(start, length), 4, length),
        };
    }

    /// <summary>Writes the ids from <paramref name="start"/> on into <paramref name="destination"/>, as many as it holds.</summary>
    public void CopyTo(int start, Span<int> destination)
    {
        if ((uint)start > (uint)Count || (uint)destination.Length > (uint)(Count - start))
            throw new ArgumentOutOfRangeException(nameof(start), $"[{start}, {(long)start + destination.Length}) is not within the {Count} ids.");
        switch (BytesPerId)
        {
            case 1: TensorPrimitives.ConvertTruncating<byte, int>(_bytes.Span.Slice(start, destination.Length), destination); break;
            case 2: TensorPrimitives.ConvertTruncating<ushort, int>(_shorts.Span.Slice(start, destination.Length), destination); break;
            default: _ints.Span.Slice(start, destination.Length).CopyTo(destination); break;
        }
    }

    /// <summary>The ids as a new array of ints.</summary>
    public int[] ToArray()
    {
        int[] ids = new int[Count];
        CopyTo(0, ids);
        return ids;
    }

    /// <summary>
    /// Feeds the ids as 32-bit little-endian integers to <paramref name="append"/> in pieces of at most 64 Ki ids, the
    /// bytes an <c>int[]</c> of the same ids would give (how a data hash reads them whatever the storage).
    /// </summary>
    public void ForEachInt32Block(Action<ReadOnlySpan<byte>> append)
    {
        ArgumentNullException.ThrowIfNull(append);
        if (BytesPerId == 4 && BitConverter.IsLittleEndian)
        {
            append(MemoryMarshal.AsBytes(_ints.Span));
            return;
        }
        int[] block = new int[Math.Min(Count, 1 << 16)];
        for (int start = 0; start < Count; start += block.Length)
        {
            Span<int> part = block.AsSpan(0, Math.Min(block.Length, Count - start));
            CopyTo(start, part);
            if (!BitConverter.IsLittleEndian)
                for (int i = 0; i < part.Length; i++) part[i] = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(part[i]);
            append(MemoryMarshal.AsBytes(part));
        }
    }

    /// <summary>
    /// Collects ids into compact storage for a vocabulary of a given size. With the exact count as capacity (a first
    /// pass over a text gives it) the storage is allocated once and never copied.
    /// </summary>
    public sealed class Builder
    {
        private readonly int _vocabularySize;
        private byte[] _bytes = [];
        private ushort[] _shorts = [];
        private int[] _ints = [];
        private int _count;

        /// <summary>Starts an empty sequence of ids in [0, <paramref name="vocabularySize"/>).</summary>
        /// <param name="capacity">The ids expected; storage grows past it when needed.</param>
        public Builder(int vocabularySize, int capacity = 0)
        {
            BytesPerId = BytesPerIdFor(vocabularySize);
            ArgumentOutOfRangeException.ThrowIfNegative(capacity);
            _vocabularySize = vocabularySize;
            Grow(capacity);
        }

        /// <summary>Bytes per id in storage.</summary>
        public int BytesPerId { get; }

        /// <summary>The ids appended so far.</summary>
        public int Count => _count;

        /// <summary>Appends <paramref name="ids"/>.</summary>
        /// <exception cref="ArgumentOutOfRangeException">An id is outside the vocabulary.</exception>
        /// <exception cref="InvalidOperationException">The sequence would exceed the largest array .NET can hold.</exception>
        public void Append(ReadOnlySpan<int> ids)
        {
            if (ids.IsEmpty) return;
            int min = TensorPrimitives.Min(ids), max = TensorPrimitives.Max(ids);
            if (min < 0 || max >= _vocabularySize)
                throw new ArgumentOutOfRangeException(nameof(ids), min < 0 ? min : max, $"Token ids must be in [0, {_vocabularySize}).");
            long needed = (long)_count + ids.Length;
            if (needed > Array.MaxLength)
                throw new InvalidOperationException($"More than {Array.MaxLength:N0} tokens: the text is too long to hold as one sequence of ids.");
            if (needed > Capacity) Grow((int)Math.Min(Math.Max(needed, 2L * Capacity), Array.MaxLength));
            switch (BytesPerId)
            {
                case 1: TensorPrimitives.ConvertTruncating<int, byte>(ids, _bytes.AsSpan(_count)); break;
                case 2: TensorPrimitives.ConvertTruncating<int, ushort>(ids, _shorts.AsSpan(_count)); break;
                default: ids.CopyTo(_ints.AsSpan(_count)); break;
            }
            _count += ids.Length;
        }

        /// <summary>The ids appended so far, as a view of this builder's storage (append no more afterwards).</summary>
        public TokenIds ToTokenIds() => BytesPerId switch
        {
            1 => new(_bytes.AsMemory(0, _count), default, default, 1, _count),
            2 => new(default, _shorts.AsMemory(0, _count), default, 2, _count),
            _ => new(default, default, _ints.AsMemory(0, _count), 4, _count),
        };

        private int Capacity => BytesPerId switch { 1 => _bytes.Length, 2 => _shorts.Length, _ => _ints.Length };

        private void Grow(int capacity)
        {
            switch (BytesPerId)
            {
                case 1: Array.Resize(ref _bytes, capacity); break;
                case 2: Array.Resize(ref _shorts, capacity); break;
                default: Array.Resize(ref _ints, capacity); break;
            }
        }
    }
}
