// A token-level RNN language model, the tutorial's application (docs/tutorial.md):
//   e_t = E[x_t]                      embedding lookup: the one-hot product U·onehot(x_t), without the product
//   s_t = f(U e_t + W s_{t-1} + b)    the RNN (RecurrentNetwork; or an LSTM or GRU step)
//   z_t = V s_t + c                   the output layer (Linear)
//   L   = −(1/N) Σ log softmax(z_t)[x_{t+1}]
// T = time, B = batch, V = vocabulary, E = embedding, H = hidden, L = layers. Tokens are time-major [T, B].
// The carried state is h [L, B, H], followed for LSTM by c [L, B, H]: one buffer that callers carry as a whole.
using System.Numerics;
using Rnn.Layers;
using Rnn.Losses;
using Rnn.Tensors;

namespace Rnn.Models;

/// <summary>Embedding → RNN → Linear with softmax cross-entropy; parameter names as a PyTorch module with
/// submodules <c>embedding</c>, <c>rnn</c> and <c>linear</c>.</summary>
public sealed class LanguageModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Embedding<T> _embedding;
    private readonly RecurrentNetwork<T> _rnn;
    private readonly Linear<T> _linear;
    private T[] _embedded = [];     // [T·B, E]
    private T[] _logits = [];       // [T·B, V]
    private T[] _dEmbedded = [];    // [T·B, E]
    private T[] _dRnnOutputs = [];      // [T·B, H]

    /// <summary>Creates the model and initialises it from <paramref name="seed"/> the way PyTorch initialises each module.</summary>
    public LanguageModel(LanguageModelConfig config, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        Parameters = new ParameterSet<T>();
        _embedding = new Embedding<T>(Parameters, config.VocabularySize, config.EmbeddingSize, "embedding.");
        _rnn = new RecurrentNetwork<T>(config.RnnOptions, Parameters, "rnn.", seed);
        _linear = new Linear<T>(Parameters, config.HiddenSize, config.VocabularySize, bias: true, "linear.");
        var random = new SeededRandom(seed ^ 0xE3B0C44298FC1C14UL);
        _embedding.ResetParameters(random);
        _linear.ResetParameters(random);
    }

    /// <summary>The configuration.</summary>
    public LanguageModelConfig Config { get; }

    /// <summary>All parameters: <c>embedding.weight</c>, <c>rnn.weight_ih_l0</c>, …, <c>linear.weight</c>, <c>linear.bias</c>.</summary>
    public ParameterSet<T> Parameters { get; }

    /// <summary>The recurrent part, e.g. to switch dropout on with <see cref="RecurrentNetwork{T}.Training"/>.</summary>
    public RecurrentNetwork<T> Rnn => _rnn;

    /// <summary>The size of a carried state for <paramref name="batch"/> streams: L·B·H, twice that for LSTM (h, then c).</summary>
    public int StateSize(int batch) => HiddenStateSize(batch) * (_rnn.Options.HasCellState ? 2 : 1);

    /// <summary>The size of the h part of a carried state: L·B·H.</summary>
    public int HiddenStateSize(int batch) => Config.NumLayers * batch * Config.HiddenSize;

    /// <summary>
    /// Forward over a chunk, loss, and backward: accumulates parameter gradients (the caller zeroes them) and
    /// carries the state: <paramref name="state"/> [L, B, H] (LSTM: [2, L, B, H], h then c) holds h0 on entry and h_N on exit.
    /// </summary>
    /// <param name="inputs">Token ids [T, B].</param>
    /// <param name="targets">Next-token ids [T, B].</param>
    /// <returns>The mean cross-entropy over the T·B predictions, in nats.</returns>
    public double TrainStep(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets, int sequenceLength, int batch, Span<T> state)
    {
        int rows = CheckChunk(inputs, targets, sequenceLength, batch, state);
        int v = Config.VocabularySize, h = Config.HiddenSize, e = Config.EmbeddingSize;
        ForwardLogits(inputs, sequenceLength, batch, state);

        Span<T> z = _logits.AsSpan(0, rows * v);
        T loss = SoftmaxCrossEntropy.LossAndGradient<T>(z, targets, v, z);     // z now holds ∂L/∂z

        Workspace.EnsureLength(ref _dRnnOutputs, rows * h);
        Workspace.EnsureLength(ref _dEmbedded, rows * e);
        Span<T> dS = _dRnnOutputs.AsSpan(0, rows * h);
        dS.Clear();
        _linear.Backward(_rnn.LastOutput, z, rows, dS);
        _rnn.Backward(dS, default, _dEmbedded.AsSpan(0, rows * e), default);
        _embedding.Backward(inputs, _dEmbedded.AsSpan(0, rows * e));
        return double.CreateChecked(loss);
    }

    /// <summary>Forward only: returns the summed cross-entropy (nats) of the chunk and carries the state like <see cref="TrainStep"/>.</summary>
    public double Evaluate(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets, int sequenceLength, int batch, Span<T> state)
    {
        int rows = CheckChunk(inputs, targets, sequenceLength, batch, state);
        ForwardLogits(inputs, sequenceLength, batch, state);
        return SoftmaxCrossEntropy.SumLoss<T>(_logits.AsSpan(0, rows * Config.VocabularySize), targets, Config.VocabularySize);
    }

    /// <summary>
    /// Feeds <paramref name="tokens"/> [T, B] and returns the logits [T·B, V] of every step (valid until the next call);
    /// <paramref name="state"/> [L, B, H] (LSTM: h then c) is h0 on entry and h_N on exit.
    /// </summary>
    public ReadOnlySpan<T> Logits(ReadOnlySpan<int> tokens, int sequenceLength, int batch, Span<T> state)
    {
        if (tokens.Length != sequenceLength * batch)
            throw new ArgumentException($"tokens has {tokens.Length} ids; expected [T={sequenceLength}, B={batch}].", nameof(tokens));
        CheckState(state, batch);
        ForwardLogits(tokens, sequenceLength, batch, state);
        return _logits.AsSpan(0, sequenceLength * batch * Config.VocabularySize);
    }

    private void ForwardLogits(ReadOnlySpan<int> inputs, int sequenceLength, int batch, Span<T> state)
    {
        int rows = sequenceLength * batch, e = Config.EmbeddingSize, v = Config.VocabularySize;
        Workspace.EnsureLength(ref _embedded, rows * e);
        Workspace.EnsureLength(ref _logits, rows * v);
        _embedding.Forward(inputs, _embedded.AsSpan(0, rows * e));
        // h0 and h_N (c0 and c_N) share the caller's buffer: the network copies h0 before writing h_N.
        int hidden = HiddenStateSize(batch);
        Span<T> h = state[..hidden], c = state[hidden..];
        _rnn.Forward(_embedded.AsSpan(0, rows * e), sequenceLength, batch, h, default, h, c, c);
        _linear.Forward(_rnn.LastOutput, rows, _logits.AsSpan(0, rows * v));
    }

    private int CheckChunk(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets, int sequenceLength, int batch, Span<T> state)
    {
        if (sequenceLength <= 0) throw new ArgumentOutOfRangeException(nameof(sequenceLength), sequenceLength, "The chunk length must be positive.");
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch size must be positive.");
        if (inputs.Length != sequenceLength * batch)
            throw new ArgumentException($"inputs has {inputs.Length} ids; expected [T={sequenceLength}, B={batch}].", nameof(inputs));
        if (targets.Length != inputs.Length)
            throw new ArgumentException($"targets has {targets.Length} ids; expected [T={sequenceLength}, B={batch}].", nameof(targets));
        CheckState(state, batch);
        return sequenceLength * batch;
    }

    private void CheckState(ReadOnlySpan<T> state, int batch)
    {
        if (state.Length != StateSize(batch))
            throw new ArgumentException($"state has {state.Length} elements; expected {(_rnn.Options.HasCellState ? "[2, " : "[")}L={Config.NumLayers}, B={batch}, H={Config.HiddenSize}].", nameof(state));
    }
}
