using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Rnn.IO;
using Xunit;
using static Rnn.Tests.IO.SafeTensorsTestFiles;

namespace Rnn.Tests.IO;

public class SafeTensorsStrictnessTests
{
    private const string Entry = """{"dtype":"F32","shape":[2],"data_offsets":[0,8]}""";

    private static void AssertRejected(byte[] bytes, params string[] expectedInMessage)
    {
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Parse(bytes, "bad.safetensors"));
        Assert.Contains("bad.safetensors", e.Message);
        foreach (string expected in expectedInMessage) Assert.Contains(expected, e.Message);
    }

    private static void AssertRejected(string header, int dataLength, params string[] expectedInMessage) =>
        AssertRejected(Build(header, dataLength), expectedInMessage);

    private static byte[] WithHeaderLength(byte[] bytes, ulong length)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, length);
        return bytes;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public void Parse_ShorterThanLengthPrefix_Rejected(int length) =>
        AssertRejected(new byte[length], $"is {length} bytes", "shorter than the 8-byte");

    [Fact]
    public void Load_EmptyFile_Rejected()
    {
        string path = Path.Combine(Path.GetTempPath(), $"rnn-empty-{Guid.NewGuid():N}.safetensors");
        File.WriteAllBytes(path, []);
        try
        {
            var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Load(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("shorter than", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Parse_HeaderLengthBeyondFile_Rejected() =>
        AssertRejected(WithHeaderLength(Sample(), (ulong)Sample().Length), "header length", "larger than");

    [Theory]
    [InlineData(100UL * 1024 * 1024 + 1)]
    [InlineData(ulong.MaxValue)]
    [InlineData(1UL << 63)]
    public void Parse_HeaderLengthOverLimit_Rejected(ulong length) =>
        AssertRejected(WithHeaderLength(Sample(), length), "exceeds the limit");

    [Fact]
    public void LoadStream_SeekableWithLyingHeaderLength_RejectedWithoutLargeAllocation()
    {
        using var stream = new MemoryStream(WithHeaderLength(Sample(), 90UL * 1024 * 1024));

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Load(stream));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("larger than", e.Message);
        Assert.True(allocated < 1024 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void LoadStream_NonSeekableWithLyingHeaderLength_RejectedWithoutLargeAllocation()
    {
        using var stream = new NonSeekableStream(WithHeaderLength(Sample(), 90UL * 1024 * 1024));

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Load(stream));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("larger than", e.Message);
        Assert.True(allocated < 1024 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void LoadStream_ClaimsTerabyteLength_RejectedBeforeReadingData()
    {
        byte[] head = Build("{}    ", 0);
        using var stream = new HugeClaimStream(head, 1L << 40);

        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Load(stream));
        Assert.Contains("can be loaded", e.Message);
    }

    [Fact]
    public void Parse_HeaderNotUtf8_Rejected() =>
        AssertRejected(Build([(byte)'{', 0xFF, 0xFE, (byte)'}'], []), "not valid UTF-8");

    [Fact]
    public void Parse_HeaderOverlongUtf8Encoding_Rejected() =>
        AssertRejected(Build([(byte)'{', 0xC0, 0xAF, (byte)'}'], []), "not valid UTF-8");

    [Theory]
    [InlineData("{")]
    [InlineData("{\"a\":}")]
    [InlineData("{} {}")]
    [InlineData("{\"a\":1,}")]
    [InlineData("{/*c*/}")]
    public void Parse_HeaderNotJson_Rejected(string header) => AssertRejected(header, 0, "not valid JSON");

    [Theory]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("42")]
    [InlineData(" {}")]
    [InlineData("\ufeff{}")]
    [InlineData("")]
    public void Parse_HeaderNotAnObject_Rejected(string header) => AssertRejected(header, 0, "does not start with '{'");

    [Theory]
    [InlineData("dtype")]
    [InlineData("shape")]
    [InlineData("data_offsets")]
    public void Parse_EntryMissingField_Rejected(string field)
    {
        var fields = new Dictionary<string, string> { ["dtype"] = "\"F32\"", ["shape"] = "[2]", ["data_offsets"] = "[0,8]" };
        fields.Remove(field);
        string header = "{\"w\":{" + string.Join(",", fields.Select(f => $"\"{f.Key}\":{f.Value}")) + "}}";

        AssertRejected(header, 8, "tensor 'w'", $"missing \"{field}\"");
    }

    [Fact]
    public void Parse_EntryNotAnObject_Rejected() => AssertRejected("""{"w":[1,2]}""", 0, "tensor 'w'", "not an object");

    [Fact]
    public void Parse_EntryUnknownField_Rejected() =>
        AssertRejected("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"extra":1}}""", 8, "unknown field 'extra'");

    [Fact]
    public void Parse_EntryDuplicateField_Rejected() =>
        AssertRejected("""{"w":{"dtype":"F32","dtype":"F64","shape":[2],"data_offsets":[0,8]}}""", 8, "'dtype' more than once");

    [Theory]
    [InlineData("""{"dtype":32,"shape":[2],"data_offsets":[0,8]}""", "\"dtype\" is a JSON Number")]
    [InlineData("""{"dtype":"F32","shape":"2","data_offsets":[0,8]}""", "\"shape\" is a JSON String")]
    [InlineData("""{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}""", "shape[0] is a JSON String")]
    [InlineData("""{"dtype":"F32","shape":[null],"data_offsets":[0,8]}""", "shape[0] is a JSON Null")]
    [InlineData("""{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}""", "shape[0] is -2")]
    [InlineData("""{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}""", "shape[0] is 2.0")]
    [InlineData("""{"dtype":"F32","shape":[2e0],"data_offsets":[0,8]}""", "shape[0] is 2e0")]
    [InlineData("""{"dtype":"F32","shape":[1,2147483648],"data_offsets":[0,8]}""", "shape[1] is 2147483648")]
    [InlineData("""{"dtype":"F32","shape":[2],"data_offsets":"0,8"}""", "\"data_offsets\" is a JSON String")]
    [InlineData("""{"dtype":"F32","shape":[2],"data_offsets":[0]}""", "has 1 entries, not 2")]
    [InlineData("""{"dtype":"F32","shape":[2],"data_offsets":[0,8,8]}""", "has 3 entries, not 2")]
    [InlineData("""{"dtype":"F32","shape":[2],"data_offsets":[-1,8]}""", "data_offsets[0] is -1")]
    [InlineData("""{"dtype":"F32","shape":[2],"data_offsets":[0,"8"]}""", "data_offsets[1] is a JSON String")]
    [InlineData("""{"dtype":"F32","shape":[2],"data_offsets":[0,18446744073709551624]}""", "data_offsets[1] is 18446744073709551624")]
    public void Parse_EntryFieldOfWrongType_Rejected(string entry, string expected) =>
        AssertRejected("{\"w\":" + entry + "}", 8, "tensor 'w'", expected);

    [Theory]
    [InlineData("F128")]
    [InlineData("f32")]
    [InlineData("float32")]
    [InlineData("")]
    public void Parse_UnknownDType_Rejected(string dtype) =>
        AssertRejected($$$"""{"w":{"dtype":"{{{dtype}}}","shape":[2],"data_offsets":[0,8]}}""", 8, $"unknown dtype '{dtype}'");

    [Fact]
    public void Parse_ShapeProductOverflowsLong_Rejected() =>
        AssertRejected("""{"w":{"dtype":"U8","shape":[2147483647,2147483647,2147483647,2147483647],"data_offsets":[0,8]}}""", 8, "more than 268435455 elements");

    [Fact]
    public void Parse_ShapeAboveElementLimit_Rejected() =>
        AssertRejected("""{"w":{"dtype":"U8","shape":[268435456],"data_offsets":[0,8]}}""", 8, "more than 268435455 elements");

    [Fact]
    public void Parse_ZeroDimensionAfterHugeOnes_IsEmptyNotOverflow()
    {
        SafeTensorsFile file = SafeTensorsFile.Parse(Build("""{"w":{"dtype":"F64","shape":[2147483647,2147483647,2147483647,0],"data_offsets":[0,0]}}"""));

        Assert.Equal(0, file.Info("w").ElementCount);
    }

    [Fact]
    public void Parse_RankAboveLimit_Rejected() =>
        AssertRejected("""{"w":{"dtype":"U8","shape":[1,1,1,1,1,1,1,1,1],"data_offsets":[0,1]}}""", 1, "rank 9");

    [Fact]
    public void Parse_ShapeDisagreesWithByteRange_Rejected() =>
        AssertRejected("""{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8, "tensor 'w'", "needing 12 bytes", "span 8");

    [Fact]
    public void Parse_ByteRangeNotMultipleOfDTypeSize_Rejected() =>
        AssertRejected("""{"w":{"dtype":"F64","shape":[1],"data_offsets":[0,7]}}""", 7, "needing 8 bytes", "span 7");

    [Fact]
    public void Parse_OffsetsBeyondDataBuffer_Rejected() =>
        AssertRejected("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 4, "beyond the 4-byte data buffer");

    [Fact]
    public void Parse_BeginAfterEnd_Rejected() =>
        AssertRejected("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}""", 8, "begin after end");

    [Fact]
    public void Parse_OverlappingTensors_Rejected() =>
        AssertRejected("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12, "tensor 'b'", "overlapping tensor 'a'");

    [Fact]
    public void Parse_TwoTensorsSharingBytes_Rejected() =>
        AssertRejected("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I32","shape":[2],"data_offsets":[0,8]}}""", 8, "overlapping");

    [Fact]
    public void Parse_EmptyTensorInsideAnother_Rejected() =>
        AssertRejected("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}}""", 8, "overlapping");

    [Fact]
    public void Parse_GapBetweenTensors_Rejected() =>
        AssertRejected("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""", 12, "tensor 'b'", "gap", "[4, 8)");

    [Fact]
    public void Parse_GapAtStart_Rejected() =>
        AssertRejected("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "gap", "[0, 4)");

    [Fact]
    public void Parse_TrailingUnusedBytes_Rejected() =>
        AssertRejected("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 9, "1 trailing bytes");

    [Fact]
    public void Parse_DataWithoutTensors_Rejected() => AssertRejected("{}", 3, "3 trailing bytes");

    [Fact]
    public void Parse_DuplicateTensorName_Rejected() =>
        AssertRejected("{\"w\":" + Entry + ",\"w\":" + Entry + "}", 8, "'w' appears more than once");

    [Fact]
    public void Parse_DuplicateTensorNameSpelledWithEscape_Rejected() =>
        AssertRejected("{\"w\":" + Entry + ",\"\\u0077\":" + Entry + "}", 8, "'w' appears more than once");

    [Fact]
    public void Parse_DuplicateMetadataObject_Rejected() =>
        AssertRejected("""{"__metadata__":{},"__metadata__":{}}""", 0, "'__metadata__' appears more than once");

    [Fact]
    public void Parse_DuplicateMetadataKey_Rejected() =>
        AssertRejected("""{"__metadata__":{"kind":"a","kind":"b"}}""", 0, "key 'kind' appears more than once");

    [Theory]
    [InlineData("""{"__metadata__":[]}""", "is a JSON Array")]
    [InlineData("""{"__metadata__":"x"}""", "is a JSON String")]
    [InlineData("""{"__metadata__":null}""", "is a JSON Null")]
    public void Parse_MetadataNotAnObject_Rejected(string header, string expected) =>
        AssertRejected(header, 0, "'__metadata__'", expected);

    [Theory]
    [InlineData("""{"__metadata__":{"n":1}}""", "Number")]
    [InlineData("""{"__metadata__":{"n":{"x":"y"}}}""", "Object")]
    [InlineData("""{"__metadata__":{"n":true}}""", "True")]
    [InlineData("""{"__metadata__":{"n":null}}""", "Null")]
    public void Parse_MetadataValueNotString_Rejected(string header, string kind) =>
        AssertRejected(header, 0, "value of 'n'", kind, "not a string");

    [Fact]
    public void Parse_EmptyTensorName_Rejected() =>
        AssertRejected("{\"\":" + Entry + "}", 8, "empty name");

    [Fact]
    public void Parse_TensorNameWithLoneSurrogateEscape_Rejected() =>
        AssertRejected("{\"\\ud800\":" + Entry + "}", 8, "not valid Unicode");

    [Fact]
    public void Parse_MetadataValueWithLoneSurrogateEscape_Rejected() =>
        AssertRejected("""{"__metadata__":{"k":"\udc00"}}""".Replace("\udc00", "\\udc00"), 0, "not valid Unicode");

    [Fact]
    public void Parse_MoreTensorsThanLimit_Rejected()
    {
        var header = new StringBuilder("{");
        for (int i = 0; i <= SafeTensorsFile.MaxTensors; i++)
        {
            if (i > 0) header.Append(',');
            // The count is checked before any entry is looked at, so the entries need not be valid.
            header.Append("\"t").Append(i).Append("\":0");
        }
        header.Append('}');

        AssertRejected(header.ToString(), 0, $"declares {SafeTensorsFile.MaxTensors + 1} tensors, more than the limit");
    }

    [Fact]
    public void Parse_HundredMegabyteGarbageHeader_RejectedQuickly()
    {
        var random = new Random(5);
        byte[] header = new byte[SafeTensorsFile.MaxHeaderBytes];
        random.NextBytes(header);
        header[0] = (byte)'{';
        var stopwatch = Stopwatch.StartNew();

        AssertRejected(Build(header, []), "not valid UTF-8");

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public void Parse_HundredMegabyteDeeplyNestedHeader_RejectedQuickly()
    {
        byte[] header = new byte[SafeTensorsFile.MaxHeaderBytes];
        header.AsSpan().Fill((byte)'[');
        "{\"a\":"u8.CopyTo(header);
        var stopwatch = Stopwatch.StartNew();

        AssertRejected(Build(header, []), "not valid JSON");

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
    }

    /// <summary>A seekable stream that reports a huge length but only holds a few real bytes.</summary>
    private sealed class HugeClaimStream(byte[] head, long claimedLength) : Stream
    {
        private long _position;
        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => claimedLength;
        public override long Position { get => _position; set => _position = value; }
        public override void Flush() { }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = (int)Math.Clamp(head.Length - _position, 0, count);
            Array.Copy(head, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
