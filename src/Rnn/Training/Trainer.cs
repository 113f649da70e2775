// The training loop of a language model (char-rnn style):
//   the training tokens are cut into B streams read in T-step chunks; the hidden state is carried from
//   chunk to chunk (truncated BPTT) and reset at each epoch; each chunk is one optimizer step:
//   zero grads → forward/loss/backward → finite check → clip → learning-rate schedule → update.
// Validation and checkpoints every EvaluateEvery steps; "last" always, "best" on a new lowest validation loss.
using System.Diagnostics;
using System.Numerics;
using System.Security.Cryptography;
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
    double TokensPerSecond, double Fraction, TimeSpan Elapsed);

/// <summary>When a run stops: whichever limit is reached first (at least one must be set).</summary>
/// <param name="Epochs">Passes over the training data, or null.</param>
/// <param name="Steps">Total optimizer steps (counted across resumes), or null.</param>
/// <param name="Duration">Wall time of this run, or null.</param>
public sealed record StopCondition(double? Epochs = null, long? Steps = null, TimeSpan? Duration = null);

/// <summary>Trains a <see cref="LanguageModel{T}"/> on a token sequence, with checkpoints and exact resume.</summary>
public sealed class Trainer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly LanguageModel<T> _model;
    private readonly Vocabulary _vocabulary;
    private readonly Optimizer<T> _optimizer;
    private readonly LearningRateSchedule _schedule;
    private readonly BatchStreams _streams;
    private readonly int[] _validation;
    private readonly T[] _carriedState;                 // carried state [L, B, H]
    private readonly int[] _inputs, _targets;      // [T, B]

    /// <summary>Sets up training of <paramref name="model"/> on <paramref name="train"/> tokens.</summary>
    /// <param name="resume">A checkpoint to continue from: its optimizer state, position, RNG and hidden state are restored.</param>
    public Trainer(LanguageModel<T> model, Vocabulary vocabulary, int[] train, int[] validation, TrainingOptions options, Checkpoint? resume = null)
    {
        options.Validate();
        _model = model;
        _vocabulary = vocabulary;
        _validation = validation;
        Options = options;
        _streams = new BatchStreams(train, options.BatchSize, options.SequenceLength);
        _optimizer = Optimizer<T>.Create(options.Optimizer, model.Parameters, options.LearningRate,
            options.Optimizer == OptimizerKind.Sgd ? options.Momentum : 0);
        _schedule = options.Schedule();
        _carriedState = new T[model.StateSize(options.BatchSize)];
        _inputs = new int[options.SequenceLength * options.BatchSize];
        _targets = new int[_inputs.Length];
        string hash = Hash(train, validation);

        if (resume?.Training is { } saved)
        {
            if (saved.CorpusHash != hash)
                throw new InvalidDataException("the checkpoint was trained on a different text; resume with the same file (and --val-fraction).");
            State = saved;
            resume.RestoreOptimizer(_optimizer);
            resume.CarriedState<T>(_carriedState.Length)?.CopyTo(_carriedState, 0);
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

    /// <summary>Chunks per epoch.</summary>
    public int ChunksPerEpoch => _streams.ChunksPerEpoch;

    /// <summary>Where "last" checkpoints go (null: none); "best" goes beside it as <c>NAME.best.safetensors</c>.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Called after every step.</summary>
    public Action<TrainingProgress>? Progress { get; init; }

    /// <summary>Called with a one-line warning (a skipped non-finite step).</summary>
    public Action<string>? Warning { get; init; }

    /// <summary>
    /// Called at every validation point with the step and the model, right after that step's backward pass and
    /// before validation, so that the layers' last deltas (‖δ_k‖ through time, which the gradient-flow diagnostics
    /// read) are still the training step's.
    /// </summary>
    public Action<long, LanguageModel<T>>? ValidationPoint { get; init; }

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
        // Validation points: every EvaluateEvery steps, or for a timed run without it, every tenth of the time
        // (each one reads the whole validation part: more would eat into the training time).
        int evaluateEvery = Options.EvaluateEvery > 0 ? Options.EvaluateEvery
            : stop.Duration is null ? AutomaticEvaluationInterval(stop) : 0;
        TimeSpan evaluationPeriod = stop.Duration is TimeSpan total ? total / 10 : TimeSpan.MaxValue;
        TimeSpan nextEvaluation = evaluationPeriod;
        long targetChunks = stop.Epochs is double e ? (long)Math.Ceiling(e * _streams.ChunksPerEpoch) : long.MaxValue;
        var clock = Stopwatch.StartNew();
        double startSeconds = State.Seconds;
        long startStep = State.Step, tokensPerStep = (long)Options.SequenceLength * Options.BatchSize;
        double lossSum = 0;
        int lossCount = 0, consecutiveSkips = 0;

        while (!cancellation.IsCancellationRequested)
        {
            if (State.ChunksSeen >= targetChunks) break;
            if (stop.Steps is long s && State.Step >= s) break;
            if (stop.Duration is TimeSpan d && clock.Elapsed >= d) break;

            int chunk = (int)(State.ChunksSeen % _streams.ChunksPerEpoch);
            if (chunk == 0) Array.Clear(_carriedState);     // a new epoch: stream ends do not continue into stream starts
            _streams.Fill(chunk, _inputs, _targets);
            State.ChunksSeen++;

            _model.Parameters.ZeroGradients();
            double loss = _model.TrainStep(_inputs, _targets, Options.SequenceLength, Options.BatchSize, _carriedState);
            if (!double.IsFinite(loss) || !Finite.All<T>(_model.Parameters.Gradients))
            {
                State.SkippedSteps++;
                consecutiveSkips++;
                Array.Clear(_carriedState);
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
                if (evaluateEvery == 0) nextEvaluation = clock.Elapsed + evaluationPeriod;
                ValidationPoint?.Invoke(State.Step, _model);
                Record(lossSum / lossCount, clock, startSeconds);
                lossSum = 0;
                lossCount = 0;
            }
            Progress?.Invoke(new TrainingProgress(State.Step, (double)State.ChunksSeen / _streams.ChunksPerEpoch,
                lossCount > 0 ? lossSum / lossCount : State.History.LastOrDefault()?.TrainLoss ?? loss,
                State.History.LastOrDefault()?.ValidationLoss,
                (State.Step - startStep) * tokensPerStep / Math.Max(clock.Elapsed.TotalSeconds, 1e-9),
                Fraction(stop, clock.Elapsed, targetChunks), clock.Elapsed));
        }
        if (lossCount > 0 || State.History.Count == 0 || State.History[^1].Step != State.Step)
            Record(lossCount > 0 ? lossSum / lossCount : double.NaN, clock, startSeconds);
    }

    /// <summary>Validation loss (nats per token) of the current weights, or null without a validation split.</summary>
    public double? Validate() =>
        _validation.Length >= 2 ? Evaluation.Evaluate(_model, _validation, Options.BatchSize, Options.SequenceLength).Loss : null;

    private void Record(double trainLoss, Stopwatch clock, double startSeconds)
    {
        double? validationLoss = Validate();
        State.History.Add(new LossPoint(State.Step, trainLoss, validationLoss));
        State.Seconds = startSeconds + clock.Elapsed.TotalSeconds;
        State.RandomState = _model.Rnn.DropoutRandom.GetState();
        bool best = validationLoss is double v && v < State.BestValidationLoss;
        if (best) State.BestValidationLoss = validationLoss!.Value;
        if (CheckpointPath is null) return;
        Checkpoint.Save(CheckpointPath, _model, _vocabulary, State, _optimizer, _carriedState);
        if (best)
        {
            // "best" is the file just written: copy its bytes (atomically) rather than serialise everything again.
            using var last = File.OpenRead(CheckpointPath);
            Rnn.IO.AtomicFile.Write(BestPath(CheckpointPath), last.CopyTo);
        }
    }

    private int AutomaticEvaluationInterval(StopCondition stop)
    {
        long planned = stop.Steps ?? (stop.Epochs is double e ? (long)(e * _streams.ChunksPerEpoch) : 10_000);
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

    private static string Hash(int[] train, int[] validation)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(train.AsSpan()));
        sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(validation.AsSpan()));
        return Convert.ToHexString(sha.GetHashAndReset());
    }
}
