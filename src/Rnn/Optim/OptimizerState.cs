using System.Numerics;

namespace Rnn.Optim;

/// <summary>
/// One named state buffer of an <see cref="Optimizer{T}"/>, e.g. Adam's <c>exp_avg</c>: one element per scalar
/// parameter, laid out like <see cref="Tensors.ParameterSet{T}.Values"/>.
/// </summary>
public sealed class OptimizerState<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    internal OptimizerState(string name, int length)
    {
        Name = name;
        Buffer = new T[length];
    }

    /// <summary>The state's name: <c>momentum</c> (SGD), <c>sum_squares</c> (Adagrad), <c>exp_avg</c> and <c>exp_avg_sq</c> (Adam).</summary>
    public string Name { get; }

    /// <summary>The current contents; restore them with <see cref="Optimizer{T}.LoadState"/>.</summary>
    public ReadOnlySpan<T> Values => Buffer;

    // Mutable access for the owning optimizer only, so a restore always goes through the length check.
    internal T[] Buffer { get; }
}
