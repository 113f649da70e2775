using System.Globalization;

namespace Rnn.Optim;

/// <summary>How a language model is trained: truncated BPTT over B parallel streams of T-step chunks.</summary>
public sealed record TrainingOptions
{
    /// <summary>T: steps per chunk (the BPTT truncation length).</summary>
    public int SeqLen { get; init; } = 64;

    /// <summary>B: parallel streams over the corpus.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary><c>sgd</c>, <c>adagrad</c> or <c>adam</c>.</summary>
    public string Optimizer { get; init; } = "adam";

    /// <summary>The initial learning rate.</summary>
    public double LearningRate { get; init; } = 4e-3;

    /// <summary>SGD momentum (ignored by the other optimizers).</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>Clip the global gradient norm to this (0 = off).</summary>
    public double ClipNorm { get; init; } = 5;

    /// <summary>Clamp each gradient element to ±this (0 = off).</summary>
    public double ClipValue { get; init; }

    /// <summary>Multiply the learning rate by this every <see cref="LearningRateDecayEvery"/> steps (1 = no decay).</summary>
    public double LearningRateDecay { get; init; } = 1;

    /// <summary>Steps between learning-rate decays.</summary>
    public int LearningRateDecayEvery { get; init; } = 1000;

    /// <summary>
    /// Whether the learning rate follows a cosine from its initial value down to 5% of it over the run, on top of
    /// any exponential decay: lr · (0.05 + 0.95 · ½(1 + cos π f)), f the fraction of the run done (of its steps,
    /// epochs or minutes, whichever limit is nearest). A resumed timed run restarts its cosine over its own minutes.
    /// </summary>
    public bool CosineSchedule { get; init; }

    /// <summary>The fraction of the corpus (its end) held out for validation.</summary>
    public double ValidationFraction { get; init; } = 0.05;

    /// <summary>Seed of the initialisation and of dropout.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Steps between validations and checkpoints (0: twenty per run of given steps or epochs, at most 500 steps apart; ten per timed run).</summary>
    public int EvaluateEvery { get; init; }

    /// <summary>Consecutive non-finite steps tolerated (each skipped with a warning) before training stops.</summary>
    public int MaxSkippedSteps { get; init; } = 10;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        Check(SeqLen > 0, "--seq", SeqLen, "must be positive");
        Check(BatchSize > 0, "--batch", BatchSize, "must be positive");
        Check(double.IsFinite(LearningRate) && LearningRate > 0, "--lr", LearningRate, "must be a positive number");
        Check(Momentum >= 0 && Momentum < 1, "--momentum", Momentum, "must be in [0, 1)");
        Check(ClipNorm >= 0 && double.IsFinite(ClipNorm), "--clip", ClipNorm, "must be ≥ 0 (0 turns clipping off)");
        Check(ClipValue >= 0 && double.IsFinite(ClipValue), "--clip-value", ClipValue, "must be ≥ 0 (0 turns it off)");
        Check(LearningRateDecay > 0 && LearningRateDecay <= 1, "--lr-decay", LearningRateDecay, "must be in (0, 1]");
        Check(LearningRateDecayEvery > 0, "--lr-decay-every", LearningRateDecayEvery, "must be positive");
        Check(ValidationFraction >= 0 && ValidationFraction <= 0.5, "--val-fraction", ValidationFraction, "must be in [0, 0.5]");
        Check(EvaluateEvery >= 0, "--eval-every", EvaluateEvery, "must be ≥ 0");
        Check(MaxSkippedSteps > 0, "--max-skipped", MaxSkippedSteps, "must be positive");
        Check(Optimizer is "sgd" or "adagrad" or "adam", "--optimizer", Optimizer, "must be sgd, adagrad or adam");
    }

    private static void Check(bool ok, string option, object value, string rule)
    {
        if (!ok) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{option} {rule}, not {value}."), option);
    }
}
