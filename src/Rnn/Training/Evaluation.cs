// Cross-entropy of a model over a whole token sequence, every prediction counted exactly once:
// B streams of equal length carried chunk to chunk, then the leftover tail continuing the last stream.
using System.Numerics;
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
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequenceLength);
        int predictions = tokens.Length - 1;
        if (predictions <= 0) return new EvaluationResult(0, 0);
        bool training = model.Rnn.Training;
        model.Rnn.Training = false;
        try
        {
            batch = Math.Max(1, Math.Min(batch, predictions / sequenceLength));
            int streamLength = predictions / batch;
            var state = new T[model.StateSize(batch)];
            var inputs = new int[sequenceLength * batch];
            var targets = new int[sequenceLength * batch];
            double total = 0;
            for (int start = 0; start < streamLength; start += sequenceLength)
            {
                int t = Math.Min(sequenceLength, streamLength - start);
                for (int step = 0; step < t; step++)
                    for (int b = 0; b < batch; b++)
                    {
                        int position = b * streamLength + start + step;
                        inputs[step * batch + b] = tokens[position];
                        targets[step * batch + b] = tokens[position + 1];
                    }
                total += model.Evaluate(inputs.AsSpan(0, t * batch), targets.AsSpan(0, t * batch), t, batch, state);
            }

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
                total += model.Evaluate(tokens.Slice(tailStart, length), tokens.Slice(tailStart + 1, length), length, 1, tailState);
            }
            return new EvaluationResult(total, predictions);
        }
        finally
        {
            model.Rnn.Training = training;
        }
    }
}
