// The training run of a language model as the CLI drives it: corpus split, model built or resumed, trainer with its
// progress line and checkpoints, final figures and loss plot. `rnn train` and `rnn demo` both run it.
using System.Globalization;
using Rnn.Data;
using Rnn.Diagnostics;
using Rnn.Kernels;
using Rnn.Layers;
using Rnn.Models;
using Rnn.Optim;
using Rnn.Serialization;
using Rnn.Training;

namespace Rnn.Cli;

/// <summary>Everything <c>rnn train</c> needs, from the command line or from the demo.</summary>
public sealed record TrainRequest
{
    /// <summary>The corpus as a string (the demo's), or null when <see cref="TextPath"/> names a file.</summary>
    public string? Text { get; init; }

    /// <summary>A UTF-8 file read in pieces, twice (a first pass counts, a second stores the ids), never held whole; or null.</summary>
    public string? TextPath { get; init; }

    /// <summary>Where the text came from, for messages.</summary>
    public required string Source { get; init; }

    /// <summary>The most memory the run may plan to use (null: what is available when it starts).</summary>
    public long? MaxMemory { get; init; }

    /// <summary>Character or word tokens.</summary>
    public TokenKind Tokens { get; init; } = TokenKind.Character;

    /// <summary>Word mode: how Chinese is cut (null: one word per run).</summary>
    public ChineseSegmenter? Segmenter { get; init; }

    /// <summary>The largest vocabulary, special tokens included (null: every token of the text).</summary>
    public int? MaxVocabulary { get; init; }

    /// <summary>H.</summary>
    public int HiddenSize { get; init; } = 512;

    /// <summary>L.</summary>
    public int NumLayers { get; init; } = 1;

    /// <summary>E (0: the default, min(H, 64)).</summary>
    public int EmbeddingSize { get; init; }

    /// <summary>The recurrent activation.</summary>
    public Nonlinearity Nonlinearity { get; init; } = Nonlinearity.Tanh;

    /// <summary>The recurrent cell (a new model only).</summary>
    public CellKind Cell { get; init; } = CellKind.Rnn;

    /// <summary>Dropout between layers.</summary>
    public double Dropout { get; init; }

    /// <summary>Loop options.</summary>
    public TrainingOptions Options { get; init; } = new();

    /// <summary>When to stop.</summary>
    public StopCondition Stop { get; init; } = new(Epochs: 1);

    /// <summary>The "last" checkpoint path.</summary>
    public string Out { get; init; } = "model.safetensors";

    /// <summary>A checkpoint to continue from, or null.</summary>
    public string? Resume { get; init; }

    /// <summary>A loss-curve PNG to write, or null.</summary>
    public string? Plot { get; init; }

    /// <summary>Whether to print ‖δ_k‖ of the recurrent layers at every validation point.</summary>
    public bool LogGradientFlow { get; init; }
}

/// <summary>Runs a <see cref="TrainRequest"/>.</summary>
public static class TrainingRun
{
    /// <summary>
    /// The cell of a new model when <c>--cell</c> is not given: the GRU for a language model (on a 0.9 MB text it reached a
    /// lower validation loss than the simple cell and the LSTM in the same three minutes; README, "Language model against
    /// char-rnn's peers"); the simple cell for classify, tag and forecast, as before: the one measurement of cells there
    /// (README, "Which summary a classifier reads") has the simple cell ahead with the classifier's default head.
    /// A resumed model keeps the checkpoint's cell; <c>rnn demo</c> trains the language model's.
    /// </summary>
    public static string DefaultCell(ModelTask task) => task == ModelTask.Lm ? "gru" : "rnn";

    /// <summary>Streams of the final measurement of a held-out part too long to read at every validation: wide batches read it several times faster.</summary>
    public const int FinalMeasurementStreams = 256;

    /// <summary>Trains as <paramref name="request"/> says and returns the final validation result (null without validation).</summary>
    public static (LanguageModel<float> Model, Vocabulary Vocabulary, EvaluationResult? Validation) Execute(
        TrainRequest request, TextWriter output, CancellationToken cancellation)
    {
        if ((request.Text is null) == (request.TextPath is null)) throw new ArgumentException("Give the corpus as Text or as TextPath, not both.", nameof(request));
        Checkpoint? resume = request.Resume is null ? null : CommandSteps.LoadForResume(request.Resume);
        TrainingOptions options = request.Options;
        options.Validate();
        if (request.TextPath is string path) CommandSteps.CheckTextFile(path);

        // First pass: the vocabulary (or the resumed model's) and the exact number of ids, before anything large exists.
        var reading = System.Diagnostics.Stopwatch.StartNew();
        TokenKind kind = resume?.Vocabulary.Kind ?? request.Tokens;
        ChineseSegmenter? segmenter = resume is null ? request.Segmenter : resume.Vocabulary.Segmenter;
        var counter = CommandSteps.Guard(() => VocabularyCounter.Count(Pieces(request), kind, segmenter));
        Vocabulary vocabulary = resume?.Vocabulary ?? counter.Build(request.MaxVocabulary);
        if (counter.TokenCount > Array.MaxLength)
            throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                $"{request.Source} has {counter.TokenCount:N0} tokens; at most {Array.MaxLength:N0} can be held as one sequence. Train on a part of it."));
        int count = (int)counter.TokenCount, validationCount;
        try
        {
            validationCount = BatchStreams.ValidationCount(count, options.ValidationFraction);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"{request.Source} is too short to hold out a validation part: {e.Message.Split(" (Parameter")[0]}");
        }
        int trainCount = count - validationCount;
        long needed = (long)options.BatchSize * options.SequenceLength + 1;
        if (trainCount < needed)
            throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                $"{request.Source} is too short: its training part has {trainCount} tokens, and one chunk of --batch {options.BatchSize} × --seq {options.SequenceLength} needs {needed}. Use a longer text or smaller --batch/--seq."));

        LanguageModelConfig config = resume?.Config ?? NewConfig(request, vocabulary);
        int bytesPerId = TokenIds.BytesPerIdFor(vocabulary.Count);
        long resumedFile = request.Resume is null ? 0 : new FileInfo(request.Resume).Length;
        // A held-out part too long to read whole at every validation is read whole once, at the end, in wide batches.
        bool readsSample = HeldOutSample.Choose(validationCount, options.ValidationTokens, options.BatchSize, options.SequenceLength) is not null;
        int finalStreams = readsSample ? Math.Max(options.BatchSize, FinalMeasurementStreams) : options.BatchSize;
        var estimate = MemoryEstimate.ForTraining<float>(config.ToModelConfig(), options.SequenceLength, options.BatchSize, options.Optimizer,
            options.Momentum, dataBytes: (long)count * bytesPerId + resumedFile, threads: ComputeThreads.Max, evaluationBatch: finalStreams);
        long available = MemoryCheck.Ensure(estimate, request.MaxMemory);

        // Second pass: the ids, in the smallest integer type that holds them; the parts are views of them.
        TokenIds tokens = CommandSteps.Guard(() => vocabulary.EncodeCompact(Pieces(request), count));
        if (tokens.Count != count)
            throw new InvalidDataException($"{request.Source} changed while it was read: {count} tokens at the first reading, {tokens.Count} at the second.");
        var (train, validation) = BatchStreams.Split(tokens, options.ValidationFraction);

        LanguageModel<float> model;
        if (resume is not null)
        {
            model = resume.CreateModel<float>();
            output.WriteLine($"resuming {request.Resume} at step {resume.Training!.Step} ({resume.Config})");
        }
        else model = new LanguageModel<float>(config, options.Seed);

        string? outFolder = Path.GetDirectoryName(Path.GetFullPath(request.Out));
        if (outFolder is not null) Directory.CreateDirectory(outFolder);
        string unit = vocabulary.Kind == TokenKind.Word ? "bits/word" : "bits/char";
        var source = new TextStreams<float>(model, train, validation, options.BatchSize, options.SequenceLength, options.ValidationTokens);
        reading.Stop();     // two passes over the text, and the hash of its ids
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"corpus {request.Source}: {count} tokens ({train.Count} train, {validation.Count} validation), vocabulary {vocabulary.Count}{SegmenterText(vocabulary.Segmenter)}; model {model.Config}, {model.Parameters.Count} parameters"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"text read, encoded and hashed in {reading.Elapsed.TotalSeconds:F1} s, ids {tokens.BytesPerId} byte{(tokens.BytesPerId == 1 ? "" : "s")} each ({MemoryEstimate.FormatBytes(tokens.SizeInBytes)}); {ValidationText(source, validation)}; memory about {MemoryEstimate.FormatBytes(estimate.Total)} of {MemoryEstimate.FormatBytes(available)} {(request.MaxMemory is null ? "available" : "allowed")}"));
        var progress = new ProgressLine(output, !Console.IsOutputRedirected && output == Console.Out, unit);
        var trainer = new Trainer<float>(model.Core, source, new ModelContents { Vocabulary = vocabulary }, options, resume)
        {
            CheckpointPath = request.Out,
            Progress = progress.Report,
            Warning = progress.Warn,
            ValidationPoint = request.LogGradientFlow
                ? (step, trained) => { progress.Finish(); output.WriteLine(GradientFlowLine(step, GradientFlow.DeltaNorms(trained.Rnn, request.Options.SequenceLength))); }
                : null,
        };
        long startStep = trainer.State.Step;
        try
        {
            trainer.Run(request.Stop, cancellation);
        }
        finally
        {
            progress.Finish();
        }
        if (cancellation.IsCancellationRequested) output.WriteLine($"interrupted: checkpoint saved to {request.Out}");
        output.WriteLine(RunText(trainer, startStep, source.StepsPerBatch));

        // The whole held-out part, however little of it validation read; the sample stands in when it is not measured.
        EvaluationResult? result = null;
        string measured = "";
        if (source.Sample is null) result = source.EvaluateAllHeldOut();
        else if (!cancellation.IsCancellationRequested)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"measuring all {validation.Count:N0} held-out tokens (Ctrl-C skips it)"));
            try
            {
                var measuring = System.Diagnostics.Stopwatch.StartNew();
                result = source.EvaluateAllHeldOut(finalStreams, cancellation);
                measured = string.Create(CultureInfo.InvariantCulture, $", all held-out tokens, measured in {measuring.Elapsed.TotalSeconds:F1} s");
            }
            catch (OperationCanceledException)
            {
            }
        }
        if (result is null && source.Sample is { } sample && trainer.LastValidation is { } sampled)
        {
            result = new EvaluationResult(sampled.Loss * sample.Predictions, sample.Predictions);
            measured = ", the validation sample; the whole held-out part was not measured";
        }
        var lastPoint = trainer.State.History[^1];
        string validationText = result is null ? ""
            : FormattableString.Invariant($", validation {result.BitsPerToken:F3} {unit} (perplexity {result.Perplexity:F2}{measured})");
        string bestText = double.IsFinite(trainer.State.BestValidationLoss) ? $" and {Trainer<float>.BestPath(request.Out)}" : "";
        output.WriteLine(FormattableString.Invariant($"step {trainer.State.Step}: train {lastPoint.TrainLoss / Math.Log(2):F3} {unit}{validationText}; saved {request.Out}{bestText}"));
        if (trainer.State.SkippedSteps > 0) output.WriteLine($"{trainer.State.SkippedSteps} non-finite steps were skipped");
        if (request.Plot is not null)
        {
            LossPlot.Save(request.Plot, trainer.State.History, $"{Path.GetFileName(request.Source)}: {model.Config}", unit.Replace("/", " per "));
            output.WriteLine($"loss curve: {request.Plot}");
        }
        return (model, vocabulary, result);
    }

    /// <summary>The corpus in pieces, each time from its start: the file read piecewise, or the string as one piece.</summary>
    private static IEnumerable<ReadOnlyMemory<char>> Pieces(TrainRequest request) =>
        request.TextPath is string path ? TextFile.ReadChunks(path) : [request.Text.AsMemory()];

    private static LanguageModelConfig NewConfig(TrainRequest request, Vocabulary vocabulary)
    {
        var config = new LanguageModelConfig
        {
            VocabularySize = vocabulary.Count,
            EmbeddingSize = request.EmbeddingSize > 0 ? request.EmbeddingSize : Math.Min(request.HiddenSize, 64),
            HiddenSize = request.HiddenSize,
            NumLayers = request.NumLayers,
            Cell = request.Cell,
            Nonlinearity = request.Nonlinearity,
            Dropout = request.Dropout,
        };
        try { config.Validate(); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        return config;
    }

    private static string ValidationText(TextStreams<float> source, TokenIds validation) =>
        validation.Count < 2 ? "no validation"
        : source.Sample is { } sample
            ? string.Create(CultureInfo.InvariantCulture, $"validation reads {sample.Predictions:N0} of the {validation.Count:N0} held-out tokens ({sample.Starts.Length} windows), all of them at the end")
            : string.Create(CultureInfo.InvariantCulture, $"validation reads all {validation.Count:N0} held-out tokens");

    /// <summary>Tokens per second of the training steps alone, and the share of the time validation points took.</summary>
    private static string RunText(Trainer<float> trainer, long startStep, long tokensPerStep)
    {
        var budget = trainer.LastBudget!;
        TimeSpan total = trainer.LastRunTime, training = total - budget.Spent;
        long tokens = (trainer.State.Step - startStep) * tokensPerStep;
        string skipped = budget.Skipped > 0 ? string.Create(CultureInfo.InvariantCulture, $", {budget.Skipped} skipped to keep within {budget.Share * 100:F0}%") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"trained {tokens:N0} tokens in {total.TotalSeconds:F1} s: {tokens / Math.Max(training.TotalSeconds, 1e-9):N0} tokens/s in training steps; {budget.Taken} validation points took {budget.SpentShare(total) * 100:F1}% of the time{skipped}");
    }

    private static string SegmenterText(ChineseSegmenter? segmenter) => segmenter is null ? ""
        : $" (Chinese cut by {segmenter.Name} {segmenter.Version}{(segmenter.UserWords.Count > 0 ? $" with {segmenter.UserWords.Count} user words" : "")})";

    /// <summary>One line per layer: ‖δ_k‖ at the chunk's last step, a quarter, half and all the way back, and the fitted factor per step.</summary>
    private static string GradientFlowLine(long step, double[][] norms) => string.Join(Environment.NewLine, norms.Select((n, l) =>
        FormattableString.Invariant($"grad flow step {step} layer {l}: ‖δ_k‖ at t−k = 0, {n.Length / 4}, {n.Length / 2}, {n.Length - 1}: ") +
        string.Join(" ", new[] { n.Length - 1, n.Length - 1 - n.Length / 4, n.Length - 1 - n.Length / 2, 0 }.Select(k => n[k].ToString("0.00e+00", CultureInfo.InvariantCulture))) +
        FormattableString.Invariant($"; ×{Math.Pow(10, GradientFlow.Slope(n)):F4} per step")));
}
