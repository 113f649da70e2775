// A model file / checkpoint is one safetensors file:
//   tensors   parameters under PyTorch names (embedding.weight, rnn.weight_ih_l0, …, linear.bias);
//             optimizer state as optim.<state>.<parameter>; the carried hidden state as train.hidden [L, B, H]
//             and, for LSTM, the carried cell state as train.cell [L, B, H]
//   metadata  format, format_version, dtype, task (lm, classify, tag, forecast; absent: lm), config (JSON), vocab (JSON),
//             labels (JSON), scaling and forecast (JSON), training (JSON: TrainingState)
// A language model's file keeps format_version 1, so the first stage's reader still reads it; the other tasks are version 2.
using System.Numerics;
using System.Text.Json;
using Rnn.IO;
using Rnn.Layers;
using Rnn.Models;
using Rnn.Optim;
using Rnn.Data;
using Rnn.Tensors;

namespace Rnn.Serialization;

/// <summary>Reads and writes model files of every task, with or without training state. A loaded checkpoint is immutable
/// and may be shared between threads; the models it creates may not (see <see cref="SequenceModel{T}"/>).</summary>
public sealed class Checkpoint
{
    /// <summary>The value of the <c>format</c> metadata key that marks our files.</summary>
    public const string FormatName = "rnn.language-model";

    /// <summary>The file format version of a language model (the first stage's).</summary>
    public const int FormatVersion = 1;

    /// <summary>The file format version of the other tasks, which a first-stage reader must refuse.</summary>
    public const int TaskFormatVersion = 2;

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

    private Checkpoint(SafeTensorsFile file, ModelConfig model, ModelContents contents, TrainingState? training)
    {
        _file = file;
        Model = model;
        Contents = contents;
        Training = training;
    }

    /// <summary>The file's name, as used in messages.</summary>
    public string Name => _file.SourceName ?? "the model file";

    /// <summary>The task the model was trained for.</summary>
    public ModelTask Task => Model.Task;

    /// <summary>The model's configuration.</summary>
    public ModelConfig Model { get; }

    /// <summary>The vocabulary, labels, scaling and window layout.</summary>
    public ModelContents Contents { get; }

    /// <summary>A language model's configuration.</summary>
    /// <exception cref="InvalidDataException">The file holds a model of another task.</exception>
    public LanguageModelConfig Config => Model.Task == ModelTask.Lm
        ? LanguageModelConfig.FromModelConfig(Model)
        : throw new InvalidDataException($"{_file.SourceName} is a {ModelTasks.Name(Model.Task)} model, not a language model.");

    /// <summary>The model's vocabulary.</summary>
    /// <exception cref="InvalidDataException">The model reads numbers, not tokens.</exception>
    public Vocabulary Vocabulary => Contents.Vocabulary ?? throw new InvalidDataException($"{_file.SourceName} is a {ModelTasks.Name(Model.Task)} model and has no vocabulary.");

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
        ModelTask task = ModelTask.Lm;
        if (file.Metadata.TryGetValue("task", out var taskName))
            task = ModelTasks.Parse(taskName) ?? throw new InvalidDataException($"{name} has the task '{taskName}'; this program knows lm, classify, tag and forecast.");
        int expectedVersion = task == ModelTask.Lm ? FormatVersion : TaskFormatVersion;
        if (!file.Metadata.TryGetValue("format_version", out var version) || version != expectedVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))
            throw new InvalidDataException($"{name} has format version '{version}'; this program reads version {expectedVersion} for a {ModelTasks.Name(task)} model.");
        var config = ModelConfig.FromJson(Required(file, name, "config"), task);
        var contents = ReadContents(file, name, config);
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
        return new Checkpoint(file, config, contents, training);
    }

    private static ModelContents ReadContents(SafeTensorsFile file, string name, ModelConfig config)
    {
        Vocabulary? vocabulary = null;
        if (config.TokenInput)
        {
            vocabulary = Vocabulary.FromJson(Required(file, name, "vocab"));
            if (vocabulary.Count != config.VocabularySize)
                throw new InvalidDataException($"{name}: the vocabulary has {vocabulary.Count} tokens but the model expects {config.VocabularySize}.");
        }
        LabelSet? labels = null;
        if (config.Task is ModelTask.Classify or ModelTask.Tag)
        {
            labels = LabelSet.FromJson(Required(file, name, "labels"));
            if (labels.Count != config.OutputSize)
                throw new InvalidDataException($"{name}: the model has {config.OutputSize} outputs but {labels.Count} labels.");
        }
        FeatureScaling? scaling = null;
        ForecastOptions? forecast = null;
        if (config.Task == ModelTask.Forecast)
        {
            scaling = FeatureScaling.FromJson(Required(file, name, "scaling"));
            forecast = ModelContents.ForecastFromJson(Required(file, name, "forecast"));
            if (forecast.Horizon != config.OutputSize || forecast.Inputs!.Count != config.Network.InputSize)
                throw new InvalidDataException($"{name}: the forecast layout (K={forecast.Horizon}, {forecast.Inputs!.Count} inputs) does not match the model.");
        }
        return new ModelContents { Vocabulary = vocabulary, Labels = labels, Scaling = scaling, Forecast = forecast };
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
        LoadParameters(model.Parameters);
        return model;
    }

    /// <summary>Builds the model of any task and loads every parameter, checked as in <see cref="CreateModel{T}"/>.</summary>
    public SequenceModel<T> CreateSequenceModel<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireTensorsOfConfiguredSize();
        var model = new SequenceModel<T>(Model);
        LoadParameters(model.Parameters);
        return model;
    }

    private void LoadParameters<T>(ParameterSet<T> parameters) where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (var p in parameters.All)
        {
            if (!_file.Contains(p.Name))
                throw new InvalidDataException($"{_file.SourceName}: missing parameter '{p.Name}' {p.ShapeText}.");
            var shape = _file.Info(p.Name).Shape;
            if (!shape.SequenceEqual(p.Shape))
                throw new InvalidDataException($"{_file.SourceName}: parameter '{p.Name}' is [{string.Join(", ", shape)}], expected {p.ShapeText}.");
            _file.ReadInto(p.Name, parameters.Value(p));
            if (!Finite.All<T>(parameters.Value(p)))
                throw new InvalidDataException($"{_file.SourceName}: parameter '{p.Name}' contains NaN or infinity.");
        }
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
        if (!Model.Network.HasCellState) return ReadCarried<T>(CarriedStateTensor, expectedLength);
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
    /// Writes the language model (and, when given, the optimizer, training state and carried hidden state) atomically:
    /// a temporary file is written, flushed to disk and renamed over <paramref name="path"/>.
    /// </summary>
    public static void Save<T>(string path, LanguageModel<T> model, Vocabulary vocabulary,
        TrainingState? training = null, Optimizer<T>? optimizer = null, ReadOnlySpan<T> hidden = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        Save(path, model.Core, new ModelContents { Vocabulary = vocabulary }, training, optimizer, hidden);
    }

    /// <summary>
    /// Writes a model of any task with its <paramref name="contents"/> (and, when given, the optimizer, training state
    /// and carried state) atomically: a temporary file is written, flushed to disk and renamed over <paramref name="path"/>.
    /// </summary>
    public static void Save<T>(string path, SequenceModel<T> model, ModelContents contents,
        TrainingState? training = null, Optimizer<T>? optimizer = null, ReadOnlySpan<T> hidden = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(contents);
        var config = model.Config;
        var writer = new SafeTensorsWriter();
        writer.Metadata["format"] = FormatName;
        writer.Metadata["format_version"] = (config.Task == ModelTask.Lm ? FormatVersion : TaskFormatVersion).ToString(System.Globalization.CultureInfo.InvariantCulture);
        writer.Metadata["task"] = ModelTasks.Name(config.Task);
        writer.Metadata["dtype"] = typeof(T) == typeof(double) ? "F64" : "F32";
        writer.Metadata["config"] = config.ToJson();
        if (contents.Vocabulary is not null) writer.Metadata["vocab"] = contents.Vocabulary.ToJson();
        if (contents.Labels is not null) writer.Metadata["labels"] = contents.Labels.ToJson();
        if (contents.Scaling is not null) writer.Metadata["scaling"] = contents.Scaling.ToJson();
        if (contents.Forecast is not null) writer.Metadata["forecast"] = ModelContents.ForecastToJson(contents.Forecast);
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
            int h = config.Network.HiddenSize, l = config.Network.NumLayers * config.Network.NumDirections;
            bool cells = config.Network.HasCellState;
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
        var n = Model.Network;
        if (Model.TokenInput) RequireShape("embedding.weight", Model.VocabularySize, n.InputSize);
        RequireShape("linear.weight", Model.OutputSize, n.OutputSize);
        for (int layer = 0; layer < n.NumLayers; layer++)
            for (int direction = 0; direction < n.NumDirections; direction++)
                RequireShape($"rnn.weight_hh_l{layer}{(direction == 1 ? "_reverse" : "")}", RecurrentLayer<float>.GateCount(n.Cell) * n.HiddenSize, n.HiddenSize);
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
