// Ids are assigned by sorting, never by first appearance or dictionary order, so the same text always gives the same
// vocabulary and a model file's embedding rows keep their meaning across machines and runtime versions.
using System.Buffers;
using System.Text;

namespace Rnn.Data;

/// <summary>
/// The mapping between tokens and ids of a language model, in one of two modes.
/// <para><see cref="TokenKind.Character"/>: a token is one Unicode scalar value (a <see cref="Rune"/>), so a Chinese
/// character or an emoji outside the BMP is one token, never half a surrogate pair. A user-perceived character made of
/// several scalars (an emoji with a skin-tone modifier, a letter with a combining accent) is several tokens. Id 0 is
/// <see cref="UnknownToken"/>; the scalar values of the text follow in increasing order.</para>
/// <para><see cref="TokenKind.Word"/>: tokens are the words and punctuation marks of the text, split by the rule
/// described on <see cref="Encode"/>, Chinese by a <see cref="ChineseSegmenter"/> when the vocabulary has one. Ids 0,
/// 1, 2 are <see cref="UnknownToken"/>, <see cref="StartToken"/> and <see cref="EndToken"/>; the words follow in
/// ordinal string order.</para>
/// Instances are immutable and safe to use from several threads.
/// </summary>
public sealed partial class Vocabulary
{
    /// <summary>Largest number of tokens a vocabulary may have, including the special tokens.</summary>
    public const int MaxTokens = 10_000_000;

    /// <summary>The token every unknown token maps to; always id 0.</summary>
    public const string UnknownToken = "<unk>";

    /// <summary>The start-of-sentence marker of word mode; always id 1 there.</summary>
    public const string StartToken = "<s>";

    /// <summary>The end-of-sentence marker of word mode; always id 2 there. It decodes to a line break.</summary>
    public const string EndToken = "</s>";

    private const string CharacterKindName = "char";
    private const string WordKindName = "word";

    private readonly string[] _tokens;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _ids;
    private readonly Dictionary<int, int> _scalarIds;

    private Vocabulary(TokenKind kind, string[] tokens, ChineseSegmenter? segmenter)
    {
        Kind = kind;
        _tokens = tokens;
        if (segmenter is not null && kind != TokenKind.Word) throw Invalid("only a word vocabulary has a segmenter");
        Segmenter = segmenter;
        var ids = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        _ids = ids.GetAlternateLookup<ReadOnlySpan<char>>();
        _scalarIds = [];
        string[] specials = Specials(kind);
        if (tokens.Length <= specials.Length) throw Invalid($"the vocabulary has no tokens besides the {specials.Length} special ones");
        for (int id = 0; id < tokens.Length; id++)
        {
            string token = tokens[id];
            if (id < specials.Length)
            {
                if (token != specials[id]) throw Invalid($"token {id} must be \"{specials[id]}\", not \"{token}\"");
            }
            else if (kind == TokenKind.Character)
            {
                if (Rune.DecodeFromUtf16(token, out _, out int length) != OperationStatus.Done || length != token.Length)
                    throw Invalid($"character token {id} (\"{token}\") is not exactly one Unicode scalar value");
            }
            else if (token.Length == 0 || token.Any(char.IsWhiteSpace))
                throw Invalid($"word token {id} (\"{token}\") is empty or contains white space");
            if (!ids.TryAdd(token, id)) throw Invalid($"token \"{token}\" appears twice, as ids {ids[token]} and {id}");
            if (kind == TokenKind.Character && id > 0) _scalarIds.Add(Rune.GetRuneAt(token, 0).Value, id);
        }
    }

    /// <summary>Whether a token is a scalar value or a word.</summary>
    public TokenKind Kind { get; }

    /// <summary>How runs of Chinese are cut into words, or null when they are read by the general word rule (one word per run).</summary>
    public ChineseSegmenter? Segmenter { get; }

    /// <summary>The number of tokens, special tokens included: the model's vocabulary size.</summary>
    public int Count => _tokens.Length;

    /// <summary>The id of <see cref="UnknownToken"/>: always 0.</summary>
    public int UnknownId => 0;

    /// <summary>The id of <see cref="StartToken"/> (1) in word mode; −1 in character mode.</summary>
    public int StartId => Kind == TokenKind.Word ? 1 : -1;

    /// <summary>The id of <see cref="EndToken"/> (2) in word mode; −1 in character mode.</summary>
    public int EndId => Kind == TokenKind.Word ? 2 : -1;

    /// <summary>
    /// Builds the vocabulary of <paramref name="text"/>: the special tokens of <paramref name="kind"/>, then every
    /// distinct token of the text in increasing order (scalar value in character mode, ordinal string order in word
    /// mode). With <paramref name="maxSize"/>, only the most frequent tokens are kept so that <see cref="Count"/> is at
    /// most <paramref name="maxSize"/>; equally frequent tokens are preferred in the same increasing order, and the
    /// dropped ones encode as <see cref="UnknownId"/>.
    /// </summary>
    /// <param name="maxSize">The largest <see cref="Count"/> wanted, special tokens included; null for no limit.</param>
    /// <param name="segmenter">Word mode only: cuts runs of Chinese into words (<see cref="ChineseSegmenter.Default"/>); null for one word per run.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSize"/> leaves no room beside the special tokens, or <paramref name="kind"/> is undefined.</exception>
    /// <exception cref="ArgumentException">The text has no tokens, or more than <see cref="MaxTokens"/> and no <paramref name="maxSize"/> was given, or a segmenter was given for character mode.</exception>
    public static Vocabulary Build(string text, TokenKind kind, int? maxSize = null, ChineseSegmenter? segmenter = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        CheckMaxSize(kind, maxSize);    // before a long text is counted
        var counter = new VocabularyCounter(kind, segmenter);
        counter.Add(text);
        return counter.Build(maxSize);
    }

    /// <summary>
    /// The vocabulary of counted tokens: <paramref name="kept"/> gives the distinct tokens in increasing order, at most
    /// its argument of them (the most frequent).
    /// </summary>
    internal static Vocabulary FromCounts(TokenKind kind, int? maxSize, ChineseSegmenter? segmenter, Func<int, string[]> kept)
    {
        string[] specials = Specials(kind);
        CheckMaxSize(kind, maxSize);
        int keep = maxSize is int max ? max - specials.Length : int.MaxValue;
        string[] distinct = kept(keep);
        if (distinct.Length == 0) throw new ArgumentException("The text has no tokens to build a vocabulary from.", "text");
        if (distinct.Length > MaxTokens - specials.Length)
            throw new ArgumentException($"The text has {distinct.Length} distinct tokens; pass maxSize to keep at most {MaxTokens} (special tokens included).", "text");
        return new Vocabulary(kind, [.. specials, .. distinct], segmenter);
    }

    /// <summary>Refuses a <paramref name="maxSize"/> that leaves no room beside the special tokens of <paramref name="kind"/>, or exceeds <see cref="MaxTokens"/>.</summary>
    private static void CheckMaxSize(TokenKind kind, int? maxSize)
    {
        int specials = Specials(kind).Length;
        if (maxSize is int size && (size <= specials || size > MaxTokens))
            throw new ArgumentOutOfRangeException(nameof(maxSize), size, $"Must be in ({specials}, {MaxTokens}]: the {specials} special tokens are included.");
    }

    /// <summary>The token with id <paramref name="id"/>, as stored (special tokens by their names).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not in [0, <see cref="Count"/>).</exception>
    public string Token(int id)
    {
        CheckId(id);
        return _tokens[id];
    }

    /// <summary>The id of <paramref name="token"/>, or <see cref="UnknownId"/> when it is not in the vocabulary.</summary>
    public int Id(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return _ids.TryGetValue(token, out int id) ? id : UnknownId;
    }

    /// <summary>Whether <paramref name="token"/> is in the vocabulary (special tokens included).</summary>
    public bool Contains(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return _ids.ContainsKey(token);
    }

    /// <summary>
    /// The ids of <paramref name="text"/>; tokens not in the vocabulary become <see cref="UnknownId"/>.
    /// <para>Character mode: one id per scalar value (an unpaired surrogate is read as U+FFFD).</para>
    /// <para>Word mode: each line (ended by LF or by the end of the text) becomes <see cref="StartId"/>, the ids of its
    /// words and marks, <see cref="EndId"/>; an empty or white-space-only line becomes just the two markers, and a
    /// final line with no tokens after the last LF adds nothing. Other white space, CR included, only separates tokens.
    /// A word is a maximal run of letters, combining marks and numbers (Unicode categories L, M, N), where an apostrophe
    /// (' or ’) or hyphen-minus between two such characters stays in the word ("don't", "well-known"); every other
    /// non-white-space scalar value (punctuation, symbols, emoji) is a token of its own, so "end..." is four tokens.
    /// The text "&lt;s&gt;" is read as three tokens, so text can never produce the markers.</para>
    /// <para>Word mode with a <see cref="Segmenter"/>: a run of Chinese is cut into words by it instead. A run is a
    /// maximal run of Han characters (U+4E00–U+9FD5), ASCII letters and digits and + # &amp; . _ % · - that holds a
    /// Han character, less any Latin letters, digits or marks at an end that touch a letter, mark or number outside
    /// the run ("手机café" is "手机", "café"). Spaces end a run: in text already cut into words
    /// ("我 昨天 上学 迟到 了") every word the user wrote stays a word or is cut further, never joined to the next.
    /// "我昨天上学迟到了" is "我", "昨天", "上学", "迟到", "了"; "2008年" is "2008", "年"; "iPhone手机" is "iPhone", "手机".</para>
    /// </summary>
    /// <param name="unknown">When given, receives the text of every token not in the vocabulary, in order.</param>
    public int[] Encode(string text, ICollection<string>? unknown = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Kind == TokenKind.Character ? EncodeScalars(text, unknown) : EncodeWords(text, closeLastLine: true, unknown);
    }

    /// <summary>
    /// The ids of <paramref name="text"/> as the beginning of a longer text, for a model to continue: as
    /// <see cref="Encode"/>, except that in word mode a last line not ended by LF is left open (no <see cref="EndId"/>),
    /// so that the next token continues it; an empty text is just <see cref="StartId"/>. Character mode is
    /// <see cref="Encode"/> itself.
    /// </summary>
    /// <param name="unknown">When given, receives the text of every token not in the vocabulary, in order.</param>
    public int[] EncodePrefix(string text, ICollection<string>? unknown = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Kind == TokenKind.Character) return EncodeScalars(text, unknown);
        int[] ids = EncodeWords(text, closeLastLine: false, unknown);
        return ids.Length == 0 || ids[^1] == EndId ? [.. ids, StartId] : ids;
    }

    /// <summary>
    /// The text of <paramref name="ids"/>, exactly as a <see cref="Detokenizer"/> fed the same ids would produce it.
    /// Character mode concatenates the scalar values (<see cref="UnknownId"/> becomes U+FFFD). Word mode joins the words
    /// of a line with single spaces, except that no space goes next to a Han character or a CJK punctuation mark (so
    /// Chinese words are joined as Chinese is written, "我昨天上学迟到了", and Latin words keep their spaces), drops
    /// <see cref="StartToken"/>, turns <see cref="EndToken"/> into a line break and writes unknown words as
    /// "&lt;unk&gt;"; so decoding an encoding reproduces the text up to spacing.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is not in [0, <see cref="Count"/>).</exception>
    public string Decode(ReadOnlySpan<int> ids)
    {
        var detokenizer = new Detokenizer(this);
        var text = new StringBuilder(ids.Length); // every id but a marker adds at least one char
        foreach (int id in ids) detokenizer.Append(text, id);
        return text.ToString();
    }

    /// <summary>
    /// The text one token stands for, without spacing: the scalar value in character mode (U+FFFD for
    /// <see cref="UnknownId"/>); in word mode the word, "&lt;unk&gt;" for <see cref="UnknownId"/>, a line break for
    /// <see cref="EndId"/> and the empty string for <see cref="StartId"/>. Use a <see cref="Detokenizer"/> to add the
    /// spaces between words when streaming.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not in [0, <see cref="Count"/>).</exception>
    public string DecodeToken(int id)
    {
        CheckId(id);
        if (Kind == TokenKind.Character) return id == UnknownId ? "\uFFFD" : _tokens[id];
        return id == StartId ? "" : id == EndId ? "\n" : _tokens[id];
    }

    private static string[] Specials(TokenKind kind) => kind switch
    {
        TokenKind.Character => [UnknownToken],
        TokenKind.Word => [UnknownToken, StartToken, EndToken],
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a token kind."),
    };

    /// <summary>
    /// All keys in increasing order when there are at most <paramref name="keep"/> of them; otherwise the
    /// <paramref name="keep"/> most frequent, ties going to the smaller key, again in increasing order.
    /// </summary>
    internal static TKey[] MostFrequent<TKey>(Dictionary<TKey, long> counts, int keep, Comparison<TKey> order) where TKey : notnull
    {
        KeyValuePair<TKey, long>[] entries = [.. counts];
        if (entries.Length > keep)
        {
            Array.Sort(entries, (a, b) => a.Value != b.Value ? b.Value.CompareTo(a.Value) : order(a.Key, b.Key));
            entries = entries[..keep];
        }
        TKey[] keys = [.. entries.Select(entry => entry.Key)];
        Array.Sort(keys, order);
        return keys;
    }

    private int[] EncodeScalars(string text, ICollection<string>? unknown)
    {
        // A scalar value takes one or two chars, so text.Length bounds the id count; trim only when pairs occurred.
        int[] ids = new int[text.Length];
        int count = 0;
        foreach (Rune rune in text.EnumerateRunes())
        {
            int id = ids[count++] = _scalarIds.GetValueOrDefault(rune.Value, UnknownId);
            if (id == UnknownId) unknown?.Add(rune.ToString());
        }
        return count == ids.Length ? ids : ids[..count];
    }

    private int[] EncodeWords(string text, bool closeLastLine, ICollection<string>? unknown)
    {
        var ids = new List<int>(text.Length / 4 + 2);
        bool inLine = false;
        EncodeWords(text, ref inLine, ids, unknown);
        if (inLine && closeLastLine) ids.Add(EndId);
        return [.. ids];
    }

    /// <summary>Appends the ids of <paramref name="text"/> to <paramref name="ids"/>, the line open at its start and end in <paramref name="inLine"/>.</summary>
    private void EncodeWords(ReadOnlySpan<char> text, ref bool inLine, List<int> ids, ICollection<string>? unknown)
    {
        var words = new WordSplitter(text, Segmenter);
        while (words.MoveNext())
        {
            if (!inLine) ids.Add(StartId);
            inLine = !words.IsLineEnd;
            if (words.IsLineEnd) ids.Add(EndId);
            else if (_ids.TryGetValue(words.Current, out int id)) ids.Add(id);
            else
            {
                ids.Add(UnknownId);
                unknown?.Add(words.Current.ToString());
            }
        }
    }

    private const int UnknownIdValue = 0;

    private void CheckId(int id)
    {
        if ((uint)id >= (uint)_tokens.Length)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"Token ids are in [0, {_tokens.Length}).");
    }
}
