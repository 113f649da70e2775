// Inference over variable-length sequences in input order, batched as training batches them (sorted within a batch,
// padded), with every result written back to its example. Probabilities are the head's softmax in double.
using System.Numerics;
using Rnn.Data;
using Rnn.Losses;
using Rnn.Models;

namespace Rnn.Training;

/// <summary>Class or tag probabilities of token sequences under a classification or tagging <see cref="SequenceModel{T}"/>.</summary>
public static class LabelledInference
{
    /// <summary>
    /// The softmax of the head for each example: [O] per sequence (classification) or [length·O] per token (tagging),
    /// row-major by step. Dropout is off during the call.
    /// </summary>
    public static double[][] Probabilities<T>(SequenceModel<T> model, IReadOnlyList<int[]> sequences, int batchSize = 32)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sequences);
        var results = new double[sequences.Count][];
        if (sequences.Count == 0) return results;
        int o = model.OutputSize;
        bool training = model.Rnn.Training;
        model.Rnn.Training = false;
        try
        {
            var row = new T[o];
            foreach (LabelledBatch batch in new LabelledBatcher(sequences, batchSize).InOrder())
            {
                int rows = batch.BatchSize;
                ReadOnlySpan<T> scores = model.Forward(batch.Tokens, batch.SequenceLength, rows, batch.Lengths);
                for (int b = 0; b < rows; b++)
                {
                    int steps = model.Config.PerSequence ? 1 : batch.Lengths[b];
                    var probabilities = new double[steps * o];
                    for (int t = 0; t < steps; t++)
                    {
                        int r = model.Config.PerSequence ? b : t * rows + b;
                        SoftmaxCrossEntropy.Softmax(scores.Slice(r * o, o), T.One, row);
                        for (int k = 0; k < o; k++) probabilities[t * o + k] = double.CreateChecked(row[k]);
                    }
                    results[batch.Order[b]] = probabilities;
                }
            }
            return results;
        }
        finally
        {
            model.Rnn.Training = training;
        }
    }

    /// <summary>The index of the largest of <paramref name="values"/> (the first on ties).</summary>
    public static int ArgMax(ReadOnlySpan<double> values)
    {
        int best = 0;
        for (int k = 1; k < values.Length; k++)
            if (values[k] > values[best]) best = k;
        return best;
    }
}
