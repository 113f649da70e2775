// Sanity: every optimizer minimises a badly scaled quadratic f(θ) = ½ Σ aᵢ (θᵢ − cᵢ)², whose gradient is aᵢ (θᵢ − cᵢ).
using System.Numerics;
using Rnn.Optim;
using Rnn.Tensors;

namespace Rnn.Tests.Optim;

public abstract class OptimizerConvergenceTests<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static TheoryData<string, double, double, int> Settings() => new()
    {
        // name, learning rate, momentum, steps
        { "sgd", 0.4, 0, 300 },
        { "sgd", 0.05, 0.9, 500 },
        { "adagrad", 0.5, 0, 1000 },
        { "adam", 0.02, 0, 2000 },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void Step_Quadratic_ReachesMinimum(string name, double learningRate, double momentum, int steps)
    {
        const int n = 20;
        var random = new SeededRandom(42);
        var a = new double[n];
        var c = new double[n];
        random.FillUniform<double>(a, 0.1, 2);
        random.FillUniform<double>(c, -3, 3);
        var p = new ParameterSet<T>();
        var w = p.Add("w", n);
        var optimizer = Optimizer<T>.Create(name, p, learningRate, momentum);

        for (int step = 0; step < steps; step++)
        {
            p.ZeroGradients();
            Span<T> theta = p.Value(w), g = p.Gradient(w);
            for (int i = 0; i < n; i++) g[i] = T.CreateChecked(a[i]) * (theta[i] - T.CreateChecked(c[i]));
            optimizer.Step();
        }

        for (int i = 0; i < n; i++)
        {
            double error = Math.Abs(double.CreateChecked(p.Value(w)[i]) - c[i]);
            Assert.True(error < 1e-3, $"{name}: θ[{i}] is {error:E2} from its minimum after {steps} steps.");
        }
    }
}

public sealed class OptimizerConvergenceSingleTests : OptimizerConvergenceTests<float>;

public sealed class OptimizerConvergenceDoubleTests : OptimizerConvergenceTests<double>;
