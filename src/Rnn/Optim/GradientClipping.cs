// Gradient clipping as PyTorch's torch.nn.utils.clip_grad_norm_ / clip_grad_value_, over the whole gradient buffer.
using System.Numerics;
using System.Numerics.Tensors;

namespace Rnn.Optim;

/// <summary>Clipping of a gradient buffer such as <see cref="Tensors.ParameterSet{T}.Gradients"/>.</summary>
public static class GradientClipping
{
    /// <summary>The term PyTorch's <c>clip_grad_norm_</c> adds to the norm before dividing.</summary>
    public const double NormEpsilon = 1e-6;

    /// <summary>
    /// Computes the global L2 norm ‖g‖ = √(Σᵢ gᵢ²) of <paramref name="gradients"/>, accumulated in double in index
    /// order; then, like PyTorch's <c>clip_grad_norm_</c>, multiplies every gᵢ by c = maxNorm / (‖g‖ + 1e-6) when
    /// c &lt; 1 (so ‖g‖ ends up at most maxNorm). A NaN or infinite norm leaves the gradients untouched: the caller
    /// should skip the step.
    /// </summary>
    /// <param name="maxNorm">The largest allowed norm; positive and finite.</param>
    /// <returns>‖g‖ before clipping (NaN or +∞ as computed).</returns>
    public static double ClipByGlobalNorm<T>(Span<T> gradients, double maxNorm) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(maxNorm > 0 && double.IsFinite(maxNorm)))
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The maximum norm must be positive and finite.");
        double norm = GlobalNorm<T>(gradients);
        if (!double.IsFinite(norm)) return norm;
        double scale = maxNorm / (norm + NormEpsilon);
        if (scale < 1) TensorPrimitives.Multiply(gradients, T.CreateChecked(scale), gradients);
        return norm;
    }

    /// <summary>
    /// The L2 norm √(Σᵢ gᵢ²) of <paramref name="values"/>, each element widened to double and summed in index order.
    /// </summary>
    public static double GlobalNorm<T>(ReadOnlySpan<T> values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // A plain sequential sum rather than a vectorised one: the summation order, and so the norm to the last bit,
        // is then the same on every machine whatever its vector width.
        double sum = 0;
        foreach (T v in values)
        {
            double d = double.CreateTruncating(v);
            sum += d * d;
        }
        return Math.Sqrt(sum);
    }

    /// <summary>
    /// Clamps every gᵢ to [−limit, limit], PyTorch's <c>clip_grad_value_</c>; NaN elements stay NaN.
    /// </summary>
    /// <param name="limit">The largest allowed magnitude; positive and finite.</param>
    public static void ClipByValue<T>(Span<T> gradients, double limit) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(limit > 0 && double.IsFinite(limit)))
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "The clipping limit must be positive and finite.");
        T max = T.CreateChecked(limit);
        TensorPrimitives.Clamp(gradients, -max, max, gradients);
    }
}
