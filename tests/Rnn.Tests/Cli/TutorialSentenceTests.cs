using Rnn.Serialization;

namespace Rnn.Tests.Cli;

/// <summary>A word model of the modern Chinese corpus in tests/fixtures/zh, trained once for the tests below.</summary>
public sealed class SchoolModel : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("rnn-zh-").FullName;

    /// <summary>Trains the model; the command is the one docs/language-model.md shows.</summary>
    public SchoolModel()
    {
        Path = System.IO.Path.Combine(_folder, "school.safetensors");
        var (code, _, error) = CliRunner.Run("train", Corpus, "--tokens", "word", "--cell", "rnn", "--hidden", "128", "--seq", "32", "--batch", "4",
            "--steps", "1000", "--seed", "1", "--threads", "1", "--out", Path);
        if (code != 0) throw new InvalidOperationException(error);
    }

    /// <summary>The corpus: short sentences of school days, among them the tutorial's.</summary>
    public static string Corpus { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "fixtures", "school.zh.txt");

    /// <summary>The trained model file.</summary>
    public string Path { get; }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}

/// <summary>
/// The tutorial's language model: fed "我 昨天 上学 迟到 了" word by word, it predicts the next word. The model has
/// learnt the corpus nearly by heart, so its first choices are certain; the tests ask for nothing finer.
/// </summary>
public sealed class TutorialSentenceTests(SchoolModel school) : IClassFixture<SchoolModel>
{
    private static (string Token, double Probability)[] Lines(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t')).Select(f => (f[0], double.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture)))];

    [Fact]
    public void Predict_TutorialSentenceWordByWord_NamesTheNextWordFirst()
    {
        var (code, output, error) = CliRunner.Run("predict", school.Path, "我 昨天 上学 迟到", "--top-k", "5");

        Assert.True(code == 0, error);
        var lines = Lines(output);
        Assert.Equal(5, lines.Length);
        Assert.Equal("了", lines[0].Token);
        Assert.True(lines[0].Probability > 0.9, output);
        Assert.True(lines.Zip(lines.Skip(1)).All(p => p.First.Probability >= p.Second.Probability), output);
        Assert.Equal("", error);
    }

    [Theory]
    [InlineData("我 昨天 上学 迟到 了 ， 老师 批评 了", "我")]
    [InlineData("她昨天没有写作业，老师批评了", "她")]
    public void Predict_TheBlankAfterTheTutorialsSentence_IsItsSubject(string prefix, string expected)
    {
        var (code, output, error) = CliRunner.Run("predict", school.Path, prefix, "--top-k", "1");

        Assert.True(code == 0, error);
        Assert.Equal(expected, Lines(output).Single().Token);
    }

    [Fact]
    public void Predict_WordsTheModelDoesNotKnow_AreSkippedAndNamedOnOneLine()
    {
        var (code, output, error) = CliRunner.Run("predict", school.Path, "我 昨天 用 iPhone 😀 上学 迟到", "--top-k", "2");

        Assert.True(code == 0, error);
        Assert.Equal("rnn: the prefix: skipped 3 words the model does not know: 用 iPhone 😀\n", error.ReplaceLineEndings("\n"));
        Assert.Equal("了", Lines(output)[0].Token);
    }

    [Fact]
    public void Train_WordMode_RecordsTheSegmenterInTheModelFile()
    {
        var vocabulary = Checkpoint.Load(school.Path).Vocabulary;

        Assert.Equal("jieba", vocabulary.Segmenter?.Name);
        Assert.True(vocabulary.Contains("迟到"));
        Assert.True(vocabulary.Contains("昨天"));
        Assert.False(vocabulary.Contains("我昨天上学迟到了"));
    }

    [Fact]
    public void Sample_StopAtFullStop_EndsTheSentenceThereAndJoinsWordsWithoutSpaces()
    {
        var (code, output, error) = CliRunner.Run("sample", school.Path, "--prime", "我 昨天 上学", "--stop-at", "。", "--length", "200", "--temperature", "0.5");

        Assert.True(code == 0, error);
        string sample = output.TrimEnd('\r', '\n');
        Assert.StartsWith("我昨天上学", sample);
        Assert.EndsWith("。", sample);
        Assert.Equal(sample.IndexOf('。'), sample.Length - 1);
        Assert.DoesNotContain(" ", sample);
    }

    [Fact]
    public void Sample_PrimeOfUnknownCharactersOnly_StartsAFreshSentenceAndSaysWhy()
    {
        var (code, output, error) = CliRunner.Run("sample", school.Path, "--prime", "ok 😀", "--length", "5");

        Assert.True(code == 0, error);
        Assert.Contains("skipped 2 words the model does not know: ok 😀", error);
        Assert.NotEqual("", output.Trim());
    }

    [Fact]
    public void Eval_WordModel_ReportsPerCharacterFiguresBesidePerWord()
    {
        var (code, output, error) = CliRunner.Run("eval", school.Path, SchoolModel.Corpus);

        Assert.True(code == 0, error);
        Assert.Contains("bits per word", output);
        Assert.Matches(@"characters  \d+ predicted \(0 of them in unknown tokens", output);
        Assert.Matches(@"per character \d+\.\d{4} bits, perplexity \d+\.\d{3}", output);
    }
}
