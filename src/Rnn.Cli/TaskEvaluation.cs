// `rnn eval` for the supervised tasks: the model's predictions on labelled data scored by Training/Metrics, printed as
// text or as one JSON object with every figure at full precision (snake_case keys, as the model file's).
using System.Globalization;
using System.Text.Json;
using Rnn.Data;
using Rnn.Serialization;
using Rnn.Training;

namespace Rnn.Cli;

/// <summary>Evaluates classifiers, taggers and forecasters on labelled data.</summary>
public static class TaskEvaluation
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Accuracy, macro-F1, per-class scores and the confusion matrix of a classifier on <paramref name="path"/> (training format).</summary>
    public static void Classify(Checkpoint checkpoint, string path, bool json, string? plot, TextWriter output)
    {
        var classifier = Classifier.From(checkpoint);
        var data = CommandSteps.ReadData(path, p => ClassificationDataset.Read(p, classifier.Labels));
        int[] truth = classifier.ClassIds(data.Examples);
        int[] predicted = [.. classifier.Predict([.. data.Examples.Select(e => e.Text)]).Select(p => p.Id)];
        var metrics = ClassificationMetrics.Compute(truth, predicted, classifier.Labels.Labels);
        if (plot is not null) TaskPlots.ConfusionMatrix(plot, metrics.ConfusionMatrix, classifier.Labels.Labels, $"{Path.GetFileName(path)}: confusion matrix");
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new { task = "classify", labels = classifier.Labels.Labels, metrics }, Json));
            return;
        }
        output.WriteLine(F($"examples    {metrics.Count}"));
        output.WriteLine(F($"accuracy    {metrics.Accuracy:F4}"));
        output.WriteLine(F($"macro-F1    {metrics.MacroF1:F4}"));
        WriteScores(output, "class", metrics.PerClass);
        output.WriteLine("confusion (rows: true, columns: predicted)");
        output.WriteLine("\t" + string.Join('\t', classifier.Labels.Labels));
        for (int t = 0; t < metrics.ConfusionMatrix.Length; t++)
            output.WriteLine(classifier.Labels[t] + "\t" + string.Join('\t', metrics.ConfusionMatrix[t]));
    }

    /// <summary>Token accuracy, per-tag scores and conlleval span scores of a tagger on <paramref name="path"/> (training format).</summary>
    public static void Tag(Checkpoint checkpoint, string path, bool json, TextWriter output)
    {
        var tagger = Tagger.From(checkpoint);
        var data = CommandSteps.ReadData(path, p => TaggingDataset.Read(p, tagger.Tags));
        var predicted = tagger.Predict(data.Sequences);
        var metrics = TaggingMetrics.Compute([.. data.Sequences.Select(s => s.Tags!)], predicted);
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new { task = "tag", metrics }, Json));
            return;
        }
        output.WriteLine(F($"tokens          {metrics.Tokens}"));
        output.WriteLine(F($"token accuracy  {metrics.TokenAccuracy:F4}"));
        output.WriteLine(F($"span P/R/F1     {metrics.Spans.Precision:F4} {metrics.Spans.Recall:F4} {metrics.Spans.F1:F4} (conlleval, {metrics.Spans.Support} spans)"));
        WriteScores(output, "tag", metrics.PerTag);
        if (metrics.PerType.Count > 0) WriteScores(output, "span type", metrics.PerType);
    }

    /// <summary>MAE, RMSE, MASE and the naive baselines of a forecaster over every window of the series at <paramref name="path"/>.</summary>
    public static void Forecast(Checkpoint checkpoint, string path, int? season, bool json, string? plot, TextWriter output)
    {
        var forecaster = Forecaster.From(checkpoint);
        var series = CommandSteps.ReadData(path, p => ForecastDataset.Read(p, forecaster.Layout));
        int k = series.Horizon, windows = series.WindowCount;
        int[] rows = [.. Enumerable.Range(series.SequenceLength - 1 + k, windows)];
        double[] forecasts = [.. forecaster.PredictAll(series).Take(windows)];
        if (series.RowCount < 2) throw new UsageException($"{path} has fewer than 2 rows: nothing to score against.");
        // The MASE scale is the training part's one-step naive error, stored with the model; a model file made before it
        // was stored falls back on the series being scored, and says so.
        double? trained = forecaster.Scaling.TargetNaiveMae;
        string scaleSource = trained is null ? "scored" : "training";
        var metrics = ForecastMetrics.ComputeWithScale(series.Target, rows, forecasts, k,
            trained ?? FeatureScaling.OneStepNaiveMae(series.Target), season);
        if (plot is not null) TaskPlots.Forecast(plot, series.Target, rows, forecasts, $"{Path.GetFileName(path)}: forecast {k} ahead", series.TargetColumn);
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new { task = "forecast", horizon = k, metrics, mase_scale = scaleSource }, Json));
            return;
        }
        output.WriteLine(F($"forecasts            {metrics.Count} ({k} step{(k == 1 ? "" : "s")} ahead)"));
        output.WriteLine(F($"MAE                  {metrics.Mae:G6}"));
        output.WriteLine(F($"RMSE                 {metrics.Rmse:G6}"));
        output.WriteLine(metrics.Mase is double mase
            ? F($"MASE                 {mase:F4} (MAE / {metrics.Scale:G6}, the one-step naive MAE of {(trained is null ? "the series scored: the model file predates the training part's" : "the training part")})")
            : "MASE                 - (the scaling series is constant)");
        output.WriteLine(F($"naive MAE            {metrics.NaiveMae:G6}"));
        if (metrics.SeasonalNaiveMae is double s) output.WriteLine(F($"seasonal naive MAE   {s:G6} (season {season})"));
    }

    private static void WriteScores(TextWriter output, string what, IReadOnlyList<ClassScore> scores)
    {
        output.WriteLine($"{what}\tprecision\trecall\tF1\tsupport");
        foreach (ClassScore score in scores)
            output.WriteLine(F($"{score.Label}\t{score.Precision:F4}\t{score.Recall:F4}\t{score.F1:F4}\t{score.Support}"));
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
