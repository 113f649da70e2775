using Rnn.Cli.Demos;
using Rnn.Layers;
using Rnn.Models;
using Rnn.Data;
using Rnn.Optim;
using Rnn.Serialization;
using Rnn.Training;

namespace Rnn.Tests.Training;

public sealed class TrainerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("rnn-trainer-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly string Corpus = DemoCorpus.Generate(approximateBytes: 20_000, seed: 3);

    private static TrainingOptions Options(string optimizer = "adam") => new()
    {
        SequenceLength = 16, BatchSize = 4, Optimizer = OptimizerKinds.Parse(optimizer)!.Value, LearningRate = optimizer == "adam" ? 3e-3 : 0.05,
        ValidationFraction = 0.1, Seed = 5, EvaluateEvery = 7,
    };

    private static (LanguageModel<float> Model, Vocabulary Vocabulary, int[] Train, int[] Validation) Setup(double dropout = 0.2,
        CellKind cell = CellKind.Rnn)
    {
        var vocabulary = Vocabulary.Build(Corpus, TokenKind.Character);
        var (train, validation) = BatchStreams.Split(vocabulary.Encode(Corpus), 0.1);
        var model = new LanguageModel<float>(new LanguageModelConfig
        {
            Cell = cell, VocabularySize = vocabulary.Count, EmbeddingSize = 8, HiddenSize = 16, NumLayers = 2, Dropout = dropout,
        }, seed: 5);
        return (model, vocabulary, train, validation);
    }

    [Theory]
    [InlineData("adam", CellKind.Rnn)]
    [InlineData("adagrad", CellKind.Rnn)]
    [InlineData("sgd", CellKind.Rnn)]
    [InlineData("adam", CellKind.Lstm)]
    [InlineData("adam", CellKind.Gru)]
    public void Trainer_InterruptedAndResumed_EndsWithBitIdenticalWeights(string optimizer, CellKind cell)
    {
        var (straight, vocabulary, train, validation) = Setup(cell: cell);
        new Trainer<float>(straight, vocabulary, train, validation, Options(optimizer)).Run(new StopCondition(Steps: 30));

        // The same run stopped at step 14 (a checkpoint step) and resumed from its file.
        string path = Path.Combine(_folder, $"{optimizer}-{cell}.safetensors");
        var (first, _, _, _) = Setup(cell: cell);
        new Trainer<float>(first, vocabulary, train, validation, Options(optimizer)) { CheckpointPath = path }.Run(new StopCondition(Steps: 14));
        var checkpoint = Checkpoint.Load(path);
        Assert.Equal(14, checkpoint.Training!.Step);
        Assert.Equal(cell, checkpoint.Config.Cell);
        var resumed = checkpoint.CreateModel<float>();
        new Trainer<float>(resumed, checkpoint.Vocabulary, train, validation, checkpoint.Training.Options, checkpoint).Run(new StopCondition(Steps: 30));

        Assert.Equal(straight.Parameters.Values, resumed.Parameters.Values);
    }

    [Fact]
    public void Trainer_Training_LowersValidationLoss()
    {
        var (model, vocabulary, train, validation) = Setup(dropout: 0);
        var trainer = new Trainer<float>(model, vocabulary, train, validation, Options() with { EvaluateEvery = 50 });
        double before = trainer.Validate()!.Value;
        trainer.Run(new StopCondition(Steps: 150));
        double after = trainer.Validate()!.Value;
        Assert.True(after < before - 0.5, $"validation loss {before:F3} → {after:F3}");
        Assert.Equal(3, trainer.State.History.Count);
    }

    [Fact]
    public void Trainer_Checkpoints_WriteLastAndBestAndLeaveNoTemporaryFiles()
    {
        var (model, vocabulary, train, validation) = Setup();
        string path = Path.Combine(_folder, "m.safetensors");
        new Trainer<float>(model, vocabulary, train, validation, Options()) { CheckpointPath = path }.Run(new StopCondition(Steps: 21));
        Assert.True(File.Exists(path));
        Assert.True(File.Exists(Path.Combine(_folder, "m.best.safetensors")));
        Assert.Equal(2, Directory.GetFiles(_folder).Length);
        var loaded = Checkpoint.Load(path);
        Assert.Equal(model.Parameters.Values, loaded.CreateModel<float>().Parameters.Values);
        Assert.Equal(vocabulary.ToJson(), loaded.Vocabulary.ToJson());
        Assert.Equal(model.Config, loaded.Config);
    }

    [Fact]
    public void Trainer_ResumeOnDifferentText_IsRefused()
    {
        var (model, vocabulary, train, validation) = Setup();
        string path = Path.Combine(_folder, "m.safetensors");
        new Trainer<float>(model, vocabulary, train, validation, Options()) { CheckpointPath = path }.Run(new StopCondition(Steps: 7));
        var checkpoint = Checkpoint.Load(path);
        int[] other = train.Reverse().ToArray();
        var e = Assert.Throws<InvalidDataException>(() =>
            new Trainer<float>(checkpoint.CreateModel<float>(), checkpoint.Vocabulary, other, validation, checkpoint.Training!.Options, checkpoint));
        Assert.Contains("different text", e.Message);
    }

    [Fact]
    public void Trainer_Diverging_SkipsNonFiniteStepsThenStopsWithClearError()
    {
        var (model, vocabulary, train, validation) = Setup(dropout: 0);
        model.Parameters.Value(model.Parameters["linear.bias"])[0] = float.NaN;
        var warnings = new List<string>();
        var trainer = new Trainer<float>(model, vocabulary, train, validation, Options() with { MaxSkippedSteps = 3 }) { Warning = warnings.Add };
        var e = Assert.Throws<InvalidOperationException>(() => trainer.Run(new StopCondition(Steps: 10)));
        Assert.Contains("non-finite", e.Message);
        Assert.Equal(3, warnings.Count);
        Assert.Equal(0, trainer.State.Step);
    }

    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void Evaluation_CountsEveryPredictionOnce_WhateverTheBatching(CellKind cell)
    {
        var (model, vocabulary, _, validation) = Setup(dropout: 0, cell: cell);
        var reference = Evaluation.Evaluate(model, validation, batch: 1, sequenceLength: 1_000_000);
        foreach (var (batch, seq) in new[] { (1, 7), (3, 5), (8, 16), (64, 3) })
        {
            var r = Evaluation.Evaluate(model, validation, batch, seq);
            Assert.Equal(validation.Length - 1, r.Predictions);
            // B streams of ⌊(N−1)/B⌋ predictions, each from a zero state, the last one running on to the end: the same
            // nats as each stream's tokens evaluated alone in one chunk, up to float32 rounding of the sums.
            int predictions = validation.Length - 1;
            int streams = Math.Max(1, Math.Min(batch, predictions / seq)), streamLength = predictions / streams;
            double alone = 0;
            for (int b = 0; b < streams; b++)
            {
                int end = b == streams - 1 ? predictions : (b + 1) * streamLength;
                alone += Evaluation.Evaluate(model, validation.AsSpan(b * streamLength, end - b * streamLength + 1), 1, 1_000_000).TotalNats;
            }
            Assert.True(Math.Abs(r.TotalNats - alone) <= 1e-6 * alone, $"batch {batch}, seq {seq}: {r.TotalNats} vs {alone} for the streams alone");
            if (streams > 1) Assert.NotEqual(reference.TotalNats, r.TotalNats);
        }
        // One stream in chunks of 13 is the same computation as one long chunk, up to float32 rounding.
        double chunked = Evaluation.Evaluate(model, validation, 1, 13).TotalNats;
        Assert.True(Math.Abs(chunked - reference.TotalNats) <= 1e-6 * reference.TotalNats, $"{chunked} vs {reference.TotalNats}");
    }

    [Fact]
    public void Evaluation_TheTailContinuesTheLastStream_WithTheLstmsCellState()
    {
        var (model, _, _, validation) = Setup(dropout: 0, cell: CellKind.Lstm);
        // 11 predictions in 2 streams of 5 and a tail of 1 that continues the second stream: h and c both carried.
        var tokens = validation.AsSpan(0, 12);
        double together = Evaluation.Evaluate(model, tokens, batch: 2, sequenceLength: 5).TotalNats;
        double alone = Evaluation.Evaluate(model, tokens[..6], 1, 100).TotalNats + Evaluation.Evaluate(model, tokens[5..], 1, 100).TotalNats;
        Assert.True(Math.Abs(together - alone) <= 1e-6 * alone, $"{together} vs {alone} for the streams alone");
    }

    [Fact]
    public void Sampler_ReusingThePackedWeights_DrawsWhatStepByStepLogitsGive_AndLeavesNoStaleCopy()
    {
        var (model, vocabulary, _, _) = Setup(dropout: 0);
        int[] prime = vocabulary.Encode("The ");
        int[] drawn = new Sampler<float>(model, 4).Generate(prime, 40, topK: 1).ToArray();

        // The same greedy draw by hand, every step through a forward pass that packs W afresh.
        var state = new float[model.StateSize(1)];
        int v = model.Config.VocabularySize;
        float[] logits = model.Logits(prime, prime.Length, 1, state).Slice((prime.Length - 1) * v, v).ToArray();
        var byHand = new List<int>();
        for (int i = 0; i < drawn.Length; i++)
        {
            int best = 0;
            for (int j = 1; j < v; j++) if (logits[j] > logits[best]) best = j;
            byHand.Add(best);
            logits = model.Logits([best], 1, 1, state).ToArray();
        }
        Assert.Equal(byHand, drawn);

        // After sampling, a changed W must be seen by the next forward pass.
        float[] before = model.Logits(prime, prime.Length, 1, new float[model.StateSize(1)]).ToArray();
        var w = model.Parameters.Value(model.Rnn.Layers[0].WeightHh);
        for (int i = 0; i < w.Length; i++) w[i] *= 0.5f;
        float[] after = model.Logits(prime, prime.Length, 1, new float[model.StateSize(1)]).ToArray();
        Assert.NotEqual(before, after);
    }

    [Fact]
    public void Sampler_SameSeed_SameText_AndTopKOneIsGreedy()
    {
        var (model, vocabulary, _, _) = Setup(dropout: 0);
        int[] prime = vocabulary.Encode("The ");
        var a = new Sampler<float>(model, 4).Generate(prime, 50).ToArray();
        var b = new Sampler<float>(model, 4).Generate(prime, 50).ToArray();
        Assert.Equal(a, b);
        var greedy1 = new Sampler<float>(model, 1).Generate(prime, 20, topK: 1).ToArray();
        var greedy2 = new Sampler<float>(model, 2).Generate(prime, 20, topK: 1).ToArray();
        Assert.Equal(greedy1, greedy2);
        Assert.DoesNotContain(vocabulary.UnknownId, new Sampler<float>(model, 3) { ExcludedToken = vocabulary.UnknownId }.Generate(prime, 200, temperature: 5).ToArray());
    }
}
