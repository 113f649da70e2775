// The first of the two passes over a large text: how often each token occurs (which builds the vocabulary) and how many
// ids the text encodes to (which sizes the storage of the second pass exactly, so it is allocated once). The text
// comes in pieces of any size; the counts are those of the whole text.
using System.Runtime.InteropServices;
using System.Text;

namespace Rnn.Data;

/// <summary>
/// Counts the tokens of a text given in pieces and builds its <see cref="Vocabulary"/>, exactly as
/// <see cref="Vocabulary.Build(string, TokenKind, int?, ChineseSegmenter?)"/> builds it from the whole text.
/// </summary>
public sealed class VocabularyCounter
{
    private readonly TokenKind _kind;
    private readonly ChineseSegmenter? _segmenter;
    private readonly TextStretches _stretches;
    private readonly TextStretches.Sink _count;
    private readonly long[] _bmp = [];                                  // counts of U+0000–U+FFFF (surrogates unused)
    private readonly Dictionary<int, long> _supplementary = [];        // counts of the scalar values past U+FFFF
    private readonly Dictionary<string, long> _words = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long>.AlternateLookup<ReadOnlySpan<char>> _wordLookup;
    private bool _inLine, _completed;
    private long _tokens;

    /// <summary>Starts counting the tokens of <paramref name="kind"/>.</summary>
    /// <param name="segmenter">Word mode only: cuts runs of Chinese into words; null for one word per run.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is undefined.</exception>
    /// <exception cref="ArgumentException">A segmenter was given for character mode.</exception>
    public VocabularyCounter(TokenKind kind, ChineseSegmenter? segmenter = null)
    {
        if (!Enum.IsDefined(kind)) throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a token kind.");
        if (segmenter is not null && kind != TokenKind.Word)
            throw new ArgumentException("Only word mode segments Chinese; characters are tokens already.", nameof(segmenter));
        _kind = kind;
        _segmenter = segmenter;
        _stretches = new TextStretches(kind);
        _wordLookup = _words.GetAlternateLookup<ReadOnlySpan<char>>();
        if (kind == TokenKind.Character)
        {
            _bmp = new long[char.MaxValue + 1];
            _count = CountScalars;
        }
        else _count = CountWords;
    }

    /// <summary>Whether a token is a scalar value or a word.</summary>
    public TokenKind Kind => _kind;

    /// <summary>
    /// How many ids the whole text encodes to (<see cref="Vocabulary.Encode"/>: one per scalar value, or the words
    /// with each line's markers); ends the counting.
    /// </summary>
    public long TokenCount
    {
        get
        {
            Complete();
            return _tokens;
        }
    }

    /// <summary>Counts the pieces of a whole text, in order.</summary>
    public static VocabularyCounter Count(IEnumerable<ReadOnlyMemory<char>> pieces, TokenKind kind, ChineseSegmenter? segmenter = null)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        var counter = new VocabularyCounter(kind, segmenter);
        foreach (var piece in pieces) counter.Add(piece.Span);
        counter.Complete();
        return counter;
    }

    /// <summary>Counts the next piece of the text.</summary>
    /// <exception cref="InvalidOperationException">The counting has ended.</exception>
    public void Add(ReadOnlySpan<char> piece)
    {
        if (_completed) throw new InvalidOperationException("The counting has ended; start a new counter for another text.");
        _stretches.Add(piece, _count);
    }

    /// <summary>Ends the text: counts what was held back at its end. Further calls do nothing.</summary>
    public void Complete()
    {
        if (_completed) return;
        _stretches.Flush(_count);
        if (_inLine) _tokens++;     // the last line's end marker
        _completed = true;
    }

    /// <summary>
    /// The vocabulary of the text counted (ends the counting): the special tokens, then every distinct token, or the
    /// most frequent ones with <paramref name="maxSize"/>, as <see cref="Vocabulary.Build(string, TokenKind, int?, ChineseSegmenter?)"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSize"/> leaves no room beside the special tokens.</exception>
    /// <exception cref="ArgumentException">The text has no tokens, or more than <see cref="Vocabulary.MaxTokens"/> and no <paramref name="maxSize"/> was given.</exception>
    public Vocabulary Build(int? maxSize = null)
    {
        Complete();
        return Vocabulary.FromCounts(_kind, maxSize, _segmenter, keep => _kind == TokenKind.Character ? KeptScalars(keep) : Vocabulary.MostFrequent(_words, keep, string.CompareOrdinal));
    }

    private string[] KeptScalars(int keep)
    {
        var counts = new Dictionary<int, long>(_supplementary);
        for (int c = 0; c < _bmp.Length; c++)
            if (_bmp[c] > 0) counts.Add(c, _bmp[c]);
        // Scalar values sort like their int values; sorting the strings ordinally would misplace U+E000–U+FFFF after surrogates.
        int[] kept = Vocabulary.MostFrequent(counts, keep, (a, b) => a.CompareTo(b));
        return [.. kept.Select(value => new Rune(value).ToString())];
    }

    private void CountScalars(ReadOnlySpan<char> text)
    {
        long[] bmp = _bmp;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (!char.IsSurrogate(c)) bmp[c]++;
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                CollectionsMarshal.GetValueRefOrAddDefault(_supplementary, char.ConvertToUtf32(c, text[i + 1]), out _)++;
                i++;
            }
            else bmp[Rune.ReplacementChar.Value]++;   // an unpaired surrogate reads as U+FFFD
            _tokens++;
        }
    }

    private void CountWords(ReadOnlySpan<char> text)
    {
        var words = new WordSplitter(text, _segmenter);
        while (words.MoveNext())
        {
            if (!_inLine) _tokens++;    // the line's start marker
            _inLine = !words.IsLineEnd;
            _tokens++;                  // the word, or the line's end marker
            if (!words.IsLineEnd) CollectionsMarshal.GetValueRefOrAddDefault(_wordLookup, words.Current, out _)++;
        }
    }
}
