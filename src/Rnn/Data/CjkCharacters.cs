// Which characters are Chinese, for two separate purposes: which runs of text the segmenter cuts (its own character
// class, so that it sees exactly what it would cut in a sentence of its own) and which tokens are written without
// spaces around them when ids become text again (any Han character or CJK punctuation mark, whatever the segmenter).
using System.Text;

namespace Rnn.Data;

/// <summary>Character classes of Chinese text.</summary>
internal static class CjkCharacters
{
    /// <summary>
    /// A Han character that the segmenter cuts: the CJK Unified Ideographs U+4E00–U+9FD5, the range jieba.NET's
    /// dictionary and tables cover. Rarer ideographs (extension blocks, compatibility ideographs) are words of their own.
    /// </summary>
    public static bool IsSegmentedHan(char c) => c is >= '\u4E00' and <= '\u9FD5';

    /// <summary>
    /// A character that jieba.NET keeps inside a run of Chinese text when it cuts a sentence: a segmented Han
    /// character, an ASCII letter or digit, or one of + # &amp; . _ % · - (so "iPhone手机", "3.5公斤" and "C++编程" reach it whole).
    /// </summary>
    public static bool IsSegmenterCharacter(char c) =>
        IsSegmentedHan(c) || char.IsAsciiLetterOrDigit(c) || c is '+' or '#' or '&' or '.' or '_' or '%' or '\u00B7' or '-';

    /// <summary>
    /// A character written without spaces next to it: a Han character of any block (radicals, ideographs and their
    /// extensions, compatibility ideographs), CJK punctuation (U+3000–U+303F) or a full-width form (U+FF00–U+FFEF).
    /// </summary>
    public static bool IsSpaceless(Rune rune) => rune.Value is
        (>= 0x2E80 and <= 0x2FDF) or (>= 0x3000 and <= 0x303F) or (>= 0x3400 and <= 0x4DBF) or (>= 0x4E00 and <= 0x9FFF)
        or (>= 0xF900 and <= 0xFAFF) or (>= 0xFF00 and <= 0xFFEF) or (>= 0x20000 and <= 0x3FFFF);
}
