// Resuming from saved state must continue exactly where the uninterrupted run would be, and the chunked, vectorised
// updates must equal the same formula applied one element at a time, across chunk boundaries and vector tails.
using System.Numerics;
using System.Runtime.InteropServices;
using Rnn.Optim;
using Rnn.Tensors;

namespace Rnn.Tests.Optim;

public abstract class OptimizerStateTests<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    // Not a multiple of any chunk or vector width.
    private const int Size = 1003;

    public static TheoryData<string, double> Configurations() => new()
    {
        { "sgd", 0 },
        { "sgd", 0.9 },
        { "adagrad", 0 },
        { "adam", 0 },
    };

    public static TheoryData<string, double> StatefulConfigurations() => new()
    {
        { "sgd", 0.9 },
        { "adagrad", 0 },
        { "adam", 0 },
    };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void LoadState_AfterFiveSteps_ContinuesBitIdentically(string name, double momentum)
    {
        var uninterrupted = NewSet();
        var reference = Optimizer<T>.Create(name, uninterrupted, 0.01, momentum);
        Run(reference, 0, 10);

        var first = NewSet();
        var before = Optimizer<T>.Create(name, first, 0.01, momentum);
        Run(before, 0, 5);
        T[] savedValues = first.Values.ToArray();
        var savedState = before.State.Select(s => (s.Name, Values: s.Values.ToArray())).ToList();
        long savedSteps = before.StepCount;

        var second = NewSet();
        savedValues.CopyTo(second.Values, 0);
        var after = Optimizer<T>.Create(name, second, 0.01, momentum);
        foreach (var (stateName, values) in savedState) after.LoadState(stateName, values);
        after.StepCount = savedSteps;
        Run(after, 5, 10);

        Assert.Equal(10, after.StepCount);
        AssertBitwiseEqual(uninterrupted.Values, second.Values);
        Assert.Equal(reference.State.Select(s => s.Name), after.State.Select(s => s.Name));
        for (int i = 0; i < reference.State.Count; i++)
            AssertBitwiseEqual(reference.State[i].Values, after.State[i].Values);
    }

    [Theory]
    [MemberData(nameof(StatefulConfigurations))]
    public void Resume_WithoutLoadingState_Diverges(string name, double momentum)
    {
        // The control for the test above: the state really matters, so bit-identity there is not a coincidence.
        var uninterrupted = NewSet();
        var reference = Optimizer<T>.Create(name, uninterrupted, 0.01, momentum);
        Run(reference, 0, 10);

        var first = NewSet();
        Run(Optimizer<T>.Create(name, first, 0.01, momentum), 0, 5);
        var fresh = Optimizer<T>.Create(name, first, 0.01, momentum);
        Run(fresh, 5, 10);
        Assert.False(uninterrupted.Values.AsSpan().SequenceEqual(first.Values));
    }

    [Fact]
    public void State_Names_AreTheDocumentedOnes()
    {
        var p = NewSet();
        Assert.Empty(new Sgd<T>(p, 0.1).State);
        Assert.Equal(["momentum"], new Sgd<T>(p, 0.1, momentum: 0.5).State.Select(s => s.Name));
        Assert.Equal(["sum_squares"], new Adagrad<T>(p, 0.1).State.Select(s => s.Name));
        Assert.Equal(["exp_avg", "exp_avg_sq"], new Adam<T>(p, 0.1).State.Select(s => s.Name));
        Assert.All(new Adam<T>(p, 0.1).State, s => Assert.Equal(Size, s.Values.Length));
    }

    [Fact]
    public void SgdMomentum_ManySteps_MatchesScalarFormula()
    {
        T lr = T.CreateChecked(0.01), mu = T.CreateChecked(0.9);
        var v = new T[Size];
        AssertMatchesScalar(p => new Sgd<T>(p, 0.01, momentum: 0.9), (theta, g, step) =>
        {
            for (int i = 0; i < Size; i++)
            {
                v[i] = step == 1 ? g[i] : v[i] * mu + g[i];
                theta[i] = v[i] * -lr + theta[i];
            }
        });
    }

    [Fact]
    public void SgdNesterov_ManySteps_MatchesScalarFormula()
    {
        T lr = T.CreateChecked(0.01), mu = T.CreateChecked(0.9);
        var v = new T[Size];
        AssertMatchesScalar(p => new Sgd<T>(p, 0.01, momentum: 0.9, nesterov: true), (theta, g, step) =>
        {
            for (int i = 0; i < Size; i++)
            {
                v[i] = step == 1 ? g[i] : v[i] * mu + g[i];
                theta[i] = (v[i] * mu + g[i]) * -lr + theta[i];
            }
        });
    }

    [Fact]
    public void Adagrad_ManySteps_MatchesScalarFormula()
    {
        T lr = T.CreateChecked(0.01), eps = T.CreateChecked(1e-10);
        var s = new T[Size];
        AssertMatchesScalar(p => new Adagrad<T>(p, 0.01), (theta, g, _) =>
        {
            for (int i = 0; i < Size; i++)
            {
                s[i] = g[i] * g[i] + s[i];
                theta[i] = g[i] / (T.Sqrt(s[i]) + eps) * -lr + theta[i];
            }
        });
    }

    [Fact]
    public void Adam_ManySteps_MatchesScalarFormula()
    {
        T b1 = T.CreateChecked(0.9), c1 = T.CreateChecked(1 - 0.9), b2 = T.CreateChecked(0.999), c2 = T.CreateChecked(1 - 0.999);
        T eps = T.CreateChecked(1e-8);
        var m = new T[Size];
        var v = new T[Size];
        AssertMatchesScalar(p => new Adam<T>(p, 0.01), (theta, g, step) =>
        {
            T stepSize = T.CreateChecked(0.01 / (1 - Math.Pow(0.9, step)));
            T bc2Sqrt = T.CreateChecked(Math.Sqrt(1 - Math.Pow(0.999, step)));
            for (int i = 0; i < Size; i++)
            {
                m[i] = m[i] * b1 + g[i] * c1;
                v[i] = v[i] * b2 + g[i] * g[i] * c2;
                theta[i] = m[i] / (T.Sqrt(v[i]) / bc2Sqrt + eps) * -stepSize + theta[i];
            }
        });
    }

    private static void AssertMatchesScalar(Func<ParameterSet<T>, Optimizer<T>> create, Action<T[], T[], long> scalarStep)
    {
        var p = NewSet();
        var optimizer = create(p);
        T[] theta = p.Values.ToArray();
        for (int step = 0; step < 7; step++)
        {
            FillGradients(p, step);
            optimizer.Step();
            scalarStep(theta, p.Gradients, step + 1);
            AssertBitwiseEqual(theta, p.Values);
        }
    }

    private static ParameterSet<T> NewSet()
    {
        var p = new ParameterSet<T>();
        p.Add("a", 17, 31);
        p.Add("b", Size - 17 * 31);
        new SeededRandom(5).FillNormal<T>(p.Values, 0, 1);
        return p;
    }

    // g = θ − 0.5 + noise: depends on θ, so any divergence in the parameters shows up in later gradients too.
    private static void FillGradients(ParameterSet<T> p, int step)
    {
        new SeededRandom(1000 + (ulong)step).FillNormal<T>(p.Gradients, 0, 0.1);
        for (int i = 0; i < p.Count; i++) p.Gradients[i] += p.Values[i] - T.CreateChecked(0.5);
    }

    private static void Run(Optimizer<T> optimizer, int fromStep, int toStep)
    {
        for (int step = fromStep; step < toStep; step++)
        {
            FillGradients(optimizer.Parameters, step);
            optimizer.Step();
        }
    }

    private static void AssertBitwiseEqual(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (!MemoryMarshal.AsBytes(expected.Slice(i, 1)).SequenceEqual(MemoryMarshal.AsBytes(actual.Slice(i, 1))))
                Assert.Fail($"Element {i}: expected {expected[i]:R}, got {actual[i]:R}.");
    }
}

public sealed class OptimizerStateSingleTests : OptimizerStateTests<float>;

public sealed class OptimizerStateDoubleTests : OptimizerStateTests<double>;
