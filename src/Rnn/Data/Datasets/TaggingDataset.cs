// A tagging token is a whole line up to its last tab, so a token may hold spaces ("New York") and the tag, which
// never holds a tab, is always found. The word vocabulary cannot hold white space, so such tokens read as unknown.
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Rnn.Data;

/// <summary>One sequence of a tagging file.</summary>
/// <param name="Line">The 1-based line of the sequence's first token.</param>
/// <param name="Tokens">The tokens, one per step.</param>
/// <param name="Tags">The tag of each token, white space trimmed; null for prediction input.</param>
public sealed record TaggedSequence(int Line, IReadOnlyList<string> Tokens, IReadOnlyList<string>? Tags);

/// <summary>
/// A tagging data file (CoNLL-like): UTF-8 text (read by <see cref="TextFile"/>), one token a line as
/// <c>token TAB tag</c>, an empty line between sequences.
/// <list type="bullet">
/// <item>A line splits at its last tab: the token is everything before it (spaces, and tabs, included), the tag
/// everything after, trimmed of white space.</item>
/// <item>A line with no tab, an empty token or an empty tag is refused with its line and column.</item>
/// <item>Only an empty line separates sequences; a line holding only spaces is a token (and needs its tab and tag).
/// Several empty lines in a row are one boundary; empty lines at the start or end are ignored.</item>
/// <item>The tags are the distinct tags in ordinal order (<see cref="LabelSet"/>).</item>
/// </list>
/// </summary>
public sealed class TaggingDataset
{
    private TaggingDataset(string name, TaggedSequence[] sequences, LabelSet tags)
    {
        Name = name;
        Sequences = sequences;
        Tags = tags;
    }

    /// <summary>The name the file was read under (its path), as used in messages.</summary>
    public string Name { get; }

    /// <summary>The sequences in file order.</summary>
    public IReadOnlyList<TaggedSequence> Sequences { get; }

    /// <summary>The tags: those of the file, or the set the file was checked against.</summary>
    public LabelSet Tags { get; }

    /// <summary>Reads the tagging file at <paramref name="path"/>; see <see cref="Parse"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not valid UTF-8 text or breaks a rule of the format.</exception>
    public static TaggingDataset Read(string path, LabelSet? tags = null) => Parse(TextFile.ReadCorpus(path), path, tags);

    /// <summary>
    /// Parses <paramref name="text"/> in the training format. With <paramref name="tags"/> (a training file's, when this
    /// is a separate validation file) every tag must be one of them and <see cref="Tags"/> is that set.
    /// </summary>
    /// <exception cref="InvalidDataException">A line breaks a rule of the format, or a tag is not in <paramref name="tags"/>.</exception>
    public static TaggingDataset Parse(string text, string name, LabelSet? tags = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(name);
        var sequences = ParseSequences(text, name, labelled: true);
        if (sequences.Count == 0) throw new InvalidDataException($"'{name}' holds no sequences.");
        if (tags is not null)
        {
            foreach (TaggedSequence sequence in sequences)
                for (int i = 0; i < sequence.Tokens.Count; i++)
                    if (!tags.TryGetId(sequence.Tags![i], out _))
                        throw DataLines.Error(name, sequence.Line + i, 0, $"the tag {DataLines.Show(sequence.Tags[i])} is not one of the {tags.Count} training tags");
        }
        return new TaggingDataset(name, [.. sequences], tags ?? new LabelSet(sequences.SelectMany(s => s.Tags!)));
    }

    /// <summary>Reads prediction input from <paramref name="path"/>; see <see cref="ParsePredictionInput"/>.</summary>
    public static IReadOnlyList<TaggedSequence> ReadPredictionInput(string path) => ParsePredictionInput(TextFile.ReadCorpus(path), path);

    /// <summary>
    /// Parses prediction input: one token a line, empty lines between sequences as in the training format. Where a line
    /// has a tab, the part after its last tab (a tag column) is ignored, so a training file can be tagged again.
    /// </summary>
    /// <exception cref="InvalidDataException">A token is empty (the message names its line).</exception>
    public static IReadOnlyList<TaggedSequence> ParsePredictionInput(string text, string name)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(name);
        return ParseSequences(text, name, labelled: false);
    }

    /// <summary>The id in <see cref="Tags"/> of each tag of <paramref name="sequence"/>.</summary>
    /// <exception cref="ArgumentException">The sequence has no tags, or one not in <see cref="Tags"/>.</exception>
    public int[] TagIds(TaggedSequence sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        if (sequence.Tags is null) throw new ArgumentException($"The sequence of line {sequence.Line} has no tags.", nameof(sequence));
        return [.. sequence.Tags.Select(tag => Tags.TryGetId(tag, out int id)
            ? id
            : throw new ArgumentException($"The sequence of line {sequence.Line} has the tag \"{tag}\", not in this data set.", nameof(sequence)))];
    }

    /// <summary>
    /// A word-mode vocabulary of the tokens of <paramref name="sequences"/>: the special tokens, then the distinct tokens
    /// in ordinal order; with <paramref name="maxSize"/>, only the most frequent (ties to the ordinally smaller) so that
    /// the count is at most <paramref name="maxSize"/>. Tokens holding white space, and tokens spelled like a special
    /// token, are left out (a word vocabulary cannot hold them) and encode as unknown.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSize"/> leaves no room beside the 3 special tokens.</exception>
    /// <exception cref="ArgumentException">No token can be held.</exception>
    public static Vocabulary BuildVocabulary(IEnumerable<TaggedSequence> sequences, int? maxSize = null)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        string[] specials = [Vocabulary.UnknownToken, Vocabulary.StartToken, Vocabulary.EndToken];
        if (maxSize is int size && (size <= specials.Length || size > Vocabulary.MaxTokens))
            throw new ArgumentOutOfRangeException(nameof(maxSize), size, $"Must be in ({specials.Length}, {Vocabulary.MaxTokens}]: the {specials.Length} special tokens are included.");
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string token in sequences.SelectMany(s => s.Tokens))
            if (!token.Any(char.IsWhiteSpace) && !specials.Contains(token)) CollectionsMarshal.GetValueRefOrAddDefault(counts, token, out _)++;
        if (counts.Count == 0) throw new ArgumentException("The sequences have no token a word vocabulary can hold.", nameof(sequences));
        IEnumerable<KeyValuePair<string, long>> kept = counts;
        int keep = (maxSize ?? Vocabulary.MaxTokens) - specials.Length;
        if (counts.Count > keep) kept = counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Take(keep);
        string[] tokens = [.. specials, .. kept.Select(c => c.Key).Order(StringComparer.Ordinal)];
        // The vocabulary's JSON form is its one public constructor from a token list; it checks every token again.
        return Vocabulary.FromJson(JsonSerializer.Serialize(new { kind = "word", tokens }));
    }

    /// <summary>The id of each token of <paramref name="sequence"/> by <see cref="Vocabulary.Id"/> (unknown tokens as 0).</summary>
    public static int[] Encode(Vocabulary vocabulary, TaggedSequence sequence)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(sequence);
        return [.. sequence.Tokens.Select(vocabulary.Id)];
    }

    private static List<TaggedSequence> ParseSequences(string text, string name, bool labelled)
    {
        var sequences = new List<TaggedSequence>();
        var tokens = new List<string>();
        var tags = new List<string>();
        int first = 0;
        foreach (DataLine line in DataLines.Split(text))
        {
            if (line.Text.Length == 0)
            {
                if (tokens.Count > 0) sequences.Add(new TaggedSequence(first, [.. tokens], labelled ? [.. tags] : null));
                tokens.Clear();
                tags.Clear();
                continue;
            }
            if (tokens.Count == 0) first = line.Number;
            int tab = line.Text.LastIndexOf('\t');
            if (labelled && tab < 0) throw DataLines.Error(name, line.Number, 0, "the line has no tab between the token and the tag");
            string token = tab < 0 ? line.Text : line.Text[..tab];
            if (token.Length == 0) throw DataLines.Error(name, line.Number, 1, "the token before the tab is empty");
            tokens.Add(token);
            if (!labelled) continue;
            string tag = line.Text[(tab + 1)..].Trim();
            if (tag.Length == 0) throw DataLines.Error(name, line.Number, tab + 2, "the tag after the tab is empty");
            tags.Add(tag);
        }
        if (tokens.Count > 0) sequences.Add(new TaggedSequence(first, [.. tokens], labelled ? [.. tags] : null));
        return sequences;
    }
}
