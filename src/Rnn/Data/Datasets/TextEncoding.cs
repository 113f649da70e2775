// Every example becomes at least one step: a recurrent network's packed batch cannot hold a sequence of length zero,
// and a blank line of prediction input must still get its prediction.
namespace Rnn.Data;

/// <summary>Turning one example's text into the token ids a model reads.</summary>
public static class TextEncoding
{
    /// <summary>
    /// The ids of <paramref name="text"/> by <see cref="Vocabulary.Encode"/> (character mode: one id per scalar value;
    /// word mode: <c>&lt;s&gt;</c>, the words, <c>&lt;/s&gt;</c>), unknown tokens as <see cref="Vocabulary.UnknownId"/>,
    /// cut to the first <paramref name="maxLength"/> ids when longer. A text with no ids (an empty text in character
    /// mode) gives the single id <see cref="Vocabulary.UnknownId"/>, so the result is never empty.
    /// </summary>
    /// <param name="maxLength">The most ids kept (the start is kept); null for no limit.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is not positive.</exception>
    public static int[] Encode(Vocabulary vocabulary, string text, int? maxLength = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(text);
        if (maxLength is int max) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max, "MaxLength");
        int[] ids = vocabulary.Encode(text);
        if (ids.Length == 0) return [vocabulary.UnknownId];
        return maxLength is int limit && ids.Length > limit ? ids[..limit] : ids;
    }
}
