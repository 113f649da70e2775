using Rnn.Data;

namespace Rnn.Tests.Data;

public sealed class TaggingDatasetTests
{
    [Fact]
    public void Parse_TwoSequences_TokensAndTagsWithFirstLines()
    {
        var data = TaggingDataset.Parse("John\tB-PER\nruns\tO\n\nHi\tO\n", "train.conll");

        Assert.Equal(2, data.Sequences.Count);
        Assert.Equal(["John", "runs"], data.Sequences[0].Tokens);
        Assert.Equal(["B-PER", "O"], data.Sequences[0].Tags!);
        Assert.Equal(1, data.Sequences[0].Line);
        Assert.Equal(4, data.Sequences[1].Line);
        Assert.Equal(["B-PER", "O"], data.Tags.Labels);
    }

    [Fact]
    public void Parse_TokenWithSpacesAndTab_SplitsAtTheLastTab()
    {
        var data = TaggingDataset.Parse("New York\tB-LOC\na\tb\tO\n", "train.conll");

        Assert.Equal(["New York", "a\tb"], data.Sequences[0].Tokens);
        Assert.Equal(["B-LOC", "O"], data.Sequences[0].Tags!);
    }

    [Fact]
    public void Parse_LineOfSpaces_IsATokenNotABoundary()
    {
        var data = TaggingDataset.Parse("a\tO\n   \tO\nb\tO\n", "train.conll");

        Assert.Single(data.Sequences);
        Assert.Equal(["a", "   ", "b"], data.Sequences[0].Tokens);
    }

    [Fact]
    public void Parse_RepeatedLeadingAndTrailingBlankLines_OneBoundaryNoEmptySequences()
    {
        var data = TaggingDataset.Parse("\n\na\tO\n\n\n\nb\tO\n\n\n", "train.conll");

        Assert.Equal([["a"], ["b"]], data.Sequences.Select(s => s.Tokens.ToArray()));
        Assert.Equal([3, 7], data.Sequences.Select(s => s.Line));
    }

    [Theory]
    [InlineData("a\tO\nno-tab\n", "line 2:", "no tab")]
    [InlineData("a\tO\n   \n", "line 2:", "no tab")]
    [InlineData("a\tO\n\tO\n", "line 2, column 1:", "token before the tab is empty")]
    [InlineData("a\tO\nbc\t \n", "line 2, column 4:", "tag after the tab is empty")]
    [InlineData("a\tO\nbc\t\n", "line 2, column 4:", "tag after the tab is empty")]
    public void Parse_BadLine_RefusedNamingFileLineAndColumn(string text, string where, string problem)
    {
        DataAssert.Refused(() => TaggingDataset.Parse(text, "train.conll"), "train.conll", where, problem);
    }

    [Fact]
    public void Parse_ValidationFileWithUnknownTag_RefusedNamingItsLine()
    {
        var tags = new LabelSet(["O", "B-PER"]);

        var e = Assert.Throws<InvalidDataException>(() => TaggingDataset.Parse("a\tO\n\nb\tO\nc\tB-LOC\n", "valid.conll", tags));

        Assert.Contains("'valid.conll' line 4:", e.Message);
        Assert.Contains("\"B-LOC\"", e.Message);
    }

    [Fact]
    public void ParsePredictionInput_TagColumn_IgnoredAfterTheLastTab()
    {
        var sequences = TaggingDataset.ParsePredictionInput("New York\tB-LOC\nis\n\nbig\tO\n", "in.txt");

        Assert.Equal([["New York", "is"], ["big"]], sequences.Select(s => s.Tokens.ToArray()));
        Assert.All(sequences, s => Assert.Null(s.Tags));
    }

    [Fact]
    public void ParsePredictionInput_EmptyToken_RefusedNamingTheLine()
    {
        var e = Assert.Throws<InvalidDataException>(() => TaggingDataset.ParsePredictionInput("a\n\tO\n", "in.txt"));

        Assert.Contains("'in.txt' line 2, column 1:", e.Message);
    }

    [Fact]
    public void TagIds_Sequence_IdsInTheOrdinalTagSet()
    {
        var data = TaggingDataset.Parse("John\tB-PER\nruns\tO\nSmith\tI-PER\n", "train.conll");

        Assert.Equal([0, 2, 1], data.TagIds(data.Sequences[0]));
    }

    [Fact]
    public void BuildVocabulary_Tokens_WholeTokensSortedAndSpacedTokensUnknown()
    {
        var data = TaggingDataset.Parse("U.S.\tO\nNew York\tO\ndon't\tO\nU.S.\tO\n<s>\tO\n", "train.conll");

        var vocabulary = TaggingDataset.BuildVocabulary(data.Sequences);

        Assert.Equal(["<unk>", "<s>", "</s>", "U.S.", "don't"], Enumerable.Range(0, vocabulary.Count).Select(vocabulary.Token));
        Assert.Equal([3, 0, 4, 3, 1], TaggingDataset.Encode(vocabulary, data.Sequences[0]));
    }

    [Fact]
    public void BuildVocabulary_MaxSize_KeepsTheMostFrequentTiesOrdinal()
    {
        var data = TaggingDataset.Parse("b\tO\nc\tO\nc\tO\na\tO\n", "train.conll");

        var vocabulary = TaggingDataset.BuildVocabulary(data.Sequences, maxSize: 5);

        Assert.Equal(["<unk>", "<s>", "</s>", "a", "c"], Enumerable.Range(0, vocabulary.Count).Select(vocabulary.Token));
    }
}
