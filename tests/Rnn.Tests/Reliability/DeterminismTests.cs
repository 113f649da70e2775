using Rnn.Cli.Demos;
using Rnn.Kernels;
using Rnn.Models;
using Rnn.Data;
using Rnn.Optim;
using Rnn.Training;

namespace Rnn.Tests.Reliability;

/// <summary>Tests that set <see cref="ComputeThreads.Max"/>, a process-wide value: run alone, never beside other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ComputeThreadsCollection
{
    public const string Name = "ComputeThreads";
}

/// <summary>
/// Training is a pure function of seed, data and options: the same run twice gives the same weights bit for bit,
/// with one thread or two, and one thread gives what two give (the matrix products split rows, never a sum).
/// The sizes make the products large enough to be split (M·N·K ≥ 2^21).
/// </summary>
[Collection(ComputeThreadsCollection.Name)]
public sealed class DeterminismTests : IDisposable
{
    private static readonly string Corpus = DemoCorpus.Generate(approximateBytes: 40_000, seed: 6);

    private readonly int _savedThreads = ComputeThreads.Max;

    public void Dispose() => ComputeThreads.Max = _savedThreads;

    private static float[] Train(int threads)
    {
        ComputeThreads.Max = threads;
        var vocabulary = Vocabulary.Build(Corpus, TokenKind.Character);
        var (train, validation) = BatchStreams.Split(vocabulary.Encode(Corpus), 0.05);
        var model = new LanguageModel<float>(new LanguageModelConfig
        {
            VocabularySize = vocabulary.Count, EmbeddingSize = 64, HiddenSize = 128, NumLayers = 2, Dropout = 0.1,
        }, seed: 8);
        var options = new TrainingOptions { SequenceLength = 64, BatchSize = 16, ValidationFraction = 0.05, Seed = 8, EvaluateEvery = 4 };
        new Trainer<float>(model, vocabulary, train, validation, options).Run(new StopCondition(Steps: 8));
        return model.Parameters.Values;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Trainer_SameSeedDataAndThreads_GivesIdenticalWeights(int threads) =>
        Assert.Equal(Train(threads), Train(threads));

    [Fact]
    public void Trainer_OneThreadAndTwoThreads_GiveIdenticalWeights() =>
        Assert.Equal(Train(1), Train(2));
}
