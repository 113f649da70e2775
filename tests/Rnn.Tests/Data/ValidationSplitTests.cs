using Rnn.Data;

namespace Rnn.Tests.Data;

public sealed class ValidationSplitTests
{
    [Fact]
    public void Random_SameSeed_SameSplitBothPartsInInputOrder()
    {
        int[] items = [.. Enumerable.Range(0, 100)];

        var first = ValidationSplit.Random(items, 0.25, seed: 7);
        var again = ValidationSplit.Random(items, 0.25, seed: 7);

        Assert.Equal(first.Validation, again.Validation);
        Assert.Equal(25, first.Validation.Length);
        Assert.Equal(items, first.Training.Concat(first.Validation).Order());
        Assert.Equal(first.Training.Order(), first.Training);
        Assert.Equal(first.Validation.Order(), first.Validation);
    }

    [Fact]
    public void Random_OtherSeed_OtherValidationPart()
    {
        int[] items = [.. Enumerable.Range(0, 100)];

        Assert.NotEqual(ValidationSplit.Random(items, 0.25, seed: 7).Validation, ValidationSplit.Random(items, 0.25, seed: 8).Validation);
    }

    [Fact]
    public void Random_ZeroFraction_EverythingTrains()
    {
        var (training, validation) = ValidationSplit.Random([1, 2, 3], 0, seed: 1);

        Assert.Equal([1, 2, 3], training);
        Assert.Empty(validation);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void TailCount_FractionOutsideZeroToOne_RefusedNamingTheOption(double fraction)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ValidationSplit.TailCount(10, fraction));

        Assert.Contains("ValidationFraction", e.Message);
    }

    [Fact]
    public void TailCount_RoundsToNearestAndRefusesAnEmptyTrainingPart()
    {
        Assert.Equal(3, ValidationSplit.TailCount(10, 0.26));
        Assert.Throws<ArgumentException>(() => ValidationSplit.TailCount(2, 0.9));
    }
}
