using Rnn.Data;

namespace Rnn.Tests.Data;

public sealed class BatchStreamsTests
{
    // Token i is i itself, so every token read reveals its corpus position.
    private static int[] Positions(int count) => [.. Enumerable.Range(0, count)];

    [Fact]
    public void Constructor_Corpus_CutsEqualStreamsAndDropsPartialChunks()
    {
        // N = 103, B = 4: L = 102 / 4 = 25 steps per row; T = 6 gives 4 chunks, dropping the last step of each row.
        var streams = new BatchStreams(Positions(103), batch: 4, sequenceLength: 6);

        Assert.Equal(25, streams.StreamLength);
        Assert.Equal(4, streams.ChunksPerEpoch);
        Assert.Equal(4, streams.BatchSize);
        Assert.Equal(6, streams.SequenceLength);
    }

    [Fact]
    public void Fill_Chunk_IsTimeMajorWithTargetsShiftedByOne()
    {
        var streams = new BatchStreams(Positions(103), batch: 4, sequenceLength: 6);
        int[] inputs = new int[24], targets = new int[24];

        streams.Fill(2, inputs, targets);

        for (int t = 0; t < 6; t++)
        {
            for (int b = 0; b < 4; b++)
            {
                Assert.Equal(b * 25 + 2 * 6 + t, inputs[t * 4 + b]);
                Assert.Equal(inputs[t * 4 + b] + 1, targets[t * 4 + b]);
            }
        }
    }

    [Fact]
    public void Fill_ConsecutiveChunks_ContinueEachRowInTheCorpus()
    {
        var random = new Rnn.Tensors.SeededRandom(7);
        int[] corpus = [.. Enumerable.Range(0, 1000).Select(_ => random.NextInt(50))];
        // Fill with positions to check contiguity exactly, and with the random corpus to check values follow it.
        var positions = new BatchStreams(Positions(corpus.Length), batch: 5, sequenceLength: 7);
        var tokens = new BatchStreams(corpus, batch: 5, sequenceLength: 7);
        int size = 5 * 7;
        int[] previous = new int[size], inputs = new int[size], targets = new int[size];
        int[] tokenInputs = new int[size], tokenTargets = new int[size];

        for (int chunk = 0; chunk < positions.ChunksPerEpoch; chunk++)
        {
            positions.Fill(chunk, inputs, targets);
            tokens.Fill(chunk, tokenInputs, tokenTargets);
            for (int b = 0; b < 5; b++)
            {
                // The carry property: row b's first input follows row b's last input of the previous chunk.
                if (chunk > 0) Assert.Equal(previous[6 * 5 + b] + 1, inputs[b]);
                for (int i = b; i < size; i += 5)
                {
                    Assert.Equal(corpus[inputs[i]], tokenInputs[i]);
                    Assert.Equal(corpus[inputs[i] + 1], tokenTargets[i]);
                }
            }
            (previous, inputs) = (inputs, previous);
        }
    }

    [Fact]
    public void Fill_EveryChunkOfAnEpoch_CoversEachTokenAtMostOnce()
    {
        var streams = new BatchStreams(Positions(200), batch: 3, sequenceLength: 10);
        var seen = new HashSet<int>();
        int[] inputs = new int[30], targets = new int[30];

        for (int chunk = 0; chunk < streams.ChunksPerEpoch; chunk++)
        {
            streams.Fill(chunk, inputs, targets);
            foreach (int position in inputs) Assert.True(seen.Add(position));
        }

        Assert.Equal(streams.ChunksPerEpoch * 30, seen.Count);
        Assert.True(seen.Max() < 199);
    }

    [Fact]
    public void Constructor_ExactlyOneChunkOfTokens_GivesOneChunk()
    {
        var streams = new BatchStreams(Positions(4 * 8 + 1), batch: 4, sequenceLength: 8);
        int[] inputs = new int[32], targets = new int[32];

        streams.Fill(0, inputs, targets);

        Assert.Equal(1, streams.ChunksPerEpoch);
        Assert.Equal(32, targets[7 * 4 + 3]); // the last target is the corpus's last token
    }

    [Fact]
    public void Constructor_CorpusShorterThanOneChunk_ThrowsWithNeededLength()
    {
        var e = Assert.Throws<ArgumentException>(() => new BatchStreams(Positions(32), batch: 4, sequenceLength: 8));

        Assert.Contains("32 tokens", e.Message);
        Assert.Contains("at least 33 tokens", e.Message);
    }

    [Theory]
    [InlineData(0, 5)]
    [InlineData(5, 0)]
    [InlineData(-1, 5)]
    public void Constructor_NonPositiveSizes_Throws(int batch, int sequenceLength)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchStreams(Positions(100), batch, sequenceLength));
    }

    [Fact]
    public void Fill_BadChunkOrSpanLength_Throws()
    {
        var streams = new BatchStreams(Positions(100), batch: 2, sequenceLength: 5);
        int[] good = new int[10], bad = new int[11];

        Assert.Throws<ArgumentOutOfRangeException>(() => streams.Fill(streams.ChunksPerEpoch, good, good));
        Assert.Throws<ArgumentOutOfRangeException>(() => streams.Fill(-1, good, good));
        Assert.Throws<ArgumentException>(() => streams.Fill(0, bad, good));
        Assert.Throws<ArgumentException>(() => streams.Fill(0, good, bad));
    }

    [Fact]
    public void Split_Fraction_TakesTheContiguousTailAsValidation()
    {
        var (train, validation) = BatchStreams.Split(Positions(100), 0.1);

        Assert.Equal(Positions(90), train);
        Assert.Equal(Enumerable.Range(90, 10), validation);
    }

    [Fact]
    public void Split_ZeroFraction_GivesEmptyValidation()
    {
        var (train, validation) = BatchStreams.Split(Positions(5), 0);

        Assert.Equal(Positions(5), train);
        Assert.Empty(validation);
    }

    [Fact]
    public void Split_Result_IsACopy()
    {
        int[] tokens = Positions(10);

        var (train, validation) = BatchStreams.Split(tokens, 0.5);
        tokens[0] = 99;
        tokens[9] = 99;

        Assert.Equal(0, train[0]);
        Assert.Equal(9, validation[^1]);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(0.51)]
    [InlineData(double.NaN)]
    public void Split_FractionOutOfRange_Throws(double fraction)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchStreams.Split(Positions(100), fraction));
    }

    [Fact]
    public void Split_ValidationShorterThanTwoTokens_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => BatchStreams.Split(Positions(10), 0.1));

        Assert.Contains("at least 2 are needed", e.Message);
    }
}
