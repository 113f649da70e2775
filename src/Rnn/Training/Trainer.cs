// The training loop of every task, over a batch source (truncated-BPTT streams for a language model, shuffled
// length-bucketed labelled batches, forecast windows); each batch is one optimizer step:
//   zero grads → forward/loss/backward (the source) → finite check → clip → learning-rate schedule → update.
// Validation and checkpoints every EvaluateEvery steps; "last" always, "best" on a new best validation score
// (the lowest loss, or the highest accuracy or F1). At automatic points, an EvaluationBudget keeps their wall time
// near a tenth of the run's. Validation never changes the weights, so where the points fall changes no weight.
using System.Numerics;
using Rnn.Models;
using Rnn.Optim;
using Rnn.Serialization;
using Rnn.Tensors;
using Rnn.Data;

namespace Rnn.Training;

/// <summary>What the trainer reports after each step.</summary>
/// <param name="Step">Optimizer steps taken.</param>
/// <param name="Epoch">Passes over the training streams so far (fractional).</param>
/// <param name="TrainLoss">Mean training loss since the last report of a loss point, nats per token.</param>
/// <param name="ValidationLoss">The latest validation loss, or null.</param>
/// <param name="TokensPerSecond">Training throughput of this run.</param>
/// <param name="Fraction">How far the run is towards its stopping condition, in [0, 1].</param>
/// <param name="Elapsed">Wall time of this run.</param>
public sealed record TrainingProgress(long Step, double Epoch, double TrainLoss, double? ValidationLoss,
    double TokensPerSecond, double Fraction, TimeSpan Elapsed)
{
    /// <summary>The wall time of this run spent at validation points (validations and checkpoints).</summary>
    public TimeSpan EvaluationTime { get; init; }

    /// <summary>Validation points skipped so far to keep them within <see cref="Trainer{T}.ValidationTimeShare"/>.</summary>
    public int SkippedEvaluations { get; init; }
}

/// <summary>When a run stops: whichever limit is reached first (at least one must be set).</summary>
/// <param name="Epochs">Passes over the training data, or null.</param>
/// <param name="Steps">Total optimizer steps (counted across resumes), or null.</param>
/// <param name="Duration">Wall time of this run, or null.</param>
public sealed record StopCondition(double? Epochs = null, long? Steps = null, TimeSpan? Duration = null);

/// <summary>Which validation figure picks the "best" checkpoint.</summary>
public enum BestBy
{
    /// <summary>The lowest validation loss.</summary>
    Loss,
    /// <summary>The highest accuracy (classification, tagging).</summary>
    Accuracy,
    /// <summary>The highest F1: macro-F1 (classification) or span F1 (tagging).</summary>
    F1,
}

/// <summary>
/// Trains a <see cref="SequenceModel{T}"/> on the batches of an <see cref="IBatchSource{T}"/>, with checkpoints and
/// exact resume.
/// </summary>
public sealed class Trainer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly SequenceModel<T> _model;
    private readonly IBatchSource<T> _source;
    private readonly ModelContents _contents;
    private readonly Optimizer<T> _optimizer;
    private readonly LearningRateSchedule _schedule;

    /// <summary>Sets up training of the language model <paramref name="model"/> on <paramref name="train"/> tokens.</summary>
    /// <param name="resume">A checkpoint to continue from: its optimizer state, position, RNG and hidden state are restored.</param>
    public Trainer(LanguageModel<T> model, Vocabulary vocabulary, int[] train, int[] validation, TrainingOptions options, Checkpoint? resume = null)
        : this(model.Core, Streams(model, train, validation, options), new ModelContents { Vocabulary = vocabulary }, options, resume)
    {
    }

    /// <summary>Sets up training of <paramref name="model"/> on the batches of <paramref name="source"/>.</summary>
    /// <param name="contents">What checkpoints store besides the parameters (vocabulary, labels, scaling).</param>
    /// <param name="resume">A checkpoint to continue from: its optimizer state, position, RNG and carried state are restored.</param>
    public Trainer(SequenceModel<T> model, IBatchSource<T> source, ModelContents contents, TrainingOptions options, Checkpoint? resume = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(contents);
        options.Validate();
        _model = model;
        _source = source;
        _contents = contents;
        Options = options;
        _optimizer = Optimizer<T>.Create(options.Optimizer, model.Parameters, options.LearningRate,
            options.Optimizer == OptimizerKind.Sgd ? options.Momentum : 0);
        _schedule = options.Schedule();
        string hash = source.DataHash;

        if (resume?.Training is { } saved)
        {
            if (saved.CorpusHash != hash)
                throw new InvalidDataException("the checkpoint was trained on a different text or data set; resume with the same file (and --val-fraction).");
            State = saved;
            State.Options = options;     // the schedule may change on resume; what shapes the batches may not
            resume.RestoreOptimizer(_optimizer);
            Span<T> carried = source.CarriedState;
            resume.CarriedState<T>(carried.Length)?.CopyTo(carried);
            model.Rnn.DropoutRandom.SetState(saved.RandomState);
        }
        else
        {
            State = new TrainingState { CorpusHash = hash, Options = options };
            model.Rnn.DropoutRandom = new SeededRandom(options.Seed ^ 0xD1B54A32D192ED03UL);
        }
    }

    /// <summary>The options in force.</summary>
    public TrainingOptions Options { get; }

    /// <summary>The run's position and history (what checkpoints save).</summary>
    public TrainingState State { get; }

    /// <summary>Batches (chunks, for a language model) per epoch.</summary>
    public int ChunksPerEpoch => _source.BatchesPerEpoch;

    /// <summary>Which validation figure picks the "best" checkpoint (default: the loss).</summary>
    public BestBy BestBy { get; init; }

    /// <summary>The latest validation score, or null.</summary>
    public ValidationScore? LastValidation { get; private set; }

    /// <summary>Where "last" checkpoints go (null: none); "best" goes beside it as <c>NAME.best.safetensors</c>.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Called after every step.</summary>
    public Action<TrainingProgress>? Progress { get; init; }

    /// <summary>Called with a one-line warning (a skipped non-finite step, validation points thinned to their budget).</summary>
    public Action<string>? Warning { get; init; }

    /// <summary>
    /// The share of the wall time that automatic validation points (with <see cref="TrainingOptions.EvaluateEvery"/> 0)
    /// may take, validations and checkpoints together: a point that falls due when the points so far took more is
    /// skipped (<see cref="EvaluationBudget"/>, which lets the first second of them pass whatever their share). In
    /// (0, 1]; 1 never skips. Points set by EvaluateEvery always run. Default 0.1.
    /// </summary>
    public double ValidationTimeShare { get; init; } = EvaluationBudget.DefaultShare;

    /// <summary>The clock of the run's wall time (a test may give its own).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>What the validation points of the last <see cref="Run"/> took and skipped; null before a run.</summary>
    public EvaluationBudget? LastBudget { get; private set; }

    /// <summary>The wall time of the last <see cref="Run"/>.</summary>
    public TimeSpan LastRunTime { get; private set; }

    /// <summary>
    /// Called at every validation point with the step and the model, right after that step's backward pass and
    /// before validation, so that the layers' last deltas (‖δ_k‖ through time, which the gradient-flow diagnostics
    /// read) are still the training step's.
    /// </summary>
    public Action<long, SequenceModel<T>>? ValidationPoint { get; init; }

    /// <summary>The path of the "best" checkpoint for a "last" path.</summary>
    public static string BestPath(string lastPath)
    {
        string directory = Path.GetDirectoryName(lastPath) ?? "";
        string stem = Path.GetFileNameWithoutExtension(lastPath);
        return Path.Combine(directory, stem + ".best" + Path.GetExtension(lastPath));
    }

    /// <summary>
    /// Trains until <paramref name="stop"/> or cancellation; always ends with a validation (if any) and a "last" checkpoint.
    /// Throws <see cref="InvalidOperationException"/> when more than MaxSkippedSteps consecutive steps are not finite,
    /// or when an update makes a parameter non-finite (nothing is saved then).
    /// </summary>
    public void Run(StopCondition stop, CancellationToken cancellation = default)
    {
        if (stop.Epochs is null && stop.Steps is null && stop.Duration is null)
            throw new ArgumentException("Give at least one of --epochs, --steps or --minutes.", nameof(stop));
        _model.Rnn.Training = true;
        // Validation points: every EvaluateEvery steps, or for a timed run without it, every tenth of the time.
        // Automatic points are held to their share of the time by the budget.
        bool automatic = Options.EvaluateEvery == 0;
        int evaluateEvery = Options.EvaluateEvery > 0 ? Options.EvaluateEvery
            : stop.Duration is null ? AutomaticEvaluationInterval(stop) : 0;
        TimeSpan evaluationPeriod = stop.Duration is TimeSpan total ? total / 10 : TimeSpan.MaxValue;
        TimeSpan nextEvaluation = evaluationPeriod;
        long targetChunks = stop.Epochs is double e ? (long)Math.Ceiling(e * _source.BatchesPerEpoch) : long.MaxValue;
        var budget = new EvaluationBudget(ValidationTimeShare);
        LastBudget = budget;
        var clock = new RunClock(Clock);
        double startSeconds = State.Seconds;
        long startStep = State.Step, tokensPerStep = _source.StepsPerBatch;
        double lossSum = 0;
        int lossCount = 0, consecutiveSkips = 0;

        while (!cancellation.IsCancellationRequested)
        {
            if (State.ChunksSeen >= targetChunks) break;
            if (stop.Steps is long s && State.Step >= s) break;
            if (stop.Duration is TimeSpan d && clock.Elapsed >= d) break;

            long position = State.ChunksSeen++;
            _model.Parameters.ZeroGradients();
            double loss = _source.TrainStep(_model, position);
            if (!double.IsFinite(loss) || !Finite.All<T>(_model.Parameters.Gradients))
            {
                State.SkippedSteps++;
                consecutiveSkips++;
                _source.ResetCarriedState();
                Warning?.Invoke($"step {State.Step + 1}: the loss or a gradient is not finite; step skipped ({consecutiveSkips} in a row)");
                if (consecutiveSkips >= Options.MaxSkippedSteps)
                    throw new InvalidOperationException(
                        $"training diverged: {consecutiveSkips} consecutive steps had a non-finite loss or gradient; try a lower --lr or a --clip value.");
                continue;
            }
            consecutiveSkips = 0;
            if (Options.ClipValue > 0) GradientClipping.ClipByValue<T>(_model.Parameters.Gradients, Options.ClipValue);
            if (Options.ClipNorm > 0) GradientClipping.ClipByGlobalNorm<T>(_model.Parameters.Gradients, Options.ClipNorm);
            double rate = _schedule.RateAt(State.Step);
            if (Options.CosineSchedule)
                rate *= LearningRateSchedule.CosineFactor(Fraction(stop, clock.Elapsed, targetChunks));
            _optimizer.LearningRate = rate;
            _optimizer.Step();
            // Finite gradients can still give a non-finite update (a damaged optimizer state resumed from a file, an
            // absurd learning rate); stopping before State.Step counts it keeps it out of every checkpoint.
            if (!Finite.All<T>(_model.Parameters.Values))
                throw new InvalidOperationException(
                    $"training diverged: the update of step {State.Step + 1} made a parameter non-finite; the last checkpoint is unaffected. Try a lower --lr.");
            State.Step++;
            lossSum += loss;
            lossCount++;

            bool due = evaluateEvery > 0 ? State.Step % evaluateEvery == 0 : clock.Elapsed >= nextEvaluation;
            if (due)
            {
                TimeSpan now = clock.Elapsed;
                if (evaluateEvery == 0) nextEvaluation = now + evaluationPeriod;
                if (!automatic || budget.Allows(now))
                {
                    ValidationPoint?.Invoke(State.Step, _model);
                    Record(lossSum / lossCount, clock, startSeconds, budget);
                    lossSum = 0;
                    lossCount = 0;
                }
                else if (budget.Skipped == 1)
                {
                    Warning?.Invoke(FormattableString.Invariant(
                        $"validation and checkpoints took {budget.SpentShare(now) * 100:F0}% of the time so far; they now skip points to stay near {budget.Share * 100:F0}% (--eval-every N sets a fixed interval)"));
                }
            }
            TimeSpan elapsed = clock.Elapsed;
            Progress?.Invoke(new TrainingProgress(State.Step, (double)State.ChunksSeen / _source.BatchesPerEpoch,
                lossCount > 0 ? lossSum / lossCount : State.History.LastOrDefault()?.TrainLoss ?? loss,
                State.History.LastOrDefault()?.ValidationLoss,
                (State.Step - startStep) * tokensPerStep / Math.Max(elapsed.TotalSeconds, 1e-9),
                Fraction(stop, elapsed, targetChunks), elapsed)
            {
                EvaluationTime = budget.Spent,
                SkippedEvaluations = budget.Skipped,
            });
        }
        if (lossCount > 0 || State.History.Count == 0 || State.History[^1].Step != State.Step)
            Record(lossCount > 0 ? lossSum / lossCount : double.NaN, clock, startSeconds, budget);
        LastRunTime = clock.Elapsed;
    }

    /// <summary>Validation loss (nats per token) of the current weights, or null without validation data.</summary>
    public double? Validate() => _source.Validate(_model)?.Loss;

    private void Record(double trainLoss, RunClock clock, double startSeconds, EvaluationBudget budget)
    {
        TimeSpan started = clock.Elapsed;
        Record(trainLoss, clock, startSeconds);
        budget.Record(clock.Elapsed - started);
    }

    private void Record(double trainLoss, RunClock clock, double startSeconds)
    {
        ValidationScore? score = _source.Validate(_model);
        LastValidation = score;
        State.History.Add(new LossPoint(State.Step, trainLoss, score?.Loss));
        State.Seconds = startSeconds + clock.Elapsed.TotalSeconds;
        State.RandomState = _model.Rnn.DropoutRandom.GetState();
        bool best = IsBest(score);
        if (CheckpointPath is null) return;
        Checkpoint.Save(CheckpointPath, _model, _contents, State, _optimizer, _source.CarriedState);
        if (best)
        {
            // "best" is the file just written: copy its bytes (atomically) rather than serialise everything again.
            using var last = File.OpenRead(CheckpointPath);
            Rnn.IO.AtomicFile.Write(BestPath(CheckpointPath), last.CopyTo);
        }
    }

    // A new best updates the state before the checkpoint is written, so the file knows it is the best one.
    private bool IsBest(ValidationScore? score)
    {
        if (score is null) return false;
        double? metric = BestBy switch
        {
            BestBy.Accuracy => score.Accuracy ?? throw new InvalidOperationException("Validation gives no accuracy for this task; pick the best model by its loss."),
            BestBy.F1 => score.F1 ?? throw new InvalidOperationException("Validation gives no F1 for this task; pick the best model by its loss."),
            _ => null,
        };
        bool best = metric is double m ? !(State.BestScore >= m) : score.Loss < State.BestValidationLoss;
        if (!best) return false;
        State.BestValidationLoss = score.Loss;
        State.BestScore = metric;
        return true;
    }

    private static TextStreams<T> Streams(LanguageModel<T> model, int[] train, int[] validation, TrainingOptions options)
    {
        options.Validate();
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        return new TextStreams<T>(model, TokenIds.Wrap(train), TokenIds.Wrap(validation), options.BatchSize, options.SequenceLength, options.ValidationTokens);
    }

    /// <summary>The wall time since the run started, by the trainer's clock.</summary>
    private sealed class RunClock(TimeProvider provider)
    {
        private readonly long _start = provider.GetTimestamp();

        public TimeSpan Elapsed => provider.GetElapsedTime(_start);
    }

    private int AutomaticEvaluationInterval(StopCondition stop)
    {
        long planned = stop.Steps ?? (stop.Epochs is double e ? (long)(e * _source.BatchesPerEpoch) : 10_000);
        return (int)Math.Clamp(planned / 20, 1, 500);
    }

    private double Fraction(StopCondition stop, TimeSpan elapsed, long targetChunks)
    {
        double f = 0;
        if (stop.Steps is long s && s > 0) f = Math.Max(f, (double)State.Step / s);
        if (targetChunks != long.MaxValue) f = Math.Max(f, (double)State.ChunksSeen / targetChunks);
        if (stop.Duration is TimeSpan d && d > TimeSpan.Zero) f = Math.Max(f, elapsed / d);
        return Math.Clamp(f, 0, 1);
    }
}
