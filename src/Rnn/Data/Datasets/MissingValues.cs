namespace Rnn.Data;

/// <summary>Filling the gaps (NaN entries) of one column by <see cref="MissingValuePolicy.Interpolate"/> or <see cref="MissingValuePolicy.ForwardFill"/>.</summary>
internal static class MissingValues
{
    /// <summary>
    /// Fills every NaN of <paramref name="column"/> in place by <paramref name="policy"/>, as that policy's documentation
    /// states. Returns false, changing nothing, when the column has no known value to fill from.
    /// </summary>
    public static bool Fill(Span<double> column, MissingValuePolicy policy)
    {
        int first = 0;
        while (first < column.Length && double.IsNaN(column[first])) first++;
        if (first == column.Length) return false;
        // A leading gap takes the first known value under both policies.
        column[..first].Fill(column[first]);
        int previous = first;
        for (int i = first + 1; i < column.Length; i++)
        {
            if (double.IsNaN(column[i])) continue;
            if (policy == MissingValuePolicy.Interpolate)
            {
                // v_k = v_i + (v_j − v_i)·(k − i)/(j − i) for the rows k strictly between known rows i and j.
                double from = column[previous], to = column[i];
                for (int k = previous + 1; k < i; k++) column[k] = from + (to - from) * (k - previous) / (i - previous);
            }
            else column[(previous + 1)..i].Fill(column[previous]);
            previous = i;
        }
        // A trailing gap takes the last known value under both policies.
        column[(previous + 1)..].Fill(column[previous]);
        return true;
    }
}
