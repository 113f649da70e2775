using System.Text.Json.Nodes;
using CsCheck;

namespace Rnn.Tests.Reliability;

/// <summary>Lies told in JSON: values of the wrong type or size put in place of the right ones, keys removed, added or renamed.</summary>
internal static class JsonLies
{
    /// <summary>Values a lying header or metadata JSON puts where a well-formed one has something else.</summary>
    public static readonly string[] Values =
    [
        "null", "true", "false", "0", "-1", "1", "2", "3", "7", "255", "65536", "100000", "2147483647", "2147483648",
        "-2147483648", "9223372036854775807", "-9223372036854775808", "18446744073709551616", "1e300", "-1e300",
        "1.5", "1e-300", "\"\"", "\"F32\"", "\"F64\"", "\"BF16\"", "\"F16\"", "\"I64\"", "\"U8\"", "\"tanh\"", "\"relu\"",
        "\"char\"", "\"word\"", "\"NaN\"", "\"-Infinity\"", "\"x\"", "\"\\ud800\"", "\"<unk>\"", "[]", "{}", "[0]",
        "[100000, 100000]", "[2147483647, 2147483647]", "[0, 0]", "[-1, 5]", "[5, 2]", "[1, 2, 3]", "[\"a\", \"a\"]",
        "{\"a\": 1}", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    ];

    /// <summary>
    /// Applies one edit to the slot numbered <paramref name="target"/> (modulo the count) among all object properties
    /// and array elements of <paramref name="root"/>, in document order: 0 replaces it by <paramref name="lie"/>,
    /// 1 removes it, 2 adds a sibling (an unknown property, or a copy of the element), 3 renames the property to
    /// <paramref name="lie"/>'s text (or, in an array, moves the element to the end). Returns what was done.
    /// </summary>
    public static string Edit(JsonNode root, int target, int edit, string lie)
    {
        var slots = new List<(JsonNode Parent, string? Key, int Index)>();
        Collect(root, slots);
        if (slots.Count == 0) return "nothing to edit";
        var (parent, key, index) = slots[target % slots.Count];
        string where = key ?? $"[{index}]";
        if (parent is JsonObject o)
        {
            switch (edit)
            {
                case 0: o[key!] = Placeholder; return $"{where} = {lie}";
                case 1: o.Remove(key!); return $"{where} removed";
                case 2: o["unexpected"] = Placeholder; return $"unknown property beside {where}";
                default:
                    JsonNode? value = o[key!];
                    o.Remove(key!);
                    o[lie] = value;
                    return $"{where} renamed to {lie}";
            }
        }
        var a = (JsonArray)parent;
        switch (edit)
        {
            case 0: a[index] = Placeholder; return $"{where} = {lie}";
            case 1: a.RemoveAt(index); return $"{where} removed";
            case 2: a.Insert(index, a[index]?.DeepClone()); return $"{where} duplicated";
            default:
                JsonNode? moved = a[index];
                a.RemoveAt(index);
                a.Add(moved);
                return $"{where} moved to the end";
        }
    }

    // A lie goes into the tree as this marker and into the text by Render, so that lies JsonNode cannot hold
    // (a lone surrogate escape, nesting deeper than its limit) still reach the file as written.
    private const string PlaceholderText = "\u0001lie\u0001";
    private static JsonValue Placeholder => JsonValue.Create(PlaceholderText);

    public static string Render(JsonNode root, string lie) => root.ToJsonString().Replace("\"\\u0001lie\\u0001\"", lie, StringComparison.Ordinal);

    private static void Collect(JsonNode? node, List<(JsonNode, string?, int)> slots)
    {
        if (node is JsonObject o)
        {
            foreach (var (key, value) in o.ToArray())
            {
                slots.Add((o, key, -1));
                Collect(value, slots);
            }
        }
        else if (node is JsonArray a)
        {
            for (int i = 0; i < a.Count; i++)
            {
                slots.Add((a, null, i));
                Collect(a[i], slots);
            }
        }
    }

    /// <summary>
    /// A lying variant of <paramref name="json"/> and what was done: an <see cref="Edit"/> of its tree, or its text
    /// cut short, or a character inserted or deleted.
    /// </summary>
    public static Gen<(string Json, string What)> Of(string json) =>
        Gen.Select(Gen.Int[0, 6], Gen.Int[0, int.MaxValue], Gen.Int[0, Values.Length - 1], Gen.Char).Select((kind, at, lie, c) =>
        {
            int position = at % (json.Length + 1);
            switch (kind)
            {
                case 0: return (json[..position], $"cut to {position} chars");
                case 1: return (json.Insert(position, c.ToString()), $"U+{(int)c:X4} inserted at {position}");
                case 2: return (json.Remove(Math.Min(position, json.Length - 1), 1), $"char {position} deleted");
                default:
                    JsonNode tree = JsonNode.Parse(json)!;
                    string what = Edit(tree, at, kind - 3, Values[lie]);
                    return (Render(tree, Values[lie]), what);
            }
        });
}
