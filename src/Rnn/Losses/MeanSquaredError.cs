// L = (1/N) Σ_i (p_i − y_i)², ∂L/∂p_i = 2 (p_i − y_i) / N, over all N elements.
// Weighted rows [R, F] (a mask of valid steps): L = Σ_r w_r Σ_j (p_rj − y_rj)² / (F Σ_r w_r), ∂L/∂p_rj = 2 w_r (p_rj − y_rj) / (F Σ w).
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

    /// <summary>
    /// Returns the weighted mean of (prediction − target)² over rows, Σ_r w_r Σ_j (p − y)² / (F Σ_r w_r), and writes its
    /// gradient: rows of weight 0 (padded steps under a 0/1 mask) contribute nothing and get a zero gradient.
    /// </summary>
    /// <param name="prediction">[R, F], R = <paramref name="rowWeights"/>.Length (for sequences, rows are time-major t·B + b).</param>
    /// <param name="target">[R, F].</param>
    /// <param name="rowWeights">w [R], each finite and ≥ 0; all 0 gives 0.</param>
    /// <param name="dPrediction">[R, F], overwritten.</param>
    public static T LossAndGradient<T>(ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, ReadOnlySpan<T> rowWeights, Span<T> dPrediction)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = rowWeights.Length;
        if (rows == 0 || prediction.Length % rows != 0)
            throw new ArgumentException($"rowWeights has {rows} elements, which do not divide the prediction's {prediction.Length} into rows.", nameof(rowWeights));
        if (target.Length != prediction.Length)
            throw new ArgumentException($"target has {target.Length} elements; the prediction has {prediction.Length}.", nameof(target));
        if (dPrediction.Length != prediction.Length)
            throw new ArgumentException($"dPrediction has {dPrediction.Length} elements; expected {prediction.Length}.", nameof(dPrediction));
        int features = prediction.Length / rows;
        T weightSum = RowWeights.Sum(rowWeights, rows);
        dPrediction.Clear();
        if (weightSum == T.Zero || features == 0) return T.Zero;
        T total = T.Zero, n = weightSum * T.CreateChecked(features);
        for (int r = 0; r < rows; r++)
        {
            if (rowWeights[r] == T.Zero) continue;
            Span<T> d = dPrediction.Slice(r * features, features);
            TensorPrimitives.Subtract(prediction.Slice(r * features, features), target.Slice(r * features, features), d);
            total += rowWeights[r] * TensorPrimitives.SumOfSquares<T>(d);
            TensorPrimitives.Multiply(d, (T.One + T.One) * rowWeights[r] / n, d);
        }
        return total / n;
    }
}
