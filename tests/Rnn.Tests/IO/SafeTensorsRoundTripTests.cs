using System.Buffers.Binary;
using System.Text;
using Rnn.IO;
using Xunit;
using static Rnn.Tests.IO.SafeTensorsTestFiles;

namespace Rnn.Tests.IO;

public class SafeTensorsRoundTripTests
{
    private static SafeTensorsFile RoundTrip(SafeTensorsWriter writer) => SafeTensorsFile.Parse(ToBytes(writer));

    [Fact]
    public void Float32_RoundTrip_PreservesValuesShapeAndDType()
    {
        float[] values = Floats(new Random(11), 24);
        var writer = new SafeTensorsWriter();
        writer.Add("w", values, 2, 3, 4);

        SafeTensorsFile file = RoundTrip(writer);

        TensorInfo info = file.Info("w");
        Assert.Equal(SafeTensorsDType.F32, info.DType);
        Assert.Equal([2, 3, 4], info.Shape);
        Assert.Equal(24, info.ElementCount);
        Assert.Equal(96, info.ByteLength);
        Assert.Equal(values, file.ReadSingle("w"));
        Assert.Equal(values, file.Read<float>("w"));
    }

    [Fact]
    public void Float64_RoundTrip_PreservesValues()
    {
        double[] values = [.. Doubles(new Random(12), 9), double.NaN, double.PositiveInfinity, -0.0, double.Epsilon];
        var writer = new SafeTensorsWriter();
        writer.Add("w", values, 13);

        SafeTensorsFile file = RoundTrip(writer);

        Assert.Equal(SafeTensorsDType.F64, file.Info("w").DType);
        double[] read = file.ReadDouble("w");
        Assert.Equal(values.Select(BitConverter.DoubleToInt64Bits), read.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void Int32_RoundTrip_PreservesValues()
    {
        int[] values = [int.MinValue, -1, 0, 1, int.MaxValue, 42];
        var writer = new SafeTensorsWriter();
        writer.Add("i", values, 3, 2);

        SafeTensorsFile file = RoundTrip(writer);

        Assert.Equal(SafeTensorsDType.I32, file.Info("i").DType);
        Assert.Equal(values, file.ReadInt32("i"));
        Assert.Equal(values.Select(v => (long)v), file.ReadInt64("i"));
    }

    [Fact]
    public void Int64_RoundTrip_PreservesValues()
    {
        long[] values = [long.MinValue, -1, 0, long.MaxValue];
        var writer = new SafeTensorsWriter();
        writer.Add("l", values, 4);

        SafeTensorsFile file = RoundTrip(writer);

        Assert.Equal(SafeTensorsDType.I64, file.Info("l").DType);
        Assert.Equal(values, file.ReadInt64("l"));
    }

    [Fact]
    public void Half_GenericAdd_StoresF16AndReadsBackExactly()
    {
        Half[] values = [(Half)0.5f, (Half)(-2f), Half.MaxValue, (Half)0.1f];
        var writer = new SafeTensorsWriter();
        writer.Add<Half>("h", values, 2, 2);

        SafeTensorsFile file = RoundTrip(writer);

        Assert.Equal(SafeTensorsDType.F16, file.Info("h").DType);
        Assert.Equal(values, file.Read<Half>("h"));
        Assert.Equal(values.Select(v => (float)v), file.ReadSingle("h"));
        Assert.Equal(values.Select(v => (double)v), file.ReadDouble("h"));
    }

    [Fact]
    public void GenericAdd_FloatAndDouble_StoreTheirOwnPrecision()
    {
        var writer = new SafeTensorsWriter();
        writer.Add<float>("f", [1.5f], 1);
        writer.Add<double>("d", [1.5], 1);

        SafeTensorsFile file = RoundTrip(writer);

        Assert.Equal(SafeTensorsDType.F32, file.Info("f").DType);
        Assert.Equal(SafeTensorsDType.F64, file.Info("d").DType);
    }

    [Fact]
    public void BFloat16_ReadAsFloatAndDouble_WidensExactly()
    {
        // 0x3FC0 = 1.5, 0xC000 = -2, 0x7F80 = +inf in bfloat16.
        byte[] data = [0xC0, 0x3F, 0x00, 0xC0, 0x80, 0x7F];
        byte[] bytes = Build(Encoding.UTF8.GetBytes("""{"b":{"dtype":"BF16","shape":[3],"data_offsets":[0,6]}}"""), data);

        SafeTensorsFile file = SafeTensorsFile.Parse(bytes);

        Assert.Equal([1.5f, -2f, float.PositiveInfinity], file.ReadSingle("b"));
        Assert.Equal([1.5, -2.0, double.PositiveInfinity], file.ReadDouble("b"));
    }

    [Fact]
    public void Float32File_ReadAsDouble_WidensExactly()
    {
        float[] values = Floats(new Random(13), 10);
        var writer = new SafeTensorsWriter();
        writer.Add("w", values, 10);

        SafeTensorsFile file = RoundTrip(writer);

        Assert.Equal(values.Select(v => (double)v), file.ReadDouble("w"));
        Assert.Equal(values.Select(v => (double)v), file.Read<double>("w"));
    }

    [Fact]
    public void Float64File_ReadAsFloat_RoundsToNearest()
    {
        double[] values = Doubles(new Random(14), 10);
        var writer = new SafeTensorsWriter();
        writer.Add("w", values, 10);

        SafeTensorsFile file = RoundTrip(writer);

        Assert.Equal(values.Select(v => (float)v), file.ReadSingle("w"));
        var destination = new float[10];
        file.ReadInto<float>("w", destination);
        Assert.Equal(values.Select(v => (float)v), destination);
    }

    [Fact]
    public void Metadata_NonAsciiKeysValuesAndNames_RoundTrip()
    {
        var writer = new SafeTensorsWriter();
        writer.Metadata["kind"] = "rnn";
        writer.Metadata["описание"] = "Gewichte für 日本語 🙂 \"quoted\" \\ back\nslash";
        writer.Metadata["empty"] = "";
        writer.Add("größe_重み_🙂", [1f, 2f], 2);

        SafeTensorsFile file = RoundTrip(writer);

        Assert.Equal(3, file.Metadata.Count);
        Assert.Equal("rnn", file.Metadata["kind"]);
        Assert.Equal("Gewichte für 日本語 🙂 \"quoted\" \\ back\nslash", file.Metadata["описание"]);
        Assert.Equal("", file.Metadata["empty"]);
        Assert.True(file.Contains("größe_重み_🙂"));
        Assert.Equal([1f, 2f], file.ReadSingle("größe_重み_🙂"));
    }

    [Fact]
    public void EmptyTensor_ShapeWithZero_RoundTripsWithNoBytes()
    {
        var writer = new SafeTensorsWriter();
        writer.Add("e", ReadOnlySpan<float>.Empty, 0);
        writer.Add("e3", ReadOnlySpan<double>.Empty, 3, 0, 2);
        writer.Add("after", [9f], 1);

        SafeTensorsFile file = RoundTrip(writer);

        Assert.Equal([0], file.Info("e").Shape);
        Assert.Equal([3, 0, 2], file.Info("e3").Shape);
        Assert.Empty(file.ReadSingle("e"));
        Assert.Empty(file.ReadDouble("e3"));
        Assert.Equal(0, file.Info("e3").ElementCount);
        Assert.Equal([9f], file.ReadSingle("after"));
    }

    [Fact]
    public void Scalar_EmptyShape_HoldsOneElement()
    {
        var writer = new SafeTensorsWriter();
        writer.Add("s", [3.25]);

        SafeTensorsFile file = RoundTrip(writer);

        Assert.Empty(file.Info("s").Shape);
        Assert.Equal(1, file.Info("s").ElementCount);
        Assert.Equal([3.25], file.ReadDouble("s"));
    }

    [Fact]
    public void Writer_SameInput_ProducesIdenticalPaddedBytesWithSortedMetadata()
    {
        static SafeTensorsWriter Make()
        {
            var writer = new SafeTensorsWriter();
            writer.Metadata["zeta"] = "1";
            writer.Metadata["alpha"] = "2";
            writer.Add("b", [1f, 2f, 3f], 3);
            writer.Add("a", [4.0], 1);
            return writer;
        }

        byte[] first = ToBytes(Make());
        byte[] second = ToBytes(Make());

        Assert.Equal(first, second);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(first);
        Assert.Equal(0UL, headerLength % 8);
        string header = Encoding.UTF8.GetString(first, 8, (int)headerLength);
        Assert.StartsWith("""{"__metadata__":{"alpha":"2","zeta":"1"},"b":""", header);
        Assert.True(header.IndexOf("\"b\"", StringComparison.Ordinal) < header.IndexOf("\"a\"", StringComparison.Ordinal));
        Assert.EndsWith("}", header.TrimEnd(' '));
    }

    [Fact]
    public void Writer_NoMetadata_OmitsMetadataKey()
    {
        var writer = new SafeTensorsWriter();
        writer.Add("a", [1f], 1);

        byte[] bytes = ToBytes(writer);

        Assert.DoesNotContain("__metadata__", Encoding.UTF8.GetString(bytes));
        Assert.Empty(SafeTensorsFile.Parse(bytes).Metadata);
    }

    [Fact]
    public void Writer_NoTensors_WritesLoadableFile()
    {
        SafeTensorsFile file = RoundTrip(new SafeTensorsWriter());

        Assert.Empty(file.Tensors);
        Assert.Empty(file.Metadata);
    }

    [Fact]
    public void Tensors_HeaderOrderDiffersFromBufferOrder_AreListedByOffset()
    {
        string header = """{"late":{"dtype":"U8","shape":[2],"data_offsets":[3,5]},"early":{"dtype":"I8","shape":[3],"data_offsets":[0,3]}}""";

        SafeTensorsFile file = SafeTensorsFile.Parse(Build(header, 5));

        Assert.Equal(["early", "late"], file.Tensors.Select(t => t.Name));
        Assert.Equal(SafeTensorsDType.U8, file.Info("late").DType);
        Assert.Equal(2, file.RawBytes("late").Length);
    }

    [Fact]
    public void RawBytes_ExistingTensor_ReturnsLittleEndianStorage()
    {
        var writer = new SafeTensorsWriter();
        writer.Add("i", [0x01020304], 1);

        SafeTensorsFile file = RoundTrip(writer);

        Assert.Equal([0x04, 0x03, 0x02, 0x01], file.RawBytes("i").ToArray());
    }

    [Fact]
    public void ReadInt32_I64ValuesInRange_Narrows()
    {
        var writer = new SafeTensorsWriter();
        writer.Add("l", [-5L, int.MaxValue], 2);

        Assert.Equal([-5, int.MaxValue], RoundTrip(writer).ReadInt32("l"));
    }

    [Fact]
    public void ReadInt32_I64ValueOutOfRange_ThrowsFormatException()
    {
        var writer = new SafeTensorsWriter();
        writer.Add("l", [1L, 1L << 40], 2);

        var e = Assert.Throws<SafeTensorsFormatException>(() => RoundTrip(writer).ReadInt32("l"));
        Assert.Contains("does not fit in Int32", e.Message);
        Assert.Contains("'l'", e.Message);
    }

    [Fact]
    public void Info_MissingTensor_ThrowsFormatExceptionNamingIt()
    {
        SafeTensorsFile file = SafeTensorsFile.Parse(Sample(), "model.safetensors");

        var e = Assert.Throws<SafeTensorsFormatException>(() => file.Info("nope"));
        Assert.Contains("missing tensor 'nope'", e.Message);
        Assert.Contains("model.safetensors", e.Message);
        Assert.False(file.Contains("nope"));
        Assert.Throws<SafeTensorsFormatException>(() => file.ReadSingle("nope"));
    }

    [Fact]
    public void ReadSingle_IntegerTensor_ThrowsFormatExceptionNamingDType()
    {
        SafeTensorsFile file = SafeTensorsFile.Parse(Sample());

        var e = Assert.Throws<SafeTensorsFormatException>(() => file.ReadSingle("ids"));
        Assert.Contains("dtype I32", e.Message);
        Assert.Contains("'ids'", e.Message);
    }

    [Fact]
    public void ReadInt64_FloatTensor_ThrowsFormatException()
    {
        SafeTensorsFile file = SafeTensorsFile.Parse(Sample());

        var e = Assert.Throws<SafeTensorsFormatException>(() => file.ReadInt64("weight_ih_l0"));
        Assert.Contains("dtype F32", e.Message);
    }

    [Fact]
    public void ReadInto_DestinationLengthDiffers_ThrowsFormatException()
    {
        SafeTensorsFile file = SafeTensorsFile.Parse(Sample());

        var e = Assert.Throws<SafeTensorsFormatException>(() => file.ReadInto<double>("weight_ih_l0", new double[11]));
        Assert.Contains("12 elements", e.Message);
        Assert.Contains("destination holds 11", e.Message);
    }

    [Fact]
    public void LoadStream_NonSeekable_ReadsSameAsParse()
    {
        byte[] bytes = Sample();
        using var stream = new NonSeekableStream(bytes);

        SafeTensorsFile file = SafeTensorsFile.Load(stream, "pipe");

        Assert.Equal(SafeTensorsFile.Parse(bytes).Tensors, file.Tensors);
        Assert.Equal("pipe", file.SourceName);
    }

    [Fact]
    public void LoadStream_SeekableAtOffset_ReadsFromCurrentPosition()
    {
        byte[] bytes = [0xAA, 0xBB, .. Sample()];
        using var stream = new MemoryStream(bytes);
        stream.Position = 2;

        SafeTensorsFile file = SafeTensorsFile.Load(stream);

        Assert.Equal("rnn", file.Metadata["kind"]);
    }

    [Fact]
    public void Writer_ShapeProductDiffersFromLength_ThrowsArgumentException()
    {
        var writer = new SafeTensorsWriter();

        var e = Assert.Throws<ArgumentException>(() => writer.Add("w", [1f, 2f, 3f], 2, 2));
        Assert.Contains("4 elements but 3 values", e.Message);
    }

    [Fact]
    public void Writer_DuplicateName_ThrowsArgumentException()
    {
        var writer = new SafeTensorsWriter();
        writer.Add("w", [1f], 1);

        Assert.Throws<ArgumentException>(() => writer.Add("w", [1.0], 1));
    }

    [Theory]
    [InlineData("")]
    [InlineData("__metadata__")]
    public void Writer_EmptyOrReservedName_ThrowsArgumentException(string name)
    {
        var writer = new SafeTensorsWriter();

        Assert.Throws<ArgumentException>(() => writer.Add(name, [1f], 1));
    }

    [Fact]
    public void Writer_NameWithLoneSurrogate_ThrowsArgumentException()
    {
        // Built in code because xunit's theory-data serialisation replaces lone surrogates.
        string name = "bad" + (char)0xD800 + "name";
        var writer = new SafeTensorsWriter();

        var e = Assert.Throws<ArgumentException>(() => writer.Add(name, [1f], 1));
        Assert.Contains("lone surrogate", e.Message);
    }

    [Fact]
    public void Writer_NegativeDimension_ThrowsArgumentException()
    {
        var writer = new SafeTensorsWriter();

        Assert.Throws<ArgumentException>(() => writer.Add("w", ReadOnlySpan<float>.Empty, 0, -1));
    }

    [Fact]
    public void Writer_HugeShapeProduct_ThrowsArgumentExceptionWithoutOverflow()
    {
        var writer = new SafeTensorsWriter();

        Assert.Throws<ArgumentException>(() => writer.Add("w", [1f], int.MaxValue, int.MaxValue, int.MaxValue, 2));
    }

    [Fact]
    public void Writer_MetadataWithLoneSurrogate_ThrowsArgumentExceptionAndWritesNothing()
    {
        var writer = new SafeTensorsWriter();
        writer.Metadata["k"] = "\udc00";
        using var stream = new MemoryStream();

        Assert.Throws<ArgumentException>(() => writer.Write(stream));
        Assert.Equal(0, stream.Length);
    }

    [Fact]
    public void Writer_GenericAddOfUnsupportedType_ThrowsNotSupported()
    {
        var writer = new SafeTensorsWriter();

        Assert.Throws<NotSupportedException>(() => writer.Add<System.Runtime.InteropServices.NFloat>("n", [default], 1));
    }
}
