using Rnn.Serialization;
using Rnn.Tests.Data;

namespace Rnn.Tests.Cli;

/// <summary><c>rnn train --user-dict</c>: the dictionary's words, not its path, go into the model file.</summary>
[Collection(JiebaDictionaryCollection.Name)]
public sealed class UserDictionaryCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("rnn-userdict-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Train_UserDict_StoresItsWordsSoTheModelCutsThemWholeWithoutTheFile()
    {
        string dictionary = Path.Combine(_folder, "words.txt");
        File.WriteAllText(dictionary, "迟到了 50\n上学路 3 n\n");
        string model = Path.Combine(_folder, "model.safetensors");

        var train = CliRunner.Run("train", SchoolModel.Corpus, "--tokens", "word", "--user-dict", dictionary, "--hidden", "8",
            "--seq", "8", "--batch", "2", "--steps", "3", "--threads", "1", "--out", model);
        File.Delete(dictionary);
        var predict = CliRunner.Run("predict", model, "我昨天上学迟到了", "--top-k", "1");

        Assert.True(train.Code == 0, train.Error);
        Assert.Contains("(Chinese cut by jieba 0.42.2 with 2 user words)", train.Output);
        var vocabulary = Checkpoint.Load(model).Vocabulary;
        Assert.Equal(["迟到了", "上学路"], vocabulary.Segmenter!.UserWords.Select(w => w.Word));
        Assert.Equal(["<s>", "我", "昨天", "上学", "迟到了", "</s>"], vocabulary.Encode("我昨天上学迟到了").Select(vocabulary.Token));
        Assert.True(predict.Code == 0, predict.Error);
        Assert.Equal("", predict.Error);
    }

    [Theory]
    [InlineData("--tokens", "char", "--user-dict", "USERDICT", "needs --tokens word")]
    [InlineData("--tokens", "word", "--user-dict", "MISSING", "no such file")]
    [InlineData("--tokens", "word", "--user-dict", "BAD", "user dictionary line 2: 5 fields")]
    public void Train_BadUserDict_ExitsTwoWithOneLine(string tokensFlag, string kind, string dictFlag, string which, string reason)
    {
        string good = Path.Combine(_folder, "good.txt"), bad = Path.Combine(_folder, "bad.txt");
        File.WriteAllText(good, "迟到了\n");
        File.WriteAllText(bad, "迟到了\n上学 a b c d\n");
        string path = which switch { "USERDICT" => good, "BAD" => bad, _ => Path.Combine(_folder, "none.txt") };

        var (code, _, error) = CliRunner.Run("train", SchoolModel.Corpus, tokensFlag, kind, dictFlag, path, "--steps", "1");

        Assert.Equal(2, code);
        Assert.StartsWith("rnn: ", error);
        Assert.Contains(reason, error);
        Assert.Single(error.Trim().Split('\n'));
    }
}
