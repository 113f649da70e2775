using Rnn.Data;

namespace Rnn.Tests.Data;

/// <summary>Word mode with the Chinese segmenter: where runs of Chinese start and end, and what jieba.NET makes of them.</summary>
public sealed class ChineseSegmentationTests
{
    private static string[] Words(string text)
    {
        var vocabulary = Vocabulary.Build(text, TokenKind.Word, segmenter: ChineseSegmenter.Default);
        int[] ids = vocabulary.Encode(text);
        return [.. ids.Where(id => id != vocabulary.StartId && id != vocabulary.EndId).Select(vocabulary.Token)];
    }

    [Theory]
    [InlineData("我昨天上学迟到了", new[] { "我", "昨天", "上学", "迟到", "了" })]
    [InlineData("我 昨天 上学 迟到 了", new[] { "我", "昨天", "上学", "迟到", "了" })]
    [InlineData("我昨天上学迟到了，老师批评了我。", new[] { "我", "昨天", "上学", "迟到", "了", "，", "老师", "批评", "了", "我", "。" })]
    [InlineData("北京2008年奥运会", new[] { "北京", "2008", "年", "奥运会" })]
    [InlineData("2008年", new[] { "2008", "年" })]
    [InlineData("iPhone手机", new[] { "iPhone", "手机" })]
    [InlineData("他买了3.5公斤苹果", new[] { "他", "买", "了", "3.5", "公斤", "苹果" })]
    [InlineData("C++编程", new[] { "C++", "编程" })]
    public void Encode_Chinese_IsCutIntoWords(string text, string[] words) => Assert.Equal(words, Words(text));

    [Theory]
    [InlineData("我们😀你们", new[] { "我们", "😀", "你们" })]
    [InlineData("手机café", new[] { "手机", "café" })]
    [InlineData("café手机", new[] { "café", "手机" })]
    [InlineData("Hello, world! 你好，世界。", new[] { "Hello", ",", "world", "!", "你好", "，", "世界", "。" })]
    [InlineData("𠀀我们", new[] { "𠀀", "我们" })]
    [InlineData("don't stop, Привет мир", new[] { "don't", "stop", ",", "Привет", "мир" })]
    [InlineData("上学 迟到", new[] { "上学", "迟到" })]
    public void Encode_MixedScripts_CutOnlyTheChineseRuns(string text, string[] words) => Assert.Equal(words, Words(text));

    [Fact]
    public void Encode_SpacesBetweenChineseWords_AreBoundariesNotTokens()
    {
        string[] spaced = Words("迟 到 上 学");

        Assert.Equal(["迟到", "上学"], Words("迟到上学"));
        Assert.Equal(["迟", "到", "上", "学"], spaced);
    }

    [Fact]
    public void Decode_ChineseWords_JoinsThemWithoutSpacesAndKeepsLatinSpaces()
    {
        const string Text = "我 昨天 用 iPhone 手机 拍照 了 。\nThe cat sat , 然后 走 了 。";
        var vocabulary = Vocabulary.Build(Text, TokenKind.Word, segmenter: ChineseSegmenter.Default);

        string decoded = vocabulary.Decode(vocabulary.Encode(Text));

        Assert.Equal("我昨天用iPhone手机拍照了。\nThe cat sat ,然后走了。\n", decoded);
    }

    [Fact]
    public void Build_WithoutSegmenter_KeepsAChineseRunAsOneWord()
    {
        var vocabulary = Vocabulary.Build("我昨天上学迟到了", TokenKind.Word);

        Assert.Null(vocabulary.Segmenter);
        Assert.Equal(4, vocabulary.Count);
        Assert.True(vocabulary.Contains("我昨天上学迟到了"));
    }

    [Fact]
    public void Build_SegmenterInCharacterMode_Throws() =>
        Assert.Throws<ArgumentException>(() => Vocabulary.Build("我们", TokenKind.Character, segmenter: ChineseSegmenter.Default));

    [Fact]
    public void EncodePrefix_OpenLine_HasNoEndMarker()
    {
        var vocabulary = Vocabulary.Build("我 昨天 上学 迟到 了", TokenKind.Word, segmenter: ChineseSegmenter.Default);
        var unknown = new List<string>();

        int[] ids = vocabulary.EncodePrefix("我 昨天 放学 迟到", unknown);

        Assert.Equal(["<s>", "我", "昨天", "<unk>", "迟到"], ids.Select(vocabulary.Token));
        Assert.Equal(["放学"], unknown);
        Assert.Equal([vocabulary.StartId], vocabulary.EncodePrefix(""));
        Assert.Equal(vocabulary.StartId, vocabulary.EncodePrefix("我\n")[^1]);
    }

    [Fact]
    public void Segmenter_Default_RecordsJiebaAndItsVersion()
    {
        Assert.Equal("jieba", ChineseSegmenter.Default.Name);
        Assert.Equal("0.42.2", ChineseSegmenter.Default.Version);
        Assert.Empty(ChineseSegmenter.Default.UserWords);
    }
}
