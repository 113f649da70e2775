// One configuration for every task: encoder → network → head → loss. The network is an RnnOptions, nested, so a cell,
// a depth or a direction is configured once for every task; the rest says how tokens or numbers come in and what the
// head reads. The JSON of a language model is, key for key, the first stage's, so its files still load.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rnn.Kernels;
using Rnn.Layers;

namespace Rnn.Models;

/// <summary>
/// The shape of a <see cref="SequenceModel{T}"/>: encoder (an embedding of <see cref="VocabularySize"/> tokens into
/// <see cref="RnnOptions.InputSize"/> values, or, with no vocabulary, the input features themselves), the recurrent
/// <see cref="Network"/>, a linear head of <see cref="OutputSize"/> outputs reading what <see cref="Head"/> says, and the
/// task's loss (softmax cross-entropy, or mean squared error for <see cref="ModelTask.Forecast"/>).
/// </summary>
public sealed record ModelConfig
{
    /// <summary>The task, which fixes the loss and what the data look like.</summary>
    public ModelTask Task { get; init; } = ModelTask.Lm;

    /// <summary>The recurrent network; its InputSize is the embedding width (tokens) or the feature count (numbers).</summary>
    public required RnnOptions Network { get; init; }

    /// <summary>V: tokens of the vocabulary for token input; 0 for numeric input.</summary>
    public int VocabularySize { get; init; }

    /// <summary>O: outputs of the head (tokens, classes, tags, or forecast steps K).</summary>
    public required int OutputSize { get; init; }

    /// <summary>What the head reads: every step, or one summary of each sequence.</summary>
    public HeadKind Head { get; init; } = HeadKind.PerStep;

    /// <summary>Whether the model reads token ids (through an embedding) rather than numbers.</summary>
    public bool TokenInput => VocabularySize > 0;

    /// <summary>Whether the head gives one output row per sequence rather than one per step.</summary>
    public bool PerSequence => Head != HeadKind.PerStep;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first value out of range or the first mismatch with the task.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Network);
        Network.Validate();
        if (!Enum.IsDefined(Task)) throw new ArgumentOutOfRangeException(nameof(Task), Task, "Unknown task.");
        if (!Enum.IsDefined(Head)) throw new ArgumentOutOfRangeException(nameof(Head), Head, "Unknown head.");
        if (VocabularySize < 0 || VocabularySize == 1) throw new ArgumentOutOfRangeException(nameof(VocabularySize), VocabularySize, "A vocabulary needs at least 2 tokens (0: numeric input).");
        if (OutputSize <= 0) throw new ArgumentOutOfRangeException(nameof(OutputSize), OutputSize, "The output size must be positive.");
        if (Network.BatchFirst) throw new ArgumentException("The model works on time-major [T, B, F] data.", nameof(Network));
        // A tagger may read numbers too: a per-step read-out of numeric steps (the demos' sequence-to-sequence tasks).
        bool perSequence = Task is ModelTask.Classify or ModelTask.Forecast;
        if (Task != ModelTask.Tag && TokenInput != (Task != ModelTask.Forecast))
            throw new ArgumentException($"A {ModelTasks.Name(Task)} model reads {(Task != ModelTask.Forecast ? "tokens: VocabularySize must be at least 2" : "numbers: VocabularySize must be 0")}.", nameof(VocabularySize));
        if (PerSequence != perSequence)
            throw new ArgumentException($"A {ModelTasks.Name(Task)} model needs {(perSequence ? "a per-sequence head (final or mean)" : "a per-step head")}.", nameof(Head));
        if (Task == ModelTask.Lm)
        {
            if (Network.Bidirectional) throw new ArgumentException("A language model must be unidirectional: the reverse direction would read the token it predicts.", nameof(Network));
            if (OutputSize != VocabularySize) throw new ArgumentException($"A language model's OutputSize ({OutputSize}) must be its VocabularySize ({VocabularySize}).", nameof(OutputSize));
        }
    }

    /// <summary>The configuration as a JSON object, for a model file's <c>config</c>; a language model's keys are the first stage's.</summary>
    public string ToJson()
    {
        var o = new JsonObject { ["cell"] = RnnOptions.CellName(Network.Cell) };
        if (TokenInput)
        {
            o["vocab_size"] = VocabularySize;
            o["embedding_size"] = Network.InputSize;
        }
        else o["input_size"] = Network.InputSize;
        o["hidden_size"] = Network.HiddenSize;
        o["num_layers"] = Network.NumLayers;
        o["nonlinearity"] = Activation.Name(Network.Nonlinearity);
        o["bias"] = Network.Bias;
        o["dropout"] = Network.Dropout;
        o["bidirectional"] = Network.Bidirectional;
        if (Task == ModelTask.Lm) return o.ToJsonString();
        o["stacking"] = RnnOptions.StackingName(Network.Stacking);
        o["output_size"] = OutputSize;
        o["head"] = HeadKinds.Name(Head);
        return o.ToJsonString();
    }

    /// <summary>Parses <see cref="ToJson"/>'s output for <paramref name="task"/>; any missing or mistyped field is an <see cref="InvalidDataException"/>.</summary>
    public static ModelConfig FromJson(string json, ModelTask task)
    {
        try
        {
            var o = JsonNode.Parse(json)?.AsObject() ?? throw new InvalidDataException("the model configuration is not a JSON object");
            bool lm = task == ModelTask.Lm;
            if (lm && o["bidirectional"] is JsonNode bi && bi.GetValue<bool>())
                throw new InvalidDataException("the model configuration is bidirectional; a language model must be unidirectional");
            bool tokens = o["vocab_size"] is not null;
            int vocabulary = tokens ? Required(o, "vocab_size").GetValue<int>() : 0;
            var config = new ModelConfig
            {
                Task = task,
                VocabularySize = vocabulary,
                Network = new RnnOptions
                {
                    Cell = o["cell"] is JsonNode cell ? RnnOptions.ParseCell(cell.GetValue<string>()) : CellKind.Rnn,
                    InputSize = Required(o, tokens ? "embedding_size" : "input_size").GetValue<int>(),
                    HiddenSize = Required(o, "hidden_size").GetValue<int>(),
                    NumLayers = Required(o, "num_layers").GetValue<int>(),
                    Nonlinearity = Activation.Parse(Required(o, "nonlinearity").GetValue<string>()),
                    Bias = Required(o, "bias").GetValue<bool>(),
                    Dropout = o["dropout"]?.GetValue<double>() ?? 0,
                    Bidirectional = !lm && Required(o, "bidirectional").GetValue<bool>(),
                    Stacking = lm ? Stacking.Concat : RnnOptions.ParseStacking(Required(o, "stacking").GetValue<string>()),
                },
                OutputSize = lm ? vocabulary : Required(o, "output_size").GetValue<int>(),
                Head = lm ? HeadKind.PerStep : HeadKinds.Parse(Required(o, "head").GetValue<string>())
                    ?? throw new InvalidDataException($"the model configuration's head '{o["head"]}' is not step, final or mean"),
            };
            config.Validate();
            return config;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new InvalidDataException($"the model configuration is invalid: {e.Message}", e);
        }
    }

    private static JsonNode Required(JsonObject o, string key) =>
        o[key] ?? throw new InvalidDataException($"the model configuration has no '{key}'");

    /// <inheritdoc/>
    public override string ToString()
    {
        var n = Network;
        string input = TokenInput ? $"V={VocabularySize} E={n.InputSize}" : $"F={n.InputSize}";
        string task = Task == ModelTask.Lm ? "" : ModelTasks.Name(Task) + " ";
        return string.Create(CultureInfo.InvariantCulture,
            $"{task}{(n.Cell == CellKind.Rnn ? "" : RnnOptions.CellName(n.Cell) + " ")}{input} H={n.HiddenSize} L={n.NumLayers}" +
            $"{(n.Bidirectional ? " bidirectional" : "")}{(n.Cell == CellKind.Rnn ? $" f={Activation.Name(n.Nonlinearity)}" : "")} dropout={n.Dropout}" +
            $"{(Task == ModelTask.Lm ? "" : $" O={OutputSize} head={HeadKinds.Name(Head)}")}");
    }
}
