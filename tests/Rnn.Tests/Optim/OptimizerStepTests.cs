// Each optimizer against a step sequence worked out by hand from its formula, on θ₀ = [1, −2, 3] with the fixed
// gradients below (not derived from θ, so every number can be followed on paper). The expected values were
// computed exactly (50-digit decimals) from the formulas in the classes' docs; doubles must agree to 1e-15 relative,
// floats to 1e-6.
using System.Numerics;
using Rnn.Optim;
using Rnn.Tensors;

namespace Rnn.Tests.Optim;

public abstract class OptimizerStepTests<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly double Tolerance = typeof(T) == typeof(double) ? 1e-15 : 1e-6;

    private static readonly double[] Theta0 = [1, -2, 3];

    private static readonly double[][] Gradients =
    [
        [0.5, -1, 2],
        [-0.25, 0.75, 1.5],
        [1, 0.5, -0.125],
    ];

    [Fact]
    public void Sgd_ThreeSteps_MatchesHandComputed()
    {
        // θ ← θ − 0.1·g
        // θ₁ = [1 − 0.05, −2 + 0.1, 3 − 0.2]          = [0.95, −1.9, 2.8]
        // θ₂ = [0.95 + 0.025, −1.9 − 0.075, 2.8 − 0.15] = [0.975, −1.975, 2.65]
        // θ₃ = [0.975 − 0.1, −1.975 − 0.05, 2.65 + 0.0125] = [0.875, −2.025, 2.6625]
        AssertSequence(p => new Sgd<T>(p, 0.1),
        [
            [0.95, -1.9, 2.8],
            [0.975, -1.975, 2.65],
            [0.875, -2.025, 2.6625],
        ]);
    }

    [Fact]
    public void SgdMomentum_ThreeSteps_MatchesHandComputed()
    {
        // μ = 0.9, lr = 0.1: v₁ = g₁ = [0.5, −1, 2]; v₂ = 0.9·v₁ + g₂ = [0.2, −0.15, 3.3];
        // v₃ = 0.9·v₂ + g₃ = [1.18, 0.365, 2.845]; θ ← θ − 0.1·v
        AssertSequence(p => new Sgd<T>(p, 0.1, momentum: 0.9),
        [
            [0.95, -1.9, 2.8],
            [0.93, -1.885, 2.47],
            [0.812, -1.9215, 2.1855],
        ]);
    }

    [Fact]
    public void SgdNesterov_ThreeSteps_MatchesHandComputed()
    {
        // v as with plain momentum; θ ← θ − 0.1·(g + 0.9·v):
        // d₁ = [0.95, −1.9, 3.8], d₂ = [−0.07, 0.615, 4.47], d₃ = [2.062, 0.8285, 2.4355]
        AssertSequence(p => new Sgd<T>(p, 0.1, momentum: 0.9, nesterov: true),
        [
            [0.905, -1.81, 2.62],
            [0.912, -1.8715, 2.173],
            [0.7058, -1.95435, 1.92945],
        ]);
    }

    [Fact]
    public void Adagrad_ThreeSteps_MatchesHandComputed()
    {
        // lr = 0.1, ε = 1e-10: s₁ = [0.25, 1, 4], s₂ = [0.3125, 1.5625, 6.25], s₃ = [1.3125, 1.8125, 6.265625];
        // θ ← θ − 0.1·g/(√s + ε), e.g. θ₁[0] = 1 − 0.05/(0.5 + 1e-10) = 0.90000000002,
        // θ₂[0] = θ₁[0] + 0.025/(√0.3125 + 1e-10) = 0.944721359562...
        AssertSequence(p => new Adagrad<T>(p, 0.1),
        [
            [0.90000000002, -1.90000000001, 2.900000000005],
            [0.94472135956199579393, -1.9600000000052, 2.8400000000074],
            [0.85743420347521788904, -1.9971390676378517519, 2.8449937617015897221],
        ]);
    }

    [Fact]
    public void Adam_ThreeSteps_MatchesHandComputed()
    {
        // lr = 0.1, β1 = 0.9, β2 = 0.999, ε = 1e-8.
        // t = 1: m̂ = g₁ = [0.5, −1, 2], v̂ = g₁² = [0.25, 1, 4], so θ₁ = θ₀ − 0.1·g/(|g| + 1e-8).
        // t = 2: m = [0.02, −0.015, 0.33], m̂ = m/0.19; v = [0.00031225, 0.0015615, 0.006246],
        //        v̂ = v/0.001999 = [0.156203101550775..., 0.781140570285142..., 3.124562281140570...].
        // t = 3: m = [0.118, 0.0365, 0.2845], m̂ = m/0.271; v̂ = v/0.002997001.
        AssertSequence(p => new Adam<T>(p, 0.1),
        [
            [0.90000000199999996, -1.90000000099999999, 2.9000000004999999975],
            [0.87336629870784616256, -1.8910675003605355122, 2.8017424929100234166],
            [0.80755513967708961557, -1.9083989585109237292, 2.7290767685910973373],
        ]);
    }

    [Fact]
    public void Step_DoesNotZeroGradients()
    {
        var (p, w) = TinySet();
        Gradients[0].Select(T.CreateChecked).ToArray().CopyTo(p.Gradient(w));
        new Adam<T>(p, 0.1).Step();
        Assert.Equal(Gradients[0], p.Gradients.Select(double.CreateChecked));
    }

    private static (ParameterSet<T>, Parameter) TinySet()
    {
        var p = new ParameterSet<T>();
        var w = p.Add("w", 3);
        Theta0.Select(T.CreateChecked).ToArray().CopyTo(p.Value(w));
        return (p, w);
    }

    private static void AssertSequence(Func<ParameterSet<T>, Optimizer<T>> create, double[][] expected)
    {
        var (p, w) = TinySet();
        var optimizer = create(p);
        for (int step = 0; step < expected.Length; step++)
        {
            Gradients[step].Select(T.CreateChecked).ToArray().CopyTo(p.Gradient(w));
            optimizer.Step();
            Assert.Equal(step + 1, optimizer.StepCount);
            for (int i = 0; i < 3; i++)
            {
                double actual = double.CreateChecked(p.Value(w)[i]);
                double error = Math.Abs(actual - expected[step][i]) / Math.Abs(expected[step][i]);
                Assert.True(error <= Tolerance,
                    $"step {step + 1}, θ[{i}] = {actual:R}, expected {expected[step][i]:R} (relative error {error:E2})");
            }
        }
    }
}

public sealed class OptimizerStepSingleTests : OptimizerStepTests<float>;

public sealed class OptimizerStepDoubleTests : OptimizerStepTests<double>;
