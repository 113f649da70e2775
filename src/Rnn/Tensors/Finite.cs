// The finite-value check that guards training, loading and every update: a NaN or ±∞ anywhere in a buffer.
using System.Numerics;
using System.Numerics.Tensors;

namespace Rnn.Tensors;

/// <summary>Checks a buffer (parameters, gradients, optimizer state, a carried state) for NaN and ±∞.</summary>
public static class Finite
{
    /// <summary>Whether no element of <paramref name="values"/> is NaN or ±∞ (true when empty).</summary>
    public static bool All<T>(ReadOnlySpan<T> values) where T : unmanaged, IFloatingPointIeee754<T>
        // TensorPrimitives.IsFiniteAll answers false for an empty span (System.Numerics.Tensors 10.0.0).
        => values.IsEmpty || TensorPrimitives.IsFiniteAll(values);
}
