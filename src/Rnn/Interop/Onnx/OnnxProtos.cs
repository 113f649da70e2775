// Small constructors for the generated ONNX messages (onnx_subset.proto), so the exporter reads as a list of nodes.
using System.Runtime.InteropServices;
using Google.Protobuf;
using Rnn.Interop.Onnx.Proto;

namespace Rnn.Interop.Onnx;

/// <summary>Builds ONNX nodes, attributes, tensors and value infos.</summary>
internal static class OnnxProtos
{
    /// <summary>A node of the default (ai.onnx) domain.</summary>
    public static NodeProto Node(string opType, string name, IEnumerable<string> inputs, IEnumerable<string> outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        return node;
    }

    /// <summary>An INT attribute.</summary>
    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>A STRING attribute (UTF-8).</summary>
    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    /// <summary>An INTS attribute.</summary>
    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    /// <summary>A STRINGS attribute (UTF-8).</summary>
    public static AttributeProto Strings(string name, params string[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        attribute.Strings.AddRange(values.Select(ByteString.CopyFromUtf8));
        return attribute;
    }

    /// <summary>A FLOAT tensor stored as little-endian raw_data.</summary>
    /// <exception cref="PlatformNotSupportedException">The host is big-endian.</exception>
    public static TensorProto Float(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw_data is little-endian; writing it needs a little-endian host.");
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values)) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    /// <summary>An INT64 tensor.</summary>
    public static TensorProto Int64(string name, long[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Int64Data.AddRange(values);
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    /// <summary>An INT32 tensor.</summary>
    public static TensorProto Int32(string name, int[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int32 };
        tensor.Int32Data.AddRange(values);
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    /// <summary>A tensor value info; each dimension is an <see cref="int"/> (fixed) or a <see cref="string"/> (symbolic, dim_param).</summary>
    public static ValueInfoProto Value(string name, TensorProto.Types.DataType type, string doc, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (object d in dims)
            shape.Dim.Add(d switch
            {
                int n => new TensorShapeProto.Types.Dimension { DimValue = n },
                string p => new TensorShapeProto.Types.Dimension { DimParam = p },
                _ => throw new ArgumentException($"A dimension is a number or a name, not {d.GetType().Name}.", nameof(dims)),
            });
        return new ValueInfoProto
        {
            Name = name,
            DocString = doc,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
