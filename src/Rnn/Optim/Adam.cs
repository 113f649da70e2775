using System.Numerics;
using System.Numerics.Tensors;
using Rnn.Tensors;

namespace Rnn.Optim;

/// <summary>
/// Adam, PyTorch's <c>torch.optim.Adam</c> with weight decay 0 and amsgrad off. Per element, with gradient g,
/// learning rate lr and t = <see cref="Optimizer{T}.StepCount"/> after the increment (1 on the first step):
/// <code>
/// m ← β1·m + (1 − β1)·g
/// v ← β2·v + (1 − β2)·g²
/// θ ← θ − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
/// </code>
/// which is θ ← θ − lr·m̂/(√v̂ + ε) with m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ), arranged as PyTorch computes it.
/// Like PyTorch, the scalars lr/(1 − β1ᵗ) and √(1 − β2ᵗ) are computed in double, the element-wise work in T.
/// The state is <c>exp_avg</c> (m) and <c>exp_avg_sq</c> (v).
/// </summary>
public sealed class Adam<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    internal const string Id = "adam";

    private readonly T[] _expAvg;
    private readonly T[] _expAvgSq;

    /// <summary>Creates Adam over <paramref name="parameters"/>.</summary>
    /// <param name="beta1">β1 in [0, 1); PyTorch's default 0.9.</param>
    /// <param name="beta2">β2 in [0, 1); PyTorch's default 0.999.</param>
    /// <param name="epsilon">ε ≥ 0, finite; PyTorch's default 1e-8.</param>
    public Adam(ParameterSet<T> parameters, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
        : base(parameters, learningRate)
    {
        if (!(beta1 >= 0 && beta1 < 1))
            throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "β1 must be in [0, 1).");
        if (!(beta2 >= 0 && beta2 < 1))
            throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "β2 must be in [0, 1).");
        if (!(epsilon >= 0 && double.IsFinite(epsilon)))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Epsilon must be non-negative and finite.");
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        _expAvg = AddState("exp_avg");
        _expAvgSq = AddState("exp_avg_sq");
    }

    /// <inheritdoc/>
    public override string Name => Id;

    /// <summary>β1, the decay rate of the first-moment estimate m.</summary>
    public double Beta1 { get; }

    /// <summary>β2, the decay rate of the second-moment estimate v.</summary>
    public double Beta2 { get; }

    /// <summary>ε.</summary>
    public double Epsilon { get; }

    private protected override void Update(Span<T> values, ReadOnlySpan<T> gradients, long step)
    {
        T beta1 = T.CreateChecked(Beta1), oneMinusBeta1 = T.CreateChecked(1 - Beta1);
        T beta2 = T.CreateChecked(Beta2), oneMinusBeta2 = T.CreateChecked(1 - Beta2);
        T epsilon = T.CreateChecked(Epsilon);
        T negativeStepSize = T.CreateChecked(-LearningRate / (1 - Math.Pow(Beta1, step)));
        T biasCorrection2Sqrt = T.CreateChecked(Math.Sqrt(1 - Math.Pow(Beta2, step)));

        Span<T> scratch = stackalloc T[ChunkLength];
        for (int start = 0; start < values.Length; start += ChunkLength)
        {
            int n = Math.Min(ChunkLength, values.Length - start);
            ReadOnlySpan<T> g = gradients.Slice(start, n);
            Span<T> m = _expAvg.AsSpan(start, n);
            Span<T> v = _expAvgSq.AsSpan(start, n);
            Span<T> theta = values.Slice(start, n);
            Span<T> t = scratch[..n];

            TensorPrimitives.Multiply(g, oneMinusBeta1, t);
            TensorPrimitives.MultiplyAdd(m, beta1, t, m);
            TensorPrimitives.Multiply(g, g, t);
            TensorPrimitives.Multiply(t, oneMinusBeta2, t);
            TensorPrimitives.MultiplyAdd(v, beta2, t, v);

            TensorPrimitives.Sqrt(v, t);
            TensorPrimitives.Divide(t, biasCorrection2Sqrt, t);
            TensorPrimitives.Add(t, epsilon, t);
            TensorPrimitives.Divide(m, t, t);
            TensorPrimitives.MultiplyAdd(t, negativeStepSize, theta, theta);
        }
    }
}
