// An RNN with an output at every step: the tutorial's o_t = g(V s_t + V' s'_t) with g left to the caller's loss.
// T = steps, B = batch, I = input features, H = hidden, D = directions, O = outputs per step.
//   forward:  Y = RNN(X) [T·B, D·H],  Z = Y·Vᵀ + c [T·B, O]
//   backward: dY = dZ·V, ∇V = dZᵀ·Y, ∇c = Σ dZ, then BPTT through the RNN with dY.
using System.Numerics;
using Rnn.Layers;
using Rnn.Tensors;

namespace Rnn.Models;

/// <summary>
/// A (deep, optionally bidirectional) RNN followed by one linear layer applied at every step, on numeric inputs: the
/// <see cref="ModelTask.Tag"/> configuration of <see cref="SequenceModel{T}"/> with numbers in and the loss left to the caller.
/// </summary>
public sealed class SequenceTagger<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Declares <c>rnn.*</c> and <c>linear.*</c> and initialises them like PyTorch from <paramref name="seed"/>.</summary>
    /// <param name="options">The RNN; it must be time-major (not batch-first).</param>
    /// <param name="outputSize">O.</param>
    public SequenceTagger(RnnOptions options, int outputSize, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.BatchFirst) throw new ArgumentException("The tagger works on time-major [T, B, F] data.", nameof(options));
        Model = new SequenceModel<T>(new ModelConfig { Task = ModelTask.Tag, Network = options, OutputSize = outputSize }, seed);
    }

    /// <summary>The model shape this tagger configures.</summary>
    public SequenceModel<T> Model { get; }

    /// <summary>Every parameter, RNN and read-out.</summary>
    public ParameterSet<T> Parameters => Model.Parameters;

    /// <summary>The recurrent part.</summary>
    public RecurrentNetwork<T> Rnn => Model.Rnn;

    /// <summary>Runs the model from zero initial states; returns Z [T·B, O], valid until the next forward.</summary>
    /// <param name="x">X [T, B, I].</param>
    public ReadOnlySpan<T> Forward(ReadOnlySpan<T> x, int sequenceLength, int batchSize) => Model.Forward(x, sequenceLength, batchSize);

    /// <summary>Back-propagates ∂E/∂Z [T·B, O] of the last forward, accumulating (+=) into <see cref="Parameters"/>' gradients.</summary>
    public void Backward(ReadOnlySpan<T> dOutputs) => Model.Backward(dOutputs);
}
