using BenchmarkDotNet.Attributes;
using Rnn.Kernels;
using Rnn.Layers;
using Rnn.Tensors;

namespace Rnn.Benchmarks;

/// <summary>
/// Stacked simple-cell layers, float32, D = 1: the network's schedule (each per-step product split across the
/// threads; 1 and 2 threads) against the wavefront prototype of <see cref="WavefrontRnn"/> (one layer per core), forward
/// and train step. The interleaved runner (<c>-- wavefront</c>, WavefrontRunner.cs) gives the same comparison faster.
/// </summary>
[MemoryDiagnoser]
public class WavefrontBenchmarks
{
    private RecurrentNetwork<float> _network = null!;
    private WavefrontRnn _wavefront = null!;
    private float[] _x = [], _g = [], _y = [], _dx = [];
    private int _sequenceLength, _batch;

    /// <summary>T,B,I,H,L.</summary>
    [Params("100,32,256,256,2", "100,32,256,256,3", "50,64,512,512,2")]
    public string Config { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        int[] c = Config.Split(',').Select(int.Parse).ToArray();
        (_sequenceLength, _batch) = (c[0], c[1]);
        _network = new RecurrentNetwork<float>(new RnnOptions { InputSize = c[2], HiddenSize = c[3], NumLayers = c[4] }, seed: 1);
        // the prototype's best variants as measured: layer 0's input per block, the overlapped backward, and for
        // three layers layer 2's input product on layer 1's thread
        _wavefront = new WavefrontRnn(_network, _sequenceLength, _batch)
        {
            InputUpfront = false, OverlapBackward = true, ProducerInputFrom = c[4] == 3 ? 2 : int.MaxValue,
        };
        var random = new SeededRandom(2);
        _x = new float[_sequenceLength * _batch * c[2]];
        _g = new float[_sequenceLength * _batch * c[3]];
        _y = new float[_g.Length];
        _dx = new float[_x.Length];
        random.FillNormal<float>(_x, 0, 1);
        random.FillNormal<float>(_g, 0, 1);
    }

    [GlobalCleanup]
    public void Cleanup() => ComputeThreads.Max = Environment.ProcessorCount;

    [Benchmark(Baseline = true)]
    public void SplitForward2Threads() => Split(2, train: false);

    [Benchmark]
    public void SplitForward1Thread() => Split(1, train: false);

    [Benchmark]
    [Arguments(1)]
    [Arguments(4)]
    public void WavefrontForward(int block) => Wavefront(block, train: false);

    [Benchmark]
    public void SplitTrain2Threads() => Split(2, train: true);

    [Benchmark]
    public void SplitTrain1Thread() => Split(1, train: true);

    [Benchmark]
    [Arguments(1)]
    [Arguments(4)]
    public void WavefrontTrain(int block) => Wavefront(block, train: true);

    private void Split(int threads, bool train)
    {
        ComputeThreads.Max = threads;
        if (train) _network.Parameters.ZeroGradients();
        _network.Forward(_x, _sequenceLength, _batch, default, _y, default);
        if (train) _network.Backward(_g, default, _dx, default);
    }

    private void Wavefront(int block, bool train)
    {
        ComputeThreads.Max = 2;
        _wavefront.Block = block;
        if (train) _network.Parameters.ZeroGradients();
        _wavefront.Forward(_x, _y);
        if (train) _wavefront.Backward(_g, _dx);
    }
}
