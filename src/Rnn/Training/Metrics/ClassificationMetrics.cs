namespace Rnn.Training;

/// <summary>
/// How well predicted classes match the true ones: accuracy, macro-F1, per-class scores and the confusion matrix, in
/// plain doubles and arrays that serialise to JSON as they are.
/// </summary>
/// <param name="Count">The number of examples.</param>
/// <param name="Accuracy">The fraction of examples whose predicted class is the true one.</param>
/// <param name="MacroF1">The unweighted mean F1 over the classes that occur in the truth or the predictions (scikit-learn's
/// default set of labels); a class that does neither does not count.</param>
/// <param name="PerClass">One <see cref="ClassScore"/> per class, in class-id order.</param>
/// <param name="ConfusionMatrix">[C][C]: <c>ConfusionMatrix[t][p]</c> counts examples of true class t predicted as p.</param>
public sealed record ClassificationMetrics(int Count, double Accuracy, double MacroF1, IReadOnlyList<ClassScore> PerClass, int[][] ConfusionMatrix)
{
    /// <summary>Scores <paramref name="predicted"/> against <paramref name="truth"/>, class ids indexing <paramref name="labels"/>.</summary>
    /// <exception cref="ArgumentException">The lists differ in length or are empty, or an id is not in [0, labels).</exception>
    public static ClassificationMetrics Compute(IReadOnlyList<int> truth, IReadOnlyList<int> predicted, IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(labels);
        if (truth.Count != predicted.Count) throw new ArgumentException($"There are {truth.Count} true classes and {predicted.Count} predictions.", nameof(predicted));
        if (truth.Count == 0) throw new ArgumentException("There are no examples to score.", nameof(truth));
        int classes = labels.Count;
        int[][] confusion = [.. Enumerable.Range(0, classes).Select(_ => new int[classes])];
        for (int i = 0; i < truth.Count; i++)
        {
            if ((uint)truth[i] >= (uint)classes) throw new ArgumentException($"True class {truth[i]} of example {i} is not in [0, {classes}).", nameof(truth));
            if ((uint)predicted[i] >= (uint)classes) throw new ArgumentException($"Predicted class {predicted[i]} of example {i} is not in [0, {classes}).", nameof(predicted));
            confusion[truth[i]][predicted[i]]++;
        }
        var perClass = new ClassScore[classes];
        int correct = 0;
        for (int c = 0; c < classes; c++)
        {
            correct += confusion[c][c];
            perClass[c] = ClassScore.From(labels[c], confusion[c][c], confusion.Sum(row => row[c]), confusion[c].Sum());
        }
        ClassScore[] present = [.. perClass.Where(s => s.Support + s.Predicted > 0)];
        return new ClassificationMetrics(truth.Count, (double)correct / truth.Count, present.Average(s => s.F1), perClass, confusion);
    }
}
