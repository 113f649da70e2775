// The chunk rules are conlleval's (the CoNLL-2000 shared task's scorer), restricted to B-, I- and O, so that span F1
// here is the number papers report for BIO tagging.
namespace Rnn.Training;

/// <summary>One span (chunk) of a tag sequence: tokens [Start, End] inclusive, of type Type.</summary>
public readonly record struct TagSpan(int Start, int End, string Type);

/// <summary>
/// The spans of a BIO tag sequence by conlleval's rules. A tag is <c>O</c>, or <c>B-X</c> / <c>I-X</c> with type X
/// (everything after the first hyphen). Any other tag (<c>PER</c>, <c>E-PER</c>, <c>S-PER</c>: IOBES is not read as
/// such) counts as an inside tag of its own type, the whole tag, so a run of it is one span.
/// <list type="bullet">
/// <item>A span ends before a token when the previous tag is B or I and the token is B or O, or when the previous
/// tag is not O and the types differ.</item>
/// <item>A span starts at a token tagged B, at an I after an O, and at any non-O tag whose type differs from the
/// previous tag's; so an I-X with no B-X before it, or after a span of another type, starts a span.</item>
/// <item>Each sequence starts as if after an O, and a span open at its end ends with it.</item>
/// </list>
/// </summary>
public static class TagSpans
{
    /// <summary>The spans of <paramref name="tags"/>, in order.</summary>
    public static List<TagSpan> Find(IReadOnlyList<string> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var spans = new List<TagSpan>();
        int start = -1;
        (char prefix, string type) previous = ('O', "");
        for (int i = 0; i < tags.Count; i++)
        {
            var current = Parse(tags[i]);
            if (start >= 0 && EndsBefore(previous, current))
            {
                spans.Add(new TagSpan(start, i - 1, previous.type));
                start = -1;
            }
            if (StartsAt(previous, current)) start = i;
            previous = current;
        }
        if (start >= 0) spans.Add(new TagSpan(start, tags.Count - 1, previous.type));
        return spans;
    }

    private static (char Prefix, string Type) Parse(string tag)
    {
        if (tag == "O") return ('O', "");
        if (tag.Length > 2 && tag[1] == '-' && tag[0] is 'B' or 'I') return (tag[0], tag[2..]);
        return ('I', tag);
    }

    private static bool EndsBefore((char Prefix, string Type) previous, (char Prefix, string Type) current) =>
        (previous.Prefix is 'B' or 'I' && current.Prefix is 'B' or 'O')
        || (previous.Prefix != 'O' && previous.Type != current.Type);

    private static bool StartsAt((char Prefix, string Type) previous, (char Prefix, string Type) current) =>
        current.Prefix == 'B'
        || (previous.Prefix == 'O' && current.Prefix == 'I')
        || (current.Prefix != 'O' && previous.Type != current.Type);
}
