using Rnn.Serialization;
using Rnn.Training;

namespace Rnn.Tests.Cli;

/// <summary>The options of <c>rnn train</c> that belong to one task: validation files, best-by, class weights, max length, forecast columns.</summary>
public sealed class TaskOptionTests : IDisposable
{
    private static readonly string Data = Path.Combine(AppContext.BaseDirectory, "data");
    private readonly string _folder = Directory.CreateTempSubdirectory("rnn-task-options-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private (string Model, string Output) Train(params string[] args)
    {
        string model = Path.Combine(_folder, "m.safetensors");
        var (code, output, error) = CliRunner.Run(["train", .. args, "--hidden", "8", "--threads", "1", "--out", model]);
        Assert.True(code == 0, error);
        return (model, output);
    }

    [Fact]
    public void Classify_ValFileAndBestByAccuracy_TheBestCheckpointRecordsItsAccuracy()
    {
        string validation = Write("val.tsv", "pos\tgood film\nneg\tawful plot\nmixed\tgood and bad\n");
        var (model, output) = Train(Path.Combine(Data, "reviews.tsv"), "--task", "classify", "--tokens", "word", "--val-file", validation,
            "--best-by", "accuracy", "--steps", "6", "--eval-every", "2", "--batch", "16");

        Assert.Contains("accuracy", output);
        var best = Checkpoint.Load(Trainer<float>.BestPath(model)).Training!;
        Assert.NotNull(best.BestScore);
        Assert.InRange(best.BestScore!.Value, 0, 1);
    }

    [Fact]
    public void Classify_ClassWeightsBalancedAndFromAFile_Train()
    {
        Train(Path.Combine(Data, "reviews.tsv"), "--task", "classify", "--class-weights", "balanced", "--steps", "2", "--max-len", "8");
        string weights = Write("w.tsv", "mixed\t2\nneg\t1\npos\t1\n");
        Train(Path.Combine(Data, "reviews.tsv"), "--task", "classify", "--class-weights", weights, "--steps", "2");
    }

    [Fact]
    public void Classify_ClassWeightsFileMissingAClass_ExitsTwo()
    {
        string weights = Write("w.tsv", "mixed\t2\nneg\t1\n");
        var (code, _, error) = CliRunner.Run("train", Path.Combine(Data, "reviews.tsv"), "--task", "classify", "--class-weights", weights, "--steps", "1",
            "--out", Path.Combine(_folder, "m.safetensors"));
        Assert.Equal(2, code);
        Assert.Contains("gives no weight for \"pos\"", error);
    }

    [Fact]
    public void BestByAccuracy_ForAForecaster_ExitsTwo()
    {
        var (code, _, error) = CliRunner.Run("train", Path.Combine(Data, "visitors.csv"), "--task", "forecast", "--best-by", "accuracy");
        Assert.Equal(2, code);
        Assert.Contains("is for classify and tag", error);
    }

    [Theory]
    [InlineData("names.tags", "tag")]
    [InlineData("visitors.csv", "forecast")]
    public void Tokens_ForATaskWhoseFileGivesItsTokens_ExitsTwo(string file, string task)
    {
        var (code, _, error) = CliRunner.Run("train", Path.Combine(Data, file), "--task", task, "--tokens", "char", "--steps", "1",
            "--out", Path.Combine(_folder, "m.safetensors"));
        Assert.Equal(2, code);
        Assert.Contains($"--tokens is for lm and classify, not --task {task}", error);
    }

    [Fact]
    public void Forecast_TargetInputsAndMissingValues_AreStoredInTheModel()
    {
        string series = Write("s.csv", "day,temp,sales\n" + string.Join("\n", Enumerable.Range(1, 40).Select(i => $"{i},{(i % 7 == 0 ? "NA" : (10 + i % 5).ToString())},{100 + i}")) + "\n");
        var (model, _) = Train(series, "--task", "forecast", "--target", "sales", "--inputs", "temp,sales", "--missing", "interpolate", "--seq", "5",
            "--horizon", "2", "--steps", "3");

        var layout = Checkpoint.Load(model).Contents.Forecast!;
        Assert.Equal("sales", layout.Target);
        Assert.Equal(["temp", "sales"], layout.Inputs);
        Assert.Equal(Rnn.Data.MissingValuePolicy.Interpolate, layout.Missing);
        var (code, output, error) = CliRunner.Run("predict", model, series);
        Assert.True(code == 0, error);
        string[] lines = output.TrimEnd('\n').Split('\n');
        Assert.Equal("day,sales", lines[0]);
        Assert.StartsWith("41,", lines[1]);
        Assert.StartsWith("42,", lines[2]);
    }

    [Fact]
    public void Forecast_MissingValueWithoutAPolicy_ExitsTwoNamingLineAndColumn()
    {
        string series = Write("s.csv", "t,v\n1,1\n2,\n3,3\n4,4\n");
        var (code, _, error) = CliRunner.Run("train", series, "--task", "forecast", "--seq", "1", "--out", Path.Combine(_folder, "m.safetensors"));
        Assert.Equal(2, code);
        Assert.Contains("line 3", error);
        Assert.Contains("missing", error);
    }

    [Fact]
    public void LanguageModelResume_ShapeConflictsRefused_ScheduleChangesReported()
    {
        string corpus = Write("corpus.txt", Rnn.Cli.Demos.DemoCorpus.Generate(approximateBytes: 6_000, seed: 2));
        var (model, _) = Train(corpus, "--seq", "8", "--batch", "2", "--steps", "2");

        var refused = CliRunner.Run("train", corpus, "--seq", "16", "--hidden", "8", "--resume", model, "--out", model);
        var resumed = CliRunner.Run("train", corpus, "--steps", "3", "--clip", "1", "--resume", model, "--out", model);

        Assert.Equal(2, refused.Code);
        Assert.Contains("--seq 16 (the checkpoint has 8)", refused.Error);
        Assert.True(resumed.Code == 0, resumed.Error);
        Assert.Contains("resume: --clip 5 → 1", resumed.Output);
        Assert.Equal(3, Checkpoint.Load(model).Training!.Step);
    }
}
