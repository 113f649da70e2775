using Rnn.Kernels;
using Rnn.Layers;
using Rnn.Models;
using Rnn.Tensors;

namespace Rnn.Tests.Models;

public class LanguageModelTests
{
    private static LanguageModelConfig SmallConfig(int layers = 2, double dropout = 0) => new()
    {
        VocabularySize = 7, EmbeddingSize = 3, HiddenSize = 4, NumLayers = layers, Dropout = dropout,
    };

    private static (int[] Inputs, int[] Targets) RandomChunk(int sequenceLength, int batch, int vocabulary, ulong seed)
    {
        var random = new SeededRandom(seed);
        var inputs = new int[sequenceLength * batch];
        var targets = new int[sequenceLength * batch];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = random.NextInt(vocabulary);
            targets[i] = random.NextInt(vocabulary);
        }
        return (inputs, targets);
    }

    [Theory]
    [InlineData(1, 0.0)]
    [InlineData(2, 0.0)]
    [InlineData(3, 0.3)]
    public void LanguageModel_TrainStep_GradientsMatchCentralDifferences(int layers, double dropout)
    {
        const int sequenceLength = 9, batch = 2;
        var model = new LanguageModel<double>(SmallConfig(layers, dropout), seed: 3);
        var (inputs, targets) = RandomChunk(sequenceLength, batch, 7, 5);
        var h0 = new double[model.StateSize(batch)];
        new SeededRandom(8).FillNormal<double>(h0, 0, 0.5);
        model.Rnn.Training = dropout > 0;

        // The same dropout masks for every evaluation: reseed before each forward.
        double Loss()
        {
            model.Rnn.DropoutRandom = new SeededRandom(42);
            var state = (double[])h0.Clone();
            model.Parameters.ZeroGradients();
            return model.TrainStep(inputs, targets, sequenceLength, batch, state);
        }

        Loss();
        double[] analytic = (double[])model.Parameters.Gradients.Clone();
        double[] values = model.Parameters.Values;
        const double epsilon = 1e-5;
        foreach (var p in model.Parameters.All)
        {
            double maxError = 0, maxMagnitude = 0;
            for (int i = p.Offset; i < p.Offset + p.Length; i++)
            {
                double saved = values[i];
                values[i] = saved + epsilon;
                double plus = Loss();
                values[i] = saved - epsilon;
                double minus = Loss();
                values[i] = saved;
                double numeric = (plus - minus) / (2 * epsilon);
                maxError = Math.Max(maxError, Math.Abs(numeric - analytic[i]));
                maxMagnitude = Math.Max(maxMagnitude, Math.Max(Math.Abs(numeric), Math.Abs(analytic[i])));
            }
            Assert.True(maxError <= 1e-7 * Math.Max(maxMagnitude, 1e-3), $"{p.Name}: max error {maxError:E2}, scale {maxMagnitude:E2}");
        }
    }

    [Fact]
    public void LanguageModel_ParameterNames_FollowPyTorchModuleNames()
    {
        var model = new LanguageModel<float>(SmallConfig(layers: 2), seed: 1);
        Assert.Equal(
            ["embedding.weight", "rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0",
             "rnn.weight_ih_l1", "rnn.weight_hh_l1", "rnn.bias_ih_l1", "rnn.bias_hh_l1", "linear.weight", "linear.bias"],
            model.Parameters.All.Select(p => p.Name));
        Assert.Equal([7, 3], model.Parameters["embedding.weight"].Shape);
        Assert.Equal([7, 4], model.Parameters["linear.weight"].Shape);
    }

    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void LanguageModel_CarriedState_EqualsOneLongChunk(CellKind cell)
    {
        // Two chunks of 5 with the state (h, and c for LSTM) carried give the same loss as one chunk of 10.
        var model = new LanguageModel<double>(SmallConfig() with { Cell = cell }, seed: 2);
        var (inputs, targets) = RandomChunk(10, 1, 7, 9);
        var state = new double[model.StateSize(1)];
        double whole = model.Evaluate(inputs, targets, 10, 1, state);
        Array.Clear(state);
        double first = model.Evaluate(inputs.AsSpan(0, 5), targets.AsSpan(0, 5), 5, 1, state);
        double second = model.Evaluate(inputs.AsSpan(5), targets.AsSpan(5), 5, 1, state);
        Assert.Equal(whole, first + second, 12);
    }

    [Fact]
    public void LanguageModel_SameSeed_SameWeightsBitForBit()
    {
        var a = new LanguageModel<float>(SmallConfig(), seed: 11);
        var b = new LanguageModel<float>(SmallConfig(), seed: 11);
        var c = new LanguageModel<float>(SmallConfig(), seed: 12);
        Assert.Equal(a.Parameters.Values, b.Parameters.Values);
        Assert.NotEqual(a.Parameters.Values, c.Parameters.Values);
    }

    [Fact]
    public void LanguageModelConfig_Json_RoundTripsAndRejectsGarbage()
    {
        var config = SmallConfig(layers: 3, dropout: 0.25) with { Nonlinearity = Nonlinearity.Relu, Bias = false };
        Assert.Equal(config, LanguageModelConfig.FromJson(config.ToJson()));
        foreach (var cell in Enum.GetValues<CellKind>())
            Assert.Equal(config with { Cell = cell }, LanguageModelConfig.FromJson((config with { Cell = cell }).ToJson()));
        // Files of the first stage have no "cell": the simple cell.
        Assert.Equal(CellKind.Rnn, LanguageModelConfig.FromJson("""{"vocab_size":7,"embedding_size":3,"hidden_size":4,"num_layers":1,"nonlinearity":"tanh","bias":true}""").Cell);
        Assert.Throws<InvalidDataException>(() => LanguageModelConfig.FromJson("""{"cell":"rnm","vocab_size":7,"embedding_size":3,"hidden_size":4,"num_layers":1,"nonlinearity":"tanh","bias":true}"""));
        Assert.Throws<InvalidDataException>(() => LanguageModelConfig.FromJson("not json"));
        Assert.Throws<InvalidDataException>(() => LanguageModelConfig.FromJson("{}"));
        Assert.Throws<InvalidDataException>(() => LanguageModelConfig.FromJson("""{"vocab_size":"x","embedding_size":3,"hidden_size":4,"num_layers":1,"nonlinearity":"tanh","bias":true}"""));
        Assert.Throws<InvalidDataException>(() => LanguageModelConfig.FromJson("""{"vocab_size":7,"embedding_size":3,"hidden_size":-4,"num_layers":1,"nonlinearity":"tanh","bias":true}"""));
        Assert.Throws<InvalidDataException>(() => LanguageModelConfig.FromJson("""{"vocab_size":7,"embedding_size":3,"hidden_size":4,"num_layers":1,"nonlinearity":"tanh","bias":true,"bidirectional":true}"""));
    }
}
