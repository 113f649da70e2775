using System.Text;
using CsCheck;
using Rnn.Data;
using Rnn.Tests.Reliability;

namespace Rnn.Tests.Data;

/// <summary>
/// <see cref="TextFile.ReadChunks(Stream, string, int)"/> against <see cref="TextFile.ReadCorpus(Stream, string)"/>: the
/// pieces joined are the whole text, and a bad text fails with the same message, whatever the block size.
/// </summary>
public sealed class TextChunksTests
{
    private static readonly int[] BlockSizes = [8, 9, 10, 13, 64, 1 << 20];

    /// <summary>The pieces of <paramref name="bytes"/> read <paramref name="blockBytes"/> at a time, each copied (a piece lives until the next).</summary>
    private static List<string> Pieces(byte[] bytes, int blockBytes) =>
        [.. TextFile.ReadChunks(new MemoryStream(bytes), "t.txt", blockBytes).Select(piece => piece.ToString())];

    /// <summary>What reading in pieces gives: the joined text, or the message of the exception it ends with.</summary>
    private static string Streamed(byte[] bytes, int blockBytes)
    {
        try
        {
            return "text:" + string.Concat(Pieces(bytes, blockBytes));
        }
        catch (InvalidDataException e)
        {
            return "error:" + e.Message;
        }
    }

    private static string Whole(byte[] bytes)
    {
        try
        {
            return "text:" + TextFile.ReadCorpus(new MemoryStream(bytes), "t.txt");
        }
        catch (InvalidDataException e)
        {
            return "error:" + e.Message;
        }
    }

    [Theory]
    [InlineData("héllo 我 😀\nworld\n")]
    [InlineData("\uFEFFa byte order mark, then text")]
    [InlineData("line one\r\nline two\r\n\r\nthree\r")]
    [InlineData("a lone \r CR stays, \r\n a pair does not")]
    [InlineData("😀😀😀😀😀😀😀😀😀😀 𝄞𝄞𝄞 surrogate pairs at every block boundary")]
    [InlineData("我昨天上学迟到了。今天没有迟到，明天也不会。")]
    public void ReadChunks_AnyBlockSize_JoinsToTheWholeText(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        string expected = TextFile.ReadCorpus(new MemoryStream(bytes), "t.txt");
        foreach (int block in BlockSizes)
        {
            List<string> pieces = Pieces(bytes, block);
            Assert.Equal(expected, string.Concat(pieces));
            Assert.All(pieces, piece => Assert.False(char.IsHighSurrogate(piece[^1]), $"a piece of block size {block} ends inside a surrogate pair"));
            Assert.All(pieces, piece => Assert.False(char.IsLowSurrogate(piece[0]), $"a piece of block size {block} starts inside a surrogate pair"));
        }
    }

    [Fact]
    public void ReadChunks_CrLfAcrossABlockBoundary_IsOneLineFeed()
    {
        // With 8-byte blocks the CR is the block's last byte and its LF the next block's first.
        byte[] bytes = Encoding.UTF8.GetBytes("abcdefg\r\nhijklmn\r\n");

        Assert.Equal("abcdefg\nhijklmn\n", string.Concat(Pieces(bytes, 8)));
    }

    [Theory]
    [InlineData(new byte[] { 0x61, 0x62, 0x63, 0xC3, 0x28, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67 })]    // a bad continuation byte
    [InlineData(new byte[] { 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0xE6, 0x88 })]                      // a sequence cut off by the end
    [InlineData(new byte[] { 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0xE6, 0x88, 0x41, 0x42 })]          // a sequence cut off inside
    [InlineData(new byte[] { 0x61, 0xFF, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x00, 0x41 })]    // invalid, then a NUL: binary wins
    [InlineData(new byte[] { 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x6B, 0x00 })]    // a NUL in a later block
    [InlineData(new byte[] { 0xFF, 0xFE, 0x61, 0x00 })]                                                    // UTF-16
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF, 0x20, 0x0A, 0x0D, 0x0A, 0x09, 0x20, 0x20, 0x20, 0x20 })]    // only white space after the BOM
    [InlineData(new byte[0])]                                                                              // empty
    public void ReadChunks_BadText_FailsWithTheWholeReadersMessage(byte[] bytes)
    {
        string whole = Whole(bytes);
        Assert.StartsWith("error:", whole);
        foreach (int block in BlockSizes) Assert.Equal(whole, Streamed(bytes, block));
    }

    [Fact]
    public void ReadChunks_InvalidUtf8_NamesTheOffsetOfTheFirstBadSequence()
    {
        byte[] bytes = [.. Encoding.UTF8.GetBytes("a long enough line of text "), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(" and more")];

        var e = Assert.Throws<InvalidDataException>(() => Pieces(bytes, 8));

        Assert.Equal("'t.txt' is not valid UTF-8: the first invalid byte sequence starts at byte offset 27.", e.Message);
    }

    [Fact]
    public void ReadChunks_MissingFileOrDirectory_FailsAtOnce()
    {
        string folder = Directory.CreateTempSubdirectory("rnn-chunks-").FullName;
        try
        {
            Assert.Throws<FileNotFoundException>(() => TextFile.ReadChunks(Path.Combine(folder, "none.txt")));
            Assert.Throws<IOException>(() => TextFile.ReadChunks(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void ReadChunks_RandomAndDamagedBytes_AgreeWithTheWholeReader()
    {
        byte[] valid = Encoding.UTF8.GetBytes("Once upon a time, café 我 🙂\r\nthe end.\r\n");
        var bytes = Gen.Int[0, 2].SelectMany(kind => kind switch
        {
            0 => Gen.OneOfConst<byte>(0, 0x0D, 0x0A, 0x20, 0x41, 0xC3, 0xA9, 0xE6, 0x88, 0x91, 0xF0, 0x9F, 0x98, 0x80, 0xED, 0xA0, 0xFF, 0xFE, 0xEF, 0xBB, 0xBF, 0x80).Array[0, 48],
            _ => Gen.Select(Gen.Int[0, valid.Length], Gen.Byte.Array[0, 4], Gen.Int[0, 2]).Select((at, insert, removed) =>
                (byte[])[.. valid[..at], .. insert, .. valid[Math.Min(valid.Length, at + removed)..]]),
        });
        var (accepted, rejected) = Fuzz.Run(Gen.Select(bytes, Gen.Int[8, 20]), cases: 3_000, seed: 23, c =>
        {
            string whole = Whole(c.Item1);
            Assert.Equal(whole, Streamed(c.Item1, c.Item2));
            return whole.StartsWith("text:", StringComparison.Ordinal);
        }, c => $"{Convert.ToHexString(c.Item1)} in blocks of {c.Item2}");
        Assert.True(accepted > 0 && rejected > 0, $"{accepted} accepted, {rejected} rejected");
    }
}
