// The word rule is deliberately small and script-neutral (Unicode categories, no language lists), so a vocabulary
// built on one machine splits text identically everywhere and the rule can be stated in one paragraph.
using System.Buffers;
using System.Globalization;
using System.Text;

namespace Rnn.Data;

/// <summary>
/// Splits text into the pieces of word mode: words, single punctuation marks or symbols, and line ends.
/// <list type="bullet">
/// <item>LF ends a line. Every other white-space character (including CR) only separates pieces.</item>
/// <item>A word is a maximal run of letters, combining marks and numbers (Unicode categories L, M, N). An apostrophe
/// (U+0027 or U+2019) or a hyphen-minus between two such characters belongs to the word: "don't", "well-known".
/// Scripts written without spaces (Chinese, Japanese, Thai) therefore give one word per run; use character mode for them.</item>
/// <item>Every other scalar value (punctuation, symbols, emoji) is a piece of its own: "end..." is "end", ".", ".", ".".
/// An unpaired surrogate is read as U+FFFD.</item>
/// </list>
/// </summary>
internal ref struct WordSplitter
{
    private const string Replacement = "\uFFFD";

    private readonly ReadOnlySpan<char> _text;
    private int _position;

    /// <summary>Starts splitting <paramref name="text"/>; call <see cref="MoveNext"/> for each piece.</summary>
    public WordSplitter(ReadOnlySpan<char> text) => _text = text;

    /// <summary>The current word or mark; empty when <see cref="IsLineEnd"/> is true.</summary>
    public ReadOnlySpan<char> Current { get; private set; }

    /// <summary>True when the current piece is a line end (an LF) rather than a word or mark.</summary>
    public bool IsLineEnd { get; private set; }

    /// <summary>Advances to the next piece; false once the text is exhausted.</summary>
    public bool MoveNext()
    {
        while (_position < _text.Length)
        {
            int start = _position;
            OperationStatus status = Rune.DecodeFromUtf16(_text[start..], out Rune rune, out int length);
            _position += length;
            if (rune.Value == '\n')
            {
                Current = [];
                IsLineEnd = true;
                return true;
            }
            if (Rune.IsWhiteSpace(rune)) continue;
            IsLineEnd = false;
            if (status != OperationStatus.Done) Current = Replacement;
            else if (!IsWordPart(rune)) Current = _text.Slice(start, length);
            else
            {
                ExtendWord();
                Current = _text[start.._position];
            }
            return true;
        }
        return false;
    }

    private void ExtendWord()
    {
        while (_position < _text.Length)
        {
            if (Rune.DecodeFromUtf16(_text[_position..], out Rune rune, out int length) != OperationStatus.Done) return;
            if (IsWordPart(rune))
            {
                _position += length;
                continue;
            }
            if (!IsJoiner(rune) || _position + length >= _text.Length) return;
            if (Rune.DecodeFromUtf16(_text[(_position + length)..], out Rune after, out int afterLength) != OperationStatus.Done || !IsWordPart(after))
                return;
            _position += length + afterLength;
        }
    }

    private static bool IsJoiner(Rune rune) => rune.Value is '\'' or '\u2019' or '-';

    // UnicodeCategory lists the letter, mark and number categories first (UppercaseLetter = 0 … OtherNumber = 10).
    private static bool IsWordPart(Rune rune) => Rune.GetUnicodeCategory(rune) <= UnicodeCategory.OtherNumber;
}
