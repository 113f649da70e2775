// Entry point: `dotnet run -c Release --project bench/Rnn.Benchmarks -- --filter '*Gemm*'` (add `--job short` for a quick run);
// `... -- wavefront [options]` runs the interleaved wavefront-against-split timing of WavefrontRunner.cs instead.
using BenchmarkDotNet.Running;
using Rnn.Benchmarks;

if (args.Length > 0 && args[0] == "wavefront") return WavefrontRunner.Run(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
