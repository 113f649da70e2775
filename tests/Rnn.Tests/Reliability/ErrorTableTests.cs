using System.Text;
using System.Text.Json.Nodes;
using Rnn.Cli.Demos;
using Rnn.Data;

namespace Rnn.Tests.Reliability;

/// <summary>A corpus and a small trained checkpoint, made once for <see cref="ErrorTableTests"/>.</summary>
public sealed class ErrorTableFiles : IDisposable
{
    public ErrorTableFiles()
    {
        Corpus = Path.Combine(Folder, "corpus.txt");
        File.WriteAllText(Corpus, DemoCorpus.Generate(approximateBytes: 8_000, seed: 4));
        Checkpoint = Path.Combine(Folder, "model.safetensors");
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Rnn.Cli.CommandLine.Run(["train", Corpus, "--hidden", "8", "--seq", "8", "--batch", "2", "--steps", "4", "--eval-every", "2", "--out", Checkpoint], output, error);
        if (code != 0) throw new InvalidOperationException(error.ToString());
    }

    public string Folder { get; } = Directory.CreateTempSubdirectory("rnn-errors-").FullName;

    public string Corpus { get; }

    public string Checkpoint { get; }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

/// <summary>
/// The rows of the README's "Errors and exit codes" table not already covered by <c>CliTests</c>: each bad input gives
/// its exit code and one line starting with <c>rnn:</c> that names the problem, never a stack trace.
/// </summary>
public sealed class ErrorTableTests(ErrorTableFiles files) : IClassFixture<ErrorTableFiles>
{
    private static (int Code, string Error) Run(params string[] args)
    {
        var (code, _, error) = Rnn.Tests.Cli.CliRunner.Run(args);
        return (code, error);
    }

    private string WriteFile(string name, byte[] bytes)
    {
        string path = Path.Combine(files.Folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static void AssertOneLine(int expectedCode, string expectedText, (int Code, string Error) result)
    {
        Assert.True(expectedCode == result.Code, $"exit {result.Code}: {result.Error}");
        string first = result.Error.Split('\n')[0];
        Assert.StartsWith("rnn: ", first);
        Assert.Contains(expectedText, first);
        Assert.DoesNotContain("   at ", result.Error);
        Assert.DoesNotContain("Exception", result.Error);
    }

    [Fact]
    public void Train_ValueNotAmongTheChoices_ExitsTwoWithTheChoicesOnOneLine() =>
        AssertOneLine(2, "Argument 'syllable' not recognized. Must be one of: 'char' 'word'", Run("train", files.Corpus, "--tokens", "syllable"));

    [Fact]
    public void Train_DirectoryAsText_ExitsTwo() =>
        AssertOneLine(2, "is a directory, not a text file", Run("train", files.Folder));

    [Fact]
    public void Train_Utf16Text_ExitsTwo() =>
        AssertOneLine(2, "is UTF-16 encoded", Run("train", WriteFile("utf16.txt", Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("hello")).ToArray())));

    [Fact]
    public void Train_TextTooShortForAValidationPart_ExitsTwo() =>
        AssertOneLine(2, "too short to hold out a validation part", Run("train", WriteFile("tiny.txt", "hello world."u8.ToArray())));

    [Fact]
    public void Train_ModelTooLargeToIndex_ExitsTwo() =>
        AssertOneLine(2, "too large", Run("train", files.Corpus, "--hidden", "100000", "--steps", "1", "--out", Path.Combine(files.Folder, "huge.safetensors")));

    [Fact]
    public void Train_RunThatCannotFitInMemory_ExitsTwoWithTheEstimateAndTheMemoryBeforeAllocating()
    {
        string model = Path.Combine(files.Folder, "unfit.safetensors");
        var result = Run("train", files.Corpus, "--hidden", "512", "--steps", "1", "--max-memory", "1M", "--out", model);

        AssertOneLine(2, "not enough memory: the run needs about ", result);
        Assert.Contains("(parameters ", result.Error);
        Assert.Contains(" and 1 MB is allowed by --max-memory; try a smaller --hidden, --layers, --batch or --seq.", result.Error);
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void Train_ValidationTokensNotACount_ExitsTwo() =>
        AssertOneLine(2, "--val-tokens must be a positive integer or 'all', not 'some'", Run("train", files.Corpus, "--val-tokens", "some"));

    [Fact]
    public void Train_BatchTimesSeqBeyondInt32_ExitsTwoWithTheTrueCount() =>
        AssertOneLine(2, "needs 10000000001", Run("train", files.Corpus, "--batch", "100000", "--seq", "100000"));

    [Fact]
    public void Train_MissingCheckpointToResume_ExitsTwo() =>
        AssertOneLine(2, "no such checkpoint to resume from", Run("train", files.Corpus, "--resume", Path.Combine(files.Folder, "none.safetensors")));

    [Fact]
    public void Train_ResumeFromModelWithoutTrainingState_ExitsTwo()
    {
        var (header, data) = HostileFiles.Split(File.ReadAllBytes(files.Checkpoint));
        header["__metadata__"]!.AsObject().Remove("training");
        string model = WriteFile("no-training.safetensors", HostileFiles.Join(header.ToJsonString(), data));
        AssertOneLine(2, "without training state", Run("train", files.Corpus, "--resume", model, "--out", Path.Combine(files.Folder, "r.safetensors")));
    }

    [Fact]
    public void Train_ResumeOnAnotherText_ExitsOne()
    {
        string other = WriteFile("other.txt", Encoding.UTF8.GetBytes(DemoCorpus.Generate(approximateBytes: 8_000, seed: 5)));
        AssertOneLine(1, "different text", Run("train", other, "--resume", files.Checkpoint, "--out", Path.Combine(files.Folder, "r2.safetensors")));
    }

    [Fact]
    public void Train_Diverging_ExitsOne() =>
        AssertOneLine(1, "training diverged", Run("train", files.Corpus, "--hidden", "8", "--seq", "8", "--batch", "2", "--steps", "20",
            "--optimizer", "sgd", "--lr", "1e38", "--momentum", "0", "--clip", "0", "--out", Path.Combine(files.Folder, "diverged.safetensors")));

    [Fact]
    public void Sample_DirectoryAsModel_ExitsTwo() =>
        AssertOneLine(2, "is a directory, not a model file", Run("sample", files.Folder));

    [Fact]
    public void Sample_TruncatedModel_ExitsOne()
    {
        byte[] bytes = File.ReadAllBytes(files.Checkpoint);
        AssertOneLine(1, "safetensors file", Run("sample", WriteFile("truncated.safetensors", bytes[..(bytes.Length / 2)])));
    }

    [Fact]
    public void Sample_ModelWithInconsistentMetadata_ExitsOne()
    {
        var (header, data) = HostileFiles.Split(File.ReadAllBytes(files.Checkpoint));
        var metadata = header["__metadata__"]!.AsObject();
        var config = JsonNode.Parse(metadata["config"]!.GetValue<string>())!;
        config["vocab_size"] = config["vocab_size"]!.GetValue<int>() + 1;
        metadata["config"] = config.ToJsonString();
        AssertOneLine(1, "the model expects", Run("sample", WriteFile("inconsistent.safetensors", HostileFiles.Join(header.ToJsonString(), data))));
    }

    [Fact]
    public void Sample_TemperatureZero_ExitsTwo() =>
        AssertOneLine(2, "--temperature must be a positive number", Run("sample", files.Checkpoint, "--temperature", "0"));

    [Fact]
    public void Eval_TextOfOneToken_ExitsTwo() =>
        AssertOneLine(2, "fewer than 2 tokens", Run("eval", files.Checkpoint, WriteFile("one.txt", "a"u8.ToArray())));

    [Fact]
    public void Demo_MinutesOutOfRange_ExitsTwo() =>
        AssertOneLine(2, "--minutes must be in (0, 1440]", Run("demo", "--minutes", "0"));
}
