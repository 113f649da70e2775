// What a per-sequence head reads from the top layer's outputs Y [T, B, D·H] (time-major), and its backward.
//   final: p_b = [ y_fwd(len_b − 1, b) , y_rev(0, b) ]  each direction's state at the end of its pass
//   mean:  p_b = (1/len_b) Σ_{t < len_b} y(t, b)
// B = batch, T = steps, D = directions, H = hidden; W = D·H.
using System.Numerics;
using System.Numerics.Tensors;

namespace Rnn.Models;

/// <summary>The pooling of <see cref="HeadKind.FinalState"/> and <see cref="HeadKind.MeanPool"/>.</summary>
internal static class SequenceHeads
{
    /// <summary>Writes P [B, W] from Y [T·B, W].</summary>
    public static void Forward<T>(HeadKind head, ReadOnlySpan<T> y, ReadOnlySpan<int> lengths, int sequenceLength, int directions, Span<T> pooled)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int batch = lengths.Length, width = pooled.Length / batch, h = width / directions;
        for (int b = 0; b < batch; b++)
        {
            Span<T> p = pooled.Slice(b * width, width);
            int n = lengths[b];
            if (head == HeadKind.FinalState)
            {
                y.Slice(((n - 1) * batch + b) * width, h).CopyTo(p[..h]);
                if (directions == 2) y.Slice(b * width + h, h).CopyTo(p[h..]);
                continue;
            }
            p.Clear();
            for (int t = 0; t < n; t++) TensorPrimitives.Add(p, y.Slice((t * batch + b) * width, width), p);
            TensorPrimitives.Multiply(p, T.One / T.CreateChecked(n), p);
        }
    }

    /// <summary>Accumulates ∂L/∂Y [T·B, W] from ∂L/∂P [B, W]; padded steps get nothing.</summary>
    public static void Backward<T>(HeadKind head, ReadOnlySpan<T> dPooled, ReadOnlySpan<int> lengths, int sequenceLength, int directions, Span<T> dY)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int batch = lengths.Length, width = dPooled.Length / batch, h = width / directions;
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<T> dp = dPooled.Slice(b * width, width);
            int n = lengths[b];
            if (head == HeadKind.FinalState)
            {
                Span<T> last = dY.Slice(((n - 1) * batch + b) * width, h);
                TensorPrimitives.Add(last, dp[..h], last);
                if (directions == 2)
                {
                    Span<T> first = dY.Slice(b * width + h, h);
                    TensorPrimitives.Add(first, dp[h..], first);
                }
                continue;
            }
            T scale = T.One / T.CreateChecked(n);
            for (int t = 0; t < n; t++)
            {
                Span<T> row = dY.Slice((t * batch + b) * width, width);
                TensorPrimitives.MultiplyAdd(dp, scale, row, row);
            }
        }
    }
}
