using System.Text.Json;
using Rnn.Training;

namespace Rnn.Tests.Training;

public sealed class MetricsTests
{
    [Fact]
    public void ClassificationMetrics_HandWorked_AccuracyPerClassMacroAndConfusion()
    {
        // Confusion rows are truth: a → a, b; b → b, b; c → a.
        var metrics = ClassificationMetrics.Compute([0, 0, 1, 1, 2], [0, 1, 1, 1, 0], ["a", "b", "c", "never"]);

        Assert.Equal(0.6, metrics.Accuracy);
        Assert.Equal(ClassScore.From("a", 1, 2, 2), metrics.PerClass[0]);
        Assert.Equal(new ClassScore("a", 0.5, 0.5, 0.5, 2, 2, 1), metrics.PerClass[0]);
        Assert.Equal(2.0 / 3, metrics.PerClass[1].Precision);
        Assert.Equal(1.0, metrics.PerClass[1].Recall);
        Assert.Equal(0.8, metrics.PerClass[1].F1, 15);
        Assert.Equal(new ClassScore("c", 0, 0, 0, 1, 0, 0), metrics.PerClass[2]);
        // "never" neither occurs nor is predicted, so it does not count in the macro mean.
        Assert.Equal((0.5 + metrics.PerClass[1].F1 + 0) / 3, metrics.MacroF1);
        Assert.Equal([[1, 1, 0, 0], [0, 2, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]], metrics.ConfusionMatrix);
    }

    [Fact]
    public void ClassificationMetrics_Serialised_RoundTripsThroughJson()
    {
        var metrics = ClassificationMetrics.Compute([0, 1, 1], [0, 1, 0], ["a", "b"]);

        string json = JsonSerializer.Serialize(metrics);
        var back = JsonSerializer.Deserialize<ClassificationMetrics>(json)!;

        Assert.Equal(metrics.MacroF1, back.MacroF1);
        Assert.Equal(metrics.PerClass, back.PerClass);
    }

    [Fact]
    public void ClassificationMetrics_MismatchedLengthsOrIds_Refused()
    {
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.Compute([0, 1], [0], ["a", "b"]));
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.Compute([0, 2], [0, 1], ["a", "b"]));
    }

    public static TheoryData<string[], (int, int, string)[]> SpanCases => new()
    {
        { ["B-PER", "I-PER", "O", "B-LOC"], [(0, 1, "PER"), (3, 3, "LOC")] },
        { ["I-PER", "I-PER", "O"], [(0, 1, "PER")] },
        { ["B-LOC", "I-LOC", "O", "I-LOC"], [(0, 1, "LOC"), (3, 3, "LOC")] },
        { ["B-PER", "I-LOC", "I-LOC"], [(0, 0, "PER"), (1, 2, "LOC")] },
        { ["B-PER", "B-PER", "I-PER"], [(0, 0, "PER"), (1, 2, "PER")] },
        { ["O", "PER", "PER", "O", "E-X"], [(1, 2, "PER"), (4, 4, "E-X")] },
        { ["O", "O"], [] },
    };

    [Theory]
    [MemberData(nameof(SpanCases))]
    public void TagSpans_ConllevalRules_HandWorkedSpans(string[] tags, (int, int, string)[] expected)
    {
        Assert.Equal(expected.Select(e => new TagSpan(e.Item1, e.Item2, e.Item3)), TagSpans.Find(tags));
    }

    [Fact]
    public void TaggingMetrics_HandWorked_TokenAndSpanScores()
    {
        string[][] truth = [["B-PER", "I-PER", "O", "B-LOC"], ["O", "B-ORG"]];
        string[][] predicted = [["B-PER", "I-LOC", "O", "B-LOC"], ["O", "O"]];

        var metrics = TaggingMetrics.Compute(truth, predicted);

        // True spans PER[0,1], LOC[3,3], ORG[1,1]; predicted PER[0,0], LOC[1,1], LOC[3,3]; only LOC[3,3] matches.
        Assert.Equal(ClassScore.From("overall", correct: 1, predicted: 3, support: 3), metrics.Spans);
        Assert.Equal(1.0 / 3, metrics.Spans.F1, 15);
        Assert.Equal(["LOC", "ORG", "PER"], metrics.PerType.Select(t => t.Label));
        Assert.Equal(ClassScore.From("LOC", 1, 2, 1), metrics.PerType[0]);
        Assert.Equal(2.0 / 3, metrics.PerType[0].F1, 15);
        Assert.Equal(6, metrics.Tokens);
        Assert.Equal(4.0 / 6, metrics.TokenAccuracy);
        Assert.Equal(["B-LOC", "B-ORG", "B-PER", "I-LOC", "I-PER", "O"], metrics.PerTag.Select(t => t.Label));
        Assert.Equal(ClassScore.From("O", 2, 3, 2), metrics.PerTag[5]);
    }

    [Fact]
    public void TaggingMetrics_SequenceLengthsDiffer_Refused()
    {
        var e = Assert.Throws<ArgumentException>(() => TaggingMetrics.Compute([["O", "O"]], [["O"]]));

        Assert.Contains("Sequence 0", e.Message);
    }

    [Fact]
    public void ForecastMetrics_HandWorked_MaeRmseMaseAndNaiveBaselines()
    {
        // Training rows 1, 3, 2, 5: one-step naive MAE (2 + 1 + 3) / 3 = 2.
        double[] series = [1, 3, 2, 5, 4, 6];

        var metrics = ForecastMetrics.Compute(series, [4, 5], [4, 3], horizon: 1, trainingRows: 4, season: 3);

        Assert.Equal(2, metrics.Scale);
        Assert.Equal(1.5, metrics.Mae);
        Assert.Equal(Math.Sqrt(4.5), metrics.Rmse);
        Assert.Equal(0.75, metrics.Mase);
        Assert.Equal(1.5, metrics.NaiveMae); // |4 − 5|, |6 − 4|
        Assert.Equal(2.5, metrics.SeasonalNaiveMae); // |4 − 3|, |6 − 2|
    }

    [Fact]
    public void ForecastMetrics_HorizonAboveSeason_SeasonalLagIsWholeSeasons()
    {
        double[] series = [0, 10, 20, 30, 40, 50, 60];

        // K = 3, s = 2: the lag is 2·⌈3/2⌉ = 4; the naive lag is K = 3.
        var metrics = ForecastMetrics.Compute(series, [6], [60], horizon: 3, trainingRows: 4, season: 2);

        Assert.Equal(30, metrics.NaiveMae);
        Assert.Equal(40, metrics.SeasonalNaiveMae);
        Assert.Equal(0, metrics.Mase);
    }

    [Fact]
    public void ForecastMetrics_FlatTrainingOrShortHistory_UndefinedValuesAreNull()
    {
        var metrics = ForecastMetrics.Compute([2, 2, 2, 5], [3], [4], horizon: 1, trainingRows: 3, season: 12);

        Assert.Null(metrics.Mase);
        Assert.Null(metrics.SeasonalNaiveMae);
        Assert.Contains("\"Mase\":null", JsonSerializer.Serialize(metrics));
    }

    [Fact]
    public void ForecastMetrics_NonFinitePredictionOrRowBeforeHorizon_Refused()
    {
        Assert.Throws<ArgumentException>(() => ForecastMetrics.Compute([1, 2, 3], [2], [double.NaN], 1, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => ForecastMetrics.Compute([1, 2, 3], [1], [1], 2, 2));
    }
}
