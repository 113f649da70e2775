// One output line per input line, in order, whatever the task, so that `paste input output` lines up; a forecaster's
// input is a series rather than lines, and its output a CSV of the K steps after it.
using System.CommandLine;
using System.Globalization;
using Rnn.Data;
using Rnn.Models;
using Rnn.Serialization;
using Rnn.Training;

namespace Rnn.Cli.Commands;

/// <summary><c>rnn predict MODEL INPUT</c>: a class, tags, a forecast or the next tokens for each input.</summary>
public static class PredictCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "A model file written by rnn train." };
        var input = new Argument<string>("input") { Description = "lm: the prefix itself (its last line is continued; \"\" starts a fresh line; unknown tokens are skipped and named on standard error); classify: a file of one text a line; tag: a file of one token a line, a blank line between sequences; forecast: a CSV series." };
        var output = new Option<string?>("--out", "-o") { Description = "Write the predictions to this file instead of standard output." };
        var probs = new Option<bool>("--probs") { Description = "classify: a TSV with a header and every label's probability." };
        var labelled = new Option<bool>("--labelled") { Description = "classify: the input is in the training format (label<TAB>text); the labels are ignored." };
        var all = new Option<bool>("--all") { Description = "forecast: for every window end, the value forecast K steps after it." };
        var topK = CommandLine.PositiveInt("--top-k", "lm: how many of the most probable next tokens to print.", 5);
        var command = new Command("predict", "Predict with a model: one output line per input line, in order (lm: the most probable next tokens after a prefix, one 'token<TAB>probability' a line).") { model, input, output, probs, labelled, all, topK };
        command.SetAction(parse =>
        {
            var checkpoint = CommandSteps.LoadModel(parse.GetValue(model)!);
            RefuseOutsideTask(parse, checkpoint.Task, (probs, ModelTask.Classify), (labelled, ModelTask.Classify), (all, ModelTask.Forecast), (topK, ModelTask.Lm));
            string path = parse.GetValue(input)!;
            var lines = new List<string>();
            switch (checkpoint.Task)
            {
                case ModelTask.Classify:
                    Classify(Classifier.From(checkpoint), path, parse.GetValue(labelled), parse.GetValue(probs), lines);
                    break;
                case ModelTask.Tag:
                    Tag(Tagger.From(checkpoint), path, lines);
                    break;
                case ModelTask.Forecast:
                    Forecast(Forecaster.From(checkpoint), path, parse.GetValue(all), lines);
                    break;
                default:
                    NextTokens(checkpoint, path, parse.GetValue(topK), lines, parse.InvocationConfiguration.Error);
                    break;
            }
            CommandSteps.WriteLines(parse.GetValue(output), lines, parse.InvocationConfiguration.Output);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void RefuseOutsideTask(ParseResult parse, ModelTask task, params (Option Option, ModelTask Task)[] options)
    {
        foreach (var (option, only) in options)
            if (parse.GetResult(option) is { Implicit: false } && only != task)
                throw new UsageException($"{option.Name} is for a {ModelTasks.Name(only)} model; this is a {ModelTasks.Name(task)} model.");
    }

    private static void Classify(Classifier classifier, string path, bool labelled, bool probs, List<string> lines)
    {
        var examples = CommandSteps.ReadData(path, p => ClassificationDataset.ReadPredictionInput(p, labelled));
        var texts = examples.Where(e => e.Text.Length > 0).Select(e => e.Text).ToList();
        var predictions = classifier.Predict(texts);
        if (probs) lines.Add("label\t" + string.Join('\t', classifier.Labels.Labels));
        int next = 0;
        foreach (TextExample example in examples)
        {
            if (example.Text.Length == 0) { lines.Add(""); continue; }
            ClassPrediction p = predictions[next++];
            lines.Add(probs
                ? p.Label + "\t" + string.Join('\t', p.Probabilities.Select(Number))
                : $"{p.Label}\t{Number(p.Probability)}");
        }
    }

    private static void Tag(Tagger tagger, string path, List<string> lines)
    {
        var sequences = CommandSteps.ReadData(path, TaggingDataset.ReadPredictionInput);
        var tags = tagger.Predict(sequences);
        int lineCount = CommandSteps.ReadData(path, TextFile.ReadCorpus).Split('\n').Length;
        var byLine = new Dictionary<int, string>();
        for (int s = 0; s < sequences.Count; s++)
            for (int t = 0; t < sequences[s].Tokens.Count; t++)
                byLine[sequences[s].Line + t] = $"{sequences[s].Tokens[t]}\t{tags[s][t]}";
        int last = byLine.Count == 0 ? 0 : byLine.Keys.Max();
        for (int line = 1; line <= Math.Max(last, lineCount - 1); line++) lines.Add(byLine.GetValueOrDefault(line, ""));
    }

    private static void Forecast(Forecaster forecaster, string path, bool all, List<string> lines)
    {
        var series = CommandSteps.ReadData(path, forecaster.ReadSeries);
        lines.Add($"{series.IndexColumn ?? "row"},{series.TargetColumn}");
        IReadOnlyList<string> next = series.NextIndexLabels();
        int k = series.Horizon;
        if (all)
        {
            var values = forecaster.PredictAll(series);
            for (int w = 0; w < values.Count; w++)
            {
                int row = series.SequenceLength - 1 + w + k;     // the row the forecast is for
                string label = row < series.RowCount ? series.IndexLabels[row] : next.Count > 0 ? next[row - series.RowCount] : "";
                lines.Add($"{label},{Number(values[w])}");
            }
            return;
        }
        var forecast = forecaster.Predict(series);
        for (int j = 0; j < forecast.Count; j++) lines.Add($"{(next.Count > 0 ? next[j] : "")},{Number(forecast[j])}");
    }

    private static void NextTokens(Checkpoint checkpoint, string prefix, int topK, List<string> lines, TextWriter error)
    {
        var vocabulary = checkpoint.Vocabulary;
        var lm = checkpoint.CreateModel<float>();
        int[] ids = CommandSteps.PrefixTokens(vocabulary, prefix, "the prefix", error);
        float[] probabilities = NextToken.Probabilities(lm, ids);
        // Tokens by their names (<unk>, </s> for the end of a sentence), escaped so that each stays one field.
        foreach (int id in NextToken.MostProbable<float>(probabilities, topK))
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{CommandSteps.Visible(vocabulary.Token(id))}\t{probabilities[id]:F4}"));
    }

    private static string Number(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
