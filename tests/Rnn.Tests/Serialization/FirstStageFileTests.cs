using Rnn.IO;
using Rnn.Optim;
using Rnn.Serialization;
using Rnn.Tests.Cli;

namespace Rnn.Tests.Serialization;

/// <summary>
/// A checkpoint written by the first-stage code (tests/fixtures/stage1, with the commands that made it in its README)
/// must keep loading, sampling, evaluating and resuming exactly as it did then: keys on disk are pinned.
/// </summary>
public sealed class FirstStageFileTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "fixtures", "stage1");
    private readonly string _folder = Directory.CreateTempSubdirectory("rnn-stage1-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Load_FirstStageCheckpoint_ReadsItsConfigurationAndTrainingRecord()
    {
        var checkpoint = Checkpoint.Load(Path.Combine(Fixtures, "checkpoint.safetensors"));

        Assert.Equal(16, checkpoint.Config.HiddenSize);
        Assert.Equal(8, checkpoint.Config.EmbeddingSize);
        var training = Assert.IsType<TrainingState>(checkpoint.Training);
        Assert.Equal(30, training.Step);
        Assert.Equal(16, training.Options.SequenceLength);
        Assert.Equal(4, training.Options.BatchSize);
        Assert.Equal(OptimizerKind.Adam, training.Options.Optimizer);
        Assert.Equal(0.004, training.Options.LearningRate);
        Assert.True(training.Options.CosineSchedule);
        Assert.Equal(3UL, training.Options.Seed);
    }

    [Fact]
    public void Sample_FirstStageCheckpoint_WritesTheSameTextAsTheFirstStage()
    {
        var (code, output, error) = CliRunner.Run("sample", Path.Combine(Fixtures, "checkpoint.safetensors"),
            "--prime", "The ", "--length", "60", "--seed", "5");

        Assert.True(code == 0, error);
        Assert.Equal(File.ReadAllText(Path.Combine(Fixtures, "sample.txt")), output);
    }

    [Fact]
    public void Eval_FirstStageCheckpoint_GivesTheSameFigures()
    {
        var (code, output, error) = CliRunner.Run("eval", Path.Combine(Fixtures, "checkpoint.safetensors"), Path.Combine(Fixtures, "corpus.txt"));

        Assert.True(code == 0, error);
        Assert.Equal(File.ReadAllText(Path.Combine(Fixtures, "eval.txt")), output);
    }

    [Fact]
    public void Resume_FirstStageCheckpoint_ContinuesToTheFirstStagesWeightsBitForBit()
    {
        string output = Path.Combine(_folder, "resumed.safetensors");
        var (code, _, error) = CliRunner.Run("train", Path.Combine(Fixtures, "corpus.txt"), "--steps", "40", "--threads", "1",
            "--resume", Path.Combine(Fixtures, "checkpoint.safetensors"), "--out", output);

        Assert.True(code == 0, error);
        var expected = SafeTensorsFile.Load(Path.Combine(Fixtures, "resumed40.safetensors"));
        var actual = SafeTensorsFile.Load(output);
        Assert.Equal(expected.Tensors.Select(t => t.Name).Order(), actual.Tensors.Select(t => t.Name).Order());
        foreach (var tensor in expected.Tensors)
            Assert.True(expected.Read<float>(tensor.Name).AsSpan().SequenceEqual(actual.Read<float>(tensor.Name)), $"{tensor.Name} differs");
    }
}
