// A weights file must name every class: a class left out would otherwise get some default weight the user never
// chose, and a typo in a label would silently leave the intended class at that default.
namespace Rnn.Data;

/// <summary>Per-class loss weights for classification, indexed by the ids of a <see cref="LabelSet"/>.</summary>
public static class ClassWeights
{
    /// <summary>
    /// scikit-learn's "balanced" weights: w_c = n / (C · n_c), with n the number of labels, C =
    /// <paramref name="classCount"/> and n_c the count of class c, so every class carries the same total weight. A class
    /// with no example gets 1: no training example carries it, so its weight changes nothing there.
    /// </summary>
    /// <param name="labels">The class id of each training example, in [0, <paramref name="classCount"/>).</param>
    /// <exception cref="ArgumentException">There are no labels, or one is out of range.</exception>
    public static double[] Balanced(IReadOnlyList<int> labels, int classCount)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        if (labels.Count == 0) throw new ArgumentException("There are no labels to balance.", nameof(labels));
        long[] counts = new long[classCount];
        foreach (int label in labels)
        {
            if ((uint)label >= (uint)classCount) throw new ArgumentException($"Label {label} is not in [0, {classCount}).", nameof(labels));
            counts[label]++;
        }
        return [.. counts.Select(count => count == 0 ? 1.0 : labels.Count / ((double)classCount * count))];
    }

    /// <summary>Reads a class-weights file; see <see cref="Parse"/>.</summary>
    public static double[] Read(string path, LabelSet labels) => Parse(TextFile.ReadCorpus(path), path, labels);

    /// <summary>
    /// Parses class weights: one <c>label TAB weight</c> a line, the line split at its first tab, the label trimmed as
    /// in a classification file, the weight a finite number greater than 0; empty lines are skipped. Every class of
    /// <paramref name="labels"/> must appear exactly once, and no other label may.
    /// </summary>
    /// <returns>[C]: the weight of each class id.</returns>
    /// <exception cref="InvalidDataException">A line breaks a rule (the message names its line and column), or a class is missing.</exception>
    public static double[] Parse(string text, string name, LabelSet labels)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(labels);
        double[] weights = new double[labels.Count];
        int[] lineOf = new int[labels.Count];
        foreach (DataLine line in DataLines.Split(text))
        {
            if (line.Text.Length == 0) continue;
            int tab = line.Text.IndexOf('\t');
            if (tab < 0) throw DataLines.Error(name, line.Number, 0, "the line has no tab between the label and the weight");
            string label = line.Text[..tab].Trim();
            if (!labels.TryGetId(label, out int id))
                throw DataLines.Error(name, line.Number, 1, $"the label {DataLines.Show(label)} is not one of the {labels.Count} classes");
            if (lineOf[id] != 0) throw DataLines.Error(name, line.Number, 1, $"the label {DataLines.Show(label)} was already given on line {lineOf[id]}");
            string weight = line.Text[(tab + 1)..];
            if (!CsvCells.TryParseNumber(weight, out double value) || value <= 0)
                throw DataLines.Error(name, line.Number, tab + 2, $"the weight {DataLines.Show(weight)} is not a finite number greater than 0");
            weights[id] = value;
            lineOf[id] = line.Number;
        }
        string[] missing = [.. Enumerable.Range(0, labels.Count).Where(id => lineOf[id] == 0).Select(id => $"\"{labels[id]}\"")];
        if (missing.Length > 0) throw new InvalidDataException($"'{name}' gives no weight for {string.Join(", ", missing)}; every class needs one.");
        return weights;
    }
}
