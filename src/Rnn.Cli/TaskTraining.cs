// `rnn train --task classify|tag|forecast`: data read and split, the task model built or resumed, fitted by the one
// trainer with the progress line and checkpoints, the final figures and the loss plot. The language model keeps its
// own run (TrainingRun), which reads a corpus rather than examples.
using System.Globalization;
using Rnn.Data;
using Rnn.Layers;
using Rnn.Models;
using Rnn.Optim;
using Rnn.Serialization;
using Rnn.Training;

namespace Rnn.Cli;

/// <summary>Everything <c>rnn train</c> needs for a supervised task.</summary>
public sealed record TaskTrainRequest
{
    /// <summary>classify, tag or forecast.</summary>
    public required ModelTask Task { get; init; }

    /// <summary>The training data file.</summary>
    public required string Data { get; init; }

    /// <summary>A validation file, or null for a part of the data.</summary>
    public string? ValidationFile { get; init; }

    /// <summary>Character or word tokens (classification).</summary>
    public TokenKind Tokens { get; init; } = TokenKind.Character;

    /// <summary>The network; InputSize is the embedding width (token tasks).</summary>
    public required RnnOptions Network { get; init; }

    /// <summary>The head of a classifier or forecaster, or null for the task's default.</summary>
    public HeadKind? Head { get; init; }

    /// <summary>The forecast columns, T, K and missing-value policy.</summary>
    public ForecastOptions? Forecast { get; init; }

    /// <summary>Loop options, stop condition, best-by, class weights, max length (paths in <see cref="ClassWeights"/>).</summary>
    public required FitSettings Fit { get; init; }

    /// <summary><c>balanced</c>, a weights file, or null.</summary>
    public string? ClassWeights { get; init; }

    /// <summary>The "last" checkpoint path.</summary>
    public string Out { get; init; } = "model.safetensors";

    /// <summary>A loss-curve PNG to write, or null.</summary>
    public string? Plot { get; init; }

    /// <summary>The most memory the run may plan to use (null: what is available when it starts).</summary>
    public long? MaxMemory { get; init; }
}

/// <summary>Runs a <see cref="TaskTrainRequest"/>.</summary>
public static class TaskTraining
{
    /// <summary>The default head of a classifier: the one that measured better on the small data tried (README, figures).</summary>
    public const HeadKind ClassifierHead = HeadKind.MeanPool;

    /// <summary>Trains as <paramref name="request"/> says; returns the trained model.</summary>
    public static TaskModel Execute(TaskTrainRequest request, Checkpoint? resume, TextWriter output, CancellationToken cancellation)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(request.Out));
        if (folder is not null) Directory.CreateDirectory(folder);
        var progress = new ProgressLine(output, !Console.IsOutputRedirected && output == Console.Out,
            request.Task == ModelTask.Forecast ? "mse" : "nats", scale: 1);
        var fit = request.Fit with { CheckpointPath = request.Out, Resume = resume, Progress = progress.Report, Warning = progress.Warn };
        TaskModel model;
        try
        {
            model = request.Task switch
            {
                ModelTask.Classify => Classify(request, fit, resume, output, cancellation),
                ModelTask.Tag => Tag(request, fit, resume, output, cancellation),
                _ => Forecast(request, fit, resume, output, cancellation),
            };
        }
        finally
        {
            progress.Finish();
        }
        if (cancellation.IsCancellationRequested) output.WriteLine($"interrupted: checkpoint saved to {request.Out}");
        Report(model, request, output);
        return model;
    }

    private static Classifier Classify(TaskTrainRequest request, FitSettings fit, Checkpoint? resume, TextWriter output, CancellationToken cancellation)
    {
        var train = CommandSteps.ReadData(request.Data, path => ClassificationDataset.Read(path));
        // Everything the memory estimate needs comes before the model: its configuration and the longest example.
        Vocabulary vocabulary = resume?.Contents.Vocabulary ?? ClassificationDataset.BuildVocabulary(train.Examples, request.Tokens);
        LabelSet labels = resume?.Contents.Labels ?? train.Labels;
        var validation = request.ValidationFile is null ? null
            : CommandSteps.ReadData(request.ValidationFile, path => ClassificationDataset.Read(path, labels));
        ModelConfig config = resume?.Model ?? Classifier.Config(labels, vocabulary, request.Network, request.Head ?? ClassifierHead);
        int[] lengths = [.. train.Examples.Concat(validation?.Examples ?? []).Select(e => TextEncoding.Encode(vocabulary, e.Text, request.Fit.MaxLength).Length)];
        CheckMemory(request, resume, config, lengths);
        var classifier = resume is null
            ? Classifier.Create(train, vocabulary, request.Network, request.Head ?? ClassifierHead, request.Fit.Options.Seed)
            : Classifier.From(resume);
        CommandSteps.Guard(() => classifier.ClassIds(train.Examples));
        if (request.ClassWeights is { } weights)
        {
            int[] classes = [.. CommandSteps.Guard(() => classifier.Split(train, validation, fit)).Training.Classes!];
            fit = fit with
            {
                ClassWeights = weights == "balanced"
                    ? ClassWeightsOf(classes, classifier.Labels.Count)
                    : CommandSteps.ReadData(weights, path => Data.ClassWeights.Read(path, classifier.Labels)),
            };
        }
        Describe(output, request, classifier, $"{train.Examples.Count} examples, {classifier.Labels.Count} classes, vocabulary {classifier.Vocabulary.Count}");
        CommandSteps.Guard(() => classifier.Fit(train, validation, fit, cancellation));
        return classifier;
    }

    private static Tagger Tag(TaskTrainRequest request, FitSettings fit, Checkpoint? resume, TextWriter output, CancellationToken cancellation)
    {
        var train = CommandSteps.ReadData(request.Data, path => TaggingDataset.Read(path));
        Vocabulary vocabulary = resume?.Contents.Vocabulary ?? TaggingDataset.BuildVocabulary(train.Sequences);
        LabelSet tags = resume?.Contents.Labels ?? train.Tags;
        var validation = request.ValidationFile is null ? null
            : CommandSteps.ReadData(request.ValidationFile, path => TaggingDataset.Read(path, tags));
        ModelConfig config = resume?.Model ?? Tagger.Config(tags, vocabulary, request.Network);
        int limit = request.Fit.MaxLength ?? int.MaxValue;
        int[] lengths = [.. train.Sequences.Concat(validation?.Sequences ?? []).Select(s => Math.Max(1, Math.Min(limit, s.Tokens.Count)))];
        CheckMemory(request, resume, config, lengths);
        var tagger = resume is null ? Tagger.Create(train, vocabulary, request.Network, request.Fit.Options.Seed) : Tagger.From(resume);
        Describe(output, request, tagger, $"{train.Sequences.Count} sequences, {tagger.Tags.Count} tags, vocabulary {tagger.Vocabulary.Count}");
        CommandSteps.Guard(() => tagger.Fit(train, validation, fit, cancellation));
        return tagger;
    }

    private static Forecaster Forecast(TaskTrainRequest request, FitSettings fit, Checkpoint? resume, TextWriter output, CancellationToken cancellation)
    {
        if (request.ValidationFile is not null)
            throw new UsageException("--val-file is not used for forecasting: the validation part is the end of the series (--val-fraction).");
        ForecastOptions layout = resume?.Contents.Forecast ?? request.Forecast!;
        var series = CommandSteps.ReadData(request.Data, path => ForecastDataset.Read(path, layout));
        ModelConfig config = resume?.Model ?? Forecaster.Config(series, request.Network, request.Head ?? HeadKind.FinalState);
        CheckMemory(request, resume, config, [series.SequenceLength], dataBytes: (long)series.RowCount * (series.InputColumns.Count + 1) * sizeof(double));
        var forecaster = resume is null
            ? Forecaster.Create(series, request.Network, request.Head ?? HeadKind.FinalState, layout.Missing, request.Fit.Options.Seed)
            : Forecaster.From(resume);
        Describe(output, request, forecaster,
            string.Create(CultureInfo.InvariantCulture, $"{series.RowCount} rows, target {series.TargetColumn}, inputs {string.Join(",", series.InputColumns)}, T={series.SequenceLength} K={series.Horizon}"));
        CommandSteps.Guard(() => forecaster.Fit(series, fit, cancellation));
        return forecaster;
    }

    /// <summary>
    /// Refuses a run that cannot fit before its model exists: the estimate takes batches as long as the longest
    /// example (after --max-len), since the length-bucketed batches pad to their longest.
    /// </summary>
    private static void CheckMemory(TaskTrainRequest request, Checkpoint? resume, ModelConfig config, int[] lengths, long dataBytes = -1)
    {
        var options = request.Fit.Options;
        int longest = lengths.Length == 0 ? 1 : lengths.Max();
        if (dataBytes < 0) dataBytes = lengths.Sum(n => (long)n) * 2 * sizeof(int);   // ids and targets
        var estimate = MemoryEstimate.ForTraining<float>(config, longest, options.BatchSize, options.Optimizer, options.Momentum,
            dataBytes, Rnn.Kernels.ComputeThreads.Max);
        MemoryCheck.Ensure(estimate, request.MaxMemory,
            request.Task == ModelTask.Forecast ? "--hidden, --layers, --batch or --seq" : "--hidden, --layers, --batch or --max-len");
    }

    private static double[] ClassWeightsOf(int[] classes, int count) => Data.ClassWeights.Balanced(classes, count);

    private static void Describe(TextWriter output, TaskTrainRequest request, TaskModel model, string data)
    {
        if (model.Training is { } state) output.WriteLine($"resuming at step {state.Step} ({model.Model.Config})");
        output.WriteLine($"data {request.Data}: {data}; model {model.Model.Config}, {model.Model.Parameters.Count} parameters");
    }

    private static void Report(TaskModel model, TaskTrainRequest request, TextWriter output)
    {
        var state = model.Training!;
        var last = state.History[^1];
        string validation = model.LastValidation is { } v
            ? FormattableString.Invariant($", validation {v.Loss:F4}") +
              (v.Accuracy is double a ? FormattableString.Invariant($", accuracy {a:F4}") : "") +
              (v.F1 is double f ? FormattableString.Invariant($", F1 {f:F4}") : "")
            : "";
        string unit = request.Task == ModelTask.Forecast ? "mse (scaled)" : "nats";
        string best = double.IsFinite(state.BestValidationLoss) ? $" and {Trainer<float>.BestPath(request.Out)}" : "";
        output.WriteLine(FormattableString.Invariant($"step {state.Step}: train {last.TrainLoss:F4} {unit}{validation}; saved {request.Out}{best}"));
        if (state.SkippedSteps > 0) output.WriteLine($"{state.SkippedSteps} non-finite steps were skipped");
        if (request.Plot is not null)
        {
            LossPlot.Save(request.Plot, state.History, $"{Path.GetFileName(request.Data)}: {model.Model.Config}", unit, scale: 1);
            output.WriteLine($"loss curve: {request.Plot}");
        }
    }
}
