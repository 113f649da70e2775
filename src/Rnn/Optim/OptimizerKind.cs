// The update rules a training run can use. Their words (sgd, adagrad, adam) are keys on disk: a checkpoint's
// training record stores the rule by that word, so renaming a member never changes a file.
using System.Text.Json.Serialization;

namespace Rnn.Optim;

/// <summary>An update rule, stored in files by its lower-case word.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OptimizerKind>))]
public enum OptimizerKind
{
    /// <summary>Stochastic gradient descent with optional momentum (<see cref="Sgd{T}"/>).</summary>
    [JsonStringEnumMemberName("sgd")] Sgd,

    /// <summary>Adagrad (<see cref="Adagrad{T}"/>).</summary>
    [JsonStringEnumMemberName("adagrad")] Adagrad,

    /// <summary>Adam (<see cref="Adam{T}"/>).</summary>
    [JsonStringEnumMemberName("adam")] Adam,
}

/// <summary>The words of <see cref="OptimizerKind"/> and each rule's default learning rate.</summary>
public static class OptimizerKinds
{
    /// <summary>The learning rate a run uses when none is given: 0.004 for Adam, 0.1 for SGD and Adagrad.</summary>
    public static double DefaultLearningRate(this OptimizerKind kind) => kind == OptimizerKind.Adam ? 4e-3 : 0.1;

    /// <summary>The rule's word: <c>sgd</c>, <c>adagrad</c> or <c>adam</c>.</summary>
    public static string Word(this OptimizerKind kind) => kind switch
    {
        OptimizerKind.Sgd => "sgd",
        OptimizerKind.Adagrad => "adagrad",
        OptimizerKind.Adam => "adam",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown optimizer kind."),
    };

    /// <summary>The kind whose word is <paramref name="word"/> (case-insensitive), or null.</summary>
    public static OptimizerKind? Parse(string word) =>
        Enum.GetValues<OptimizerKind>().Cast<OptimizerKind?>().FirstOrDefault(k => string.Equals(k!.Value.Word(), word, StringComparison.OrdinalIgnoreCase));
}
