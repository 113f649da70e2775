// The one model shape: encoder → recurrent network → head → loss.
//   x_t = E[token_t] (embedding) or x_t = features_t (identity)
//   Y   = RNN(X)                              [T·B, D·H], states carried for a language model
//   P   = Y (per step) | Y at each direction's end (final) | mean of Y over the valid steps (mean)
//   Z   = P·Vᵀ + c                            [T·B, O] per step, [B, O] per sequence
//   L   = masked, row-weighted softmax cross-entropy of Z, or mean squared error of Z
// T = steps, B = batch, D = directions, H = hidden, I = input width, O = outputs, R = rows of Z (T·B or B).
// Sequences are padded to T; lengths [B] (each ≥ 1) mark the valid steps, which is all the head and loss need: the
// network is handed the same lengths at one place (RunNetwork), and padded steps never reach the loss.
using System.Numerics;
using System.Numerics.Tensors;
using Rnn.Layers;
using Rnn.Losses;
using Rnn.Tensors;

namespace Rnn.Models;

/// <summary>
/// A recurrent model of any <see cref="ModelTask"/>: parameters named as a PyTorch module with submodules
/// <c>embedding</c> (token input only), <c>rnn</c> and <c>linear</c>. An instance keeps the buffers of its last pass,
/// so it must not be used by two threads at once; give each thread its own (the parameters can be copied or loaded
/// from one file).
/// </summary>
public sealed class SequenceModel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Embedding<T>? _embedding;
    private readonly RecurrentNetwork<T> _rnn;
    private readonly Linear<T> _linear;
    private int[] _tokens = [];         // [T·B] of the last token forward, for the embedding's backward
    private int[] _lengths = [];        // [B]
    private T[] _embedded = [];         // [T·B, I]
    private T[] _pooled = [];           // [B, D·H]
    private T[] _scores = [];           // Z [R, O], then ∂L/∂Z after a loss
    private T[] _dPooled = [];          // [B, D·H]
    private T[] _dRnnOutputs = [];      // [T·B, D·H]
    private T[] _dEmbedded = [];        // [T·B, I]
    private T[] _top = [];              // [T·B, D·H]: the network's output in batch order, when its rows ran sorted
    private bool _topCopied;
    private int _sequenceLength, _batch;

    /// <summary>Creates the model and initialises it from <paramref name="seed"/> the way PyTorch initialises each module.</summary>
    public SequenceModel(ModelConfig config, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        Parameters = new ParameterSet<T>();
        if (config.TokenInput) _embedding = new Embedding<T>(Parameters, config.VocabularySize, config.Network.InputSize, "embedding.");
        _rnn = new RecurrentNetwork<T>(config.Network, Parameters, "rnn.", seed);
        _linear = new Linear<T>(Parameters, config.Network.OutputSize, config.OutputSize, bias: true, "linear.");
        // Each input kind keeps the stream the first stage drew from: the language model's (embedding, then read-out)
        // and the numeric per-step tagger's, so both give the weights, and the figures, they always gave.
        var random = new SeededRandom(seed ^ (config.TokenInput ? 0xE3B0C44298FC1C14UL : 0xA0761D6478BD642FUL));
        _embedding?.ResetParameters(random);
        _linear.ResetParameters(random);
    }

    /// <summary>The configuration.</summary>
    public ModelConfig Config { get; }

    /// <summary>All parameters: <c>embedding.weight</c>, <c>rnn.weight_ih_l0</c>, …, <c>linear.weight</c>, <c>linear.bias</c>.</summary>
    public ParameterSet<T> Parameters { get; }

    /// <summary>The recurrent part, e.g. to switch dropout on with <see cref="RecurrentNetwork{T}.Training"/>.</summary>
    public RecurrentNetwork<T> Rnn => _rnn;

    /// <summary>O: the head's outputs per row.</summary>
    public int OutputSize => Config.OutputSize;

    /// <summary>The rows of the last forward's scores: T·B per step, B per sequence.</summary>
    public int Rows => Config.PerSequence ? _batch : _sequenceLength * _batch;

    /// <summary>The size of a carried state for <paramref name="batch"/> sequences: L·D·B·H, twice that for LSTM (h, then c).</summary>
    public int StateSize(int batch) => HiddenStateSize(batch) * (_rnn.Options.HasCellState ? 2 : 1);

    /// <summary>The size of the h part of a carried state: L·D·B·H.</summary>
    public int HiddenStateSize(int batch) => Config.Network.NumLayers * Config.Network.NumDirections * batch * Config.Network.HiddenSize;

    /// <summary>
    /// Runs the model on token ids and returns the scores Z ([T·B, O] per step, [B, O] per sequence), valid until the
    /// next call. <paramref name="state"/> (empty: zeros) holds h0 (then c0) on entry and the final states on exit.
    /// </summary>
    /// <param name="tokens">[T, B] time-major; padded steps hold any valid id.</param>
    /// <param name="lengths">[B]: valid steps of each sequence, in [1, T]; empty when all are T.</param>
    public ReadOnlySpan<T> Forward(ReadOnlySpan<int> tokens, int sequenceLength, int batch, ReadOnlySpan<int> lengths = default, Span<T> state = default)
    {
        if (_embedding is null) throw new InvalidOperationException("This model reads numbers, not tokens.");
        int rows = CheckShape(tokens.Length, sequenceLength, batch, 1, lengths, state);
        int e = Config.Network.InputSize;
        Workspace.EnsureLength(ref _tokens, rows);
        Workspace.EnsureLength(ref _embedded, rows * e);
        tokens.CopyTo(_tokens);
        _embedding.Forward(tokens, _embedded.AsSpan(0, rows * e));
        return RunNetwork(_embedded.AsSpan(0, rows * e), state);
    }

    /// <summary>Runs the model on numbers X [T, B, I] (time-major); otherwise as the token overload.</summary>
    public ReadOnlySpan<T> Forward(ReadOnlySpan<T> features, int sequenceLength, int batch, ReadOnlySpan<int> lengths = default, Span<T> state = default)
    {
        if (_embedding is not null) throw new InvalidOperationException("This model reads tokens, not numbers.");
        CheckShape(features.Length, sequenceLength, batch, Config.Network.InputSize, lengths, state);
        return RunNetwork(features, state);
    }

    private ReadOnlySpan<T> RunNetwork(ReadOnlySpan<T> x, Span<T> state)
    {
        int t = _sequenceLength, b = _batch;
        // h0 and h_N (c0 and c_N) share the caller's buffer: the network copies h0 before writing h_N.
        int hidden = state.IsEmpty ? 0 : HiddenStateSize(b);
        Span<T> h = state[..hidden], c = state[hidden..];
        // padded steps never run: the reverse direction starts at each sequence's own end, as PyTorch's packed sequences
        ReadOnlySpan<int> lengths = _lengths.AsSpan(0, b);
        if (!lengths.ContainsAnyExcept(t)) lengths = default;
        // The network runs the rows longest first, and its LastOutput keeps that order when the lengths are not
        // already in it; the head and the read-out then need the batch's order, which the network's y gives. The
        // batchers sort their batches, so training copies nothing.
        _topCopied = !LongestFirst(lengths);
        int topSize = _topCopied ? t * b * Config.Network.OutputSize : 0;
        if (_topCopied) Workspace.EnsureLength(ref _top, topSize);
        _rnn.Forward(x, t, b, h, _top.AsSpan(0, topSize), h, c, c, lengths);
        int rows = Rows, o = OutputSize;
        Workspace.EnsureLength(ref _scores, rows * o);
        _linear.Forward(HeadInput(), rows, _scores.AsSpan(0, rows * o));
        return _scores.AsSpan(0, rows * o);
    }

    /// <summary>
    /// The mean softmax cross-entropy of the last forward's scores against <paramref name="targets"/> [R], rows with a
    /// negative target left out and each row weighted by <paramref name="rowWeights"/> [R] (empty: 1), as PyTorch's
    /// <c>cross_entropy(weight=…, ignore_index=…)</c>: Σ w_r·l_r / Σ w_r. Leaves ∂L/∂Z in place of the scores for
    /// <see cref="Backward()"/>.
    /// </summary>
    public double CrossEntropy(ReadOnlySpan<int> targets, ReadOnlySpan<T> rowWeights = default)
    {
        int rows = Rows, o = OutputSize;
        if (targets.Length != rows) throw new ArgumentException($"targets has {targets.Length} entries; the last forward has {rows} rows.", nameof(targets));
        if (!rowWeights.IsEmpty && rowWeights.Length != rows) throw new ArgumentException($"rowWeights has {rowWeights.Length} entries; expected {rows}.", nameof(rowWeights));
        Span<T> z = _scores.AsSpan(0, rows * o);
        if (rowWeights.IsEmpty && !targets.ContainsAnyInRange(int.MinValue, -1))
            return double.CreateChecked(SoftmaxCrossEntropy.LossAndGradient<T>(z, targets, o, z));
        T total = T.Zero, weightSum = T.Zero;
        for (int r = 0; r < rows; r++)
            if (targets[r] >= 0) weightSum += rowWeights.IsEmpty ? T.One : rowWeights[r];
        if (weightSum == T.Zero) { z.Clear(); return 0; }
        for (int r = 0; r < rows; r++)
        {
            Span<T> row = z.Slice(r * o, o);
            if (targets[r] < 0) { row.Clear(); continue; }
            T share = (rowWeights.IsEmpty ? T.One : rowWeights[r]) / weightSum;
            total += share * SoftmaxCrossEntropy.LossAndGradient<T>(row, targets.Slice(r, 1), o, row);
            TensorPrimitives.Multiply(row, share, row);
        }
        return double.CreateChecked(total);
    }

    /// <summary>
    /// The mean squared error of the last forward's scores against <paramref name="targets"/> [R, O]; leaves ∂L/∂Z in
    /// place of the scores for <see cref="Backward()"/>.
    /// </summary>
    public double SquaredError(ReadOnlySpan<T> targets)
    {
        Span<T> z = _scores.AsSpan(0, Rows * OutputSize);
        return double.CreateChecked(MeanSquaredError.LossAndGradient<T>(z, targets, z));
    }

    /// <summary>
    /// Back-propagates ∂E/∂Z <paramref name="dScores"/> ([R, O], for a loss computed elsewhere), accumulating (+=) into
    /// <see cref="Parameters"/>' gradients; the scores of the last forward are overwritten.
    /// </summary>
    public void Backward(ReadOnlySpan<T> dScores)
    {
        if (dScores.Length != Rows * OutputSize) throw new ArgumentException($"dScores has {dScores.Length} elements; expected [R={Rows}, O={OutputSize}].", nameof(dScores));
        dScores.CopyTo(_scores);
        Backward();
    }

    /// <summary>Back-propagates the gradient the last loss left, accumulating (+=) into <see cref="Parameters"/>' gradients.</summary>
    public void Backward()
    {
        int steps = _sequenceLength * _batch, width = Config.Network.OutputSize, rows = Rows;
        Workspace.EnsureLength(ref _dRnnOutputs, steps * width);
        Span<T> dY = _dRnnOutputs.AsSpan(0, steps * width);
        dY.Clear();
        ReadOnlySpan<T> dZ = _scores.AsSpan(0, rows * OutputSize);
        if (Config.PerSequence)
        {
            Workspace.EnsureLength(ref _dPooled, rows * width);
            Span<T> dP = _dPooled.AsSpan(0, rows * width);
            dP.Clear();
            _linear.Backward(_pooled.AsSpan(0, rows * width), dZ, rows, dP);
            SequenceHeads.Backward(Config.Head, dP, _lengths.AsSpan(0, _batch), _sequenceLength, Config.Network.NumDirections, dY);
        }
        else _linear.Backward(TopOutput, dZ, rows, dY);
        if (_embedding is null)
        {
            _rnn.Backward(dY, default, default, default);
            return;
        }
        int e = Config.Network.InputSize;
        Workspace.EnsureLength(ref _dEmbedded, steps * e);
        _rnn.Backward(dY, default, _dEmbedded.AsSpan(0, steps * e), default);
        _embedding.Backward(_tokens.AsSpan(0, steps), _dEmbedded.AsSpan(0, steps * e));
    }

    // The top layer's outputs Y [T·B, D·H] of the last forward, in the batch's row order.
    private ReadOnlySpan<T> TopOutput => _topCopied ? _top.AsSpan(0, _sequenceLength * _batch * Config.Network.OutputSize) : _rnn.LastOutput;

    private static bool LongestFirst(ReadOnlySpan<int> lengths)
    {
        for (int b = 1; b < lengths.Length; b++)
            if (lengths[b] > lengths[b - 1]) return false;
        return true;
    }

    private ReadOnlySpan<T> HeadInput()
    {
        if (!Config.PerSequence) return TopOutput;
        int width = Config.Network.OutputSize;
        Workspace.EnsureLength(ref _pooled, _batch * width);
        Span<T> pooled = _pooled.AsSpan(0, _batch * width);
        SequenceHeads.Forward(Config.Head, TopOutput, _lengths.AsSpan(0, _batch), _sequenceLength, Config.Network.NumDirections, pooled);
        return pooled;
    }

    private int CheckShape(int length, int sequenceLength, int batch, int width, ReadOnlySpan<int> lengths, ReadOnlySpan<T> state)
    {
        if (sequenceLength <= 0) throw new ArgumentOutOfRangeException(nameof(sequenceLength), sequenceLength, "The sequence length must be positive.");
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch size must be positive.");
        if (length != sequenceLength * batch * width)
            throw new ArgumentException($"The input has {length} elements; expected [T={sequenceLength}, B={batch}{(width == 1 ? "" : $", I={width}")}].", "inputs");
        if (!lengths.IsEmpty && lengths.Length != batch) throw new ArgumentException($"lengths has {lengths.Length} entries; expected B={batch}.", nameof(lengths));
        if (!state.IsEmpty && state.Length != StateSize(batch))
            throw new ArgumentException($"state has {state.Length} elements; expected {(_rnn.Options.HasCellState ? "[2, " : "[")}L·D={Config.Network.NumLayers * Config.Network.NumDirections}, B={batch}, H={Config.Network.HiddenSize}].", nameof(state));
        Workspace.EnsureLength(ref _lengths, batch);
        Span<int> own = _lengths.AsSpan(0, batch);
        if (lengths.IsEmpty) own.Fill(sequenceLength);
        else
        {
            foreach (int n in lengths)
                if (n < 1 || n > sequenceLength) throw new ArgumentOutOfRangeException(nameof(lengths), n, $"Each length must be in [1, T={sequenceLength}].");
            lengths.CopyTo(own);
        }
        _sequenceLength = sequenceLength;
        _batch = batch;
        return sequenceLength * batch;
    }
}
