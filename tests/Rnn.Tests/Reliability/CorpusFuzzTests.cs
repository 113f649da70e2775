using System.Text;
using CsCheck;
using Rnn.Data;

namespace Rnn.Tests.Reliability;

/// <summary>Random and damaged training texts: each reads as clean text or is an <see cref="InvalidDataException"/>.</summary>
public sealed class CorpusFuzzTests
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly byte[] Valid = Encoding.UTF8.GetBytes("Once upon a time, café 我 🙂\r\nthe end.\r\n");

    /// <summary>Random bytes, biased towards what breaks text: NUL, CR, byte order marks, lead and continuation bytes.</summary>
    private static readonly Gen<byte[]> Bytes = Gen.Int[0, 5].SelectMany(kind => kind switch
    {
        0 => Gen.Byte.Array[0, 64],
        1 => Gen.OneOfConst<byte>(0, 0x0D, 0x0A, 0x20, 0x41, 0xC3, 0xA9, 0xE6, 0x88, 0x91, 0xF0, 0x9F, 0xED, 0xA0, 0xFF, 0xFE, 0xEF, 0xBB, 0xBF, 0x80, 0xC0).Array[0, 32],
        _ => Gen.Select(Gen.Int[0, Valid.Length], Gen.Byte.Array[0, 4], Gen.Int[0, 2]).Select((at, insert, removed) =>
            (byte[])[.. Valid[..at], .. insert, .. Valid[Math.Min(Valid.Length, at + removed)..]]),
    });

    [Fact]
    public void ReadCorpus_RandomAndDamagedBytes_ReturnCleanTextOrThrowInvalidData()
    {
        var (accepted, rejected) = Fuzz.Run(Bytes, cases: 4_000, seed: 14, bytes =>
        {
            string text;
            try
            {
                text = TextFile.ReadCorpus(new MemoryStream(bytes), "fuzz.txt");
            }
            catch (InvalidDataException)
            {
                return false;
            }
            // The documented result, computed another way: strict decoding (which throws on any bad byte), the BOM
            // dropped, each CR LF pair made one LF.
            string decoded = Strict.GetString(bytes);
            string expected = (decoded.StartsWith('\uFEFF') ? decoded[1..] : decoded).Replace("\r\n", "\n", StringComparison.Ordinal);
            Assert.Equal(expected, text);
            Assert.False(string.IsNullOrWhiteSpace(text));
            Assert.DoesNotContain('\0', text);
            return true;
        }, Convert.ToHexString);
        Assert.True(accepted > 0 && rejected > 0, $"{accepted} accepted, {rejected} rejected");
    }
}
