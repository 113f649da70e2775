using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rnn.Kernels;
using Rnn.Layers;

namespace Rnn.Models;

/// <summary>The shape of a token-level RNN language model: embedding → RNN (simple, LSTM or GRU) → Linear → softmax.</summary>
public sealed record LanguageModelConfig
{
    /// <summary>The recurrent cell (files without a <c>cell</c> key are the simple cell).</summary>
    public CellKind Cell { get; init; } = CellKind.Rnn;

    /// <summary>V: tokens in the vocabulary.</summary>
    public required int VocabularySize { get; init; }

    /// <summary>E: width of the token embedding (the RNN's input size).</summary>
    public required int EmbeddingSize { get; init; }

    /// <summary>H: hidden units per layer.</summary>
    public required int HiddenSize { get; init; }

    /// <summary>L: stacked recurrent layers.</summary>
    public int NumLayers { get; init; } = 1;

    /// <summary>The simple cell's recurrent activation.</summary>
    public Nonlinearity Nonlinearity { get; init; } = Nonlinearity.Tanh;

    /// <summary>Whether the recurrent layers have biases.</summary>
    public bool Bias { get; init; } = true;

    /// <summary>Dropout between recurrent layers, in training only.</summary>
    public double Dropout { get; init; }

    /// <summary>The RNN options this model uses (unidirectional: a language model must not see the token it predicts).</summary>
    public RnnOptions RnnOptions => new()
    {
        Cell = Cell,
        InputSize = EmbeddingSize,
        HiddenSize = HiddenSize,
        NumLayers = NumLayers,
        Nonlinearity = Nonlinearity,
        Bias = Bias,
        Dropout = Dropout,
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first value out of range.</summary>
    public void Validate()
    {
        if (VocabularySize < 2) throw new ArgumentOutOfRangeException(nameof(VocabularySize), VocabularySize, "A vocabulary needs at least 2 tokens.");
        if (EmbeddingSize <= 0) throw new ArgumentOutOfRangeException(nameof(EmbeddingSize), EmbeddingSize, "The embedding size must be positive.");
        RnnOptions.Validate();
    }

    /// <summary>The configuration as a JSON object, for a model file's metadata.</summary>
    public string ToJson() => new JsonObject
    {
        ["cell"] = RnnOptions.CellName(Cell),
        ["vocab_size"] = VocabularySize,
        ["embedding_size"] = EmbeddingSize,
        ["hidden_size"] = HiddenSize,
        ["num_layers"] = NumLayers,
        ["nonlinearity"] = Activation.Name(Nonlinearity),
        ["bias"] = Bias,
        ["dropout"] = Dropout,
        ["bidirectional"] = false,
    }.ToJsonString();

    /// <summary>Parses <see cref="ToJson"/>'s output; any missing or mistyped field is an <see cref="InvalidDataException"/>.</summary>
    public static LanguageModelConfig FromJson(string json)
    {
        try
        {
            var o = JsonNode.Parse(json)?.AsObject() ?? throw new InvalidDataException("the model configuration is not a JSON object");
            if (o["bidirectional"] is JsonNode bi && bi.GetValue<bool>())
                throw new InvalidDataException("the model configuration is bidirectional; a language model must be unidirectional");
            var config = new LanguageModelConfig
            {
                Cell = o["cell"] is JsonNode cell ? RnnOptions.ParseCell(cell.GetValue<string>()) : CellKind.Rnn,
                VocabularySize = Required(o, "vocab_size").GetValue<int>(),
                EmbeddingSize = Required(o, "embedding_size").GetValue<int>(),
                HiddenSize = Required(o, "hidden_size").GetValue<int>(),
                NumLayers = Required(o, "num_layers").GetValue<int>(),
                Nonlinearity = Activation.Parse(Required(o, "nonlinearity").GetValue<string>()),
                Bias = Required(o, "bias").GetValue<bool>(),
                Dropout = o["dropout"]?.GetValue<double>() ?? 0,
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
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{(Cell == CellKind.Rnn ? "" : RnnOptions.CellName(Cell) + " ")}V={VocabularySize} E={EmbeddingSize} H={HiddenSize} L={NumLayers}" +
        $"{(Cell == CellKind.Rnn ? $" f={Activation.Name(Nonlinearity)}" : "")} dropout={Dropout}");
}
