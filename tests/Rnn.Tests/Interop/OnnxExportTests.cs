using Rnn.Layers;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Rnn.Interop.Onnx;
using Rnn.Kernels;
using Rnn.Models;
using Rnn.Data;
using Rnn.Serialization;
using Rnn.Training;
using Xunit.Abstractions;

namespace Rnn.Tests.Interop;

/// <summary>Exported ONNX graphs run in ONNX Runtime and give our logits, states and perplexity.</summary>
public sealed class OnnxExportTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("rnn-onnx-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    // The simple cell with each activation ONNX has; LSTM and GRU, whose activations are fixed, once each.
    public static TheoryData<CellKind, int, string, bool> Configurations()
    {
        var data = new TheoryData<CellKind, int, string, bool>();
        foreach (var (cell, f) in new[] { (CellKind.Rnn, "tanh"), (CellKind.Rnn, "relu"), (CellKind.Rnn, "sigmoid"), (CellKind.Lstm, "tanh"), (CellKind.Gru, "tanh") })
            foreach (int layers in new[] { 1, 2, 3 })
                foreach (bool bias in new[] { true, false })
                    data.Add(cell, layers, f, bias);
        return data;
    }

    public static TheoryData<CellKind, int, bool> Cells()
    {
        var data = new TheoryData<CellKind, int, bool>();
        foreach (var cell in new[] { CellKind.Rnn, CellKind.Lstm, CellKind.Gru })
            foreach (int layers in new[] { 1, 2, 3 })
                foreach (bool bias in new[] { true, false })
                    data.Add(cell, layers, bias);
        return data;
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Export_RunInOnnxRuntime_LogitsAndStateMatchOurs(CellKind cell, int layers, string nonlinearity, bool bias)
    {
        var config = new LanguageModelConfig { Cell = cell, VocabularySize = 13, EmbeddingSize = 5, HiddenSize = 7, NumLayers = layers, Nonlinearity = Activation.Parse(nonlinearity), Bias = bias };
        var model = new LanguageModel<float>(config, seed: (ulong)(layers * 10 + (bias ? 1 : 0)));
        const int T = 9, B = 3;
        var random = new Random(layers);
        int[] tokens = [.. Enumerable.Range(0, T * B).Select(_ => random.Next(config.VocabularySize))];
        // h0, and for LSTM c0 after it: the layout of our carried state.
        float[] initial = [.. Enumerable.Range(0, model.StateSize(B)).Select(_ => (float)random.NextDouble() - 0.5f)];

        float[] state = (float[])initial.Clone();
        float[] ours = model.Logits(tokens, T, B, state).ToArray();
        using var session = Session(OnnxExporter.Export(model, Vocabulary(config.VocabularySize)));
        var (logits, final) = Run(session, tokens, T, B, initial, [layers, B, config.HiddenSize]);

        Assert.Contains(state, x => x != 0);    // a dead network would agree trivially
        double errorLogits = InteropAssert.Close(logits.AsSpan(), ours.AsSpan(), 1e-5, "logits");
        double errorState = InteropAssert.Close(final.AsSpan(), state.AsSpan(), 1e-5, cell == CellKind.Lstm ? "h_n and c_n" : "h_n");
        log.WriteLine($"{RnnOptions.CellName(cell)} L={layers} {nonlinearity} bias={bias}: logits {errorLogits:E2}, state {errorState:E2}");
    }

    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]    // neither h0 nor c0
    [InlineData(CellKind.Gru)]
    public void Export_WithoutInitialState_StartsFromZeros(CellKind cell)
    {
        var config = new LanguageModelConfig { Cell = cell, VocabularySize = 6, EmbeddingSize = 3, HiddenSize = 4, NumLayers = 2 };
        var model = new LanguageModel<float>(config, seed: 5);
        int[] tokens = [1, 2, 3, 4, 5, 0, 1, 2];
        float[] state = new float[model.StateSize(2)];
        float[] ours = model.Logits(tokens, 4, 2, state).ToArray();
        using var session = Session(OnnxExporter.Export(model, Vocabulary(6)));
        var (logits, final) = Run(session, tokens, 4, 2, initial: null, []);
        InteropAssert.Close(logits.AsSpan(), ours.AsSpan(), 1e-5, "logits");
        InteropAssert.Close(final.AsSpan(), state.AsSpan(), 1e-5, "state");
    }

    [Fact]
    public void Export_H0WithBatchOne_IsUsedForEveryStream()
    {
        var config = new LanguageModelConfig { VocabularySize = 6, EmbeddingSize = 3, HiddenSize = 4, NumLayers = 2, Nonlinearity = Nonlinearity.Relu };
        var model = new LanguageModel<float>(config, seed: 6);
        const int B = 3;
        int[] tokens = [1, 2, 3, 4, 5, 0];
        float[] one = [0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.6f, 0.7f, -0.8f];    // [L=2, 1, H=4]
        float[] state = new float[model.StateSize(B)];
        for (int l = 0; l < 2; l++)
            for (int b = 0; b < B; b++)
                one.AsSpan(l * 4, 4).CopyTo(state.AsSpan((l * B + b) * 4, 4));
        float[] ours = model.Logits(tokens, 2, B, state).ToArray();
        using var session = Session(OnnxExporter.Export(model, Vocabulary(6)));
        var (logits, _) = Run(session, tokens, 2, B, one, [2, 1, 4]);
        InteropAssert.Close(logits.AsSpan(), ours.AsSpan(), 1e-5, "logits");
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void Export_PerplexityFromOnnxRuntimeLogits_EqualsEvaluation(CellKind cell, int layers, bool bias)
    {
        const string text = "the cat sat on the mat; the dog sat on the log.";
        var vocabulary = Rnn.Data.Vocabulary.Build(text, TokenKind.Character);
        var config = new LanguageModelConfig { Cell = cell, VocabularySize = vocabulary.Count, EmbeddingSize = 6, HiddenSize = 10, NumLayers = layers, Bias = bias };
        var model = new LanguageModel<float>(config, seed: 8);
        int[] tokens = vocabulary.Encode(text);
        // One stream of all the text, so the evaluation and the single ONNX run see the same contexts.
        var expected = Evaluation.Evaluate(model, tokens, batch: 1, sequenceLength: tokens.Length);

        using var session = Session(OnnxExporter.Export(model, vocabulary));
        int n = tokens.Length - 1;
        var (logits, _) = Run(session, tokens[..n], n, 1, initial: null, []);
        double nats = 0;
        int v = vocabulary.Count;
        for (int t = 0; t < n; t++)
        {
            var z = logits.AsSpan(t * v, v);
            double max = double.NegativeInfinity, sum = 0;
            foreach (float x in z) max = Math.Max(max, x);
            foreach (float x in z) sum += Math.Exp(x - max);
            nats += max + Math.Log(sum) - z[tokens[t + 1]];
        }
        double perplexity = Math.Exp(nats / n);
        log.WriteLine($"{RnnOptions.CellName(cell)} L={layers} bias={bias} perplexity: ONNX Runtime {perplexity:R}, Evaluation {expected.Perplexity:R}");
        Assert.Equal(expected.Predictions, n);
        Assert.True(Math.Abs(perplexity - expected.Perplexity) <= 1e-5 * expected.Perplexity, $"{perplexity} vs {expected.Perplexity}");
    }

    [Fact]
    public void Export_Metadata_HoldsVocabularyConfigAndOpset()
    {
        var vocabulary = Rnn.Data.Vocabulary.Build("ab\"é", TokenKind.Character);
        var config = new LanguageModelConfig { VocabularySize = vocabulary.Count, EmbeddingSize = 2, HiddenSize = 3 };
        using var session = Session(OnnxExporter.Export(new LanguageModel<float>(config, seed: 1), vocabulary));
        var metadata = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal("[\"<unk>\",\"\\\"\",\"a\",\"b\",\"é\"]", metadata[OnnxExporter.VocabularyKey]);
        Assert.Equal("char", metadata[OnnxExporter.TokenKindKey]);
        Assert.Equal(config, LanguageModelConfig.FromJson(metadata[OnnxExporter.ConfigKey]));
        Assert.Equal(["T", "B"], session.InputMetadata["tokens"].SymbolicDimensions);
        Assert.Equal([-1, -1, config.VocabularySize], session.OutputMetadata["logits"].Dimensions);
    }

    [Fact]
    public void Export_Identity_RefusedNamingTheActivation()
    {
        var config = new LanguageModelConfig { VocabularySize = 4, EmbeddingSize = 2, HiddenSize = 3, Nonlinearity = Nonlinearity.Identity };
        var e = Assert.Throws<ArgumentException>(() => OnnxExporter.Export(new LanguageModel<float>(config), Vocabulary(4)));
        Assert.Contains("identity", e.Message);
    }

    [Fact]
    public void ExportCli_IdentityModel_ExitsTwo()
    {
        var config = new LanguageModelConfig { VocabularySize = 4, EmbeddingSize = 2, HiddenSize = 3, Nonlinearity = Nonlinearity.Identity };
        string model = Path.Combine(_folder, "identity.safetensors");
        Checkpoint.Save(model, new LanguageModel<float>(config), Vocabulary(4));
        var (code, _, error) = Cli("export", model, "--onnx", Path.Combine(_folder, "m.onnx"));
        Assert.Equal(2, code);
        Assert.StartsWith("rnn: ONNX's RNN operator has no identity activation", error);
        Assert.False(File.Exists(Path.Combine(_folder, "m.onnx")));
    }

    [Theory]
    [InlineData(CellKind.Lstm, "LSTM", new[] { "logits", "h_n", "c_n" })]
    [InlineData(CellKind.Gru, "GRU", new[] { "logits", "h_n" })]
    public void ExportCli_GatedModel_WritesOneNodePerLayer(CellKind cell, string op, string[] outputs)
    {
        var config = new LanguageModelConfig { Cell = cell, VocabularySize = 4, EmbeddingSize = 2, HiddenSize = 3, NumLayers = 3 };
        string model = Path.Combine(_folder, $"{op}.safetensors");
        string onnx = Path.Combine(_folder, $"{op}.onnx");
        Checkpoint.Save(model, new LanguageModel<float>(config, seed: 3), Vocabulary(4));
        var (code, _, error) = Cli("export", model, "--onnx", onnx);
        Assert.True(code == 0, error);
        var graph = Rnn.Interop.Onnx.Proto.ModelProto.Parser.ParseFrom(File.ReadAllBytes(onnx)).Graph;
        Assert.Equal(3, graph.Node.Count(n => n.OpType == op));
        Assert.DoesNotContain(graph.Node, n => n.OpType == "RNN");
        using var session = Session(File.ReadAllBytes(onnx));
        Assert.Equal(outputs, session.OutputNames);
    }

    [Fact]
    public void ExportCli_Model_WritesAnOnnxFileThatLoads()
    {
        var config = new LanguageModelConfig { VocabularySize = 4, EmbeddingSize = 2, HiddenSize = 3, NumLayers = 2 };
        string model = Path.Combine(_folder, "model.safetensors");
        string onnx = Path.Combine(_folder, "model.onnx");
        Checkpoint.Save(model, new LanguageModel<float>(config, seed: 2), Vocabulary(4));
        var (code, output, error) = Cli("export", model, "--onnx", onnx);
        Assert.True(code == 0, error);
        Assert.Contains("opset 14", output);
        using var session = Session(File.ReadAllBytes(onnx));
        Assert.Equal(["logits", "h_n"], session.OutputNames);
    }

    // The exported h0 is an input with a default (an initializer), which ONNX Runtime notes with a warning on every load.
    private static InferenceSession Session(byte[] model)
    {
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        return new InferenceSession(model, options);
    }

    // initial is h0 [L, B or 1, H], followed by c0 of the same shape when the graph has a cell state (LSTM); the
    // returned state is h_n, followed by c_n when the graph has it: our carried state's layout.
    private static (float[] Logits, float[] State) Run(InferenceSession session, int[] tokens, int sequenceLength, int batch, float[]? initial, int[] stateShape)
    {
        bool cells = session.OutputMetadata.ContainsKey("c_n");
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("tokens", new DenseTensor<long>(tokens.Select(t => (long)t).ToArray(), [sequenceLength, batch])),
        };
        if (initial is not null)
        {
            int half = cells ? initial.Length / 2 : initial.Length;
            inputs.Add(NamedOnnxValue.CreateFromTensor("h0", new DenseTensor<float>(initial[..half], stateShape)));
            if (cells) inputs.Add(NamedOnnxValue.CreateFromTensor("c0", new DenseTensor<float>(initial[half..], stateShape)));
        }
        using var results = session.Run(inputs);
        float[] Output(string name) => results.Single(r => r.Name == name).AsTensor<float>().ToArray();
        return (Output("logits"), cells ? [.. Output("h_n"), .. Output("c_n")] : Output("h_n"));
    }

    // A character vocabulary of exactly <paramref name="count"/> tokens.
    private static Vocabulary Vocabulary(int count) =>
        Rnn.Data.Vocabulary.Build(string.Concat(Enumerable.Range(0, count - 1).Select(i => (char)('a' + i))), TokenKind.Character);

    private static (int Code, string Output, string Error) Cli(params string[] args) => Rnn.Tests.Cli.CliRunner.Run(args);
}
