using System.Diagnostics;
using System.Text;
using Rnn.Tests.IO;
using Rnn.Data;

namespace Rnn.Tests.Data;

public sealed class TextFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rnn-text-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string WriteFile(byte[] bytes)
    {
        string path = Path.Combine(_directory, "corpus.txt");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] Bytes(params int[] values) => [.. values.Select(v => (byte)v)];

    [Fact]
    public void ReadCorpus_PlainUtf8_ReturnsText()
    {
        string path = WriteFile(Encoding.UTF8.GetBytes("héllo 我 😀\nworld\n"));

        Assert.Equal("héllo 我 😀\nworld\n", TextFile.ReadCorpus(path));
    }

    [Fact]
    public void ReadCorpus_MissingFile_ThrowsFileNotFoundNamingIt()
    {
        string path = Path.Combine(_directory, "nope.txt");

        var e = Assert.Throws<FileNotFoundException>(() => TextFile.ReadCorpus(path));

        Assert.Contains(path, e.Message);
        Assert.Equal(path, e.FileName);
    }

    [Fact]
    public void ReadCorpus_Directory_ThrowsSayingItIsADirectory()
    {
        var e = Assert.Throws<IOException>(() => TextFile.ReadCorpus(_directory));

        Assert.Contains("is a directory", e.Message);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF })]
    [InlineData(new byte[] { (byte)' ', (byte)'\r', (byte)'\n', (byte)'\t', (byte)'\n' })]
    public void ReadCorpus_EmptyOrWhitespaceOnly_ThrowsEmpty(byte[] bytes)
    {
        string path = WriteFile(bytes);

        var e = Assert.Throws<InvalidDataException>(() => TextFile.ReadCorpus(path));

        Assert.Contains("is empty", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void ReadCorpus_NulByte_ThrowsLooksBinaryWithOffset()
    {
        string path = WriteFile(Bytes('a', 'b', 'c', 0, 'd'));

        var e = Assert.Throws<InvalidDataException>(() => TextFile.ReadCorpus(path));

        Assert.Contains("looks binary", e.Message);
        Assert.Contains("offset 3", e.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFE, (byte)'a', 0 })]
    [InlineData(new byte[] { 0xFE, 0xFF, 0, (byte)'a' })]
    public void ReadCorpus_Utf16ByteOrderMark_ThrowsUtf16(byte[] bytes)
    {
        var e = Assert.Throws<InvalidDataException>(() => TextFile.ReadCorpus(WriteFile(bytes)));

        Assert.Contains("UTF-16", e.Message);
    }

    [Theory]
    [InlineData(new byte[] { (byte)'a', (byte)'b', 0x80, (byte)'c' }, 2)] // lone continuation byte
    [InlineData(new byte[] { (byte)'a', 0xC3, (byte)'b' }, 1)] // lead byte without its continuation
    [InlineData(new byte[] { (byte)'a', (byte)'b', 0xE6, 0x88 }, 2)] // sequence cut off by the end of the file
    [InlineData(new byte[] { (byte)'x', 0xC0, 0xAF }, 1)] // overlong encoding of '/'
    [InlineData(new byte[] { (byte)'x', (byte)'y', 0xED, 0xA0, 0x80 }, 2)] // encoded surrogate U+D800
    [InlineData(new byte[] { 0xE4, 0xBD, 0xA0, 0xF8, (byte)'a' }, 3)] // invalid lead byte after a valid 3-byte character
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF, (byte)'a', 0xFF }, 4)] // offsets count the byte order mark
    public void ReadCorpus_InvalidUtf8_ThrowsNamingByteOffset(byte[] bytes, int offset)
    {
        var e = Assert.Throws<InvalidDataException>(() => TextFile.ReadCorpus(WriteFile(bytes)));

        Assert.Contains("not valid UTF-8", e.Message);
        Assert.Contains($"byte offset {offset}.", e.Message);
    }

    [Fact]
    public void ReadCorpus_ByteOrderMark_IsSkipped()
    {
        string path = WriteFile([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("\uFEFFhi")]);

        // Only the leading mark is an encoding signature; a second one is text and kept.
        Assert.Equal("\uFEFFhi", TextFile.ReadCorpus(path));
    }

    [Fact]
    public void ReadCorpus_CrLf_BecomesLfAndLoneCrIsKept()
    {
        string path = WriteFile(Encoding.UTF8.GetBytes("one\r\ntwo\r\n\r\nthree\rfour\r\r\nfive\n\r\n"));

        Assert.Equal("one\ntwo\n\nthree\rfour\r\nfive\n\n", TextFile.ReadCorpus(path));
    }

    [Fact]
    public void ReadCorpus_StreamAtOffset_ReadsToEndAndCountsOffsetsFromStart()
    {
        using var stream = new MemoryStream(Bytes('s', 'k', 'i', 'p', 'o', 'k', 0xFF));
        stream.Position = 4;

        var e = Assert.Throws<InvalidDataException>(() => TextFile.ReadCorpus(stream, "mem"));

        Assert.Contains("'mem'", e.Message);
        Assert.Contains("byte offset 2.", e.Message);
    }

    [Fact]
    public void ReadCorpus_NonSeekableStream_ReadsEverything()
    {
        // Longer than the reader's first buffer, so the buffer has to grow.
        string text = string.Concat(Enumerable.Repeat("line with ü and 😀\r\n", 10_000));

        string read = TextFile.ReadCorpus(new NonSeekableStream(Encoding.UTF8.GetBytes(text)), "pipe");

        Assert.Equal(text.Replace("\r\n", "\n"), read);
    }

    [Fact]
    public void ReadCorpus_StreamLongerThanLimit_ThrowsBeforeReading()
    {
        var e = Assert.Throws<InvalidDataException>(() => TextFile.ReadCorpus(new HugeStream(TextFile.MaxBytes + 1), "huge"));

        Assert.Contains("limited to 1,000,000,000 bytes", e.Message);
    }

    [Fact]
    public void ReadCorpus_HundredMegabyteSingleLine_ReadsInLinearTime()
    {
        // One 100 MB line of prose with a multi-byte character in every sentence and a CR LF only at the very end.
        const int Size = 100 * 1024 * 1024;
        byte[] sentence = Encoding.UTF8.GetBytes("The old fisherman walked to the harbour at dawn; the café was still shut. ");
        byte[] bytes = new byte[Size];
        sentence.CopyTo(bytes, 0);
        // Doubling copies fill the buffer in a few dozen large block copies.
        for (int filled = sentence.Length; filled < Size - 2; filled *= 2)
            bytes.AsSpan(0, Math.Min(filled, Size - 2 - filled)).CopyTo(bytes.AsSpan(filled));
        int whole = (Size - 2) / sentence.Length * sentence.Length;
        bytes.AsSpan(whole, Size - 2 - whole).Fill((byte)'z');
        bytes[^2] = (byte)'\r';
        bytes[^1] = (byte)'\n';
        string path = WriteFile(bytes);

        var watch = Stopwatch.StartNew();
        string text = TextFile.ReadCorpus(path);
        watch.Stop();
        File.Delete(path);

        Assert.Equal(Size - 1 - (Size - 2) / sentence.Length, text.Length); // one char per 'é' pair of bytes, and no CR
        Assert.EndsWith("z\n", text);
        Assert.StartsWith("The old fisherman walked to the harbour at dawn; the café was still shut. The old", text);
        // Linear work takes about a second here; anything quadratic in the line length would take hours.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"Reading took {watch.Elapsed}.");
    }

    /// <summary>A seekable stream that claims a length without holding any data.</summary>
    private sealed class HugeStream(long length) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get; set; }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new InvalidOperationException("The size check must come first.");
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
