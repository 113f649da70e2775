using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Rnn.Data;
using Rnn.Interop.Onnx;
using Rnn.Kernels;
using Rnn.Layers;
using Rnn.Models;
using Rnn.Serialization;
using Rnn.Training;
using Xunit.Abstractions;

namespace Rnn.Tests.Interop;

/// <summary>
/// Classifiers, taggers and forecasters exported as ONNX run in ONNX Runtime with per-sequence lengths and give what the
/// library's predict path gives: every cell, both directions, deep and shallow, both stackings, every head.
/// </summary>
public sealed class OnnxTaskExportTests(ITestOutputHelper log)
{
    // A batch of unsorted lengths, with a sequence of one step and one of all T.
    private static readonly int[] Lengths = [5, 9, 1, 7, 3];
    private const int T = 9;

    public static TheoryData<CellKind, string, HeadKind, bool, int, Stacking> Networks()
    {
        var data = new TheoryData<CellKind, string, HeadKind, bool, int, Stacking>();
        foreach (var (cell, f) in new[] { (CellKind.Rnn, "tanh"), (CellKind.Rnn, "relu"), (CellKind.Lstm, "tanh"), (CellKind.Gru, "tanh") })
            foreach (var head in new[] { HeadKind.FinalState, HeadKind.MeanPool, HeadKind.PerStep })
                foreach (var (bidirectional, layers, stacking) in new[] { (false, 1, Stacking.Concat), (false, 2, Stacking.Concat), (true, 1, Stacking.Concat), (true, 2, Stacking.Concat), (true, 3, Stacking.Separate) })
                    data.Add(cell, f, head, bidirectional, layers, stacking);
        return data;
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Export_TokenModel_OnnxRuntimeGivesOurLogitsAndProbabilities(CellKind cell, string nonlinearity, HeadKind head, bool bidirectional, int layers, Stacking stacking)
    {
        const int V = 11, C = 4;
        var config = new ModelConfig
        {
            Task = head == HeadKind.PerStep ? ModelTask.Tag : ModelTask.Classify,
            VocabularySize = V,
            OutputSize = C,
            Head = head,
            Network = new RnnOptions
            {
                Cell = cell, InputSize = 5, HiddenSize = 6, NumLayers = layers, Bidirectional = bidirectional, Stacking = stacking,
                Nonlinearity = Activation.Parse(nonlinearity), Dropout = layers > 1 ? 0.3 : 0,
            },
        };
        var model = new SequenceModel<float>(config, seed: (ulong)(layers * 7 + (int)head));
        var random = new Random(layers + (int)cell);
        int[][] sequences = [.. Lengths.Select(n => Enumerable.Range(0, n).Select(_ => random.Next(V)).ToArray())];
        var (tokens, lengths) = Pad(sequences, padding: V - 1);
        float[] ours = model.Forward(tokens, T, Lengths.Length, lengths).ToArray();
        double[][] probabilities = LabelledInference.Probabilities(model, sequences);

        var contents = new ModelContents { Vocabulary = Vocabulary(V), Labels = new LabelSet(["w", "x", "y", "z"]) };
        using var session = Session(OnnxExporter.Export(model, contents));
        var outputs = Run(session, "tokens", new DenseTensor<long>(tokens.Select(t => (long)t).ToArray(), [T, Lengths.Length]), lengths);

        // a tagger's padded steps too: both give the read-out of a zero output there
        double logitError = InteropAssert.Close<float, float>(outputs["logits"], ours, 1e-5, "logits");
        double[] expected = [.. probabilities.SelectMany(p => p)];
        float[] actual = head == HeadKind.PerStep ? ValidSteps(outputs["probabilities"], C) : outputs["probabilities"];
        double probabilityError = InteropAssert.Close<float, double>(actual, expected, 1e-5, "probabilities");
        log.WriteLine($"{RnnOptions.CellName(cell)} {nonlinearity} {HeadKinds.Name(head)} D={(bidirectional ? 2 : 1)} L={layers} {RnnOptions.StackingName(stacking)}: " +
            $"logits {logitError:E2}, probabilities {probabilityError:E2} (max abs {MaxAbs(actual, expected):E2})");
    }

    [Theory]
    [InlineData(CellKind.Rnn, HeadKind.FinalState, false, 1)]
    [InlineData(CellKind.Lstm, HeadKind.FinalState, true, 2)]
    [InlineData(CellKind.Gru, HeadKind.MeanPool, true, 1)]
    [InlineData(CellKind.Gru, HeadKind.FinalState, false, 2)]
    public void Export_Forecaster_GraphScalesAndUnscales(CellKind cell, HeadKind head, bool bidirectional, int layers)
    {
        const int F = 2, K = 3;
        var config = new ModelConfig
        {
            Task = ModelTask.Forecast, OutputSize = K, Head = head,
            Network = new RnnOptions { Cell = cell, InputSize = F, HiddenSize = 5, NumLayers = layers, Bidirectional = bidirectional },
        };
        var model = new SequenceModel<float>(config, seed: 4);
        var scaling = new FeatureScaling("sales", [new ColumnScaling("price", 12.5, 3.25), new ColumnScaling("sales", 480.0, 91.5)]);
        var contents = new ModelContents
        {
            Scaling = scaling,
            Forecast = new ForecastOptions { SequenceLength = T, Horizon = K, Target = "sales", Inputs = ["price", "sales"] },
        };
        var random = new Random(3);
        int b = Lengths.Length;
        // raw values in the columns' units, as a user feeds them; the library scales them in double, as Forecaster does
        float[] raw = new float[T * b * F];
        for (int i = 0; i < raw.Length; i++) raw[i] = (float)(i % F == 0 ? 12.5 + 3 * random.NextDouble() : 480 + 90 * (random.NextDouble() - 0.5));
        float[] scaled = [.. raw.Select((x, i) => (float)scaling.Column(i % F == 0 ? "price" : "sales").Transform(x))];
        float[] z = model.Forward(scaled, T, b, Lengths).ToArray();
        double[] expected = [.. z.Select(v => scaling.InverseTarget(v))];

        using var session = Session(OnnxExporter.Export(model, contents));
        float[] forecast = Run(session, "features", new DenseTensor<float>(raw, [T, b, F]), Lengths)["forecast"];
        double error = InteropAssert.Close<float, double>(forecast, expected, 1e-5, "forecast");
        log.WriteLine($"forecast {RnnOptions.CellName(cell)} {HeadKinds.Name(head)} D={(bidirectional ? 2 : 1)} L={layers}: relative {error:E2}, max abs {MaxAbs(forecast, expected):E2}");
        Assert.Equal(scaling.ToJson(), session.ModelMetadata.CustomMetadataMap[OnnxExporter.ScalingKey]);
        Assert.Equal(ModelContents.ForecastToJson(contents.Forecast), session.ModelMetadata.CustomMetadataMap[OnnxExporter.ForecastKey]);
    }

    [Fact]
    public void Export_NumericTagger_ReadsFeaturesAsTheyAre()
    {
        var config = new ModelConfig
        {
            Task = ModelTask.Tag, OutputSize = 3,
            Network = new RnnOptions { Cell = CellKind.Lstm, InputSize = 2, HiddenSize = 4, Bidirectional = true },
        };
        var model = new SequenceModel<float>(config, seed: 9);
        var random = new Random(5);
        float[] x = [.. Enumerable.Range(0, T * Lengths.Length * 2).Select(_ => (float)random.NextDouble() - 0.5f)];
        float[] ours = model.Forward(x, T, Lengths.Length, Lengths).ToArray();
        using var session = Session(OnnxExporter.Export(model, new ModelContents { Labels = new LabelSet(["a", "b", "c"]) }));
        Assert.Equal(["features"], session.InputNames);
        Assert.Equal(["sequence_lens"], session.OverridableInitializerMetadata.Keys);
        float[] logits = Run(session, "features", new DenseTensor<float>(x, [T, Lengths.Length, 2]), Lengths)["logits"];
        InteropAssert.Close<float, float>(ValidSteps(logits, 3), ValidSteps(ours, 3), 1e-5, "logits");
    }

    [Theory]
    [InlineData(HeadKind.FinalState)]
    [InlineData(HeadKind.MeanPool)]
    [InlineData(HeadKind.PerStep)]
    public void Export_LengthsNotFed_EverySequenceHasTSteps_AndOneLengthIsForAll(HeadKind head)
    {
        var config = new ModelConfig
        {
            Task = head == HeadKind.PerStep ? ModelTask.Tag : ModelTask.Classify, VocabularySize = 6, OutputSize = 2, Head = head,
            Network = new RnnOptions { Cell = CellKind.Gru, InputSize = 3, HiddenSize = 4, Bidirectional = true },
        };
        var model = new SequenceModel<float>(config, seed: 2);
        int[] tokens = [1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 0];     // [T = 4, B = 3]
        var contents = new ModelContents { Vocabulary = Vocabulary(6), Labels = new LabelSet(["n", "y"]) };
        using var session = Session(OnnxExporter.Export(model, contents));
        var input = new DenseTensor<long>(tokens.Select(t => (long)t).ToArray(), [4, 3]);

        float[] whole = model.Forward(tokens, 4, 3).ToArray();
        InteropAssert.Close<float, float>(Run(session, "tokens", input, lengths: null)["logits"], whole, 1e-5, "logits without sequence_lens");
        float[] two = model.Forward(tokens, 4, 3, [2, 2, 2]).ToArray();
        float[] onnxTwo = Run(session, "tokens", input, [2])["logits"];
        if (head == HeadKind.PerStep) InteropAssert.Close<float, float>(onnxTwo[..(2 * 3 * 2)], two[..(2 * 3 * 2)], 1e-5, "logits, lengths [2]");
        else InteropAssert.Close<float, float>(onnxTwo, two, 1e-5, "logits, lengths [2]");
    }

    [Fact]
    public void Export_Metadata_HoldsTaskLabelsVocabularyAndConfig()
    {
        var data = ClassificationDataset.Parse("oui\tça va\nnon\tnon merci\n", "memory");
        var classifier = Classifier.Create(data, TokenKind.Word, new RnnOptions { InputSize = 3, HiddenSize = 4 });
        using var session = Session(OnnxExporter.Export(classifier));
        var metadata = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal("classify", metadata[OnnxExporter.TaskKey]);
        Assert.Equal("[\"non\",\"oui\"]", metadata[OnnxExporter.LabelsKey]);
        Assert.Equal("word", metadata[OnnxExporter.TokenKindKey]);
        Assert.Contains("\"ça\"", metadata[OnnxExporter.VocabularyKey]);
        Assert.Equal(classifier.Model.Config, ModelConfig.FromJson(metadata[OnnxExporter.ConfigKey], ModelTask.Classify));
        Assert.Equal(["T", "B"], session.InputMetadata["tokens"].SymbolicDimensions);
        Assert.Equal([-1, 2], session.OutputMetadata["probabilities"].Dimensions);
        Assert.Equal(["logits", "probabilities"], session.OutputNames);
    }

    [Fact]
    public void Export_ContentsMissingLabels_RefusedNamingThem()
    {
        var config = new ModelConfig { Task = ModelTask.Classify, VocabularySize = 4, OutputSize = 2, Head = HeadKind.MeanPool, Network = new RnnOptions { InputSize = 2, HiddenSize = 3 } };
        var e = Assert.Throws<ArgumentException>(() => OnnxExporter.Export(new SequenceModel<float>(config), new ModelContents { Vocabulary = Vocabulary(4) }));
        Assert.Contains("needs its labels", e.Message);
    }

    [Fact]
    public void Export_IdentityTagger_RefusedNamingTheActivation()
    {
        var config = new ModelConfig { Task = ModelTask.Tag, VocabularySize = 4, OutputSize = 2, Network = new RnnOptions { InputSize = 2, HiddenSize = 3, Nonlinearity = Nonlinearity.Identity } };
        var e = Assert.Throws<ArgumentException>(() => OnnxExporter.Export(new SequenceModel<float>(config), new ModelContents { Vocabulary = Vocabulary(4), Labels = new LabelSet(["a", "b"]) }));
        Assert.Contains("identity", e.Message);
    }

    // Time-major [T, B] ids, each sequence padded with `padding` to T.
    private static (int[] Tokens, int[] Lengths) Pad(int[][] sequences, int padding)
    {
        int b = sequences.Length;
        var tokens = new int[T * b];
        Array.Fill(tokens, padding);
        for (int s = 0; s < b; s++)
            for (int t = 0; t < sequences[s].Length; t++) tokens[t * b + s] = sequences[s][t];
        return (tokens, [.. sequences.Select(s => s.Length)]);
    }

    // The rows [T·B, O] of the valid steps, sequence by sequence.
    private static float[] ValidSteps(float[] rows, int o)
    {
        int b = Lengths.Length;
        var valid = new List<float>();
        for (int s = 0; s < b; s++)
            for (int t = 0; t < Lengths[s]; t++) valid.AddRange(rows.AsSpan((t * b + s) * o, o).ToArray());
        return [.. valid];
    }

    private static double MaxAbs(float[] actual, double[] expected) => actual.Select((a, i) => Math.Abs(a - expected[i])).Max();

    internal static InferenceSession Session(byte[] model)
    {
        // sequence_lens is an input with a default (an initializer), which ONNX Runtime notes with a warning on every load
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        return new InferenceSession(model, options);
    }

    // Every float output by name; lengths null leaves sequence_lens unfed.
    internal static Dictionary<string, float[]> Run<TInput>(InferenceSession session, string name, DenseTensor<TInput> input, int[]? lengths)
    {
        var inputs = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor(name, input) };
        if (lengths is not null) inputs.Add(NamedOnnxValue.CreateFromTensor("sequence_lens", new DenseTensor<int>(lengths, [lengths.Length])));
        using var results = session.Run(inputs);
        return results.ToDictionary(r => r.Name, r => r.AsTensor<float>().ToArray());
    }

    private static Vocabulary Vocabulary(int count) =>
        Rnn.Data.Vocabulary.Build(string.Concat(Enumerable.Range(0, count - 1).Select(i => (char)('a' + i))), TokenKind.Character);
}
