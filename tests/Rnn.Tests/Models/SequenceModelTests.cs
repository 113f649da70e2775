using Rnn.Layers;
using Rnn.Models;

namespace Rnn.Tests.Models;

/// <summary>The one model shape: every head and loss against central differences in float64, and the masks and weights of its loss.</summary>
public class SequenceModelTests
{
    private const int T = 5, B = 3;
    private static readonly int[] Lengths = [5, 3, 1];

    private static ModelConfig Config(ModelTask task, HeadKind head, CellKind cell, bool bidirectional) => new()
    {
        Task = task,
        Network = new RnnOptions { Cell = cell, InputSize = 3, HiddenSize = 4, NumLayers = 2, Bidirectional = bidirectional },
        VocabularySize = task == ModelTask.Forecast ? 0 : 7,
        OutputSize = task == ModelTask.Forecast ? 2 : 3,
        Head = head,
    };

    /// <summary>Runs forward and the task's loss on a fixed batch; with <paramref name="backward"/>, also the backward pass.</summary>
    private static double Loss(SequenceModel<double> model, bool backward)
    {
        if (model.Config.TokenInput) model.Forward(Enumerable.Range(0, T * B).Select(i => (i * 5 + 1) % 7).ToArray(), T, B, Lengths);
        else model.Forward(Enumerable.Range(0, T * B * 3).Select(i => Math.Sin(i)).ToArray(), T, B, Lengths);
        double loss = model.Config.Task switch
        {
            ModelTask.Forecast => model.SquaredError([0.5, -1, 0.25, 2, -0.5, 1]),
            // Tagging: padded steps (t ≥ length) carry the target −1 and are left out.
            ModelTask.Tag => model.CrossEntropy(Enumerable.Range(0, T * B).Select(r => r / B < Lengths[r % B] ? r % 3 : -1).ToArray()),
            _ => model.CrossEntropy([2, 0, 1], [0.5, 2, 1]),
        };
        if (backward) model.Backward();
        return loss;
    }

    [Theory]
    [InlineData(ModelTask.Classify, HeadKind.MeanPool, CellKind.Rnn, true)]
    [InlineData(ModelTask.Classify, HeadKind.FinalState, CellKind.Lstm, true)]
    [InlineData(ModelTask.Tag, HeadKind.PerStep, CellKind.Gru, true)]
    [InlineData(ModelTask.Forecast, HeadKind.FinalState, CellKind.Gru, false)]
    [InlineData(ModelTask.Forecast, HeadKind.MeanPool, CellKind.Lstm, false)]
    public void SequenceModel_Backward_MatchesFiniteDifferences(ModelTask task, HeadKind head, CellKind cell, bool bidirectional)
    {
        var model = new SequenceModel<double>(Config(task, head, cell, bidirectional), seed: 3);
        model.Parameters.ZeroGradients();
        Loss(model, backward: true);
        double[] analytic = [.. model.Parameters.Gradients];
        double[] values = model.Parameters.Values;
        const double h = 1e-6;
        for (int i = 0; i < values.Length; i += Math.Max(1, values.Length / 60))
        {
            double saved = values[i];
            values[i] = saved + h;
            double plus = Loss(model, backward: false);
            values[i] = saved - h;
            double minus = Loss(model, backward: false);
            values[i] = saved;
            double numeric = (plus - minus) / (2 * h);
            Assert.True(Math.Abs(numeric - analytic[i]) <= 1e-6 + 1e-5 * Math.Abs(numeric), $"parameter {i}: numeric {numeric}, analytic {analytic[i]}");
        }
    }

    [Fact]
    public void CrossEntropy_NegativeTargetsAndWeights_AreLeftOutAndWeighted()
    {
        var model = new SequenceModel<double>(Config(ModelTask.Classify, HeadKind.MeanPool, CellKind.Rnn, false), seed: 1);
        int[] tokens = [1, 2, 3, 4, 5, 6];
        var z = model.Forward(tokens, 2, 3).ToArray();
        double Row(int r, int target) => Math.Log(Enumerable.Range(0, 3).Sum(k => Math.Exp(z[r * 3 + k]))) - z[r * 3 + target];

        double loss = model.CrossEntropy([2, -1, 0], [3, 5, 1]);

        Assert.Equal((3 * Row(0, 2) + 1 * Row(2, 0)) / 4, loss, 12);
    }

    [Theory]
    [InlineData(HeadKind.FinalState, CellKind.Rnn, false)]
    [InlineData(HeadKind.FinalState, CellKind.Lstm, true)]
    [InlineData(HeadKind.MeanPool, CellKind.Gru, true)]
    [InlineData(HeadKind.MeanPool, CellKind.Rnn, true)]
    public void PaddedBatch_GivesEachSequenceTheScoresItHasAlone(HeadKind head, CellKind cell, bool bidirectional)
    {
        var config = Config(ModelTask.Classify, head, cell, bidirectional);
        var model = new SequenceModel<double>(config, seed: 2);
        int[] tokens = [1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6, 1, 2, 3];      // [T=5, B=3]
        double[] batched = model.Forward(tokens, T, B, Lengths).ToArray();

        // Each sequence alone, cut to its length, must give the same scores: the padded steps (whatever tokens they
        // hold) never run, so the reverse direction starts at the sequence's own end.
        for (int b = 0; b < B; b++)
        {
            int[] alone = [.. Enumerable.Range(0, Lengths[b]).Select(t => tokens[t * B + b])];
            double[] single = model.Forward(alone, Lengths[b], 1).ToArray();
            for (int k = 0; k < 3; k++) Assert.Equal(single[k], batched[b * 3 + k], 12);
        }
    }

    // The network runs the rows longest first; lengths out of that order must still give every row its own sequence's
    // scores, and the gradients of the batch in its sorted order (where nothing is permuted).
    [Theory]
    [InlineData(ModelTask.Classify, HeadKind.FinalState, CellKind.Lstm, true)]
    [InlineData(ModelTask.Classify, HeadKind.MeanPool, CellKind.Rnn, false)]
    [InlineData(ModelTask.Tag, HeadKind.PerStep, CellKind.Gru, true)]
    public void LengthsOutOfOrder_GiveTheScoresAndGradientsOfTheSortedBatch(ModelTask task, HeadKind head, CellKind cell, bool bidirectional)
    {
        var model = new SequenceModel<double>(Config(task, head, cell, bidirectional), seed: 4);
        int[] sorted = [.. Enumerable.Range(0, T * B).Select(i => (i * 5 + 2) % 7)];    // [T, B] with lengths [5, 3, 1]
        int[] order = [2, 0, 1];                                                         // row b of the shuffled batch is sorted row order[b]
        int[] shuffled = new int[T * B];
        for (int t = 0; t < T; t++)
            for (int b = 0; b < B; b++) shuffled[t * B + b] = sorted[t * B + order[b]];
        int[] shuffledLengths = [.. order.Select(r => Lengths[r])];
        int o = model.OutputSize, rows = task == ModelTask.Tag ? T : 1;
        int[] Targets(Func<int, int> row) => task == ModelTask.Tag
            ? [.. Enumerable.Range(0, T * B).Select(r => r / B < Lengths[row(r % B)] ? (r / B + row(r % B)) % 3 : -1)]
            : [.. Enumerable.Range(0, B).Select(b => row(b) % 3)];

        double[] expected = model.Forward(sorted, T, B, Lengths).ToArray();
        model.Parameters.ZeroGradients();
        double sortedLoss = model.CrossEntropy(Targets(b => b));
        model.Backward();
        double[] sortedGradients = [.. model.Parameters.Gradients];

        double[] actual = model.Forward(shuffled, T, B, shuffledLengths).ToArray();
        for (int t = 0; t < rows; t++)
            for (int b = 0; b < B; b++)
                for (int k = 0; k < o; k++)
                    if (task != ModelTask.Tag || t < shuffledLengths[b])
                        Assert.Equal(expected[(t * B + order[b]) * o + k], actual[(t * B + b) * o + k], 12);
        model.Parameters.ZeroGradients();
        Assert.Equal(sortedLoss, model.CrossEntropy(Targets(b => order[b])), 12);
        model.Backward();
        for (int i = 0; i < sortedGradients.Length; i++)
            Assert.Equal(sortedGradients[i], model.Parameters.Gradients[i], 12);
    }
}
