// An RNN with an output at every step: the tutorial's o_t = g(V s_t + V' s'_t) with g left to the loss.
// T = steps, B = batch, I = input features, H = hidden, D = directions, O = outputs per step.
//   forward:  Y = RNN(X) [T·B, D·H],  Z = Y·Vᵀ + c [T·B, O]
//   backward: dY = dZ·V, ∇V = dZᵀ·Y, ∇c = Σ dZ, then BPTT through the RNN with dY.
using System.Numerics;
using Rnn.Layers;
using Rnn.Tensors;

namespace Rnn.Models;

/// <summary>A (deep, optionally bidirectional) RNN followed by one linear layer applied at every step.</summary>
public sealed class SequenceTagger<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private T[] _rnnOutputs = [];     // Y [T·B, D·H]
    private T[] _scores = [];    // Z [T·B, O]
    private T[] _dRnnOutputs = [];    // ∂E/∂Y [T·B, D·H]
    private int _rows;

    /// <summary>Declares <c>rnn.*</c> and <c>linear.*</c> and initialises them like PyTorch from <paramref name="seed"/>.</summary>
    /// <param name="options">The RNN; it must be time-major (not batch-first).</param>
    /// <param name="outputSize">O.</param>
    public SequenceTagger(RnnOptions options, int outputSize, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.BatchFirst) throw new ArgumentException("The tagger works on time-major [T, B, F] data.", nameof(options));
        Parameters = new ParameterSet<T>();
        Rnn = new RecurrentNetwork<T>(options, Parameters, "rnn.", seed);
        Output = new Linear<T>(Parameters, options.OutputSize, outputSize, namePrefix: "linear.");
        Output.ResetParameters(new SeededRandom(seed ^ 0xA0761D6478BD642FUL));
    }

    /// <summary>Every parameter, RNN and read-out.</summary>
    public ParameterSet<T> Parameters { get; }

    /// <summary>The recurrent part.</summary>
    public RecurrentNetwork<T> Rnn { get; }

    /// <summary>The read-out V (with bias c).</summary>
    public Linear<T> Output { get; }

    /// <summary>Runs the model from zero initial states; returns Z [T·B, O], valid until the next forward.</summary>
    /// <param name="x">X [T, B, I].</param>
    public ReadOnlySpan<T> Forward(ReadOnlySpan<T> x, int sequenceLength, int batchSize)
    {
        _rows = sequenceLength * batchSize;
        Workspace.EnsureLength(ref _rnnOutputs, _rows * Rnn.Options.OutputSize);
        Workspace.EnsureLength(ref _scores, _rows * Output.OutputSize);
        Span<T> y = _rnnOutputs.AsSpan(0, _rows * Rnn.Options.OutputSize);
        Rnn.Forward(x, sequenceLength, batchSize, h0: default, y, hN: default);
        Span<T> z = _scores.AsSpan(0, _rows * Output.OutputSize);
        Output.Forward(y, _rows, z);
        return z;
    }

    /// <summary>Back-propagates ∂E/∂Z [T·B, O] of the last forward, accumulating (+=) into <see cref="Parameters"/>' gradients.</summary>
    public void Backward(ReadOnlySpan<T> dOutputs)
    {
        Workspace.EnsureLength(ref _dRnnOutputs, _rows * Rnn.Options.OutputSize);
        Span<T> dy = _dRnnOutputs.AsSpan(0, _rows * Rnn.Options.OutputSize);
        dy.Clear();
        Output.Backward(_rnnOutputs.AsSpan(0, dy.Length), dOutputs, _rows, dy);
        Rnn.Backward(dy, dhN: default, dx: default, dh0: default);
    }
}
