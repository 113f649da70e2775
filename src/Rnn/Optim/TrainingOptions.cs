// The options of a training run. They are saved in every checkpoint's training record, so the JSON names are keys
// on disk and pinned by attribute (a first-stage file says "SeqLen" and "Optimizer": "adam"); renaming a member
// never renames a key.
using System.Globalization;
using System.Text.Json.Serialization;

namespace Rnn.Optim;

/// <summary>How a language model is trained: truncated BPTT over B parallel streams of T-step chunks.</summary>
public sealed record TrainingOptions
{
    private readonly double? _learningRate;

    /// <summary>T: steps per chunk (the BPTT truncation length).</summary>
    [JsonPropertyName("SeqLen")]
    public int SequenceLength { get; init; } = 64;

    /// <summary>B: parallel streams over the corpus.</summary>
    [JsonPropertyName("BatchSize")]
    public int BatchSize { get; init; } = 32;

    /// <summary>The update rule.</summary>
    [JsonPropertyName("Optimizer")]
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>The initial learning rate; when not set, the default of <see cref="Optimizer"/> (<see cref="OptimizerKinds.DefaultLearningRate"/>).</summary>
    [JsonPropertyName("LearningRate")]
    public double LearningRate
    {
        get => _learningRate ?? Optimizer.DefaultLearningRate();
        init => _learningRate = value;
    }

    /// <summary>SGD momentum (ignored by the other optimizers).</summary>
    [JsonPropertyName("Momentum")]
    public double Momentum { get; init; } = 0.9;

    /// <summary>Clip the global gradient norm to this (0 = off).</summary>
    [JsonPropertyName("ClipNorm")]
    public double ClipNorm { get; init; } = 5;

    /// <summary>Clamp each gradient element to ±this (0 = off).</summary>
    [JsonPropertyName("ClipValue")]
    public double ClipValue { get; init; }

    /// <summary>Multiply the learning rate by this every <see cref="LearningRateDecayEvery"/> steps (1 = no decay).</summary>
    [JsonPropertyName("LearningRateDecay")]
    public double LearningRateDecay { get; init; } = 1;

    /// <summary>Steps between learning-rate decays.</summary>
    [JsonPropertyName("LearningRateDecayEvery")]
    public int LearningRateDecayEvery { get; init; } = 1000;

    /// <summary>
    /// Whether the learning rate also follows a cosine from its initial value down to 5% of it over the run
    /// (<see cref="LearningRateSchedule.CosineFactor"/>), f being the fraction of the run done (of its steps, epochs or
    /// minutes, whichever limit is nearest). A resumed timed run restarts its cosine over its own minutes.
    /// </summary>
    [JsonPropertyName("CosineSchedule")]
    public bool CosineSchedule { get; init; }

    /// <summary>The fraction of the corpus (its end) held out for validation.</summary>
    [JsonPropertyName("ValidationFraction")]
    public double ValidationFraction { get; init; } = 0.05;

    /// <summary>
    /// How many held-out tokens a language model's validation reads (0: all of them). A held-out part with more
    /// predictions than this is scored on a fixed sample of about this many: B windows spread evenly over it, each
    /// read from a zero state, the same windows at every validation; a smaller one is read whole. The whole held-out
    /// part is still what <c>rnn train</c> reports at the end.
    /// </summary>
    [JsonPropertyName("ValidationTokens")]
    public int ValidationTokens { get; init; } = DefaultValidationTokens;

    /// <summary>The default of <see cref="ValidationTokens"/>: 100,000 tokens.</summary>
    public const int DefaultValidationTokens = 100_000;

    /// <summary>Seed of the initialisation and of dropout.</summary>
    [JsonPropertyName("Seed")]
    public ulong Seed { get; init; } = 1;

    /// <summary>Steps between validations and checkpoints (0: twenty per run of given steps or epochs, at most 500 steps apart; ten per timed run).</summary>
    [JsonPropertyName("EvaluateEvery")]
    public int EvaluateEvery { get; init; }

    /// <summary>Consecutive non-finite steps tolerated (each skipped with a warning) before training stops.</summary>
    [JsonPropertyName("MaxSkippedSteps")]
    public int MaxSkippedSteps { get; init; } = 10;

    /// <summary>The schedule these options describe, before any cosine factor.</summary>
    public LearningRateSchedule Schedule() => new(LearningRate, LearningRateDecay, LearningRateDecayEvery, 0);

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming the first option out of range; its
    /// <see cref="ArgumentException.ParamName"/> is the property's name.
    /// </summary>
    public void Validate()
    {
        Check(SequenceLength > 0, nameof(SequenceLength), SequenceLength, "must be positive");
        Check(BatchSize > 0, nameof(BatchSize), BatchSize, "must be positive");
        Check(double.IsFinite(LearningRate) && LearningRate > 0, nameof(LearningRate), LearningRate, "must be a positive number");
        Check(Momentum >= 0 && Momentum < 1, nameof(Momentum), Momentum, "must be in [0, 1)");
        Check(ClipNorm >= 0 && double.IsFinite(ClipNorm), nameof(ClipNorm), ClipNorm, "must be ≥ 0 (0 turns clipping off)");
        Check(ClipValue >= 0 && double.IsFinite(ClipValue), nameof(ClipValue), ClipValue, "must be ≥ 0 (0 turns it off)");
        Check(LearningRateDecay > 0 && LearningRateDecay <= 1, nameof(LearningRateDecay), LearningRateDecay, "must be in (0, 1]");
        Check(LearningRateDecayEvery > 0, nameof(LearningRateDecayEvery), LearningRateDecayEvery, "must be positive");
        Check(ValidationFraction >= 0 && ValidationFraction <= 0.5, nameof(ValidationFraction), ValidationFraction, "must be in [0, 0.5]");
        Check(EvaluateEvery >= 0, nameof(EvaluateEvery), EvaluateEvery, "must be ≥ 0");
        Check(ValidationTokens >= 0, nameof(ValidationTokens), ValidationTokens, "must be ≥ 0 (0 reads the whole held-out part)");
        Check(MaxSkippedSteps > 0, nameof(MaxSkippedSteps), MaxSkippedSteps, "must be positive");
        Check(Enum.IsDefined(Optimizer), nameof(Optimizer), Optimizer, "must be sgd, adagrad or adam");
    }

    private static void Check(bool ok, string option, object value, string rule)
    {
        if (!ok) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{option} {rule}, not {value}."), option);
    }
}
