// Strict reader for the safetensors format (https://github.com/huggingface/safetensors):
//   [u64 little-endian N][N bytes of UTF-8 JSON header][data buffer]
// Every malformation a hostile file can carry becomes a SafeTensorsFormatException, and every size taken from the
// file is checked against the real length before anything is allocated from it, so callers need one catch clause.
using System.Buffers.Binary;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;

namespace Rnn.IO;

/// <summary>
/// A safetensors file held in memory, with its header fully validated: every tensor has a known dtype, a shape whose
/// element count matches its byte range, and the byte ranges tile the data buffer exactly (no overlaps, gaps or
/// trailing bytes). Instances are immutable and safe to read from several threads.
/// Typed reads reinterpret little-endian data and throw <see cref="PlatformNotSupportedException"/> on a big-endian host.
/// </summary>
public sealed partial class SafeTensorsFile
{
    /// <summary>Largest header, in bytes, the reader accepts (100 MiB).</summary>
    public const int MaxHeaderBytes = 100 * 1024 * 1024;

    /// <summary>Largest number of tensors the reader accepts in one file.</summary>
    public const int MaxTensors = 1 << 20;

    /// <summary>Largest number of dimensions the reader accepts for one tensor.</summary>
    public const int MaxRank = 8;

    /// <summary>Largest element count the reader accepts for one tensor, so any dtype's byte length fits in an <see cref="int"/>.</summary>
    public const int MaxElements = int.MaxValue / 8;

    /// <summary>The reserved header key holding the string-to-string metadata; never a tensor name.</summary>
    public const string MetadataKey = "__metadata__";

    private const int LengthPrefixBytes = 8;

    private readonly ReadOnlyMemory<byte> _data;
    private readonly Dictionary<string, TensorInfo> _byName;

    private SafeTensorsFile(string? sourceName, ReadOnlyMemory<byte> data, Dictionary<string, string> metadata, TensorInfo[] tensors)
    {
        SourceName = sourceName;
        _data = data;
        Metadata = metadata.AsReadOnly();
        Tensors = tensors.AsReadOnly();
        _byName = new Dictionary<string, TensorInfo>(tensors.Length, StringComparer.Ordinal);
        foreach (TensorInfo t in tensors) _byName.Add(t.Name, t);
    }

    /// <summary>The file path or other name given when loading, used in error messages; null if none was given.</summary>
    public string? SourceName { get; }

    /// <summary>The header's <c>__metadata__</c> entries; empty when the header has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>All tensors, ordered by their position in the data buffer.</summary>
    public IReadOnlyList<TensorInfo> Tensors { get; }

    /// <summary>Reads and validates the whole file at <paramref name="path"/>.</summary>
    /// <exception cref="SafeTensorsFormatException">The file is malformed or exceeds the reader's limits.</exception>
    /// <exception cref="IOException">The file cannot be opened or read (including <see cref="FileNotFoundException"/>).</exception>
    /// <exception cref="UnauthorizedAccessException">Access to the file is denied.</exception>
    public static SafeTensorsFile Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        // No FileStream buffering: the reads below are already large and exact.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        return Load(stream, path);
    }

    /// <summary>
    /// Reads and validates safetensors data from the current position of <paramref name="stream"/> to its end.
    /// The stream is not disposed. For a seekable stream the header length is checked against the stream's length
    /// before the rest is read; a non-seekable stream is buffered only as far as it actually delivers bytes.
    /// </summary>
    /// <param name="stream">The stream to read.</param>
    /// <param name="sourceName">A name for the data (typically its path) used in error messages.</param>
    /// <exception cref="SafeTensorsFormatException">The data is malformed or exceeds the reader's limits.</exception>
    /// <exception cref="IOException">The stream fails to read.</exception>
    public static SafeTensorsFile Load(Stream stream, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        byte[] prefix = new byte[LengthPrefixBytes];
        if (!stream.CanSeek) return Parse(ReadUnseekable(stream, prefix, sourceName), sourceName);

        long remaining = Math.Max(0, stream.Length - stream.Position);
        if (remaining < LengthPrefixBytes) throw TooShort(sourceName, remaining);
        int got = stream.ReadAtLeast(prefix, LengthPrefixBytes, throwOnEndOfStream: false);
        if (got < LengthPrefixBytes) throw TooShort(sourceName, got);
        CheckHeaderLength(sourceName, BinaryPrimitives.ReadUInt64LittleEndian(prefix), remaining - LengthPrefixBytes);
        if (remaining > Array.MaxLength)
            throw new SafeTensorsFormatException($"{Where(sourceName)}: is {remaining} bytes; at most {Array.MaxLength} bytes can be loaded.");

        byte[] bytes = new byte[remaining];
        prefix.CopyTo(bytes, 0);
        int rest = (int)remaining - LengthPrefixBytes;
        got = stream.ReadAtLeast(bytes.AsSpan(LengthPrefixBytes), rest, throwOnEndOfStream: false);
        if (got < rest)
            throw new SafeTensorsFormatException($"{Where(sourceName)}: ended after {LengthPrefixBytes + got} bytes although its length is {remaining}.");
        return Parse(bytes, sourceName);
    }

    /// <summary>
    /// Validates safetensors data already in memory. The returned file keeps <paramref name="bytes"/> and reads tensors
    /// from it, so the caller must not modify that memory afterwards.
    /// </summary>
    /// <param name="bytes">The complete file contents.</param>
    /// <param name="sourceName">A name for the data (typically its path) used in error messages.</param>
    /// <exception cref="SafeTensorsFormatException">The data is malformed or exceeds the reader's limits.</exception>
    public static SafeTensorsFile Parse(ReadOnlyMemory<byte> bytes, string? sourceName = null)
    {
        ReadOnlySpan<byte> span = bytes.Span;
        if (span.Length < LengthPrefixBytes) throw TooShort(sourceName, span.Length);
        ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(span);
        CheckHeaderLength(sourceName, declared, span.Length - LengthPrefixBytes);
        int headerLength = (int)declared;
        ReadOnlyMemory<byte> data = bytes[(LengthPrefixBytes + headerLength)..];
        var (metadata, tensors) = HeaderParser.Parse(bytes.Slice(LengthPrefixBytes, headerLength), data.Length, sourceName);
        return new SafeTensorsFile(sourceName, data, metadata, tensors);
    }

    /// <summary>True when the file holds a tensor named <paramref name="name"/> (ordinal comparison).</summary>
    public bool Contains(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.ContainsKey(name);
    }

    /// <summary>Returns the header entry of tensor <paramref name="name"/>.</summary>
    /// <exception cref="SafeTensorsFormatException">The file has no tensor of that name.</exception>
    public TensorInfo Info(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.TryGetValue(name, out TensorInfo? info)
            ? info
            : throw new SafeTensorsFormatException($"{Where(SourceName)}: missing tensor '{Shorten(name)}'.");
    }

    /// <summary>Returns the tensor's bytes exactly as stored (little-endian), without copying.</summary>
    /// <exception cref="SafeTensorsFormatException">The file has no tensor of that name.</exception>
    public ReadOnlySpan<byte> RawBytes(string name) => Bytes(Info(name));

    /// <summary>Reads a floating-point tensor as <see cref="float"/>; see <see cref="ReadInto{T}"/> for accepted dtypes.</summary>
    /// <exception cref="SafeTensorsFormatException">The tensor is missing or is not F64, F32, F16 or BF16.</exception>
    public float[] ReadSingle(string name) => Read<float>(name);

    /// <summary>Reads a floating-point tensor as <see cref="double"/>; see <see cref="ReadInto{T}"/> for accepted dtypes.</summary>
    /// <exception cref="SafeTensorsFormatException">The tensor is missing or is not F64, F32, F16 or BF16.</exception>
    public double[] ReadDouble(string name) => Read<double>(name);

    /// <summary>Reads a floating-point tensor into a new array of <typeparamref name="T"/>; see <see cref="ReadInto{T}"/>.</summary>
    /// <exception cref="SafeTensorsFormatException">The tensor is missing or is not F64, F32, F16 or BF16.</exception>
    public T[] Read<T>(string name) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorInfo info = Info(name);
        var result = new T[info.ElementCount];
        ConvertFloat(info, result);
        return result;
    }

    /// <summary>
    /// Reads a floating-point tensor, flattened in row-major order, into <paramref name="destination"/>.
    /// F64, F32, F16 and BF16 tensors are accepted; a dtype other than <typeparamref name="T"/> is converted by rounding
    /// to nearest (so an F64 file loads into a <see cref="float"/> model and vice versa).
    /// </summary>
    /// <exception cref="SafeTensorsFormatException">The tensor is missing, is not a floating-point dtype, or has a
    /// different element count than <paramref name="destination"/>.</exception>
    public void ReadInto<T>(string name, Span<T> destination) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorInfo info = Info(name);
        if (destination.Length != info.ElementCount)
            throw Mismatch(info, $"has {info.ElementCount} elements but the destination holds {destination.Length}");
        ConvertFloat(info, destination);
    }

    /// <summary>Reads an I32 tensor, or an I64 tensor whose every value fits in an <see cref="int"/>.</summary>
    /// <exception cref="SafeTensorsFormatException">The tensor is missing, has another dtype, or holds an I64 value out of range.</exception>
    public int[] ReadInt32(string name)
    {
        TensorInfo info = Info(name);
        RequireLittleEndianHost();
        var result = new int[info.ElementCount];
        ReadOnlySpan<byte> raw = Bytes(info);
        switch (info.DType)
        {
            case SafeTensorsDType.I32:
                raw.CopyTo(MemoryMarshal.AsBytes(result.AsSpan()));
                break;
            case SafeTensorsDType.I64:
                ReadOnlySpan<long> wide = MemoryMarshal.Cast<byte, long>(raw);
                for (int i = 0; i < wide.Length; i++)
                {
                    long v = wide[i];
                    if (v is < int.MinValue or > int.MaxValue)
                        throw Mismatch(info, $"holds {v} at index {i}, which does not fit in Int32");
                    result[i] = (int)v;
                }
                break;
            default:
                throw WrongDType(info, nameof(Int32));
        }
        return result;
    }

    /// <summary>Reads an I64 tensor, or an I32 tensor widened to <see cref="long"/>.</summary>
    /// <exception cref="SafeTensorsFormatException">The tensor is missing or has another dtype.</exception>
    public long[] ReadInt64(string name)
    {
        TensorInfo info = Info(name);
        RequireLittleEndianHost();
        var result = new long[info.ElementCount];
        ReadOnlySpan<byte> raw = Bytes(info);
        switch (info.DType)
        {
            case SafeTensorsDType.I64:
                raw.CopyTo(MemoryMarshal.AsBytes(result.AsSpan()));
                break;
            case SafeTensorsDType.I32:
                TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, int>(raw), result.AsSpan());
                break;
            default:
                throw WrongDType(info, nameof(Int64));
        }
        return result;
    }

    internal static string Where(string? sourceName) =>
        sourceName is null ? "safetensors data" : $"safetensors file '{sourceName}'";

    // Names come from the file and may be megabytes long; messages only need enough to recognise them.
    internal static string Shorten(string text) => text.Length <= 120 ? text : string.Concat(text.AsSpan(0, 120), "…");

    private static SafeTensorsFormatException TooShort(string? sourceName, long length) =>
        new($"{Where(sourceName)}: is {length} bytes, shorter than the {LengthPrefixBytes}-byte header length prefix.");

    private static void CheckHeaderLength(string? sourceName, ulong declared, long available)
    {
        if (declared > MaxHeaderBytes)
            throw new SafeTensorsFormatException($"{Where(sourceName)}: header length {declared} exceeds the limit of {MaxHeaderBytes} bytes.");
        if ((long)declared > available)
            throw new SafeTensorsFormatException($"{Where(sourceName)}: header length {declared} is larger than the {available} bytes that follow the length prefix.");
    }

    private static byte[] ReadUnseekable(Stream stream, byte[] prefix, string? sourceName)
    {
        int got = stream.ReadAtLeast(prefix, LengthPrefixBytes, throwOnEndOfStream: false);
        if (got < LengthPrefixBytes) throw TooShort(sourceName, got);
        ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (declared > MaxHeaderBytes)
            throw new SafeTensorsFormatException($"{Where(sourceName)}: header length {declared} exceeds the limit of {MaxHeaderBytes} bytes.");

        // Grows only with bytes actually received, so a lying length cannot trigger a large allocation.
        var buffer = new MemoryStream();
        buffer.Write(prefix);
        byte[] chunk = new byte[81920];
        int n;
        while ((n = stream.Read(chunk)) > 0)
        {
            if (buffer.Length + n > Array.MaxLength)
                throw new SafeTensorsFormatException($"{Where(sourceName)}: is longer than the {Array.MaxLength} bytes that can be loaded.");
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    private ReadOnlySpan<byte> Bytes(TensorInfo info) => _data.Span[(int)info.DataBegin..(int)info.DataEnd];

    // Typed reads and writes reinterpret the little-endian data buffer as host-order values.
    internal static void RequireLittleEndianHost()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Typed safetensors reads and writes require a little-endian host.");
    }

    private void ConvertFloat<T>(TensorInfo info, Span<T> destination) where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireLittleEndianHost();
        ReadOnlySpan<byte> raw = Bytes(info);
        switch (info.DType)
        {
            case SafeTensorsDType.F64: Convert(MemoryMarshal.Cast<byte, double>(raw), destination); break;
            case SafeTensorsDType.F32: Convert(MemoryMarshal.Cast<byte, float>(raw), destination); break;
            case SafeTensorsDType.F16: Convert(MemoryMarshal.Cast<byte, Half>(raw), destination); break;
            case SafeTensorsDType.BF16:
                // bfloat16 is the upper half of a binary32, so widening is exact.
                ReadOnlySpan<ushort> bits = MemoryMarshal.Cast<byte, ushort>(raw);
                for (int i = 0; i < bits.Length; i++)
                    destination[i] = T.CreateTruncating(BitConverter.Int32BitsToSingle(bits[i] << 16));
                break;
            default:
                throw WrongDType(info, typeof(T).Name);
        }
    }

    private static void Convert<TFrom, T>(ReadOnlySpan<TFrom> source, Span<T> destination)
        where TFrom : unmanaged, IFloatingPointIeee754<TFrom>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(TFrom) == typeof(T)) MemoryMarshal.AsBytes(source).CopyTo(MemoryMarshal.AsBytes(destination));
        else TensorPrimitives.ConvertTruncating(source, destination);
    }

    private SafeTensorsFormatException WrongDType(TensorInfo info, string target) =>
        Mismatch(info, $"has dtype {info.DType.ToHeaderName()}, which cannot be read as {target}");

    private SafeTensorsFormatException Mismatch(TensorInfo info, string problem) =>
        new($"{Where(SourceName)}: tensor '{Shorten(info.Name)}' {problem}.");
}
