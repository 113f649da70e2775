using System.Text;
using Rnn.Cli.Demos;
using Rnn.Data;

namespace Rnn.Tests.Cli;

/// <summary>The command line end to end, in process: exit codes and the one-line messages of bad input.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("rnn-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (int Code, string Output, string Error) Run(params string[] args) => CliRunner.Run(args);

    private string WriteFile(string name, byte[] bytes)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string Corpus() => WriteFile("corpus.txt", Encoding.UTF8.GetBytes(DemoCorpus.Generate(approximateBytes: 12_000, seed: 2)));

    [Fact]
    public void GradCheck_DeepBidirectional_PassesWithExitZero()
    {
        var (code, output, _) = Run("gradcheck", "--layers", "3", "--bidirectional", "--nonlinearity", "tanh", "--seq", "12");
        Assert.Equal(0, code);
        Assert.Contains("PASS", output);
        Assert.Contains("weight_hh_l2_reverse", output);
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void GradCheck_GatedCellDeepBidirectional_PassesWithExitZero(string cell)
    {
        var (code, output, _) = Run("gradcheck", "--cell", cell, "--layers", "3", "--bidirectional", "--seq", "12");
        Assert.Equal(0, code);
        Assert.Contains($"cell={cell}", output);
        Assert.Contains("weight_hh_l2_reverse", output);
        if (cell == "lstm") Assert.Contains("c0", output);
    }

    [Theory]
    [InlineData("rnn")]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void GradCheck_ExplicitLengths_PassesAndSetsTheBatch(string cell)
    {
        var (code, output, error) = Run("gradcheck", "--cell", cell, "--layers", "2", "--bidirectional", "--seq", "9", "--lengths", "9,4,1,6");
        Assert.True(code == 0, output + error);
        Assert.Contains("T=9 B=4 lengths=9,4,1,6", output);
        Assert.Contains("weight_hh_l1_reverse", output);
        Assert.Contains("PASS", output);
    }

    [Fact]
    public void GradCheck_UniformLengths_DrawsBLengthsFromTheSeedAndPasses()
    {
        var (code, output, error) = Run("gradcheck", "--bidirectional", "--seq", "8", "--batch", "5", "--lengths", "uniform", "--seed", "4");
        Assert.True(code == 0, output + error);
        string header = output.Split('\n')[0];
        string[] lengths = header[(header.IndexOf("lengths=", StringComparison.Ordinal) + 8)..].Split(',', ' ')[..5];
        Assert.All(lengths, n => Assert.InRange(int.Parse(n, System.Globalization.CultureInfo.InvariantCulture), 1, 8));
        Assert.Equal(output, Run("gradcheck", "--bidirectional", "--seq", "8", "--batch", "5", "--lengths", "uniform", "--seed", "4").Output);
    }

    [Theory]
    [InlineData("9,0", "[1, --seq=9], not 0")]
    [InlineData("10", "[1, --seq=9], not 10")]
    [InlineData("3,x", "all, uniform or a list")]
    [InlineData("", "all, uniform or a list")]
    public void GradCheck_BadLengths_ExitTwo(string lengths, string message)
    {
        var (code, _, error) = Run("gradcheck", "--seq", "9", "--lengths", lengths);
        Assert.Equal(2, code);
        Assert.StartsWith("rnn: --lengths", error);
        Assert.Contains(message, error);
    }

    [Fact]
    public void GradCheck_LengthsDisagreeWithBatch_ExitTwo()
    {
        var (code, _, error) = Run("gradcheck", "--seq", "9", "--batch", "3", "--lengths", "9,4");
        Assert.Equal(2, code);
        Assert.Contains("--lengths lists 2 lengths but --batch is 3", error);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("train", "--help")]
    [InlineData("sample", "--help")]
    [InlineData("export", "--help")]
    public void Help_NamesTheCommandPeopleType(params string[] args)
    {
        var (code, output, _) = Run(args);
        Assert.Equal(0, code);
        string usage = output.Split('\n').SkipWhile(line => line.TrimEnd() != "Usage:").Skip(1).First().Trim();
        Assert.StartsWith(args[0] == "--help" || args[0] == "-h" ? "rnn [command]" : $"rnn {args[0]} ", usage);
        Assert.DoesNotContain("Rnn.Cli", output);
        Assert.DoesNotContain("testhost", output);
    }

    [Theory]
    [InlineData("gradcheck", "--hidden", "0")]
    [InlineData("gradcheck", "--nonlinearity", "softplus")]
    [InlineData("gradcheck", "--stacking", "diagonal")]
    [InlineData("gradcheck", "--cell", "transformer")]
    [InlineData("gradcheck", "--layers", "two")]
    [InlineData("train")]
    [InlineData("frobnicate")]
    [InlineData("sample")]
    [InlineData("sample", "model.safetensors", "--stop-at", "")]
    [InlineData("predict")]
    [InlineData("predict", "model.safetensors")]
    [InlineData("predict", "model.safetensors", "我", "--top-k", "0")]
    public void BadOptions_ExitTwoWithOneClearLine(params string[] args)
    {
        var (code, _, error) = Run(args);
        Assert.Equal(2, code);
        Assert.StartsWith("rnn: ", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void Train_MissingFile_ExitsTwo()
    {
        var (code, _, error) = Run("train", Path.Combine(_folder, "nope.txt"));
        Assert.Equal(2, code);
        Assert.Contains("no such file", error);
    }

    [Fact]
    public void Train_EmptyFile_ExitsTwoSayingEmpty()
    {
        var (code, _, error) = Run("train", WriteFile("empty.txt", []));
        Assert.Equal(2, code);
        Assert.Contains("empty", error);
    }

    [Fact]
    public void Train_BinaryFile_ExitsTwoSayingBinary()
    {
        var (code, _, error) = Run("train", WriteFile("data.bin", [0x7F, 0x45, 0x4C, 0x46, 0, 0, 1, 2, 0, 0]));
        Assert.Equal(2, code);
        Assert.Contains("binary", error);
    }

    [Fact]
    public void Train_InvalidUtf8_ExitsTwoNamingTheOffset()
    {
        var (code, _, error) = Run("train", WriteFile("latin1.txt", [(byte)'c', (byte)'a', (byte)'f', 0xE9, (byte)'!']));
        Assert.Equal(2, code);
        Assert.Contains("UTF-8", error);
        Assert.Contains("3", error);
    }

    [Fact]
    public void Train_CorpusShorterThanOneChunk_ExitsTwo()
    {
        var (code, _, error) = Run("train", WriteFile("short.txt", Encoding.UTF8.GetBytes("hello world, hello world.")), "--out", Path.Combine(_folder, "m.safetensors"));
        Assert.Equal(2, code);
        Assert.Contains("too short", error);
    }

    [Theory]
    [InlineData("--lr", "-1")]
    [InlineData("--dropout", "1.5")]
    [InlineData("--val-fraction", "0.9")]
    [InlineData("--threads", "0")]
    [InlineData("--minutes", "-2")]
    [InlineData("--bidirectional")]
    public void Train_OptionOutOfRange_ExitsTwo(params string[] option)
    {
        var (code, _, error) = Run(["train", Corpus(), "--out", Path.Combine(_folder, "m.safetensors"), .. option]);
        Assert.Equal(2, code);
        Assert.StartsWith("rnn: ", error);
    }

    [Fact]
    public void Train_WithoutCell_LanguageModelIsAGru()
    {
        string model = Path.Combine(_folder, "default-cell.safetensors");
        var (code, _, error) = Run("train", Corpus(), "--hidden", "8", "--seq", "8", "--batch", "2", "--steps", "1", "--out", model);
        Assert.True(code == 0, error);
        Assert.Equal(Rnn.Layers.CellKind.Gru, Rnn.Serialization.Checkpoint.Load(model).Model.Network.Cell);
    }

    [Fact]
    public void Train_MaxVocab_KeepsThatManyTokensAndRefusesTooFew()
    {
        string model = Path.Combine(_folder, "capped.safetensors");

        var capped = Run("train", SchoolModel.Corpus, "--tokens", "word", "--max-vocab", "20", "--hidden", "8", "--seq", "8", "--batch", "2", "--steps", "2", "--out", model);
        var tooFew = Run("train", SchoolModel.Corpus, "--tokens", "word", "--max-vocab", "3", "--steps", "2", "--out", model);

        Assert.True(capped.Code == 0, capped.Error);
        Assert.Equal(20, Rnn.Serialization.Checkpoint.Load(model).Vocabulary.Count);
        Assert.Equal(2, tooFew.Code);
        Assert.Equal("rnn: --max-vocab must be more than the 3 special tokens and at most 10000000, not 3.", tooFew.Error.Trim());
    }

    [Fact]
    public void TrainSampleEval_EndToEnd_Work()
    {
        string corpus = Corpus();
        string model = Path.Combine(_folder, "m.safetensors");
        string plot = Path.Combine(_folder, "loss.png");
        var train = Run("train", corpus, "--hidden", "32", "--seq", "16", "--batch", "4", "--steps", "40", "--eval-every", "10", "--out", model, "--plot", plot);
        Assert.True(train.Code == 0, train.Error);
        Assert.True(File.Exists(model));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(plot)[..4]);

        var sample = Run("sample", model, "--prime", "The ", "--length", "40", "--seed", "3");
        Assert.Equal(0, sample.Code);
        Assert.StartsWith("The ", sample.Output);
        Assert.Equal(sample.Output, Run("sample", model, "--prime", "The ", "--length", "40", "--seed", "3").Output);

        var eval = Run("eval", model, corpus);
        Assert.Equal(0, eval.Code);
        Assert.Contains("perplexity", eval.Output);
        Assert.Contains("bits per character", eval.Output);

        var resumed = Run("train", corpus, "--resume", model, "--steps", "50", "--out", model);
        Assert.True(resumed.Code == 0, resumed.Error);
        Assert.Contains("resuming", resumed.Output);
    }

    [Fact]
    public void Sample_FileThatIsNotAModel_ExitsOneWithClearMessage()
    {
        var (code, _, error) = Run("sample", WriteFile("fake.safetensors", Encoding.UTF8.GetBytes("definitely not a model")));
        Assert.Equal(1, code);
        Assert.StartsWith("rnn: ", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void Sample_GoldenCaseFile_IsNotALanguageModel_ExitsOne()
    {
        string golden = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "golden"), "*.safetensors")[0];
        var (code, _, error) = Run("sample", golden);
        Assert.Equal(1, code);
        Assert.Contains("not an rnn language model", error);
    }

    [Fact]
    public void Sample_MissingModel_ExitsTwo()
    {
        var (code, _, error) = Run("sample", Path.Combine(_folder, "none.safetensors"));
        Assert.Equal(2, code);
        Assert.Contains("no such model file", error);
    }
}
