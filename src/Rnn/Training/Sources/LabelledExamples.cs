namespace Rnn.Training;

/// <summary>
/// Token sequences with their labels: one class per sequence (<see cref="Classes"/>) or one tag per step
/// (<see cref="Tags"/>), exactly one of the two set.
/// </summary>
/// <param name="Sequences">The token ids of each example, each at least one id long.</param>
/// <param name="Classes">[examples]: each example's class id, or null for tagging.</param>
/// <param name="Tags">[examples][length]: each token's tag id, or null for classification.</param>
public sealed record LabelledExamples(IReadOnlyList<int[]> Sequences, IReadOnlyList<int>? Classes, IReadOnlyList<int[]>? Tags)
{
    /// <summary>Examples with one class each.</summary>
    public static LabelledExamples WithClasses(IReadOnlyList<int[]> sequences, IReadOnlyList<int> classes) => new(sequences, classes, null);

    /// <summary>Examples with one tag per token.</summary>
    public static LabelledExamples WithTags(IReadOnlyList<int[]> sequences, IReadOnlyList<int[]> tags) => new(sequences, null, tags);

    /// <summary>The number of examples.</summary>
    public int Count => Sequences.Count;
}
