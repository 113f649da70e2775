using Rnn.Data;
using Rnn.Layers;
using Rnn.Training;

namespace Rnn.Tests.Training;

/// <summary>The README's library snippets for classify, tag and forecast, call for call, on the small files of tests/data.</summary>
public sealed class ReadmeSnippetTests : IDisposable
{
    private static readonly string Data = Path.Combine(AppContext.BaseDirectory, "data");
    private readonly string _folder = Directory.CreateTempSubdirectory("rnn-snippets-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Out(string name) => Path.Combine(_folder, name);

    [Fact]
    public void ClassifierSnippet_Runs_AndTheLoadedModelPredictsAlike()
    {
        var data = ClassificationDataset.Read(Path.Combine(Data, "reviews.tsv"));
        var classifier = Classifier.Create(data, TokenKind.Word, new RnnOptions { Cell = CellKind.Lstm, InputSize = 32, HiddenSize = 64 });
        using var cancel = new CancellationTokenSource();
        int reports = 0;
        classifier.Fit(data, validation: null, new FitSettings { Stop = new StopCondition(Epochs: 10), Progress = p => reports++ }, cancel.Token);
        ClassPrediction best = classifier.Predict("a fine film");
        classifier.Save(Out("reviews.safetensors"));
        var again = Classifier.Load(Out("reviews.safetensors"));

        Assert.True(reports > 0);
        Assert.Equal(best, again.Predict("a fine film") with { Probabilities = best.Probabilities });
        Assert.True(classifier.LastValidation!.Accuracy > 0.5, $"accuracy {classifier.LastValidation.Accuracy}");
    }

    [Fact]
    public void ClassifierFit_Cancelled_StopsAtOnce()
    {
        var data = ClassificationDataset.Read(Path.Combine(Data, "reviews.tsv"));
        var classifier = Classifier.Create(data, TokenKind.Word, new RnnOptions { InputSize = 8, HiddenSize = 8 });
        using var cancel = new CancellationTokenSource();
        var state = classifier.Fit(data, null, new FitSettings { Stop = new StopCondition(Epochs: 100), Progress = p => cancel.Cancel() }, cancel.Token);
        Assert.Equal(1, state.Step);
    }

    [Fact]
    public void TaggerSnippet_Runs_AndTagsTheNames()
    {
        var names = TaggingDataset.Read(Path.Combine(Data, "names.tags"));
        var tagger = Tagger.Create(names, new RnnOptions { InputSize = 32, HiddenSize = 64, Bidirectional = true });
        tagger.Fit(names, validation: null, new FitSettings { Stop = new StopCondition(Epochs: 10) });
        IReadOnlyList<string> tags = tagger.Predict(["Anna", "visited", "Paris"]);
        tagger.Save(Out("names.safetensors"));
        var taggerAgain = Tagger.Load(Out("names.safetensors"));

        Assert.Equal(["B-PER", "O", "B-LOC"], tags);
        Assert.Equal(tags, taggerAgain.Predict(["Anna", "visited", "Paris"]));
    }

    [Fact]
    public void ForecasterSnippet_Runs_AndBeatsTheNaiveForecast()
    {
        var series = ForecastDataset.Read(Path.Combine(Data, "visitors.csv"), new ForecastOptions { SequenceLength = 24, Horizon = 3 });
        var forecaster = Forecaster.Create(series, new RnnOptions { Cell = CellKind.Gru, InputSize = 1, HiddenSize = 32 });
        forecaster.Fit(series, new FitSettings { Options = new() { ValidationFraction = 0.2 }, Stop = new StopCondition(Epochs: 20) });
        IReadOnlyList<double> next = forecaster.Predict(series);
        forecaster.Save(Out("visitors.safetensors"));
        var forecasterAgain = Forecaster.Load(Out("visitors.safetensors"));

        Assert.Equal(3, next.Count);
        Assert.Equal(next, forecasterAgain.Predict(series));
        // The series rises about 0.5 a month from 100 and swings ±20 with the year: its next values lie near 180.
        Assert.All(next, v => Assert.InRange(v, 140, 220));
    }

    [Fact]
    public void Checkpoint_SharedAcrossThreads_EachThreadsOwnModelPredictsTheSame()
    {
        var data = ClassificationDataset.Read(Path.Combine(Data, "reviews.tsv"));
        var classifier = Classifier.Create(data, TokenKind.Word, new RnnOptions { InputSize = 8, HiddenSize = 8 });
        classifier.Save(Out("shared.safetensors"));
        var checkpoint = Rnn.Serialization.Checkpoint.Load(Out("shared.safetensors"));
        string[] texts = [.. data.Examples.Select(e => e.Text)];
        double[] expected = [.. classifier.Predict(texts).Select(p => p.Probability)];

        Parallel.For(0, 4, _ =>
        {
            var own = Classifier.From(checkpoint);
            Assert.Equal(expected, own.Predict(texts).Select(p => p.Probability));
        });
    }
}
