using Rnn.Data;

namespace Rnn.Tests.Data;

public sealed class TextEncodingTests
{
    private static readonly Vocabulary Characters = Vocabulary.Build("abc", TokenKind.Character);
    private static readonly Vocabulary Words = Vocabulary.Build("good bad", TokenKind.Word);

    [Fact]
    public void Encode_CharacterMode_UnseenCharactersMapToUnknown()
    {
        Assert.Equal([1, 0, 3], TextEncoding.Encode(Characters, "azc"));
    }

    [Fact]
    public void Encode_WordMode_MarkersAroundWordsAndUnknownForUnseen()
    {
        int good = Words.Id("good");

        Assert.Equal([Words.StartId, good, Words.UnknownId, Words.EndId], TextEncoding.Encode(Words, "good ugly"));
    }

    [Fact]
    public void Encode_MaxLength_KeepsTheStart()
    {
        Assert.Equal([1, 2], TextEncoding.Encode(Characters, "abcabc", maxLength: 2));
    }

    [Fact]
    public void Encode_EmptyText_GivesOneUnknownStep()
    {
        Assert.Equal([0], TextEncoding.Encode(Characters, ""));
    }

    [Fact]
    public void Encode_NonPositiveMaxLength_Refused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => TextEncoding.Encode(Characters, "a", maxLength: 0));

        Assert.Contains("MaxLength", e.Message);
    }
}
