// The .NET base library has no CSV reader, so this is a small one that follows RFC 4180 exactly and refuses what the
// RFC does not allow (a quote inside an unquoted field, text after a closing quote, an unterminated quote) instead of
// guessing, since a guessed split shifts every later value into the wrong column.
using System.Text;

namespace Rnn.Data;

/// <summary>One record of a CSV file after the header.</summary>
/// <param name="Line">The 1-based line the record starts on (a quoted field may continue it over several lines).</param>
/// <param name="Fields">The fields, as many as the header has.</param>
public sealed record CsvRow(int Line, IReadOnlyList<string> Fields);

/// <summary>
/// A CSV file with a header, read by RFC 4180's rules.
/// <list type="bullet">
/// <item>Fields are separated by commas and records by line breaks (CR LF is read as LF by <see cref="TextFile"/>).</item>
/// <item>A field starting with a double quote is quoted: it ends at the next lone quote, holds commas and line breaks
/// as text, and a doubled quote ("") stands for one quote. Only a comma or a line break may follow the closing quote.</item>
/// <item>A quote inside an unquoted field, text after a closing quote and an unterminated quote are refused.</item>
/// <item>Unquoted fields are kept as written (white space included); header names are trimmed of white space and must
/// be non-empty and distinct.</item>
/// <item>Every record must have as many fields as the header. An empty line is a record of one empty field; empty
/// lines at the end of the file are ignored.</item>
/// </list>
/// Columns in messages are 1-based field numbers, given with the column's header name.
/// </summary>
public sealed class CsvTable
{
    private CsvTable(string name, string[] header, CsvRow[] rows)
    {
        Name = name;
        Header = header;
        Rows = rows;
    }

    /// <summary>The name the file was read under (its path), as used in messages.</summary>
    public string Name { get; }

    /// <summary>The column names, trimmed, in file order.</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>The records after the header, in file order.</summary>
    public IReadOnlyList<CsvRow> Rows { get; }

    /// <summary>Reads the CSV file at <paramref name="path"/>; see <see cref="Parse"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not valid UTF-8 text or breaks a rule of the format.</exception>
    public static CsvTable Read(string path) => Parse(TextFile.ReadCorpus(path), path);

    /// <summary>Parses <paramref name="text"/> by the rules of <see cref="CsvTable"/>.</summary>
    /// <param name="name">The file's name for messages.</param>
    /// <exception cref="InvalidDataException">The text breaks a rule; the message names the line and column.</exception>
    public static CsvTable Parse(string text, string name)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(name);
        List<CsvRow> records = ParseRecords(text.TrimEnd('\n'), name);
        if (records.Count == 0) throw new InvalidDataException($"'{name}' is empty: it has no header.");
        string[] header = [.. records[0].Fields.Select(f => f.Trim())];
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int c = 0; c < header.Length; c++)
        {
            if (header[c].Length == 0) throw DataLines.Error(name, records[0].Line, c + 1, "the header's column name is empty");
            if (!seen.TryAdd(header[c], c))
                throw DataLines.Error(name, records[0].Line, c + 1, $"the column name {DataLines.Show(header[c])} is also the name of column {seen[header[c]] + 1}");
        }
        if (records.Count == 1) throw new InvalidDataException($"'{name}' has a header but no rows.");
        foreach (CsvRow row in records.Skip(1))
            if (row.Fields.Count != header.Length)
                throw DataLines.Error(name, row.Line, 0, $"the row has {row.Fields.Count} fields; the header has {header.Length}");
        return new CsvTable(name, header, [.. records.Skip(1)]);
    }

    /// <summary>The index of the column named <paramref name="column"/>, or −1.</summary>
    public int IndexOf(string column) => Array.IndexOf((string[])Header, column);

    /// <summary>A refusal that names this table's file, <paramref name="row"/>'s line and the column by number and name.</summary>
    internal InvalidDataException CellError(CsvRow row, int column, string problem) =>
        DataLines.Error(Name, row.Line, column + 1, $"(\"{Header[column]}\") {problem}");

    private static List<CsvRow> ParseRecords(string text, string name)
    {
        var records = new List<CsvRow>();
        var fields = new List<string>();
        var field = new StringBuilder();
        int position = 0, line = 1, recordLine = 1;
        while (true)
        {
            // position is at the start of a field.
            int fieldLine = line, fieldColumn = fields.Count + 1;
            if (position < text.Length && text[position] == '"')
            {
                position++;
                while (true)
                {
                    if (position == text.Length)
                        throw DataLines.Error(name, fieldLine, fieldColumn, "the quoted field is never closed (its closing quote is missing)");
                    char c = text[position++];
                    if (c == '"')
                    {
                        if (position < text.Length && text[position] == '"') position++;
                        else break;
                    }
                    else if (c == '\n') line++;
                    field.Append(c);
                }
                if (position < text.Length && text[position] is not (',' or '\n'))
                    throw DataLines.Error(name, line, fieldColumn, $"the quoted field is followed by '{text[position]}'; only a comma or a line break may follow a closing quote");
            }
            else
            {
                int end = text.IndexOfAny([',', '\n'], position);
                if (end < 0) end = text.Length;
                int quote = text.IndexOf('"', position, end - position);
                if (quote >= 0)
                    throw DataLines.Error(name, line, fieldColumn, "a quote inside an unquoted field; quote the whole field and double the quote (\"\")");
                field.Append(text, position, end - position);
                position = end;
            }
            fields.Add(field.ToString());
            field.Clear();
            if (position < text.Length && text[position] == ',')
            {
                position++;
                continue;
            }
            records.Add(new CsvRow(recordLine, [.. fields]));
            fields.Clear();
            if (position >= text.Length) return records;
            position++; // the LF
            recordLine = ++line;
        }
    }
}
