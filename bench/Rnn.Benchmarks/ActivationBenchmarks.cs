// The recurrent step's activation over one [B, H] state: the project's FastMath kernels (what Activation.Forward
// uses) against the base library's TensorPrimitives, in float and double. Elements per second = Length / mean time.
using BenchmarkDotNet.Attributes;
using System.Numerics.Tensors;
using Rnn.Kernels;

namespace Rnn.Benchmarks;

[MemoryDiagnoser]
public class ActivationBenchmarks
{
    private float[] _x = [], _y = [];
    private double[] _xd = [], _yd = [];

    // B·H for B = 32 and H = 128, 512
    [Params(4096, 16384)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _x = GemmSquareBenchmarks.Fill(Length, 5);
        for (int i = 0; i < _x.Length; i++) _x[i] *= 3;
        _y = new float[Length];
        _xd = Array.ConvertAll(_x, v => (double)v);
        _yd = new double[Length];
    }

    [Benchmark(Baseline = true)]
    public void TanhBaseLibrary() => TensorPrimitives.Tanh(_x, _y);

    [Benchmark]
    public void TanhFastMath() => FastMath.Tanh(_x, _y);

    [Benchmark]
    public void SigmoidBaseLibrary() => TensorPrimitives.Sigmoid(_x, _y);

    [Benchmark]
    public void SigmoidFastMath() => FastMath.Sigmoid(_x, _y);

    [Benchmark]
    public void TanhDoubleBaseLibrary() => TensorPrimitives.Tanh(_xd, _yd);

    [Benchmark]
    public void TanhDoubleFastMath() => FastMath.Tanh(_xd, _yd);
}
