// Row weights of a loss: a 0/1 mask of valid steps, or any finite non-negative weights. N = rows.
using System.Numerics;

namespace Rnn.Losses;

/// <summary>Checks row weights and sums them.</summary>
internal static class RowWeights
{
    /// <summary>Σ_n w_n, after checking that there are <paramref name="rows"/> weights, each finite and ≥ 0.</summary>
    public static T Sum<T>(ReadOnlySpan<T> rowWeights, int rows) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (rowWeights.Length != rows)
            throw new ArgumentException($"rowWeights has {rowWeights.Length} elements; expected one per row, N={rows}.", nameof(rowWeights));
        T sum = T.Zero;
        for (int r = 0; r < rows; r++)
        {
            T w = rowWeights[r];
            if (!T.IsFinite(w) || w < T.Zero)
                throw new ArgumentOutOfRangeException(nameof(rowWeights), w, $"rowWeights[{r}] must be finite and ≥ 0.");
            sum += w;
        }
        return sum;
    }
}
