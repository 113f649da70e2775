using Rnn.Optim;
using Rnn.Serialization;

namespace Rnn.Training;

/// <summary>How a task model's <c>Fit</c> trains: the loop options, when to stop, checkpoints and callbacks.</summary>
public sealed record FitSettings
{
    /// <summary>Batch size, optimizer, learning rate and its schedule, clipping, seed, validation fraction.</summary>
    public TrainingOptions Options { get; init; } = new();

    /// <summary>When to stop (default: one epoch).</summary>
    public StopCondition Stop { get; init; } = new(Epochs: 1);

    /// <summary>Where "last" checkpoints go (and "best" beside it); null: none.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>A checkpoint of the same model and data to continue from, or null.</summary>
    public Checkpoint? Resume { get; init; }

    /// <summary>Which validation figure picks the "best" checkpoint.</summary>
    public BestBy BestBy { get; init; }

    /// <summary>Per-class loss weights [C] (classification only), or null.</summary>
    public double[]? ClassWeights { get; init; }

    /// <summary>The most tokens of an example to train on (its start is kept); null: all.</summary>
    public int? MaxLength { get; init; }

    /// <summary>Called after every step.</summary>
    public Action<TrainingProgress>? Progress { get; init; }

    /// <summary>Called with one-line warnings (a skipped non-finite step).</summary>
    public Action<string>? Warning { get; init; }
}
