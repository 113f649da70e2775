namespace Rnn.IO;

/// <summary>
/// One tensor entry of a validated safetensors header. Offsets are relative to the first byte of the data buffer
/// (the byte after the header), as in the file.
/// </summary>
public sealed record TensorInfo
{
    internal TensorInfo(string name, SafeTensorsDType dtype, int[] shape, long dataBegin, long dataEnd, int elementCount)
    {
        Name = name;
        DType = dtype;
        Shape = Array.AsReadOnly(shape);
        DataBegin = dataBegin;
        DataEnd = dataEnd;
        ElementCount = elementCount;
    }

    /// <summary>The tensor's name (its key in the header).</summary>
    public string Name { get; }

    /// <summary>The element type declared in the header.</summary>
    public SafeTensorsDType DType { get; }

    /// <summary>The dimensions, outermost first; empty for a scalar. Every dimension is non-negative.</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>Offset of the tensor's first byte within the data buffer.</summary>
    public long DataBegin { get; }

    /// <summary>Offset one past the tensor's last byte within the data buffer.</summary>
    public long DataEnd { get; }

    /// <summary>Number of bytes the tensor occupies: <see cref="DataEnd"/> − <see cref="DataBegin"/>.</summary>
    public long ByteLength => DataEnd - DataBegin;

    /// <summary>Product of <see cref="Shape"/> (1 for a scalar, 0 if any dimension is 0).</summary>
    public int ElementCount { get; }

    /// <summary>True when <paramref name="other"/> has the same name, dtype, shape and offsets.</summary>
    public bool Equals(TensorInfo? other) =>
        other is not null
        && Name == other.Name
        && DType == other.DType
        && Shape.SequenceEqual(other.Shape)
        && DataBegin == other.DataBegin
        && DataEnd == other.DataEnd;

    /// <summary>Hash consistent with <see cref="Equals(TensorInfo?)"/>.</summary>
    public override int GetHashCode() => HashCode.Combine(Name, DType, Shape.Count, DataBegin, DataEnd);

    /// <summary>Returns e.g. <c>weight: F32 [3, 4] bytes [0, 48)</c>.</summary>
    public override string ToString() => $"{Name}: {DType.ToHeaderName()} [{string.Join(", ", Shape)}] bytes [{DataBegin}, {DataEnd})";
}
