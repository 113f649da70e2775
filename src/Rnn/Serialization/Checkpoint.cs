// A model file / checkpoint is one safetensors file:
//   tensors   parameters under PyTorch names (embedding.weight, rnn.weight_ih_l0, …, linear.bias);
//             optimizer state as optim.<state>.<parameter>; the carried hidden state as train.hidden [L, B, H]
//             and, for LSTM, the carried cell state as train.cell [L, B, H]
//   metadata  format, format_version, dtype, config (JSON), vocab (JSON), training (JSON: TrainingState)
using System.Numerics;
using System.Text.Json;
using Rnn.IO;
using Rnn.Layers;
using Rnn.Models;
using Rnn.Optim;
using Rnn.Data;
using Rnn.Tensors;

namespace Rnn.Serialization;

/// <summary>Reads and writes language-model files, with or without training state.</summary>
public sealed class Checkpoint
{
    /// <summary>The value of the <c>format</c> metadata key that marks our files.</summary>
    public const string FormatName = "rnn.language-model";

    /// <summary>The current file format version.</summary>
    public const int FormatVersion = 1;

    /// <summary>The tensor that holds the hidden state carried between training chunks [L, B, H] (a key on disk).</summary>
    public const string CarriedStateTensor = "train.hidden";

    /// <summary>The tensor that holds an LSTM's cell state carried between training chunks [L, B, H] (a key on disk).</summary>
    public const string CarriedCellStateTensor = "train.cell";

    /// <summary>The prefix of the optimizer's state tensors, <c>optim.&lt;state&gt;.&lt;parameter&gt;</c> (a key on disk).</summary>
    public const string OptimizerStatePrefix = "optim.";

    /// <summary>Whether a tensor of a model file is training state (optimizer or carried state) rather than a parameter.</summary>
    public static bool IsTrainingState(string tensorName) =>
        tensorName.StartsWith(OptimizerStatePrefix, StringComparison.Ordinal) || tensorName is CarriedStateTensor or CarriedCellStateTensor;

    internal static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly SafeTensorsFile _file;

    private Checkpoint(SafeTensorsFile file, LanguageModelConfig config, Vocabulary vocabulary, TrainingState? training)
    {
        _file = file;
        Config = config;
        Vocabulary = vocabulary;
        Training = training;
    }

    /// <summary>The model's configuration.</summary>
    public LanguageModelConfig Config { get; }

    /// <summary>The model's vocabulary.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>The training position, or null for a file holding only the model.</summary>
    public TrainingState? Training { get; }

    /// <summary>The dtype the parameters were saved in (<c>F32</c> or <c>F64</c>).</summary>
    public string DType => _file.Metadata.TryGetValue("dtype", out var d) ? d : "F32";

    /// <summary>
    /// Opens a model file. Anything that is not one of ours, or is damaged, is an <see cref="InvalidDataException"/>
    /// or a <see cref="SafeTensorsFormatException"/> whose message names the problem.
    /// </summary>
    public static Checkpoint Load(string path)
    {
        var file = SafeTensorsFile.Load(path);
        string name = Path.GetFileName(path);
        if (!file.Metadata.TryGetValue("format", out var format) || format != FormatName)
            throw new InvalidDataException($"{name} is a safetensors file but not an rnn language model (its metadata has no format '{FormatName}').");
        if (!file.Metadata.TryGetValue("format_version", out var version) || version != FormatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))
            throw new InvalidDataException($"{name} has format version '{version}'; this program reads version {FormatVersion}.");
        var config = LanguageModelConfig.FromJson(Required(file, name, "config"));
        var vocabulary = Vocabulary.FromJson(Required(file, name, "vocab"));
        if (vocabulary.Count != config.VocabularySize)
            throw new InvalidDataException($"{name}: the vocabulary has {vocabulary.Count} tokens but the model expects {config.VocabularySize}.");
        TrainingState? training = null;
        if (file.Metadata.TryGetValue("training", out var trainingJson))
        {
            try
            {
                training = JsonSerializer.Deserialize<TrainingState>(trainingJson, Json)
                    ?? throw new InvalidDataException($"{name}: the training state is null.");
                training.Validate();
            }
            catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException)
            {
                throw new InvalidDataException($"{name}: the training state is invalid: {e.Message}", e);
            }
        }
        return new Checkpoint(file, config, vocabulary, training);
    }

    /// <summary>
    /// Builds the model and loads every parameter, checking each shape. The sizes in the configuration are first
    /// checked against the file's tensors, so a configuration claiming a model larger than the file allocates nothing.
    /// </summary>
    /// <exception cref="InvalidDataException">A parameter is missing, has another shape, or is not finite.</exception>
    /// <exception cref="SafeTensorsFormatException">A parameter's dtype is not a floating-point type.</exception>
    public LanguageModel<T> CreateModel<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireTensorsOfConfiguredSize();
        var model = new LanguageModel<T>(Config);
        foreach (var p in model.Parameters.All)
        {
            if (!_file.Contains(p.Name))
                throw new InvalidDataException($"{_file.SourceName}: missing parameter '{p.Name}' {p.ShapeText}.");
            var shape = _file.Info(p.Name).Shape;
            if (!shape.SequenceEqual(p.Shape))
                throw new InvalidDataException($"{_file.SourceName}: parameter '{p.Name}' is [{string.Join(", ", shape)}], expected {p.ShapeText}.");
            _file.ReadInto(p.Name, model.Parameters.Value(p));
            if (!Finite.All<T>(model.Parameters.Value(p)))
                throw new InvalidDataException($"{_file.SourceName}: parameter '{p.Name}' contains NaN or infinity.");
        }
        return model;
    }

    /// <summary>Restores the optimizer's state buffers and step count saved with the checkpoint.</summary>
    public void RestoreOptimizer<T>(Optimizer<T> optimizer) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var parameters = optimizer.Parameters;
        var buffer = new T[parameters.Count];
        foreach (var state in optimizer.State)
        {
            foreach (var p in parameters.All)
            {
                string name = $"{OptimizerStatePrefix}{state.Name}.{p.Name}";
                if (!_file.Contains(name)) throw new InvalidDataException($"{_file.SourceName}: missing optimizer state '{name}'.");
                if (_file.Info(name).ElementCount != p.Length)
                    throw new InvalidDataException($"{_file.SourceName}: optimizer state '{name}' has {_file.Info(name).ElementCount} values, expected {p.Length}.");
                _file.ReadInto(name, buffer.AsSpan(p.Offset, p.Length));
                // A non-finite state turns the next update, and every checkpoint after it, into NaN.
                if (!Finite.All<T>(buffer.AsSpan(p.Offset, p.Length)))
                    throw new InvalidDataException($"{_file.SourceName}: optimizer state '{name}' contains NaN or infinity.");
            }
            optimizer.LoadState(state.Name, buffer);
        }
        optimizer.StepCount = Training?.Step ?? 0;
    }

    /// <summary>The state carried between chunks, h [L, B, H] (for LSTM followed by c [L, B, H]), or null if the file has none.</summary>
    public T[]? CarriedState<T>(int expectedLength) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!_file.Contains(CarriedStateTensor)) return null;
        if (!Config.RnnOptions.HasCellState) return ReadCarried<T>(CarriedStateTensor, expectedLength);
        var state = new T[expectedLength];
        int half = expectedLength / 2;
        ReadCarried<T>(CarriedStateTensor, half).CopyTo(state, 0);
        ReadCarried<T>(CarriedCellStateTensor, half).CopyTo(state, half);
        return state;
    }

    private T[] ReadCarried<T>(string name, int expectedLength) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!_file.Contains(name)) throw new InvalidDataException($"{_file.SourceName}: missing '{name}'.");
        var values = _file.Read<T>(name);
        if (values.Length != expectedLength)
            throw new InvalidDataException($"{_file.SourceName}: '{name}' has {values.Length} values, expected {expectedLength}.");
        if (!Finite.All<T>(values))
            throw new InvalidDataException($"{_file.SourceName}: '{name}' contains NaN or infinity.");
        return values;
    }

    /// <summary>
    /// Writes the model (and, when given, the optimizer, training state and carried hidden state) atomically:
    /// a temporary file is written, flushed to disk and renamed over <paramref name="path"/>.
    /// </summary>
    public static void Save<T>(string path, LanguageModel<T> model, Vocabulary vocabulary,
        TrainingState? training = null, Optimizer<T>? optimizer = null, ReadOnlySpan<T> hidden = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var writer = new SafeTensorsWriter();
        writer.Metadata["format"] = FormatName;
        writer.Metadata["format_version"] = FormatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        writer.Metadata["dtype"] = typeof(T) == typeof(double) ? "F64" : "F32";
        writer.Metadata["config"] = model.Config.ToJson();
        writer.Metadata["vocab"] = vocabulary.ToJson();
        foreach (var p in model.Parameters.All)
            writer.Add<T>(p.Name, model.Parameters.Value(p), p.Shape);
        if (training is not null)
            writer.Metadata["training"] = JsonSerializer.Serialize(training, Json);
        if (optimizer is not null)
            foreach (var state in optimizer.State)
                foreach (var p in model.Parameters.All)
                    writer.Add<T>($"{OptimizerStatePrefix}{state.Name}.{p.Name}", state.Values.Slice(p.Offset, p.Length), p.Shape);
        if (!hidden.IsEmpty)
        {
            // h [L, B, H] under train.hidden as always; an LSTM's c, the second half of its state, under train.cell
            int h = model.Config.HiddenSize, l = model.Config.NumLayers;
            bool cells = model.Config.RnnOptions.HasCellState;
            ReadOnlySpan<T> hiddenPart = cells ? hidden[..(hidden.Length / 2)] : hidden;
            writer.Add<T>(CarriedStateTensor, hiddenPart, l, hiddenPart.Length / (l * h), h);
            if (cells) writer.Add<T>(CarriedCellStateTensor, hidden[hiddenPart.Length..], l, hiddenPart.Length / (l * h), h);
        }
        writer.Save(path);
    }

    // The embedding, the output layer and each layer's recurrent weights together scale with every size in the
    // configuration (V, E, H, L); requiring them in the file first bounds the model by the file's own size. The layer
    // loop stops at the first missing tensor, so a claimed L of 10^9 costs one lookup per tensor the file really has.
    private void RequireTensorsOfConfiguredSize()
    {
        RequireShape("embedding.weight", Config.VocabularySize, Config.EmbeddingSize);
        RequireShape("linear.weight", Config.VocabularySize, Config.HiddenSize);
        for (int layer = 0; layer < Config.NumLayers; layer++)
            RequireShape($"rnn.weight_hh_l{layer}", RecurrentLayer<float>.GateCount(Config.Cell) * Config.HiddenSize, Config.HiddenSize);
    }

    private void RequireShape(string name, int rows, int columns)
    {
        if (!_file.Contains(name))
            throw new InvalidDataException($"{_file.SourceName}: missing parameter '{name}' [{rows}, {columns}].");
        var shape = _file.Info(name).Shape;
        if (shape.Count != 2 || shape[0] != rows || shape[1] != columns)
            throw new InvalidDataException($"{_file.SourceName}: parameter '{name}' is [{string.Join(", ", shape)}], expected [{rows}, {columns}].");
    }

    private static string Required(SafeTensorsFile file, string name, string key) =>
        file.Metadata.TryGetValue(key, out var value) ? value : throw new InvalidDataException($"{name}: the metadata has no '{key}'.");
}
