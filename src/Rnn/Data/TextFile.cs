// Corpus loading is strict on purpose: a language model trained on a mis-decoded or binary file learns garbage
// silently, so every problem the bytes can have becomes an exception that says what is wrong and where.
// All checks run over the raw bytes with vectorised span searches, so the cost is linear in the file size however
// the text is split into lines.
using System.Text;
using System.Text.Unicode;

namespace Rnn.Data;

/// <summary>Reads training text strictly as UTF-8.</summary>
public static class TextFile
{
    /// <summary>
    /// Largest corpus, in bytes, the reader accepts (1,000,000,000). A UTF-8 file never decodes to more UTF-16 chars
    /// than it has bytes, so this keeps the result within the largest string .NET can hold (about 2^30 chars);
    /// a 2 GB limit could not be honoured.
    /// </summary>
    public const long MaxBytes = 1_000_000_000;

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>
    /// Reads the whole file at <paramref name="path"/> as UTF-8 text. A leading UTF-8 byte order mark is skipped, every
    /// CR LF pair becomes a single LF (a lone CR is kept), and nothing else is changed.
    /// </summary>
    /// <exception cref="FileNotFoundException">No file exists at <paramref name="path"/>.</exception>
    /// <exception cref="IOException"><paramref name="path"/> is a directory, or the file cannot be read.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is larger than <see cref="MaxBytes"/>, empty or only whitespace, contains a NUL byte (looks binary),
    /// is UTF-16, or is not valid UTF-8 (the message names the byte offset of the first bad sequence).
    /// </exception>
    public static string ReadCorpus(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)) throw new IOException($"'{path}' is a directory, not a text file.");
        if (!File.Exists(path)) throw new FileNotFoundException($"The corpus file '{path}' does not exist.", path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        return ReadCorpus(stream, path);
    }

    /// <summary>
    /// Reads <paramref name="stream"/> from its current position to its end as UTF-8 text, with the same rules as
    /// <see cref="ReadCorpus(string)"/>. The stream is not disposed. Byte offsets in messages count from the position
    /// where reading started.
    /// </summary>
    /// <param name="stream">The stream to read.</param>
    /// <param name="name">A name for the text (typically its path) used in error messages.</param>
    /// <exception cref="InvalidDataException">The text breaks one of the rules of <see cref="ReadCorpus(string)"/>.</exception>
    /// <exception cref="IOException">The stream fails to read.</exception>
    public static string ReadCorpus(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        byte[] bytes = ReadAllBytes(stream, name, out int length);
        return Decode(bytes.AsSpan(0, length), name);
    }

    private static byte[] ReadAllBytes(Stream stream, string name, out int length)
    {
        if (stream.CanSeek)
        {
            long remaining = Math.Max(0, stream.Length - stream.Position);
            if (remaining > MaxBytes) throw TooLarge(name, remaining.ToString("N0"));
            byte[] exact = new byte[remaining];
            length = stream.ReadAtLeast(exact, exact.Length, throwOnEndOfStream: false);
            return exact;
        }

        // Unknown length: grow by doubling, so the copying stays linear in the final size.
        byte[] buffer = new byte[64 * 1024];
        length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > MaxBytes) throw TooLarge(name, $"more than {MaxBytes:N0}");
                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, MaxBytes + 1));
            }
            int read = stream.Read(buffer, length, buffer.Length - length);
            if (read == 0) break;
            length += read;
        }
        if (length > MaxBytes) throw TooLarge(name, $"more than {MaxBytes:N0}");
        return buffer;
    }

    private static string Decode(Span<byte> bytes, string name)
    {
        int skipped = 0;
        if (bytes.StartsWith(Utf8Bom)) skipped = Utf8Bom.Length;
        else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
            throw new InvalidDataException($"'{name}' is UTF-16 encoded (it starts with a UTF-16 byte order mark); save it as UTF-8.");
        Span<byte> text = bytes[skipped..];

        int nul = text.IndexOf((byte)0);
        if (nul >= 0)
            throw new InvalidDataException($"'{name}' looks binary, not text: it contains a NUL byte at offset {skipped + nul}.");
        if (!Utf8.IsValid(text))
            throw new InvalidDataException(
                $"'{name}' is not valid UTF-8: the first invalid byte sequence starts at byte offset {skipped + FirstInvalidOffset(text)}.");

        // Removing CRs in place after validation keeps the reported offsets those of the original bytes.
        string result = Encoding.UTF8.GetString(text[..RemoveCrBeforeLf(text)]);
        if (string.IsNullOrWhiteSpace(result)) throw new InvalidDataException($"'{name}' is empty (it holds no text other than whitespace).");
        return result;
    }

    private static int FirstInvalidOffset(ReadOnlySpan<byte> text)
    {
        int offset = 0;
        while (Rune.DecodeFromUtf8(text[offset..], out _, out int consumed) == System.Buffers.OperationStatus.Done) offset += consumed;
        return offset;
    }

    /// <summary>Deletes every CR that precedes an LF, compacting <paramref name="text"/> in place; returns the new length.</summary>
    private static int RemoveCrBeforeLf(Span<byte> text)
    {
        ReadOnlySpan<byte> crlf = "\r\n"u8;
        int read = text.IndexOf(crlf);
        if (read < 0) return text.Length;
        int write = read;
        while (true)
        {
            // read points at a CR LF pair: drop the CR, then copy up to (and including the LF before) the next pair.
            read++;
            int next = text[(read + 1)..].IndexOf(crlf);
            int end = next < 0 ? text.Length : read + 1 + next;
            text[read..end].CopyTo(text[write..]);
            write += end - read;
            if (next < 0) return write;
            read = end;
        }
    }

    private static InvalidDataException TooLarge(string name, string size) =>
        new($"'{name}' is {size} bytes; corpus files are limited to {MaxBytes:N0} bytes.");
}
