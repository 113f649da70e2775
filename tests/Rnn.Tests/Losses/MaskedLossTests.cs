using Rnn.Losses;
using Rnn.Tensors;

namespace Rnn.Tests.Losses;

/// <summary>Row weights: a 0/1 mask averages over the valid rows only, as if the padded rows were not there.</summary>
public class MaskedLossTests
{
    private const int Rows = 8, Classes = 5;
    private static readonly double[] Mask = [1, 1, 0, 1, 0, 0, 1, 1];

    private static double[] Normal(int length, ulong seed)
    {
        var values = new double[length];
        new SeededRandom(seed).FillNormal<double>(values, 0, 2);
        return values;
    }

    /// <summary>The rows of <paramref name="values"/> [Rows, width] where the mask is 1.</summary>
    private static T[] Valid<T>(T[] values, int width) =>
        Enumerable.Range(0, Rows).Where(r => Mask[r] == 1).SelectMany(r => values.Skip(r * width).Take(width)).ToArray();

    [Fact]
    public void SoftmaxCrossEntropy_Mask_EqualsUnmaskedLossOverValidRows()
    {
        double[] logits = Normal(Rows * Classes, 1);
        int[] targets = Enumerable.Range(0, Rows).Select(r => r * 3 % Classes).ToArray();
        var grad = new double[logits.Length];
        double loss = SoftmaxCrossEntropy.LossAndGradient<double>(logits, targets, Classes, Mask, grad);

        var validGrad = new double[Valid(logits, Classes).Length];
        double expected = SoftmaxCrossEntropy.LossAndGradient<double>(Valid(logits, Classes), Valid(targets, 1), Classes, validGrad);
        Assert.Equal(expected, loss, 1e-14);
        Assert.Equal(validGrad, Valid(grad, Classes), new ToleranceComparer(1e-16));
        for (int r = 0; r < Rows; r++)
            if (Mask[r] == 0) Assert.All(grad.Skip(r * Classes).Take(Classes), g => Assert.Equal(0.0, g));
    }

    [Fact]
    public void SoftmaxCrossEntropy_UnitWeights_EqualUnweighted()
    {
        double[] logits = Normal(Rows * Classes, 2);
        int[] targets = Enumerable.Range(0, Rows).Select(r => r % Classes).ToArray();
        var weighted = new double[logits.Length];
        var plain = new double[logits.Length];
        double a = SoftmaxCrossEntropy.LossAndGradient<double>(logits, targets, Classes, Enumerable.Repeat(1.0, Rows).ToArray(), weighted);
        double b = SoftmaxCrossEntropy.LossAndGradient<double>(logits, targets, Classes, plain);
        Assert.Equal(b, a, 1e-15);
        Assert.Equal(plain, weighted, new ToleranceComparer(1e-17));
    }

    [Fact]
    public void MeanSquaredError_Mask_EqualsUnmaskedLossOverValidRows()
    {
        const int features = 3;
        double[] prediction = Normal(Rows * features, 3), target = Normal(Rows * features, 4);
        var grad = new double[prediction.Length];
        double loss = MeanSquaredError.LossAndGradient<double>(prediction, target, Mask, grad);

        double[] validPrediction = Valid(prediction, features);
        var validGrad = new double[validPrediction.Length];
        double expected = MeanSquaredError.LossAndGradient<double>(validPrediction, Valid(target, features), validGrad);
        Assert.Equal(expected, loss, 1e-14);
        Assert.Equal(validGrad, Valid(grad, features), new ToleranceComparer(1e-16));
        for (int r = 0; r < Rows; r++)
            if (Mask[r] == 0) Assert.All(grad.Skip(r * features).Take(features), g => Assert.Equal(0.0, g));
    }

    [Fact]
    public void MaskedLosses_AllRowsMasked_GiveZero()
    {
        var zeros = new double[Rows];
        var grad = new double[Rows * Classes];
        Assert.Equal(0.0, SoftmaxCrossEntropy.LossAndGradient<double>(Normal(Rows * Classes, 5), new int[Rows], Classes, zeros, grad));
        Assert.All(grad, g => Assert.Equal(0.0, g));
        Assert.Equal(0.0, MeanSquaredError.LossAndGradient<double>(Normal(Rows, 6), Normal(Rows, 7), zeros, new double[Rows]));
    }

    [Theory]
    [InlineData(-1.0, "rowWeights[3] must be finite and ≥ 0")]
    [InlineData(double.NaN, "rowWeights[3] must be finite and ≥ 0")]
    public void MaskedLosses_InvalidWeight_ThrowsNamingIt(double weight, string message)
    {
        double[] weights = [1, 1, 1, weight];
        var error = Assert.ThrowsAny<ArgumentException>(() =>
            SoftmaxCrossEntropy.LossAndGradient<double>(new double[4 * Classes], new int[4], Classes, weights, new double[4 * Classes]));
        Assert.Equal("rowWeights", error.ParamName);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        var wrongCount = Assert.ThrowsAny<ArgumentException>(() =>
            SoftmaxCrossEntropy.LossAndGradient<double>(new double[4 * Classes], new int[4], Classes, [1.0, 1.0], new double[4 * Classes]));
        Assert.Contains("rowWeights has 2 elements; expected one per row, N=4", wrongCount.Message, StringComparison.Ordinal);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
