namespace Rnn.Cli;

/// <summary>
/// Watches streamed text for a string that ends a sample, such as a blank line ("\n\n") or a poem's last mark. The
/// string may be split across tokens and may begin in the text before the watch starts (a prime ending in a line
/// break followed by a drawn line break is a blank line), but it must end in watched text.
/// </summary>
public sealed class StopString
{
    private readonly string _stop;
    private string _tail = "";   // the last _stop.Length − 1 characters seen: all an occurrence can reach back

    /// <summary>Watches for <paramref name="stop"/> (not empty).</summary>
    public StopString(string stop)
    {
        ArgumentException.ThrowIfNullOrEmpty(stop);
        _stop = stop;
    }

    /// <summary>
    /// The value of a <c>--stop-at</c> option: <c>\n</c>, <c>\t</c> and <c>\\</c> stand for a line break, a tab and a
    /// backslash, so that a blank line is <c>--stop-at '\n\n'</c> in any shell; any other backslash stays as it is.
    /// </summary>
    public static string Unescape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = new System.Text.StringBuilder(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            char next = i + 1 < value.Length ? value[i + 1] : '\0';
            if (value[i] == '\\' && next is 'n' or 't' or '\\')
            {
                text.Append(next switch { 'n' => '\n', 't' => '\t', _ => '\\' });
                i++;
            }
            else text.Append(value[i]);
        }
        return text.ToString();
    }

    /// <summary>Text written before the watched text (the prime): it may hold the start of the string, never its end.</summary>
    public void Precede(string text) => _tail = Tail(_tail + text);

    /// <summary>Adds drawn text; true once the string has been completed.</summary>
    public bool Completes(string text)
    {
        string seen = _tail + text;
        _tail = Tail(seen);
        return seen.Contains(_stop, StringComparison.Ordinal);
    }

    private string Tail(string seen) => seen.Length < _stop.Length ? seen : seen[^(_stop.Length - 1)..];
}
