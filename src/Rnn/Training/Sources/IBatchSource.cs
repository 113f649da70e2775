// The trainer's one view of data: batch number `position` of the whole run (epochs follow each other), run through the
// model as forward, loss and backward. What a batch is (a BPTT chunk of parallel streams, a bucket of labelled
// sequences, a set of windows) and how validation is scored belong to the source; the loop, checkpoints, clipping,
// schedules and NaN handling belong to the trainer and are written once.
using System.Numerics;
using Rnn.Models;

namespace Rnn.Training;

/// <summary>A validation result: the loss (lower is better) and, for classification and tagging, accuracy and F1.</summary>
/// <param name="Loss">Mean validation loss (nats, or squared error in scaled units for forecasts).</param>
/// <param name="Accuracy">Accuracy in [0, 1], or null where it means nothing.</param>
/// <param name="F1">Macro-F1 (classification) or span F1 (tagging) in [0, 1], or null.</param>
public sealed record ValidationScore(double Loss, double? Accuracy = null, double? F1 = null);

/// <summary>Where a trainer's batches come from.</summary>
public interface IBatchSource<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Batches in one pass over the training data.</summary>
    int BatchesPerEpoch { get; }

    /// <summary>Tokens (or steps) in one batch, for the throughput figure.</summary>
    long StepsPerBatch { get; }

    /// <summary>A hash of the training and validation data, so that a resume on other data is refused.</summary>
    string DataHash { get; }

    /// <summary>
    /// Runs batch <paramref name="position"/> (0-based over the whole run: epoch = position / <see cref="BatchesPerEpoch"/>)
    /// through <paramref name="model"/>: forward, loss and backward, gradients accumulated. Returns the batch's mean loss.
    /// </summary>
    double TrainStep(SequenceModel<T> model, long position);

    /// <summary>Forgets any state carried between batches (after a step that was not finite).</summary>
    void ResetCarriedState();

    /// <summary>The state carried between batches (a language model's), saved with checkpoints; empty when there is none.</summary>
    Span<T> CarriedState { get; }

    /// <summary>Scores <paramref name="model"/> on the validation data; null when there is none.</summary>
    ValidationScore? Validate(SequenceModel<T> model);
}
