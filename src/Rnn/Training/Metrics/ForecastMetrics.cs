// MASE divides by the in-sample one-step naive error of the training part (Hyndman and Koehler 2006), so a value
// below 1 means the model beats repeating the last value as it would have done on the data it was fitted to.
using Rnn.Data;

namespace Rnn.Training;

/// <summary>
/// Forecast errors on the target's own scale, with the naive baselines on the same points, in plain doubles (null
/// where a value is undefined) that serialise to JSON as they are.
/// </summary>
/// <param name="Count">n: the forecasts scored.</param>
/// <param name="Mae">(1/n) Σ |y_r − ŷ_r| over the scored rows r.</param>
/// <param name="Rmse">√((1/n) Σ (y_r − ŷ_r)²).</param>
/// <param name="Mase">Mae / Scale; null when Scale is 0.</param>
/// <param name="Scale">The in-sample one-step naive MAE of the training part: (1/(m−1)) Σ_{t=1}^{m−1} |y_t − y_{t−1}| over its m rows.</param>
/// <param name="NaiveMae">The MAE of forecasting each row r with y_{r−K}, the last value its window saw.</param>
/// <param name="SeasonalNaiveMae">The MAE of forecasting row r with y_{r − s·⌈K/s⌉}, the same season's last seen value;
/// null without a season or when a scored row has no such earlier value.</param>
public sealed record ForecastMetrics(int Count, double Mae, double Rmse, double? Mase, double Scale, double NaiveMae, double? SeasonalNaiveMae)
{
    /// <summary>Scores forecasts of <paramref name="series"/> at <paramref name="rows"/>.</summary>
    /// <param name="series">[N]: the target series in its own units.</param>
    /// <param name="rows">[n]: the row each forecast is for; each at least <paramref name="horizon"/>.</param>
    /// <param name="predictions">[n]: the forecasts, in the target's units.</param>
    /// <param name="horizon">K: how many rows before its target row a forecast was made.</param>
    /// <param name="trainingRows">m: the rows [0, m) of the training part; at least 2.</param>
    /// <param name="season">s: the season length for the seasonal naive forecast, or null.</param>
    /// <exception cref="ArgumentException">Lengths differ or are 0, a row or number is out of range, or a prediction is not finite.</exception>
    public static ForecastMetrics Compute(ReadOnlySpan<double> series, ReadOnlySpan<int> rows, ReadOnlySpan<double> predictions,
        int horizon, int trainingRows, int? season = null)
    {
        if (trainingRows < 2 || trainingRows > series.Length)
            throw new ArgumentOutOfRangeException(nameof(trainingRows), trainingRows, $"Must be in [2, {series.Length}]: the scale needs two training rows.");
        return ComputeWithScale(series, rows, predictions, horizon, FeatureScaling.OneStepNaiveMae(series[..trainingRows]), season);
    }

    /// <summary>
    /// Scores forecasts as <see cref="Compute"/> does, with the MASE scale given: the training part's one-step naive MAE
    /// stored with a model (<see cref="FeatureScaling.TargetNaiveMae"/>) when the training rows are no longer at hand.
    /// </summary>
    /// <param name="scale">The training part's one-step naive MAE; finite and not negative.</param>
    /// <exception cref="ArgumentException">As <see cref="Compute"/>, or <paramref name="scale"/> is negative or not finite.</exception>
    public static ForecastMetrics ComputeWithScale(ReadOnlySpan<double> series, ReadOnlySpan<int> rows, ReadOnlySpan<double> predictions,
        int horizon, double scale, int? season = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(horizon, "Horizon");
        if (season is int s) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(s, "Season");
        if (!double.IsFinite(scale) || scale < 0) throw new ArgumentOutOfRangeException(nameof(scale), scale, "Must be finite and not negative.");
        if (rows.Length != predictions.Length) throw new ArgumentException($"There are {rows.Length} rows and {predictions.Length} predictions.", nameof(predictions));
        if (rows.Length == 0) throw new ArgumentException("There are no forecasts to score.", nameof(rows));

        int seasonalLag = season is int m ? m * ((horizon + m - 1) / m) : 0;
        double absolute = 0, squared = 0, naive = 0, seasonal = 0;
        bool seasonalDefined = season is not null;
        for (int i = 0; i < rows.Length; i++)
        {
            int r = rows[i];
            if (r < horizon || r >= series.Length)
                throw new ArgumentOutOfRangeException(nameof(rows), r, $"Row {i} must be in [K, N) = [{horizon}, {series.Length}).");
            if (!double.IsFinite(predictions[i])) throw new ArgumentException($"Prediction {i} is {predictions[i]}, not a finite number.", nameof(predictions));
            double error = series[r] - predictions[i];
            absolute += Math.Abs(error);
            squared += error * error;
            naive += Math.Abs(series[r] - series[r - horizon]);
            if (r < seasonalLag) seasonalDefined = false;
            else if (seasonalDefined) seasonal += Math.Abs(series[r] - series[r - seasonalLag]);
        }
        int n = rows.Length;
        double mae = absolute / n;
        return new ForecastMetrics(n, mae, Math.Sqrt(squared / n), scale == 0 ? null : mae / scale, scale, naive / n,
            seasonalDefined ? seasonal / n : null);
    }
}
