using Rnn.Data;

namespace Rnn.Tests.Data;

public sealed class FeatureScalingTests
{
    [Fact]
    public void Json_RoundTrip_EveryBitOfEveryNumber()
    {
        var scaling = new FeatureScaling("y", [new ColumnScaling("x", 0.1 + 0.2, Math.PI), new ColumnScaling("y", -1e-300, 1.0 / 3)]);

        var back = FeatureScaling.FromJson(scaling.ToJson());

        Assert.Equal("y", back.Target);
        Assert.Equal(scaling.Columns, back.Columns);
    }

    [Fact]
    public void Json_NaiveMae_RoundTripsAndIsAbsentFromOlderFiles()
    {
        var scaling = new FeatureScaling("y", [new ColumnScaling("y", 1, 2)], TargetNaiveMae: 0.1 + 0.2);

        Assert.Contains("\"naive_mae\":0.30000000000000004", scaling.ToJson());
        Assert.Equal(0.1 + 0.2, FeatureScaling.FromJson(scaling.ToJson()).TargetNaiveMae);
        var older = FeatureScaling.FromJson("""{"target":"y","columns":[{"column":"y","mean":1,"std":2}]}""");
        Assert.Null(older.TargetNaiveMae);
        Assert.DoesNotContain("naive_mae", older.ToJson());
    }

    [Fact]
    public void OneStepNaiveMae_HandWorked_AndTwoValuesNeeded()
    {
        Assert.Equal(2.0, FeatureScaling.OneStepNaiveMae([1, 3, 2, 5]));
        Assert.Equal(0.0, FeatureScaling.OneStepNaiveMae([4, 4]));
        Assert.Throws<ArgumentException>(() => FeatureScaling.OneStepNaiveMae([4]));
    }

    [Fact]
    public void Fit_Values_MeanAndPopulationStd()
    {
        var column = ColumnScaling.Fit("x", [2, 4, 4, 4, 5, 5, 7, 9]);

        Assert.Equal(new ColumnScaling("x", 5, 2), column);
        Assert.Equal(9, column.Inverse(column.Transform(9)));
    }

    [Fact]
    public void Fit_ValuesWhoseSumOverflows_RefusedNamingTheColumn()
    {
        var e = Assert.Throws<ArgumentException>(() => ColumnScaling.Fit("x", [1e308, 1e308]));

        Assert.Contains("\"x\"", e.Message);
    }

    [Theory]
    [InlineData("""{"target":"y","columns":[{"column":"y","mean":0,"std":0}]}""")]
    [InlineData("""{"target":"y","columns":[{"column":"y","mean":0,"std":-1}]}""")]
    [InlineData("""{"target":"z","columns":[{"column":"y","mean":0,"std":1}]}""")]
    [InlineData("""{"target":"y","columns":[{"column":"y","mean":0,"std":1},{"column":"y","mean":0,"std":1}]}""")]
    [InlineData("""{"target":"y"}""")]
    [InlineData("""{"target":"y","columns":[{"column":"y","mean":"a","std":1}]}""")]
    [InlineData("""{"target":"y","columns":[{"column":"y","mean":0,"std":1}],"naive_mae":-1}""")]
    [InlineData("[]")]
    [InlineData("null")]
    public void FromJson_Invalid_RefusedAsInvalidData(string json)
    {
        Assert.Throws<InvalidDataException>(() => FeatureScaling.FromJson(json));
    }
}
