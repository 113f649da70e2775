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
    /// <summary>The corpus text.</summary>
    public required string Text { get; init; }

    /// <summary>Where the text came from, for messages.</summary>
    public required string Source { get; init; }

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

/// <summary><c>rnn train</c>: trains a character- or word-level language model on a text file.</summary>
/// <summary>Runs a <see cref="TrainRequest"/>.</summary>
public static class TrainingRun
{
    /// <summary>Trains as <paramref name="request"/> says and returns the final validation result (null without validation).</summary>
    public static (LanguageModel<float> Model, Vocabulary Vocabulary, EvaluationResult? Validation) Execute(
        TrainRequest request, TextWriter output, CancellationToken cancellation)
    {
        Checkpoint? resume = request.Resume is null ? null : CommandSteps.LoadForResume(request.Resume);
        Vocabulary vocabulary = resume?.Vocabulary ?? Vocabulary.Build(request.Text, request.Tokens, request.MaxVocabulary, request.Segmenter);
        TrainingOptions options = request.Options;
        options.Validate();
        int[] tokens = vocabulary.Encode(request.Text);
        int[] train, validation;
        try
        {
            (train, validation) = BatchStreams.Split(tokens, options.ValidationFraction);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"{request.Source} is too short to hold out a validation part: {e.Message.Split(" (Parameter")[0]}");
        }
        long needed = (long)options.BatchSize * options.SequenceLength + 1;
        if (train.Length < needed)
            throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                $"{request.Source} is too short: its training part has {train.Length} tokens, and one chunk of --batch {options.BatchSize} × --seq {options.SequenceLength} needs {needed}. Use a longer text or smaller --batch/--seq."));

        LanguageModel<float> model;
        if (resume is not null)
        {
            model = resume.CreateModel<float>();
            output.WriteLine($"resuming {request.Resume} at step {resume.Training!.Step} ({resume.Config})");
        }
        else
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
            model = new LanguageModel<float>(config, options.Seed);
        }

        string? outFolder = Path.GetDirectoryName(Path.GetFullPath(request.Out));
        if (outFolder is not null) Directory.CreateDirectory(outFolder);
        string unit = vocabulary.Kind == TokenKind.Word ? "bits/word" : "bits/char";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"corpus {request.Source}: {tokens.Length} tokens ({train.Length} train, {validation.Length} validation), vocabulary {vocabulary.Count}{SegmenterText(vocabulary.Segmenter)}; model {model.Config}, {model.Parameters.Count} parameters"));
        var progress = new ProgressLine(output, !Console.IsOutputRedirected && output == Console.Out, unit);
        var trainer = new Trainer<float>(model, vocabulary, train, validation, options, resume)
        {
            CheckpointPath = request.Out,
            Progress = progress.Report,
            Warning = progress.Warn,
            ValidationPoint = request.LogGradientFlow
                ? (step, trained) => { progress.Finish(); output.WriteLine(GradientFlowLine(step, GradientFlow.DeltaNorms(trained.Rnn, request.Options.SequenceLength))); }
                : null,
        };
        try
        {
            trainer.Run(request.Stop, cancellation);
        }
        finally
        {
            progress.Finish();
        }
        if (cancellation.IsCancellationRequested) output.WriteLine($"interrupted: checkpoint saved to {request.Out}");

        EvaluationResult? result = validation.Length >= 2 ? Evaluation.Evaluate(model, validation, options.BatchSize, options.SequenceLength) : null;
        var last = trainer.State.History[^1];
        string validationText = result is null ? ""
            : FormattableString.Invariant($", validation {result.BitsPerToken:F3} {unit} (perplexity {result.Perplexity:F2})");
        string bestText = double.IsFinite(trainer.State.BestValidationLoss) ? $" and {Trainer<float>.BestPath(request.Out)}" : "";
        output.WriteLine(FormattableString.Invariant($"step {trainer.State.Step}: train {last.TrainLoss / Math.Log(2):F3} {unit}{validationText}; saved {request.Out}{bestText}"));
        if (trainer.State.SkippedSteps > 0) output.WriteLine($"{trainer.State.SkippedSteps} non-finite steps were skipped");
        if (request.Plot is not null)
        {
            LossPlot.Save(request.Plot, trainer.State.History, $"{Path.GetFileName(request.Source)}: {model.Config}", unit.Replace("/", " per "));
            output.WriteLine($"loss curve: {request.Plot}");
        }
        return (model, vocabulary, result);
    }

    private static string SegmenterText(ChineseSegmenter? segmenter) => segmenter is null ? ""
        : $" (Chinese cut by {segmenter.Name} {segmenter.Version}{(segmenter.UserWords.Count > 0 ? $" with {segmenter.UserWords.Count} user words" : "")})";

    /// <summary>One line per layer: ‖δ_k‖ at the chunk's last step, a quarter, half and all the way back, and the fitted factor per step.</summary>
    private static string GradientFlowLine(long step, double[][] norms) => string.Join(Environment.NewLine, norms.Select((n, l) =>
        FormattableString.Invariant($"grad flow step {step} layer {l}: ‖δ_k‖ at t−k = 0, {n.Length / 4}, {n.Length / 2}, {n.Length - 1}: ") +
        string.Join(" ", new[] { n.Length - 1, n.Length - 1 - n.Length / 4, n.Length - 1 - n.Length / 2, 0 }.Select(k => n[k].ToString("0.00e+00", CultureInfo.InvariantCulture))) +
        FormattableString.Invariant($"; ×{Math.Pow(10, GradientFlow.Slope(n)):F4} per step")));
}
