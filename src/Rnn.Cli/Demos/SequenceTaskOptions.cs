// What every synthetic sequence task of the demos shares: the shape of its batches, the network's width, and the
// length of its training run. Each task passes its own defaults to the constructor.
namespace Rnn.Cli.Demos;

/// <summary>The size of a synthetic sequence task and of its training run.</summary>
public abstract record SequenceTaskOptions
{
    /// <summary>A task of the given default size.</summary>
    protected SequenceTaskOptions(int sequenceLength, int hiddenSize, int steps, double learningRate, int testSequences)
    {
        SequenceLength = sequenceLength;
        HiddenSize = hiddenSize;
        Steps = steps;
        LearningRate = learningRate;
        TestSequences = testSequences;
    }

    /// <summary>T.</summary>
    public int SequenceLength { get; init; }

    /// <summary>B, fresh random sequences every step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>H (per direction).</summary>
    public int HiddenSize { get; init; }

    /// <summary>Adam steps.</summary>
    public int Steps { get; init; }

    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; }

    /// <summary>Sequences in the held-out test set.</summary>
    public int TestSequences { get; init; }

    /// <summary>Seed of the weights and the data.</summary>
    public ulong Seed { get; init; } = 1;
}
