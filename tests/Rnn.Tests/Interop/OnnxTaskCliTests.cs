using System.Globalization;
using Microsoft.ML.OnnxRuntime.Tensors;
using Rnn.Data;
using Rnn.Interop.Onnx;
using Rnn.Serialization;
using Rnn.Training;
using Rnn.Tests.Cli;
using Xunit.Abstractions;

namespace Rnn.Tests.Interop;

/// <summary>
/// <c>rnn train</c> on the small files of tests/data, <c>rnn export --onnx</c>, and ONNX Runtime on a padded batch of
/// the prediction input against <c>rnn predict</c>'s output, for each task.
/// </summary>
public sealed class OnnxTaskCliTests(ITestOutputHelper log) : IDisposable
{
    private static readonly string Data = Path.Combine(AppContext.BaseDirectory, "data");
    private readonly string _folder = Directory.CreateTempSubdirectory("rnn-onnx-tasks-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private (string Model, string Onnx) TrainAndExport(string data, params string[] options)
    {
        string model = Path.Combine(_folder, "model.safetensors"), onnx = Path.Combine(_folder, "model.onnx");
        var (code, _, error) = CliRunner.Run(["train", Path.Combine(Data, data), .. options, "--threads", "1", "--seed", "2", "--out", model]);
        Assert.True(code == 0, error);
        (code, string output, error) = CliRunner.Run("export", model, "--onnx", onnx);
        Assert.True(code == 0, error);
        Assert.Contains("ONNX opset 14", output);
        return (model, onnx);
    }

    private string[] Predict(params string[] args)
    {
        var (code, output, error) = CliRunner.Run(["predict", .. args]);
        Assert.True(code == 0, error);
        return output.TrimEnd('\n').Split('\n');
    }

    [Fact]
    public void Classify_OnnxRuntimeProbabilities_AreRnnPredicts()
    {
        var (model, onnx) = TrainAndExport("reviews.tsv", "--task", "classify", "--tokens", "word", "--cell", "lstm", "--bidirectional",
            "--head", "final", "--hidden", "8", "--embedding", "6", "--batch", "8", "--steps", "40");
        string[] texts = ["a superb film with good music", "", "bad", "the plot was long and the acting was quite poor but the ending was wonderful", "unseen words here"];
        string input = Path.Combine(_folder, "texts.txt");
        File.WriteAllLines(input, texts);
        string[] lines = Predict(model, input, "--probs");

        var checkpoint = Checkpoint.Load(model);
        int[][] ids = [.. texts.Where(t => t.Length > 0).Select(t => TextEncoding.Encode(checkpoint.Vocabulary, t))];
        using var session = OnnxTaskExportTests.Session(File.ReadAllBytes(onnx));
        Assert.Equal("classify", session.ModelMetadata.CustomMetadataMap[OnnxExporter.TaskKey]);
        Assert.Equal(checkpoint.Contents.Labels!.ToJson(), session.ModelMetadata.CustomMetadataMap[OnnxExporter.LabelsKey]);
        var (tokens, lengths, steps) = Pad(ids);
        float[] probabilities = OnnxTaskExportTests.Run(session, "tokens", new DenseTensor<long>(tokens, [steps, ids.Length]), lengths)["probabilities"];

        // the header, then one line per text, a blank text a blank line: label, then every class's probability
        int c = checkpoint.Contents.Labels.Count;
        Assert.Equal("label\t" + string.Join('\t', checkpoint.Contents.Labels.Labels), lines[0]);
        double worst = 0;
        for (int line = 1, s = 0; line < lines.Length; line++)
        {
            if (texts[line - 1].Length == 0) { Assert.Equal("", lines[line]); continue; }
            double[] printed = [.. lines[line].Split('\t').Skip(1).Select(Parse)];
            for (int k = 0; k < c; k++) worst = Math.Max(worst, Math.Abs(printed[k] - probabilities[s * c + k]));
            int best = Enumerable.Range(0, c).MaxBy(k => probabilities[s * c + k]);
            Assert.Equal(checkpoint.Contents.Labels[best], lines[line].Split('\t')[0]);
            s++;
        }
        log.WriteLine($"classify: rnn predict --probs (6 decimals) against ONNX Runtime: max abs difference {worst:E2}");
        Assert.True(worst <= 1e-6, $"max abs difference {worst}");
    }

    [Fact]
    public void Tag_OnnxRuntimeTags_AreRnnPredicts()
    {
        var (model, onnx) = TrainAndExport("names.tags", "--task", "tag", "--cell", "gru", "--bidirectional", "--layers", "2",
            "--hidden", "8", "--embedding", "6", "--batch", "8", "--steps", "40");
        string input = Path.Combine(Data, "names.tags");     // the training format: its tag column is ignored
        string[] lines = Predict(model, input);

        var tagger = Tagger.Load(model);
        var sequences = TaggingDataset.ReadPredictionInput(input);
        int[][] ids = [.. sequences.Select(s => TaggingDataset.Encode(tagger.Vocabulary, s))];
        using var session = OnnxTaskExportTests.Session(File.ReadAllBytes(onnx));
        var (tokens, lengths, steps) = Pad(ids);
        float[] probabilities = OnnxTaskExportTests.Run(session, "tokens", new DenseTensor<long>(tokens, [steps, ids.Length]), lengths)["probabilities"];

        int c = tagger.Tags.Count, b = ids.Length, tagged = 0;
        double[][] library = LabelledInference.Probabilities(tagger.Model, ids);
        double worst = 0;
        for (int s = 0; s < b; s++)
            for (int t = 0; t < lengths[s]; t++)
            {
                var row = probabilities.AsSpan((t * b + s) * c, c);
                for (int k = 0; k < c; k++) worst = Math.Max(worst, Math.Abs(row[k] - library[s][t * c + k]));
                int best = 0;
                for (int k = 1; k < c; k++) if (row[k] > row[best]) best = k;
                // rnn predict writes `token<TAB>tag` on the token's own line
                Assert.Equal($"{sequences[s].Tokens[t]}\t{tagger.Tags[best]}", lines[sequences[s].Line + t - 1]);
                tagged++;
            }
        log.WriteLine($"tag: {tagged} tokens in {b} sequences, the tags of rnn predict; probabilities against the library's: max abs difference {worst:E2}");
        Assert.True(worst <= 1e-6, $"max abs difference {worst}");
    }

    [Fact]
    public void Forecast_OnnxRuntimeForecasts_AreRnnPredicts_InTheTargetsUnits()
    {
        var (model, onnx) = TrainAndExport("visitors.csv", "--task", "forecast", "--cell", "lstm", "--head", "mean", "--hidden", "8",
            "--seq", "12", "--horizon", "3", "--batch", "8", "--steps", "40");
        string input = Path.Combine(Data, "visitors.csv");
        string[] all = Predict(model, input, "--all");
        string[] next = Predict(model, input);

        var forecaster = Forecaster.Load(model);
        var series = forecaster.ReadSeries(input);
        int t = series.SequenceLength, k = series.Horizon, windows = series.RowCount - t + 1;
        // every window of raw values [T, windows, 1], as a user feeds them: the graph scales them
        var raw = new float[t * windows];
        for (int w = 0; w < windows; w++)
            for (int s = 0; s < t; s++) raw[s * windows + w] = (float)series.Inputs[w + s];
        using var session = OnnxTaskExportTests.Session(File.ReadAllBytes(onnx));
        var metadata = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal(forecaster.Scaling.ToJson(), metadata[OnnxExporter.ScalingKey]);
        Assert.Contains("\"horizon\":3", metadata[OnnxExporter.ForecastKey]);
        float[] forecast = OnnxTaskExportTests.Run(session, "features", new DenseTensor<float>(raw, [t, windows, 1]), lengths: null)["forecast"];

        // --all: a header, then the value K steps after each window's end; plain: the K values after the last row
        Assert.Equal(windows + 1, all.Length);
        double[] printedAll = [.. all.Skip(1).Select(line => Parse(line.Split(',')[1]))];
        double[] printedNext = [.. next.Skip(1).Select(line => Parse(line.Split(',')[1]))];
        double[] onnxAll = [.. Enumerable.Range(0, windows).Select(w => (double)forecast[w * k + k - 1])];
        double[] onnxNext = [.. forecast.AsSpan((windows - 1) * k, k).ToArray().Select(v => (double)v)];
        double errorAll = InteropAssert.Close<double, double>(onnxAll, printedAll, 1e-6, "--all");
        double errorNext = InteropAssert.Close<double, double>(onnxNext, printedNext, 1e-6, "next K");
        log.WriteLine($"forecast: {windows} windows, relative {errorAll:E2} (max abs {onnxAll.Zip(printedAll, (a, e) => Math.Abs(a - e)).Max():E2} " +
            $"on values up to {printedAll.Max():F1}); the next {k}: relative {errorNext:E2}");
    }

    // Time-major [T, B] ids, each sequence padded with id 0 to the longest.
    private static (long[] Tokens, int[] Lengths, int Steps) Pad(int[][] sequences)
    {
        int steps = sequences.Max(s => s.Length), b = sequences.Length;
        var tokens = new long[steps * b];
        for (int s = 0; s < b; s++)
            for (int t = 0; t < sequences[s].Length; t++) tokens[t * b + s] = sequences[s][t];
        return (tokens, [.. sequences.Select(s => s.Length)], steps);
    }

    private static double Parse(string number) => double.Parse(number, CultureInfo.InvariantCulture);
}
