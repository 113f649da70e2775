using Rnn.Data;

namespace Rnn.Tests.Data;

public sealed class VocabularyCharacterTests
{
    [Fact]
    public void Encode_ChineseSentence_GivesOneTokenPerCharacter()
    {
        const string Text = "我昨天上学迟到了";
        var vocabulary = Vocabulary.Build(Text, TokenKind.Character);

        int[] ids = vocabulary.Encode(Text);

        Assert.Equal(8, ids.Length);
        Assert.Equal(9, vocabulary.Count); // <unk> and the 8 distinct characters
        Assert.Equal(Text, vocabulary.Decode(ids));
    }

    [Fact]
    public void Encode_EmojiOutsideBmp_IsOneTokenAndRoundTrips()
    {
        const string Text = "a😀b";
        var vocabulary = Vocabulary.Build(Text, TokenKind.Character);

        int[] ids = vocabulary.Encode(Text);

        Assert.Equal(3, ids.Length);
        Assert.Equal("😀", vocabulary.Token(ids[1]));
        Assert.Equal(2, vocabulary.Token(ids[1]).Length); // a surrogate pair, never split
        Assert.Equal(Text, vocabulary.Decode(ids));
    }

    [Fact]
    public void Encode_EmojiWithSkinToneModifier_IsTwoScalarTokens()
    {
        const string Text = "👍🏽";
        var vocabulary = Vocabulary.Build(Text, TokenKind.Character);

        Assert.Equal(2, vocabulary.Encode(Text).Length);
    }

    [Fact]
    public void Build_Text_OrdersSpecialThenScalarValues()
    {
        // U+FF01 sorts before U+1F600 by scalar value, although its UTF-16 form sorts after the surrogate pair.
        var vocabulary = Vocabulary.Build("b😀a！\nb", TokenKind.Character);

        Assert.Equal(["<unk>", "\n", "a", "b", "！", "😀"], Enumerable.Range(0, vocabulary.Count).Select(vocabulary.Token));
        Assert.Equal(0, vocabulary.UnknownId);
        Assert.Equal(-1, vocabulary.StartId);
        Assert.Equal(-1, vocabulary.EndId);
        Assert.Equal(TokenKind.Character, vocabulary.Kind);
    }

    [Fact]
    public void Build_SameCharactersInAnyOrder_GivesSameIds()
    {
        var first = Vocabulary.Build("the quick brown fox", TokenKind.Character);
        var second = Vocabulary.Build("xof nworb kciuq eht", TokenKind.Character);

        Assert.Equal(first.ToJson(), second.ToJson());
    }

    [Fact]
    public void Encode_UnknownCharacter_GivesUnknownIdWhichDecodesToReplacementCharacter()
    {
        var vocabulary = Vocabulary.Build("abc", TokenKind.Character);

        int[] ids = vocabulary.Encode("abz");

        Assert.Equal([vocabulary.Id("a"), vocabulary.Id("b"), 0], ids);
        Assert.Equal("ab\uFFFD", vocabulary.Decode(ids));
        Assert.Equal("<unk>", vocabulary.Token(0));
    }

    [Fact]
    public void Encode_EmptyLinesAndCrLf_KeepsEveryCharacter()
    {
        const string Text = "a\r\n\r\nb\n\n";
        var vocabulary = Vocabulary.Build(Text, TokenKind.Character);

        int[] ids = vocabulary.Encode(Text);

        Assert.Equal(Text.Length, ids.Length);
        Assert.Equal(Text, vocabulary.Decode(ids));
    }

    [Fact]
    public void Id_TokensAndNonTokens_MapsAsDocumented()
    {
        var vocabulary = Vocabulary.Build("ab😀", TokenKind.Character);

        Assert.Equal(vocabulary.Count - 1, vocabulary.Id("😀"));
        Assert.Equal(0, vocabulary.Id("ab")); // not a single scalar value
        Assert.Equal(0, vocabulary.Id("z"));
        Assert.Equal(0, vocabulary.Id("<unk>"));
        Assert.True(vocabulary.Contains("a"));
        Assert.True(vocabulary.Contains("<unk>"));
        Assert.False(vocabulary.Contains("z"));
        Assert.False(vocabulary.Contains("<s>"));
    }

    [Fact]
    public void Build_MaxSize_KeepsMostFrequentWithTiesInScalarOrder()
    {
        // Frequencies: c 3, a 2, b 2, d 1. Two slots beside <unk>: c, then a, which wins its tie with b.
        var vocabulary = Vocabulary.Build("cccaabbd", TokenKind.Character, maxSize: 3);

        Assert.Equal(["<unk>", "a", "c"], Enumerable.Range(0, vocabulary.Count).Select(vocabulary.Token));
        Assert.Equal([1, 0, 2], vocabulary.Encode("abc"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(Vocabulary.MaxTokens + 1)]
    public void Build_MaxSizeWithoutRoomForTokens_Throws(int maxSize)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Build("abc", TokenKind.Character, maxSize));
    }

    [Fact]
    public void Build_EmptyText_Throws()
    {
        Assert.Throws<ArgumentException>(() => Vocabulary.Build("", TokenKind.Character));
    }

    [Fact]
    public void Encode_UnpairedSurrogate_ReadsAsReplacementCharacter()
    {
        var vocabulary = Vocabulary.Build("a\uFFFD", TokenKind.Character);

        Assert.Equal([1, 2], vocabulary.Encode("a\uD800"));
    }

    [Fact]
    public void DecodeToken_EachId_MatchesDecodeOfThatId()
    {
        var vocabulary = Vocabulary.Build("héllo 😀", TokenKind.Character);

        for (int id = 0; id < vocabulary.Count; id++) Assert.Equal(vocabulary.Decode([id]), vocabulary.DecodeToken(id));
        Assert.Throws<ArgumentOutOfRangeException>(() => vocabulary.DecodeToken(vocabulary.Count));
        Assert.Throws<ArgumentOutOfRangeException>(() => vocabulary.Token(-1));
    }
}
