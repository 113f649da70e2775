// How far back a recurrent network remembers: x_t uniform in (−1, 1), and at every step one output per delay d = 1..Dmax
// must reproduce x_{t−d} (defined for t ≥ d; earlier steps carry no loss for that delay). Mean squared error.
// The quality per delay is R²_d = 1 − MSE_d / Var(x) with Var(x) = 1/3: 1 is perfect recall, 0 is no better than
// always answering the mean. The delay where R² falls is where the network's memory ends.
// T = steps, B = batch, Dmax = delays = outputs per step.
using System.Numerics;
using Rnn.Kernels;
using Rnn.Layers;
using Rnn.Models;
using Rnn.Optim;
using Rnn.Tensors;

namespace Rnn.Cli.Demos;

/// <summary>The size of the delay-recall task and of its training run.</summary>
public sealed record DelayRecallOptions : SequenceTaskOptions
{
    /// <summary>The task's default size.</summary>
    public DelayRecallOptions()
        : base(sequenceLength: 60, hiddenSize: 12, steps: 2000, learningRate: 2e-3, testSequences: 512)
    {
    }

    /// <summary>Dmax: delays 1..Dmax are asked for at once.</summary>
    public int MaxDelay { get; init; } = 20;

    /// <summary>The recurrent activation of the simple cell.</summary>
    public Nonlinearity Nonlinearity { get; init; } = Nonlinearity.Tanh;

    /// <summary>The cell: the simple one, LSTM or GRU.</summary>
    public CellKind Cell { get; init; } = CellKind.Rnn;
}

/// <summary>What the trained network recalls.</summary>
/// <param name="RSquared">R²_d for d = 1..Dmax (index d − 1) on the test set.</param>
/// <param name="Input">One test sequence x_0..x_{T−1}.</param>
/// <param name="Predictions">The network's outputs on that sequence [T, Dmax]: row t, column d − 1 estimates x_{t−d}.</param>
public sealed record DelayRecallResult(double[] RSquared, float[] Input, float[] Predictions)
{
    /// <summary>The first delay whose R² is below <paramref name="threshold"/>, or null if every delay reaches it.</summary>
    public int? MemoryEnd(double threshold = 0.5)
    {
        for (int d = 1; d <= RSquared.Length; d++)
            if (RSquared[d - 1] < threshold) return d;
        return null;
    }
}

/// <summary>Trains a one-layer recurrent network with a linear read-out to output its input delayed by every d in 1..Dmax.</summary>
public static class DelayRecallTask
{
    /// <summary>Var(x) of x ~ U(−1, 1).</summary>
    public const double InputVariance = 1.0 / 3;

    /// <summary>Draws x [T, B, 1] uniform in (−1, 1) and the targets [T, B, Dmax] (x_{t−d}, or 0 where t &lt; d).</summary>
    public static void Generate<T>(DelayRecallOptions options, SeededRandom random, Span<T> x, Span<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int t = options.SequenceLength, b = options.BatchSize, delays = options.MaxDelay;
        random.FillUniform(x, -1, 1);
        targets.Clear();
        for (int step = 0; step < t; step++)
            for (int n = 0; n < b; n++)
                for (int d = 1; d <= delays && d <= step; d++)
                    targets[(step * b + n) * delays + d - 1] = x[(step - d) * b + n];
    }

    /// <summary>Trains the network and measures R² per delay on a held-out set drawn from another seed.</summary>
    public static DelayRecallResult Run(DelayRecallOptions options)
    {
        var model = Train<float>(options);
        int t = options.SequenceLength, b = options.BatchSize, delays = options.MaxDelay;
        var x = new float[t * b];
        var targets = new float[t * b * delays];
        var test = new SeededRandom(options.Seed ^ 0x7E57_5E7UL);
        var squaredError = new double[delays];
        var count = new long[delays];
        var input = new float[t];
        var predictions = new float[t * delays];
        for (int done = 0; done < options.TestSequences; done += b)
        {
            Generate(options, test, x, targets);
            ReadOnlySpan<float> outputs = model.Forward(x, t, b);
            for (int i = 0; i < outputs.Length; i++)
            {
                int stepOf = i / (b * delays), d = i % delays + 1;
                if (stepOf < d) continue;
                double e = outputs[i] - targets[i];
                squaredError[d - 1] += e * e;
                count[d - 1]++;
            }
            if (done > 0) continue;
            for (int step = 0; step < t; step++)
            {
                input[step] = x[step * b];
                outputs.Slice(step * b * delays, delays).CopyTo(predictions.AsSpan(step * delays, delays));
            }
        }
        var rSquared = new double[delays];
        for (int d = 0; d < delays; d++) rSquared[d] = 1 - squaredError[d] / count[d] / InputVariance;
        return new DelayRecallResult(rSquared, input, predictions);
    }

    /// <summary>Trains the network for <see cref="SequenceTaskOptions.Steps"/> Adam steps on fresh batches and returns it.</summary>
    public static SequenceTagger<T> Train<T>(DelayRecallOptions options) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(options);
        int t = options.SequenceLength, b = options.BatchSize, delays = options.MaxDelay;
        if (delays >= t) throw new ArgumentOutOfRangeException(nameof(options), delays, "The largest delay must be shorter than the sequence.");
        var model = new SequenceTagger<T>(new RnnOptions
        {
            Cell = options.Cell, InputSize = 1, HiddenSize = options.HiddenSize, Nonlinearity = options.Nonlinearity,
        }, delays, options.Seed);
        var optimizer = new Adam<T>(model.Parameters, options.LearningRate);
        var random = new SeededRandom(options.Seed);
        var x = new T[t * b];
        var targets = new T[t * b * delays];
        var dOutputs = new T[targets.Length];
        // N = the (step, sequence, delay) triples with t ≥ d, the ones the loss is averaged over.
        int counted = 0;
        for (int d = 1; d <= delays; d++) counted += (t - d) * b;
        T two = T.CreateChecked(2), n = T.CreateChecked(counted);
        for (int step = 0; step < options.Steps; step++)
        {
            Generate(options, random, x, targets);
            model.Parameters.ZeroGradients();
            ReadOnlySpan<T> outputs = model.Forward(x, t, b);
            // ∂/∂z of (1/N) Σ (z − target)² over the counted triples; zero where t < d.
            for (int i = 0; i < outputs.Length; i++)
            {
                int stepOf = i / (b * delays), d = i % delays + 1;
                dOutputs[i] = stepOf >= d ? two * (outputs[i] - targets[i]) / n : T.Zero;
            }
            model.Backward(dOutputs);
            GradientClipping.ClipByGlobalNorm<T>(model.Parameters.Gradients, 5);
            optimizer.Step();
        }
        return model;
    }
}
