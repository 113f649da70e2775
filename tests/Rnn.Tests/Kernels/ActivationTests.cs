using System.Numerics;
using Rnn.Kernels;
using Rnn.Tensors;

namespace Rnn.Tests.Kernels;

/// <summary>Every activation against a scalar reference, for every length 0..256 so that every vector tail is hit.</summary>
public abstract class ActivationTests<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    protected abstract double Tolerance { get; }

    private static double Reference(Nonlinearity f, double x) => f switch
    {
        Nonlinearity.Tanh => Math.Tanh(x),
        Nonlinearity.Sigmoid => 1 / (1 + Math.Exp(-x)),
        Nonlinearity.Relu => Math.Max(0, x),
        _ => x,
    };

    private static double ReferenceDerivative(Nonlinearity f, double s) => f switch
    {
        Nonlinearity.Tanh => 1 - s * s,
        Nonlinearity.Sigmoid => s * (1 - s),
        Nonlinearity.Relu => s > 0 ? 1 : 0,
        _ => 1,
    };

    public static TheoryData<Nonlinearity> All() => new(Enum.GetValues<Nonlinearity>());

    [Theory]
    [MemberData(nameof(All))]
    public void Forward_EveryLength_MatchesScalarReference(Nonlinearity f)
    {
        var random = new SeededRandom(1);
        for (int n = 0; n <= 256; n++)
        {
            var x = new T[n];
            random.FillNormal<T>(x, 0, 3);
            var y = new T[n];
            Activation.Forward<T>(f, x, y);
            for (int i = 0; i < n; i++)
            {
                double expected = Reference(f, double.CreateChecked(x[i]));
                Assert.True(Math.Abs(double.CreateChecked(y[i]) - expected) <= Tolerance * Math.Max(1, Math.Abs(expected)),
                    $"{f} n={n} i={i}: {y[i]} vs {expected}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Backward_EveryLength_IsGradientTimesDerivativeFromOutput(Nonlinearity f)
    {
        var random = new SeededRandom(2);
        for (int n = 0; n <= 256; n++)
        {
            var x = new T[n];
            var g = new T[n];
            random.FillNormal<T>(x, 0, 3);
            random.FillNormal<T>(g, 0, 1);
            var s = new T[n];
            Activation.Forward<T>(f, x, s);
            var dx = new T[n];
            Activation.Backward<T>(f, s, g, dx);
            for (int i = 0; i < n; i++)
            {
                double expected = double.CreateChecked(g[i]) * ReferenceDerivative(f, double.CreateChecked(s[i]));
                Assert.True(Math.Abs(double.CreateChecked(dx[i]) - expected) <= Tolerance * Math.Max(1, Math.Abs(expected)),
                    $"{f} n={n} i={i}: {dx[i]} vs {expected}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(All))]
    public void ForwardAndBackward_InPlace_GiveTheSameAsOutOfPlace(Nonlinearity f)
    {
        var random = new SeededRandom(3);
        var x = new T[77];
        random.FillNormal<T>(x, 0, 2);
        var expected = new T[77];
        Activation.Forward<T>(f, x, expected);
        var inPlace = (T[])x.Clone();
        Activation.Forward<T>(f, inPlace, inPlace);
        Assert.Equal(expected, inPlace);

        var g = (T[])x.Clone();
        var dx = new T[77];
        Activation.Backward<T>(f, expected, g, dx);
        Activation.Backward<T>(f, expected, g, g);
        Assert.Equal(dx, g);
    }

    [Fact]
    public void Forward_MismatchedLengths_Throws()
    {
        Assert.Throws<ArgumentException>(() => Activation.Forward<T>(Nonlinearity.Tanh, new T[3], new T[4]));
        Assert.Throws<ArgumentException>(() => Activation.Backward<T>(Nonlinearity.Tanh, new T[3], new T[3], new T[2]));
    }

    [Fact]
    public void Relu_NaN_StaysNaN()
    {
        var y = new T[1];
        Activation.Forward<T>(Nonlinearity.Relu, [T.NaN], y);
        Assert.True(T.IsNaN(y[0]));
    }

    [Fact]
    public void Parse_KnownAndUnknownNames()
    {
        foreach (var f in Enum.GetValues<Nonlinearity>()) Assert.Equal(f, Activation.Parse(Activation.Name(f)));
        Assert.Throws<ArgumentException>(() => Activation.Parse("softplus"));
    }
}

public sealed class ActivationTestsFloat : ActivationTests<float>
{
    protected override double Tolerance => 2e-6;
}

public sealed class ActivationTestsDouble : ActivationTests<double>
{
    protected override double Tolerance => 1e-14;
}
