// Label ids are assigned by sorting, as token ids are, so the same data always gives the same output rows and a model
// file's head keeps its meaning whatever order the examples came in.
using System.Text.Json;

namespace Rnn.Data;

/// <summary>
/// The classes of a classification task or the tags of a tagging task: distinct, non-empty strings, with id i the
/// i-th in ordinal string order. Instances are immutable.
/// </summary>
public sealed class LabelSet
{
    private readonly string[] _labels;
    private readonly Dictionary<string, int> _ids;

    /// <summary>Collects the distinct labels of <paramref name="labels"/> and numbers them in ordinal order.</summary>
    /// <exception cref="ArgumentException">There are no labels, or one is empty.</exception>
    public LabelSet(IEnumerable<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        _labels = [.. labels.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        if (_labels.Length == 0) throw new ArgumentException("A label set needs at least one label.", nameof(labels));
        if (_labels[0].Length == 0) throw new ArgumentException("A label cannot be empty.", nameof(labels));
        _ids = new Dictionary<string, int>(_labels.Length, StringComparer.Ordinal);
        for (int i = 0; i < _labels.Length; i++) _ids.Add(_labels[i], i);
    }

    /// <summary>The number of labels: the size of the model's output.</summary>
    public int Count => _labels.Length;

    /// <summary>The labels in id order.</summary>
    public IReadOnlyList<string> Labels => _labels;

    /// <summary>The label with id <paramref name="id"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not in [0, <see cref="Count"/>).</exception>
    public string this[int id] => (uint)id < (uint)_labels.Length
        ? _labels[id]
        : throw new ArgumentOutOfRangeException(nameof(id), id, $"Label ids are in [0, {_labels.Length}).");

    /// <summary>Whether <paramref name="label"/> is in the set; its id when it is.</summary>
    public bool TryGetId(string label, out int id) => _ids.TryGetValue(label, out id);

    /// <summary>The labels as a JSON array of strings in id order, for a model file's metadata.</summary>
    public string ToJson() => JsonSerializer.Serialize(_labels);

    /// <summary>Parses the output of <see cref="ToJson"/>: an array of distinct, non-empty strings in ordinal order.</summary>
    /// <exception cref="InvalidDataException">The JSON is malformed, or the labels are empty, repeated or out of order.</exception>
    public static LabelSet FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        string[]? labels;
        try
        {
            labels = JsonSerializer.Deserialize<string[]>(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"invalid label set: not a JSON array of strings: {e.Message}", e);
        }
        if (labels is null || labels.Length == 0) throw new InvalidDataException("invalid label set: it has no labels");
        for (int i = 0; i < labels.Length; i++)
        {
            if (string.IsNullOrEmpty(labels[i])) throw new InvalidDataException($"invalid label set: label {i} is empty");
            if (i > 0 && string.CompareOrdinal(labels[i - 1], labels[i]) >= 0)
                throw new InvalidDataException($"invalid label set: label {i} (\"{labels[i]}\") is repeated or out of ordinal order");
        }
        return new LabelSet(labels);
    }
}
