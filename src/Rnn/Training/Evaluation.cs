// Cross-entropy of a model over a whole token sequence, every prediction counted exactly once:
// B streams of equal length carried chunk to chunk, then the leftover tail continuing the last stream.
// Or over windows of a sequence, each its own stream from a zero state: a sample of a long held-out text.
using System.Numerics;
using Rnn.Data;
using Rnn.Models;

namespace Rnn.Training;

/// <summary>The loss of a model on a text: summed nats over <see cref="Predictions"/> next-token predictions.</summary>
/// <param name="TotalNats">Σ −ln p(next token).</param>
/// <param name="Predictions">How many tokens were predicted (N − 1 for N tokens).</param>
public sealed record EvaluationResult(double TotalNats, long Predictions)
{
    /// <summary>Mean cross-entropy per token, in nats.</summary>
    public double Loss => Predictions == 0 ? double.NaN : TotalNats / Predictions;

    /// <summary>exp(loss).</summary>
    public double Perplexity => Math.Exp(Loss);

    /// <summary>Loss in bits per token (bits per character for a character model).</summary>
    public double BitsPerToken => Loss / Math.Log(2);
}

/// <summary>Evaluates a language model on a token sequence.</summary>
public static class Evaluation
{
    /// <summary>
    /// Runs the model over <paramref name="tokens"/> from a zero state, predicting each token from all before it
    /// (within streams: the sequence is cut into at most <paramref name="batch"/> streams for speed).
    /// </summary>
    public static EvaluationResult Evaluate<T>(LanguageModel<T> model, ReadOnlySpan<int> tokens, int batch = 32, int sequenceLength = 64)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Contiguous(model, new SpanReader(tokens), tokens.Length, batch, sequenceLength, default);

    /// <summary>
    /// <see cref="Evaluate{T}(LanguageModel{T}, ReadOnlySpan{int}, int, int)"/> on ids in compact storage: the same
    /// streams, the same figures to the last bit.
    /// </summary>
    /// <param name="cancellation">Checked between chunks; a cancelled evaluation throws <see cref="OperationCanceledException"/>.</param>
    public static EvaluationResult Evaluate<T>(LanguageModel<T> model, TokenIds tokens, int batch = 32, int sequenceLength = 64,
        CancellationToken cancellation = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(tokens);
        return Contiguous(model, new IdsReader(tokens), tokens.Count, batch, sequenceLength, cancellation);
    }

    /// <summary>
    /// Runs the model over windows of <paramref name="tokens"/>, each from a zero state and each one stream of a
    /// batch: window b is the <paramref name="windowLength"/> + 1 tokens from <paramref name="starts"/>[b], giving
    /// <paramref name="windowLength"/> predictions. This is how a sample of a long held-out text is scored.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A window does not lie within the tokens, or there is no window.</exception>
    public static EvaluationResult EvaluateWindows<T>(LanguageModel<T> model, TokenIds tokens, ReadOnlySpan<int> starts, int windowLength,
        int sequenceLength = 64)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequenceLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(windowLength);
        if (starts.IsEmpty) throw new ArgumentOutOfRangeException(nameof(starts), "There must be at least one window.");
        foreach (int start in starts)
            if (start < 0 || (long)start + windowLength >= tokens.Count)
                throw new ArgumentOutOfRangeException(nameof(starts), start, $"A window of {windowLength} + 1 tokens from {start} does not lie within the {tokens.Count} tokens.");
        bool training = model.Rnn.Training;
        model.Rnn.Training = false;
        try
        {
            var state = new T[model.StateSize(starts.Length)];
            double total = Streams(model, new IdsReader(tokens), starts, windowLength, sequenceLength, state, default);
            return new EvaluationResult(total, (long)starts.Length * windowLength);
        }
        finally
        {
            model.Rnn.Training = training;
        }
    }

    private static EvaluationResult Contiguous<T, TReader>(LanguageModel<T> model, TReader tokens, int count, int batch, int sequenceLength,
        CancellationToken cancellation)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TReader : ITokenReader, allows ref struct
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequenceLength);
        int predictions = count - 1;
        if (predictions <= 0) return new EvaluationResult(0, 0);
        bool training = model.Rnn.Training;
        model.Rnn.Training = false;
        try
        {
            batch = Math.Max(1, Math.Min(batch, predictions / sequenceLength));
            int streamLength = predictions / batch;
            var state = new T[model.StateSize(batch)];
            Span<int> starts = batch <= 256 ? stackalloc int[batch] : new int[batch];
            for (int b = 0; b < batch; b++) starts[b] = b * streamLength;
            double total = Streams(model, tokens, starts, streamLength, sequenceLength, state, cancellation);

            // The tail after the last stream continues that stream: carry its final state (h, then an LSTM's c), batch 1.
            int tailStart = batch * streamLength;
            if (tailStart < predictions)
            {
                int h = model.Config.HiddenSize, layers = model.Config.NumLayers;
                var tailState = new T[model.StateSize(1)];
                for (int part = 0; part < tailState.Length / (layers * h); part++)
                    for (int l = 0; l < layers; l++)
                        state.AsSpan(part * layers * batch * h + (l * batch + batch - 1) * h, h).CopyTo(tailState.AsSpan(part * layers * h + l * h, h));
                int length = predictions - tailStart;
                var inputs = new int[length];
                var targets = new int[length];
                for (int i = 0; i < length; i++)
                {
                    inputs[i] = tokens.Get(tailStart + i);
                    targets[i] = tokens.Get(tailStart + i + 1);
                }
                total += model.Evaluate(inputs, targets, length, 1, tailState);
            }
            return new EvaluationResult(total, predictions);
        }
        finally
        {
            model.Rnn.Training = training;
        }
    }

    /// <summary>
    /// B streams read side by side in chunks of T steps, the state carried from chunk to chunk: stream b predicts the
    /// tokens at starts[b] + 1 … starts[b] + length. Returns the summed nats.
    /// </summary>
    private static double Streams<T, TReader>(LanguageModel<T> model, TReader tokens, ReadOnlySpan<int> starts, int length, int sequenceLength,
        T[] state, CancellationToken cancellation)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TReader : ITokenReader, allows ref struct
    {
        int batch = starts.Length;
        var inputs = new int[sequenceLength * batch];
        var targets = new int[sequenceLength * batch];
        double total = 0;
        for (int start = 0; start < length; start += sequenceLength)
        {
            cancellation.ThrowIfCancellationRequested();
            int t = Math.Min(sequenceLength, length - start);
            for (int step = 0; step < t; step++)
                for (int b = 0; b < batch; b++)
                {
                    int position = starts[b] + start + step;
                    inputs[step * batch + b] = tokens.Get(position);
                    targets[step * batch + b] = tokens.Get(position + 1);
                }
            total += model.Evaluate(inputs.AsSpan(0, t * batch), targets.AsSpan(0, t * batch), t, batch, state);
        }
        return total;
    }

    private interface ITokenReader
    {
        int Get(int index);
    }

    private readonly ref struct SpanReader(ReadOnlySpan<int> tokens) : ITokenReader
    {
        private readonly ReadOnlySpan<int> _tokens = tokens;

        public int Get(int index) => _tokens[index];
    }

    private readonly struct IdsReader(TokenIds tokens) : ITokenReader
    {
        public int Get(int index) => tokens[index];
    }
}
