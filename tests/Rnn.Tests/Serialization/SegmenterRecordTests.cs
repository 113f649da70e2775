using Rnn.Data;
using Rnn.Models;
using Rnn.Serialization;

namespace Rnn.Tests.Serialization;

/// <summary>The model file records how word mode cut Chinese, and files written before it did still load and read as they did.</summary>
public sealed class SegmenterRecordTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("rnn-segmenter-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Save(Vocabulary vocabulary)
    {
        string path = Path.Combine(_folder, "words.safetensors");
        Checkpoint.Save(path, new LanguageModel<float>(new LanguageModelConfig { VocabularySize = vocabulary.Count, EmbeddingSize = 3, HiddenSize = 4 }, seed: 1), vocabulary);
        return path;
    }

    [Fact]
    public void Load_WordModelWithoutSegmenter_ReadsAChineseRunAsOneWordAsBefore()
    {
        string path = Save(Vocabulary.Build("我昨天上学迟到了 ok", TokenKind.Word));

        var vocabulary = Checkpoint.Load(path).Vocabulary;

        Assert.DoesNotContain("segmenter", Rnn.IO.SafeTensorsFile.Load(path).Metadata["vocab"]);
        Assert.Null(vocabulary.Segmenter);
        Assert.Equal(["<s>", "我昨天上学迟到了", "ok", "</s>"], vocabulary.Encode("我昨天上学迟到了 ok").Select(vocabulary.Token));
    }

    [Fact]
    public void Load_WordModelWithSegmenter_CutsChineseAsWhenTrained()
    {
        var built = Vocabulary.Build("我昨天上学迟到了", TokenKind.Word, segmenter: ChineseSegmenter.Default);
        string path = Save(built);

        var vocabulary = Checkpoint.Load(path).Vocabulary;

        Assert.Contains("\"segmenter\":{\"name\":\"jieba\",\"version\":\"0.42.2\",\"user_words\":[]}", Rnn.IO.SafeTensorsFile.Load(path).Metadata["vocab"]);
        Assert.Equal(built.Encode("昨天我迟到了"), vocabulary.Encode("昨天我迟到了"));
        Assert.Equal(["<s>", "昨天", "我", "迟到", "了", "</s>"], vocabulary.Encode("昨天我迟到了").Select(vocabulary.Token));
    }
}
