using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Rnn.IO;

/// <summary>
/// Collects tensors and metadata and writes them as a safetensors file that <see cref="SafeTensorsFile"/> accepts.
/// Output is deterministic: tensors appear in insertion order (in the header and the data buffer), metadata keys in
/// ordinal order, and the header is padded with spaces to a multiple of 8 bytes.
/// Adding a tensor throws <see cref="PlatformNotSupportedException"/> on a big-endian host.
/// </summary>
public sealed class SafeTensorsWriter
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly List<Entry> _tensors = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>Metadata written as the header's <c>__metadata__</c> object (omitted when empty). Keys and values must not be null.</summary>
    public IDictionary<string, string> Metadata { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Adds an F32 tensor, copying <paramref name="data"/> (row-major) at the time of the call.</summary>
    /// <exception cref="ArgumentException">The name is empty, reserved, already added or not valid UTF-16; a dimension is
    /// negative; the rank exceeds <see cref="SafeTensorsFile.MaxRank"/>; or the shape's product differs from the data length
    /// or exceeds <see cref="SafeTensorsFile.MaxElements"/>.</exception>
    /// <exception cref="InvalidOperationException"><see cref="SafeTensorsFile.MaxTensors"/> tensors were already added.</exception>
    public void Add(string name, ReadOnlySpan<float> data, params int[] shape) => AddCore(name, SafeTensorsDType.F32, MemoryMarshal.AsBytes(data), data.Length, shape);

    /// <summary>Adds an F64 tensor; otherwise as <see cref="Add(string, ReadOnlySpan{float}, int[])"/>.</summary>
    /// <exception cref="ArgumentException">See <see cref="Add(string, ReadOnlySpan{float}, int[])"/>.</exception>
    /// <exception cref="InvalidOperationException">See <see cref="Add(string, ReadOnlySpan{float}, int[])"/>.</exception>
    public void Add(string name, ReadOnlySpan<double> data, params int[] shape) => AddCore(name, SafeTensorsDType.F64, MemoryMarshal.AsBytes(data), data.Length, shape);

    /// <summary>Adds an I32 tensor; otherwise as <see cref="Add(string, ReadOnlySpan{float}, int[])"/>.</summary>
    /// <exception cref="ArgumentException">See <see cref="Add(string, ReadOnlySpan{float}, int[])"/>.</exception>
    /// <exception cref="InvalidOperationException">See <see cref="Add(string, ReadOnlySpan{float}, int[])"/>.</exception>
    public void Add(string name, ReadOnlySpan<int> data, params int[] shape) => AddCore(name, SafeTensorsDType.I32, MemoryMarshal.AsBytes(data), data.Length, shape);

    /// <summary>Adds an I64 tensor; otherwise as <see cref="Add(string, ReadOnlySpan{float}, int[])"/>.</summary>
    /// <exception cref="ArgumentException">See <see cref="Add(string, ReadOnlySpan{float}, int[])"/>.</exception>
    /// <exception cref="InvalidOperationException">See <see cref="Add(string, ReadOnlySpan{float}, int[])"/>.</exception>
    public void Add(string name, ReadOnlySpan<long> data, params int[] shape) => AddCore(name, SafeTensorsDType.I64, MemoryMarshal.AsBytes(data), data.Length, shape);

    /// <summary>
    /// Adds a floating-point tensor stored in its own precision: <see cref="float"/> as F32, <see cref="double"/> as F64,
    /// <see cref="Half"/> as F16. Otherwise as <see cref="Add(string, ReadOnlySpan{float}, int[])"/>.
    /// </summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is another floating-point type.</exception>
    /// <exception cref="ArgumentException">See <see cref="Add(string, ReadOnlySpan{float}, int[])"/>.</exception>
    /// <exception cref="InvalidOperationException">See <see cref="Add(string, ReadOnlySpan{float}, int[])"/>.</exception>
    public void Add<T>(string name, ReadOnlySpan<T> data, params int[] shape) where T : unmanaged, IFloatingPointIeee754<T>
    {
        SafeTensorsDType dtype =
            typeof(T) == typeof(float) ? SafeTensorsDType.F32
            : typeof(T) == typeof(double) ? SafeTensorsDType.F64
            : typeof(T) == typeof(Half) ? SafeTensorsDType.F16
            : throw new NotSupportedException($"safetensors has no dtype for {typeof(T).Name}; use float, double or Half.");
        AddCore(name, dtype, MemoryMarshal.AsBytes(data), data.Length, shape);
    }

    /// <summary>Writes the file to <paramref name="stream"/> at its current position. The stream is not flushed or disposed.</summary>
    /// <exception cref="ArgumentException">A metadata key or value is null or not valid UTF-16 (nothing is written then).</exception>
    /// <exception cref="InvalidOperationException">The header would exceed <see cref="SafeTensorsFile.MaxHeaderBytes"/> or the
    /// file would be too large for <see cref="SafeTensorsFile"/> to load (nothing is written then).</exception>
    public void Write(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        WriteCore(stream, BuildHeader());
    }

    /// <summary>Writes the file to <paramref name="path"/> atomically via <see cref="AtomicFile.Write"/>, replacing any existing file.</summary>
    /// <exception cref="ArgumentException">See <see cref="Write"/>; or <paramref name="path"/> is empty or a directory.</exception>
    /// <exception cref="InvalidOperationException">See <see cref="Write"/>.</exception>
    /// <exception cref="IOException">The file system fails; the previous file, if any, is then unchanged.</exception>
    public void Save(string path)
    {
        // Built first so invalid metadata or an oversized file fails before the file system is touched.
        byte[] header = BuildHeader();
        AtomicFile.Write(path, stream => WriteCore(stream, header));
    }

    private void WriteCore(Stream stream, byte[] header)
    {
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        foreach (Entry t in _tensors) stream.Write(t.Bytes);
    }

    private void AddCore(string name, SafeTensorsDType dtype, ReadOnlySpan<byte> bytes, int length, int[] shape)
    {
        SafeTensorsFile.RequireLittleEndianHost();
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        if (name.Length == 0) throw new ArgumentException("Tensor names must not be empty.", nameof(name));
        if (name == SafeTensorsFile.MetadataKey) throw new ArgumentException($"'{SafeTensorsFile.MetadataKey}' is reserved for metadata.", nameof(name));
        RequireUtf16(name, "Tensor name", nameof(name));
        if (_names.Contains(name)) throw new ArgumentException($"A tensor named '{name}' was already added.", nameof(name));
        if (_tensors.Count == SafeTensorsFile.MaxTensors)
            throw new InvalidOperationException($"At most {SafeTensorsFile.MaxTensors} tensors can be written.");
        if (shape.Length > SafeTensorsFile.MaxRank)
            throw new ArgumentException($"Tensor '{name}' has rank {shape.Length}; at most {SafeTensorsFile.MaxRank} is supported.", nameof(shape));

        long count = 1;
        foreach (int dim in shape)
        {
            if (dim < 0) throw new ArgumentException($"Tensor '{name}' has negative dimension {dim} in shape [{string.Join(", ", shape)}].", nameof(shape));
            // Saturating at MaxElements + 1 keeps the product from overflowing while still detecting "too many".
            count = Math.Min(count * dim, SafeTensorsFile.MaxElements + 1L);
        }
        if (count > SafeTensorsFile.MaxElements)
            throw new ArgumentException($"Tensor '{name}' with shape [{string.Join(", ", shape)}] has more than {SafeTensorsFile.MaxElements} elements.", nameof(shape));
        if (count != length)
            throw new ArgumentException($"Tensor '{name}' has shape [{string.Join(", ", shape)}] of {count} elements but {length} values were given.", nameof(shape));

        _tensors.Add(new Entry(name, dtype, (int[])shape.Clone(), bytes.ToArray()));
        _names.Add(name);
    }

    private byte[] BuildHeader()
    {
        foreach (KeyValuePair<string, string> pair in Metadata)
        {
            if (pair.Value is null) throw new ArgumentException($"Metadata value of '{pair.Key}' is null.", nameof(Metadata));
            RequireUtf16(pair.Key, "Metadata key", nameof(Metadata));
            RequireUtf16(pair.Value, $"Metadata value of '{pair.Key}'", nameof(Metadata));
        }

        var buffer = new ArrayBufferWriter<byte>();
        // Relaxed escaping writes non-ASCII text as UTF-8 rather than \u escapes, as other safetensors writers do;
        // its HTML-safety caveat does not apply to a binary file header.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (Metadata.Count > 0)
            {
                json.WriteStartObject(SafeTensorsFile.MetadataKey);
                foreach (KeyValuePair<string, string> pair in Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                    json.WriteString(pair.Key, pair.Value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (Entry t in _tensors)
            {
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", t.DType.ToHeaderName());
                json.WriteStartArray("shape");
                foreach (int dim in t.Shape) json.WriteNumberValue(dim);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += t.Bytes.Length;
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }

        int padded = (buffer.WrittenCount + 7) & ~7;
        if (padded > SafeTensorsFile.MaxHeaderBytes)
            throw new InvalidOperationException($"The header would be {padded} bytes; SafeTensorsFile accepts at most {SafeTensorsFile.MaxHeaderBytes}.");
        long fileLength = 8L + padded + _tensors.Sum(t => (long)t.Bytes.Length);
        if (fileLength > Array.MaxLength)
            throw new InvalidOperationException($"The file would be {fileLength} bytes; SafeTensorsFile loads at most {Array.MaxLength}.");
        byte[] header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }

    // Utf8JsonWriter silently escapes lone surrogates, producing a header that readers must reject.
    private static void RequireUtf16(string text, string what, string parameter)
    {
        try
        {
            StrictUtf8.GetByteCount(text);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException($"{what} '{text}' contains a lone surrogate and cannot be encoded as UTF-8.", parameter, e);
        }
    }

    private sealed record Entry(string Name, SafeTensorsDType DType, int[] Shape, byte[] Bytes);
}
