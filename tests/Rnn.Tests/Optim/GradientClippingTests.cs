using System.Numerics;
using Rnn.Optim;
using Rnn.Tensors;

namespace Rnn.Tests.Optim;

public abstract class GradientClippingTests<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly double Tolerance = typeof(T) == typeof(double) ? 1e-15 : 1e-6;

    private static T[] Of(params double[] values) => values.Select(T.CreateChecked).ToArray();

    [Fact]
    public void ClipByGlobalNorm_AboveMax_ScalesToMaxAndReturnsNorm()
    {
        T[] g = Of(3, 0, -4);
        double norm = GradientClipping.ClipByGlobalNorm<T>(g, 1);

        Assert.Equal(5, norm);
        // Every element times 1/(5 + 1e-6), PyTorch's clip coefficient.
        double[] expected = [3 / 5.000001, 0, -4 / 5.000001];
        for (int i = 0; i < 3; i++)
            Assert.True(Math.Abs(double.CreateChecked(g[i]) - expected[i]) <= Tolerance * Math.Abs(expected[i]), $"g[{i}] = {g[i]}");
        Assert.True(GradientClipping.GlobalNorm<T>(g) < 1);
    }

    [Fact]
    public void ClipByGlobalNorm_BelowMax_LeavesGradientsUntouched()
    {
        T[] g = Of(0.3, -0.4, 0.1);
        T[] before = g.ToArray();
        double norm = GradientClipping.ClipByGlobalNorm<T>(g, 1);

        Assert.Equal(Math.Sqrt(0.26), norm, Tolerance * 10);
        Assert.Equal(before, g);
    }

    [Fact]
    public void ClipByGlobalNorm_NormEqualToMax_ScalesJustBelowLikePyTorch()
    {
        // PyTorch clips whenever maxNorm/(norm + 1e-6) < 1, which includes norm == maxNorm.
        T[] g = Of(3, 4);
        GradientClipping.ClipByGlobalNorm<T>(g, 5);
        Assert.True(g[0] < T.CreateChecked(3) && g[1] < T.CreateChecked(4));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void ClipByGlobalNorm_NonFinite_ReturnsItAndLeavesGradientsUntouched(double bad)
    {
        T[] g = Of(10, bad, 20);
        T[] before = g.ToArray();
        double norm = GradientClipping.ClipByGlobalNorm<T>(g, 1);

        Assert.False(double.IsFinite(norm));
        Assert.Equal(double.IsNaN(bad), double.IsNaN(norm));
        Assert.Equal(before, g);
    }

    [Fact]
    public void GlobalNorm_SquaresBeyondFloatRange_AccumulatesInDouble()
    {
        // 3e30² overflows float, not double.
        Assert.Equal(5e30, GradientClipping.GlobalNorm<T>(Of(3e30, 4e30)), 5e30 * Tolerance);
    }

    [Fact]
    public void GlobalNorm_Empty_IsZero() => Assert.Equal(0, GradientClipping.GlobalNorm<T>([]));

    [Fact]
    public void ClipByValue_ClampsToLimitAndKeepsNaN()
    {
        T[] g = Of(-3, 0.5, 2, -1, double.NaN, double.NegativeInfinity);
        GradientClipping.ClipByValue<T>(g, 1);
        Assert.Equal(Of(-1, 0.5, 1, -1), g[..4]);
        Assert.True(T.IsNaN(g[4]));
        Assert.Equal(T.CreateChecked(-1), g[5]);
    }

    [Fact]
    public void AllFinite_DetectsAnyNaNOrInfinity()
    {
        Assert.True(Finite.All<T>([]));
        var g = new T[1003];
        Assert.True(Finite.All<T>(g));
        foreach (int i in new[] { 0, 5, 500, 1002 })
            foreach (T bad in new[] { T.NaN, T.PositiveInfinity, T.NegativeInfinity })
            {
                T[] copy = g.ToArray();
                copy[i] = bad;
                Assert.False(Finite.All<T>(copy), $"{bad} at {i}");
            }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Clip_BadThreshold_ThrowsNamingIt(double threshold)
    {
        Assert.Equal("maxNorm", Assert.ThrowsAny<ArgumentException>(() => GradientClipping.ClipByGlobalNorm<T>(Of(1), threshold)).ParamName);
        Assert.Equal("limit", Assert.ThrowsAny<ArgumentException>(() => GradientClipping.ClipByValue<T>(Of(1), threshold)).ParamName);
    }
}

public sealed class GradientClippingSingleTests : GradientClippingTests<float>;

public sealed class GradientClippingDoubleTests : GradientClippingTests<double>;
