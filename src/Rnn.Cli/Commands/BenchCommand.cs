using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Rnn.Kernels;
using Rnn.Layers;
using Rnn.Models;
using Rnn.Tensors;

namespace Rnn.Cli.Commands;

/// <summary>
/// <c>rnn bench</c>: median milliseconds of a forward pass and of a train step (forward + backward of
/// loss = Σ y ⊙ G for a fixed random G, every parameter gradient and dX), float32, as the peers are timed. With
/// <c>--lengths uniform</c>, the same batch with per-sequence lengths drawn uniformly from 1..T (seeded), timed
/// interleaved with the batch padded to T, and the time the lengths save.
/// </summary>
public static class BenchCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var seq = CommandLine.PositiveInt("--seq", "T.", 100);
        var batch = CommandLine.PositiveInt("--batch", "B.", 32);
        var input = CommandLine.PositiveInt("--input", "I (the embedding width with --lm).", 128);
        var hidden = CommandLine.PositiveInt("--hidden", "H.", 128);
        var layers = CommandLine.PositiveInt("--layers", "L.", 1);
        var cell = CommandLine.Choice("--cell", "Recurrent cell: the simple RNN, LSTM or GRU.", "rnn", "rnn", "lstm", "gru");
        var bidirectional = new Option<bool>("--bidirectional") { Description = "D = 2." };
        var lm = new Option<bool>("--lm") { Description = "Time a language model: embedding → RNN → Linear → softmax cross-entropy." };
        var vocab = CommandLine.PositiveInt("--vocab", "V, with --lm.", 65);
        var threads = new Option<int>("--threads") { Description = "Threads.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var steps = CommandLine.PositiveInt("--steps", "Timed repetitions (after a warm-up of at least a second and 3 steps).", 20);
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text." };
        var lengthsOption = CommandLine.Choice("--lengths", "Per-sequence lengths: all T, or uniform over 1..T (seeded), timed against the same batch padded to T.", "all", "all", "uniform");
        var gemm = new Option<string?>("--gemm") { Description = "Time one float32 product C[M, N] = A[M, K]·B[K, N] instead, given as M,N,K." };
        var prepacked = new Option<bool>("--prepacked") { Description = "With --gemm: B packed beforehand, as the recurrent step's W_hh is." };
        var command = new Command("bench", "Time forward and train steps of an RNN (or a language model) in float32.")
        {
            seq, batch, input, hidden, layers, cell, bidirectional, lm, vocab, threads, steps, json, lengthsOption, gemm, prepacked,
        };
        command.SetAction(parse =>
        {
            Threading.Configure(parse.GetValue(threads));
            if (parse.GetValue(gemm) is { } shape)
                return TimeProduct(shape, parse.GetValue(prepacked), parse.GetValue(steps), parse.InvocationConfiguration.Output);
            var options = new RnnOptions
            {
                Cell = RnnOptions.ParseCell(parse.GetValue(cell)!),
                InputSize = parse.GetValue(input), HiddenSize = parse.GetValue(hidden), NumLayers = parse.GetValue(layers),
                Bidirectional = parse.GetValue(bidirectional),
            };
            int t = parse.GetValue(seq), b = parse.GetValue(batch), n = parse.GetValue(steps);
            bool uniform = parse.GetValue(lengthsOption) == "uniform";
            if (uniform && parse.GetValue(lm)) throw new UsageException("--lengths times the RNN alone; leave out --lm");
            int[] lengths = uniform ? UniformLengths(t, b, seed: 3) : [];
            var (train, forward, padded) = parse.GetValue(lm)
                ? TimeLanguageModel(options, parse.GetValue(vocab), t, b, n)
                : TimeRnn(options, t, b, n, lengths);
            double peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
            // a cell of G gate blocks multiplies by G·H-row weights
            // with lengths, only the steps that run count
            double stepsRun = lengths.Length == 0 ? (double)t * b : lengths.Sum();
            double forwardFlops = 2.0 * stepsRun * RecurrentLayer<float>.GateCount(options.Cell) * Enumerable.Range(0, options.NumLayers)
                .Sum(l => options.NumDirections * (double)(options.LayerInputSize(l) + options.HiddenSize) * options.HiddenSize);
            string config = $"{t},{b},{options.InputSize},{options.HiddenSize},{options.NumLayers},{options.NumDirections}" + (parse.GetValue(lm) ? $",lm{parse.GetValue(vocab)}" : "")
                + (options.Cell == CellKind.Rnn ? "" : "," + RnnOptions.CellName(options.Cell));
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                output.WriteLine(new JsonObject
                {
                    ["config"] = config, ["threads"] = ComputeThreads.Max, ["train_ms"] = Math.Round(train, 4), ["fwd_ms"] = Math.Round(forward, 4),
                    ["train_gflops"] = Math.Round(3 * forwardFlops / train / 1e6, 2), ["fwd_gflops"] = Math.Round(forwardFlops / forward / 1e6, 2),
                    ["peak_rss_mb"] = Math.Round(peakMb, 1), ["alloc_bytes_per_train_step"] = _lastStepAllocation,
                    ["lengths"] = uniform ? "uniform" : "all", ["mean_length"] = Math.Round(lengths.Length == 0 ? t : lengths.Average(), 2),
                    ["padded_train_ms"] = padded is { } p ? Math.Round(p.Train, 4) : null, ["padded_fwd_ms"] = padded is { } q ? Math.Round(q.Forward, 4) : null,
                }.ToJsonString());
            }
            else
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"T,B,I,H,L,D = {config}, {ComputeThreads.Max} thread(s), median of {n}:"));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  train step  {train,9:F3} ms  {3 * forwardFlops / train / 1e6,7:F1} GFLOP/s (RNN part, 3× forward)"));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  forward     {forward,9:F3} ms  {forwardFlops / forward / 1e6,7:F1} GFLOP/s"));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  peak RSS    {peakMb,9:F1} MB"));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  allocated   {_lastStepAllocation,9} bytes per train step (after warm-up)"));
                if (padded is { } p)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  lengths uniform over 1..{t} (mean {lengths.Average():F1}) against the batch padded to {t}, interleaved (the times above are with lengths):"));
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  padded train{p.Train,9:F3} ms  saved {1 - train / p.Train,6:P1}"));
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  padded fwd  {p.Forward,9:F3} ms  saved {1 - forward / p.Forward,6:P1}"));
                }
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Lengths [B] drawn uniformly from 1..T.</summary>
    private static int[] UniformLengths(int sequenceLength, int batch, ulong seed)
    {
        var random = new SeededRandom(seed);
        return Enumerable.Range(0, batch).Select(_ => 1 + random.NextInt(sequenceLength)).ToArray();
    }

    /// <summary>The RNN's median train step and forward pass; with lengths, also those of the batch padded to T, timed interleaved.</summary>
    private static (double Train, double Forward, (double Train, double Forward)? Padded) TimeRnn(RnnOptions options, int sequenceLength, int batch,
        int steps, int[] lengths)
    {
        var rnn = new RecurrentNetwork<float>(options, seed: 1);
        var random = new SeededRandom(2);
        var x = new float[sequenceLength * batch * options.InputSize];
        var g = new float[sequenceLength * batch * options.OutputSize];
        var y = new float[g.Length];
        var dx = new float[x.Length];
        random.FillNormal<float>(x, 0, 1);
        random.FillNormal<float>(g, 0, 1);
        Action Train(int[] l) => () =>
        {
            rnn.Parameters.ZeroGradients();
            rnn.Forward(x, sequenceLength, batch, default, y, default, lengths: l);
            rnn.Backward(g, default, dx, default);
        };
        Action Forward(int[] l) => () => rnn.Forward(x, sequenceLength, batch, default, y, default, lengths: l);
        double[] train = lengths.Length == 0 ? Medians(steps, Train([])) : Medians(steps, Train(lengths), Train([]));
        long allocation = _lastStepAllocation;
        double[] forward = lengths.Length == 0 ? Medians(steps, Forward([])) : Medians(steps, Forward(lengths), Forward([]));
        _lastStepAllocation = allocation;
        return (train[0], forward[0], lengths.Length == 0 ? null : (train[1], forward[1]));
    }

    private static (double Train, double Forward, (double Train, double Forward)? Padded) TimeLanguageModel(RnnOptions options, int vocabulary, int sequenceLength, int batch, int steps)
    {
        var model = new LanguageModel<float>(new LanguageModelConfig
        {
            Cell = options.Cell, VocabularySize = vocabulary, EmbeddingSize = options.InputSize, HiddenSize = options.HiddenSize, NumLayers = options.NumLayers,
        }, seed: 1);
        var random = new SeededRandom(2);
        var inputs = new int[sequenceLength * batch];
        var targets = new int[inputs.Length];
        for (int i = 0; i < inputs.Length; i++) { inputs[i] = random.NextInt(vocabulary); targets[i] = random.NextInt(vocabulary); }
        var state = new float[model.StateSize(batch)];
        double train = Medians(steps, () =>
        {
            Array.Clear(state);
            model.Parameters.ZeroGradients();
            model.TrainStep(inputs, targets, sequenceLength, batch, state);
        })[0];
        long allocation = _lastStepAllocation;
        double forward = Medians(steps, () =>
        {
            Array.Clear(state);
            model.Evaluate(inputs, targets, sequenceLength, batch, state);
        })[0];
        _lastStepAllocation = allocation;
        return (train, forward, null);
    }

    /// <summary>
    /// <c>--gemm M,N,K</c>: the median rate of C = A·B in float32 (against a <see cref="PackedMatrix{T}"/> with
    /// <paramref name="prepacked"/>), each timed step repeating the product until it is ~0.1 GFLOP, so that the
    /// recurrent step's few-µs product is timed too. Prints one JSON object.
    /// </summary>
    private static int TimeProduct(string shape, bool prepacked, int steps, TextWriter output)
    {
        int[] size = shape.Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        if (size.Length != 3 || size.Any(x => x <= 0))
            throw new ArgumentException($"--gemm takes M,N,K, three positive sizes; got '{shape}'.");
        int m = size[0], n = size[1], k = size[2];
        var random = new SeededRandom(3);
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
        random.FillNormal<float>(a, 0, 1);
        random.FillNormal<float>(b, 0, 1);
        var packed = new PackedMatrix<float>(k, n);
        packed.Pack(false, b, n);
        double flops = 2.0 * m * n * k;
        int repeat = (int)Math.Max(1, 1e8 / flops);
        double ms = Medians(steps, () =>
        {
            for (int r = 0; r < repeat; r++)
            {
                if (prepacked) Gemm.Multiply(m, 1f, a, k, packed, 0f, c, n);
                else Gemm.Multiply(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n);
            }
        })[0] / repeat;
        output.WriteLine(new JsonObject
        {
            ["gemm"] = $"{m},{n},{k}", ["prepacked"] = prepacked, ["threads"] = ComputeThreads.Max, ["ms"] = Math.Round(ms, 5),
            ["gflops"] = Math.Round(flops / ms / 1e6, 2),
        }.ToJsonString());
        return ExitCodes.Ok;
    }

    /// <summary>Bytes allocated on the managed heap by the last timed train step (all threads).</summary>
    private static long _lastStepAllocation;

    /// <summary>The median milliseconds of each step, timed in turn (interleaved, so that drifts of the machine hit all alike).</summary>
    private static double[] Medians(int steps, params Action[] candidates)
    {
        // Warm up for a second (at least 3 steps): the JIT compiles hot methods fully only after ~30 calls, and a
        // short run would otherwise time unoptimised code that no real training ever runs for long.
        long warmStart = Stopwatch.GetTimestamp();
        for (int i = 0; i < 3 || (i < 1000 && Stopwatch.GetElapsedTime(warmStart).TotalSeconds < 1); i++)
            foreach (var step in candidates) step();
        _lastStepAllocation = 0;
        foreach (var step in candidates)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            step();
            _lastStepAllocation = Math.Max(_lastStepAllocation, GC.GetTotalAllocatedBytes(precise: true) - before);
        }
        var times = new double[candidates.Length][];
        for (int c = 0; c < candidates.Length; c++) times[c] = new double[steps];
        for (int i = 0; i < steps; i++)
            for (int c = 0; c < candidates.Length; c++)
            {
                long start = Stopwatch.GetTimestamp();
                candidates[c]();
                times[c][i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        var medians = new double[candidates.Length];
        for (int c = 0; c < candidates.Length; c++)
        {
            Array.Sort(times[c]);
            medians[c] = steps % 2 == 1 ? times[c][steps / 2] : (times[c][steps / 2 - 1] + times[c][steps / 2]) / 2;
        }
        return medians;
    }
}
