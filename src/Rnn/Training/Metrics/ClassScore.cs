namespace Rnn.Training;

/// <summary>
/// Precision, recall and F1 of one class (or tag, or span type), from its true positives tp, false positives fp and
/// false negatives fn: precision = tp / (tp + fp), recall = tp / (tp + fn), F1 = 2·P·R / (P + R). Each is 0 where its
/// denominator is 0 (as scikit-learn's zero_division=0), so an unpredicted class has precision 0, not NaN.
/// </summary>
/// <param name="Label">The class, tag or span type.</param>
/// <param name="Support">How often it occurs in the truth: tp + fn.</param>
/// <param name="Predicted">How often it was predicted: tp + fp.</param>
/// <param name="Correct">tp.</param>
public sealed record ClassScore(string Label, double Precision, double Recall, double F1, int Support, int Predicted, int Correct)
{
    /// <summary>The scores of a class that occurs <paramref name="support"/> times, is predicted <paramref name="predicted"/> times and right <paramref name="correct"/> times.</summary>
    public static ClassScore From(string label, int correct, int predicted, int support)
    {
        double precision = predicted == 0 ? 0 : (double)correct / predicted;
        double recall = support == 0 ? 0 : (double)correct / support;
        double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return new ClassScore(label, precision, recall, f1, support, predicted, correct);
    }
}
