using Rnn.Data;

namespace Rnn.Tests.Data;

/// <summary>User dictionaries: their format, their effect on the cut, and their place in the vocabulary's JSON.</summary>
[Collection(JiebaDictionaryCollection.Name)]
public sealed class UserDictionaryTests
{
    private static string[] Words(Vocabulary vocabulary, string text) =>
        [.. vocabulary.Encode(text).Where(id => id > vocabulary.EndId || id == vocabulary.UnknownId).Select(vocabulary.Token)];

    [Fact]
    public void FromUserDictionary_JiebaFormat_ReadsWordsFrequenciesAndIgnoresTags()
    {
        var segmenter = ChineseSegmenter.FromUserDictionary("云计算 5 n\n\n迟到了\r\n创新办 nz\n  iPhone手机  3 \n");

        Assert.Equal([new UserWord("云计算", 5), new UserWord("迟到了"), new UserWord("创新办"), new UserWord("iPhone手机", 3)], segmenter.UserWords);
    }

    [Theory]
    [InlineData("云计算 5 n x", "line 1: 4 fields")]
    [InlineData("好\n云计算 0", "line 2: the frequency 0 is not a positive")]
    [InlineData("云计算 99999999999", "not a positive 32-bit integer")]
    [InlineData("云计算 n 5", "the second field \"n\" is not a frequency")]
    [InlineData("云，计算", "never sees '，'")]
    public void FromUserDictionary_BadLine_ThrowsNamingTheLine(string text, string reason)
    {
        var e = Assert.Throws<InvalidDataException>(() => ChineseSegmenter.FromUserDictionary(text));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Encode_UserWord_IsCutWholeAndOtherVocabulariesStillCutItApart()
    {
        const string Text = "我昨天上学迟到了";
        var own = Vocabulary.Build(Text, TokenKind.Word, segmenter: ChineseSegmenter.FromUserDictionary("迟到了\n上学迟到 1000000"));
        var plain = Vocabulary.Build(Text, TokenKind.Word, segmenter: ChineseSegmenter.Default);

        // Alternating between the two swaps the user words in and out of jieba's one dictionary each time.
        for (int round = 0; round < 2; round++)
        {
            Assert.Equal(["我", "昨天", "上学迟到", "了"], Words(own, Text));
            Assert.Equal(["我", "昨天", "上学", "迟到", "了"], Words(plain, Text));
        }
    }

    [Fact]
    public void ToJson_UserWords_RoundTripSoTheFileCutsTheSameWay()
    {
        const string Text = "我昨天上学迟到了";
        var vocabulary = Vocabulary.Build(Text, TokenKind.Word, segmenter: ChineseSegmenter.FromUserDictionary("迟到了 20"));

        string json = vocabulary.ToJson();
        var read = Vocabulary.FromJson(json);

        Assert.Contains("\"segmenter\":{\"name\":\"jieba\",\"version\":\"0.42.2\",\"user_words\":[{\"word\":\"迟到了\",\"frequency\":20}]}", json);
        Assert.Equal(json, read.ToJson());
        Assert.Equal(vocabulary.Encode(Text), read.Encode(Text));
        Assert.Equal(["我", "昨天", "上学", "迟到了"], Words(read, Text));
    }
}
