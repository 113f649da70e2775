using Rnn.Data;

namespace Rnn.Tests.Data;

public sealed class ClassWeightsTests
{
    private static readonly LabelSet Labels = new(["neg", "neu", "pos"]);

    [Fact]
    public void Balanced_Counts_NOverClassesTimesCount()
    {
        // n = 6, C = 3: counts 3, 2, 1 give 6/9, 6/6, 6/3.
        Assert.Equal([6.0 / 9, 1.0, 2.0], ClassWeights.Balanced([0, 0, 0, 1, 1, 2], 3));
    }

    [Fact]
    public void Balanced_ClassWithoutExamples_GetsOne()
    {
        Assert.Equal([2.0 / 3, 1.0, 2.0 / 3], ClassWeights.Balanced([0, 2], 3));
    }

    [Fact]
    public void Parse_EveryClass_WeightsByClassId()
    {
        Assert.Equal([0.5, 2, 1e-3], ClassWeights.Parse("pos\t1e-3\n\nneg\t0.5\nneu \t 2\n", "w.tsv", Labels));
    }

    [Theory]
    [InlineData("neg\t1\nneu\t1\npos\t1\nother\t1\n", "line 4, column 1:", "not one of the 3 classes")]
    [InlineData("neg\t1\nneu\t0\npos\t1\n", "line 2, column 5:", "greater than 0")]
    [InlineData("neg\t1\nneu\t-2\npos\t1\n", "line 2, column 5:", "greater than 0")]
    [InlineData("neg\t1\nneu\tNaN\npos\t1\n", "line 2, column 5:", "finite number")]
    [InlineData("neg\t1\nneu\t1e400\npos\t1\n", "line 2, column 5:", "finite number")]
    [InlineData("neg\t1\nneu 1\npos\t1\n", "line 2:", "no tab")]
    [InlineData("neg\t1\nneu\t1\nneg\t2\npos\t1\n", "line 3, column 1:", "already given on line 1")]
    public void Parse_BadLine_RefusedNamingLineAndColumn(string text, string where, string problem)
    {
        DataAssert.Refused(() => ClassWeights.Parse(text, "w.tsv", Labels), "w.tsv", where, problem);
    }

    [Fact]
    public void Parse_MissingClass_RefusedNamingIt()
    {
        var e = Assert.Throws<InvalidDataException>(() => ClassWeights.Parse("neg\t1\npos\t1\n", "w.tsv", Labels));

        Assert.Contains("no weight for \"neu\"", e.Message);
    }
}
