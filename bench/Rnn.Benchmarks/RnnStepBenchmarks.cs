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
    private RnnTrainStep _step = null!;

    /// <summary>T,B,I,H,L,D.</summary>
    [Params("100,1,64,128,1,1", "100,32,128,128,1,1", "100,32,256,256,2,1", "100,32,256,256,2,2", "50,64,512,512,1,1", "100,32,1024,1024,1,1")]
    public string Config { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        int[] c = Config.Split(',').Select(int.Parse).ToArray();
        _step = new RnnTrainStep(new RnnOptions { InputSize = c[2], HiddenSize = c[3], NumLayers = c[4], Bidirectional = c[5] == 2 }, c[0], c[1]);
    }

    [Benchmark]
    public void TrainStep() => _step.Train();

    [Benchmark]
    public void Forward() => _step.Forward();
}

/// <summary>The character language model's train step: embedding → 2-layer RNN (H 512) → Linear → softmax cross-entropy.</summary>
[MemoryDiagnoser]
public class LanguageModelStepBenchmarks
{
    private LanguageModel<float> _model = null!;
    private int[] _inputs = [], _targets = [];
    private float[] _state = [];

    [GlobalSetup]
    public void Setup()
    {
        _model = new LanguageModel<float>(new LanguageModelConfig { VocabularySize = 65, EmbeddingSize = 512, HiddenSize = 512, NumLayers = 2 }, seed: 1);
        var random = new SeededRandom(3);
        _inputs = Enumerable.Range(0, 64 * 32).Select(_ => random.NextInt(65)).ToArray();
        _targets = Enumerable.Range(0, 64 * 32).Select(_ => random.NextInt(65)).ToArray();
        _state = new float[_model.StateSize(32)];
    }

    [Benchmark]
    public double TrainStep()
    {
        Array.Clear(_state);
        _model.Parameters.ZeroGradients();
        return _model.TrainStep(_inputs, _targets, 64, 32, _state);
    }
}
