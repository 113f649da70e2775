using Rnn.Data;

namespace Rnn.Tests.Data;

public sealed class VocabularyJsonTests
{
    [Fact]
    public void ToJson_CharacterVocabulary_IsCompactAndUnescaped()
    {
        var vocabulary = Vocabulary.Build("ba我\"", TokenKind.Character);

        Assert.Equal("{\"kind\":\"char\",\"tokens\":[\"<unk>\",\"\\\"\",\"a\",\"b\",\"我\"]}", vocabulary.ToJson());
    }

    [Theory]
    [InlineData(TokenKind.Character)]
    [InlineData(TokenKind.Word)]
    public void FromJson_ToJsonOutput_RoundTripsEveryToken(TokenKind kind)
    {
        const string Text = "Hello, wörld! 我昨天上学迟到了 😀👍🏽\n\"quotes\" \\ back\tslash\r\nline\u2028separator \u0001control";
        var vocabulary = Vocabulary.Build(Text, kind);

        var parsed = Vocabulary.FromJson(vocabulary.ToJson());

        Assert.Equal(kind, parsed.Kind);
        Assert.Equal(vocabulary.Count, parsed.Count);
        for (int id = 0; id < vocabulary.Count; id++) Assert.Equal(vocabulary.Token(id), parsed.Token(id));
        Assert.Equal(vocabulary.Encode(Text), parsed.Encode(Text));
        Assert.Equal(vocabulary.ToJson(), parsed.ToJson());
    }

    [Fact]
    public void FromJson_TokensInAnyOrder_KeepsTheFileIds()
    {
        var vocabulary = Vocabulary.FromJson("{\"tokens\":[\"<unk>\",\"z\",\"a\"],\"kind\":\"char\"}");

        Assert.Equal(1, vocabulary.Id("z"));
        Assert.Equal(2, vocabulary.Id("a"));
    }

    [Theory]
    [InlineData("", "not valid JSON")]
    [InlineData("{\"kind\":\"char\",\"tokens\":[\"<unk>\",\"a\"]", "not valid JSON")]
    [InlineData("{\"kind\":\"char\",\"tokens\":[\"<unk>\",\"a\",]}", "not valid JSON")]
    [InlineData("{\"kind\":\"char\",\"tokens\":[\"<unk>\",\"a\"]} x", "not valid JSON")]
    [InlineData("[\"<unk>\",\"a\"]", "is a JSON array, not an object")]
    [InlineData("{\"kind\":\"char\",\"extra\":{\"tokens\":[]},\"tokens\":[\"<unk>\",\"a\"]}", "unknown property \"extra\"")]
    [InlineData("null", "is a JSON null, not an object")]
    [InlineData("{\"kind\":\"char\",\"tokens\":[\"<unk>\",\"a\"]} /* note */", "not valid JSON")]
    [InlineData("{\"kind\":null,\"tokens\":[\"<unk>\",\"a\"]}", "\"kind\" is a JSON null")]
    [InlineData("{\"tokens\":[\"<unk>\",\"a\"]}", "no \"kind\"")]
    [InlineData("{\"kind\":\"char\"}", "no \"tokens\"")]
    [InlineData("{\"kind\":1,\"tokens\":[\"<unk>\",\"a\"]}", "\"kind\" is a JSON number")]
    [InlineData("{\"kind\":\"byte\",\"tokens\":[\"<unk>\",\"a\"]}", "\"kind\" is \"byte\"")]
    [InlineData("{\"kind\":\"Char\",\"tokens\":[\"<unk>\",\"a\"]}", "\"kind\" is \"Char\"")]
    [InlineData("{\"kind\":\"char\",\"kind\":\"word\",\"tokens\":[\"<unk>\",\"a\"]}", "\"kind\" twice")]
    [InlineData("{\"kind\":\"char\",\"tokens\":[\"<unk>\",\"a\"],\"tokens\":[\"<unk>\",\"b\"]}", "\"tokens\" twice")]
    [InlineData("{\"kind\":\"char\",\"tokens\":[\"<unk>\",\"a\"],\"extra\":0}", "unknown property \"extra\"")]
    [InlineData("{\"kind\":\"char\",\"tokens\":\"<unk>a\"}", "\"tokens\" is a JSON string")]
    [InlineData("{\"kind\":\"char\",\"tokens\":[]}", "token list is empty")]
    [InlineData("{\"kind\":\"char\",\"tokens\":[\"<unk>\"]}", "no tokens besides the 1 special")]
    [InlineData("{\"kind\":\"word\",\"tokens\":[\"<unk>\",\"<s>\",\"</s>\"]}", "no tokens besides the 3 special")]
    [InlineData("{\"kind\":\"char\",\"tokens\":[\"<unk>\",1]}", "token 1 is a JSON number")]
    [InlineData("{\"kind\":\"char\",\"tokens\":[\"<unk>\",null]}", "token 1 is a JSON null")]
    [InlineData("{\"kind\":\"char\",\"tokens\":[\"<unk>\",[\"a\"]]}", "token 1 is a JSON array")]
    [InlineData("{\"kind\":\"char\",\"tokens\":[\"<unk>\",\"a\",\"b\",\"a\"]}", "\"a\" appears twice, as ids 1 and 3")]
    [InlineData("{\"kind\":\"char\",\"tokens\":[\"<unk>\",\"ab\"]}", "not exactly one Unicode scalar value")]
    [InlineData("{\"kind\":\"char\",\"tokens\":[\"<unk>\",\"\"]}", "not exactly one Unicode scalar value")]
    [InlineData("{\"kind\":\"char\",\"tokens\":[\"<unk>\",\"e\\u0301\"]}", "not exactly one Unicode scalar value")]
    [InlineData("{\"kind\":\"char\",\"tokens\":[\"<unk>\",\"\\ud800\"]}", "token 1 is not a valid Unicode string")]
    [InlineData("{\"kind\":\"char\",\"tokens\":[\"a\",\"<unk>\"]}", "token 0 must be \"<unk>\"")]
    [InlineData("{\"kind\":\"word\",\"tokens\":[\"<unk>\",\"</s>\",\"<s>\",\"a\"]}", "token 1 must be \"<s>\"")]
    [InlineData("{\"kind\":\"word\",\"tokens\":[\"<unk>\",\"<s>\",\"</s>\",\"a\",\"<s>\"]}", "\"<s>\" appears twice")]
    [InlineData("{\"kind\":\"word\",\"tokens\":[\"<unk>\",\"<s>\",\"</s>\",\"\"]}", "empty or contains white space")]
    [InlineData("{\"kind\":\"word\",\"tokens\":[\"<unk>\",\"<s>\",\"</s>\",\"two words\"]}", "empty or contains white space")]
    [InlineData("{\"kind\":\"word\",\"tokens\":[\"<unk>\",\"<s>\",\"</s>\",\"line\\n\"]}", "empty or contains white space")]
    [InlineData("{\"kind\":\"char\",\"tokens\":[\"<unk>\",\"a\"],\"segmenter\":{\"name\":\"jieba\",\"version\":\"0.42.2\",\"user_words\":[]}}", "only a word vocabulary has a segmenter")]
    [InlineData("{\"kind\":\"word\",\"tokens\":[\"<unk>\",\"<s>\",\"</s>\",\"a\"],\"segmenter\":{\"name\":\"pkuseg\",\"version\":\"1\",\"user_words\":[]}}", "the segmenter is \"pkuseg\"")]
    [InlineData("{\"kind\":\"word\",\"tokens\":[\"<unk>\",\"<s>\",\"</s>\",\"a\"],\"segmenter\":{\"name\":\"jieba\",\"user_words\":[]}}", "the segmenter has no \"version\"")]
    [InlineData("{\"kind\":\"word\",\"tokens\":[\"<unk>\",\"<s>\",\"</s>\",\"a\"],\"segmenter\":{\"name\":\"jieba\",\"version\":\"0.42.2\"}}", "the segmenter has no \"user_words\"")]
    [InlineData("{\"kind\":\"word\",\"tokens\":[\"<unk>\",\"<s>\",\"</s>\",\"a\"],\"segmenter\":{\"name\":\"jieba\",\"version\":\"0.42.2\",\"user_words\":{}}}", "\"user_words\" that is not an array")]
    [InlineData("{\"kind\":\"word\",\"tokens\":[\"<unk>\",\"<s>\",\"</s>\",\"a\"],\"segmenter\":{\"name\":\"jieba\",\"version\":\"0.42.2\",\"user_words\":[{\"word\":\"云 计算\"}]}}", "user word 0 (\"云 计算\"): the segmenter never sees ' '")]
    [InlineData("{\"kind\":\"word\",\"tokens\":[\"<unk>\",\"<s>\",\"</s>\",\"a\"],\"segmenter\":{\"name\":\"jieba\",\"version\":\"0.42.2\",\"user_words\":[{\"word\":\"云计算\",\"frequency\":-1}]}}", "its frequency -1 is not positive")]
    [InlineData("{\"kind\":\"word\",\"tokens\":[\"<unk>\",\"<s>\",\"</s>\",\"a\"],\"segmenter\":{\"name\":\"jieba\",\"version\":\"0.42.2\",\"user_words\":[{\"word\":\"云计算\",\"frequency\":1.5}]}}", "not a 32-bit integer")]
    [InlineData("{\"kind\":\"word\",\"tokens\":[\"<unk>\",\"<s>\",\"</s>\",\"a\"],\"segmenter\":{\"name\":\"jieba\",\"version\":\"0.42.2\",\"user_words\":[{\"frequency\":3}]}}", "user word 0 has no \"word\"")]
    [InlineData("{\"kind\":\"word\",\"tokens\":[\"<unk>\",\"<s>\",\"</s>\",\"a\"],\"segmenter\":{\"name\":\"jieba\",\"version\":\"0.42.2\",\"user_words\":[],\"hmm\":false}}", "the segmenter has an unknown property \"hmm\"")]
    [InlineData("{\"kind\":\"word\",\"tokens\":[\"<unk>\",\"<s>\",\"</s>\",\"a\"],\"segmenter\":{\"name\":\"jieba\",\"version\":\"0.42.2\",\"user_words\":[]},\"segmenter\":null}", "\"segmenter\" twice")]
    public void FromJson_Malformed_ThrowsInvalidDataWithReason(string json, string reason)
    {
        var e = Assert.Throws<InvalidDataException>(() => Vocabulary.FromJson(json));

        Assert.StartsWith("invalid vocabulary: ", e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void FromJson_MoreThanTenMillionTokens_Throws()
    {
        // The limit is checked before the tokens' contents, so empty strings make the cheapest oversized list.
        string json = "{\"kind\":\"word\",\"tokens\":[\"<unk>\"" + string.Concat(Enumerable.Repeat(",\"\"", Vocabulary.MaxTokens)) + "]}";

        var e = Assert.Throws<InvalidDataException>(() => Vocabulary.FromJson(json));

        Assert.Contains("more than 10000000 tokens", e.Message);
    }
}
