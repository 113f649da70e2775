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

/// <summary>
/// Embedding → RNN → Linear with softmax cross-entropy at every step: the <see cref="ModelTask.Lm"/> configuration of
/// <see cref="SequenceModel{T}"/>, with the state carried from call to call. Not for concurrent use (see
/// <see cref="SequenceModel{T}"/>).
/// </summary>
public sealed class LanguageModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the model and initialises it from <paramref name="seed"/> the way PyTorch initialises each module.</summary>
    public LanguageModel(LanguageModelConfig config, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        Core = new SequenceModel<T>(config.ToModelConfig(), seed);
    }

    /// <summary>The configuration.</summary>
    public LanguageModelConfig Config { get; }

    /// <summary>The model shape this language model configures.</summary>
    public SequenceModel<T> Core { get; }

    /// <summary>All parameters: <c>embedding.weight</c>, <c>rnn.weight_ih_l0</c>, …, <c>linear.weight</c>, <c>linear.bias</c>.</summary>
    public ParameterSet<T> Parameters => Core.Parameters;

    /// <summary>The recurrent part, e.g. to switch dropout on with <see cref="RecurrentNetwork{T}.Training"/>.</summary>
    public RecurrentNetwork<T> Rnn => Core.Rnn;

    /// <summary>The size of a carried state for <paramref name="batch"/> streams: L·B·H, twice that for LSTM (h, then c).</summary>
    public int StateSize(int batch) => Core.StateSize(batch);

    /// <summary>The size of the h part of a carried state: L·B·H.</summary>
    public int HiddenStateSize(int batch) => Core.HiddenStateSize(batch);

    /// <summary>
    /// Forward over a chunk, loss, and backward: accumulates parameter gradients (the caller zeroes them) and
    /// carries the state: <paramref name="state"/> [L, B, H] (LSTM: [2, L, B, H], h then c) holds h0 on entry and h_N on exit.
    /// </summary>
    /// <param name="inputs">Token ids [T, B].</param>
    /// <param name="targets">Next-token ids [T, B].</param>
    /// <returns>The mean cross-entropy over the T·B predictions, in nats.</returns>
    public double TrainStep(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets, int sequenceLength, int batch, Span<T> state)
    {
        CheckChunk(inputs, targets, sequenceLength, batch, state);
        Core.Forward(inputs, sequenceLength, batch, default, state);
        double loss = Core.CrossEntropy(targets);
        Core.Backward();
        return loss;
    }

    /// <summary>Forward only: returns the summed cross-entropy (nats) of the chunk and carries the state like <see cref="TrainStep"/>.</summary>
    public double Evaluate(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets, int sequenceLength, int batch, Span<T> state)
    {
        CheckChunk(inputs, targets, sequenceLength, batch, state);
        return SoftmaxCrossEntropy.SumLoss<T>(Core.Forward(inputs, sequenceLength, batch, default, state), targets, Config.VocabularySize);
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
        return Core.Forward(tokens, sequenceLength, batch, default, state);
    }

    private void CheckChunk(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets, int sequenceLength, int batch, Span<T> state)
    {
        if (sequenceLength <= 0) throw new ArgumentOutOfRangeException(nameof(sequenceLength), sequenceLength, "The chunk length must be positive.");
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch size must be positive.");
        if (inputs.Length != sequenceLength * batch)
            throw new ArgumentException($"inputs has {inputs.Length} ids; expected [T={sequenceLength}, B={batch}].", nameof(inputs));
        if (targets.Length != inputs.Length)
            throw new ArgumentException($"targets has {targets.Length} ids; expected [T={sequenceLength}, B={batch}].", nameof(targets));
        CheckState(state, batch);
    }

    private void CheckState(ReadOnlySpan<T> state, int batch)
    {
        if (state.Length != StateSize(batch))
            throw new ArgumentException($"state has {state.Length} elements; expected {(Rnn.Options.HasCellState ? "[2, " : "[")}L={Config.NumLayers}, B={batch}, H={Config.HiddenSize}].", nameof(state));
    }
}
