using System.Numerics;
using System.Numerics.Tensors;
using Rnn.Tensors;

namespace Rnn.Optim;

/// <summary>
/// Adagrad, PyTorch's <c>torch.optim.Adagrad</c> with lr_decay 0, weight decay 0 and initial accumulator 0. Per
/// element, with gradient g and learning rate lr:
/// <code>
/// s ← s + g²
/// θ ← θ − lr · g / (√s + ε)
/// </code>
/// The state is <c>sum_squares</c> (s).
/// </summary>
public sealed class Adagrad<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    internal const string Id = "adagrad";

    private readonly T[] _sumSquares;

    /// <summary>Creates Adagrad over <paramref name="parameters"/>.</summary>
    /// <param name="epsilon">ε ≥ 0, finite; PyTorch's default 1e-10.</param>
    public Adagrad(ParameterSet<T> parameters, double learningRate, double epsilon = 1e-10)
        : base(parameters, learningRate)
    {
        if (!(epsilon >= 0 && double.IsFinite(epsilon)))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Epsilon must be non-negative and finite.");
        Epsilon = epsilon;
        _sumSquares = AddState("sum_squares");
    }

    /// <inheritdoc/>
    public override string Name => Id;

    /// <summary>ε.</summary>
    public double Epsilon { get; }

    private protected override void Update(Span<T> values, ReadOnlySpan<T> gradients, long step)
    {
        T negativeRate = -T.CreateChecked(LearningRate);
        T epsilon = T.CreateChecked(Epsilon);
        Span<T> scratch = stackalloc T[ChunkLength];
        for (int start = 0; start < values.Length; start += ChunkLength)
        {
            int n = Math.Min(ChunkLength, values.Length - start);
            ReadOnlySpan<T> g = gradients.Slice(start, n);
            Span<T> s = _sumSquares.AsSpan(start, n);
            Span<T> theta = values.Slice(start, n);
            Span<T> t = scratch[..n];
            TensorPrimitives.MultiplyAdd(g, g, s, s);
            TensorPrimitives.Sqrt(s, t);
            TensorPrimitives.Add(t, epsilon, t);
            TensorPrimitives.Divide(g, t, t);
            TensorPrimitives.MultiplyAdd(t, negativeRate, theta, theta);
        }
    }
}
