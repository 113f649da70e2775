// A PyTorch language model saved as safetensors — model.state_dict() of a module with an nn.Embedding, an nn.RNN,
// nn.LSTM or nn.GRU, and an nn.Linear submodule — mapped onto LanguageModel. PyTorch's names and shapes
// (V vocabulary, E embedding, H hidden, L layers, k = 0 … L−1, G gate blocks: 1 RNN, 4 LSTM (i, f, g, o), 3 GRU (r, z, n)):
//   <emb>weight          [V, E]
//   <rnn>weight_ih_l{k}  [G·H, E] for k = 0, [G·H, H] above  <rnn>bias_ih_l{k}  [G·H]   (both biases, or none)
//   <rnn>weight_hh_l{k}  [G·H, H]                            <rnn>bias_hh_l{k}  [G·H]
//   <lin>weight          [V, H]                              <lin>bias          [V]     (absent for bias=False: zero)
// Our parameters have the same names, shapes and gate order, so each tensor is copied as it is. Everything but the
// simple cell's activation follows from these shapes; G = 2 or G > 4 is no PyTorch recurrent module. Every tensor must be one of these: a tensor the model
// would silently drop (a second head, a layer norm) means the file is a different model.
using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Rnn.IO;
using Rnn.Kernels;
using Rnn.Layers;
using Rnn.Models;
using Rnn.Serialization;
using Rnn.Tensors;
using Rnn.Training;

namespace Rnn.Interop;

/// <summary>Imports a PyTorch <c>nn.Embedding</c> → <c>nn.RNN</c>, <c>nn.LSTM</c> or <c>nn.GRU</c> → <c>nn.Linear</c> state dict saved as safetensors.</summary>
public static class PyTorchStateDict
{
    /// <summary>Submodule prefixes tried for the embedding, in this order: <c>embedding.</c>, <c>embed.</c>, <c>encoder.</c>, <c>emb.</c>.</summary>
    public static IReadOnlyList<string> EmbeddingPrefixes { get; } = ["embedding.", "embed.", "encoder.", "emb."];

    /// <summary>Submodule prefixes tried for the recurrent network: <c>rnn.</c>.</summary>
    public static IReadOnlyList<string> RnnPrefixes { get; } = ["rnn."];

    /// <summary>Submodule prefixes tried for the output layer: <c>linear.</c>, <c>fc.</c>, <c>decoder.</c>, <c>out.</c>, <c>head.</c>.</summary>
    public static IReadOnlyList<string> LinearPrefixes { get; } = ["linear.", "fc.", "decoder.", "out.", "head."];

    /// <summary>
    /// Reads the configuration from the tensor shapes: V and E from the embedding, H and the cell from
    /// <c>weight_hh_l0</c> [G·H, H] (G = 1 simple, 4 LSTM, 3 GRU), L from the consecutive <c>weight_ih_l{k}</c>, the
    /// bias from <c>bias_ih_l0</c>; the simple cell's activation as <see cref="PyTorchImportOptions.Nonlinearity"/> says.
    /// </summary>
    /// <exception cref="InvalidDataException">A submodule is missing or ambiguous, a shape does not fit, the RNN is
    /// bidirectional, or a tensor belongs to none of the three submodules.</exception>
    public static LanguageModelConfig InferConfig(SafeTensorsFile file, PyTorchImportOptions? options = null) =>
        Resolve(file, options ?? new PyTorchImportOptions()).Config;

    /// <summary>
    /// Builds a language model from the state dict: <see cref="InferConfig"/>, then every tensor copied (converted from
    /// F64, F32, F16 or BF16 to <typeparamref name="T"/>) into the parameter of our name.
    /// </summary>
    /// <exception cref="InvalidDataException">As <see cref="InferConfig"/>, or a value is NaN or infinite.</exception>
    /// <exception cref="SafeTensorsFormatException">A tensor is not floating-point.</exception>
    public static LanguageModel<T> Import<T>(SafeTensorsFile file, PyTorchImportOptions? options = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var mapping = Resolve(file, options ?? new PyTorchImportOptions());
        var model = new LanguageModel<T>(mapping.Config);
        foreach (var p in model.Parameters.All)
        {
            var destination = model.Parameters.Value(p);
            if (!mapping.Sources.TryGetValue(p.Name, out string? source))
            {
                destination.Clear();    // nn.Linear(bias=False): the bias is zero
                continue;
            }
            file.ReadInto(source, destination);
            if (!Finite.All<T>(destination))
                throw new InvalidDataException($"{Name(file)}: '{source}' contains NaN or infinity.");
        }
        return model;
    }

    private sealed record Mapping(LanguageModelConfig Config, Dictionary<string, string> Sources);

    private static Mapping Resolve(SafeTensorsFile file, PyTorchImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(file);
        string name = Name(file);
        var reverse = file.Tensors.FirstOrDefault(t => t.Name.EndsWith("_reverse", StringComparison.Ordinal));
        if (reverse is not null)
            throw new InvalidDataException($"{name} holds a bidirectional RNN ('{reverse.Name}'): a language model must be unidirectional, since the reverse direction sees the token it is to predict.");

        string emb = FindPrefix(file, name, "nn.Embedding", options.EmbeddingPrefix, EmbeddingPrefixes, "weight");
        string rnn = FindPrefix(file, name, "nn.RNN/LSTM/GRU", options.RnnPrefix, RnnPrefixes, "weight_ih_l0");
        string lin = FindPrefix(file, name, "nn.Linear", options.LinearPrefix, LinearPrefixes, "weight");

        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        var embedding = Shape(file, emb + "weight", 2);
        int v = embedding[0], e = embedding[1];
        sources["embedding.weight"] = emb + "weight";

        var hh = Shape(file, rnn + "weight_hh_l0", 2);
        int h = hh[1];
        var cell = CellOf(hh[0], h)
            ?? throw new InvalidDataException($"{name}: '{rnn}weight_hh_l0' is [{hh[0]}, {h}], which is no nn.RNN ([H, H]), nn.LSTM ([4H, H]) or nn.GRU ([3H, H]).");
        int gh = RecurrentLayer<float>.GateCount(cell) * h;
        bool bias = file.Contains(rnn + "bias_ih_l0");
        int layers = 0;
        while (file.Contains($"{rnn}weight_ih_l{layers}"))
        {
            int k = layers++;
            int input = k == 0 ? e : h;
            Expect(file, $"{rnn}weight_ih_l{k}", k == 0 ? "G·H and the embedding width E" : "G·H and H", gh, input);
            Expect(file, $"{rnn}weight_hh_l{k}", "G·H and H", gh, h);
            sources[$"rnn.weight_ih_l{k}"] = $"{rnn}weight_ih_l{k}";
            sources[$"rnn.weight_hh_l{k}"] = $"{rnn}weight_hh_l{k}";
            foreach (string b in new[] { "bias_ih", "bias_hh" })
            {
                string key = $"{rnn}{b}_l{k}";
                if (file.Contains(key) != bias)
                    throw new InvalidDataException($"{name}: layer {k} {(bias ? "lacks" : "has")} '{key}' but layer 0 {(bias ? "has" : "has no")} biases.");
                if (!bias) continue;
                Expect(file, key, "G·H", gh);
                sources[$"rnn.{b}_l{k}"] = key;
            }
        }

        Expect(file, lin + "weight", "V and H", v, h);
        sources["linear.weight"] = lin + "weight";
        if (file.Contains(lin + "bias"))
        {
            Expect(file, lin + "bias", "V", v);
            sources["linear.bias"] = lin + "bias";
        }

        bool ours = file.Metadata.TryGetValue("format", out var format) && format == Checkpoint.FormatName;
        var used = new HashSet<string>(sources.Values, StringComparer.Ordinal);
        var unknown = file.Tensors.Select(t => t.Name)
            .Where(n => !used.Contains(n) && !(ours && Checkpoint.IsTrainingState(n)))
            .ToList();
        if (unknown.Count > 0)
            throw new InvalidDataException($"{name}: {unknown.Count} tensor(s) belong to no embedding '{emb}', {RnnOptions.CellName(cell).ToUpperInvariant()} '{rnn}' or output layer '{lin}' of the {layers}-layer model, e.g. '{unknown[0]}'; the file holds a different model.");

        var config = new LanguageModelConfig
        {
            Cell = cell,
            VocabularySize = v,
            EmbeddingSize = e,
            HiddenSize = h,
            NumLayers = layers,
            Bias = bias,
            // The gated cells' activations are fixed; the config keeps the default there, as rnn train writes it.
            Nonlinearity = cell == CellKind.Rnn ? options.Nonlinearity ?? SavedNonlinearity(file) ?? Nonlinearity.Tanh : Nonlinearity.Tanh,
        };
        try
        {
            config.Validate();
        }
        catch (ArgumentException x)
        {
            throw new InvalidDataException($"{name}: the shapes give an unusable model ({config}): {x.Message}", x);
        }
        return new Mapping(config, sources);
    }

    // weight_hh is [G·H, H]; G names the module.
    private static CellKind? CellOf(int rows, int h) =>
        rows == h ? CellKind.Rnn : rows == 4 * h ? CellKind.Lstm : rows == 3 * h ? CellKind.Gru : null;

    // The activation recorded in our own model files' config; a state dict from PyTorch has none.
    private static Nonlinearity? SavedNonlinearity(SafeTensorsFile file)
    {
        if (!file.Metadata.TryGetValue("config", out var json)) return null;
        try
        {
            return JsonNode.Parse(json)?["nonlinearity"]?.GetValue<string>() is string f ? Activation.Parse(f) : null;
        }
        catch (Exception x) when (x is System.Text.Json.JsonException or InvalidOperationException or ArgumentException)
        {
            throw new InvalidDataException($"{Name(file)}: the metadata 'config' does not name a nonlinearity: {x.Message}", x);
        }
    }

    private static string FindPrefix(SafeTensorsFile file, string name, string module, string? given, IReadOnlyList<string> candidates, string probe)
    {
        if (given is not null)
            return file.Contains(given + probe) ? given
                : throw new InvalidDataException($"{name} has no '{given}{probe}' for the {module} prefix '{given}'.");
        var found = candidates.Where(p => file.Contains(p + probe)).ToList();
        return found.Count switch
        {
            1 => found[0],
            0 => throw new InvalidDataException($"{name} has no {module}: none of {string.Join(", ", candidates.Select(p => $"'{p}{probe}'"))}; name its prefix."),
            _ => throw new InvalidDataException($"{name} has several candidates for the {module}: {string.Join(", ", found.Select(p => $"'{p}{probe}'"))}; name its prefix."),
        };
    }

    private static IReadOnlyList<int> Shape(SafeTensorsFile file, string tensor, int rank)
    {
        if (!file.Contains(tensor)) throw new InvalidDataException($"{Name(file)}: missing tensor '{tensor}'.");
        var shape = file.Info(tensor).Shape;
        if (shape.Count != rank || shape.Any(d => d == 0))
            throw new InvalidDataException($"{Name(file)}: '{tensor}' is [{string.Join(", ", shape)}]; expected a non-empty tensor of rank {rank}.");
        return shape;
    }

    private static void Expect(SafeTensorsFile file, string tensor, string what, params int[] expected)
    {
        var shape = Shape(file, tensor, expected.Length);
        if (!shape.SequenceEqual(expected))
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{Name(file)}: '{tensor}' is [{string.Join(", ", shape)}], expected [{string.Join(", ", expected)}] from {what}."));
    }

    private static string Name(SafeTensorsFile file) => file.SourceName is null ? "the state dict" : Path.GetFileName(file.SourceName);
}
