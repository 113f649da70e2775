// A forecaster: a window of T rows of F scaled inputs → RNN → one summary of the window → linear → the next K values
// of the target, scaled; the scaling, fitted on the training rows, turns them back into the target's units.
using Rnn.Data;
using Rnn.Layers;
using Rnn.Models;
using Rnn.Serialization;

namespace Rnn.Training;

/// <summary>The <see cref="ModelTask.Forecast"/> configuration of <see cref="SequenceModel{T}"/>; see <see cref="TaskModel"/> for thread safety.</summary>
public sealed class Forecaster : TaskModel
{
    private Forecaster(SequenceModel<float> model, ModelContents contents, TrainingState? training) : base(model, contents, training) { }

    /// <summary>The window layout: input columns, target, T, K, missing-value policy.</summary>
    public ForecastOptions Layout => Contents.Forecast!;

    /// <summary>The scaling fitted on the training rows.</summary>
    public FeatureScaling Scaling => Contents.Scaling!;

    /// <summary>
    /// A new forecaster for <paramref name="series"/>' columns, T and K; the network's InputSize is set to the number of
    /// input columns. The scaling is fitted on all rows until <see cref="Fit"/> refits it on the training rows.
    /// </summary>
    public static Forecaster Create(ForecastDataset series, RnnOptions network, HeadKind head = HeadKind.FinalState, MissingValuePolicy missing = MissingValuePolicy.Refuse, ulong seed = 1)
    {
        var config = Config(series, network, head);
        var layout = new ForecastOptions
        {
            SequenceLength = series.SequenceLength, Horizon = series.Horizon, Target = series.TargetColumn, Inputs = series.InputColumns, Missing = missing,
        };
        return new Forecaster(new SequenceModel<float>(config, seed), new ModelContents { Scaling = series.FitScaling(series.RowCount), Forecast = layout }, null);
    }

    /// <summary>The model configuration <see cref="Create"/> gives (for a memory estimate before anything is allocated).</summary>
    public static ModelConfig Config(ForecastDataset series, RnnOptions network, HeadKind head = HeadKind.FinalState)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(network);
        return new ModelConfig
        {
            Task = ModelTask.Forecast,
            Network = network with { InputSize = series.InputColumns.Count },
            OutputSize = series.Horizon,
            Head = head,
        };
    }

    /// <summary>Loads a forecaster saved by <see cref="TaskModel.Save"/> (or by <c>rnn train --task forecast</c>).</summary>
    /// <exception cref="InvalidDataException">The file is damaged or holds a model of another task.</exception>
    public static Forecaster Load(string path) => From(Checkpoint.Load(path));

    /// <summary>The forecaster a loaded checkpoint holds (e.g. one shared by several threads, each creating its own).</summary>
    /// <exception cref="InvalidDataException">The checkpoint holds a model of another task.</exception>
    public static Forecaster From(Checkpoint checkpoint) =>
        FromCheckpoint(checkpoint, ModelTask.Forecast, (model, contents, training) => new Forecaster(model, contents, training));

    /// <summary>Reads a CSV series with this forecaster's columns and missing-value policy; it needs T rows.</summary>
    public ForecastDataset ReadSeries(string path) => ForecastDataset.Read(path, Layout with { PredictionInput = true });

    /// <summary>
    /// Trains on the series' first rows, validating on its last ValidationFraction (a time split). A model not yet
    /// trained first refits its scaling on the training rows; a resumed one keeps the scaling it was trained with.
    /// </summary>
    public TrainingState Fit(ForecastDataset series, FitSettings settings, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(settings);
        ForecastSplit split = series.Split(settings.Options.ValidationFraction);
        if (settings.Resume is null && Training is null) Contents = Contents with { Scaling = series.FitScaling(split.TrainingRows) };
        var source = new ForecastWindows<float>(series.Scale(Scaling), split, settings.Options.BatchSize, settings.Options.Seed);
        return Run(source, settings, cancellation);
    }

    /// <summary>The next K values of the target after the last row of <paramref name="series"/>, in its units.</summary>
    public IReadOnlyList<double> Predict(ForecastDataset series)
    {
        ArgumentNullException.ThrowIfNull(series);
        return Unscale(ForecastWindows<float>.Forecasts(Model, series.Scale(Scaling), [series.RowCount - 1])[0]);
    }

    /// <summary>For every row e from T − 1 on, the value forecast K steps after it (from the window ending at e), in the target's units.</summary>
    public IReadOnlyList<double> PredictAll(ForecastDataset series)
    {
        ArgumentNullException.ThrowIfNull(series);
        int[] ends = [.. Enumerable.Range(series.SequenceLength - 1, series.RowCount - series.SequenceLength + 1)];
        return [.. ForecastWindows<float>.Forecasts(Model, series.Scale(Scaling), ends).Select(z => Scaling.InverseTarget(z[^1]))];
    }

    private double[] Unscale(double[] scaled) => [.. scaled.Select(Scaling.InverseTarget)];
}
