// Generation: feed the prime, then repeatedly draw the next token from softmax(z / temperature),
// optionally restricted to the k most likely tokens, and feed it back.
using System.Numerics;
using Rnn.Losses;
using Rnn.Models;
using Rnn.Tensors;

namespace Rnn.Training;

/// <summary>Draws token sequences from a language model, one token at a time.</summary>
public sealed class Sampler<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly LanguageModel<T> _model;
    private readonly SeededRandom _random;
    private readonly T[] _state;           // [L, 1, H]
    private readonly T[] _probabilities;   // [V]
    private readonly int[] _order;         // [V], for top-k
    private int[] _prime = [];

    /// <summary>Creates a sampler with its own hidden state, drawing from <paramref name="seed"/>.</summary>
    public Sampler(LanguageModel<T> model, ulong seed)
    {
        _model = model;
        _random = new SeededRandom(seed);
        _state = new T[model.StateSize(1)];
        _probabilities = new T[model.Config.VocabularySize];
        _order = new int[model.Config.VocabularySize];
    }

    /// <summary>A token never drawn (e.g. the unknown-token marker), or −1 for none.</summary>
    public int ExcludedToken { get; init; } = -1;

    /// <summary>
    /// Feeds <paramref name="primeTokens"/> (at least one) from a zero state, then yields
    /// <paramref name="length"/> drawn tokens, each fed back before the next is drawn. The model's weights must not
    /// change while the result is being enumerated.
    /// </summary>
    /// <param name="temperature">Divides the logits: &lt; 1 sharper, &gt; 1 flatter.</param>
    /// <param name="topK">Draw only among the k most likely tokens; 0 for all.</param>
    public IEnumerable<int> Generate(ReadOnlySpan<int> primeTokens, int length, double temperature = 1.0, int topK = 0)
    {
        if (primeTokens.IsEmpty) throw new ArgumentException("Sampling needs at least one prime token.", nameof(primeTokens));
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (!(temperature > 0) || double.IsInfinity(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be a positive number.");
        if (topK < 0) throw new ArgumentOutOfRangeException(nameof(topK), topK, "top-k must be ≥ 0.");
        _prime = primeTokens.ToArray();
        return Draw(length, T.CreateChecked(temperature), topK);
    }

    private IEnumerable<int> Draw(int length, T temperature, int topK)
    {
        bool training = _model.Rnn.Training;
        _model.Rnn.Training = false;
        // One token at a time, packing W for each step would cost several times the step: the weights are packed by
        // the prime's pass and reused until the enumeration ends, so the model must not be trained meanwhile.
        _model.Rnn.ReusePackedWeights = true;
        try
        {
            Array.Clear(_state);
            // The prime is fed in one pass; only the logits of its last step matter.
            int v = _model.Config.VocabularySize;
            var logits = _model.Logits(_prime, _prime.Length, 1, _state);
            var current = logits.Slice((_prime.Length - 1) * v, v).ToArray();
            int[] token = new int[1];
            for (int i = 0; i < length; i++)
            {
                token[0] = Next(current, temperature, topK);
                yield return token[0];
                if (i + 1 < length) _model.Logits(token, 1, 1, _state).CopyTo(current);
            }
        }
        finally
        {
            _model.Rnn.Training = training;
            _model.Rnn.ReusePackedWeights = false;
        }
    }

    private int Next(ReadOnlySpan<T> logits, T temperature, int topK)
    {
        SoftmaxCrossEntropy.Softmax(logits, temperature, _probabilities);
        int v = _probabilities.Length;
        if ((uint)ExcludedToken < (uint)v)
        {
            // Renormalise without the excluded token; if it held all the mass, fall back to uniform over the rest.
            T rest = T.One - _probabilities[ExcludedToken];
            _probabilities[ExcludedToken] = T.Zero;
            if (rest > T.Zero) System.Numerics.Tensors.TensorPrimitives.Divide(_probabilities, rest, _probabilities);
            else
            {
                _probabilities.AsSpan().Fill(T.One / T.CreateChecked(v - 1));
                _probabilities[ExcludedToken] = T.Zero;
            }
        }
        double u = _random.NextDouble();
        if (topK <= 0 || topK >= v)
        {
            double cumulative = 0;
            for (int i = 0; i < v; i++)
            {
                cumulative += double.CreateChecked(_probabilities[i]);
                if (u < cumulative) return i;
            }
            return LastNonZero(v);
        }
        // The k most likely, ties broken by id so that draws are reproducible.
        NextToken.Rank(_probabilities, _order);
        double mass = 0;
        for (int i = 0; i < topK; i++) mass += double.CreateChecked(_probabilities[_order[i]]);
        double target = u * mass, sum = 0;
        for (int i = 0; i < topK; i++)
        {
            sum += double.CreateChecked(_probabilities[_order[i]]);
            if (target < sum) return _order[i];
        }
        return _order[topK - 1];
    }

    private int LastNonZero(int v)
    {
        for (int i = v - 1; i >= 0; i--)
            if (_probabilities[i] > T.Zero) return i;
        return v - 1;
    }
}
