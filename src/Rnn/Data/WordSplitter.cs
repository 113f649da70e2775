// The word rule is deliberately small and script-neutral (Unicode categories, no language lists), so a vocabulary
// built on one machine splits text identically everywhere and the rule can be stated in one paragraph. Chinese, which
// is written without spaces, is the exception: with a segmenter, its runs go to jieba.NET, recorded with the model.
using System.Buffers;
using System.Globalization;
using System.Text;

namespace Rnn.Data;

/// <summary>
/// Splits text into the pieces of word mode: words, single punctuation marks or symbols, and line ends.
/// <list type="bullet">
/// <item>LF ends a line. Every other white-space character (including CR) only separates pieces.</item>
/// <item>With a <see cref="ChineseSegmenter"/>, a run of Chinese is cut by it: a maximal run of the characters the
/// segmenter sees together (<see cref="CjkCharacters.IsSegmenterCharacter"/>) that holds a Han character. Its Latin
/// letters, digits and marks at either end are left out of it when they touch a letter, mark or number of another
/// kind ("手机café" is "手机", "café"), so a run never ends inside a word. White space always ends a run, so words
/// the user separated by spaces stay apart.</item>
/// <item>Elsewhere, a word is a maximal run of letters, combining marks and numbers (Unicode categories L, M, N). An
/// apostrophe (U+0027 or U+2019) or a hyphen-minus between two such characters belongs to the word: "don't",
/// "well-known". Without a segmenter, Chinese and other scripts written without spaces give one word per run.</item>
/// <item>Every other scalar value (punctuation, symbols, emoji) is a piece of its own: "end..." is "end", ".", ".", ".".
/// An unpaired surrogate is read as U+FFFD.</item>
/// </list>
/// </summary>
internal ref struct WordSplitter
{
    private const string Replacement = "\uFFFD";

    private readonly ReadOnlySpan<char> _text;
    private readonly ChineseSegmenter? _segmenter;
    private int _position;
    private bool _runKnown;
    private int _runStart, _runEnd;   // the next run of Chinese at or after _position; empty at the end of the text
    private List<string>? _pending;   // the words of the run being read
    private int _pendingIndex;

    /// <summary>Starts splitting <paramref name="text"/>; call <see cref="MoveNext"/> for each piece.</summary>
    /// <param name="segmenter">Cuts runs of Chinese; null reads them by the general word rule.</param>
    public WordSplitter(ReadOnlySpan<char> text, ChineseSegmenter? segmenter = null)
    {
        _text = text;
        _segmenter = segmenter;
    }

    /// <summary>The current word or mark; empty when <see cref="IsLineEnd"/> is true.</summary>
    public ReadOnlySpan<char> Current { get; private set; }

    /// <summary>True when the current piece is a line end (an LF) rather than a word or mark.</summary>
    public bool IsLineEnd { get; private set; }

    /// <summary>Advances to the next piece; false once the text is exhausted.</summary>
    public bool MoveNext()
    {
        if (_pending is not null)
        {
            if (_pendingIndex < _pending.Count) return Piece(_pending[_pendingIndex++]);
            _pending = null;
        }
        while (_position < _text.Length)
        {
            int limit = _text.Length;
            if (_segmenter is not null)
            {
                if (!_runKnown || _position > _runStart) FindRun();
                if (_position == _runStart && _runEnd > _runStart)
                {
                    _pending = _segmenter.Cut(_text[_runStart.._runEnd].ToString());
                    _pendingIndex = 1;
                    _position = _runEnd;
                    return Piece(_pending[0]);
                }
                limit = _runStart;
            }
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
                ExtendWord(limit);
                Current = _text[start.._position];
            }
            return true;
        }
        return false;
    }

    private bool Piece(string word)
    {
        Current = word;
        IsLineEnd = false;
        return true;
    }

    /// <summary>Extends the word that started before <see cref="_position"/> up to <paramref name="limit"/> at most.</summary>
    private void ExtendWord(int limit)
    {
        while (_position < limit)
        {
            if (Rune.DecodeFromUtf16(_text[_position..limit], out Rune rune, out int length) != OperationStatus.Done) return;
            if (IsWordPart(rune))
            {
                _position += length;
                continue;
            }
            if (!IsJoiner(rune) || _position + length >= limit) return;
            if (Rune.DecodeFromUtf16(_text[(_position + length)..limit], out Rune after, out int afterLength) != OperationStatus.Done || !IsWordPart(after))
                return;
            _position += length + afterLength;
        }
    }

    /// <summary>Finds the first run of Chinese at or after <see cref="_position"/> (see the type's summary).</summary>
    private void FindRun()
    {
        _runKnown = true;
        int han = _text[_position..].IndexOfAnyInRange('\u4E00', '\u9FD5');
        if (han < 0)
        {
            _runStart = _runEnd = _text.Length;
            return;
        }
        han += _position;
        int start = han, end = han + 1;
        while (start > _position && CjkCharacters.IsSegmenterCharacter(_text[start - 1])) start--;
        while (end < _text.Length && CjkCharacters.IsSegmenterCharacter(_text[end])) end++;
        // The characters before the first Han character are not Han; after the last one, trim back to it.
        if (start > 0 && Rune.DecodeLastFromUtf16(_text[..start], out Rune before, out _) == OperationStatus.Done && IsWordPart(before))
            start = han;
        if (end < _text.Length && Rune.DecodeFromUtf16(_text[end..], out Rune after, out _) == OperationStatus.Done && IsWordPart(after))
            end = _text[..end].LastIndexOfAnyInRange('\u4E00', '\u9FD5') + 1;
        _runStart = start;
        _runEnd = end;
    }

    private static bool IsJoiner(Rune rune) => rune.Value is '\'' or '\u2019' or '-';

    // UnicodeCategory lists the letter, mark and number categories first (UppercaseLetter = 0 … OtherNumber = 10).
    private static bool IsWordPart(Rune rune) => Rune.GetUnicodeCategory(rune) <= UnicodeCategory.OtherNumber;
}
