// Token vectors by index: the one-hot product U·onehot(i) is column i of U, so a lookup replaces it.
// N = tokens, V = vocabulary, E = embedding width.
using System.Numerics;
using System.Numerics.Tensors;
using Rnn.Tensors;

namespace Rnn.Layers;

/// <summary>An embedding table <c>weight</c> [V, E] (PyTorch's nn.Embedding): forward gathers rows, backward scatters into them.</summary>
public sealed class Embedding<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ParameterSet<T> _parameters;

    /// <summary>Declares <c>{prefix}weight</c> [V, E].</summary>
    public Embedding(ParameterSet<T> parameters, int vocabularySize, int embeddingSize, string namePrefix = "")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabularySize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(embeddingSize);
        _parameters = parameters;
        VocabularySize = vocabularySize;
        EmbeddingSize = embeddingSize;
        Weight = parameters.Add(namePrefix + "weight", vocabularySize, embeddingSize);
    }

    /// <summary>V.</summary>
    public int VocabularySize { get; }

    /// <summary>E.</summary>
    public int EmbeddingSize { get; }

    /// <summary>The table [V, E].</summary>
    public Parameter Weight { get; }

    /// <summary>Initialises like PyTorch: standard normal.</summary>
    public void ResetParameters(SeededRandom random) => random.FillNormal(_parameters.Value(Weight), 0, 1);

    /// <summary>y[n, :] = weight[tokens[n], :].</summary>
    /// <param name="tokens">[N], each in [0, V).</param>
    /// <param name="y">[N, E], overwritten.</param>
    public void Forward(ReadOnlySpan<int> tokens, Span<T> y)
    {
        int e = EmbeddingSize;
        if (y.Length != tokens.Length * e)
            throw new ArgumentException($"y has {y.Length} elements; expected [N={tokens.Length}, E={e}].", nameof(y));
        ReadOnlySpan<T> table = _parameters.Value(Weight);
        for (int n = 0; n < tokens.Length; n++)
            table.Slice(CheckToken(tokens[n]) * e, e).CopyTo(y.Slice(n * e, e));
    }

    /// <summary>∇weight[tokens[n], :] += dy[n, :].</summary>
    public void Backward(ReadOnlySpan<int> tokens, ReadOnlySpan<T> dy)
    {
        int e = EmbeddingSize;
        if (dy.Length != tokens.Length * e)
            throw new ArgumentException($"dy has {dy.Length} elements; expected [N={tokens.Length}, E={e}].", nameof(dy));
        Span<T> grad = _parameters.Gradient(Weight);
        for (int n = 0; n < tokens.Length; n++)
        {
            Span<T> row = grad.Slice(CheckToken(tokens[n]) * e, e);
            TensorPrimitives.Add(row, dy.Slice(n * e, e), row);
        }
    }

    private int CheckToken(int token) => (uint)token < (uint)VocabularySize
        ? token
        : throw new ArgumentOutOfRangeException("tokens", token, $"Token ids must be in [0, {VocabularySize}).");
}
