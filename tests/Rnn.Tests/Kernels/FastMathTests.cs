using Rnn.Kernels;

namespace Rnn.Tests.Kernels;

/// <summary>
/// The float32 tanh and sigmoid in ulps against double precision, over a sweep of the float bit patterns of
/// the whole range where the functions are not constant, plus the special values.
/// </summary>
public sealed class FastMathTests
{
    // Every 127th float: about 17 million values per sign for tanh, a few seconds in all.
    private const int Stride = 127;

    /// <summary>Distance in representable floats between <paramref name="actual"/> and <paramref name="exact"/> rounded to float.</summary>
    private static long Ulps(float actual, double exact)
    {
        float expected = (float)exact;
        if (float.IsNaN(actual) || float.IsNaN(expected)) return float.IsNaN(actual) && float.IsNaN(expected) ? 0 : long.MaxValue;
        return Math.Abs(Ordered(actual) - Ordered(expected));
    }

    /// <summary>Maps float bit patterns to integers in the order of the floats, so that neighbours differ by one.</summary>
    private static long Ordered(float value)
    {
        int bits = BitConverter.SingleToInt32Bits(value);
        return bits < 0 ? -(long)(bits & int.MaxValue) : bits;
    }

    /// <summary>The worst error over floats 0 ≤ |x| ≤ limit, both signs, and where it occurs.</summary>
    private static (long Worst, float At) Sweep(Action<float[], float[]> function, Func<double, double> exact, float limit)
    {
        int top = BitConverter.SingleToInt32Bits(limit);
        var x = new float[4096];
        var y = new float[x.Length];
        long worst = 0;
        float at = 0;
        int filled = 0;
        void Flush()
        {
            function(x, y);
            for (int i = 0; i < filled; i++)
            {
                long error = Ulps(y[i], exact(x[i]));
                if (error > worst) (worst, at) = (error, x[i]);
            }
            filled = 0;
        }
        for (long bits = 0; bits <= top; bits += Stride)
        {
            float v = BitConverter.Int32BitsToSingle((int)bits);
            x[filled++] = v;
            x[filled++] = -v;
            if (filled == x.Length) Flush();
        }
        Array.Clear(x, filled, x.Length - filled);
        Flush();
        return (worst, at);
    }

    [Fact]
    public void Tanh_IsWithinOneUlp_FromZeroToSaturation()
    {
        var (worst, at) = Sweep((x, y) => FastMath.Tanh(x, y), Math.Tanh, 12f);
        Assert.True(worst <= 1, $"tanh is {worst} ulp off at x = {at:R}");
    }

    [Fact]
    public void Sigmoid_IsWithinTwoUlp_OverItsRange()
    {
        var (worst, at) = Sweep((x, y) => FastMath.Sigmoid(x, y), v => 1 / (1 + Math.Exp(-v)), 110f);
        Assert.True(worst <= 2, $"sigmoid is {worst} ulp off at x = {at:R}");
    }

    /// <summary>Distance in representable doubles.</summary>
    private static long Ulps(double actual, double expected)
    {
        if (double.IsNaN(actual) || double.IsNaN(expected)) return double.IsNaN(actual) && double.IsNaN(expected) ? 0 : long.MaxValue;
        static long Ordered(double v)
        {
            long bits = BitConverter.DoubleToInt64Bits(v);
            return bits < 0 ? -(bits & long.MaxValue) : bits;
        }
        return Math.Abs(Ordered(actual) - Ordered(expected));
    }

    [Fact]
    public void Double_TanhAndSigmoid_AreWithinAFewUlp_FromSubnormalsToSaturation()
    {
        // Log-uniform magnitudes from 1e-330 (subnormal) to 1e4, both signs, against the C library (within 1 ulp itself).
        var random = new Random(6);
        var x = new double[4096];
        var y = new double[x.Length];
        long worstTanh = 0, worstSigmoid = 0;
        double tanhAt = 0, sigmoidAt = 0;
        for (int decade = -330; decade < 4; decade++)
            for (int batch = 0; batch < 5; batch++)
            {
                for (int i = 0; i < x.Length; i++)
                    x[i] = (random.Next(2) == 0 ? 1 : -1) * Math.Pow(10, decade + random.NextDouble());
                FastMath.Tanh(x, y);
                for (int i = 0; i < x.Length; i++)
                {
                    long error = Ulps(y[i], Math.Tanh(x[i]));
                    if (error > worstTanh) (worstTanh, tanhAt) = (error, x[i]);
                }
                FastMath.Sigmoid(x, y);
                for (int i = 0; i < x.Length; i++)
                {
                    // e^x / (1 + e^x) for x < 0: 1/(1 + e^-x) would overflow to 0 before the result reaches the subnormals
                    double exact = x[i] < 0 ? Math.Exp(x[i]) / (1 + Math.Exp(x[i])) : 1 / (1 + Math.Exp(-x[i]));
                    long error = Ulps(y[i], exact);
                    if (error > worstSigmoid) (worstSigmoid, sigmoidAt) = (error, x[i]);
                }
            }
        Assert.True(worstTanh <= 4, $"double tanh is {worstTanh} ulp off at x = {tanhAt:R}");
        Assert.True(worstSigmoid <= 2, $"double sigmoid is {worstSigmoid} ulp off at x = {sigmoidAt:R}");
    }

    [Fact]
    public void Double_SpecialValues()
    {
        double[] x = [0, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e-300, 25, -800];
        var t = new double[x.Length];
        var s = new double[x.Length];
        FastMath.Tanh(x, t);
        FastMath.Sigmoid(x, s);
        Assert.Equal([0, -0.0, double.NaN, 1, -1, 1e-300, 1, -1], t);
        Assert.True(double.IsNegative(t[1]));
        Assert.Equal([0.5, 0.5, double.NaN, 1, 0, 0.5, 1 / (1 + Math.Exp(-25)), 0], s);
    }

    [Theory]
    [InlineData(0f, 0f, 0.5f)]
    [InlineData(float.PositiveInfinity, 1f, 1f)]
    [InlineData(float.NegativeInfinity, -1f, 0f)]
    [InlineData(9.5f, 1f, 0.99992515f)]
    [InlineData(-200f, -1f, 0f)]
    [InlineData(1e-30f, 1e-30f, 0.5f)]
    [InlineData(1e-5f, 1e-5f, 0.5000025f)]
    public void SpecialValues(float x, float tanh, float sigmoid)
    {
        var t = new float[1];
        var s = new float[1];
        FastMath.Tanh([x], t);
        FastMath.Sigmoid([x], s);
        Assert.Equal(tanh, t[0]);
        Assert.Equal(sigmoid, s[0]);
    }

    [Fact]
    public void NegativeZeroAndNaN_ArePreserved()
    {
        var y = new float[2];
        FastMath.Tanh([-0f, float.NaN], y);
        Assert.True(float.IsNegative(y[0]) && y[0] == 0);
        Assert.True(float.IsNaN(y[1]));
        FastMath.Sigmoid([float.NaN, -0f], y);
        Assert.True(float.IsNaN(y[0]));
        Assert.Equal(0.5f, y[1]);
    }

    [Fact]
    public void AnElementsResult_DoesNotDependOnItsPositionInTheSpan()
    {
        var random = new Rnn.Tensors.SeededRandom(4);
        var x = new float[37];
        random.FillNormal<float>(x, 0, 3);
        var whole = new float[x.Length];
        FastMath.Tanh(x, whole);
        var alone = new float[1];
        for (int i = 0; i < x.Length; i++)
        {
            FastMath.Tanh(x.AsSpan(i, 1), alone);
            Assert.Equal(BitConverter.SingleToInt32Bits(whole[i]), BitConverter.SingleToInt32Bits(alone[0]));
        }
    }

    [Fact]
    public void ActivationForward_Float_KeepsSmallInputsExact()
    {
        // The regression: a tanh built on exp(2x) − 1 loses the digits of small x.
        float[] x = [1e-5f, 1e-3f, -2e-4f, 3e-8f];
        var y = new float[x.Length];
        Activation.Forward<float>(Nonlinearity.Tanh, x, y);
        for (int i = 0; i < x.Length; i++)
            Assert.True(Ulps(y[i], Math.Tanh(x[i])) <= 1, $"tanh({x[i]:R}) = {y[i]:R}, exact {Math.Tanh(x[i]):R}");
    }
}
