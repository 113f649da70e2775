using Rnn.Data;

namespace Rnn.Tests.Data;

public sealed class VocabularyWordTests
{
    private static string[] Tokens(Vocabulary vocabulary, int[] ids) => [.. ids.Select(vocabulary.Token)];

    [Fact]
    public void Encode_Lines_WrapsEachInSentenceMarkers()
    {
        const string Text = "The cat sat.\nIt slept!\n";
        var vocabulary = Vocabulary.Build(Text, TokenKind.Word);

        int[] ids = vocabulary.Encode(Text);

        Assert.Equal(["<s>", "The", "cat", "sat", ".", "</s>", "<s>", "It", "slept", "!", "</s>"], Tokens(vocabulary, ids));
        Assert.Equal(1, vocabulary.StartId);
        Assert.Equal(2, vocabulary.EndId);
        Assert.Equal(0, vocabulary.UnknownId);
    }

    [Fact]
    public void Build_Text_OrdersSpecialsThenWordsOrdinally()
    {
        var vocabulary = Vocabulary.Build("b a B, a", TokenKind.Word);

        Assert.Equal(["<unk>", "<s>", "</s>", ",", "B", "a", "b"], Enumerable.Range(0, vocabulary.Count).Select(vocabulary.Token));
    }

    [Fact]
    public void Build_SameWordsInAnyOrder_GivesSameIds()
    {
        var first = Vocabulary.Build("one two three\nfour", TokenKind.Word);
        var second = Vocabulary.Build("four three\ntwo one", TokenKind.Word);

        Assert.Equal(first.ToJson(), second.ToJson());
    }

    [Theory]
    [InlineData("don't stop", new[] { "don't", "stop" })]
    [InlineData("a well-known fact", new[] { "a", "well-known", "fact" })]
    [InlineData("it’s", new[] { "it’s" })]
    [InlineData("'quoted' - dash", new[] { "'", "quoted", "'", "-", "dash" })]
    [InlineData("end... (yes)?!", new[] { "end", ".", ".", ".", "(", "yes", ")", "?", "!" })]
    [InlineData("\"Hi,\" said Tom.", new[] { "\"", "Hi", ",", "\"", "said", "Tom", "." })]
    [InlineData("$3.88 in 2024", new[] { "$", "3", ".", "88", "in", "2024" })]
    [InlineData("café naïve", new[] { "café", "naïve" })]
    [InlineData("我昨天 上学", new[] { "我昨天", "上学" })]
    [InlineData("ok😀go", new[] { "ok", "😀", "go" })]
    [InlineData("snake_case", new[] { "snake", "_", "case" })]
    [InlineData("tabs\tand\u00A0nbsp", new[] { "tabs", "and", "nbsp" })]
    [InlineData("-x- a-'b", new[] { "-", "x", "-", "a", "-", "'", "b" })]
    public void Encode_Punctuation_SplitsAsDocumented(string text, string[] words)
    {
        var vocabulary = Vocabulary.Build(text, TokenKind.Word);

        Assert.Equal(["<s>", .. words, "</s>"], Tokens(vocabulary, vocabulary.Encode(text)));
    }

    [Fact]
    public void Encode_UnpairedSurrogate_IsAReplacementCharacterToken()
    {
        // Not theory data: xunit's serialisation of test cases would mangle the unpaired surrogate.
        const string Text = "ab\uD800cd";
        var vocabulary = Vocabulary.Build(Text, TokenKind.Word);

        Assert.Equal(["<s>", "ab", "\uFFFD", "cd", "</s>"], Tokens(vocabulary, vocabulary.Encode(Text)));
        Assert.Equal(vocabulary.ToJson(), Vocabulary.FromJson(vocabulary.ToJson()).ToJson());
    }

    [Fact]
    public void Encode_EmptyAndBlankLines_BecomeEmptySentences()
    {
        const string Text = "a\n\n  \nb";
        var vocabulary = Vocabulary.Build(Text, TokenKind.Word);

        int[] ids = vocabulary.Encode(Text);

        Assert.Equal(["<s>", "a", "</s>", "<s>", "</s>", "<s>", "</s>", "<s>", "b", "</s>"], Tokens(vocabulary, ids));
        Assert.Equal("a\n\n\nb\n", vocabulary.Decode(ids));
    }

    [Fact]
    public void Encode_TrailingBlankAfterLastLineBreak_AddsNothing()
    {
        var vocabulary = Vocabulary.Build("a", TokenKind.Word);

        Assert.Equal(vocabulary.Encode("a\n"), vocabulary.Encode("a\n  "));
        Assert.Empty(vocabulary.Encode(""));
        Assert.Empty(vocabulary.Encode("   "));
    }

    [Fact]
    public void Encode_CrLf_IsLineBreakAndCrIsWhiteSpace()
    {
        var vocabulary = Vocabulary.Build("a b", TokenKind.Word);

        Assert.Equal(vocabulary.Encode("a\nb\n"), vocabulary.Encode("a\r\nb\r\n"));
    }

    [Fact]
    public void Encode_UnknownWords_MapToUnknownAndDecodeAsUnk()
    {
        var vocabulary = Vocabulary.Build("the cat sat", TokenKind.Word);

        int[] ids = vocabulary.Encode("the dog sat");

        Assert.Equal(["<s>", "the", "<unk>", "sat", "</s>"], Tokens(vocabulary, ids));
        Assert.Equal("the <unk> sat\n", vocabulary.Decode(ids));
    }

    [Fact]
    public void Encode_MarkerTextInCorpus_IsNotAMarker()
    {
        var vocabulary = Vocabulary.Build("<s> x </s>", TokenKind.Word);

        int[] ids = vocabulary.Encode("<s>");

        Assert.Equal(["<s>", "<", "s", ">", "</s>"], Tokens(vocabulary, ids));
        Assert.Equal([1, vocabulary.Id("<"), vocabulary.Id("s"), vocabulary.Id(">"), 2], ids);
        Assert.Equal(1, vocabulary.Id("<s>")); // looking a token up by name still finds the marker
    }

    [Fact]
    public void Decode_Ids_JoinsWithSingleSpacesAndLineBreaks()
    {
        const string Text = "Hello,   world!\n\tSecond  line .\n";
        var vocabulary = Vocabulary.Build(Text, TokenKind.Word);

        Assert.Equal("Hello , world !\nSecond line .\n", vocabulary.Decode(vocabulary.Encode(Text)));
    }

    [Fact]
    public void Detokenizer_StreamedIds_ConcatenateToDecode()
    {
        var vocabulary = Vocabulary.Build("one two .\nthree", TokenKind.Word);
        // Includes a stray start marker mid-line and a line with no start marker, as a sampler might produce.
        int[] ids = [vocabulary.Id("one"), vocabulary.Id("two"), 1, vocabulary.Id("."), 2, 2, vocabulary.Id("three"), 0, 2];
        var detokenizer = new Detokenizer(vocabulary);

        string streamed = string.Concat(ids.Select(detokenizer.Next));

        Assert.Equal("one two .\n\nthree <unk>\n", streamed);
        Assert.Equal(vocabulary.Decode(ids), streamed);
    }

    [Fact]
    public void DecodeToken_Specials_AreEmptyLineBreakAndUnk()
    {
        var vocabulary = Vocabulary.Build("word", TokenKind.Word);

        Assert.Equal("", vocabulary.DecodeToken(vocabulary.StartId));
        Assert.Equal("\n", vocabulary.DecodeToken(vocabulary.EndId));
        Assert.Equal("<unk>", vocabulary.DecodeToken(vocabulary.UnknownId));
        Assert.Equal("word", vocabulary.DecodeToken(vocabulary.Id("word")));
    }

    [Fact]
    public void Build_MaxSize_KeepsMostFrequentWordsWithTiesInOrdinalOrder()
    {
        // Frequencies: the 3, cat 2, dog 2, a 1. Two slots beside the three specials: the, then cat (tie with dog).
        var vocabulary = Vocabulary.Build("the cat the dog the cat dog a", TokenKind.Word, maxSize: 5);

        Assert.Equal(["<unk>", "<s>", "</s>", "cat", "the"], Enumerable.Range(0, vocabulary.Count).Select(vocabulary.Token));
        Assert.Equal(["<s>", "the", "<unk>", "<unk>", "cat", "</s>"], Tokens(vocabulary, vocabulary.Encode("the dog a cat")));
    }

    [Fact]
    public void Build_MaxSizeOnlySpecials_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Build("a b", TokenKind.Word, maxSize: 3));
    }

    [Fact]
    public void Build_OnlyWhiteSpace_Throws()
    {
        Assert.Throws<ArgumentException>(() => Vocabulary.Build(" \n\n ", TokenKind.Word));
    }
}
