using System.Text;

namespace Rnn.Data;

/// <summary>
/// Turns ids into text one at a time, for printing generated tokens as they are sampled. Feeding a sequence of ids
/// through <see cref="Next"/> and concatenating the results gives exactly <see cref="Vocabulary.Decode"/> of that
/// sequence. In word mode the detokenizer remembers whether it is at the start of a line and how the last token
/// ended, so that words are separated by single spaces, no line starts with a space, and no space is written next to a
/// Han character or a CJK punctuation mark ("我" "昨天" "。" is "我昨天。", "iPhone" "手机" is "iPhone手机", while
/// "the" "cat" stays "the cat"); in character mode it has no state.
/// </summary>
public sealed class Detokenizer
{
    private readonly Vocabulary _vocabulary;
    private bool _atLineStart = true;
    private bool _lastSpaceless;   // the last token on this line ended in a character written without spaces

    /// <summary>Starts detokenizing at the start of a line.</summary>
    public Detokenizer(Vocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        _vocabulary = vocabulary;
    }

    /// <summary>The text to append for <paramref name="id"/>: <see cref="Vocabulary.DecodeToken"/>, preceded by a space when it is a word that follows another word on the same line and neither side of the gap is Chinese.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not a valid id of the vocabulary.</exception>
    public string Next(int id)
    {
        string token = _vocabulary.DecodeToken(id);
        return NeedsSpace(id, token) ? " " + token : token;
    }

    /// <summary>Appends what <see cref="Next"/> would return, without allocating a string.</summary>
    internal void Append(StringBuilder text, int id)
    {
        string token = _vocabulary.DecodeToken(id);
        if (NeedsSpace(id, token)) text.Append(' ');
        text.Append(token);
    }

    /// <summary>Advances the line state past <paramref name="id"/>, whose text is <paramref name="token"/>; true when a space must precede it.</summary>
    private bool NeedsSpace(int id, string token)
    {
        if (_vocabulary.Kind == TokenKind.Character || id == _vocabulary.StartId) return false;
        if (id == _vocabulary.EndId)
        {
            _atLineStart = true;
            return false;
        }
        // Word tokens are never empty, and "<unk>" is Latin on both sides.
        bool space = !_atLineStart && !_lastSpaceless && !CjkCharacters.IsSpaceless(Rune.GetRuneAt(token, 0));
        _atLineStart = false;
        _lastSpaceless = Rune.DecodeLastFromUtf16(token, out Rune last, out _) == System.Buffers.OperationStatus.Done && CjkCharacters.IsSpaceless(last);
        return space;
    }
}
