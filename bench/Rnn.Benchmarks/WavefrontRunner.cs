// `dotnet run -c Release --project bench/Rnn.Benchmarks -- wavefront [options]`: the wavefront schedule (WavefrontRnn)
// against the network's own ("split": every per-step product split across the threads), timed interleaved in one
// process: a warm-up of a second, then rounds of repetitions in which every candidate runs once in turn. Prints, per
// candidate, the median of all repetitions and the least and greatest median of a round, and checks first that the
// wavefront's output (and, for train, every gradient and dX) matches the network's.
//   --configs 100,32,256,256,2;...   T,B,I,H,L (simple tanh cell, D = 1)
//   --blocks 1,4,16                  the wavefront's block sizes
//   --mode forward|train|both        what is timed (train adds the backward of WavefrontRnn.OverlapBackward)
//   --rounds 5 --steps 20            rounds, and repetitions of each candidate per round
using System.Diagnostics;
using System.Globalization;
using Rnn.Kernels;
using Rnn.Layers;
using Rnn.Tensors;

namespace Rnn.Benchmarks;

internal static class WavefrontRunner
{
    private sealed record Candidate(string Name, int Threads, Action Run);

    public static int Run(string[] args)
    {
        string configs = Option(args, "--configs", "100,32,256,256,2");
        int[] blocks = Option(args, "--blocks", "1,4,16").Split(',').Select(int.Parse).ToArray();
        string mode = Option(args, "--mode", "both");
        int rounds = int.Parse(Option(args, "--rounds", "5"), CultureInfo.InvariantCulture);
        int steps = int.Parse(Option(args, "--steps", "20"), CultureInfo.InvariantCulture);
        Console.WriteLine($"processors {Environment.ProcessorCount}, rounds {rounds} × {steps} repetitions, load {LoadAverage()}");
        foreach (string config in configs.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            int[] c = config.Split(',').Select(int.Parse).ToArray();
            foreach (bool train in mode switch { "forward" => new[] { false }, "train" => [true], _ => [false, true] })
                Measure(c[0], c[1], c[2], c[3], c[4], blocks, train, rounds, steps);
        }
        return 0;
    }

    private static void Measure(int sequenceLength, int batch, int inputSize, int hidden, int layers, int[] blocks, bool train,
        int rounds, int steps)
    {
        var options = new RnnOptions { InputSize = inputSize, HiddenSize = hidden, NumLayers = layers };
        var network = new RecurrentNetwork<float>(options, seed: 1);
        var wavefront = new WavefrontRnn(network, sequenceLength, batch);
        var random = new SeededRandom(2);
        var x = new float[sequenceLength * batch * inputSize];
        var g = new float[sequenceLength * batch * hidden];
        var y = new float[g.Length];
        var dx = new float[x.Length];
        random.FillNormal<float>(x, 0, 1);
        random.FillNormal<float>(g, 0, 1);

        void Split()
        {
            if (train) network.Parameters.ZeroGradients();
            network.Forward(x, sequenceLength, batch, default, y, default);
            if (train) network.Backward(g, default, dx, default);
        }
        Action Wave(int block, bool upfront, bool overlap = false) => () =>
        {
            wavefront.Block = block;
            wavefront.InputUpfront = upfront;
            wavefront.OverlapBackward = overlap;
            if (train) network.Parameters.ZeroGradients();
            wavefront.Forward(x, y);
            if (train) wavefront.Backward(g, dx);
        };
        var candidates = new List<Candidate> { new("split, 1 thread", 1, Split), new("split, 2 threads", 2, Split) };
        foreach (bool upfront in new[] { true, false })
            foreach (int block in blocks)
                candidates.Add(new($"wavefront, block {block,2}, layer-0 input {(upfront ? "upfront" : "per block")}", 2, Wave(block, upfront)));
        if (layers == 3)
            foreach (int block in blocks)
            {
                var wave = Wave(block, upfront: false, overlap: train);
                candidates.Add(new($"wavefront, block {block,2}, per block, layer 2's input on layer 1's thread{(train ? ", overlapped bwd" : "")}", 2, () =>
                {
                    wavefront.ProducerInputFrom = 2;
                    wave();
                    wavefront.ProducerInputFrom = int.MaxValue;
                }));
            }
        if (train)
            foreach (int block in blocks)
                candidates.Add(new($"wavefront, block {block,2}, per block, overlapped bwd", 2, Wave(block, upfront: false, overlap: true)));

        string what = train ? "train step" : "forward";
        Console.WriteLine();
        Console.WriteLine($"T,B,I,H,L = {sequenceLength},{batch},{inputSize},{hidden},{layers}, simple tanh, D = 1: {what}, ms; load {LoadAverage()}");

        // The same computation: the network's results on 2 threads against each wavefront's.
        ComputeThreads.Max = 2;
        Split();
        float[] reference = [.. network.LastOutput], referenceGradients = [.. network.Parameters.Gradients], referenceDx = [.. dx];
        double worstOutput = 0, worstGradient = 0, worstDx = 0, largestGradient = referenceGradients.Max(Math.Abs);
        var differing = new SortedSet<string>(StringComparer.Ordinal);   // the gradients not equal bit for bit
        foreach (var candidate in candidates.Skip(2))
        {
            Array.Clear(dx);
            candidate.Run();
            worstOutput = Math.Max(worstOutput, MaxAbsDifference(reference, wavefront.LastOutput));
            if (!train) continue;
            foreach (var parameter in network.Parameters.All)
            {
                double difference = MaxAbsDifference(referenceGradients.AsSpan(parameter.Offset, parameter.Length), network.Parameters.Gradient(parameter));
                if (difference > 0) differing.Add(parameter.Name);
                worstGradient = Math.Max(worstGradient, difference);
            }
            worstDx = Math.Max(worstDx, MaxAbsDifference(referenceDx, dx));
        }
        Console.WriteLine(train
            ? $"  wavefront vs split, max |difference|: output {worstOutput:G3}, gradients {worstGradient:G3} (largest |gradient| {largestGradient:G3}; not bit-equal: {(differing.Count == 0 ? "none" : string.Join(", ", differing))}), dX {worstDx:G3}"
            : $"  wavefront vs split, max |difference| of the output: {worstOutput:G3}");

        // Warm-up for a second, then the rounds, every candidate in turn at each repetition.
        long warmStart = Stopwatch.GetTimestamp();
        for (int i = 0; i < 3 || Stopwatch.GetElapsedTime(warmStart).TotalSeconds < 1; i++)
            foreach (var candidate in candidates) Invoke(candidate);
        var samples = candidates.Select(_ => new List<double>()).ToArray();
        var roundMedians = candidates.Select(_ => new List<double>()).ToArray();
        for (int r = 0; r < rounds; r++)
        {
            var round = candidates.Select(_ => new double[steps]).ToArray();
            for (int i = 0; i < steps; i++)
                for (int c = 0; c < candidates.Count; c++)
                {
                    long start = Stopwatch.GetTimestamp();
                    Invoke(candidates[c]);
                    round[c][i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
            for (int c = 0; c < candidates.Count; c++)
            {
                samples[c].AddRange(round[c]);
                roundMedians[c].Add(Median(round[c]));
            }
        }
        double split2 = Median([.. samples[1]]);
        Console.WriteLine($"  {"schedule",-88} {"median",8} {"rounds min",11} {"rounds max",11} {"vs split 2T",12}");
        for (int c = 0; c < candidates.Count; c++)
        {
            double median = Median([.. samples[c]]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {candidates[c].Name,-88} {median,8:F3} {roundMedians[c].Min(),11:F3} {roundMedians[c].Max(),11:F3} {split2 / median,11:F2}×"));
        }
        Console.WriteLine($"  load after: {LoadAverage()}");
    }

    private static void Invoke(Candidate candidate)
    {
        ComputeThreads.Max = candidate.Threads;
        candidate.Run();
    }

    private static double MaxAbsDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double worst = 0;
        for (int i = 0; i < a.Length; i++) worst = Math.Max(worst, Math.Abs((double)a[i] - b[i]));
        return worst;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "n/a"; }
    }

    private static string Option(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
