// The language model's answer to "what comes next?": the softmax of the last step's output after a prefix, as the
// tutorial's language model reads "我 昨天 上学 迟到" word by word and asks for the word after it.
using System.Numerics;
using Rnn.Losses;
using Rnn.Models;

namespace Rnn.Training;

/// <summary>The distribution of the next token after a prefix, and the most probable tokens in it.</summary>
public static class NextToken
{
    /// <summary>
    /// Runs <paramref name="model"/> over <paramref name="prefix"/> (at least one token) from a zero state, without
    /// dropout, and returns the softmax of the last step's logits: the probability of every token id coming next.
    /// </summary>
    public static T[] Probabilities<T>(LanguageModel<T> model, ReadOnlySpan<int> prefix) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        if (prefix.IsEmpty) throw new ArgumentException("A prediction needs at least one token of prefix.", nameof(prefix));
        bool training = model.Rnn.Training;
        model.Rnn.Training = false;
        try
        {
            int v = model.Config.VocabularySize;
            var logits = model.Logits(prefix, prefix.Length, 1, new T[model.StateSize(1)]);
            var probabilities = new T[v];
            SoftmaxCrossEntropy.Softmax(logits.Slice((prefix.Length - 1) * v, v), T.One, probabilities);
            return probabilities;
        }
        finally
        {
            model.Rnn.Training = training;
        }
    }

    /// <summary>The ids of the <paramref name="k"/> most probable tokens (all of them when k exceeds their number), most probable first; equal probabilities in id order.</summary>
    public static int[] MostProbable<T>(ReadOnlySpan<T> probabilities, int k) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        int[] order = new int[probabilities.Length];
        Rank(probabilities.ToArray(), order);
        return order.Length > k ? order[..k] : order;
    }

    /// <summary>Fills <paramref name="order"/> with the ids from most to least probable, ties by id, so that draws and listings are reproducible.</summary>
    internal static void Rank<T>(T[] probabilities, int[] order) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, (a, b) =>
        {
            int c = probabilities[b].CompareTo(probabilities[a]);
            return c != 0 ? c : a.CompareTo(b);
        });
    }
}
