// Gemm.Multiply on the shapes that matter: square products (throughput) and the recurrent step
//   forward  C[B, H] = S[B, H] · W[H, H]ᵀ   (transposeB)
//   backward C[B, H] = Δ[B, H] · W[H, H]     (no transpose)
// GFLOP/s = 2·m·n·k / mean time.
using BenchmarkDotNet.Attributes;
using Rnn.Kernels;

namespace Rnn.Benchmarks;

[MemoryDiagnoser]
public class GemmSquareBenchmarks
{
    private float[] _a = [], _b = [], _c = [];

    [Params(256, 1024, 2048)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup() => (_a, _b, _c) = (Fill(Size * Size, 1), Fill(Size * Size, 2), new float[Size * Size]);

    [Benchmark]
    public void Sgemm() => Gemm.Multiply(false, false, Size, Size, Size, 1f, _a, Size, _b, Size, 0f, _c, Size);

    internal static float[] Fill(int length, int seed)
    {
        var rng = new Random(seed);
        var data = new float[length];
        for (int i = 0; i < length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
        return data;
    }
}

[MemoryDiagnoser]
public class GemmRecurrentStepBenchmarks
{
    private float[] _state = [], _weight = [], _out = [];

    [Params(1, 32, 64)]
    public int BatchSize { get; set; }

    [Params(128, 512, 1024)]
    public int HiddenSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _state = GemmSquareBenchmarks.Fill(BatchSize * HiddenSize, 3);
        _weight = GemmSquareBenchmarks.Fill(HiddenSize * HiddenSize, 4);
        _out = new float[BatchSize * HiddenSize];
    }

    [Benchmark]
    public void Forward() => Gemm.Multiply(false, true, BatchSize, HiddenSize, HiddenSize, 1f, _state, HiddenSize, _weight, HiddenSize, 1f, _out, HiddenSize);

    [Benchmark]
    public void Backward() => Gemm.Multiply(false, false, BatchSize, HiddenSize, HiddenSize, 1f, _state, HiddenSize, _weight, HiddenSize, 1f, _out, HiddenSize);
}
