// Corpus loading is strict on purpose: a language model trained on a mis-decoded or binary file learns garbage
// silently, so every problem the bytes can have becomes an exception that says what is wrong and where.
// All checks run over the raw bytes with vectorised span searches, so the cost is linear in the file size however
// the text is split into lines. A text too large to hold is read in pieces (ReadChunks) with the same checks.
using System.Text;
using System.Text.Unicode;

namespace Rnn.Data;

/// <summary>Reads training text strictly as UTF-8.</summary>
public static class TextFile
{
    /// <summary>
    /// Largest corpus, in bytes, <see cref="ReadCorpus(string)"/> accepts (1,000,000,000); <see cref="ReadChunks(string, int)"/> has no limit. A UTF-8 file never decodes to more UTF-16 chars
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
        CheckPath(path);
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

    /// <summary>The bytes <see cref="ReadChunks(string, int)"/> reads at a time unless told otherwise (1 MiB).</summary>
    public const int DefaultBlockBytes = 1 << 20;

    /// <summary>
    /// Reads the file at <paramref name="path"/> as UTF-8 text in pieces, with the rules of <see cref="ReadCorpus(string)"/>
    /// and the same messages, but without holding the whole text: for texts larger than a string can hold, or too large
    /// to keep twice. The pieces joined are exactly what <see cref="ReadCorpus(string)"/> returns; a piece never ends
    /// inside a surrogate pair or between the CR and LF of a pair, and each one is valid only until the next is read.
    /// There is no limit on the size. A problem found late in the file (a NUL byte, an invalid byte sequence) ends the
    /// reading with its exception after the pieces before it; an empty or white-space-only text throws at the end.
    /// </summary>
    /// <param name="blockBytes">Bytes read at a time (at least 8).</param>
    /// <exception cref="FileNotFoundException">No file exists at <paramref name="path"/> (thrown at once).</exception>
    /// <exception cref="IOException"><paramref name="path"/> is a directory (thrown at once), or the file cannot be read.</exception>
    /// <exception cref="InvalidDataException">The text breaks a rule of <see cref="ReadCorpus(string)"/> other than its size.</exception>
    public static IEnumerable<ReadOnlyMemory<char>> ReadChunks(string path, int blockBytes = DefaultBlockBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockBytes, 8);
        CheckPath(path);
        return ReadFileChunks(path, blockBytes);
    }

    /// <summary>
    /// Reads <paramref name="stream"/> from its current position to its end in pieces, as <see cref="ReadChunks(string, int)"/>
    /// reads a file. The stream is not disposed; byte offsets in messages count from the position where reading started.
    /// </summary>
    /// <param name="name">A name for the text (typically its path) used in error messages.</param>
    /// <param name="blockBytes">Bytes read at a time (at least 8).</param>
    public static IEnumerable<ReadOnlyMemory<char>> ReadChunks(Stream stream, string name, int blockBytes = DefaultBlockBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockBytes, 8);
        return ReadStreamChunks(stream, name, blockBytes);
    }

    private static IEnumerable<ReadOnlyMemory<char>> ReadFileChunks(string path, int blockBytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        foreach (var chunk in ReadStreamChunks(stream, path, blockBytes)) yield return chunk;
    }

    private static IEnumerable<ReadOnlyMemory<char>> ReadStreamChunks(Stream stream, string name, int blockBytes)
    {
        var reader = new ChunkReader(stream, name, blockBytes);
        while (reader.Next() is { } chunk) yield return chunk;
    }

    /// <summary>
    /// The state of a piecewise read: a block of bytes whose last incomplete UTF-8 sequence (or last CR, which may
    /// be the first half of a CR LF pair) is carried to the front of the next block, so every check and every change
    /// sees the bytes exactly as the whole-file reader does.
    /// </summary>
    private sealed class ChunkReader(Stream stream, string name, int blockBytes)
    {
        private readonly byte[] _bytes = new byte[blockBytes];
        private readonly char[] _chars = new char[blockBytes];
        private int _carried;            // bytes at the front of _bytes left over from the previous block
        private long _offset;            // the stream offset of _bytes[0]
        private bool _started, _ended, _sawText;
        private long _invalidAt = -1;    // the first invalid byte sequence, once found: only NULs are looked for after it

        public ReadOnlyMemory<char>? Next()
        {
            while (!_ended)
            {
                int read = stream.ReadAtLeast(_bytes.AsSpan(_carried), _bytes.Length - _carried, throwOnEndOfStream: false);
                int length = _carried + read;
                bool last = length < _bytes.Length;   // ReadAtLeast stops short only at the end of the stream
                _ended = last;
                Span<byte> block = _bytes.AsSpan(0, length);
                int start = 0;
                if (!_started)
                {
                    _started = true;
                    if (block.StartsWith(Utf8Bom)) start = Utf8Bom.Length;
                    else if (block.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || block.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
                        throw Utf16(name);
                }
                int nul = block[start..].IndexOf((byte)0);
                if (nul >= 0)
                    throw Binary(name, _offset + start + nul);
                if (_invalidAt >= 0)
                {
                    // After an invalid sequence the whole-file reader would still have reported a NUL anywhere: keep looking.
                    _offset += length;
                    _carried = 0;
                    continue;
                }

                int end = last ? length : CompleteLength(block);
                Span<byte> text = block[start..end];
                if (!Utf8.IsValid(text))
                {
                    _invalidAt = _offset + start + FirstInvalidOffset(text);
                    _offset += length;
                    _carried = 0;
                    continue;
                }
                int charCount = Encoding.UTF8.GetChars(text[..RemoveCrBeforeLf(text)], _chars);
                block[end..].CopyTo(_bytes);
                _carried = length - end;
                _offset += end;
                if (charCount == 0) continue;
                var chunk = _chars.AsMemory(0, charCount);
                _sawText |= !chunk.Span.IsWhiteSpace();
                return chunk;
            }
            if (_invalidAt >= 0)
                throw InvalidUtf8(name, _invalidAt);
            if (!_sawText) throw Empty(name);
            return null;
        }

        /// <summary>The length of <paramref name="block"/> without its last UTF-8 sequence when that may continue in the next block, and without a last CR.</summary>
        private static int CompleteLength(ReadOnlySpan<byte> block)
        {
            int end = block.Length;
            for (int back = 1; back <= Math.Min(3, block.Length); back++)
            {
                byte b = block[^back];
                if ((b & 0xC0) == 0x80) continue;                    // a continuation byte: look further back
                int expected = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
                if (expected > back) end = block.Length - back;      // a lead byte whose sequence is cut off
                break;
            }
            if (end > 0 && block[end - 1] == (byte)'\r') end--;
            return end;
        }
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
            throw Utf16(name);
        Span<byte> text = bytes[skipped..];

        int nul = text.IndexOf((byte)0);
        if (nul >= 0)
            throw Binary(name, skipped + nul);
        if (!Utf8.IsValid(text))
            throw InvalidUtf8(name, skipped + FirstInvalidOffset(text));

        // Removing CRs in place after validation keeps the reported offsets those of the original bytes.
        string result = Encoding.UTF8.GetString(text[..RemoveCrBeforeLf(text)]);
        if (string.IsNullOrWhiteSpace(result)) throw Empty(name);
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

    /// <summary>Refuses a path that is a directory or names no file.</summary>
    private static void CheckPath(string path)
    {
        if (Directory.Exists(path)) throw new IOException($"'{path}' is a directory, not a text file.");
        if (!File.Exists(path)) throw new FileNotFoundException($"The corpus file '{path}' does not exist.", path);
    }

    // The messages of the whole-file and the piecewise reader, the same for both.
    private static InvalidDataException Utf16(string name) =>
        new($"'{name}' is UTF-16 encoded (it starts with a UTF-16 byte order mark); save it as UTF-8.");

    private static InvalidDataException Binary(string name, long offset) =>
        new($"'{name}' looks binary, not text: it contains a NUL byte at offset {offset}.");

    private static InvalidDataException InvalidUtf8(string name, long offset) =>
        new($"'{name}' is not valid UTF-8: the first invalid byte sequence starts at byte offset {offset}.");

    private static InvalidDataException Empty(string name) => new($"'{name}' is empty (it holds no text other than whitespace).");

    private static InvalidDataException TooLarge(string name, string size) =>
        new($"'{name}' is {size} bytes; corpus files are limited to {MaxBytes:N0} bytes.");
}
