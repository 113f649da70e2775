using Rnn.Data;

namespace Rnn.Tests.Data;

public sealed class LabelledBatcherTests
{
    /// <summary>Sequence i holds i·10 + 1 .. i·10 + length, so every token names its example and step.</summary>
    private static int[][] Sequences(params int[] lengths) =>
        [.. lengths.Select((length, i) => Enumerable.Range(1, length).Select(t => i * 10 + t).ToArray())];

    private static void AssertWellFormed(LabelledBatch batch, int[][] sequences)
    {
        int rows = batch.BatchSize;
        Assert.Equal(batch.Lengths.OrderDescending(), batch.Lengths);
        Assert.Equal(batch.Lengths[0] * rows, batch.Tokens.Length);
        for (int b = 0; b < rows; b++)
        {
            int[] sequence = sequences[batch.Order[b]];
            Assert.Equal(sequence.Length, batch.Lengths[b]);
            for (int t = 0; t < batch.SequenceLength; t++)
                Assert.Equal(t < sequence.Length ? sequence[t] : 0, batch.Tokens[t * rows + b]);
        }
    }

    [Fact]
    public void InOrder_Batch_PaddedTimeMajorSortedLongestFirstWithPermutation()
    {
        int[][] sequences = Sequences(2, 3, 1);

        var batch = Assert.Single(new LabelledBatcher(sequences, batchSize: 3).InOrder());

        Assert.Equal([1, 0, 2], batch.Order);
        Assert.Equal([3, 2, 1], batch.Lengths);
        Assert.Equal([11, 1, 21, 12, 2, 0, 13, 0, 0], batch.Tokens);
    }

    [Fact]
    public void InOrder_EqualLengths_KeepInputOrder()
    {
        var batches = new LabelledBatcher(Sequences(2, 2, 2, 2, 2), batchSize: 2).InOrder();

        Assert.Equal([[0, 1], [2, 3], [4]], batches.Select(b => b.Order));
    }

    [Fact]
    public void Shuffled_SameSeed_SameBatches()
    {
        int[][] sequences = Sequences([.. Enumerable.Range(0, 57).Select(i => 1 + i * 7 % 13)]);
        var batcher = new LabelledBatcher(sequences, batchSize: 4, poolBatches: 3);

        var first = batcher.Shuffled(seed: 5);
        var again = batcher.Shuffled(seed: 5);
        var other = batcher.Shuffled(seed: 6);

        Assert.Equal(first.Select(b => b.Order), again.Select(b => b.Order));
        Assert.Equal(first.Select(b => b.Tokens), again.Select(b => b.Tokens));
        Assert.NotEqual(first.Select(b => b.Order), other.Select(b => b.Order));
    }

    [Fact]
    public void Shuffled_EveryBatch_WellFormedAndEveryExampleExactlyOnce()
    {
        int[][] sequences = Sequences([.. Enumerable.Range(0, 57).Select(i => 1 + i * 7 % 13)]);
        var batcher = new LabelledBatcher(sequences, batchSize: 4, poolBatches: 3);

        var batches = batcher.Shuffled(seed: 11);

        Assert.Equal(batcher.BatchCount, batches.Count);
        Assert.Equal(Enumerable.Range(0, 57), batches.SelectMany(b => b.Order).Order());
        Assert.All(batches, b => AssertWellFormed(b, sequences));
    }

    [Fact]
    public void Shuffled_LengthBucketing_BatchesHaveLessPaddingThanInputOrder()
    {
        int[][] sequences = Sequences([.. Enumerable.Range(0, 200).Select(i => 1 + i * 37 % 50)]);
        var batcher = new LabelledBatcher(sequences, batchSize: 8);

        static long Padding(IEnumerable<LabelledBatch> batches) => batches.Sum(b => (long)b.Tokens.Length - b.Lengths.Sum());

        Assert.True(Padding(batcher.Shuffled(seed: 1)) * 4 < Padding(batcher.InOrder()));
    }

    [Fact]
    public void GatherAndScatter_ResultsMapBackToInputOrder()
    {
        int[][] sequences = Sequences(1, 3, 2);
        var batch = new LabelledBatcher(sequences, batchSize: 3).InOrder()[0];

        Assert.Equal([1, 2, 0], batch.Order);
        Assert.Equal([71, 72, 70], batch.GatherLabels([70, 71, 72]));
        Assert.Equal([11, 21, 1, 12, 22, -1, 13, -1, -1], batch.GatherSteps(sequences, padding: -1));
        int[] results = new int[3];
        batch.Scatter<int>(batch.Order.Select(i => i * 100).ToArray(), results);
        Assert.Equal([0, 100, 200], results);
    }

    [Fact]
    public void Constructor_EmptySequence_RefusedNamingIt()
    {
        var e = Assert.Throws<ArgumentException>(() => new LabelledBatcher([[1], []], batchSize: 2));

        Assert.Contains("Sequence 1 is empty", e.Message);
    }
}
