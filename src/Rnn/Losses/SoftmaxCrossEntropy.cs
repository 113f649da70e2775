// Softmax and cross-entropy fused: p = softmax(z), L = -(1/N) Σ_n log p[n, target_n], ∂L/∂z = (p - onehot)/N.
// Fusing avoids log(softmax) underflow: log p_i = z_i - max - log Σ_j e^{z_j - max}.
// Weighted rows (a mask of valid steps, or class weights): L = Σ_n w_n ℓ_n / Σ_n w_n, ∂L/∂z_n = w_n (p_n − onehot_n) / Σ w.
// N = rows, V = classes.
using System.Numerics;
using System.Numerics.Tensors;

namespace Rnn.Losses;

/// <summary>Numerically stable softmax cross-entropy over rows of logits with class-index targets.</summary>
public static class SoftmaxCrossEntropy
{
    /// <summary>
    /// Returns the mean loss over the N rows and writes ∂L/∂logits = (softmax − onehot) / N into <paramref name="dLogits"/>
    /// (overwritten; may be the same span as <paramref name="logits"/>).
    /// </summary>
    /// <param name="logits">[N, V].</param>
    /// <param name="targets">[N], each in [0, V).</param>
    /// <param name="dLogits">[N, V].</param>
    public static T LossAndGradient<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int classes, Span<T> dLogits)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = CheckShapes(logits.Length, targets, classes);
        if (dLogits.Length != logits.Length)
            throw new ArgumentException($"dLogits has {dLogits.Length} elements; expected [N={n}, V={classes}].", nameof(dLogits));
        if (n == 0) return T.Zero;
        T total = T.Zero, scale = T.One / T.CreateChecked(n);
        for (int r = 0; r < n; r++)
            total += RowLossAndGradient(logits.Slice(r * classes, classes), targets[r], scale, dLogits.Slice(r * classes, classes));
        return total * scale;
    }

    /// <summary>
    /// Returns the weighted mean loss Σ_n w_n ℓ_n / Σ_n w_n and writes ∂L/∂logits = w_n (softmax − onehot) / Σ w: rows of
    /// weight 0 (padded steps under a 0/1 mask) contribute nothing and get a zero gradient; all weights 0 give 0.
    /// </summary>
    /// <param name="logits">[N, V].</param>
    /// <param name="targets">[N], each in [0, V).</param>
    /// <param name="classes">V.</param>
    /// <param name="rowWeights">w [N], each finite and ≥ 0 (for sequences, rows are time-major t·B + b).</param>
    /// <param name="dLogits">[N, V], overwritten (may be the same span as <paramref name="logits"/>).</param>
    public static T LossAndGradient<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int classes, ReadOnlySpan<T> rowWeights, Span<T> dLogits)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = CheckShapes(logits.Length, targets, classes);
        if (dLogits.Length != logits.Length)
            throw new ArgumentException($"dLogits has {dLogits.Length} elements; expected [N={n}, V={classes}].", nameof(dLogits));
        T weightSum = RowWeights.Sum(rowWeights, n);
        if (weightSum == T.Zero)
        {
            dLogits.Clear();
            return T.Zero;
        }
        T total = T.Zero, scale = T.One / weightSum;
        for (int r = 0; r < n; r++)
        {
            Span<T> g = dLogits.Slice(r * classes, classes);
            if (rowWeights[r] == T.Zero) g.Clear();
            else total += rowWeights[r] * RowLossAndGradient(logits.Slice(r * classes, classes), targets[r], rowWeights[r] * scale, g);
        }
        return total * scale;
    }

    /// <summary>−log softmax(z)[target] of one row; writes scale · (softmax(z) − onehot) into <paramref name="g"/>.</summary>
    private static T RowLossAndGradient<T>(ReadOnlySpan<T> z, int target, T scale, Span<T> g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T zTarget = z[target];
        T max = TensorPrimitives.Max(z);
        TensorPrimitives.Subtract(z, max, g);
        TensorPrimitives.Exp(g, g);
        T sum = TensorPrimitives.Sum<T>(g);
        TensorPrimitives.Multiply(g, scale / sum, g);
        g[target] -= scale;
        return (max - zTarget) + T.Log(sum);     // −log p_target; max − z first: no cancellation at large logits
    }

    /// <summary>Returns the summed loss Σ_n −log softmax(logits[n])[targets[n]] without gradients.</summary>
    public static double SumLoss<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = CheckShapes(logits.Length, targets, classes);
        double total = 0;
        for (int r = 0; r < n; r++)
        {
            ReadOnlySpan<T> z = logits.Slice(r * classes, classes);
            T max = TensorPrimitives.Max(z);
            double sum = 0;
            foreach (T v in z) sum += Math.Exp(double.CreateChecked(v - max));
            total += double.CreateChecked(max - z[targets[r]]) + Math.Log(sum);
        }
        return total;
    }

    /// <summary>Writes softmax(logits / temperature) of one row into <paramref name="probabilities"/>.</summary>
    public static void Softmax<T>(ReadOnlySpan<T> logits, T temperature, Span<T> probabilities)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(temperature > T.Zero)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be positive.");
        TensorPrimitives.Divide(logits, temperature, probabilities);
        TensorPrimitives.SoftMax(probabilities, probabilities);
    }

    private static int CheckShapes(int logitsLength, ReadOnlySpan<int> targets, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        if (logitsLength != targets.Length * classes)
            throw new ArgumentException($"logits has {logitsLength} elements; expected [N={targets.Length}, V={classes}].", "logits");
        foreach (int t in targets)
            if ((uint)t >= (uint)classes) throw new ArgumentOutOfRangeException(nameof(targets), t, $"Targets must be in [0, {classes}).");
        return targets.Length;
    }
}
