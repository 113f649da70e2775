// A model file's model as an ONNX graph (opset 14). Classifiers, taggers and forecasters: OnnxTaskGraph.cs. A language
// model, T = time, B = batch, V = vocabulary, E = embedding, H = hidden,
// L = layers; T and B are symbolic:
//   tokens [T, B] int64 ──Gather(embedding.weight [V, E])──▶ x_0 [T, B, E]
//   h0 [L, 1 or B, H] (optional: an initializer of zeros [L, 1, H]) ──Expand to [L, B, H]──Split──▶ h0_k [1, B, H]
//   c0, for LSTM only: the same, ──▶ c0_k
//   layer k: one RNN, LSTM or GRU node (OnnxRecurrentLayer) ──▶ Y [T, 1, B, H], Y_h [1, B, H] (LSTM: Y_c)
//            x_{k+1} = Squeeze(Y, axis 1) [T, B, H]
//   logits [T, B, V] = MatMul(x_L, linear.weightᵀ [H, V]) + linear.bias
//   h_n [L, B, H] = Concat(Y_h, axis 0);   LSTM: c_n [L, B, H] = Concat(Y_c, axis 0)
// ONNX's RNN computes H_t = f(X_t·Wᵀ + H_{t-1}·Rᵀ + Wb + Rb), which is PyTorch's and our recurrence with
// W = weight_ih, R = weight_hh, Wb = bias_ih, Rb = bias_hh; its LSTM and GRU are PyTorch's with the gates reordered.
using System.Numerics;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using Google.Protobuf;
using Rnn.IO;
using Rnn.Interop.Onnx.Proto;
using Rnn.Kernels;
using Rnn.Layers;
using Rnn.Models;
using Rnn.Data;
using Rnn.Serialization;
using Rnn.Tensors;
using Rnn.Training;
using static Rnn.Interop.Onnx.OnnxProtos;

namespace Rnn.Interop.Onnx;

/// <summary>
/// Writes a model of any task (<see cref="LanguageModel{T}"/>, or a <see cref="SequenceModel{T}"/> with its
/// <see cref="ModelContents"/>) as an ONNX model that ONNX Runtime and other runtimes can run.
/// </summary>
public static class OnnxExporter
{
    /// <summary>The ai.onnx operator set the graph is written against.</summary>
    public const int OpsetVersion = 14;

    /// <summary>The ONNX IR version of opset 14 (ONNX 1.9).</summary>
    public const int IrVersion = 7;

    /// <summary>The metadata key holding the vocabulary: a JSON array of the tokens in id order.</summary>
    public const string VocabularyKey = "rnn.vocab";

    /// <summary>The metadata key holding the token kind, <c>char</c> or <c>word</c>.</summary>
    public const string TokenKindKey = "rnn.token_kind";

    /// <summary>The metadata key holding the model configuration JSON of a model file.</summary>
    public const string ConfigKey = "rnn.config";

    /// <summary>The metadata key holding the task: <c>lm</c>, <c>classify</c>, <c>tag</c> or <c>forecast</c>.</summary>
    public const string TaskKey = "rnn.task";

    /// <summary>The metadata key holding a classifier's classes or a tagger's tags: a JSON array in output order.</summary>
    public const string LabelsKey = "rnn.labels";

    /// <summary>
    /// The metadata key holding a forecaster's scaling, as in the model file:
    /// <c>{"target":"…","columns":[{"column":"…","mean":…,"std":…},…]}</c>.
    /// </summary>
    public const string ScalingKey = "rnn.scaling";

    /// <summary>
    /// The metadata key holding a forecaster's window layout, as in the model file:
    /// <c>{"seq":T,"horizon":K,"target":"…","inputs":[…],"missing":"…"}</c>.
    /// </summary>
    public const string ForecastKey = "rnn.forecast";

    /// <summary>
    /// The serialized ONNX ModelProto of <paramref name="model"/>: inputs <c>tokens</c> (int64 [T, B]) and <c>h0</c>
    /// (float [L, B, H], or [L, 1, H] to use one state for every stream; zeros when not fed), for LSTM also <c>c0</c>
    /// (the same for the cell state); outputs <c>logits</c> (float [T, B, V], before softmax), <c>h_n</c>
    /// (float [L, B, H]) and for LSTM <c>c_n</c>; one ONNX <c>RNN</c>, <c>LSTM</c> or <c>GRU</c> node per layer;
    /// weights in float32 whatever <typeparamref name="T"/> is; metadata <see cref="VocabularyKey"/>,
    /// <see cref="TokenKindKey"/>, <see cref="ConfigKey"/> and <see cref="TaskKey"/> (<c>lm</c>).
    /// </summary>
    /// <exception cref="ArgumentException">A simple-cell model's activation is identity, which ONNX's RNN operator
    /// does not offer, or the vocabulary's size is not the model's.</exception>
    public static byte[] Export<T>(LanguageModel<T> model, Vocabulary vocabulary) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(vocabulary);
        return ExportLanguageModel(model.Config, model.Parameters, vocabulary);
    }

    /// <summary>
    /// The serialized ONNX ModelProto of <paramref name="model"/>, any task: a language model as
    /// <see cref="Export{T}(LanguageModel{T}, Vocabulary)"/> (with <paramref name="contents"/>' vocabulary); a classifier,
    /// tagger or forecaster reads <c>tokens</c> (int64 [T, B]; a forecaster, or a tagger of numbers, <c>features</c>
    /// float [T, B, I]) and <c>sequence_lens</c> (int32 [B], or [1] for every sequence; T for each when not fed), starts
    /// from zero states and gives <c>logits</c> and <c>probabilities</c> (float [B, C] for a classifier, [T, B, C] for a
    /// tagger) or <c>forecast</c> (float [B, K], in the target's units: the graph scales the input columns and unscales
    /// the forecast). Metadata: <see cref="TaskKey"/>, <see cref="ConfigKey"/>, for token input <see cref="VocabularyKey"/>
    /// and <see cref="TokenKindKey"/>, for classes or tags <see cref="LabelsKey"/>, for a forecaster
    /// <see cref="ScalingKey"/> and <see cref="ForecastKey"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A simple-cell model's activation is identity, which ONNX's RNN operator does
    /// not offer; or <paramref name="contents"/> lacks what the task needs (vocabulary, labels, scaling) or does not fit
    /// the model.</exception>
    public static byte[] Export<T>(SequenceModel<T> model, ModelContents contents) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(contents);
        var config = model.Config;
        if (config.Task == ModelTask.Lm)
            return ExportLanguageModel(LanguageModelConfig.FromModelConfig(config), model.Parameters,
                contents.Vocabulary ?? throw new ArgumentException("A language model needs its vocabulary.", nameof(contents)));

        string activation = ActivationName(config.Network);
        CheckContents(config, contents);
        string kind = config.Task switch { ModelTask.Classify => "sequence classifier", ModelTask.Tag => "tagger", _ => "forecaster" };
        var onnx = Model(OnnxTaskGraph.Build(config, model.Parameters, contents, activation), $"An RNN {kind} exported by the Rnn library.");
        Metadata(onnx, TaskKey, ModelTasks.Name(config.Task));
        if (contents.Vocabulary is { } vocabulary)
        {
            Metadata(onnx, VocabularyKey, TokensJson(vocabulary));
            Metadata(onnx, TokenKindKey, vocabulary.Kind == TokenKind.Word ? "word" : "char");
        }
        Metadata(onnx, ConfigKey, config.ToJson());
        if (contents.Labels is { } labels) Metadata(onnx, LabelsKey, JsonSerializer.Serialize(labels.Labels, RelaxedJson));
        if (config.Task == ModelTask.Forecast)
        {
            Metadata(onnx, ScalingKey, contents.Scaling!.ToJson());
            Metadata(onnx, ForecastKey, ModelContents.ForecastToJson(contents.Forecast!));
        }
        return onnx.ToByteArray();
    }

    /// <summary>The ONNX ModelProto of a classifier, tagger or forecaster, as <see cref="Export{T}(SequenceModel{T}, ModelContents)"/>.</summary>
    public static byte[] Export(TaskModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Export(model.Model, model.Contents);
    }

    private static byte[] ExportLanguageModel<T>(LanguageModelConfig config, ParameterSet<T> p, Vocabulary vocabulary) where T : unmanaged, IFloatingPointIeee754<T>
    {
        string activation = ActivationName(config.RnnOptions);
        if (vocabulary.Count != config.VocabularySize)
            throw new ArgumentException($"The vocabulary has {vocabulary.Count} tokens but the model expects {config.VocabularySize}.", nameof(vocabulary));

        int l = config.NumLayers, h = config.HiddenSize, v = config.VocabularySize, e = config.EmbeddingSize;
        bool lstm = config.RnnOptions.HasCellState;
        string cell = config.Cell == CellKind.Rnn ? $"RNN ({config.Nonlinearity})" : OnnxRecurrentLayer.OperatorName(config.Cell);
        var graph = new GraphProto { Name = "rnn_language_model", DocString = $"Embedding → {l}-layer {cell} → Linear; {config}" };

        graph.Input.Add(Value("tokens", TensorProto.Types.DataType.Int64, "Token ids, time-major.", "T", "B"));
        graph.Input.Add(Value("h0", TensorProto.Types.DataType.Float, "Initial hidden state per layer; [L, 1, H] is used for every stream; zeros when not fed.", l, "h0_batch", h));
        if (lstm) graph.Input.Add(Value("c0", TensorProto.Types.DataType.Float, "Initial cell state per layer; [L, 1, H] is used for every stream; zeros when not fed.", l, "c0_batch", h));
        graph.Output.Add(Value("logits", TensorProto.Types.DataType.Float, "Unnormalised next-token scores; softmax gives the probabilities.", "T", "B", v));
        graph.Output.Add(Value("h_n", TensorProto.Types.DataType.Float, "Hidden state after the last step, to feed as h0 of the next chunk.", l, "B", h));
        if (lstm) graph.Output.Add(Value("c_n", TensorProto.Types.DataType.Float, "Cell state after the last step, to feed as c0 of the next chunk.", l, "B", h));

        graph.Initializer.Add(Float("embedding.weight", Single(p.Value(p["embedding.weight"])), v, e));
        graph.Initializer.Add(Int64("batch_index", [1], 1));
        graph.Initializer.Add(Int64("one", [1], 1));
        graph.Initializer.Add(Int64("squeeze_axes", [1], 1));

        graph.Node.Add(Node("Gather", "embedding", ["embedding.weight", "tokens"], ["x_0"], Int("axis", 0)));
        // Expand broadcasts [L, 1, H] or [L, B, H] against [1, B, 1] to [L, B, H], the shape the initial states need.
        graph.Node.Add(Node("Shape", "tokens_shape", ["tokens"], ["tokens_shape"]));
        graph.Node.Add(Node("Gather", "batch_size", ["tokens_shape", "batch_index"], ["batch_size"], Int("axis", 0)));
        graph.Node.Add(Node("Concat", "state_broadcast_shape", ["one", "batch_size", "one"], ["state_broadcast_shape"], Int("axis", 0)));
        string[] initialH = SplitInitialState(graph, "h0", l, h);
        string[]? initialC = lstm ? SplitInitialState(graph, "c0", l, h) : null;

        for (int k = 0; k < l; k++)
            OnnxRecurrentLayer.Add(graph, p, config.RnnOptions, k, $"x_{k}", initialH[k], initialC?[k], activation);
        graph.Node.Add(Node("Concat", "h_n", Enumerable.Range(0, l).Select(k => $"h_n_l{k}"), ["h_n"], Int("axis", 0)));
        if (lstm) graph.Node.Add(Node("Concat", "c_n", Enumerable.Range(0, l).Select(k => $"c_n_l{k}"), ["c_n"], Int("axis", 0)));

        graph.Initializer.Add(Float("linear.weight_t", Transpose(Single(p.Value(p["linear.weight"])), v, h), h, v));
        graph.Initializer.Add(Float("linear.bias", Single(p.Value(p["linear.bias"])), v));
        graph.Node.Add(Node("MatMul", "linear_matmul", [$"x_{l}", "linear.weight_t"], ["projected"]));
        graph.Node.Add(Node("Add", "linear_bias", ["projected", "linear.bias"], ["logits"]));

        var onnx = Model(graph, "A token-level RNN language model exported by the Rnn library.");
        Metadata(onnx, VocabularyKey, TokensJson(vocabulary));
        Metadata(onnx, TokenKindKey, vocabulary.Kind == TokenKind.Word ? "word" : "char");
        Metadata(onnx, ConfigKey, config.ToJson());
        Metadata(onnx, TaskKey, ModelTasks.Name(ModelTask.Lm));
        return onnx.ToByteArray();
    }

    private static ModelProto Model(GraphProto graph, string doc)
    {
        var onnx = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "Rnn",
            ProducerVersion = typeof(OnnxExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "",
            DocString = doc,
            Graph = graph,
        };
        onnx.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OpsetVersion });
        return onnx;
    }

    private static void Metadata(ModelProto onnx, string key, string value) =>
        onnx.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });

    // The simple cell's ONNX activation; "" for LSTM and GRU, whose activations are fixed.
    private static string ActivationName(RnnOptions network) => network.Cell != CellKind.Rnn ? "" : network.Nonlinearity switch
    {
        Nonlinearity.Tanh => "Tanh",
        Nonlinearity.Relu => "Relu",
        Nonlinearity.Sigmoid => "Sigmoid",
        _ => throw new ArgumentException(
            $"ONNX's RNN operator has no {Activation.Name(network.Nonlinearity)} activation (only Tanh, Relu, Sigmoid and others this library does not train); this model cannot be exported.",
            "model"),
    };

    // What a classifier, tagger or forecaster's graph and metadata need from its contents.
    private static void CheckContents(ModelConfig config, ModelContents contents)
    {
        if (config.TokenInput)
        {
            if (contents.Vocabulary is not { } vocabulary) throw new ArgumentException("A model that reads tokens needs its vocabulary.", nameof(contents));
            if (vocabulary.Count != config.VocabularySize)
                throw new ArgumentException($"The vocabulary has {vocabulary.Count} tokens but the model expects {config.VocabularySize}.", nameof(contents));
        }
        if (config.Task is ModelTask.Classify or ModelTask.Tag)
        {
            if (contents.Labels is not { } labels) throw new ArgumentException($"A {ModelTasks.Name(config.Task)} model needs its labels.", nameof(contents));
            if (labels.Count != config.OutputSize)
                throw new ArgumentException($"The label set has {labels.Count} labels but the model has {config.OutputSize} outputs.", nameof(contents));
        }
        if (config.Task != ModelTask.Forecast) return;
        if (contents.Scaling is null || contents.Forecast is null)
            throw new ArgumentException("A forecast model needs its scaling and window layout.", nameof(contents));
        IReadOnlyList<string> inputs = OnnxTaskGraph.ForecastInputs(contents);
        if (inputs.Count != config.Network.InputSize)
            throw new ArgumentException($"The forecast layout has {inputs.Count} input columns but the model reads {config.Network.InputSize}.", nameof(contents));
        foreach (string column in inputs.Append(contents.Scaling.Target))
            if (!contents.Scaling.Columns.Any(c => c.Column == column))
                throw new ArgumentException($"The scaling has no column \"{column}\".", nameof(contents));
    }

    /// <summary>Writes <see cref="Export{T}(LanguageModel{T}, Vocabulary)"/>'s bytes to <paramref name="path"/> atomically (see <see cref="AtomicFile.Write"/>).</summary>
    /// <exception cref="ArgumentException">As <see cref="Export{T}(LanguageModel{T}, Vocabulary)"/>; or <paramref name="path"/> is empty or a directory.</exception>
    /// <exception cref="IOException">The file system fails; the previous file, if any, is then unchanged.</exception>
    public static void Save<T>(string path, LanguageModel<T> model, Vocabulary vocabulary) where T : unmanaged, IFloatingPointIeee754<T>
    {
        byte[] bytes = Export(model, vocabulary);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>Writes <see cref="Export{T}(SequenceModel{T}, ModelContents)"/>'s bytes to <paramref name="path"/> atomically.</summary>
    /// <exception cref="ArgumentException">As <see cref="Export{T}(SequenceModel{T}, ModelContents)"/>; or <paramref name="path"/> is empty or a directory.</exception>
    /// <exception cref="IOException">The file system fails; the previous file, if any, is then unchanged.</exception>
    public static void Save<T>(string path, SequenceModel<T> model, ModelContents contents) where T : unmanaged, IFloatingPointIeee754<T>
    {
        byte[] bytes = Export(model, contents);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>Writes a classifier, tagger or forecaster as <see cref="Save{T}(string, SequenceModel{T}, ModelContents)"/>.</summary>
    public static void Save(string path, TaskModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Save(path, model.Model, model.Contents);
    }

    private static readonly JsonSerializerOptions RelaxedJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string TokensJson(Vocabulary vocabulary)
    {
        var tokens = new string[vocabulary.Count];
        for (int id = 0; id < tokens.Length; id++) tokens[id] = vocabulary.Token(id);
        return JsonSerializer.Serialize(tokens, RelaxedJson);
    }

    // The optional input `name` [L, 1 or B, H]: an initializer of zeros [L, 1, H] gives its default, which is what makes
    // it optional; Expand makes it [L, B, H] and Split the per-layer [1, B, H] the recurrent nodes take.
    private static string[] SplitInitialState(GraphProto graph, string name, int layers, int hidden)
    {
        graph.Initializer.Add(Float(name, new float[layers * hidden], layers, 1, hidden));
        graph.Node.Add(Node("Expand", $"{name}_expand", [name, "state_broadcast_shape"], [$"{name}_full"]));
        string[] perLayer = Enumerable.Range(0, layers).Select(k => $"{name}_l{k}").ToArray();
        graph.Node.Add(Node("Split", $"{name}_split", [$"{name}_full"], perLayer, Int("axis", 0)));
        return perLayer;
    }

    /// <summary>The values in float32, as ONNX stores them.</summary>
    internal static float[] Single<T>(ReadOnlySpan<T> values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = float.CreateChecked(values[i]);
        return result;
    }

    // [rows, cols] → [cols, rows]: MatMul multiplies by the weight as stored, where nn.Linear computes x·Wᵀ.
    internal static float[] Transpose(float[] values, int rows, int cols)
    {
        var result = new float[values.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                result[c * rows + r] = values[r * cols + c];
        return result;
    }
}
