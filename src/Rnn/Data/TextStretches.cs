// A text read in pieces must give the tokens the whole text gives. A piece can end anywhere (inside a word, between the
// two halves of a surrogate pair), so pieces are not tokenized as they come: each is cut after its last character
// where cutting cannot change the tokens, the part before the cut is tokenized, and the rest waits for the next piece.
using System.Globalization;
using System.Text;

namespace Rnn.Data;

/// <summary>Regroups pieces of a text into stretches that tokenize, one after the other, exactly as the whole text does.</summary>
internal sealed class TextStretches(TokenKind kind)
{
    /// <summary>Receives one stretch; the span is valid only during the call.</summary>
    public delegate void Sink(ReadOnlySpan<char> stretch);

    private char[] _pending = [];
    private int _pendingLength;

    /// <summary>
    /// Whether the tokens of a text cut after <paramref name="c"/> are those of its two parts. Characters: after
    /// anything but the first half of a surrogate pair. Words: after a character that is never part of a word, never
    /// joins two parts of a word (' ’ -), never inside a run of Chinese, and not half a surrogate pair: white space,
    /// a line break or a punctuation mark other than those. Such a character ends every word, run and joiner before
    /// it, and nothing after it looks back past it.
    /// </summary>
    public static bool CanCutAfter(char c, TokenKind kind) => kind == TokenKind.Character
        ? !char.IsHighSurrogate(c)
        : !char.IsSurrogate(c) && c is not ('\'' or '\u2019' or '-') && !CjkCharacters.IsSegmenterCharacter(c)
          && Rune.GetUnicodeCategory(new Rune(c)) > UnicodeCategory.OtherNumber;

    /// <summary>Passes to <paramref name="sink"/> every stretch of <paramref name="text"/> (after what is pending) that ends at a safe cut.</summary>
    public void Add(ReadOnlySpan<char> text, Sink sink)
    {
        int last = text.Length;
        while (last > 0 && !CanCutAfter(text[last - 1], kind)) last--;
        if (last == 0)
        {
            Keep(text);
            return;
        }
        int from = 0;
        if (_pendingLength > 0)
        {
            int first = 1;
            while (!CanCutAfter(text[first - 1], kind)) first++;
            Keep(text[..first]);
            sink(_pending.AsSpan(0, _pendingLength));
            _pendingLength = 0;
            from = first;
        }
        if (from < last) sink(text[from..last]);
        Keep(text[last..]);
    }

    /// <summary>Passes what is pending (the end of the text) to <paramref name="sink"/>.</summary>
    public void Flush(Sink sink)
    {
        if (_pendingLength == 0) return;
        sink(_pending.AsSpan(0, _pendingLength));
        _pendingLength = 0;
    }

    private void Keep(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty) return;
        int needed = checked(_pendingLength + text.Length);
        if (needed > _pending.Length) Array.Resize(ref _pending, Math.Max(needed, Math.Max(256, (int)Math.Min(2L * _pending.Length, Array.MaxLength))));
        text.CopyTo(_pending.AsSpan(_pendingLength));
        _pendingLength = needed;
    }
}
