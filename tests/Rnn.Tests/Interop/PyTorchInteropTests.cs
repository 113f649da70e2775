using System.Numerics;
using Rnn.IO;
using Rnn.Interop;
using Rnn.Kernels;
using Rnn.Layers;
using Rnn.Models;
using Rnn.Data;
using Rnn.Serialization;
using Rnn.Training;
using Xunit.Abstractions;

namespace Rnn.Tests.Interop;

/// <summary>
/// PyTorch state dicts in, our model files out to PyTorch: the cases in tests/interop, written by
/// tools/interop/roundtrip.py, and hand-made state dicts for each refusal.
/// </summary>
public sealed class PyTorchInteropTests(ITestOutputHelper log) : IDisposable
{
    // The test project copies tests/interop/*.safetensors next to the test assembly.
    private static readonly string InteropDirectory = Path.Combine(AppContext.BaseDirectory, "interop");
    private readonly string _folder = Directory.CreateTempSubdirectory("rnn-interop-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string> TorchCases()
    {
        var data = new TheoryData<string> { "l1_tanh_bias", "l2_relu_bias", "l3_tanh_nobias", "l2_tanh_nobias", "l3_relu_bias" };
        foreach (string cell in new[] { "lstm", "gru" })
            foreach (int layers in new[] { 1, 2, 3 })
                foreach (string bias in new[] { "bias", "nobias" })
                    data.Add($"{cell}_l{layers}_{bias}");
        return data;
    }

    [Theory]
    [MemberData(nameof(TorchCases))]
    public void Import_TorchCase_FloatLogitsAndStateMatchPyTorch(string name)
    {
        var (errorLogits, errorState) = RunCase<float>(name);
        log.WriteLine($"{name} float32: logits {errorLogits:E2}, state {errorState:E2}");
        Assert.True(errorLogits <= 1e-5, $"logits: relative error {errorLogits:E2}");
        Assert.True(errorState <= 1e-5, $"state: relative error {errorState:E2}");
    }

    [Theory]
    [MemberData(nameof(TorchCases))]
    public void Import_TorchCase_DoubleLogitsAndStateMatchPyTorchToRoundoff(string name)
    {
        // PyTorch's reference is float64 on the same float32 weights, so a float64 model agrees to round-off.
        var (errorLogits, errorState) = RunCase<double>(name);
        Assert.True(errorLogits <= 1e-12, $"logits: relative error {errorLogits:E2}");
        Assert.True(errorState <= 1e-12, $"state: relative error {errorState:E2}");
    }

    [Theory]
    [InlineData("lstm_l3_nobias", CellKind.Lstm, 3, false)]
    [InlineData("gru_l2_bias", CellKind.Gru, 2, true)]
    public void Import_GatedTorchCase_InfersCellFromShapes(string name, CellKind cell, int layers, bool bias)
    {
        var config = PyTorchStateDict.InferConfig(SafeTensorsFile.Load(Case(name + ".weights")));
        Assert.Equal(cell, config.Cell);
        Assert.Equal(layers, config.NumLayers);
        Assert.Equal(bias, config.Bias);
        Assert.Equal(4 + layers, config.EmbeddingSize);
        Assert.Equal(5 + layers, config.HiddenSize);
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void Import_CSharpGatedModelInPyTorch_MatchesPyTorchsOutputs(string cell)
    {
        // roundtrip.py loaded csharp_<cell>.model (written by rnn train) into nn.LSTM/nn.GRU with strict=True and stored
        // PyTorch's float64 outputs for it.
        var checkpoint = Checkpoint.Load(Case($"csharp_{cell}.model"));
        var expected = SafeTensorsFile.Load(Case($"csharp_{cell}.expected"));
        var model = checkpoint.CreateModel<float>();
        int[] shape = [.. expected.Info("tokens").Shape];
        float[] state = InitialState<float>(expected);
        var logits = model.Logits(expected.ReadInt32("tokens"), shape[0], shape[1], state);
        double errorLogits = InteropAssert.Close(logits, expected.ReadDouble("logits").AsSpan(), 1e-5, "logits");
        double errorState = InteropAssert.Close(state.AsSpan(), FinalState(expected).AsSpan(), 1e-5, "state");
        log.WriteLine($"csharp_{cell}: logits {errorLogits:E2}, state {errorState:E2}");
    }

    [Fact]
    public void Import_TorchCase_InfersConfigFromShapes()
    {
        var config = PyTorchStateDict.InferConfig(SafeTensorsFile.Load(Case("l3_tanh_nobias.weights")),
            new PyTorchImportOptions { Nonlinearity = Nonlinearity.Relu });
        Assert.Equal(new LanguageModelConfig { VocabularySize = 12, EmbeddingSize = 4, HiddenSize = 6, NumLayers = 3, Bias = false, Nonlinearity = Nonlinearity.Relu }, config);
    }

    [Fact]
    public void Import_CSharpModelCompanion_HoldsWhatWeComputeNow()
    {
        // tools/interop/roundtrip.py checks PyTorch against this companion; this keeps the companion honest.
        var checkpoint = Checkpoint.Load(Case("csharp.model"));
        var expected = SafeTensorsFile.Load(Case("csharp.expected"));
        var model = checkpoint.CreateModel<float>();
        int[] shape = [.. expected.Info("tokens").Shape];
        float[] state = expected.ReadSingle("h0");
        var logits = model.Logits(expected.ReadInt32("tokens"), shape[0], shape[1], state);
        InteropAssert.Close(logits, expected.ReadSingle("logits").AsSpan(), 1e-6, "logits");
        InteropAssert.Close(state.AsSpan(), expected.ReadSingle("h_n").AsSpan(), 1e-6, "h_n");
    }

    [Theory]
    [InlineData(CellKind.Rnn, Nonlinearity.Sigmoid)]
    [InlineData(CellKind.Lstm, Nonlinearity.Tanh)]     // its checkpoint also carries train.cell
    [InlineData(CellKind.Gru, Nonlinearity.Tanh)]
    public void Import_OurOwnCheckpoint_TakesConfigFromShapesAndMetadataAndIgnoresTrainingState(CellKind cell, Nonlinearity nonlinearity)
    {
        var config = new LanguageModelConfig { Cell = cell, VocabularySize = 5, EmbeddingSize = 3, HiddenSize = 4, NumLayers = 2, Nonlinearity = nonlinearity };
        var model = new LanguageModel<float>(config, seed: 4);
        string path = Path.Combine(_folder, "ours.safetensors");
        Checkpoint.Save(path, model, Vocabulary.Build("abcd", TokenKind.Character), hidden: new float[model.StateSize(2)]);

        var imported = PyTorchStateDict.Import<float>(SafeTensorsFile.Load(path));

        Assert.Equal(config, imported.Config);
        Assert.Equal(model.Parameters.Values, imported.Parameters.Values);
    }

    [Fact]
    public void Import_Bidirectional_RefusedNamingTheReverseTensor()
    {
        var writer = StateDict("embedding.", "rnn.", "linear.", layers: 1);
        writer.Add("rnn.weight_ih_l0_reverse", new float[4 * 3], 4, 3);
        var e = Assert.Throws<InvalidDataException>(() => PyTorchStateDict.Import<float>(Load(writer)));
        Assert.Contains("bidirectional", e.Message);
        Assert.Contains("rnn.weight_ih_l0_reverse", e.Message);
    }

    [Theory]
    [InlineData(8, 8, "'rnn.weight_hh_l0' is [8, 4], which is no nn.RNN ([H, H]), nn.LSTM ([4H, H]) or nn.GRU ([3H, H])")]    // G = 2
    [InlineData(4, 16, "'rnn.weight_ih_l0' is [4, 3], expected [16, 3]")]   // an LSTM's weight_hh, an RNN's weight_ih
    public void Import_GateRowsOfNoModule_RefusedNamingTheTensor(int ihRows, int hhRows, string message)
    {
        // V = 5, E = 3, H = 4.
        var writer = new SafeTensorsWriter();
        writer.Add("embedding.weight", new float[5 * 3], 5, 3);
        writer.Add("rnn.weight_ih_l0", new float[ihRows * 3], ihRows, 3);
        writer.Add("rnn.weight_hh_l0", new float[hhRows * 4], hhRows, 4);
        writer.Add("linear.weight", new float[5 * 4], 5, 4);
        var e = Assert.Throws<InvalidDataException>(() => PyTorchStateDict.Import<float>(Load(writer)));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void ImportCli_GruCase_WritesAGruModelThatEvaluates()
    {
        string text = Path.Combine(_folder, "chars.txt");
        File.WriteAllText(text, "abcdefghijk");
        string model = Path.Combine(_folder, "gru.safetensors");
        var (code, output, error) = Cli("import", Case("gru_l3_bias.weights"), "--out", model, "--vocab", text);
        Assert.True(code == 0, error);
        Assert.Contains("gru V=12", output);
        Assert.Equal(CellKind.Gru, Checkpoint.Load(model).Config.Cell);
        Assert.Equal(0, Cli("eval", model, text).Code);
    }

    [Fact]
    public void Import_ExtraTensor_RefusedAsADifferentModel()
    {
        var writer = StateDict("embedding.", "rnn.", "linear.", layers: 1);
        writer.Add("norm.weight", new float[4], 4);
        var e = Assert.Throws<InvalidDataException>(() => PyTorchStateDict.Import<float>(Load(writer)));
        Assert.Contains("norm.weight", e.Message);
    }

    [Fact]
    public void Import_TwoEmbeddingCandidates_RefusedUntilThePrefixIsNamed()
    {
        var writer = StateDict("embedding.", "rnn.", "fc.", layers: 2);
        writer.Add("emb.weight", new float[5 * 3], 5, 3);
        var e = Assert.Throws<InvalidDataException>(() => PyTorchStateDict.InferConfig(Load(writer)));
        Assert.Contains("several candidates", e.Message);
        Assert.Throws<InvalidDataException>(() => PyTorchStateDict.InferConfig(Load(writer), new PyTorchImportOptions { EmbeddingPrefix = "emb." }));
    }

    [Fact]
    public void Import_LinearWithoutBias_LoadsWithZeroBias()
    {
        var model = PyTorchStateDict.Import<float>(Load(StateDict("encoder.", "rnn.", "decoder.", layers: 2, linearBias: false)));
        Assert.All(model.Parameters.Value(model.Parameters["linear.bias"]).ToArray(), b => Assert.Equal(0f, b));
        Assert.Equal(2, model.Config.NumLayers);
    }

    [Fact]
    public void ImportCli_TorchCaseWithTextVocabulary_WritesAModelThatEvaluates()
    {
        string text = Path.Combine(_folder, "chars.txt");
        File.WriteAllText(text, "abcdefghijk");
        string model = Path.Combine(_folder, "imported.safetensors");
        var (code, output, error) = Cli("import", Case("l2_relu_bias.weights"), "--out", model, "--vocab", text, "--nonlinearity", "relu");
        Assert.True(code == 0, error);
        Assert.Contains("f=relu", output);

        var checkpoint = Checkpoint.Load(model);
        Assert.Equal(Nonlinearity.Relu, checkpoint.Config.Nonlinearity);
        Assert.Equal(0, Cli("eval", model, text).Code);
    }

    [Fact]
    public void ImportCli_NoVocabulary_ExitsTwoAskingForOne()
    {
        var (code, _, error) = Cli("import", Case("l1_tanh_bias.weights"), "--out", Path.Combine(_folder, "m.safetensors"));
        Assert.Equal(2, code);
        Assert.Contains("--vocab", error);
    }

    [Fact]
    public void ImportCli_VocabularyOfTheWrongSize_ExitsTwo()
    {
        string text = Path.Combine(_folder, "chars.txt");
        File.WriteAllText(text, "abc");
        var (code, _, error) = Cli("import", Case("l1_tanh_bias.weights"), "--out", Path.Combine(_folder, "m.safetensors"), "--vocab", text);
        Assert.Equal(2, code);
        Assert.Contains("12 rows", error);
    }

    private (double Logits, double State) RunCase<T>(string name) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var expected = SafeTensorsFile.Load(Case(name + ".expected"));
        var nonlinearity = Activation.Parse(expected.Metadata["nonlinearity"]);
        var model = PyTorchStateDict.Import<T>(SafeTensorsFile.Load(Case(name + ".weights")), new PyTorchImportOptions { Nonlinearity = nonlinearity });
        Assert.Equal(expected.Metadata.TryGetValue("cell", out var cell) ? cell : "rnn", RnnOptions.CellName(model.Config.Cell));
        int[] shape = [.. expected.Info("tokens").Shape];
        T[] state = InitialState<T>(expected);
        var logits = model.Logits(expected.ReadInt32("tokens"), shape[0], shape[1], state);
        return (InteropAssert.RelativeError(logits, expected.ReadDouble("logits").AsSpan()),
                InteropAssert.RelativeError(state.AsSpan(), FinalState(expected).AsSpan()));
    }

    // Our carried state is h [L, B, H], followed for an LSTM by c: PyTorch's (h0, c0) and (h_n, c_n) laid end to end.
    private static T[] InitialState<T>(SafeTensorsFile expected) where T : unmanaged, IFloatingPointIeee754<T> =>
        expected.Contains("c0") ? [.. expected.Read<T>("h0"), .. expected.Read<T>("c0")] : expected.Read<T>("h0");

    private static double[] FinalState(SafeTensorsFile expected) =>
        expected.Contains("c_n") ? [.. expected.ReadDouble("h_n"), .. expected.ReadDouble("c_n")] : expected.ReadDouble("h_n");

    // V = 5, E = 3, H = 4.
    private static SafeTensorsWriter StateDict(string embedding, string rnn, string linear, int layers, bool linearBias = true)
    {
        var random = new Random(1);
        float[] Values(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)random.NextDouble() - 0.5f)];
        var writer = new SafeTensorsWriter();
        writer.Add(embedding + "weight", Values(15), 5, 3);
        for (int k = 0; k < layers; k++)
        {
            int input = k == 0 ? 3 : 4;
            writer.Add($"{rnn}weight_ih_l{k}", Values(4 * input), 4, input);
            writer.Add($"{rnn}weight_hh_l{k}", Values(16), 4, 4);
            writer.Add($"{rnn}bias_ih_l{k}", Values(4), 4);
            writer.Add($"{rnn}bias_hh_l{k}", Values(4), 4);
        }
        writer.Add(linear + "weight", Values(20), 5, 4);
        if (linearBias) writer.Add(linear + "bias", Values(5), 5);
        return writer;
    }

    private static SafeTensorsFile Load(SafeTensorsWriter writer)
    {
        var stream = new MemoryStream();
        writer.Write(stream);
        return SafeTensorsFile.Parse(stream.ToArray(), "state_dict.safetensors");
    }

    private static string Case(string name) => Path.Combine(InteropDirectory, name + ".safetensors");

    private static (int Code, string Output, string Error) Cli(params string[] args) => Rnn.Tests.Cli.CliRunner.Run(args);
}
