// One recurrent layer, one direction, over a whole sequence: forward here, BPTT in RecurrentLayer.Backward.cs.
// T = time steps, B = batch, I = input features, H = hidden units, G = the cell's gate blocks (1 simple, 4 LSTM, 3 GRU).
// Row-major matrices with a leading dimension (ld*) so that inputs and states can be column windows
// of the wider [T·B, D·H] buffers of a bidirectional stack. Time step t occupies rows t·B .. t·B+B-1.
//
// The hot path, the same for every cell (see IRecurrentCell and docs/ARCHITECTURE.md):
//   1. P = X·W_ihᵀ + b_ih (+ b_hh)             one GEMM [T·B, I] × [I, G·H] for all steps
//   2. h_t = cell(P_t, h_{t-1}·W_hhᵀ, c_{t-1})  one small GEMM per step, in processing order, the cell's epilogue fused in
//   3. Δ_t = cell'(dh_t, Δ^h_{t+1}·W_hh, …)     backward, the only sequential part
//   4. ∇W_ih += Δᵀ·X, ∇W_hh += Σ Δ^h_t h_{t-1}ᵀ, ∇b += Σ Δ, dX += Δ·W_ih     big GEMMs again
// "Previous" means previous in processing order: t-1 forward in time, t+1 for the reverse direction.
// With per-sequence lengths, steps 1–4 run on the valid rows only (RecurrentLayer.Lengths.cs, RecurrentLayer.ValidRows.cs).
// The loop is generic over the cell (a struct), so the JIT specialises it per cell; the cell is chosen once per pass.
using System.Numerics;
using System.Numerics.Tensors;
using Rnn.Kernels;
using Rnn.Tensors;

namespace Rnn.Layers;

/// <summary>
/// A single recurrent layer running in one direction, with PyTorch's parameter names and shapes: the simple cell
/// <c>s_t = f(U x_t + b_ih + W s_{t∓1} + b_hh)</c> (<c>weight_ih</c> is the tutorial's U, <c>weight_hh</c> its W), or
/// the LSTM or GRU cell with G gate blocks stacked along the rows of <c>weight_ih</c> [G·H, I] and <c>weight_hh</c> [G·H, H].
/// </summary>
public sealed partial class RecurrentLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ParameterSet<T> _parameters;
    private readonly Parameter _weightIh, _weightHh;   // W_ih [G·H, I], W_hh [G·H, H]
    private readonly Parameter? _biasIh, _biasHh;      // [G·H], [G·H]

    // Saved by Forward for Backward.
    private ReadOnlyMemory<T> _input;   // X [T·B, ldInput]
    private int _ldInput;
    private Memory<T> _states;          // H [T·B, ldStates]
    private int _ldStates;
    private T[] _initialState = [];     // h0 [B, H]
    private T[] _initialCell = [];      // c0 [B, H] (LSTM)
    private bool _hasInitialState, _hasInitialCell;
    private int _sequenceLength, _batch;
    private int[] _lengths = [];        // per batch row, longest first; used only while _hasLengths [B]
    private int[] _activeRows = [];     // B_t, the rows still running at step t [T]
    private bool _hasLengths;           // false when every row runs all T steps: the loop is then exactly the plain one
    private T[] _gates = [];            // P, then the saved gate activations [T·B, G·H] (gated cells; the simple cell uses H)
    private T[] _hiddenParts = [];      // v_n = H_prev·W_hnᵀ + b_hn [T·B, H] (GRU)
    private T[] _stepProduct = [];      // h_{t-1}·W_hhᵀ of one step, in GateColumns order [B, G·H] (gated cells)
    private int[] _gateColumnRows = []; // the W_hh row of each column of the packed W_hhᵀ [G·H] (gated cells)
    private T[] _cells = [], _tanhCells = [];   // c_t, tanh(c_t) [T·B, H] (LSTM)
    private T[] _deltas = [];           // Δ [T·B, G·H]
    private T[] _hiddenDeltas = [];     // Δ^h [T·B, G·H] (GRU)
    private T[] _stepGradient = [], _hiddenCarry = [], _cellCarry = [];   // dh_t, GRU's z ⊙ dh, LSTM's dc [B, H]
    private T[] _combinedBias = [];     // b_ih + b_hh, or b_ih alone (GRU) [G·H]
    // W_hh, laid out once per pass for the per-step products (every step multiplies by the same W_hh):
    private PackedMatrix<T>? _packedWeightHhTransposed;   // W_hhᵀ [H, G·H] for h_{t-1}·W_hhᵀ
    private PackedMatrix<T>? _packedWeightHh;             // W_hh [G·H, H] for Δ^h_{t+1}·W_hh
    private bool _reusePackedWeights, _packedForwardCurrent;

    /// <summary>Declares this layer's parameters in <paramref name="parameters"/> under the given names.</summary>
    /// <param name="parameters">The model's parameter set.</param>
    /// <param name="inputSize">I.</param>
    /// <param name="hiddenSize">H.</param>
    /// <param name="nonlinearity">f of the simple cell (the gated cells' activations are fixed).</param>
    /// <param name="bias">Whether to declare <c>bias_ih</c> and <c>bias_hh</c>.</param>
    /// <param name="reverse">Whether the layer runs backward in time.</param>
    /// <param name="nameSuffix">Appended to each name, e.g. <c>_l1_reverse</c>.</param>
    /// <param name="namePrefix">Prepended to each name, e.g. <c>rnn.</c>.</param>
    /// <param name="cell">The cell.</param>
    public RecurrentLayer(ParameterSet<T> parameters, int inputSize, int hiddenSize, Nonlinearity nonlinearity,
        bool bias, bool reverse, string nameSuffix, string namePrefix = "", CellKind cell = CellKind.Rnn)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        if (!Enum.IsDefined(cell)) throw new ArgumentOutOfRangeException(nameof(cell), cell, "Unknown cell.");
        _parameters = parameters;
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        Reverse = reverse;
        Cell = cell;
        Nonlinearity = nonlinearity;
        Gates = GateCount(cell);
        int gh = Gates * hiddenSize;
        _weightIh = parameters.Add($"{namePrefix}weight_ih{nameSuffix}", gh, inputSize);
        _weightHh = parameters.Add($"{namePrefix}weight_hh{nameSuffix}", gh, hiddenSize);
        if (bias)
        {
            _biasIh = parameters.Add($"{namePrefix}bias_ih{nameSuffix}", gh);
            _biasHh = parameters.Add($"{namePrefix}bias_hh{nameSuffix}", gh);
        }
    }

    /// <summary>G for a cell: 1 simple, 4 LSTM, 3 GRU.</summary>
    public static int GateCount(CellKind cell) => cell switch
    {
        CellKind.Lstm => LstmCell<T>.Gates,
        CellKind.Gru => GruCell<T>.Gates,
        _ => SimpleCell<T>.Gates,
    };

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

    /// <summary>G, the gate blocks of the cell.</summary>
    public int Gates { get; }

    /// <summary>The cell.</summary>
    public CellKind Cell { get; }

    /// <summary>Whether the layer runs from t = T−1 down to 0.</summary>
    public bool Reverse { get; }

    /// <summary>The activation f of the simple cell.</summary>
    public Nonlinearity Nonlinearity { get; }

    /// <summary>U, <c>weight_ih</c> [G·H, I].</summary>
    public Parameter WeightIh => _weightIh;

    /// <summary>W, <c>weight_hh</c> [G·H, H].</summary>
    public Parameter WeightHh => _weightHh;

    /// <summary><c>bias_ih</c> [G·H], or null without bias.</summary>
    public Parameter? BiasIh => _biasIh;

    /// <summary><c>bias_hh</c> [G·H], or null without bias.</summary>
    public Parameter? BiasHh => _biasHh;

    /// <summary>
    /// The error terms Δ_t = ∂E/∂(gate pre-activations)_t of the last <see cref="Backward"/>, time-major [T·B, G·H] (row t·B + b
    /// is step t of batch row b, whatever the direction); valid until the next forward or backward pass.
    /// Their norms over t show gradients vanishing or exploding through time.
    /// </summary>
    public ReadOnlySpan<T> LastDeltas
    {
        get
        {
            int length = _sequenceLength * _batch * Gates * HiddenSize;
            return _deltas.Length >= length ? _deltas.AsSpan(0, length) : default;
        }
    }

    private bool HasCellState => Cell == CellKind.Lstm;

    /// <summary>
    /// Runs the layer over a sequence. The layer keeps references to <paramref name="x"/> and
    /// <paramref name="states"/> for <see cref="Backward"/>: neither may change in between.
    /// </summary>
    /// <param name="x">X [T·B, ldx], the first I columns used.</param>
    /// <param name="ldx">Row stride of X.</param>
    /// <param name="sequenceLength">T.</param>
    /// <param name="batch">B.</param>
    /// <param name="h0">The initial state [B, H], or empty for zeros.</param>
    /// <param name="states">Output S [T·B, lds]: h_t written to the first H columns of rows t·B..t·B+B−1.</param>
    /// <param name="lds">Row stride of S.</param>
    /// <param name="hN">The final state [B, H] (h_{T−1}, or h_0 when reverse), or empty.</param>
    /// <param name="c0">LSTM: the initial cell state [B, H], or empty for zeros.</param>
    /// <param name="cN">LSTM: the final cell state [B, H], or empty.</param>
    /// <param name="lengths">
    /// Per-sequence lengths [B], each in 1..T and sorted longest first, or empty for T each: row b runs only its first
    /// lengths[b] steps (the reverse direction starts at lengths[b]−1), its later rows of S are zero, and its final
    /// state is the one after its own last step.
    /// </param>
    public void Forward(ReadOnlyMemory<T> x, int ldx, int sequenceLength, int batch, ReadOnlySpan<T> h0,
        Memory<T> states, int lds, Span<T> hN, ReadOnlySpan<T> c0 = default, Span<T> cN = default, ReadOnlySpan<int> lengths = default)
    {
        int h = HiddenSize, rows = sequenceLength * batch;
        ArgumentOutOfRangeException.ThrowIfNegative(sequenceLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        Gemm.CheckMatrix("x", rows, InputSize, x.Length, ldx);
        Gemm.CheckMatrix("states", rows, h, states.Length, lds);
        CheckState(h0.Length, batch, nameof(h0));
        CheckState(hN.Length, batch, nameof(hN));
        CheckCellState(c0.Length, batch, nameof(c0));
        CheckCellState(cN.Length, batch, nameof(cN));
        SetLengths(lengths, sequenceLength, batch);

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
        _hasInitialCell = !c0.IsEmpty;
        if (_hasInitialCell)
        {
            Workspace.EnsureLength(ref _initialCell, batch * h);
            c0.CopyTo(_initialCell);
        }

        switch (Cell)
        {
            case CellKind.Lstm: ForwardSteps<LstmCell<T>>(); break;
            case CellKind.Gru: ForwardSteps<GruCell<T>>(); break;
            default: ForwardSteps<SimpleCell<T>>(); break;
        }

        if (!hN.IsEmpty) CopyFinalState(states.Span, lds, hN, _initialState, _hasInitialState);
        if (!cN.IsEmpty) CopyFinalState(_cells, h, cN, _initialCell, _hasInitialCell);
    }

    /// <summary>The forward pass for one cell: the whole-sequence input product, then the steps in processing order.</summary>
    private void ForwardSteps<TCell>() where TCell : struct, IRecurrentCell<T>
    {
        int h = HiddenSize, gh = TCell.Gates * h, batch = _batch, rows = _sequenceLength * batch, lds = _ldStates;
        Span<T> s = _states.Span;
        int ldGates = TCell.GatesAreState ? lds : gh;
        if (!TCell.GatesAreState) Workspace.EnsureLength(ref _gates, rows * gh);
        Span<T> gates = TCell.GatesAreState ? s : _gates.AsSpan(0, rows * gh);   // P [T·B, ldGates]
        if (TCell.HasCellState)
        {
            Workspace.EnsureLength(ref _cells, rows * h);
            Workspace.EnsureLength(ref _tanhCells, rows * h);
        }
        if (TCell.SeparatesHiddenPart) Workspace.EnsureLength(ref _hiddenParts, rows * h);
        if (!TCell.GatesAreState) Workspace.EnsureLength(ref _stepProduct, batch * gh);

        // P = X·W_ihᵀ + b_ih (+ b_hh where the cell folds it) for all steps at once; the simple cell's P = X·Uᵀ + b_ih + b_hh.
        // With lengths, on the valid rows alone (RecurrentLayer.ValidRows.cs).
        if (_hasLengths) ForwardInputProductValidRows(gates, ldGates, gh);
        else
            Gemm.Multiply(false, true, rows, gh, InputSize, T.One, _input.Span, _ldInput, _parameters.Value(_weightIh), InputSize,
                T.Zero, gates, ldGates);
        ReadOnlySpan<T> biasHh = default;
        if (_biasIh is not null && _biasHh is not null)
        {
            Workspace.EnsureLength(ref _combinedBias, gh);
            Span<T> bias = _combinedBias.AsSpan(0, gh);
            if (TCell.SeparatesHiddenPart)
            {
                _parameters.Value(_biasIh).CopyTo(bias);
                biasHh = _parameters.Value(_biasHh);
            }
            else TensorPrimitives.Add(_parameters.Value(_biasIh), _parameters.Value(_biasHh), bias);
            // every row, or with lengths the valid rows [t·B, t·B + B_t) of each time t
            for (int t = 0; t < _sequenceLength; t++)
                for (int r = t * batch, end = r + (_hasLengths ? _activeRows[t] : batch); r < end; r++)
                {
                    Span<T> row = gates.Slice(r * ldGates, gh);
                    TensorPrimitives.Add(row, bias, row);
                }
        }

        if (_packedWeightHhTransposed is null || _packedWeightHhTransposed.Columns != gh) _packedWeightHhTransposed = new PackedMatrix<T>(h, gh);
        if (!(ReusePackedWeights && _packedForwardCurrent))
        {
            PackWeightHhTransposed<TCell>();
            _packedForwardCurrent = ReusePackedWeights;
        }
        for (int step = 0; step < _sequenceLength; step++)
        {
            // rows [0, continuing) carry the state of the previous step; rows [continuing, active) start here from h0
            int t = TimeAt(step), active = ActiveRows(step), continuing = ContinuingRows(step);
            ForwardRows<TCell>(step, 0, continuing, gates, ldGates, biasHh);
            ForwardRows<TCell>(step, continuing, active, gates, ldGates, biasHh);
            // finished rows output zero (and keep the whole-sequence products of backward free of them)
            for (int b = active; b < batch; b++) s.Slice((t * batch + b) * lds, h).Clear();
        }
    }

    /// <summary>W_hhᵀ [H, G·H] into the packed copy: a gated cell's columns in GateColumns order, so its epilogue sees whole units.</summary>
    private void PackWeightHhTransposed<TCell>() where TCell : struct, IRecurrentCell<T>
    {
        int h = HiddenSize, gh = TCell.Gates * h;
        ReadOnlySpan<T> weightHh = _parameters.Value(_weightHh);
        if (TCell.GatesAreState)
        {
            _packedWeightHhTransposed!.Pack(transpose: true, weightHh, h);
            return;
        }
        if (_gateColumnRows.Length != gh)
        {
            _gateColumnRows = new int[gh];
            GateColumns.SourceRows<T>(h, TCell.Gates, _gateColumnRows);
        }
        _packedWeightHhTransposed!.PackTransposed(weightHh, h, _gateColumnRows);
    }

    /// <summary>Step <paramref name="step"/> of the rows [from, to): the product with W_hh and the cell's epilogue.</summary>
    private void ForwardRows<TCell>(int step, int from, int to, Span<T> gates, int ldGates, ReadOnlySpan<T> biasHh)
        where TCell : struct, IRecurrentCell<T>
    {
        if (from == to) return;
        int t = TimeAt(step), h = HiddenSize, lds = _ldStates;
        TCell.Forward(StepAt<TCell>(step, from, to, gates, ldGates), new CellForwardBuffers<T>
        {
            WeightHhTransposed = _packedWeightHhTransposed!,
            BiasHh = biasHh,
            Hidden = _states.Span[Rows(t, from, to, lds, h)],
            LdHidden = lds,
            Cell = TCell.HasCellState ? _cells.AsSpan((t * _batch + from) * h, (to - from) * h) : default,
            Product = TCell.GatesAreState ? default : _stepProduct.AsSpan(0, (to - from) * TCell.Gates * h),
        });
    }

    /// <summary>
    /// What step <paramref name="step"/> (in processing order) sees for the rows [from, to) in both directions: sizes,
    /// previous states (h0 and c0 for rows that start at this step), saved gates.
    /// </summary>
    private CellStep<T> StepAt<TCell>(int step, int from, int to, Span<T> gates, int ldGates) where TCell : struct, IRecurrentCell<T>
    {
        int h = HiddenSize, gh = TCell.Gates * h, rows = to - from, lds = _ldStates;
        int t = TimeAt(step), previous = from < ContinuingRows(step) ? TimeAt(step - 1) : -1;
        return new CellStep<T>
        {
            Batch = rows,
            HiddenSize = h,
            Nonlinearity = Nonlinearity,
            PreviousHidden = previous < 0 ? InitialRows(_initialState, _hasInitialState, from, to) : _states.Span[Rows(previous, from, to, lds, h)],
            LdPrevious = previous < 0 ? h : lds,
            PreviousCell = TCell.HasCellState
                ? (previous < 0 ? InitialRows(_initialCell, _hasInitialCell, from, to) : _cells.AsSpan((previous * _batch + from) * h, rows * h))
                : default,
            Gates = gates[Rows(t, from, to, ldGates, gh)],
            LdGates = ldGates,
            HiddenPart = TCell.SeparatesHiddenPart ? _hiddenParts.AsSpan((t * _batch + from) * h, rows * h) : default,
            TanhCell = TCell.HasCellState ? _tanhCells.AsSpan((t * _batch + from) * h, rows * h) : default,
        };
    }

    /// <summary>Rows [from, to) of an initial state [B, H], or empty (zeros) when there is none.</summary>
    private ReadOnlySpan<T> InitialRows(T[] initial, bool hasInitial, int from, int to) =>
        hasInitial ? initial.AsSpan(from * HiddenSize, (to - from) * HiddenSize) : default;

    private int TimeAt(int step) => Reverse ? _sequenceLength - 1 - step : step;

    /// <summary>Rows [from, to) of step t in a [T·B, ld] buffer, through the first <paramref name="width"/> columns of the last.</summary>
    private Range Rows(int t, int from, int to, int ld, int width) => ((t * _batch + from) * ld)..((t * _batch + to - 1) * ld + width);

    private void CopyFinalState(ReadOnlySpan<T> s, int lds, Span<T> final, T[] initial, bool hasInitial)
    {
        int h = HiddenSize;
        if (_sequenceLength == 0)
        {
            if (hasInitial) initial.AsSpan(0, _batch * h).CopyTo(final);
            else final.Clear();
            return;
        }
        for (int b = 0; b < _batch; b++) s.Slice((LastTime(b) * _batch + b) * lds, h).CopyTo(final.Slice(b * h, h));
    }

    // The checks format their message only when they fail: a training step must not allocate.
    private void CheckState(int length, int batch, string name)
    {
        if (length != 0 && length != batch * HiddenSize)
            throw new ArgumentException($"{name} has {length} elements; expected [B={batch}, H={HiddenSize}].", name);
    }

    private void CheckCellState(int length, int batch, string name)
    {
        if (length != 0 && !HasCellState)
            throw new ArgumentException($"{name} is a cell state, which only the LSTM cell has.", name);
        CheckState(length, batch, name);
    }
}
