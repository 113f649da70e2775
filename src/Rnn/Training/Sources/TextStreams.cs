// A language model's batches: the training tokens cut into B streams read in T-step chunks, the state carried from
// chunk to chunk (truncated BPTT) and reset at each epoch, so stream ends never continue into stream starts.
// Validation reads the held-out tokens whole when they are few, else a fixed sample of them (HeldOutSample), so a
// validation costs the same on a text of a megabyte and of a gigabyte.
using System.Numerics;
using System.Security.Cryptography;
using Rnn.Data;
using Rnn.Models;

namespace Rnn.Training;

/// <summary>Truncated-BPTT chunks of a token sequence for a <see cref="LanguageModel{T}"/>.</summary>
public sealed class TextStreams<T> : IBatchSource<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly LanguageModel<T> _model;
    private readonly BatchStreams _streams;
    private readonly TokenIds _validation;
    private readonly T[] _carriedState;         // [L, B, H] (LSTM: h then c)
    private readonly int[] _inputs, _targets;   // [T, B]
    private readonly int _sequenceLength, _batchSize;

    /// <summary>Streams over <paramref name="train"/>; <paramref name="validation"/> is scored whole by <see cref="Evaluation"/>.</summary>
    public TextStreams(LanguageModel<T> model, int[] train, int[] validation, int batchSize, int sequenceLength)
        : this(model, TokenIds.Wrap(train ?? throw new ArgumentNullException(nameof(train))),
            TokenIds.Wrap(validation ?? throw new ArgumentNullException(nameof(validation))), batchSize, sequenceLength, validationTokens: 0)
    {
    }

    /// <summary>
    /// Streams over <paramref name="train"/> in compact storage; validation scores <paramref name="validation"/> whole
    /// when it has at most <paramref name="validationTokens"/> predictions (or <paramref name="validationTokens"/> is
    /// 0), else the fixed <see cref="HeldOutSample"/> of about that many.
    /// </summary>
    public TextStreams(LanguageModel<T> model, TokenIds train, TokenIds validation, int batchSize, int sequenceLength, int validationTokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        _model = model;
        _validation = validation;
        _sequenceLength = sequenceLength;
        _batchSize = batchSize;
        _streams = new BatchStreams(train, batchSize, sequenceLength);
        Sample = HeldOutSample.Choose(validation.Count, validationTokens, batchSize, sequenceLength);
        _carriedState = new T[model.StateSize(batchSize)];
        _inputs = new int[sequenceLength * batchSize];
        _targets = new int[_inputs.Length];
        // The hash of the ids as 32-bit integers, whatever their storage: files written before compact storage resume.
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        train.ForEachInt32Block(sha.AppendData);
        validation.ForEachInt32Block(sha.AppendData);
        DataHash = Convert.ToHexString(sha.GetHashAndReset());
    }

    /// <summary>The part of the held-out tokens validation reads, or null when it reads them all.</summary>
    public HeldOutSample? Sample { get; }

    /// <summary>How many predictions a validation makes: the sample's, or those of the whole held-out part.</summary>
    public long ValidationPredictions => Sample?.Predictions ?? Math.Max(0, _validation.Count - 1);

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
    public ValidationScore? Validate(SequenceModel<T> model)
    {
        if (_validation.Count < 2) return null;
        var result = Sample is { } sample
            ? Evaluation.EvaluateWindows(_model, _validation, sample.Starts, sample.WindowLength, _sequenceLength)
            : Evaluation.Evaluate(_model, _validation, _batchSize, _sequenceLength);
        return new ValidationScore(result.Loss);
    }

    /// <summary>
    /// The loss of the whole held-out part, however much validation reads (null without one), read as
    /// <paramref name="streams"/> streams (default: the batch size, as validation reads a part it reads whole).
    /// </summary>
    /// <param name="cancellation">Stops the measurement between chunks with <see cref="OperationCanceledException"/>.</param>
    public EvaluationResult? EvaluateAllHeldOut(int streams = 0, CancellationToken cancellation = default) =>
        _validation.Count >= 2 ? Evaluation.Evaluate(_model, _validation, streams > 0 ? streams : _batchSize, _sequenceLength, cancellation) : null;
}
