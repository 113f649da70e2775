using BenchmarkDotNet.Attributes;
using Rnn.Layers;
using Rnn.Tensors;

namespace Rnn.Benchmarks;

/// <summary>
/// A train step of a batch of variable-length sequences (lengths uniform over 1..T, seeded) against the same batch padded
/// to T: the per-step products run only on the sequences still running, so the saving approaches 1 − mean length / T.
/// </summary>
[MemoryDiagnoser]
public class LengthsBenchmarks
{
    private RnnTrainStep _step = null!;
    private int[] _lengths = [];

    /// <summary>T,B,I,H.</summary>
    [Params("100,32,128,128", "100,32,256,256")]
    public string Config { get; set; } = "";

    [Params(CellKind.Rnn, CellKind.Lstm)]
    public CellKind Cell { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        int[] c = Config.Split(',').Select(int.Parse).ToArray();
        _step = new RnnTrainStep(new RnnOptions { Cell = Cell, InputSize = c[2], HiddenSize = c[3] }, c[0], c[1]);
        var random = new SeededRandom(3);
        _lengths = Enumerable.Range(0, c[1]).Select(_ => 1 + random.NextInt(c[0])).ToArray();
    }

    [Benchmark(Baseline = true)]
    public void Padded() => _step.Train();

    [Benchmark]
    public void UniformLengths() => _step.Train(_lengths);
}
