// The scaling is fitted on the training rows only, so validation numbers never leak into what the model is shown;
// it is stored with the model so that prediction scales inputs and unscales forecasts exactly as training did.
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rnn.Data;

/// <summary>The z-score of one column: <c>z = (x − Mean) / Std</c>.</summary>
/// <param name="Column">The column's name.</param>
/// <param name="Mean">The mean of the fitted values.</param>
/// <param name="Std">Their population standard deviation (divided by n, as scikit-learn's StandardScaler), or 1 when it is 0.</param>
public sealed record ColumnScaling(
    [property: JsonPropertyName("column")] string Column,
    [property: JsonPropertyName("mean")] double Mean,
    [property: JsonPropertyName("std")] double Std)
{
    /// <summary>Fits the mean and population standard deviation of <paramref name="values"/>; a standard deviation of 0 becomes 1.</summary>
    /// <exception cref="ArgumentException"><paramref name="values"/> is empty, or so large that the mean or standard deviation overflows.</exception>
    public static ColumnScaling Fit(string column, IEnumerable<double> values)
    {
        double[] fitted = [.. values];
        if (fitted.Length == 0) throw new ArgumentException($"No values to fit the scaling of \"{column}\" to.", nameof(values));
        double mean = fitted.Average();
        double variance = fitted.Sum(x => (x - mean) * (x - mean)) / fitted.Length;
        double std = Math.Sqrt(variance);
        if (!double.IsFinite(mean) || !double.IsFinite(std))
            throw new ArgumentException($"The values of \"{column}\" are too large to scale: their mean or standard deviation overflows.", nameof(values));
        return new ColumnScaling(column, mean, std > 0 ? std : 1);
    }

    /// <summary>(x − Mean) / Std.</summary>
    public double Transform(double x) => (x - Mean) / Std;

    /// <summary>z · Std + Mean: the inverse of <see cref="Transform"/>.</summary>
    public double Inverse(double z) => z * Std + Mean;
}

/// <summary>
/// The z-score scaling of a forecaster's columns, fitted on the training rows, with JSON for the model file:
/// <c>{"target":"…","columns":[{"column":"…","mean":…,"std":…},…]}</c>, numbers written to round-trip exactly.
/// </summary>
/// <param name="Target">The target column, which <see cref="InverseTarget"/> unscales.</param>
/// <param name="Columns">One entry per input column, and one for the target when it is not an input.</param>
/// <param name="TargetNaiveMae">
/// The in-sample one-step naive MAE of the target over the training rows, (1/(m−1)) Σ_{t=1}^{m−1} |y_t − y_{t−1}|, in
/// its units: the scale of the MASE (JSON <c>"naive_mae"</c>). Null in files made before it was stored, and when there
/// was a single training row.
/// </param>
public sealed record FeatureScaling(
    [property: JsonPropertyName("target")] string Target,
    [property: JsonPropertyName("columns")] IReadOnlyList<ColumnScaling> Columns,
    [property: JsonPropertyName("naive_mae"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? TargetNaiveMae = null)
{
    /// <summary>The scaling of <paramref name="column"/>.</summary>
    /// <exception cref="ArgumentException">There is none.</exception>
    public ColumnScaling Column(string column) => Columns.FirstOrDefault(c => c.Column == column)
        ?? throw new ArgumentException($"The scaling has no column \"{column}\".", nameof(column));

    /// <summary>(1/(m−1)) Σ_{t=1}^{m−1} |y_t − y_{t−1}| over the m values of <paramref name="series"/>: the MAE of repeating the last value.</summary>
    /// <exception cref="ArgumentException"><paramref name="series"/> has fewer than 2 values.</exception>
    public static double OneStepNaiveMae(ReadOnlySpan<double> series)
    {
        if (series.Length < 2) throw new ArgumentException($"The naive error needs 2 values; there are {series.Length}.", nameof(series));
        double sum = 0;
        for (int t = 1; t < series.Length; t++) sum += Math.Abs(series[t] - series[t - 1]);
        return sum / (series.Length - 1);
    }

    /// <summary>A forecast back in the target's units: z · Std + Mean of <see cref="Target"/>.</summary>
    public double InverseTarget(double z) => Column(Target).Inverse(z);

    /// <summary>The scaling as compact JSON (see <see cref="FeatureScaling"/>).</summary>
    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>Parses the output of <see cref="ToJson"/>.</summary>
    /// <exception cref="InvalidDataException">The JSON is malformed, a column name is empty or repeated, a mean is not
    /// finite, a standard deviation is not finite and positive, the target has no entry, or naive_mae is negative or not finite.</exception>
    public static FeatureScaling FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        FeatureScaling? scaling;
        try
        {
            scaling = JsonSerializer.Deserialize<FeatureScaling>(json, new JsonSerializerOptions { RespectRequiredConstructorParameters = true, RespectNullableAnnotations = true });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"invalid feature scaling: {e.Message}", e);
        }
        if (scaling is null) throw new InvalidDataException("invalid feature scaling: it is null");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (ColumnScaling column in scaling.Columns)
        {
            if (column is null || string.IsNullOrEmpty(column.Column) || !names.Add(column.Column))
                throw new InvalidDataException("invalid feature scaling: a column is null, unnamed or named twice");
            if (!double.IsFinite(column.Mean) || !double.IsFinite(column.Std) || column.Std <= 0)
                throw new InvalidDataException($"invalid feature scaling: column \"{column.Column}\" has mean {column.Mean} and std {column.Std}; both must be finite and std positive");
        }
        if (!names.Contains(scaling.Target)) throw new InvalidDataException($"invalid feature scaling: the target \"{scaling.Target}\" has no entry");
        if (scaling.TargetNaiveMae is double naive && !(double.IsFinite(naive) && naive >= 0))
            throw new InvalidDataException($"invalid feature scaling: naive_mae is {naive}; it must be finite and not negative");
        return scaling;
    }
}
