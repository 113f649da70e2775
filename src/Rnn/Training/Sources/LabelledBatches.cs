// Classification and tagging batches: each epoch the examples are shuffled by a seed derived from the run's seed and the
// epoch, bucketed by length (LabelledBatcher), and the batches shuffled; so batch `position` is a pure function of the
// seed and the position, which is what makes a resumed run continue bit for bit.
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Rnn.Data;
using Rnn.Models;

namespace Rnn.Training;

/// <summary>Shuffled, length-bucketed batches of labelled token sequences, with optional class weights.</summary>
public sealed class LabelledBatches<T> : ShuffledBatches<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly LabelledExamples _train;
    private readonly LabelledExamples? _validation;
    private readonly IReadOnlyList<string> _labels;
    private readonly LabelledBatcher _batcher;
    private readonly double[]? _classWeights;
    private IReadOnlyList<LabelledBatch> _epochBatches = [];
    private readonly long _steps;

    /// <summary>Batches of <paramref name="train"/>; <paramref name="validation"/> (or null) is scored at validation points.</summary>
    /// <param name="labels">The names of the class or tag ids, for the metrics.</param>
    /// <param name="classWeights">[C]: a loss weight per class (classification only), or null for 1.</param>
    public LabelledBatches(LabelledExamples train, LabelledExamples? validation, IReadOnlyList<string> labels, int batchSize, ulong seed, double[]? classWeights = null)
        : base(seed)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(labels);
        if (classWeights is not null && train.Classes is null) throw new ArgumentException("Class weights apply to classification only.", nameof(classWeights));
        if (classWeights is not null && classWeights.Length != labels.Count)
            throw new ArgumentException($"There are {classWeights.Length} class weights for {labels.Count} classes.", nameof(classWeights));
        _train = train;
        _validation = validation is { Count: > 0 } ? validation : null;
        _labels = labels;
        _batcher = new LabelledBatcher(train.Sequences, batchSize);
        _classWeights = classWeights;
        BatchSize = batchSize;
        _steps = train.Sequences.Sum(s => (long)s.Length);
        DataHash = Hash(train, _validation);
    }

    /// <summary>B.</summary>
    public int BatchSize { get; }

    /// <inheritdoc/>
    public override int BatchesPerEpoch => _batcher.BatchCount;

    /// <inheritdoc/>
    public override long StepsPerBatch => Math.Max(1, _steps / BatchesPerEpoch);

    /// <inheritdoc/>
    public override string DataHash { get; }

    /// <inheritdoc/>
    protected override void StartEpoch(ulong seed) => _epochBatches = _batcher.Shuffled(seed);

    /// <inheritdoc/>
    protected override double TrainBatch(SequenceModel<T> model, int index)
    {
        LabelledBatch batch = _epochBatches[index];
        model.Forward(batch.Tokens, batch.SequenceLength, batch.BatchSize, batch.Lengths);
        double loss = model.CrossEntropy(Targets(_train, batch), RowWeights(batch));
        model.Backward();
        return loss;
    }

    /// <inheritdoc/>
    public override ValidationScore? Validate(SequenceModel<T> model)
    {
        if (_validation is null) return null;
        double[][] probabilities = LabelledInference.Probabilities(model, _validation.Sequences, BatchSize);
        return _validation.Classes is { } classes
            ? ScoreClasses(probabilities, classes)
            : ScoreTags(probabilities, _validation.Tags!);
    }

    private ValidationScore ScoreClasses(double[][] probabilities, IReadOnlyList<int> classes)
    {
        double loss = 0;
        int[] predicted = new int[classes.Count];
        for (int i = 0; i < classes.Count; i++)
        {
            loss -= Math.Log(Math.Max(probabilities[i][classes[i]], double.Epsilon));
            predicted[i] = LabelledInference.ArgMax(probabilities[i]);
        }
        var metrics = ClassificationMetrics.Compute(classes, predicted, _labels);
        return new ValidationScore(loss / classes.Count, metrics.Accuracy, metrics.MacroF1);
    }

    private ValidationScore ScoreTags(double[][] probabilities, IReadOnlyList<int[]> tags)
    {
        int o = _labels.Count;
        double loss = 0;
        long tokens = 0;
        var truth = new List<IReadOnlyList<string>>(tags.Count);
        var predicted = new List<IReadOnlyList<string>>(tags.Count);
        for (int i = 0; i < tags.Count; i++)
        {
            var guess = new string[tags[i].Length];
            for (int t = 0; t < tags[i].Length; t++)
            {
                ReadOnlySpan<double> p = probabilities[i].AsSpan(t * o, o);
                loss -= Math.Log(Math.Max(p[tags[i][t]], double.Epsilon));
                guess[t] = _labels[LabelledInference.ArgMax(p)];
            }
            tokens += tags[i].Length;
            truth.Add([.. tags[i].Select(id => _labels[id])]);
            predicted.Add(guess);
        }
        var metrics = TaggingMetrics.Compute(truth, predicted);
        return new ValidationScore(loss / tokens, metrics.TokenAccuracy, metrics.Spans.F1);
    }

    private static int[] Targets(LabelledExamples examples, LabelledBatch batch) =>
        examples.Classes is { } classes ? batch.GatherLabels(classes) : batch.GatherSteps(examples.Tags!, padding: -1);

    private T[]? RowWeights(LabelledBatch batch)
    {
        if (_classWeights is null) return null;
        return [.. batch.GatherLabels(_train.Classes!).Select(c => T.CreateChecked(_classWeights[c]))];
    }

    private static string Hash(LabelledExamples train, LabelledExamples? validation)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (LabelledExamples part in validation is null ? [train] : new[] { train, validation })
            for (int i = 0; i < part.Count; i++)
            {
                sha.AppendData(MemoryMarshal.AsBytes(part.Sequences[i].AsSpan()));
                if (part.Classes is { } classes) sha.AppendData(BitConverter.GetBytes(classes[i]));
                else sha.AppendData(MemoryMarshal.AsBytes(part.Tags![i].AsSpan()));
                sha.AppendData(BitConverter.GetBytes(-1));
            }
        return Convert.ToHexString(sha.GetHashAndReset());
    }
}
