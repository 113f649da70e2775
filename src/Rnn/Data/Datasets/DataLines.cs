// The line-oriented data files (classification TSV, tagging columns, class weights) share one way of numbering lines
// and one shape of message, so that every refusal reads "'file' line 3, column 5: problem" whatever the format.
namespace Rnn.Data;

/// <summary>One line of a data file: its 1-based number and its text without the line break.</summary>
/// <param name="Number">The 1-based line number in the file.</param>
/// <param name="Text">The line's text, without its LF (a CR LF was already read as LF by <see cref="TextFile"/>).</param>
internal readonly record struct DataLine(int Number, string Text);

/// <summary>Splitting a data file into numbered lines, and the messages that point into it.</summary>
internal static class DataLines
{
    /// <summary>
    /// The lines of <paramref name="text"/>, split at LF. A final LF ends the last line rather than starting an empty
    /// one, so "a\nb\n" has two lines; every other empty line is kept, numbered, with empty text.
    /// </summary>
    public static List<DataLine> Split(string text)
    {
        var lines = new List<DataLine>();
        int start = 0;
        while (start < text.Length)
        {
            int end = text.IndexOf('\n', start);
            if (end < 0) end = text.Length;
            lines.Add(new DataLine(lines.Count + 1, text[start..end]));
            start = end + 1;
        }
        return lines;
    }

    /// <summary>A refusal that names the file, the 1-based line and, when positive, the 1-based column.</summary>
    public static InvalidDataException Error(string name, int line, int column, string problem) =>
        new(column > 0 ? $"'{name}' line {line}, column {column}: {problem}" : $"'{name}' line {line}: {problem}");

    /// <summary>The text shown for a value in a message: quoted, and cut at 40 chars so a huge cell cannot flood it.</summary>
    public static string Show(string value) => value.Length <= 40 ? $"\"{value}\"" : $"\"{value[..40]}…\" ({value.Length} chars)";
}
