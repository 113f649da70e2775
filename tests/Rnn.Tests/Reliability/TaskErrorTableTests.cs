namespace Rnn.Tests.Reliability;

/// <summary>A classifier and the files of the README's error rows for the data of each task, made once.</summary>
public sealed class TaskErrorFiles : IDisposable
{
    public TaskErrorFiles()
    {
        Classifier = Path.Combine(Folder, "c.safetensors");
        var (code, _, error) = Rnn.Tests.Cli.CliRunner.Run("train", Path.Combine(AppContext.BaseDirectory, "data", "reviews.tsv"), "--task", "classify",
            "--tokens", "word", "--hidden", "8", "--steps", "2", "--batch", "8", "--out", Classifier);
        if (code != 0) throw new InvalidOperationException(error);
    }

    public string Folder { get; } = Directory.CreateTempSubdirectory("rnn-task-errors-").FullName;

    public string Classifier { get; }

    public string Write(string name, string text)
    {
        string path = Path.Combine(Folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

/// <summary>The README's error rows for classify, tag and forecast data: each gives exit 2 and one <c>rnn:</c> line naming the problem.</summary>
public sealed class TaskErrorTableTests(TaskErrorFiles files) : IClassFixture<TaskErrorFiles>
{
    private static void AssertOneLine(string expected, params string[] args)
    {
        var (code, _, error) = Rnn.Tests.Cli.CliRunner.Run(args);
        Assert.True(code == 2, $"exit {code}: {error}");
        Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("rnn: ", error);
        Assert.Contains(expected, error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void Classify_LongExampleThatCannotFit_ExitsTwoNamingMaxLen() =>
        AssertOneLine("the run needs about ", "train", files.Write("long.tsv", "pos\t" + new string('a', 200_000) + "\nneg\tb\n"), "--task", "classify",
            "--hidden", "64", "--batch", "2", "--steps", "1", "--max-memory", "100M", "--out", Path.Combine(files.Folder, "long.safetensors"));

    [Fact]
    public void Classify_LineWithoutTab_ExitsTwo() =>
        AssertOneLine("line 2: the line has no tab between the label and the text", "train", files.Write("notab.tsv", "pos\tgood\nneg bad\n"), "--task", "classify");

    [Fact]
    public void Classify_EmptyLabel_ExitsTwo() =>
        AssertOneLine("line 2, column 1: the label before the tab is empty", "train", files.Write("emptylabel.tsv", "pos\tgood\n \tbad\n"), "--task", "classify");

    [Fact]
    public void Tag_LineWithoutTab_ExitsTwo() =>
        AssertOneLine("line 1: the line has no tab between the token and the tag", "train", files.Write("notag.tags", "Anna\n"), "--task", "tag");

    [Fact]
    public void Forecast_RaggedRow_ExitsTwo() =>
        AssertOneLine("line 3: the row has 1 fields; the header has 2", "train", files.Write("ragged.csv", "a,b\n1,2\n3\n"), "--task", "forecast");

    [Fact]
    public void Forecast_NonNumericCell_ExitsTwo() =>
        AssertOneLine("line 3, column 2: (\"b\") holds \"x\", which is not a finite number", "train", files.Write("nonnum.csv", "a,b\n1,2\n3,x\n4,5\n"), "--task", "forecast", "--seq", "1");

    [Fact]
    public void Forecast_HeaderOnly_ExitsTwo() =>
        AssertOneLine("has a header but no rows", "train", files.Write("header.csv", "a,b\n"), "--task", "forecast");

    [Fact]
    public void Forecast_SeriesShorterThanOneWindow_ExitsTwo() =>
        AssertOneLine("has 2 usable rows; one window needs SequenceLength + Horizon = 4 + 1 = 5", "train", files.Write("short.csv", "month,v\n2020-01,1\n2020-02,2\n"), "--task", "forecast", "--seq", "4");

    [Fact]
    public void Eval_LabelUnseenInTraining_ExitsTwo() =>
        AssertOneLine("the label \"zzz\" is not one of the 3 training labels", "eval", files.Classifier, files.Write("unseen.tsv", "zzz\tgood film\n"));

    [Fact]
    public void Sample_ModelOfAnotherTask_ExitsTwo() =>
        AssertOneLine("is a classify model; this command needs a lm model", "sample", files.Classifier);

    [Fact]
    public void Train_NonlinearityWithTheDefaultLanguageModelCell_ExitsTwo() =>
        AssertOneLine("--nonlinearity relu is for the simple cell (--cell rnn); the gru cell has fixed activations", "train", files.Write("t.txt", "hello"), "--nonlinearity", "relu");

    [Fact]
    public void Train_OptionOfAnotherTask_ExitsTwo() =>
        AssertOneLine("--horizon is for forecast, not --task lm", "train", files.Write("t.txt", "hello"), "--horizon", "3");

    [Fact]
    public void Resume_ShapeOptionsConflict_ExitsTwoNamingEach() =>
        AssertOneLine("--cell gru (the checkpoint has rnn); --hidden 16 (the checkpoint has 8)",
            "train", Path.Combine(AppContext.BaseDirectory, "data", "reviews.tsv"), "--task", "classify", "--hidden", "16", "--cell", "gru", "--resume", files.Classifier);

    [Fact]
    public void Predict_OptionOfAnotherTask_ExitsTwo() =>
        AssertOneLine("--all is for a forecast model; this is a classify model", "predict", files.Classifier, files.Write("in.txt", "good\n"), "--all");
}
