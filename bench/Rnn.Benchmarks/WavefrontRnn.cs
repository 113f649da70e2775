// A prototype of the wavefront schedule for a stack of simple-cell layers (one direction, no h0, no dropout), to be
// timed against RecurrentNetwork's schedule, which splits each per-step product across the cores ("split").
// T = time steps, B = batch, I = input features, H = hidden units, L = layers.
//
// Wavefront: layer l runs on thread l mod 2, each of its products on that one thread. Layer l's steps [t0, t0+k)
// start once layer l−1 has finished step t0+k−1 (a per-layer step counter, written with Volatile.Write after each
// step and spun on by the reader: no event per step). Layer l > 0 gets its input step by step, so its input product
// P = S^(l−1)·W_ihᵀ + b is done per block of k steps against a prepacked W_ihᵀ; layer 0's is either one
// whole-sequence product on both threads before the wavefront starts, or per block on its own thread like the others.
// Backward runs the same way with the order reversed: layer l's steps from T−1 down need layer l+1's Δ of the same
// steps, and its dS block is Δ^(l+1)·W_ih^(l+1) against a prepacked W_ih; the whole-sequence products (weight
// gradients, dX) follow on both threads once every layer is through.
//
// Every product computes each element with the same chain of FMAs as RecurrentLayer's (prepacked or not, 1 or 2
// threads), and the pointwise steps are the same calls in the same order, so the results should match the network's.
using System.Numerics.Tensors;
using System.Runtime.Intrinsics.X86;
using Rnn.Kernels;
using Rnn.Layers;
using Rnn.Tensors;

namespace Rnn.Benchmarks;

/// <summary>The wavefront schedule over the parameters of a <see cref="RecurrentNetwork{T}"/> of simple cells, D = 1.</summary>
internal sealed unsafe class WavefrontRnn
{
    private const int Stride = 16;   // one progress counter per 64-byte line

    private readonly RecurrentNetwork<float> _network;
    private readonly ParameterSet<float> _parameters;
    private readonly int _layers, _steps, _batch, _hidden, _inputSize;
    private readonly Nonlinearity _f;
    private readonly float[] _input, _inputGradient, _initialGradient;   // x [T·B, I], dX [T·B, I], dh0 [B, H]
    private readonly float[][] _states, _deltas, _bias;                  // per layer: S [T·B, H], Δ [T·B, H], b_ih + b_hh [H]
    private readonly PackedMatrix<float>[] _weightIhT, _weightHhT, _weightIh, _weightHh;   // W_ihᵀ, W_hhᵀ, W_ih, W_hh per layer
    private readonly int[] _progress;                                    // per layer: steps done in processing order
    private float[] _gradient = [];                                      // G [T·B, H]
    private readonly Pair _pair;
    private bool _backward;

    public WavefrontRnn(RecurrentNetwork<float> network, int sequenceLength, int batch)
    {
        var o = network.Options;
        if (o.Cell != CellKind.Rnn || o.Bidirectional || !o.Bias || o.BatchFirst)
            throw new ArgumentException("The prototype covers the simple cell, one direction, with biases, time-major.");
        _network = network;
        _parameters = network.Parameters;
        (_layers, _steps, _batch, _hidden, _inputSize, _f) = (o.NumLayers, sequenceLength, batch, o.HiddenSize, o.InputSize, o.Nonlinearity);
        int rows = sequenceLength * batch;
        _input = new float[rows * _inputSize];
        _inputGradient = new float[rows * _inputSize];
        _initialGradient = new float[batch * _hidden];
        _states = new float[_layers][];
        _deltas = new float[_layers][];
        _bias = new float[_layers][];
        _weightIhT = new PackedMatrix<float>[_layers];
        _weightHhT = new PackedMatrix<float>[_layers];
        _weightIh = new PackedMatrix<float>[_layers];
        _weightHh = new PackedMatrix<float>[_layers];
        for (int l = 0; l < _layers; l++)
        {
            int inputSize = o.LayerInputSize(l);
            _states[l] = new float[rows * _hidden];
            _deltas[l] = new float[rows * _hidden];
            _bias[l] = new float[_hidden];
            _weightIhT[l] = new PackedMatrix<float>(inputSize, _hidden);
            _weightHhT[l] = new PackedMatrix<float>(_hidden, _hidden);
            _weightIh[l] = new PackedMatrix<float>(_hidden, inputSize);
            _weightHh[l] = new PackedMatrix<float>(_hidden, _hidden);
        }
        _progress = new int[_layers * Stride];
        _pair = new Pair(this);
    }

    /// <summary>Steps of a layer handed on at once: the next layer starts a block once the block below is done.</summary>
    public int Block { get; set; } = 1;

    /// <summary>Layer 0's input product as one whole-sequence GEMM on both threads before the wavefront (true), or per
    /// block on layer 0's own thread (false).</summary>
    public bool InputUpfront { get; set; } = true;

    /// <summary>Forward: the input products of layers from this one up are formed by the thread of the layer below,
    /// right after its block (for L = 3 on two threads, 2 balances the load); by default each layer forms its own.</summary>
    public int ProducerInputFrom { get; set; } = int.MaxValue;

    /// <summary>Backward: layer l's thread forms dS of layer l − 1 (instead of that layer's thread) and adds layer l + 1's
    /// ∇W_hh block by block while the wavefront runs (instead of after it); ∇W_hh is then summed in another order.</summary>
    public bool OverlapBackward { get; set; }

    /// <summary>The top layer's output of the last forward pass [T·B, H].</summary>
    public ReadOnlySpan<float> LastOutput => _states[^1];

    /// <summary>dX of the last backward pass [T·B, I].</summary>
    public ReadOnlySpan<float> LastInputGradient => _inputGradient;

    /// <summary>The forward pass of x [T, B, I] into y [T, B, H] (or empty), as <see cref="RecurrentNetwork{T}.Forward"/> without h0.</summary>
    public void Forward(ReadOnlySpan<float> x, Span<float> y)
    {
        int rows = _steps * _batch, h = _hidden;
        x.CopyTo(_input);   // the network's copy into time-major order
        for (int l = 0; l < _layers; l++)
        {
            int inputSize = _network.Options.LayerInputSize(l);
            var layer = _network.Layers[l];
            _weightHhT[l].Pack(transpose: true, _parameters.Value(layer.WeightHh), h);
            if (l > 0 || !InputUpfront) _weightIhT[l].Pack(transpose: true, _parameters.Value(layer.WeightIh), inputSize);
            TensorPrimitives.Add(_parameters.Value(layer.BiasIh!), _parameters.Value(layer.BiasHh!), _bias[l]);
        }
        if (InputUpfront)
        {
            // P^(0) = X·W_ihᵀ + b for all steps on both threads, as the network does
            var layer = _network.Layers[0];
            Gemm.Multiply(false, true, rows, h, _inputSize, 1f, _input, _inputSize, _parameters.Value(layer.WeightIh), _inputSize, 0f, _states[0], h);
            AddBias(0, 0, _steps);
        }
        if (ComputeThreads.Max < 2) throw new InvalidOperationException("The wavefront needs two threads.");
        Array.Clear(_progress);
        _backward = false;
        ComputeThreads.RunPair(_pair);
        if (!y.IsEmpty) _states[^1].AsSpan(0, rows * h).CopyTo(y);
    }

    /// <summary>BPTT of Σ y ⊙ G after <see cref="Forward"/>: += every parameter gradient, dX into <paramref name="dx"/> (or empty).</summary>
    public void Backward(ReadOnlySpan<float> g, Span<float> dx)
    {
        if (_gradient.Length != g.Length) _gradient = new float[g.Length];
        g.CopyTo(_gradient);   // the network's copy of dy into time-major order
        int rows = _steps * _batch, h = _hidden;
        for (int l = 0; l < _layers; l++)
        {
            _weightHh[l].Pack(transpose: false, _parameters.Value(_network.Layers[l].WeightHh), h);
            if (l > 0) _weightIh[l].Pack(transpose: false, _parameters.Value(_network.Layers[l].WeightIh), _network.Options.LayerInputSize(l));
        }
        if (ComputeThreads.Max < 2) throw new InvalidOperationException("The wavefront needs two threads.");
        Array.Clear(_progress);
        _backward = true;
        ComputeThreads.RunPair(_pair);

        // The whole-sequence products, top layer first, on both threads, as the network does.
        for (int l = _layers - 1; l >= 0; l--)
        {
            var layer = _network.Layers[l];
            int inputSize = _network.Options.LayerInputSize(l);
            float[] delta = _deltas[l], s = _states[l];
            float[] x = l == 0 ? _input : _states[l - 1];
            Gemm.Multiply(_batch, 1f, delta, h, _weightHh[l], 0f, _initialGradient, h);   // dh0, which the network also forms
            Gemm.Multiply(true, false, h, inputSize, rows, 1f, delta, h, x, inputSize, 1f, _parameters.Gradient(layer.WeightIh), inputSize);
            if (!OverlapBackward || l == 0)
                Gemm.Multiply(true, false, h, h, rows - _batch, 1f, delta.AsSpan(_batch * h), h, s, h, 1f, _parameters.Gradient(layer.WeightHh), h);
            Span<float> dbIh = _parameters.Gradient(layer.BiasIh!), dbHh = _parameters.Gradient(layer.BiasHh!);
            for (int r = 0; r < rows; r++)
            {
                TensorPrimitives.Add(dbIh, delta.AsSpan(r * h, h), dbIh);
                TensorPrimitives.Add(dbHh, delta.AsSpan(r * h, h), dbHh);
            }
            if (l == 0 && !dx.IsEmpty)
            {
                _inputGradient.AsSpan().Clear();
                Gemm.Multiply(false, false, rows, _inputSize, h, 1f, delta, h, _parameters.Value(layer.WeightIh), _inputSize, 1f, _inputGradient, _inputSize);
                _inputGradient.CopyTo(dx);
            }
        }
    }

    /// <summary>Thread <paramref name="part"/>: its layers (l mod 2 = part), each block as soon as the block it needs is done.</summary>
    private void RunThread(int part)
    {
        Span<int> next = stackalloc int[_layers];   // steps each layer has done, in processing order
        int mine = 0;
        for (int l = part; l < _layers; l += 2) mine++;
        int finished = 0;
        while (finished < mine)
        {
            bool progressed = false;
            for (int i = 0; i < _layers; i++)
            {
                // forward: lower layers first; backward: upper layers first
                int l = _backward ? _layers - 1 - i : i;
                if (l % 2 != part || next[l] == _steps) continue;
                int end = Math.Min(_steps, next[l] + Block);
                int source = _backward ? l + 1 : l - 1;   // the layer this one waits for
                if (source >= 0 && source < _layers && Volatile.Read(ref _progress[source * Stride]) < end) continue;
                if (_backward) BackwardBlock(l, next[l], end);
                else ForwardBlock(l, next[l], end);
                next[l] = end;
                if (end == _steps) finished++;
                progressed = true;
            }
            if (!progressed)
            {
                if (X86Base.IsSupported) X86Base.Pause();
                else Thread.SpinWait(1);
            }
        }
    }

    /// <summary>Steps [t0, t1) of layer l: its input product for the block (unless done upfront), then step by step.</summary>
    private void ForwardBlock(int l, int t0, int t1)
    {
        int h = _hidden, b = _batch, stateRows = b * h;
        float[] s = _states[l];
        if ((l > 0 || !InputUpfront) && l < ProducerInputFrom) InputBlock(l, t0, t1);
        bool feeds = l + 1 < _layers && l + 1 >= ProducerInputFrom;   // this thread forms the next layer's input product
        for (int t = t0; t < t1; t++)
        {
            Span<float> st = s.AsSpan(t * stateRows, stateRows);
            if (t == 0) Activation.Forward<float>(_f, st, st);
            else Gemm.Multiply(b, 1f, s.AsSpan((t - 1) * stateRows, stateRows), h, _weightHhT[l], 1f, st, h,
                new ActivationEpilogue<float>(_f), maxThreads: 1);
            if (!feeds) Volatile.Write(ref _progress[l * Stride], t + 1);
        }
        if (!feeds) return;
        InputBlock(l + 1, t0, t1);
        Volatile.Write(ref _progress[l * Stride], t1);
    }

    /// <summary>P = X·W_ihᵀ + b of layer <paramref name="l"/> for the steps [t0, t1), on this thread.</summary>
    private void InputBlock(int l, int t0, int t1)
    {
        int h = _hidden, b = _batch, inputSize = l == 0 ? _inputSize : h;
        float[] x = l == 0 ? _input : _states[l - 1];
        Gemm.Multiply((t1 - t0) * b, 1f, x.AsSpan(t0 * b * inputSize), inputSize, _weightIhT[l], 0f, _states[l].AsSpan(t0 * b * h), h,
            default(NoEpilogue<float>), maxThreads: 1);
        AddBias(l, t0, t1);
    }

    /// <summary>Steps [p0, p1) in processing order (times T−1−p) of layer l: its dS for the block, then δ step by step.
    /// With <see cref="OverlapBackward"/>, dS was formed by the layer above, and this thread then forms the layer
    /// below's dS and adds the layer above's share of ∇W_hh for the block.</summary>
    private void BackwardBlock(int l, int p0, int p1)
    {
        int h = _hidden, b = _batch, stateRows = b * h;
        int first = _steps - p1, count = p1 - p0;   // the block's times [first, first + count)
        float[] delta = _deltas[l], s = _states[l];
        if (l == _layers - 1) _gradient.AsSpan(first * stateRows, count * stateRows).CopyTo(delta.AsSpan(first * stateRows));
        else if (!OverlapBackward) InputGradientBlock(l + 1, first, count);
        fixed (float* ps = s)
            for (int p = p0; p < p1; p++)
            {
                int t = _steps - 1 - p;
                Span<float> dt = delta.AsSpan(t * stateRows, stateRows);
                if (p == 0) Activation.Backward<float>(_f, s.AsSpan(t * stateRows, stateRows), dt, dt);
                else Gemm.Multiply(b, 1f, delta.AsSpan((t + 1) * stateRows, stateRows), h, _weightHh[l], 1f, dt, h,
                    new ActivationGradientEpilogue<float>(_f, ps + t * stateRows, h), maxThreads: 1);
                if (!OverlapBackward || l == 0) Volatile.Write(ref _progress[l * Stride], p + 1);
            }
        if (!OverlapBackward) return;
        if (l > 0)
        {
            InputGradientBlock(l, first, count);
            Volatile.Write(ref _progress[l * Stride], p1);
        }
        if (l < _layers - 1)
        {
            // ∇W_hh^(l+1) += Σ δ_t s_{t−1}ᵀ over the block's times t ≥ 1 (the whole-sequence product's sum, in blocks)
            int from = Math.Max(first, 1), rows = (first + count - from) * b;
            if (rows > 0)
                Gemm.Multiply(true, false, h, h, rows, 1f, _deltas[l + 1].AsSpan(from * stateRows), h, _states[l + 1].AsSpan((from - 1) * stateRows), h,
                    1f, _parameters.Gradient(_network.Layers[l + 1].WeightHh), h, Gemm.BestKernel<float>(), maxThreads: 1);
        }
    }

    /// <summary>dS of layer <paramref name="l"/> − 1 for <paramref name="count"/> steps from time <paramref name="first"/>: Δ^(l)·W_ih^(l).</summary>
    private void InputGradientBlock(int l, int first, int count)
    {
        int stateRows = _batch * _hidden;
        Gemm.Multiply(count * _batch, 1f, _deltas[l].AsSpan(first * stateRows), _hidden, _weightIh[l], 0f, _deltas[l - 1].AsSpan(first * stateRows), _hidden,
            default(NoEpilogue<float>), maxThreads: 1);
    }

    private void AddBias(int l, int t0, int t1)
    {
        float[] s = _states[l];
        for (int r = t0 * _batch; r < t1 * _batch; r++)
        {
            Span<float> row = s.AsSpan(r * _hidden, _hidden);
            TensorPrimitives.Add(row, _bias[l], row);
        }
    }

    /// <summary>The two threads of the wavefront: one hand-off per pass.</summary>
    private sealed class Pair(WavefrontRnn owner) : ComputeThreads.PairedWork
    {
        protected override void Run(int part) => owner.RunThread(part);
    }
}
