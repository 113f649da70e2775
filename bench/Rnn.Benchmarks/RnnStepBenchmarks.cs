using BenchmarkDotNet.Attributes;
using Rnn.Layers;
using Rnn.Models;
using Rnn.Tensors;

namespace Rnn.Benchmarks;

/// <summary>
/// A train step (forward + backward of Σ y ⊙ G, all gradients and dX) and a forward pass of the RNN, in float32,
/// for the configurations of the speed comparison; the allocation column shows that a step allocates nothing.
/// </summary>
[MemoryDiagnoser]
public class RnnStepBenchmarks
{
    private RecurrentNetwork<float> rnn = null!;
    private float[] x = [], y = [], g = [], dx = [];
    private int sequenceLength, batch;

    /// <summary>T,B,I,H,L,D.</summary>
    [Params("100,1,64,128,1,1", "100,32,128,128,1,1", "100,32,256,256,2,1", "100,32,256,256,2,2", "50,64,512,512,1,1", "100,32,1024,1024,1,1")]
    public string Config { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        int[] c = Config.Split(',').Select(int.Parse).ToArray();
        (sequenceLength, batch) = (c[0], c[1]);
        var options = new RnnOptions { InputSize = c[2], HiddenSize = c[3], NumLayers = c[4], Bidirectional = c[5] == 2 };
        rnn = new RecurrentNetwork<float>(options, seed: 1);
        var random = new SeededRandom(2);
        x = new float[sequenceLength * batch * options.InputSize];
        g = new float[sequenceLength * batch * options.OutputSize];
        y = new float[g.Length];
        dx = new float[x.Length];
        random.FillNormal<float>(x, 0, 1);
        random.FillNormal<float>(g, 0, 1);
    }

    [Benchmark]
    public void TrainStep()
    {
        rnn.Parameters.ZeroGradients();
        rnn.Forward(x, sequenceLength, batch, default, y, default);
        rnn.Backward(g, default, dx, default);
    }

    [Benchmark]
    public void Forward() => rnn.Forward(x, sequenceLength, batch, default, y, default);
}

/// <summary>The character language model's train step: embedding → 2-layer RNN (H 512) → Linear → softmax cross-entropy.</summary>
[MemoryDiagnoser]
public class LanguageModelStepBenchmarks
{
    private LanguageModel<float> model = null!;
    private int[] inputs = [], targets = [];
    private float[] state = [];

    [GlobalSetup]
    public void Setup()
    {
        model = new LanguageModel<float>(new LanguageModelConfig { VocabularySize = 65, EmbeddingSize = 512, HiddenSize = 512, NumLayers = 2 }, seed: 1);
        var random = new SeededRandom(3);
        inputs = Enumerable.Range(0, 64 * 32).Select(_ => random.NextInt(65)).ToArray();
        targets = Enumerable.Range(0, 64 * 32).Select(_ => random.NextInt(65)).ToArray();
        state = new float[model.StateSize(32)];
    }

    [Benchmark]
    public double TrainStep()
    {
        Array.Clear(state);
        model.Parameters.ZeroGradients();
        return model.TrainStep(inputs, targets, 64, 32, state);
    }
}
