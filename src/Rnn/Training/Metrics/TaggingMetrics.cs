namespace Rnn.Training;

/// <summary>
/// How well predicted tags match the true ones, token by token and span by span (<see cref="TagSpans"/>), in plain
/// doubles that serialise to JSON as they are.
/// </summary>
/// <param name="Tokens">The number of tokens scored.</param>
/// <param name="TokenAccuracy">The fraction of tokens whose predicted tag is the true one.</param>
/// <param name="PerTag">Token-level scores of every tag that occurs in the truth or the predictions, in ordinal order.</param>
/// <param name="Spans">Span-level scores over all types: a predicted span is correct when a true span has the same
/// start, end and type (conlleval's "overall" line, as fractions rather than percentages).</param>
/// <param name="PerType">Span-level scores of each span type that occurs in the truth or the predictions, in ordinal order.</param>
public sealed record TaggingMetrics(int Tokens, double TokenAccuracy, IReadOnlyList<ClassScore> PerTag, ClassScore Spans, IReadOnlyList<ClassScore> PerType)
{
    /// <summary>Scores <paramref name="predicted"/> against <paramref name="truth"/>, sequence by sequence.</summary>
    /// <exception cref="ArgumentException">The sequence counts differ, a predicted sequence is not as long as its true one, or there are no tokens.</exception>
    public static TaggingMetrics Compute(IReadOnlyList<IReadOnlyList<string>> truth, IReadOnlyList<IReadOnlyList<string>> predicted)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        if (truth.Count != predicted.Count) throw new ArgumentException($"There are {truth.Count} true sequences and {predicted.Count} predicted ones.", nameof(predicted));
        for (int s = 0; s < truth.Count; s++)
            if (truth[s].Count != predicted[s].Count)
                throw new ArgumentException($"Sequence {s} has {truth[s].Count} true tags and {predicted[s].Count} predicted ones.", nameof(predicted));
        string[] trueTags = [.. truth.SelectMany(t => t)], predictedTags = [.. predicted.SelectMany(p => p)];
        if (trueTags.Length == 0) throw new ArgumentException("There are no tokens to score.", nameof(truth));

        var trueSpans = new HashSet<(int Sequence, TagSpan Span)>();
        var predictedSpans = new HashSet<(int Sequence, TagSpan Span)>();
        for (int s = 0; s < truth.Count; s++)
        {
            trueSpans.UnionWith(TagSpans.Find(truth[s]).Select(span => (s, span)));
            predictedSpans.UnionWith(TagSpans.Find(predicted[s]).Select(span => (s, span)));
        }
        var correctSpans = trueSpans.Intersect(predictedSpans).ToList();
        string[] types = [.. trueSpans.Concat(predictedSpans).Select(x => x.Span.Type).Distinct().Order(StringComparer.Ordinal)];
        ClassScore[] perType = [.. types.Select(type => ClassScore.From(type,
            correctSpans.Count(x => x.Span.Type == type), predictedSpans.Count(x => x.Span.Type == type), trueSpans.Count(x => x.Span.Type == type)))];

        // Token-level scores are classification scores over the flattened tokens.
        string[] tags = [.. trueTags.Concat(predictedTags).Distinct().Order(StringComparer.Ordinal)];
        var ids = tags.Select((tag, id) => (tag, id)).ToDictionary(x => x.tag, x => x.id, StringComparer.Ordinal);
        var tokens = ClassificationMetrics.Compute([.. trueTags.Select(t => ids[t])], [.. predictedTags.Select(t => ids[t])], tags);
        return new TaggingMetrics(trueTags.Length, tokens.Accuracy, tokens.PerClass,
            ClassScore.From("overall", correctSpans.Count, predictedSpans.Count, trueSpans.Count), perType);
    }
}
