namespace Rnn.Data;

/// <summary>What one token of a <see cref="Vocabulary"/> is.</summary>
public enum TokenKind
{
    /// <summary>One Unicode scalar value (a <see cref="System.Text.Rune"/>): a letter, digit, mark, symbol, space or line break.</summary>
    Character,

    /// <summary>One word or punctuation mark, with each line wrapped in sentence markers; see <see cref="Vocabulary"/>.</summary>
    Word,
}
