namespace Rnn.Training;

/// <summary>One point of the loss curve.</summary>
/// <param name="Step">The optimizer step after which it was measured.</param>
/// <param name="TrainLoss">Mean training loss (nats per token) since the previous point.</param>
/// <param name="ValidationLoss">Validation loss (nats per token), or null when there is no validation split.</param>
public sealed record LossPoint(long Step, double TrainLoss, double? ValidationLoss);

/// <summary>Where a training run is, saved in every checkpoint so that a resumed run continues exactly.</summary>
public sealed class TrainingState
{
    /// <summary>Optimizer steps taken (skipped steps not counted).</summary>
    public long Step { get; set; }

    /// <summary>Chunks consumed in total, skipped ones included: the position in the corpus.</summary>
    public long ChunksSeen { get; set; }

    /// <summary>The dropout generator's state.</summary>
    public ulong[] RandomState { get; set; } = [];

    /// <summary>The lowest validation loss so far (nats per token).</summary>
    public double BestValidationLoss { get; set; } = double.PositiveInfinity;

    /// <summary>Steps skipped because the loss or a gradient was not finite.</summary>
    public long SkippedSteps { get; set; }

    /// <summary>Training seconds so far, across resumes.</summary>
    public double Seconds { get; set; }

    /// <summary>SHA-256 of the training corpus's tokens, so a resume on other data is refused.</summary>
    public string CorpusHash { get; set; } = "";

    /// <summary>The options the run was started with.</summary>
    public TrainingOptions Options { get; set; } = new();

    /// <summary>The loss curve.</summary>
    public List<LossPoint> History { get; set; } = [];
}
