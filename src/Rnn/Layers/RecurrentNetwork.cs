// A deep, optionally bidirectional RNN built from RecurrentLayer: PyTorch's nn.RNN, nn.LSTM and nn.GRU, plus the
// tutorial's "separate" stacking. Written for the simple cell below; a gated cell replaces f(·) by its step. T = time, B = batch, I = input features, H = hidden, L = layers, D = directions.
//   layer 0:      s_t^(1)  = f(U^(1) x_t + W^(1) s_{t-1}^(1) + b)          s'_t^(1) likewise, backward in time
//   layer k > 0:  s_t^(k)  = f(U^(k) in_t^(k) + W^(k) s_{t-1}^(k) + b)
//                 in_t^(k) = [s_t^(k-1); s'_t^(k-1)]   (concat)   or   s_t^(k-1) / s'_t^(k-1)   (separate)
//   output:       y_t = [s_t^(L); s'_t^(L)]             [T, B, D·H]
using System.Numerics;
using System.Numerics.Tensors;
using Rnn.Kernels;
using Rnn.Tensors;

namespace Rnn.Layers;

/// <summary>
/// A stack of <see cref="RnnOptions.NumLayers"/> recurrent layers, each with one or two directions,
/// equivalent to PyTorch's <c>nn.RNN</c>, <c>nn.LSTM</c> or <c>nn.GRU</c> with the same options and parameter names.
/// </summary>
public sealed class RecurrentNetwork<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly RecurrentLayer<T>[] _layers;   // index layer·D + direction
    private T[][] _outputs;                          // per layer: [T·B, D·H]
    private T[][] _droppedOutputs;                   // per layer but the last, in training with dropout: outputs ⊙ mask [T·B, D·H]
    private T[][] _dropoutMasks;                     // per layer but the last: 0 or 1/(1−p) [T·B, D·H]
    private bool _dropoutApplied;
    private T[] _input = [];                         // x in time-major order [T·B, I]
    private T[] _gradientA = [], _gradientB = [];     // ping-pong buffers for dS of a layer's output / input
    private T[] _initialStates = [], _finalStates = [];                     // h0, hN [L·D, B, H]
    private readonly DirectionPair _directions = new();
    private T[] _initialStateGradients = [], _finalStateGradients = [];     // dh0, dhN [L·D, B, H]
    private T[] _initialCells = [], _finalCells = [];                       // c0, cN [L·D, B, H] (LSTM)
    private T[] _initialCellGradients = [], _finalCellGradients = [];       // dc0, dcN [L·D, B, H] (LSTM)
    private int _sequenceLength, _batch;
    private bool _forwardDone;
    private readonly SortedBatch _sorted = new();    // the lengths of the last forward pass, longest first, and the order

    /// <summary>Creates the network, declaring its parameters in <paramref name="parameters"/> (a new set if null)
    /// and initialising them from <paramref name="seed"/> with PyTorch's uniform(−1/√H, 1/√H).</summary>
    /// <param name="options">The configuration.</param>
    /// <param name="parameters">The set to declare parameters in; shared with other layers of a model.</param>
    /// <param name="namePrefix">Prepended to each parameter name, e.g. <c>rnn.</c> inside a language model.</param>
    /// <param name="seed">The initialisation seed.</param>
    public RecurrentNetwork(RnnOptions options, ParameterSet<T>? parameters = null, string namePrefix = "", ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        Parameters = parameters ?? new ParameterSet<T>();
        int d = options.NumDirections;
        _layers = new RecurrentLayer<T>[options.NumLayers * d];
        for (int l = 0; l < options.NumLayers; l++)
            for (int dir = 0; dir < d; dir++)
                _layers[l * d + dir] = new RecurrentLayer<T>(Parameters, options.LayerInputSize(l), options.HiddenSize,
                    options.Nonlinearity, options.Bias, reverse: dir == 1,
                    nameSuffix: $"_l{l}" + (dir == 1 ? "_reverse" : ""), namePrefix, options.Cell);
        _outputs = NewBuffers(options.NumLayers);
        _droppedOutputs = NewBuffers(options.NumLayers);
        _dropoutMasks = NewBuffers(options.NumLayers);
        ResetParameters(seed);
    }

    /// <summary>The configuration.</summary>
    public RnnOptions Options { get; }

    /// <summary>The parameters (possibly shared with the rest of a model).</summary>
    public ParameterSet<T> Parameters { get; }

    /// <summary>Whether forward passes apply dropout between layers (when <see cref="RnnOptions.Dropout"/> &gt; 0).</summary>
    public bool Training { get; set; }

    /// <summary>
    /// While set, each layer packs its recurrent weight once and reuses it in later forward passes (see
    /// <see cref="RecurrentLayer{T}.ReusePackedWeights"/>); the weights must not change until it is cleared.
    /// </summary>
    internal bool ReusePackedWeights
    {
        set
        {
            foreach (var layer in _layers) layer.ReusePackedWeights = value;
        }
    }

    /// <summary>The generator dropout masks are drawn from; set it to make training reproducible and resumable.</summary>
    public SeededRandom DropoutRandom { get; set; } = new(0);

    /// <summary>The layers, index <c>layer·D + direction</c>.</summary>
    public IReadOnlyList<RecurrentLayer<T>> Layers => _layers;

    /// <summary>Re-initialises this network's parameters uniform in (−1/√H, 1/√H), in declaration order.</summary>
    public void ResetParameters(ulong seed)
    {
        var random = new SeededRandom(seed);
        double bound = 1.0 / Math.Sqrt(Options.HiddenSize);
        foreach (var layer in _layers)
            foreach (var p in new[] { layer.WeightIh, layer.WeightHh, layer.BiasIh, layer.BiasHh })
                if (p is not null) random.FillUniform(Parameters.Value(p), -bound, bound);
    }

    /// <summary>
    /// The top layer's output of the last forward pass, time-major [T·B, D·H], valid until the next forward; its batch rows are
    /// sorted longest first when that pass had lengths not already in that order (the y of <see cref="Forward"/> is in the batch order).
    /// </summary>
    public ReadOnlySpan<T> LastOutput => _outputs[^1].AsSpan(0, _sequenceLength * _batch * Options.OutputSize);

    /// <summary>
    /// Runs the network. Keeps what <see cref="Backward"/> needs.
    /// </summary>
    /// <param name="x">Input [T, B, I] (or [B, T, I] when batch-first).</param>
    /// <param name="sequenceLength">T.</param>
    /// <param name="batch">B.</param>
    /// <param name="h0">Initial states [L·D, B, H] (index layer·D + direction), or empty for zeros.</param>
    /// <param name="y">Output [T, B, D·H] (or [B, T, D·H] when batch-first), or empty to skip the copy (see <see cref="LastOutput"/>).</param>
    /// <param name="hN">Final states [L·D, B, H], or empty.</param>
    /// <param name="c0">LSTM: initial cell states [L·D, B, H], or empty for zeros.</param>
    /// <param name="cN">LSTM: final cell states [L·D, B, H], or empty.</param>
    /// <param name="lengths">
    /// Per-sequence lengths [B], each in 1..T, in any order, or empty for T each (PyTorch's packed sequences): sequence b
    /// has only its first lengths[b] steps; later steps change no state and output zero in y; the reverse direction
    /// starts at step lengths[b]−1 from h0; hN (cN) hold each sequence's state after its own last step. The next
    /// <see cref="Backward"/> follows the same lengths.
    /// </param>
    public void Forward(ReadOnlySpan<T> x, int sequenceLength, int batch, ReadOnlySpan<T> h0, Span<T> y, Span<T> hN,
        ReadOnlySpan<T> c0 = default, Span<T> cN = default, ReadOnlySpan<int> lengths = default)
    {
        var o = Options;
        int d = o.NumDirections, h = o.HiddenSize, stateSize = o.NumLayers * d * batch * h;
        if (sequenceLength < 0) throw new ArgumentOutOfRangeException(nameof(sequenceLength), sequenceLength, "The sequence length must be ≥ 0.");
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch size must be positive.");
        CheckSequence(x.Length, sequenceLength, batch, o.InputSize, nameof(x));
        if (!h0.IsEmpty) CheckState(h0.Length, batch, nameof(h0));
        if (!y.IsEmpty) CheckSequence(y.Length, sequenceLength, batch, o.OutputSize, nameof(y));
        if (!hN.IsEmpty) CheckState(hN.Length, batch, nameof(hN));
        CheckCellState(c0.Length, batch, nameof(c0));
        CheckCellState(cN.Length, batch, nameof(cN));
        _sorted.Set(lengths, sequenceLength, batch);

        _sequenceLength = sequenceLength;
        _batch = batch;
        int rows = sequenceLength * batch, width = o.OutputSize;
        Workspace.EnsureLength(ref _input, rows * o.InputSize);
        ToTimeMajor(x, _input.AsSpan(0, rows * o.InputSize), sequenceLength, batch, o.InputSize, o.BatchFirst, _sorted.Order, _sorted.Lengths);
        for (int l = 0; l < o.NumLayers; l++) Workspace.EnsureLength(ref _outputs[l], rows * width);

        _dropoutApplied = Training && o.Dropout > 0 && o.NumLayers > 1;
        // Initial and final states go through our own buffers so that the two directions can run on two threads.
        bool hasH0 = !h0.IsEmpty, hasC0 = !c0.IsEmpty;
        _directions.Prepare(this, forward: true, hasH0, hasC0);
        Workspace.EnsureLength(ref _initialStates, stateSize);
        Workspace.EnsureLength(ref _finalStates, stateSize);
        if (hasH0) _sorted.ToSorted(h0, _initialStates, h);
        if (o.HasCellState)
        {
            Workspace.EnsureLength(ref _initialCells, stateSize);
            Workspace.EnsureLength(ref _finalCells, stateSize);
            if (hasC0) _sorted.ToSorted(c0, _initialCells, h);
        }
        for (int l = 0; l < o.NumLayers; l++)
        {
            _directions.Layer = l;
            if (d == 2 && IsWorthSplitting(rows)) ComputeThreads.RunPair(_directions);
            else for (int dir = 0; dir < d; dir++) ForwardLayer(l, dir, hasH0, hasC0);
            if (_dropoutApplied && l < o.NumLayers - 1) ApplyDropout(l, rows * width);
        }
        if (!hN.IsEmpty) _sorted.FromSorted(_finalStates.AsSpan(0, stateSize), hN, h);
        if (!cN.IsEmpty) _sorted.FromSorted(_finalCells.AsSpan(0, stateSize), cN, h);

        if (!y.IsEmpty) FromTimeMajor(_outputs[^1].AsSpan(0, rows * width), y, sequenceLength, batch, width, o.BatchFirst, _sorted.Order, _sorted.Lengths);
        _forwardDone = true;
    }

    /// <summary>
    /// BPTT through every layer and direction of the last forward pass, with its lengths. Parameter gradients are
    /// accumulated (+=); <paramref name="dx"/> and <paramref name="dh0"/> are overwritten. With lengths, dy at a
    /// sequence's padded steps has no effect and dx there is zero.
    /// </summary>
    /// <param name="dy">∂E/∂y [T, B, D·H] (or [B, T, D·H] when batch-first), or empty for zero.</param>
    /// <param name="dhN">∂E/∂h_N [L·D, B, H], or empty for zero.</param>
    /// <param name="dx">∂E/∂x, shaped like x, or empty to skip.</param>
    /// <param name="dh0">∂E/∂h0 [L·D, B, H], or empty to skip.</param>
    /// <param name="dcN">LSTM: ∂E/∂c_N [L·D, B, H], or empty for zero.</param>
    /// <param name="dc0">LSTM: ∂E/∂c0 [L·D, B, H], or empty to skip.</param>
    public void Backward(ReadOnlySpan<T> dy, ReadOnlySpan<T> dhN, Span<T> dx, Span<T> dh0,
        ReadOnlySpan<T> dcN = default, Span<T> dc0 = default)
    {
        if (!_forwardDone) throw new InvalidOperationException("Backward needs a forward pass first.");
        var o = Options;
        int d = o.NumDirections, h = o.HiddenSize, rows = _sequenceLength * _batch, width = o.OutputSize;
        int stateSize = o.NumLayers * d * _batch * h;
        if (!dy.IsEmpty) CheckSequence(dy.Length, _sequenceLength, _batch, width, nameof(dy));
        if (!dhN.IsEmpty) CheckState(dhN.Length, _batch, nameof(dhN));
        if (!dx.IsEmpty) CheckSequence(dx.Length, _sequenceLength, _batch, o.InputSize, nameof(dx));
        if (!dh0.IsEmpty) CheckState(dh0.Length, _batch, nameof(dh0));
        CheckCellState(dcN.Length, _batch, nameof(dcN));
        CheckCellState(dc0.Length, _batch, nameof(dc0));

        int maxWidth = Math.Max(width, o.InputSize);
        Workspace.EnsureLength(ref _gradientA, rows * maxWidth);
        Workspace.EnsureLength(ref _gradientB, rows * maxWidth);
        Span<T> dOutput = _gradientA.AsSpan(0, rows * width);       // dS of the current layer's output [T·B, D·H]
        if (dy.IsEmpty) dOutput.Clear();
        else ToTimeMajor(dy, dOutput, _sequenceLength, _batch, width, o.BatchFirst, _sorted.Order, _sorted.Lengths);

        bool hasDhN = !dhN.IsEmpty, hasDcN = !dcN.IsEmpty;
        Workspace.EnsureLength(ref _finalStateGradients, stateSize);
        Workspace.EnsureLength(ref _initialStateGradients, stateSize);
        if (hasDhN) _sorted.ToSorted(dhN, _finalStateGradients, h);
        if (o.HasCellState)
        {
            Workspace.EnsureLength(ref _finalCellGradients, stateSize);
            Workspace.EnsureLength(ref _initialCellGradients, stateSize);
            if (hasDcN) _sorted.ToSorted(dcN, _finalCellGradients, h);
        }
        _directions.Prepare(this, forward: false, hasDhN, hasDcN);

        for (int l = o.NumLayers - 1; l >= 0; l--)
        {
            int inWidth = l == 0 ? o.InputSize : width;
            bool needInputGradient = l > 0 || !dx.IsEmpty;
            Span<T> dInput = _gradientB.AsSpan(0, rows * inWidth);     // dS of the layer's input [T·B, inWidth]
            if (needInputGradient) ClearValidRows(dInput, inWidth);
            // Through time, each direction on its own buffers (in parallel when worth it); then, one after the
            // other, both directions add their share to the input gradient.
            _directions.Layer = l;
            if (d == 2 && IsWorthSplitting(rows)) ComputeThreads.RunPair(_directions);
            else for (int dir = 0; dir < d; dir++) BackwardLayer(l, dir, hasDhN, hasDcN);
            if (needInputGradient)
                for (int dir = 0; dir < d; dir++)
                {
                    int column = l > 0 && o.Stacking == Stacking.Separate ? dir * h : 0;
                    _layers[l * d + dir].BackwardInput(dInput[column..], inWidth);
                }
            if (l == 0)
            {
                if (!dx.IsEmpty) FromTimeMajor(dInput, dx, _sequenceLength, _batch, o.InputSize, o.BatchFirst, _sorted.Order, _sorted.Lengths);
                if (!dh0.IsEmpty) _sorted.FromSorted(_initialStateGradients.AsSpan(0, stateSize), dh0, h);
                if (!dc0.IsEmpty) _sorted.FromSorted(_initialCellGradients.AsSpan(0, stateSize), dc0, h);
            }
            else
            {
                // The layer's input was the dropped-out output of the layer below: ∂/∂out = ∂/∂in ⊙ mask.
                if (_dropoutApplied) TensorPrimitives.Multiply(dInput, _dropoutMasks[l - 1].AsSpan(0, dInput.Length), dInput);
                (_gradientA, _gradientB) = (_gradientB, _gradientA);
                dOutput = _gradientA.AsSpan(0, rows * width);
            }
        }
    }

    private void ForwardLayer(int l, int dir, bool hasH0, bool hasC0)
    {
        int d = Options.NumDirections, h = Options.HiddenSize, width = Options.OutputSize, rows = _sequenceLength * _batch;
        int index = l * d + dir, stateRows = _batch * h;
        bool cells = Options.HasCellState;
        var (layerInput, ldInput) = LayerInput(l, dir, rows);
        _layers[index].Forward(layerInput, ldInput, _sequenceLength, _batch,
            hasH0 ? _initialStates.AsSpan(index * stateRows, stateRows) : default,
            _outputs[l].AsMemory(dir * h, rows * width - dir * h), width,
            _finalStates.AsSpan(index * stateRows, stateRows),
            cells && hasC0 ? _initialCells.AsSpan(index * stateRows, stateRows) : default,
            cells ? _finalCells.AsSpan(index * stateRows, stateRows) : default,
            _sorted.Lengths);
    }

    private void BackwardLayer(int l, int dir, bool hasDhN, bool hasDcN)
    {
        int d = Options.NumDirections, h = Options.HiddenSize, width = Options.OutputSize, rows = _sequenceLength * _batch;
        int index = l * d + dir, stateRows = _batch * h;
        bool cells = Options.HasCellState;
        T[] dOutput = _gradientA;
        _layers[index].BackwardThroughTime(dOutput.AsSpan(dir * h, rows * width - dir * h), width,
            hasDhN ? _finalStateGradients.AsSpan(index * stateRows, stateRows) : default,
            _initialStateGradients.AsSpan(index * stateRows, stateRows),
            cells && hasDcN ? _finalCellGradients.AsSpan(index * stateRows, stateRows) : default,
            cells ? _initialCellGradients.AsSpan(index * stateRows, stateRows) : default);
    }

    /// <summary>The two directions of one layer as a job for two threads (one object, reused: no allocation per call).</summary>
    private sealed class DirectionPair : ComputeThreads.PairedWork
    {
        private RecurrentNetwork<T>? _network;
        private bool _forward, _hasState, _hasCell;

        public int Layer { get; set; }

        public void Prepare(RecurrentNetwork<T> owner, bool forward, bool hasState, bool hasCell)
        {
            _network = owner;
            _forward = forward;
            _hasState = hasState;
            _hasCell = hasCell;
        }

        protected override void Run(int part)
        {
            if (_forward) _network!.ForwardLayer(Layer, part, _hasState, _hasCell);
            else _network!.BackwardLayer(Layer, part, _hasState, _hasCell);
        }
    }

    // Two threads pay off once a direction's work is well above the cost of handing it to another thread.
    private bool IsWorthSplitting(int rows) => (long)rows * Options.HiddenSize * Options.HiddenSize * _layers[0].Gates >= 1 << 16;

    /// <summary>Layer l's input for direction dir: x, the previous layer's whole output (concat), or its own direction's half (separate).</summary>
    private (ReadOnlyMemory<T> Input, int Ld) LayerInput(int l, int dir, int rows)
    {
        var o = Options;
        if (l == 0) return (_input.AsMemory(0, rows * o.InputSize), o.InputSize);
        int width = o.OutputSize;
        int column = o.Stacking == Stacking.Separate ? dir * o.HiddenSize : 0;
        T[] below = _dropoutApplied ? _droppedOutputs[l - 1] : _outputs[l - 1];
        return (below.AsMemory(column, rows * width - column), width);
    }

    /// <summary>Inverted dropout on layer l's output: each element kept with probability 1 − p and scaled by 1/(1 − p).</summary>
    private void ApplyDropout(int l, int length)
    {
        Workspace.EnsureLength(ref _droppedOutputs[l], length);
        Workspace.EnsureLength(ref _dropoutMasks[l], length);
        Span<T> mask = _dropoutMasks[l].AsSpan(0, length);
        double p = Options.Dropout;
        T scale = T.CreateChecked(1.0 / (1.0 - p));
        for (int i = 0; i < mask.Length; i++) mask[i] = DropoutRandom.NextDouble() < p ? T.Zero : scale;
        TensorPrimitives.Multiply(_outputs[l].AsSpan(0, length), mask, _droppedOutputs[l].AsSpan(0, length));
    }

    private static T[][] NewBuffers(int count)
    {
        var buffers = new T[count][];
        for (int i = 0; i < count; i++) buffers[i] = [];
        return buffers;
    }

    /// <summary>
    /// Copies a sequence into time-major order, batch row order[i] (or i without an order) to row i. With lengths (sorted
    /// row i's in <paramref name="lengths"/>), only the valid steps are copied: no layer reads a padded step of its input.
    /// </summary>
    private static void ToTimeMajor(ReadOnlySpan<T> source, Span<T> destination, int sequenceLength, int batch, int features, bool batchFirst,
        ReadOnlySpan<int> order, ReadOnlySpan<int> lengths)
    {
        if (!batchFirst && order.IsEmpty && lengths.IsEmpty) { source.CopyTo(destination); return; }
        for (int i = 0; i < batch; i++)
        {
            int b = order.IsEmpty ? i : order[i], steps = lengths.IsEmpty ? sequenceLength : lengths[i];
            for (int t = 0; t < steps; t++)
                source.Slice(SequenceRow(t, b, sequenceLength, batch, batchFirst) * features, features).CopyTo(destination.Slice((t * batch + i) * features, features));
        }
    }

    /// <summary>The inverse of <see cref="ToTimeMajor"/>; with lengths, the padded steps of the destination are cleared.</summary>
    private static void FromTimeMajor(ReadOnlySpan<T> source, Span<T> destination, int sequenceLength, int batch, int features, bool batchFirst,
        ReadOnlySpan<int> order, ReadOnlySpan<int> lengths)
    {
        if (!batchFirst && order.IsEmpty && lengths.IsEmpty) { source.CopyTo(destination); return; }
        for (int i = 0; i < batch; i++)
        {
            int b = order.IsEmpty ? i : order[i], steps = lengths.IsEmpty ? sequenceLength : lengths[i];
            for (int t = 0; t < sequenceLength; t++)
            {
                Span<T> row = destination.Slice(SequenceRow(t, b, sequenceLength, batch, batchFirst) * features, features);
                if (t < steps) source.Slice((t * batch + i) * features, features).CopyTo(row);
                else row.Clear();
            }
        }
    }

    /// <summary>
    /// Clears a time-major [T·B, features] buffer, with lengths its valid rows alone: the layers add their input
    /// gradient into those only, and read none of the padded rows.
    /// </summary>
    private void ClearValidRows(Span<T> buffer, int features)
    {
        ReadOnlySpan<int> lengths = _sorted.Lengths;
        if (lengths.IsEmpty) { buffer.Clear(); return; }
        int batch = _batch, rows = batch;
        for (int t = 0; t < _sequenceLength; t++)
        {
            while (rows > 0 && lengths[rows - 1] <= t) rows--;   // the sorted rows still running at t
            buffer.Slice(t * batch * features, rows * features).Clear();
        }
    }

    private static int SequenceRow(int t, int b, int sequenceLength, int batch, bool batchFirst) => batchFirst ? b * sequenceLength + t : t * batch + b;

    // The checks format their message only when they fail: a training step must not allocate.
    private void CheckSequence(int actual, int sequenceLength, int batch, int features, string name)
    {
        if (actual == (long)sequenceLength * batch * features) return;
        string shape = Options.BatchFirst ? $"[B={batch}, T={sequenceLength}, {features}]" : $"[T={sequenceLength}, B={batch}, {features}]";
        throw new ArgumentException($"{name} has {actual} elements; expected {shape} = {(long)sequenceLength * batch * features}.", name);
    }

    private void CheckCellState(int actual, int batch, string name)
    {
        if (actual == 0) return;
        if (!Options.HasCellState) throw new ArgumentException($"{name} is a cell state, which only the LSTM cell has.", name);
        CheckState(actual, batch, name);
    }

    private void CheckState(int actual, int batch, string name)
    {
        int states = Options.NumLayers * Options.NumDirections;
        if (actual == states * batch * Options.HiddenSize) return;
        throw new ArgumentException(
            $"{name} has {actual} elements; expected [L·D={states}, B={batch}, H={Options.HiddenSize}] = {states * batch * Options.HiddenSize}.", name);
    }
}
