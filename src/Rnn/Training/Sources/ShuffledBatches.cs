// What the shuffled sources share: each epoch starts by reshuffling with a seed derived from the run's seed and the
// epoch number, so batch `position` is a pure function of the seed and the position, and a resumed run continues bit
// for bit without saving any shuffle state. Nothing is carried from batch to batch.
using System.Numerics;
using Rnn.Models;

namespace Rnn.Training;

/// <summary>A batch source that reshuffles at every epoch and carries no state between batches.</summary>
public abstract class ShuffledBatches<T> : IBatchSource<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ulong _seed;
    private long _epoch = -1;

    /// <summary>Shuffles from <paramref name="seed"/>.</summary>
    protected ShuffledBatches(ulong seed) => _seed = seed;

    /// <inheritdoc/>
    public abstract int BatchesPerEpoch { get; }

    /// <inheritdoc/>
    public abstract long StepsPerBatch { get; }

    /// <inheritdoc/>
    public abstract string DataHash { get; }

    /// <inheritdoc/>
    public Span<T> CarriedState => default;

    /// <inheritdoc/>
    public void ResetCarriedState() { }

    /// <inheritdoc/>
    public double TrainStep(SequenceModel<T> model, long position)
    {
        long epoch = position / BatchesPerEpoch;
        if (epoch != _epoch)
        {
            StartEpoch(_seed ^ (0x9E3779B97F4A7C15UL * (ulong)(epoch + 1)));
            _epoch = epoch;
        }
        return TrainBatch(model, (int)(position % BatchesPerEpoch));
    }

    /// <inheritdoc/>
    public abstract ValidationScore? Validate(SequenceModel<T> model);

    /// <summary>Shuffles the batches of an epoch from <paramref name="seed"/>.</summary>
    protected abstract void StartEpoch(ulong seed);

    /// <summary>Runs batch <paramref name="index"/> of the current epoch: forward, loss, backward; returns the mean loss.</summary>
    protected abstract double TrainBatch(SequenceModel<T> model, int index);
}
