using Rnn.Data;

namespace Rnn.Tests.Data;

public sealed class ClassificationDatasetTests
{
    [Fact]
    public void Parse_LabelTabText_SplitsAtFirstTabAndKeepsLaterTabs()
    {
        var data = ClassificationDataset.Parse("pos\tgood\tday\nneg\tbad\n", "train.tsv");

        Assert.Equal([new TextExample(1, "good\tday", "pos"), new TextExample(2, "bad", "neg")], data.Examples);
    }

    [Fact]
    public void Parse_Labels_SortedOrdinallyWhateverTheLineOrder()
    {
        var data = ClassificationDataset.Parse("zeta\ta\nAlpha\tb\nbeta\tc\nzeta\td\n", "train.tsv");

        Assert.Equal(["Alpha", "beta", "zeta"], data.Labels.Labels);
        Assert.Equal(2, data.LabelId(data.Examples[0]));
        Assert.Equal(0, data.LabelId(data.Examples[1]));
    }

    [Fact]
    public void Parse_LabelWithSurroundingSpaces_IsTrimmedToOneClass()
    {
        var data = ClassificationDataset.Parse("pos \ta\n pos\tb\n", "train.tsv");

        Assert.Equal(["pos"], data.Labels.Labels);
    }

    [Theory]
    [InlineData("pos\ta\nno tab here\n", "line 2:", "no tab")]
    [InlineData("pos\ta\n\tb\n", "line 2, column 1:", "label before the tab is empty")]
    [InlineData("pos\ta\n  \tb\n", "line 2, column 1:", "label before the tab is empty")]
    [InlineData("pos\ta\nneg\t\n", "line 2, column 5:", "text after the tab is empty")]
    [InlineData("pos\ta\nneg\t   \n", "line 2, column 5:", "text after the tab is empty")]
    [InlineData("pos\ta\n\nneg\tb\n", "line 2:", "blank")]
    public void Parse_BadLine_RefusedNamingFileLineAndColumn(string text, string where, string problem)
    {
        DataAssert.Refused(() => ClassificationDataset.Parse(text, "train.tsv"), "train.tsv", where, problem);
    }

    [Fact]
    public void Parse_ValidationFileWithUnknownLabel_RefusedNamingTheLine()
    {
        var labels = new LabelSet(["neg", "pos"]);

        var e = Assert.Throws<InvalidDataException>(() => ClassificationDataset.Parse("pos\ta\nmaybe\tb\n", "valid.tsv", labels));

        Assert.Contains("'valid.tsv' line 2, column 1", e.Message);
        Assert.Contains("\"maybe\"", e.Message);
    }

    [Fact]
    public void Parse_ValidationFileWithKnownLabels_UsesTheTrainingLabelSet()
    {
        var labels = new LabelSet(["neg", "other", "pos"]);

        var data = ClassificationDataset.Parse("pos\ta\n", "valid.tsv", labels);

        Assert.Same(labels, data.Labels);
        Assert.Equal(2, data.LabelId(data.Examples[0]));
    }

    [Fact]
    public void Read_File_NamesThePathInMessages()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("rnn-classify-").FullName, "train.tsv");
        File.WriteAllText(path, "pos\tok\r\nbroken\r\n");
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => ClassificationDataset.Read(path));

            Assert.Contains($"'{path}' line 2:", e.Message);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void ParsePredictionInput_Unlabelled_EveryLineWholeBlankLinesIncluded()
    {
        var examples = ClassificationDataset.ParsePredictionInput("a\tb\n\nlast", "in.txt", labelled: false);

        Assert.Equal([new TextExample(1, "a\tb", null), new TextExample(2, "", null), new TextExample(3, "last", null)], examples);
    }

    [Fact]
    public void ParsePredictionInput_Labelled_ReadsTrainingFormatAndAllowsUnseenLabels()
    {
        var examples = ClassificationDataset.ParsePredictionInput("new\ttext one\npos\ttwo\n", "in.tsv", labelled: true);

        Assert.Equal(["text one", "two"], examples.Select(e => e.Text));
        Assert.Equal(["new", "pos"], examples.Select(e => e.Label));
    }

    [Fact]
    public void ParsePredictionInput_LabelledWithoutTab_RefusedNamingTheLine()
    {
        var e = Assert.Throws<InvalidDataException>(() => ClassificationDataset.ParsePredictionInput("pos\ta\njust text\n", "in.tsv", labelled: true));

        Assert.Contains("'in.tsv' line 2:", e.Message);
    }

    [Fact]
    public void BuildVocabulary_WordMode_HoldsTheWordsOfAllTexts()
    {
        var data = ClassificationDataset.Parse("pos\tgood day\nneg\tbad\n", "train.tsv");

        var vocabulary = ClassificationDataset.BuildVocabulary(data.Examples, TokenKind.Word);

        Assert.Equal(["<unk>", "<s>", "</s>", "bad", "day", "good"], Enumerable.Range(0, vocabulary.Count).Select(vocabulary.Token));
    }
}
