// A labelling task only a model that reads the future can solve: x_t uniform over V symbols, the label of step t is
// the symbol k steps later, y_t = x_{t+k}, or the extra class V ("past the end") when t + k ≥ T.
// Softmax cross-entropy at every step, as in the tutorial's language model. A unidirectional RNN at step t has seen
// only x_0..x_t, so beyond the k "past the end" steps it can only guess; a bidirectional one reads x_{t+k} through
// its reverse direction, which is k steps of memory.
// T = steps, B = batch, V = symbols.
using Rnn.Layers;
using Rnn.Models;
using Rnn.Losses;
using Rnn.Optim;
using Rnn.Tensors;

namespace Rnn.Cli.Demos;

/// <summary>The size of the task and of its training run.</summary>
public sealed record FutureTokenOptions : SequenceTaskOptions
{
    /// <summary>The task's default size.</summary>
    public FutureTokenOptions()
        : base(sequenceLength: 20, hiddenSize: 32, steps: 600, learningRate: 1e-2, testSequences: 2048)
    {
    }

    /// <summary>V: distinct input symbols (V + 1 label classes).</summary>
    public int Symbols { get; init; } = 8;

    /// <summary>k: how far ahead the label looks.</summary>
    public int Lookahead { get; init; } = 3;
}

/// <summary>Test accuracy of one model on the task.</summary>
/// <param name="Bidirectional">Whether the RNN had a reverse direction.</param>
/// <param name="Accuracy">Fraction of test steps whose arg-max class is the label.</param>
/// <param name="Loss">Mean test cross-entropy, nats per step.</param>
public sealed record FutureTokenResult(bool Bidirectional, double Accuracy, double Loss);

/// <summary>Trains a unidirectional and a bidirectional tanh RNN with a softmax read-out on <c>y_t = x_{t+k}</c>.</summary>
public static class FutureTokenTask
{
    /// <summary>
    /// The best expected accuracy without the future: the k "past the end" steps right, one in V of the others.
    /// </summary>
    public static double BlindAccuracy(FutureTokenOptions options) =>
        (options.Lookahead + (options.SequenceLength - options.Lookahead) / (double)options.Symbols) / options.SequenceLength;

    /// <summary>Draws B sequences: one-hot x [T, B, V] (overwritten) and labels y [T, B].</summary>
    public static void Generate(FutureTokenOptions options, SeededRandom random, Span<float> x, Span<int> labels)
    {
        int t = options.SequenceLength, b = options.BatchSize, v = options.Symbols, k = options.Lookahead;
        var symbols = new int[t * b];
        for (int i = 0; i < symbols.Length; i++) symbols[i] = random.NextInt(v);
        x.Clear();
        for (int step = 0; step < t; step++)
            for (int n = 0; n < b; n++)
            {
                int row = step * b + n;
                x[row * v + symbols[row]] = 1;
                labels[row] = step + k < t ? symbols[(step + k) * b + n] : v;
            }
    }

    /// <summary>Trains one model (tanh, one layer) and returns its accuracy on a held-out set drawn from another seed.</summary>
    public static FutureTokenResult Run(FutureTokenOptions options, bool bidirectional)
    {
        ArgumentNullException.ThrowIfNull(options);
        int t = options.SequenceLength, b = options.BatchSize, v = options.Symbols, classes = v + 1;
        var model = new SequenceTagger<float>(new RnnOptions
        {
            InputSize = v, HiddenSize = options.HiddenSize, Bidirectional = bidirectional,
        }, classes, options.Seed);
        var optimizer = new Adam<float>(model.Parameters, options.LearningRate);
        var random = new SeededRandom(options.Seed);
        var x = new float[t * b * v];
        var labels = new int[t * b];
        var dLogits = new float[t * b * classes];
        for (int step = 0; step < options.Steps; step++)
        {
            Generate(options, random, x, labels);
            model.Parameters.ZeroGradients();
            SoftmaxCrossEntropy.LossAndGradient<float>(model.Forward(x, t, b), labels, classes, dLogits);
            model.Backward(dLogits);
            GradientClipping.ClipByGlobalNorm<float>(model.Parameters.Gradients, 5);
            optimizer.Step();
        }

        var test = new SeededRandom(options.Seed ^ 0x7E57_5E7UL);
        long correct = 0, total = 0;
        double loss = 0;
        for (int done = 0; done < options.TestSequences; done += b)
        {
            Generate(options, test, x, labels);
            ReadOnlySpan<float> logits = model.Forward(x, t, b);
            loss += SoftmaxCrossEntropy.SumLoss(logits, labels, classes);
            for (int row = 0; row < labels.Length; row++)
                if (ArgMax(logits.Slice(row * classes, classes)) == labels[row]) correct++;
            total += labels.Length;
        }
        return new FutureTokenResult(bidirectional, (double)correct / total, loss / total);
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }
}
