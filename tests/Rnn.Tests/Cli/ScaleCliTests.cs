using System.Text;
using Rnn.Data;
using Rnn.IO;
using Rnn.Models;
using Rnn.Optim;
using Rnn.Serialization;
using Rnn.Training;

namespace Rnn.Tests.Cli;

/// <summary>
/// <c>rnn train</c> on a text read in pieces: the weights of the whole-text path, what validation reads
/// (<c>--val-tokens</c>), and runs refused before they allocate (<c>--max-memory</c>, <c>--max-len</c>).
/// </summary>
public sealed class ScaleCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("rnn-scale-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes(text));
        return path;
    }

    /// <summary>A text of more than one read block (1 MiB), with CR LF pairs, Chinese and emoji across the blocks' edges.</summary>
    private static string LongText()
    {
        var text = new StringBuilder();
        for (int i = 0; text.Length < 700_000; i++)
            text.Append(i % 3 == 0 ? $"第{i}行：我昨天上学迟到了。😀\r\n" : $"Line {i}: the cat sat on the mat, didn't it?\r\n");
        return text.ToString();
    }

    [Theory]
    [InlineData("char")]
    [InlineData("word")]
    public void Train_TextReadInPieces_GivesTheWeightsOfTheWholeTextPath(string tokens)
    {
        string corpus = Write("long.txt", LongText());
        string model = Path.Combine(_folder, $"cli-{tokens}.safetensors");
        var (code, output, error) = CliRunner.Run("train", corpus, "--tokens", tokens, "--cell", "rnn", "--hidden", "8", "--embedding", "4", "--seq", "16", "--batch", "4",
            "--steps", "6", "--eval-every", "3", "--threads", "1", "--seed", "4", "--out", model);
        Assert.True(code == 0, error);
        Assert.Contains("ids ", output);

        // The same run through the library on the whole text in one string, as every run was made before.
        string text = TextFile.ReadCorpus(corpus);
        var kind = tokens == "word" ? TokenKind.Word : TokenKind.Character;
        var vocabulary = Vocabulary.Build(text, kind, segmenter: kind == TokenKind.Word ? ChineseSegmenter.Default : null);
        var (train, validation) = BatchStreams.Split(vocabulary.Encode(text), 0.05);
        var reference = new LanguageModel<float>(new LanguageModelConfig { VocabularySize = vocabulary.Count, EmbeddingSize = 4, HiddenSize = 8 }, seed: 4);
        var options = new TrainingOptions { SequenceLength = 16, BatchSize = 4, Seed = 4, EvaluateEvery = 3, CosineSchedule = true };
        new Trainer<float>(reference, vocabulary, train, validation, options).Run(new StopCondition(Steps: 6));

        var saved = Checkpoint.Load(model);
        Assert.Equal(vocabulary.ToJson(), saved.Vocabulary.ToJson());
        var file = SafeTensorsFile.Load(model);
        foreach (var p in reference.Parameters.All)
            Assert.True(file.Read<float>(p.Name).AsSpan().SequenceEqual(reference.Parameters.Value(p)), $"{p.Name} differs");
    }

    [Fact]
    public void Train_ValidationTokens_ReadsASampleOrAll()
    {
        string corpus = Write("text.txt", LongText()[..60_000]);
        string model = Path.Combine(_folder, "m.safetensors");

        var (code, output, error) = CliRunner.Run("train", corpus, "--hidden", "8", "--seq", "8", "--batch", "4", "--steps", "2", "--val-tokens", "500", "--out", model);
        Assert.True(code == 0, error);
        Assert.Contains("validation reads 500 of the ", output);
        Assert.Contains(" held-out tokens (4 windows), all of them at the end", output);
        Assert.Contains("all held-out tokens, measured in", output);

        (code, output, error) = CliRunner.Run("train", corpus, "--hidden", "8", "--seq", "8", "--batch", "4", "--steps", "4", "--val-tokens", "all",
            "--resume", model, "--out", model);
        Assert.True(code == 0, error);
        Assert.Contains("resume: --val-tokens 500 → all", output);
        Assert.Contains("validation reads all ", output);
        Assert.Equal(0, Checkpoint.Load(model).Training!.Options.ValidationTokens);
    }

    [Fact]
    public void Train_ValidationTokensForAnotherTask_IsRefused()
    {
        var (code, _, error) = CliRunner.Run("train", Path.Combine(AppContext.BaseDirectory, "data", "reviews.tsv"), "--task", "classify", "--val-tokens", "10");

        Assert.Equal(2, code);
        Assert.Contains("--val-tokens is for lm, not --task classify.", error);
    }

    [Fact]
    public void Train_LongExampleCutByMaxLen_FitsWhereTheWholeOneDoesNot()
    {
        string data = Write("long.tsv", "pos\t" + new string('a', 200_000) + "\nneg\tb\npos\taa\n");
        string[] args = ["train", data, "--task", "classify", "--hidden", "64", "--batch", "2", "--steps", "1", "--val-fraction", "0",
            "--max-memory", "100M", "--out", Path.Combine(_folder, "c.safetensors")];

        var (refused, _, error) = CliRunner.Run(args);
        var (code, _, error2) = CliRunner.Run([.. args, "--max-len", "100"]);

        Assert.Equal(2, refused);
        Assert.Contains("try a smaller --hidden, --layers, --batch or --max-len", error);
        Assert.True(code == 0, error2);
    }
}
