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
    [InlineData("[]")]
    [InlineData("null")]
    public void FromJson_Invalid_RefusedAsInvalidData(string json)
    {
        Assert.Throws<InvalidDataException>(() => FeatureScaling.FromJson(json));
    }
}
