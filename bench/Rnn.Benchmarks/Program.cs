// Entry point: `dotnet run -c Release --project bench/Rnn.Benchmarks -- --filter '*Gemm*'` (add `--job short` for a quick run).
using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
