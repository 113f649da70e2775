using Rnn.Cli.Demos;
using Rnn.Kernels;
using Rnn.Models;
using Rnn.Optim;
using Rnn.Data;
using Rnn.Serialization;
using Rnn.Tensors;
using Rnn.Training;

namespace Rnn.Tests.Reliability;

/// <summary>
/// Exploding gradients: a ReLU language model whose recurrent matrix is 3·I (spectral radius 3) multiplies the error
/// by about 3 per step back through time. Without clipping one update ruins it; with clipping by global norm it
/// trains, skipping the steps that still overflow, and no checkpoint ever holds a non-finite value.
/// </summary>
public sealed class NumericalFaultTests : IDisposable
{
    private static readonly string Corpus = DemoCorpus.Generate(approximateBytes: 20_000, seed: 3);

    private readonly string _folder = Directory.CreateTempSubdirectory("rnn-numerics-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (LanguageModel<float> Model, Vocabulary Vocabulary, int[] Train, int[] Validation) Setup(float spectralRadius)
    {
        var vocabulary = Vocabulary.Build(Corpus, TokenKind.Character);
        var (train, validation) = BatchStreams.Split(vocabulary.Encode(Corpus), 0.1);
        var model = new LanguageModel<float>(new LanguageModelConfig
        {
            VocabularySize = vocabulary.Count, EmbeddingSize = 8, HiddenSize = 16, Nonlinearity = Nonlinearity.Relu,
        }, seed: 5);
        Span<float> w = model.Parameters.Value(model.Parameters["rnn.weight_hh_l0"]);
        w.Clear();
        for (int i = 0; i < 16; i++) w[i * 16 + i] = spectralRadius;
        return (model, vocabulary, train, validation);
    }

    private static TrainingOptions Options(double clipNorm) => new()
    {
        SequenceLength = 16, BatchSize = 4, Optimizer = OptimizerKind.Sgd, LearningRate = 0.05, Momentum = 0, ClipNorm = clipNorm,
        ValidationFraction = 0.1, Seed = 5, EvaluateEvery = 10, MaxSkippedSteps = 20,
    };

    private static double FirstGradientNorm(float spectralRadius)
    {
        var (model, vocabulary, train, _) = Setup(spectralRadius);
        var streams = new BatchStreams(train, 4, 16);
        int[] inputs = new int[64], targets = new int[64];
        streams.Fill(0, inputs, targets);
        model.Parameters.ZeroGradients();
        model.TrainStep(inputs, targets, 16, 4, new float[model.StateSize(4)]);
        return GradientClipping.GlobalNorm<float>(model.Parameters.Gradients);
    }

    [Fact]
    public void Trainer_SpectralRadiusThree_ExplodesWithoutClippingAndTrainsWithClipNorm()
    {
        double tame = FirstGradientNorm(1), wild = FirstGradientNorm(3);
        Assert.True(!double.IsFinite(wild) || wild > 1e5 * tame, $"gradient norm {wild:G3} with W = 3·I against {tame:G3} with W = I");

        var (unclipped, vocabulary, train, validation) = Setup(3);
        var e = Assert.Throws<InvalidOperationException>(() =>
            new Trainer<float>(unclipped, vocabulary, train, validation, Options(clipNorm: 0)).Run(new StopCondition(Steps: 60)));
        Assert.Contains("diverged", e.Message);

        var (clipped, _, _, _) = Setup(3);
        var trainer = new Trainer<float>(clipped, vocabulary, train, validation, Options(clipNorm: 1));
        trainer.Run(new StopCondition(Steps: 60));
        Assert.Equal(60, trainer.State.Step);
        Assert.True(Finite.All<float>(clipped.Parameters.Values));
        var losses = trainer.State.History.Select(p => p.TrainLoss).ToArray();
        Assert.All(losses, loss => Assert.True(double.IsFinite(loss)));
        Assert.True(losses[^1] < losses[0], $"training loss {losses[0]:G3} → {losses[^1]:G3}");
    }

    [Fact]
    public void Trainer_SkippedNonFiniteSteps_NeverReachACheckpoint()
    {
        var (model, vocabulary, train, validation) = Setup(3);
        string path = Path.Combine(_folder, "m.safetensors");
        int checkpointsChecked = 0;
        var trainer = new Trainer<float>(model, vocabulary, train, validation, Options(clipNorm: 1))
        {
            CheckpointPath = path,
            // Called after each step, so right after each checkpoint is written.
            Progress = p =>
            {
                if (p.Step % 10 != 0) return;
                var checkpoint = Checkpoint.Load(path);
                var loaded = checkpoint.CreateModel<float>(); // refuses NaN and infinity
                Assert.True(Finite.All<float>(loaded.Parameters.Values));
                var optimizer = Optimizer<float>.Create("sgd", loaded.Parameters, 0.05, 0);
                checkpoint.RestoreOptimizer(optimizer); // refuses a non-finite optimizer state
                Assert.NotNull(checkpoint.CarriedState<float>(loaded.StateSize(4))); // refuses a non-finite hidden state
                checkpointsChecked++;
            },
        };
        trainer.Run(new StopCondition(Steps: 60));
        Assert.True(trainer.State.SkippedSteps > 0, "no step was skipped, so nothing was tested");
        Assert.Equal(6, checkpointsChecked);
    }
}
