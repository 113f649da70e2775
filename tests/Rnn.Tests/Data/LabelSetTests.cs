using Rnn.Data;

namespace Rnn.Tests.Data;

public sealed class LabelSetTests
{
    [Fact]
    public void LabelSet_DuplicatesAndOrder_DistinctInOrdinalOrder()
    {
        var set = new LabelSet(["b", "B", "a", "b"]);

        Assert.Equal(["B", "a", "b"], set.Labels);
        Assert.True(set.TryGetId("a", out int id));
        Assert.Equal(1, id);
        Assert.False(set.TryGetId("c", out _));
    }

    [Fact]
    public void Json_RoundTrip_GivesTheSameLabels()
    {
        var set = new LabelSet(["I-PER", "O", "B-PER", "é"]);

        Assert.Equal(set.Labels, LabelSet.FromJson(set.ToJson()).Labels);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("[\"b\",\"a\"]")]
    [InlineData("[\"a\",\"a\"]")]
    [InlineData("[\"\"]")]
    [InlineData("{\"a\":1}")]
    [InlineData("[1]")]
    public void FromJson_Invalid_RefusedAsInvalidData(string json)
    {
        Assert.Throws<InvalidDataException>(() => LabelSet.FromJson(json));
    }
}
