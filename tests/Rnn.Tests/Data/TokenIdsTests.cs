using System.Runtime.InteropServices;
using Rnn.Data;

namespace Rnn.Tests.Data;

public sealed class TokenIdsTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(256, 1)]
    [InlineData(257, 2)]
    [InlineData(65_536, 2)]
    [InlineData(65_537, 4)]
    [InlineData(Vocabulary.MaxTokens, 4)]
    public void BytesPerIdFor_Vocabulary_IsTheSmallestTypeHoldingEveryId(int vocabularySize, int bytes)
    {
        Assert.Equal(bytes, TokenIds.BytesPerIdFor(vocabularySize));
        int[] ids = [0, vocabularySize - 1, vocabularySize / 2];

        var compact = TokenIds.Copy(ids, vocabularySize);

        Assert.Equal(bytes, compact.BytesPerId);
        Assert.Equal(ids, compact.ToArray());
        Assert.Equal(ids.Length * bytes, compact.SizeInBytes);
    }

    [Fact]
    public void Copy_IdOutsideTheVocabulary_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenIds.Copy([0, 256], 256));
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenIds.Copy([-1], 300));
    }

    [Theory]
    [InlineData(200)]
    [InlineData(60_000)]
    [InlineData(100_000)]
    public void Slice_IsAViewThatReadsLikeTheArray(int vocabularySize)
    {
        int[] ids = [.. Enumerable.Range(0, 1000).Select(i => i * 7919 % vocabularySize)];
        var compact = TokenIds.Copy(ids, vocabularySize);

        var slice = compact.Slice(100, 500);
        var destination = new int[50];
        slice.CopyTo(20, destination);

        Assert.Equal(ids[100..600], slice.ToArray());
        Assert.Equal(ids[120..170], destination);
        Assert.Equal(ids[123], slice[23]);
        Assert.Throws<ArgumentOutOfRangeException>(() => compact.Slice(900, 101));
        Assert.Throws<ArgumentOutOfRangeException>(() => slice.CopyTo(480, destination));
    }

    [Theory]
    [InlineData(200)]
    [InlineData(60_000)]
    [InlineData(100_000)]
    public void ForEachInt32Block_GivesTheBytesOfAnIntArray(int vocabularySize)
    {
        int[] ids = [.. Enumerable.Range(0, 200_000).Select(i => (int)((long)i * 7919 % vocabularySize))];
        var compact = TokenIds.Copy(ids, vocabularySize).Slice(3, 150_000);
        var bytes = new List<byte>();

        compact.ForEachInt32Block(block => bytes.AddRange(block.ToArray()));

        Assert.Equal(MemoryMarshal.AsBytes(ids.AsSpan(3, 150_000)).ToArray(), bytes);
    }

    [Fact]
    public void Builder_PastItsCapacity_Grows()
    {
        var builder = new TokenIds.Builder(300, capacity: 2);
        for (int i = 0; i < 100; i++) builder.Append([i, i + 1, i + 2]);

        Assert.Equal(300, builder.Count);
        Assert.Equal(2, builder.BytesPerId);
        Assert.Equal(Enumerable.Range(0, 100).SelectMany(i => new[] { i, i + 1, i + 2 }), builder.ToTokenIds().ToArray());
    }

    [Fact]
    public void BatchStreams_CompactIds_FillTheSameChunksAsInts()
    {
        int[] ids = [.. Enumerable.Range(0, 5_000).Select(i => i * 31 % 250)];
        var ints = new BatchStreams(ids, batch: 7, sequenceLength: 13);
        var compact = new BatchStreams(TokenIds.Copy(ids, 250), batch: 7, sequenceLength: 13);
        var (a, b, c, d) = (new int[91], new int[91], new int[91], new int[91]);

        for (int chunk = 0; chunk < ints.ChunksPerEpoch; chunk++)
        {
            ints.Fill(chunk, a, b);
            compact.Fill(chunk, c, d);
            Assert.Equal(a, c);
            Assert.Equal(b, d);
        }
    }

    [Fact]
    public void Split_CompactIds_GivesViewsOfTheIntSplit()
    {
        int[] ids = [.. Enumerable.Range(0, 1_001).Select(i => i % 90)];
        var (train, validation) = BatchStreams.Split(ids, 0.05);

        var (compactTrain, compactValidation) = BatchStreams.Split(TokenIds.Copy(ids, 90), 0.05);

        Assert.Equal(train, compactTrain.ToArray());
        Assert.Equal(validation, compactValidation.ToArray());
        var e = Assert.Throws<ArgumentException>(() => BatchStreams.Split(TokenIds.Copy(ids[..20], 90), 0.05));
        Assert.Contains("leaves 1 validation tokens", e.Message);
    }
}
