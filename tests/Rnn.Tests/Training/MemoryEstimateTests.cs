using Rnn.Cli.Demos;
using Rnn.Data;
using Rnn.Layers;
using Rnn.Models;
using Rnn.Optim;
using Rnn.Training;

namespace Rnn.Tests.Training;

/// <summary>Tests that measure the managed heap; they run alone, so that no other test allocates meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeapMeasurementCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "the managed heap, measured";
}

/// <summary>The estimate of what a training run holds: its parts from the sizes, and against what a real run keeps.</summary>
[Collection(HeapMeasurementCollection.Name)]
public sealed class MemoryEstimateTests(Xunit.Abstractions.ITestOutputHelper output)
{
    public static TheoryData<ModelConfig> Configs => new()
    {
        new LanguageModelConfig { VocabularySize = 50, EmbeddingSize = 7, HiddenSize = 9 }.ToModelConfig(),
        new LanguageModelConfig { VocabularySize = 50, EmbeddingSize = 7, HiddenSize = 9, NumLayers = 3, Cell = CellKind.Lstm }.ToModelConfig(),
        new ModelConfig
        {
            Task = ModelTask.Classify, VocabularySize = 30, OutputSize = 4, Head = HeadKind.MeanPool,
            Network = new RnnOptions { Cell = CellKind.Gru, InputSize = 5, HiddenSize = 6, NumLayers = 2, Bidirectional = true },
        },
        new ModelConfig
        {
            Task = ModelTask.Tag, VocabularySize = 30, OutputSize = 4,
            Network = new RnnOptions { InputSize = 5, HiddenSize = 6, NumLayers = 3, Bidirectional = true, Stacking = Stacking.Separate, Bias = false },
        },
        new ModelConfig
        {
            Task = ModelTask.Forecast, OutputSize = 3, Head = HeadKind.FinalState,
            Network = new RnnOptions { Cell = CellKind.Lstm, InputSize = 2, HiddenSize = 8 },
        },
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void ParameterCount_IsTheModelsCount(ModelConfig config)
    {
        Assert.Equal(new SequenceModel<float>(config).Parameters.Count, MemoryEstimate.ParameterCount(config));
    }

    [Fact]
    public void ForTraining_TheIssuesHiddenSize_NeedsMoreThanTheMachineHad()
    {
        // --hidden 40000 on a character text: 1.6·10⁹ recurrent weights, with Adam's moments, two packed copies and a
        // checkpoint's copy far past the 24 GB of the machine where it ran for minutes and was killed.
        var config = new LanguageModelConfig { VocabularySize = 191, EmbeddingSize = 64, HiddenSize = 40_000 }.ToModelConfig();

        var estimate = MemoryEstimate.ForTraining<float>(config, 64, 32, OptimizerKind.Adam);

        Assert.True(estimate.Total > 24_000_000_000L, MemoryEstimate.FormatBytes(estimate.Total));
        Assert.True(estimate.LargestArray <= Array.MaxLength);
        Assert.Equal(4 * MemoryEstimate.ParameterCount(config), estimate.Parameters);
        Assert.Equal(2 * estimate.Parameters, estimate.OptimizerState);
        output.WriteLine(estimate.Parts());
        Assert.StartsWith("parameters 6.44 GB, gradients 6.44 GB, optimizer state 12.9 GB", estimate.Parts());
    }

    [Fact]
    public void ForTraining_LongerExamples_NeedMoreActivationsInProportion()
    {
        var config = new ModelConfig
        {
            Task = ModelTask.Classify, VocabularySize = 100, OutputSize = 2, Head = HeadKind.MeanPool,
            Network = new RnnOptions { Cell = CellKind.Lstm, InputSize = 16, HiddenSize = 64 },
        };

        var short_ = MemoryEstimate.ForTraining<float>(config, 100, 16, OptimizerKind.Adam);
        var long_ = MemoryEstimate.ForTraining<float>(config, 10_000, 16, OptimizerKind.Adam);

        Assert.Equal(short_.Parameters, long_.Parameters);
        Assert.InRange((double)long_.Activations / short_.Activations, 90, 100);
    }

    [Fact]
    public void ForTraining_WiderEvaluationBatch_GrowsOnlyTheForwardBuffers()
    {
        var config = new LanguageModelConfig { VocabularySize = 100, EmbeddingSize = 16, HiddenSize = 64 }.ToModelConfig();

        var training = MemoryEstimate.ForTraining<float>(config, 64, 32, OptimizerKind.Adam);
        var wide = MemoryEstimate.ForTraining<float>(config, 64, 32, OptimizerKind.Adam, evaluationBatch: 256);
        var trainingAt256 = MemoryEstimate.ForTraining<float>(config, 64, 256, OptimizerKind.Adam);

        Assert.True(wide.Activations > training.Activations);
        Assert.True(wide.Activations < trainingAt256.Activations);
    }

    [Theory]
    [InlineData("8G", 8_000_000_000L)]
    [InlineData("512M", 512_000_000L)]
    [InlineData("1.5GB", 1_500_000_000L)]
    [InlineData("2GiB", 2L << 30)]
    [InlineData("100000", 100_000L)]
    public void ParseSize_Units_ArePowersOf1000Or1024(string text, long bytes)
    {
        Assert.Equal(bytes, Rnn.Cli.MemoryCheck.ParseSize(text, "--max-memory"));
    }

    [Theory]
    [InlineData("lots")]
    [InlineData("-1G")]
    [InlineData("8X")]
    [InlineData("0")]
    public void ParseSize_NotASize_IsAUsageError(string text)
    {
        var e = Assert.Throws<Rnn.Cli.UsageException>(() => Rnn.Cli.MemoryCheck.ParseSize(text, "--max-memory"));
        Assert.Contains("--max-memory must be a size", e.Message);
    }

    [Fact]
    public void AvailableBytes_IsPositiveAndWithinTheMachine()
    {
        long available = MemoryEstimate.AvailableBytes();

        Assert.InRange(available, 1, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
    }

    /// <summary>
    /// The estimate against the managed heap a real run keeps: model, optimizer, batch source and every buffer of a
    /// few steps and a validation. The product's per-thread buffers, a checkpoint's passing copy and the data are left
    /// out on both sides (a first run of the same shapes has made the buffers already).
    /// </summary>
    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void ForTraining_LanguageModel_IsNearWhatARealRunKeeps(CellKind cell)
    {
        string corpus = DemoCorpus.Generate(approximateBytes: 60_000, seed: 12);
        var vocabulary = Vocabulary.Build(corpus, TokenKind.Character);
        var (train, validation) = BatchStreams.Split(vocabulary.Encode(corpus), 0.05);
        var config = new LanguageModelConfig { VocabularySize = vocabulary.Count, EmbeddingSize = 32, HiddenSize = 96, NumLayers = 2, Cell = cell, Dropout = 0.2 };
        var options = new TrainingOptions { SequenceLength = 48, BatchSize = 24, Seed = 3, EvaluateEvery = 1_000 };
        void Train(LanguageModel<float> model) => new Trainer<float>(model, vocabulary, train, validation, options).Run(new StopCondition(Steps: 3));
        Train(new LanguageModel<float>(config, seed: 3));

        long before = GC.GetTotalMemory(forceFullCollection: true);
        var kept = new LanguageModel<float>(config, seed: 3);
        var trainer = new Trainer<float>(kept, vocabulary, train, validation, options);
        trainer.Run(new StopCondition(Steps: 3));
        long measured = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(trainer);

        var estimate = MemoryEstimate.ForTraining<float>(config.ToModelConfig(), options.SequenceLength, options.BatchSize, options.Optimizer);
        long expected = estimate.Total - estimate.Workspace - estimate.CheckpointWrite - estimate.Data;
        double ratio = (double)expected / measured;
        output.WriteLine($"{cell}: estimated {expected:N0} bytes, measured {measured:N0} (ratio {ratio:F3})");
        Assert.True(ratio is > 0.9 and < 1.15, $"estimated {expected:N0} bytes, measured {measured:N0} (ratio {ratio:F3})");
    }
}
