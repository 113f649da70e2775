using Rnn.Cli.Demos;
using Rnn.Tensors;
using Rnn.Training;

namespace Rnn.Tests.Cli.Demos;

/// <summary>The two demo tasks, tiny: labels that need the future, and recall of the input d steps ago.</summary>
public class SequenceTaskTests
{
    private static readonly FutureTokenOptions TinyFuture = new()
    {
        Symbols = 4, Lookahead = 2, SequenceLength = 8, BatchSize = 16, HiddenSize = 8, Steps = 200, LearningRate = 2e-2, TestSequences = 256, Seed = 3,
    };

    [Fact]
    public void FutureTokenTask_Generate_LabelsEachStepWithTheSymbolKStepsLater()
    {
        var x = new float[TinyFuture.SequenceLength * TinyFuture.BatchSize * TinyFuture.Symbols];
        var labels = new int[TinyFuture.SequenceLength * TinyFuture.BatchSize];
        FutureTokenTask.Generate(TinyFuture, new SeededRandom(1), x, labels);
        int b = TinyFuture.BatchSize, v = TinyFuture.Symbols;
        for (int t = 0; t < TinyFuture.SequenceLength; t++)
            for (int n = 0; n < b; n++)
            {
                int expected = t + 2 < TinyFuture.SequenceLength ? Array.IndexOf(x, 1f, ((t + 2) * b + n) * v, v) - ((t + 2) * b + n) * v : v;
                Assert.Equal(expected, labels[t * b + n]);
            }
    }

    [Fact]
    public void FutureTokenTask_Tiny_BidirectionalBeatsUnidirectional()
    {
        var uni = FutureTokenTask.Run(TinyFuture, bidirectional: false);
        var bi = FutureTokenTask.Run(TinyFuture, bidirectional: true);
        // Without the future, (k + (T − k)/V)/T = 43.75 % is the best to expect.
        Assert.True(uni.Accuracy < FutureTokenTask.BlindAccuracy(TinyFuture) + 0.05, $"unidirectional {uni.Accuracy:P1}");
        Assert.True(bi.Accuracy > 0.9, $"bidirectional {bi.Accuracy:P1}");
        Assert.True(bi.Loss < uni.Loss);
    }

    [Fact]
    public void DelayRecallTask_Tiny_RecallsShortDelaysAndStaysWithinTheMemoryCapacity()
    {
        var options = new DelayRecallOptions { MaxDelay = 8, SequenceLength = 16, BatchSize = 16, HiddenSize = 4, Steps = 800, LearningRate = 1e-2, TestSequences = 256, Seed = 2 };
        var result = DelayRecallTask.Run(options);
        string all = string.Join(" ", result.RSquared.Select(r => r.ToString("F3")));
        Assert.True(result.RSquared[0] > 0.75, $"R² by delay: {all}");
        Assert.True(result.RSquared[7] < 0.3, $"R² by delay: {all}");
        Assert.True(result.RSquared.Sum() < options.HiddenSize + 0.2, $"Σ R² = {result.RSquared.Sum():F3}");
        Assert.NotNull(result.MemoryEnd());
        Assert.Equal(options.SequenceLength, result.Input.Length);
        Assert.Equal(options.SequenceLength * options.MaxDelay, result.Predictions.Length);
    }
}
