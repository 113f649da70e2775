// Forecast batches: the training windows (those whose target rows are training rows) shuffled each epoch by a seed of
// the run and the epoch, B at a time; every window has T steps, so a batch needs no padding.
// T = window steps, B = windows in a batch, F = input columns, K = horizon.
using System.Numerics;
using System.Security.Cryptography;
using Rnn.Data;
using Rnn.Models;
using Rnn.Tensors;

namespace Rnn.Training;

/// <summary>Windows of a scaled <see cref="ForecastDataset"/> for a forecasting <see cref="SequenceModel{T}"/>: inputs [T, B, F], targets [B, K].</summary>
public sealed class ForecastWindows<T> : ShuffledBatches<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ForecastDataset _series;
    private readonly ForecastSplit _split;
    private readonly int[] _order;
    private readonly double[] _window, _target;     // [T, F], [K]
    private readonly T[] _inputs, _targets;         // [T, B, F], [B, K]

    /// <summary>Batches of the first <see cref="ForecastSplit.TrainingWindows"/> windows of <paramref name="scaledSeries"/>; the next
    /// <see cref="ForecastSplit.ValidationWindows"/> validate.</summary>
    public ForecastWindows(ForecastDataset scaledSeries, ForecastSplit split, int batchSize, ulong seed)
        : base(seed)
    {
        ArgumentNullException.ThrowIfNull(scaledSeries);
        ArgumentNullException.ThrowIfNull(split);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize, "BatchSize");
        _series = scaledSeries;
        _split = split;
        BatchSize = Math.Min(batchSize, split.TrainingWindows);
        _order = [.. Enumerable.Range(0, split.TrainingWindows)];
        int t = scaledSeries.SequenceLength, f = scaledSeries.InputColumns.Count, k = scaledSeries.Horizon;
        _window = new double[t * f];
        _target = new double[k];
        _inputs = new T[t * BatchSize * f];
        _targets = new T[BatchSize * k];
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (double x in scaledSeries.Inputs) sha.AppendData(BitConverter.GetBytes(x));
        foreach (double x in scaledSeries.Target) sha.AppendData(BitConverter.GetBytes(x));
        sha.AppendData(BitConverter.GetBytes(split.TrainingWindows));
        DataHash = Convert.ToHexString(sha.GetHashAndReset());
    }

    /// <summary>B: windows in a full batch.</summary>
    public int BatchSize { get; }

    /// <inheritdoc/>
    public override int BatchesPerEpoch => (_split.TrainingWindows + BatchSize - 1) / BatchSize;

    /// <inheritdoc/>
    public override long StepsPerBatch => (long)BatchSize * _series.SequenceLength;

    /// <inheritdoc/>
    public override string DataHash { get; }

    /// <inheritdoc/>
    protected override void StartEpoch(ulong seed)
    {
        for (int i = 0; i < _order.Length; i++) _order[i] = i;
        var random = new SeededRandom(seed);
        for (int i = _order.Length - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (_order[i], _order[j]) = (_order[j], _order[i]);
        }
    }

    /// <inheritdoc/>
    protected override double TrainBatch(SequenceModel<T> model, int index)
    {
        int start = index * BatchSize;
        int rows = Fill(_order.AsSpan(start, Math.Min(BatchSize, _order.Length - start)));
        model.Forward(_inputs.AsSpan(0, _series.SequenceLength * rows * _series.InputColumns.Count), _series.SequenceLength, rows);
        double loss = model.SquaredError(_targets.AsSpan(0, rows * _series.Horizon));
        model.Backward();
        return loss;
    }

    /// <inheritdoc/>
    public override ValidationScore? Validate(SequenceModel<T> model)
    {
        if (_split.ValidationWindows == 0) return null;
        int[] ends = [.. Enumerable.Range(_split.TrainingWindows + _series.SequenceLength - 1, _split.ValidationWindows)];
        double[][] forecasts = Forecasts(model, _series, ends, BatchSize);
        double sum = 0;
        int k = _series.Horizon;
        for (int w = 0; w < forecasts.Length; w++)
        {
            _series.FillWindow(_split.TrainingWindows + w, _window, _target);
            for (int j = 0; j < k; j++) sum += (forecasts[w][j] - _target[j]) * (forecasts[w][j] - _target[j]);
        }
        return new ValidationScore(sum / (forecasts.Length * k));
    }

    /// <summary>
    /// The model's K outputs (in the series' scaled units) for the windows ending at each of <paramref name="endRows"/>
    /// (each in [T − 1, N)) of <paramref name="series"/>; dropout off.
    /// </summary>
    public static double[][] Forecasts(SequenceModel<T> model, ForecastDataset series, IReadOnlyList<int> endRows, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(endRows);
        int t = series.SequenceLength, f = series.InputColumns.Count, k = model.OutputSize;
        var results = new double[endRows.Count][];
        bool training = model.Rnn.Training;
        model.Rnn.Training = false;
        try
        {
            for (int start = 0; start < endRows.Count; start += batchSize)
            {
                int rows = Math.Min(batchSize, endRows.Count - start);
                var x = new T[t * rows * f];     // [T, B, F]
                for (int b = 0; b < rows; b++)
                {
                    int first = endRows[start + b] - t + 1;
                    if (first < 0 || endRows[start + b] >= series.RowCount)
                        throw new ArgumentOutOfRangeException(nameof(endRows), endRows[start + b], $"A window's last row must be in [{t - 1}, {series.RowCount}).");
                    for (int s = 0; s < t; s++)
                        for (int c = 0; c < f; c++) x[(s * rows + b) * f + c] = T.CreateChecked(series.Inputs[(first + s) * f + c]);
                }
                ReadOnlySpan<T> z = model.Forward(x, t, rows);
                for (int b = 0; b < rows; b++)
                {
                    results[start + b] = new double[k];
                    for (int j = 0; j < k; j++) results[start + b][j] = double.CreateChecked(z[b * k + j]);
                }
            }
            return results;
        }
        finally
        {
            model.Rnn.Training = training;
        }
    }

    private int Fill(ReadOnlySpan<int> windows)
    {
        int rows = windows.Length, t = _series.SequenceLength, f = _series.InputColumns.Count, k = _series.Horizon;
        for (int b = 0; b < rows; b++)
        {
            _series.FillWindow(windows[b], _window, _target);
            for (int s = 0; s < t; s++)
                for (int c = 0; c < f; c++) _inputs[(s * rows + b) * f + c] = T.CreateChecked(_window[s * f + c]);
            for (int j = 0; j < k; j++) _targets[b * k + j] = T.CreateChecked(_target[j]);
        }
        return rows;
    }
}
