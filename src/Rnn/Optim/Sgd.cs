using System.Numerics;
using System.Numerics.Tensors;
using Rnn.Tensors;

namespace Rnn.Optim;

/// <summary>
/// Stochastic gradient descent, PyTorch's <c>torch.optim.SGD</c> with dampening 0 and weight decay 0. Per element,
/// with gradient g, momentum μ and learning rate lr:
/// <list type="bullet">
/// <item>μ = 0: θ ← θ − lr·g.</item>
/// <item>μ &gt; 0: v ← g on the first step, v ← μ·v + g afterwards; then θ ← θ − lr·v,
/// or with Nesterov θ ← θ − lr·(g + μ·v).</item>
/// </list>
/// The state is <c>momentum</c> (v) when μ &gt; 0, none otherwise.
/// </summary>
public sealed class Sgd<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    internal const string Id = "sgd";

    private readonly T[]? _velocity;

    /// <summary>Creates SGD over <paramref name="parameters"/>.</summary>
    /// <param name="momentum">μ ≥ 0, finite; 0 (the default) for plain SGD.</param>
    /// <param name="nesterov">Use Nesterov momentum; needs μ &gt; 0.</param>
    public Sgd(ParameterSet<T> parameters, double learningRate, double momentum = 0, bool nesterov = false)
        : base(parameters, learningRate)
    {
        if (!(momentum >= 0 && double.IsFinite(momentum)))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must be non-negative and finite.");
        if (nesterov && momentum == 0)
            throw new ArgumentException("Nesterov momentum needs a positive momentum.", nameof(nesterov));
        Momentum = momentum;
        Nesterov = nesterov;
        if (momentum > 0) _velocity = AddState("momentum");
    }

    /// <inheritdoc/>
    public override string Name => Id;

    /// <summary>μ.</summary>
    public double Momentum { get; }

    /// <summary>Whether the update uses Nesterov momentum.</summary>
    public bool Nesterov { get; }

    private protected override void Update(Span<T> values, ReadOnlySpan<T> gradients, long step)
    {
        T negativeRate = -T.CreateChecked(LearningRate);
        if (_velocity is null)
        {
            TensorPrimitives.MultiplyAdd(gradients, negativeRate, values, values);
            return;
        }

        T mu = T.CreateChecked(Momentum);
        // PyTorch starts the buffer as a copy of the first gradient rather than μ·0 + g.
        if (step == 1) gradients.CopyTo(_velocity);
        else TensorPrimitives.MultiplyAdd(_velocity, mu, gradients, _velocity);

        if (!Nesterov)
        {
            TensorPrimitives.MultiplyAdd(_velocity, negativeRate, values, values);
            return;
        }
        Span<T> scratch = stackalloc T[ChunkLength];
        for (int start = 0; start < values.Length; start += ChunkLength)
        {
            int n = Math.Min(ChunkLength, values.Length - start);
            Span<T> direction = scratch[..n];
            Span<T> theta = values.Slice(start, n);
            TensorPrimitives.MultiplyAdd(_velocity.AsSpan(start, n), mu, gradients.Slice(start, n), direction);
            TensorPrimitives.MultiplyAdd(direction, negativeRate, theta, theta);
        }
    }
}
