// Which cells count as numbers, missing or dates is decided in one place, so that the forecast reader, its column
// defaults and its index detection can never disagree about a cell.
using System.Globalization;
using System.Text.RegularExpressions;

namespace Rnn.Data;

/// <summary>How a forecast reader reads one CSV cell.</summary>
internal static partial class CsvCells
{
    /// <summary>
    /// Whether <paramref name="cell"/> marks a missing value: empty or white space, or (trimmed, any letter case)
    /// NA, NaN, N/A or null.
    /// </summary>
    public static bool IsMissing(string cell)
    {
        string value = cell.Trim();
        return value.Length == 0 || value.Equals("NA", StringComparison.OrdinalIgnoreCase) || value.Equals("NaN", StringComparison.OrdinalIgnoreCase)
            || value.Equals("N/A", StringComparison.OrdinalIgnoreCase) || value.Equals("null", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Reads <paramref name="cell"/> as a finite number in the invariant culture (a dot for decimals, an optional
    /// exponent, white space around it allowed, no thousands separators). Infinities and overflowing values are not numbers.
    /// </summary>
    public static bool TryParseNumber(string cell, out double value) =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>
    /// Whether <paramref name="cell"/> (trimmed) is written like a date or time: <c>YYYY</c>, <c>YYYY-MM</c>,
    /// <c>YYYY-MM-DD</c>, <c>YYYYQn</c>, <c>YYYY-Qn</c>, or an ISO 8601 date and time (<c>YYYY-MM-DD hh:mm</c> or with a
    /// <c>T</c>, optional seconds, fraction and zone).
    /// </summary>
    public static bool IsDateLike(string cell) => DatePattern().IsMatch(cell.Trim());

    [GeneratedRegex(@"^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01])([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?)?|-?Q[1-4])?$", RegexOptions.CultureInvariant)]
    private static partial Regex DatePattern();
}
