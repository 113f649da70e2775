namespace Rnn.Data;

/// <summary>
/// A word added to the Chinese segmenter's dictionary, so that it is cut as one word.
/// </summary>
/// <param name="Word">The word: only characters the segmenter sees together (Han characters, ASCII letters and digits, + # &amp; . _ % · -).</param>
/// <param name="Frequency">
/// Its count in the dictionary's terms (the base dictionary's counts run from 1 to about 900,000); null lets the
/// segmenter suggest the smallest count at which the word is cut whole.
/// </param>
public sealed record UserWord(string Word, int? Frequency = null);
