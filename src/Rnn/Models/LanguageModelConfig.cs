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

    /// <summary>This language model as a configuration of the one model shape.</summary>
    public ModelConfig ToModelConfig() => new() { Task = ModelTask.Lm, Network = RnnOptions, VocabularySize = VocabularySize, OutputSize = VocabularySize };

    /// <summary>The language model a <see cref="ModelTask.Lm"/> configuration describes.</summary>
    /// <exception cref="ArgumentException"><paramref name="config"/> is of another task.</exception>
    public static LanguageModelConfig FromModelConfig(ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Task != ModelTask.Lm) throw new ArgumentException($"The model is a {ModelTasks.Name(config.Task)} model, not a language model.", nameof(config));
        var n = config.Network;
        return new LanguageModelConfig
        {
            Cell = n.Cell, VocabularySize = config.VocabularySize, EmbeddingSize = n.InputSize, HiddenSize = n.HiddenSize,
            NumLayers = n.NumLayers, Nonlinearity = n.Nonlinearity, Bias = n.Bias, Dropout = n.Dropout,
        };
    }

    /// <summary>The configuration as a JSON object, for a model file's metadata.</summary>
    public string ToJson() => ToModelConfig().ToJson();

    /// <summary>Parses <see cref="ToJson"/>'s output; any missing or mistyped field is an <see cref="InvalidDataException"/>.</summary>
    public static LanguageModelConfig FromJson(string json) => FromModelConfig(ModelConfig.FromJson(json, ModelTask.Lm));

    /// <inheritdoc/>
    public override string ToString() => ToModelConfig().ToString();
}
