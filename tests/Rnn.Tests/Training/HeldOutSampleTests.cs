using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Rnn.Cli.Demos;
using Rnn.Data;
using Rnn.Models;
using Rnn.Training;

namespace Rnn.Tests.Training;

/// <summary>What validation reads of a held-out part: all of a short one, as before, and a fixed sample of a long one.</summary>
public sealed class HeldOutSampleTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(100_001, 100_000)]
    [InlineData(5_000, 100_000)]
    [InlineData(1_000_000, 0)]
    public void Choose_FewPredictionsOrAll_ReadsTheWholePart(int heldOut, int sample)
    {
        Assert.Null(HeldOutSample.Choose(heldOut, sample, batch: 32, sequenceLength: 64));
    }

    [Theory]
    [InlineData(49_283_698, 100_000, 32, 64)]
    [InlineData(100_002, 100_000, 32, 64)]
    [InlineData(1_000_000, 500, 32, 64)]
    [InlineData(1_000_000, 10, 32, 64)]
    [InlineData(333_333, 100_000, 1, 16)]
    public void Choose_LongPart_SpreadsWindowsFromItsStartToItsEnd(int heldOut, int sample, int batch, int sequenceLength)
    {
        var chosen = HeldOutSample.Choose(heldOut, sample, batch, sequenceLength)!;

        Assert.Equal(Math.Clamp(sample / sequenceLength, 1, batch), chosen.Starts.Length);
        Assert.InRange(chosen.Predictions, sample - chosen.Starts.Length + 1, sample);
        Assert.Equal(0, chosen.Starts[0]);
        if (chosen.Starts.Length > 1) Assert.Equal(heldOut - 1, chosen.Starts[^1] + chosen.WindowLength);
        for (int w = 1; w < chosen.Starts.Length; w++) Assert.True(chosen.Starts[w] >= chosen.Starts[w - 1] + chosen.WindowLength, $"window {w} overlaps the one before");
        Assert.Equal(chosen.Starts, HeldOutSample.Choose(heldOut, sample, batch, sequenceLength)!.Starts);
    }

    private static (LanguageModel<float> Model, int[] Train, int[] Validation, int Vocabulary) Setup()
    {
        string corpus = DemoCorpus.Generate(approximateBytes: 30_000, seed: 6);
        var vocabulary = Vocabulary.Build(corpus, TokenKind.Character);
        var (train, validation) = BatchStreams.Split(vocabulary.Encode(corpus), 0.2);
        var model = new LanguageModel<float>(new LanguageModelConfig { VocabularySize = vocabulary.Count, EmbeddingSize = 8, HiddenSize = 16 }, seed: 2);
        return (model, train, validation, vocabulary.Count);
    }

    [Fact]
    public void Evaluate_CompactIds_GivesTheFiguresOfTheIntOverloadBitForBit()
    {
        var (model, _, validation, vocabulary) = Setup();

        var ints = Evaluation.Evaluate(model, validation, batch: 7, sequenceLength: 11);
        var compact = Evaluation.Evaluate(model, TokenIds.Copy(validation, vocabulary), batch: 7, sequenceLength: 11);

        Assert.Equal(ints.TotalNats, compact.TotalNats);
        Assert.Equal(ints.Predictions, compact.Predictions);
    }

    [Fact]
    public void TextStreams_ShortHeldOutPart_ValidatesOnAllOfItAsBefore()
    {
        var (model, train, validation, vocabulary) = Setup();
        var source = new TextStreams<float>(model, TokenIds.Copy(train, vocabulary), TokenIds.Copy(validation, vocabulary), 8, 16, validationTokens: 100_000);

        Assert.Null(source.Sample);
        Assert.Equal(Evaluation.Evaluate(model, validation, 8, 16).Loss, source.Validate(model.Core)!.Loss);
    }

    [Fact]
    public void TextStreams_LongHeldOutPart_ValidatesOnItsSampleWindows()
    {
        var (model, train, validation, vocabulary) = Setup();
        var held = TokenIds.Copy(validation, vocabulary);
        var source = new TextStreams<float>(model, TokenIds.Copy(train, vocabulary), held, 8, 16, validationTokens: 1_000);
        var sample = source.Sample!;

        double loss = source.Validate(model.Core)!.Loss;

        Assert.Equal(8, sample.Starts.Length);
        Assert.Equal(1_000, source.ValidationPredictions);
        Assert.Equal(Evaluation.EvaluateWindows(model, held, sample.Starts, sample.WindowLength, 16).Loss, loss);
        Assert.Equal(loss, source.Validate(model.Core)!.Loss);
        Assert.Equal(Evaluation.Evaluate(model, validation, 8, 16).TotalNats, source.EvaluateAllHeldOut()!.TotalNats);
    }

    [Fact]
    public void EvaluateWindows_EachWindowIsAStreamFromAZeroState()
    {
        var (model, _, validation, vocabulary) = Setup();
        var held = TokenIds.Copy(validation, vocabulary);

        var both = Evaluation.EvaluateWindows(model, held, [0, 500], 120, 16);
        var first = Evaluation.EvaluateWindows(model, held, [0], 120, 16);
        var second = Evaluation.EvaluateWindows(model, held, [500], 120, 16);

        Assert.Equal(240, both.Predictions);
        Assert.Equal(first.TotalNats + second.TotalNats, both.TotalNats, 1e-3);
        Assert.Throws<ArgumentOutOfRangeException>(() => Evaluation.EvaluateWindows(model, held, [held.Count - 120], 120, 16));
    }

    [Fact]
    public void TextStreams_DataHash_IsTheHashOfTheIdsAsInts()
    {
        var (model, train, validation, vocabulary) = Setup();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(MemoryMarshal.AsBytes(train.AsSpan()));
        sha.AppendData(MemoryMarshal.AsBytes(validation.AsSpan()));
        string expected = Convert.ToHexString(sha.GetHashAndReset());

        var compact = new TextStreams<float>(model, TokenIds.Copy(train, vocabulary), TokenIds.Copy(validation, vocabulary), 8, 16, 0);
        var ints = new TextStreams<float>(model, train, validation, 8, 16);

        Assert.Equal(expected, compact.DataHash);
        Assert.Equal(expected, ints.DataHash);
    }
}
