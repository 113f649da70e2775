using Rnn.Optim;

namespace Rnn.Serialization;

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

    /// <summary>The accuracy or F1 of the best checkpoint when it is picked by one of them; null when picked by the loss.</summary>
    public double? BestScore { get; set; }

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

    /// <summary>Counts beyond 2^53 cannot come from a real run, and larger ones lose precision as doubles.</summary>
    private const long MaxCount = 1L << 53;

    /// <summary>
    /// Checks a state read from a file: no field is null, the counts are in [0, 2^53] with the steps and skipped steps
    /// at most the chunks seen, the random state has four words not all zero, the seconds are finite and not negative,
    /// and the options are valid.
    /// </summary>
    /// <exception cref="InvalidDataException">A field breaks one of these rules.</exception>
    /// <exception cref="ArgumentException">An option is out of range (from <see cref="TrainingOptions.Validate"/>).</exception>
    public void Validate()
    {
        // The JSON deserializer fills a field written as null with null, whatever the declared nullability.
        if (Options is null || History is null || RandomState is null || CorpusHash is null || History.Contains(null!))
            throw new InvalidDataException("the training state has a null field.");
        if (ChunksSeen is < 0 or > MaxCount || Step < 0 || Step > ChunksSeen || SkippedSteps < 0 || SkippedSteps > ChunksSeen)
            throw new InvalidDataException($"the training state's counts are impossible: {Step} steps and {SkippedSteps} skipped of {ChunksSeen} chunks.");
        if (RandomState.Length != 4 || RandomState.All(word => word == 0))
            throw new InvalidDataException("the training state's random state is not four words, not all zero.");
        if (!double.IsFinite(Seconds) || Seconds < 0)
            throw new InvalidDataException($"the training state's time {Seconds} is not a finite, non-negative number of seconds.");
        Options.Validate();
    }
}
