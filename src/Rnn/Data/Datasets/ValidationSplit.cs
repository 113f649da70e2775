// The random split draws from its own seeded generator, so the same seed gives the same validation examples on every
// machine, and keeps both parts in file order so that a report's example numbers read like the file's.
using Rnn.Tensors;

namespace Rnn.Data;

/// <summary>Setting a validation part apart from training data.</summary>
public static class ValidationSplit
{
    /// <summary>
    /// Splits <paramref name="items"/> at random: round(n · <paramref name="validationFraction"/>) items (midpoints
    /// rounded to even), drawn by a seeded partial Fisher–Yates shuffle, form the validation part; both parts keep the
    /// input order. A separate validation file replaces this: read it with the training file's label set.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validationFraction"/> is not in [0, 1).</exception>
    /// <exception cref="ArgumentException">The split would leave the training part empty.</exception>
    public static (T[] Training, T[] Validation) Random<T>(IReadOnlyList<T> items, double validationFraction, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(items);
        int validation = TailCount(items.Count, validationFraction);
        int[] order = [.. Enumerable.Range(0, items.Count)];
        var random = new SeededRandom(seed);
        for (int i = 0; i < validation; i++)
        {
            int j = i + random.NextInt(order.Length - i);
            (order[i], order[j]) = (order[j], order[i]);
        }
        var chosen = new bool[items.Count];
        foreach (int index in order.AsSpan(0, validation)) chosen[index] = true;
        return ([.. items.Where((_, i) => !chosen[i])], [.. items.Where((_, i) => chosen[i])]);
    }

    /// <summary>
    /// round(<paramref name="count"/> · <paramref name="validationFraction"/>), midpoints to even: the size of the
    /// validation part, taken from the end for a time series.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validationFraction"/> is not in [0, 1).</exception>
    /// <exception cref="ArgumentException">The validation part would take every item.</exception>
    public static int TailCount(int count, double validationFraction)
    {
        if (!(validationFraction >= 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException("ValidationFraction", validationFraction, "Must be in [0, 1).");
        int validation = (int)Math.Round(count * validationFraction);
        if (validation >= count)
            throw new ArgumentException($"ValidationFraction {validationFraction} of {count} items leaves no training items.", "ValidationFraction");
        return validation;
    }
}
