using System.Text;

namespace Rnn.Data;

/// <summary>
/// Turns ids into text one at a time, for printing generated tokens as they are sampled. Feeding a sequence of ids
/// through <see cref="Next"/> and concatenating the results gives exactly <see cref="Vocabulary.Decode"/> of that
/// sequence. In word mode the detokenizer remembers whether it is at the start of a line, so that words are separated
/// by single spaces and no line starts with a space; in character mode it has no state.
/// </summary>
public sealed class Detokenizer
{
    private readonly Vocabulary _vocabulary;
    private bool _atLineStart = true;

    /// <summary>Starts detokenizing at the start of a line.</summary>
    public Detokenizer(Vocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        _vocabulary = vocabulary;
    }

    /// <summary>The text to append for <paramref name="id"/>: <see cref="Vocabulary.DecodeToken"/>, preceded by a space when it is a word that follows another word on the same line.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not a valid id of the vocabulary.</exception>
    public string Next(int id)
    {
        string token = _vocabulary.DecodeToken(id);
        return NeedsSpace(id) ? " " + token : token;
    }

    /// <summary>Appends what <see cref="Next"/> would return, without allocating a string.</summary>
    internal void Append(StringBuilder text, int id)
    {
        string token = _vocabulary.DecodeToken(id);
        if (NeedsSpace(id)) text.Append(' ');
        text.Append(token);
    }

    /// <summary>Advances the line state past <paramref name="id"/>; true when a space must precede its text.</summary>
    private bool NeedsSpace(int id)
    {
        if (_vocabulary.Kind == TokenKind.Character || id == _vocabulary.StartId) return false;
        if (id == _vocabulary.EndId)
        {
            _atLineStart = true;
            return false;
        }
        bool space = !_atLineStart;
        _atLineStart = false;
        return space;
    }
}
