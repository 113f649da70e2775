using CsCheck;
using Rnn.Data;
using Rnn.Tests.Reliability;

namespace Rnn.Tests.Data;

/// <summary>
/// Random mutations of valid data files: every reader either returns data its users can work through or refuses with
/// an <see cref="InvalidDataException"/> or <see cref="ArgumentException"/>; never another exception, never a hang.
/// </summary>
public sealed class DatasetFuzzTests
{
    private const int Cases = 1_500;

    /// <summary>A case that has not finished in this time is taken to hang (the largest input is a few hundred chars).</summary>
    private static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(10);

    /// <summary>Pieces that matter to the formats: separators, quotes, missing-value words, numbers, dates, unusual text.</summary>
    private static readonly string[] Pieces =
        ["\t", "\n", "\n\n", ",", "\"", "\"\"", " ", "NA", "nan", "null", "", "-", "1e999", "0", "3.5", "-2", "2020-01", "2021Q3",
         "B-PER", "I-LOC", "O", "é", "我", "🙂", "\r", "\uFFFD", "x,y\n", "label"];

    private static Gen<string> Mutations(string valid) => Fuzz.Mutations(valid, Pieces, maxEdits: 6);

    /// <summary>Runs <paramref name="read"/> on every mutation; true when it returned, false when it refused as documented.</summary>
    private static void AssertOnlyDocumentedRefusals(string valid, ulong seed, Action<string> read)
    {
        var (accepted, rejected) = Fuzz.Run(Mutations(valid), Cases, seed, text =>
        {
            var run = Task.Run(() =>
            {
                try
                {
                    read(text);
                    return true;
                }
                catch (Exception e) when (e is InvalidDataException or ArgumentException)
                {
                    Assert.False(string.IsNullOrWhiteSpace(e.Message));
                    return false;
                }
            });
            if (!run.Wait(CaseLimit)) throw new TimeoutException($"The reader did not finish within {CaseLimit}.");
            return run.GetAwaiter().GetResult();
        }, text => System.Text.Json.JsonSerializer.Serialize(text));
        Assert.True(accepted > 0 && rejected > 0, $"{accepted} accepted, {rejected} rejected");
    }

    [Fact]
    public void ClassificationDataset_MutatedFile_ReadsOrRefusesAsDocumented()
    {
        AssertOnlyDocumentedRefusals("pos\tgood day\nneg\tbad\tday\npos\tfine\n", seed: 21, text =>
        {
            var data = ClassificationDataset.Parse(text, "fuzz.tsv");
            var vocabulary = ClassificationDataset.BuildVocabulary(data.Examples, TokenKind.Character);
            int[][] sequences = [.. data.Examples.Select(e => TextEncoding.Encode(vocabulary, e.Text, maxLength: 8))];
            int[] labels = [.. data.Examples.Select(data.LabelId)];
            foreach (LabelledBatch batch in new LabelledBatcher(sequences, batchSize: 2).Shuffled(seed: 1)) batch.GatherLabels(labels);
            ClassificationDataset.ParsePredictionInput(text, "fuzz.tsv", labelled: true);
        });
    }

    [Fact]
    public void TaggingDataset_MutatedFile_ReadsOrRefusesAsDocumented()
    {
        AssertOnlyDocumentedRefusals("John\tB-PER\nSmith\tI-PER\nruns\tO\n\nNew York\tB-LOC\n", seed: 22, text =>
        {
            TaggingDataset.ParsePredictionInput(text, "fuzz.conll");
            var data = TaggingDataset.Parse(text, "fuzz.conll");
            var vocabulary = TaggingDataset.BuildVocabulary(data.Sequences);
            int[][] sequences = [.. data.Sequences.Select(s => TaggingDataset.Encode(vocabulary, s))];
            int[][] tags = [.. data.Sequences.Select(data.TagIds)];
            foreach (LabelledBatch batch in new LabelledBatcher(sequences, batchSize: 2).InOrder()) batch.GatherSteps(tags, padding: -1);
        });
    }

    [Fact]
    public void ForecastDataset_MutatedFile_ReadsOrRefusesAsDocumented()
    {
        MissingValuePolicy[] policies = Enum.GetValues<MissingValuePolicy>();
        int round = 0;
        AssertOnlyDocumentedRefusals("date,x,y\n2020-01,1,10\n2020-02,\"2\",20\n2020-03,3,30\n2020-04,4,40\n2020-05,5,50\n", seed: 23, text =>
        {
            var options = new ForecastOptions { SequenceLength = 2, Horizon = 1 + round % 2, Missing = policies[round++ % policies.Length] };
            var data = ForecastDataset.Parse(text, "fuzz.csv", options);
            var split = data.Split(0.2);
            var scaled = data.Scale(data.FitScaling(split.TrainingRows));
            double[] inputs = new double[data.SequenceLength * data.InputColumns.Count], targets = new double[data.Horizon];
            for (int w = 0; w < data.WindowCount; w++) scaled.FillWindow(w, inputs, targets);
            Assert.All(scaled.Inputs.ToArray(), v => Assert.True(double.IsFinite(v)));
            data.NextIndexLabels();
        });
    }

    [Fact]
    public void ClassWeights_MutatedFile_ReadsOrRefusesAsDocumented()
    {
        var labels = new LabelSet(["neg", "pos"]);
        AssertOnlyDocumentedRefusals("neg\t0.5\npos\t2\n", seed: 24, text =>
            Assert.All(ClassWeights.Parse(text, "fuzz.tsv", labels), w => Assert.True(double.IsFinite(w) && w > 0)));
    }
}
