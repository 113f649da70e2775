// A language model's batches: the training tokens cut into B streams read in T-step chunks, the state carried from
// chunk to chunk (truncated BPTT) and reset at each epoch, so stream ends never continue into stream starts.
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Rnn.Data;
using Rnn.Models;

namespace Rnn.Training;

/// <summary>Truncated-BPTT chunks of a token sequence for a <see cref="LanguageModel{T}"/>.</summary>
public sealed class TextStreams<T> : IBatchSource<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly LanguageModel<T> _model;
    private readonly BatchStreams _streams;
    private readonly int[] _validation;
    private readonly T[] _carriedState;         // [L, B, H] (LSTM: h then c)
    private readonly int[] _inputs, _targets;   // [T, B]
    private readonly int _sequenceLength, _batchSize;

    /// <summary>Streams over <paramref name="train"/>; <paramref name="validation"/> is scored by <see cref="Evaluation"/>.</summary>
    public TextStreams(LanguageModel<T> model, int[] train, int[] validation, int batchSize, int sequenceLength)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _validation = validation;
        _sequenceLength = sequenceLength;
        _batchSize = batchSize;
        _streams = new BatchStreams(train, batchSize, sequenceLength);
        _carriedState = new T[model.StateSize(batchSize)];
        _inputs = new int[sequenceLength * batchSize];
        _targets = new int[_inputs.Length];
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(MemoryMarshal.AsBytes(train.AsSpan()));
        sha.AppendData(MemoryMarshal.AsBytes(validation.AsSpan()));
        DataHash = Convert.ToHexString(sha.GetHashAndReset());
    }

    /// <inheritdoc/>
    public int BatchesPerEpoch => _streams.ChunksPerEpoch;

    /// <inheritdoc/>
    public long StepsPerBatch => (long)_sequenceLength * _batchSize;

    /// <inheritdoc/>
    public string DataHash { get; }

    /// <inheritdoc/>
    public Span<T> CarriedState => _carriedState;

    /// <inheritdoc/>
    public double TrainStep(SequenceModel<T> model, long position)
    {
        int chunk = (int)(position % _streams.ChunksPerEpoch);
        if (chunk == 0) Array.Clear(_carriedState);
        _streams.Fill(chunk, _inputs, _targets);
        return _model.TrainStep(_inputs, _targets, _sequenceLength, _batchSize, _carriedState);
    }

    /// <inheritdoc/>
    public void ResetCarriedState() => Array.Clear(_carriedState);

    /// <inheritdoc/>
    public ValidationScore? Validate(SequenceModel<T> model) =>
        _validation.Length >= 2 ? new ValidationScore(Evaluation.Evaluate(_model, _validation, _batchSize, _sequenceLength).Loss) : null;
}
