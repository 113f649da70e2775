// L = (1/N) Σ_i (p_i − y_i)², ∂L/∂p_i = 2 (p_i − y_i) / N, over all N elements.
using System.Numerics;
using System.Numerics.Tensors;

namespace Rnn.Losses;

/// <summary>Mean squared error over all elements, PyTorch's <c>MSELoss(reduction='mean')</c>.</summary>
public static class MeanSquaredError
{
    /// <summary>Returns the mean of (prediction − target)² and writes its gradient with respect to the prediction.</summary>
    /// <param name="prediction">[N].</param>
    /// <param name="target">[N].</param>
    /// <param name="dPrediction">[N], overwritten.</param>
    public static T LossAndGradient<T>(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, Span<T> dPrediction)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (target.Length != prediction.Length)
            throw new ArgumentException($"target has {target.Length} elements; the prediction has {prediction.Length}.", nameof(target));
        if (dPrediction.Length != prediction.Length)
            throw new ArgumentException($"dPrediction has {dPrediction.Length} elements; expected {prediction.Length}.", nameof(dPrediction));
        if (prediction.IsEmpty) return T.Zero;
        TensorPrimitives.Subtract(prediction, target, dPrediction);
        T n = T.CreateChecked(prediction.Length);
        T loss = TensorPrimitives.SumOfSquares<T>(dPrediction) / n;
        TensorPrimitives.Multiply(dPrediction, (T.One + T.One) / n, dPrediction);
        return loss;
    }
}
