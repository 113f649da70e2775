using Rnn.Data;
using Rnn.IO;
using Rnn.Serialization;

namespace Rnn.Tests.Cli;

/// <summary><c>rnn train --task</c>, <c>predict</c>, <c>eval</c> and <c>info</c> for each supervised task, on the small files of tests/data.</summary>
public sealed class TaskCommandTests : IDisposable
{
    private static readonly string Data = Path.Combine(AppContext.BaseDirectory, "data");
    private readonly string _folder = Directory.CreateTempSubdirectory("rnn-tasks-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly Dictionary<string, string[]> TrainArgs = new()
    {
        ["classify"] = [Path.Combine(Data, "reviews.tsv"), "--task", "classify", "--tokens", "word", "--hidden", "16", "--batch", "8", "--val-fraction", "0.2"],
        ["tag"] = [Path.Combine(Data, "names.tags"), "--task", "tag", "--bidirectional", "--hidden", "16", "--batch", "8", "--val-fraction", "0.2"],
        ["forecast"] = [Path.Combine(Data, "visitors.csv"), "--task", "forecast", "--hidden", "16", "--seq", "12", "--batch", "8", "--horizon", "3", "--val-fraction", "0.2"],
    };

    private string Train(string task, string name, params string[] extra)
    {
        string model = Path.Combine(_folder, name);
        var (code, output, error) = CliRunner.Run(["train", .. TrainArgs[task], "--threads", "1", "--seed", "3", "--out", model, .. extra]);
        Assert.True(code == 0, error);
        Assert.Contains($"saved {model}", output);
        return model;
    }

    private string Write(string name, string text)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Theory]
    [InlineData("classify")]
    [InlineData("tag")]
    [InlineData("forecast")]
    public void Train_Task_WritesAModelFileThatRecordsItsTask(string task)
    {
        string model = Train(task, "m.safetensors", "--steps", "6", "--eval-every", "3");

        var checkpoint = Checkpoint.Load(model);
        Assert.Equal(task, Rnn.Models.ModelTasks.Name(checkpoint.Task));
        Assert.Equal(6, checkpoint.Training!.Step);
        Assert.Equal(task, SafeTensorsFile.Load(model).Metadata["task"]);
    }

    [Theory]
    [InlineData("classify")]
    [InlineData("tag")]
    [InlineData("forecast")]
    public void Resume_Task_ContinuesBitForBit(string task)
    {
        // A cosine schedule spans the steps asked for, so both runs keep the rate constant to stop at 4 and continue.
        string straight = Train(task, "straight.safetensors", "--steps", "30", "--eval-every", "4", "--lr-schedule", "constant", "--dropout", "0.2", "--layers", "2");
        string resumed = Train(task, "resumed.safetensors", "--steps", "12", "--eval-every", "4", "--lr-schedule", "constant", "--dropout", "0.2", "--layers", "2");
        var (code, _, error) = CliRunner.Run(["train", .. TrainArgs[task], "--threads", "1", "--seed", "3", "--steps", "30", "--resume", resumed, "--out", resumed]);
        Assert.True(code == 0, error);

        var expected = SafeTensorsFile.Load(straight);
        var actual = SafeTensorsFile.Load(resumed);
        foreach (TensorInfo t in expected.Tensors)
            Assert.True(expected.RawBytes(t.Name).SequenceEqual(actual.RawBytes(t.Name)), $"tensor '{t.Name}' differs");
    }

    [Theory]
    [InlineData("classify")]
    [InlineData("tag")]
    [InlineData("forecast")]
    public void Train_WithoutCell_TheTaskModelHasTheSimpleCell(string task) =>
        Assert.Equal(Rnn.Layers.CellKind.Rnn, Checkpoint.Load(Train(task, "default-cell.safetensors", "--steps", "1")).Model.Network.Cell);

    [Fact]
    public void Resume_ShapeOptionsDiffer_RefusesNamingEachDifference()
    {
        string model = Train("classify", "m.safetensors", "--steps", "2");

        var (code, _, error) = CliRunner.Run(["train", .. TrainArgs["classify"], "--layers", "2", "--cell", "gru", "--resume", model, "--out", model]);

        Assert.Equal(2, code);
        Assert.Contains("--layers 2 (the checkpoint has 1)", error);
        Assert.Contains("--cell gru (the checkpoint has rnn)", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void Resume_LearningRateChanged_ReportsTheChange()
    {
        string model = Train("classify", "m.safetensors", "--steps", "2");

        var (code, output, error) = CliRunner.Run(["train", .. TrainArgs["classify"], "--steps", "3", "--lr", "0.001", "--resume", model, "--out", model]);

        Assert.True(code == 0, error);
        Assert.Contains("resume: --lr 0.004 → 0.001", output);
        Assert.Equal(0.001, Checkpoint.Load(model).Training!.Options.LearningRate);
    }

    [Fact]
    public void Predict_Classifier_WritesOneLinePerInputLineKeepingBlankOnes()
    {
        string model = Train("classify", "m.safetensors", "--steps", "4");
        string input = Write("in.txt", "a good film\n\nawful plot\n");

        var (code, output, error) = CliRunner.Run("predict", model, input);

        Assert.True(code == 0, error);
        string[] lines = output.TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Equal("", lines[1]);
        Assert.Matches(@"^(mixed|neg|pos)\t0\.\d+$", lines[0]);
    }

    [Fact]
    public void Predict_ClassifierWithProbs_WritesAHeaderAndEveryLabel()
    {
        string model = Train("classify", "m.safetensors", "--steps", "4");
        string input = Write("in.tsv", "pos\ta good film\nneg\tawful plot\n");
        string outFile = Path.Combine(_folder, "out.tsv");

        var (code, _, error) = CliRunner.Run("predict", model, input, "--labelled", "--probs", "--out", outFile);

        Assert.True(code == 0, error);
        string[] lines = File.ReadAllLines(outFile);
        Assert.Equal("label\tmixed\tneg\tpos", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.Equal(1.0, lines[1].Split('\t')[1..].Sum(p => double.Parse(p, System.Globalization.CultureInfo.InvariantCulture)), 4);
    }

    [Fact]
    public void Predict_Tagger_TagsEveryTokenAndKeepsBlankLines()
    {
        string model = Train("tag", "m.safetensors", "--steps", "4");
        string input = Write("in.tags", "Anna\nmet\tX\n\n   \nParis\n");

        var (code, output, error) = CliRunner.Run("predict", model, input);

        Assert.True(code == 0, error);
        string[] lines = output.TrimEnd('\n').Split('\n');
        Assert.Equal(5, lines.Length);
        Assert.StartsWith("Anna\t", lines[0]);
        Assert.StartsWith("met\t", lines[1]);
        Assert.Equal("", lines[2]);
        Assert.StartsWith("   \t", lines[3]);
    }

    [Fact]
    public void Predict_Forecaster_WritesKRowsUnderTheHeader()
    {
        string model = Train("forecast", "m.safetensors", "--steps", "4");

        var (code, output, error) = CliRunner.Run("predict", model, Path.Combine(Data, "visitors.csv"));

        Assert.True(code == 0, error);
        string[] lines = output.TrimEnd('\n').Split('\n');
        Assert.Equal("month,visitors", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.All(lines[1..], line => Assert.Matches(@"^,-?\d+(\.\d+)?$", line));
    }

    [Fact]
    public void Predict_ForecasterAll_OneRowPerWindowEnd_NumericIndexContinued()
    {
        string model = Train("forecast", "m.safetensors", "--steps", "2");
        string series = Write("s.csv", "t,visitors\n" + string.Join("\n", Enumerable.Range(0, 20).Select(i => $"{i},{100 + i}")) + "\n");

        var (code, output, error) = CliRunner.Run("predict", model, series, "--all");

        Assert.True(code == 0, error);
        string[] lines = output.TrimEnd('\n').Split('\n');
        Assert.Equal("t,visitors", lines[0]);
        Assert.Equal(20 - 12 + 1, lines.Length - 1);
        Assert.StartsWith("14,", lines[1]);
        Assert.StartsWith("22,", lines[^1]);
    }

    [Theory]
    [InlineData("classify", "reviews.tsv", "macro_f1")]
    [InlineData("tag", "names.tags", "token_accuracy")]
    [InlineData("forecast", "visitors.csv", "mase")]
    public void Eval_TaskJson_IsOneObjectWithTheTasksMetrics(string task, string data, string key)
    {
        string model = Train(task, "m.safetensors", "--steps", "4");

        var (code, output, error) = CliRunner.Run("eval", model, Path.Combine(Data, data), "--json");

        Assert.True(code == 0, error);
        var json = System.Text.Json.Nodes.JsonNode.Parse(output)!.AsObject();
        Assert.Equal(task, json["task"]!.GetValue<string>());
        Assert.NotNull(json["metrics"]![key]);
    }

    [Fact]
    public void Eval_Forecast_MaseIsScaledByTheTrainingPartsNaiveError()
    {
        string model = Train("forecast", "m.safetensors", "--steps", "4");
        string[] lines = File.ReadAllLines(Path.Combine(Data, "visitors.csv"));
        double[] target = [.. lines.Skip(1).Select(l => double.Parse(l.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture))];
        int trainingRows = target.Length - ValidationSplit.TailCount(target.Length, 0.2);
        double scale = FeatureScaling.OneStepNaiveMae(target.AsSpan(0, trainingRows));
        string tail = Write("tail.csv", string.Join('\n', [lines[0], .. lines[^40..]]) + "\n");

        var (code, output, error) = CliRunner.Run("eval", model, tail, "--json");

        Assert.True(code == 0, error);
        var json = System.Text.Json.Nodes.JsonNode.Parse(output)!.AsObject();
        Assert.Equal("training", json["mase_scale"]!.GetValue<string>());
        var metrics = json["metrics"]!;
        Assert.Equal(scale, metrics["scale"]!.GetValue<double>());
        Assert.Equal(metrics["mae"]!.GetValue<double>() / scale, metrics["mase"]!.GetValue<double>());
        Assert.Contains("the one-step naive MAE of the training part", CliRunner.Run("eval", model, tail).Output);
    }

    [Fact]
    public void Eval_ClassifierPlotAndForecastPlot_WritePngs()
    {
        string classifier = Train("classify", "c.safetensors", "--steps", "2");
        string forecaster = Train("forecast", "f.safetensors", "--steps", "2");
        string heat = Path.Combine(_folder, "heat.png"), series = Path.Combine(_folder, "series.png");

        Assert.Equal(0, CliRunner.Run("eval", classifier, Path.Combine(Data, "reviews.tsv"), "--plot", heat).Code);
        var (code, output, _) = CliRunner.Run("eval", forecaster, Path.Combine(Data, "visitors.csv"), "--plot", series, "--season", "12");

        Assert.Equal(0, code);
        Assert.Contains("seasonal naive MAE", output);
        Assert.True(new FileInfo(heat).Length > 1000 && new FileInfo(series).Length > 1000);
    }

    [Fact]
    public void Info_Classifier_PrintsTaskLabelsParametersAndPosition()
    {
        string model = Train("classify", "m.safetensors", "--steps", "2", "--cell", "lstm");

        var (code, output, error) = CliRunner.Run("info", model);

        Assert.True(code == 0, error);
        Assert.Contains("task          classify", output);
        Assert.Contains("cell          lstm", output);
        Assert.Contains("labels        mixed, neg, pos", output);
        Assert.Contains("training      step 2", output);
    }

    [Theory]
    [InlineData("sample")]     // export takes every task (OnnxTaskCliTests)
    public void LanguageModelCommand_ClassifierGiven_RefusesWithExitTwo(string command)
    {
        string model = Train("classify", "m.safetensors", "--steps", "1");

        var (code, _, error) = CliRunner.Run(command, model);

        Assert.Equal(2, code);
        Assert.Contains("is a classify model; this command needs a lm model", error);
    }
}
