// One recurrent layer, one direction, over a whole sequence: forward, then BPTT.
// T = time steps, B = batch, I = input features, H = hidden units.
// Row-major matrices with a leading dimension (ld*) so that inputs and states can be column windows
// of the wider [T·B, D·H] buffers of a bidirectional stack. Time step t occupies rows t·B .. t·B+B-1.
//
// The hot path (see docs/ARCHITECTURE.md):
//   1. P = X·Uᵀ + b_ih + b_hh                 one GEMM [T·B, I] × [I, H] for all steps
//   2. s_t = f(P_t + s_{t-1}·Wᵀ)              one small GEMM per step, in processing order
//   3. δ_t = (dS_t + δ_{t+1}·W) ⊙ f'(s_t)      backward, the only sequential part
//   4. ∇U += Δᵀ·X, ∇W += Σ δ_t s_{t-1}ᵀ, ∇b += Σ δ_t, dX += Δ·U     big GEMMs again
// "Previous" means previous in processing order: t-1 forward in time, t+1 for the reverse direction.
using System.Numerics;
using System.Numerics.Tensors;
using Rnn.Kernels;
using Rnn.Tensors;

namespace Rnn.Layers;

/// <summary>
/// A single recurrent layer running in one direction, <c>s_t = f(U x_t + b_ih + W s_{t∓1} + b_hh)</c>,
/// with PyTorch's parameter names (<c>weight_ih</c> is the tutorial's U, <c>weight_hh</c> its W).
/// </summary>
public sealed class RecurrentLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ParameterSet<T> _parameters;
    private readonly Parameter _weightIh, _weightHh;   // U [H, I], W [H, H]
    private readonly Parameter? _biasIh, _biasHh;      // [H], [H]
    private readonly SimpleCell<T> _cell;

    // Saved by Forward for Backward.
    private ReadOnlyMemory<T> _input;   // X [T·B, ldInput]
    private int _ldInput;
    private Memory<T> _states;          // S [T·B, ldStates]
    private int _ldStates;
    private T[] _initialState = [];     // h0 [B, H]
    private bool _hasInitialState;
    private int _sequenceLength, _batch;
    private T[] _deltas = [];           // Δ [T·B, H]
    private T[] _combinedBias = [];     // b_ih + b_hh [H]
    // W, laid out once per pass for the per-step products (every step multiplies by the same W):
    private PackedMatrix<T>? _packedWeightHhTransposed;   // Wᵀ for s_{t-1}·Wᵀ
    private PackedMatrix<T>? _packedWeightHh;             // W for δ_{t+1}·W
    private bool _reusePackedWeights, _packedForwardCurrent;

    /// <summary>Declares this layer's parameters in <paramref name="parameters"/> under the given names.</summary>
    /// <param name="parameters">The model's parameter set.</param>
    /// <param name="inputSize">I.</param>
    /// <param name="hiddenSize">H.</param>
    /// <param name="nonlinearity">f.</param>
    /// <param name="bias">Whether to declare <c>bias_ih</c> and <c>bias_hh</c>.</param>
    /// <param name="reverse">Whether the layer runs backward in time.</param>
    /// <param name="nameSuffix">Appended to each name, e.g. <c>_l1_reverse</c>.</param>
    /// <param name="namePrefix">Prepended to each name, e.g. <c>rnn.</c>.</param>
    public RecurrentLayer(ParameterSet<T> parameters, int inputSize, int hiddenSize, Nonlinearity nonlinearity,
        bool bias, bool reverse, string nameSuffix, string namePrefix = "")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        _parameters = parameters;
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        Reverse = reverse;
        _weightIh = parameters.Add($"{namePrefix}weight_ih{nameSuffix}", hiddenSize, inputSize);
        _weightHh = parameters.Add($"{namePrefix}weight_hh{nameSuffix}", hiddenSize, hiddenSize);
        if (bias)
        {
            _biasIh = parameters.Add($"{namePrefix}bias_ih{nameSuffix}", hiddenSize);
            _biasHh = parameters.Add($"{namePrefix}bias_hh{nameSuffix}", hiddenSize);
        }
        _cell = new SimpleCell<T>(nonlinearity, hiddenSize);
    }

    /// <summary>
    /// While set, forward passes after the first reuse the layout of W packed by that first pass instead of packing W
    /// again: for one-token-at-a-time inference (sampling), where packing would cost more than the step itself.
    /// The caller promises that W does not change meanwhile; clearing the flag drops the packed copy's validity.
    /// </summary>
    internal bool ReusePackedWeights
    {
        get => _reusePackedWeights;
        set
        {
            _reusePackedWeights = value;
            _packedForwardCurrent = false;
        }
    }

    /// <summary>I.</summary>
    public int InputSize { get; }

    /// <summary>H.</summary>
    public int HiddenSize { get; }

    /// <summary>Whether the layer runs from t = T−1 down to 0.</summary>
    public bool Reverse { get; }

    /// <summary>The activation f.</summary>
    public Nonlinearity Nonlinearity => _cell.Nonlinearity;

    /// <summary>U, <c>weight_ih</c> [H, I].</summary>
    public Parameter WeightIh => _weightIh;

    /// <summary>W, <c>weight_hh</c> [H, H].</summary>
    public Parameter WeightHh => _weightHh;

    /// <summary><c>bias_ih</c> [H], or null without bias.</summary>
    public Parameter? BiasIh => _biasIh;

    /// <summary><c>bias_hh</c> [H], or null without bias.</summary>
    public Parameter? BiasHh => _biasHh;

    /// <summary>
    /// The error terms δ_t = ∂E/∂net_t of the last <see cref="Backward"/>, time-major [T·B, H] (row t·B + b is
    /// step t of batch row b, whatever the direction); valid until the next forward or backward pass.
    /// Their norms over t show gradients vanishing or exploding through time.
    /// </summary>
    public ReadOnlySpan<T> LastDeltas => _deltas.Length >= _sequenceLength * _batch * HiddenSize ? _deltas.AsSpan(0, _sequenceLength * _batch * HiddenSize) : default;

    /// <summary>
    /// Runs the layer over a sequence. The layer keeps references to <paramref name="x"/> and
    /// <paramref name="states"/> for <see cref="Backward"/>: neither may change in between.
    /// </summary>
    /// <param name="x">X [T·B, ldx], the first I columns used.</param>
    /// <param name="ldx">Row stride of X.</param>
    /// <param name="sequenceLength">T.</param>
    /// <param name="batch">B.</param>
    /// <param name="h0">The initial state [B, H], or empty for zeros.</param>
    /// <param name="states">Output S [T·B, lds]: s_t written to the first H columns of rows t·B..t·B+B−1.</param>
    /// <param name="lds">Row stride of S.</param>
    /// <param name="hN">The final state [B, H] (s_{T−1}, or s_0 when reverse), or empty.</param>
    public void Forward(ReadOnlyMemory<T> x, int ldx, int sequenceLength, int batch, ReadOnlySpan<T> h0,
        Memory<T> states, int lds, Span<T> hN)
    {
        int h = HiddenSize, rows = sequenceLength * batch;
        ArgumentOutOfRangeException.ThrowIfNegative(sequenceLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        Gemm.CheckMatrix("x", rows, InputSize, x.Length, ldx);
        Gemm.CheckMatrix("states", rows, h, states.Length, lds);
        if (!h0.IsEmpty && h0.Length != batch * h)
            throw new ArgumentException($"h0 has {h0.Length} elements; expected [B={batch}, H={h}].", nameof(h0));
        if (!hN.IsEmpty && hN.Length != batch * h)
            throw new ArgumentException($"hN has {hN.Length} elements; expected [B={batch}, H={h}].", nameof(hN));

        _input = x;
        _ldInput = ldx;
        _states = states;
        _ldStates = lds;
        _sequenceLength = sequenceLength;
        _batch = batch;
        _hasInitialState = !h0.IsEmpty;
        if (_hasInitialState)
        {
            Workspace.EnsureLength(ref _initialState, batch * h);
            h0.CopyTo(_initialState);
        }

        Span<T> s = states.Span;
        ReadOnlySpan<T> u = _parameters.Value(_weightIh), w = _parameters.Value(_weightHh);

        // P = X·Uᵀ + b_ih + b_hh for all steps at once
        Gemm.Multiply(false, true, rows, h, InputSize, T.One, x.Span, ldx, u, InputSize, T.Zero, s, lds);
        if (_biasIh is not null && _biasHh is not null)
        {
            Workspace.EnsureLength(ref _combinedBias, h);
            TensorPrimitives.Add(_parameters.Value(_biasIh), _parameters.Value(_biasHh), _combinedBias.AsSpan(0, h));
            for (int r = 0; r < rows; r++)
            {
                Span<T> row = s.Slice(r * lds, h);
                TensorPrimitives.Add(row, _combinedBias.AsSpan(0, h), row);
            }
        }

        _packedWeightHhTransposed ??= new PackedMatrix<T>(h, h);
        if (!(ReusePackedWeights && _packedForwardCurrent))
        {
            _packedWeightHhTransposed.Pack(transpose: true, w, h);
            _packedForwardCurrent = ReusePackedWeights;
        }
        for (int step = 0; step < sequenceLength; step++)
        {
            int t = TimeAt(step);
            ReadOnlySpan<T> previous = step == 0
                ? (_hasInitialState ? _initialState.AsSpan(0, batch * h) : default)
                : s[RowSpan(TimeAt(step - 1), lds)];
            int ldPrevious = step == 0 ? h : lds;
            _cell.StepForward(_packedWeightHhTransposed, previous, ldPrevious, s[RowSpan(t, lds)], lds, batch);
        }

        if (!hN.IsEmpty) CopyFinalState(s, lds, hN);
    }

    /// <summary>
    /// BPTT over the sequence of the last <see cref="Forward"/>. Accumulates (+=) into the gradients of
    /// U, W and the biases, and into <paramref name="dx"/>; overwrites <paramref name="dh0"/>.
    /// </summary>
    /// <param name="dy">dS [T·B, lddy]: the loss gradient with respect to each output s_t, first H columns.</param>
    /// <param name="lddy">Row stride of dS.</param>
    /// <param name="dhN">The loss gradient with respect to the final state [B, H], or empty for zero.</param>
    /// <param name="dx">dX [T·B, lddx], += Δ·U into the first I columns; or empty to skip.</param>
    /// <param name="lddx">Row stride of dX.</param>
    /// <param name="dh0">The loss gradient with respect to h0 [B, H], or empty to skip.</param>
    public void Backward(ReadOnlySpan<T> dy, int lddy, ReadOnlySpan<T> dhN, Span<T> dx, int lddx, Span<T> dh0)
    {
        BackwardThroughTime(dy, lddy, dhN, dh0);
        BackwardInput(dx, lddx);
    }

    /// <summary>
    /// The first half of <see cref="Backward"/>: the δ recursion through time and the parameter gradients, which
    /// touch only this layer's own buffers (so the two directions of a layer can run it at the same time).
    /// </summary>
    public void BackwardThroughTime(ReadOnlySpan<T> dy, int lddy, ReadOnlySpan<T> dhN, Span<T> dh0)
    {
        int h = HiddenSize, rows = _sequenceLength * _batch;
        Gemm.CheckMatrix("dy", rows, h, dy.Length, lddy);
        if (!dhN.IsEmpty && dhN.Length != _batch * h)
            throw new ArgumentException($"dhN has {dhN.Length} elements; expected [B={_batch}, H={h}].", nameof(dhN));
        if (!dh0.IsEmpty && dh0.Length != _batch * h)
            throw new ArgumentException($"dh0 has {dh0.Length} elements; expected [B={_batch}, H={h}].", nameof(dh0));

        Workspace.EnsureLength(ref _deltas, rows * h);
        Span<T> delta = _deltas.AsSpan(0, rows * h);      // Δ [T·B, H]
        ReadOnlySpan<T> s = _states.Span, x = _input.Span;
        _packedWeightHh ??= new PackedMatrix<T>(h, h);
        _packedWeightHh.Pack(transpose: false, _parameters.Value(_weightHh), h);

        for (int step = _sequenceLength - 1; step >= 0; step--)
        {
            int t = TimeAt(step);
            Span<T> deltaT = delta[RowSpan(t, h)];
            for (int b = 0; b < _batch; b++) dy.Slice((t * _batch + b) * lddy, h).CopyTo(deltaT.Slice(b * h, h));
            if (step == _sequenceLength - 1 && !dhN.IsEmpty) TensorPrimitives.Add(deltaT, dhN, deltaT);
            ReadOnlySpan<T> next = step == _sequenceLength - 1 ? default : delta[RowSpan(TimeAt(step + 1), h)];
            _cell.StepBackward(_packedWeightHh, next, deltaT, s[RowSpan(t, lds: _ldStates)], _ldStates, _batch);
        }

        if (_sequenceLength == 0)
        {
            // No step ran: h_N is h0, so the gradient passes straight through.
            if (!dh0.IsEmpty) { if (dhN.IsEmpty) dh0.Clear(); else dhN.CopyTo(dh0); }
            return;
        }

        int first = TimeAt(0);
        // dh0 = δ_first·W: h0 enters net_first through W
        if (!dh0.IsEmpty)
            Gemm.Multiply(_batch, T.One, delta[RowSpan(first, h)], h, _packedWeightHh, T.Zero, dh0, h);

        // ∇U += Δᵀ·X   (Σ_t δ_t x_tᵀ)
        Gemm.Multiply(true, false, h, InputSize, rows, T.One, delta, h, x, _ldInput, T.One, _parameters.Gradient(_weightIh), InputSize);

        // ∇W += Σ_t δ_t s_{t∓1}ᵀ: steps after the first pair with the state one step before them in time order
        // (forward) or one step after (reverse); both pairings are one contiguous GEMM.
        Span<T> dW = _parameters.Gradient(_weightHh);
        int pairedRows = (_sequenceLength - 1) * _batch;
        if (pairedRows > 0)
        {
            int deltaStart = Reverse ? 0 : _batch, stateStart = Reverse ? _batch : 0;
            Gemm.Multiply(true, false, h, h, pairedRows, T.One, delta.Slice(deltaStart * h), h,
                s.Slice(stateStart * _ldStates), _ldStates, T.One, dW, h);
        }
        if (_hasInitialState)
            Gemm.Multiply(true, false, h, h, _batch, T.One, delta[RowSpan(first, h)], h, _initialState.AsSpan(0, _batch * h), h, T.One, dW, h);

        // ∇b_ih = ∇b_hh += Σ_t δ_t
        if (_biasIh is not null && _biasHh is not null)
        {
            Span<T> dbIh = _parameters.Gradient(_biasIh), dbHh = _parameters.Gradient(_biasHh);
            for (int r = 0; r < rows; r++)
            {
                ReadOnlySpan<T> row = delta.Slice(r * h, h);
                TensorPrimitives.Add(dbIh, row, dbIh);
                TensorPrimitives.Add(dbHh, row, dbHh);
            }
        }

    }

    /// <summary>The second half of <see cref="Backward"/>: dX += Δ·U into the first I columns of dX [T·B, lddx].</summary>
    public void BackwardInput(Span<T> dx, int lddx)
    {
        int h = HiddenSize, rows = _sequenceLength * _batch;
        if (dx.IsEmpty || rows == 0) return;
        Gemm.CheckMatrix("dx", rows, InputSize, dx.Length, lddx);
        // dX += Δ·U: δ passes down to the layer below through U
        Gemm.Multiply(false, false, rows, InputSize, h, T.One, _deltas.AsSpan(0, rows * h), h, _parameters.Value(_weightIh), InputSize, T.One, dx, lddx);
    }

    private int TimeAt(int step) => Reverse ? _sequenceLength - 1 - step : step;

    private Range RowSpan(int t, int lds) => (t * _batch * lds)..((t * _batch + _batch - 1) * lds + HiddenSize);

    private void CopyFinalState(ReadOnlySpan<T> s, int lds, Span<T> hN)
    {
        int h = HiddenSize;
        if (_sequenceLength == 0)
        {
            if (_hasInitialState) _initialState.AsSpan(0, _batch * h).CopyTo(hN);
            else hN.Clear();
            return;
        }
        int last = TimeAt(_sequenceLength - 1);
        for (int b = 0; b < _batch; b++) s.Slice((last * _batch + b) * lds, h).CopyTo(hN.Slice(b * h, h));
    }
}
