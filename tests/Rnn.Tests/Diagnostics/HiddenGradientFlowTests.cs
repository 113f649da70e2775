using Rnn.Diagnostics;
using Rnn.Kernels;
using Rnn.Layers;
using Rnn.Tensors;

namespace Rnn.Tests.Diagnostics;

/// <summary>‖∂E/∂h_k‖, the gradient every cell's hidden state receives: exact where the theory is exact, and the gated cells' slower decay.</summary>
public class HiddenGradientFlowTests
{
    private static RnnOptions Network(CellKind cell, Nonlinearity f = Nonlinearity.Tanh) =>
        new() { Cell = cell, InputSize = 3, HiddenSize = 16, Nonlinearity = f };

    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void HiddenGradients_EveryStep_EqualsDh0OfTheSequenceRestartedAfterIt(CellKind cell)
    {
        // ∂E/∂h_k is what dh0 reports for the rest of the sequence x_{k+1..T−1} run from h0 = h_k (and c0 = c_k):
        // the same gradient, reached through Backward's own dh0 path instead of the per-step reconstruction.
        const int t = 7, batch = 2, h = 5, input = 3;
        var options = new RnnOptions { Cell = cell, InputSize = input, HiddenSize = h };
        var network = new RecurrentNetwork<double>(options, seed: 4);
        var other = new RecurrentNetwork<double>(options, seed: 4);
        var random = new SeededRandom(9);
        var x = new double[t * batch * input];
        var dy = new double[t * batch * h];
        random.FillNormal<double>(x, 0, 1);
        random.FillNormal<double>(dy, 0, 1);
        var y = new double[t * batch * h];
        network.Forward(x, t, batch, h0: default, y, hN: default);
        network.Backward(dy, dhN: default, dx: default, dh0: default);
        var gradients = new double[t * batch * h];
        network.Layers[0].HiddenGradients(dy, h, dhN: default, gradients);

        int stateRows = batch * h;
        for (int k = 0; k < t; k++)
        {
            double[] expected = new double[stateRows];
            if (k == t - 1) dy.AsSpan(k * stateRows, stateRows).CopyTo(expected);
            else
            {
                var c = new double[stateRows];
                if (options.HasCellState) other.Forward(x.AsSpan(0, (k + 1) * batch * input), k + 1, batch, default, default, default, cN: c);
                int rest = t - 1 - k;
                other.Forward(x.AsSpan((k + 1) * batch * input), rest, batch, y.AsSpan(k * stateRows, stateRows), default, default,
                    c0: options.HasCellState ? c : default);
                other.Backward(dy.AsSpan((k + 1) * stateRows), dhN: default, dx: default, dh0: expected);
                for (int i = 0; i < stateRows; i++) expected[i] += dy[k * stateRows + i];    // h_k is also an output
            }
            for (int i = 0; i < stateRows; i++)
                Assert.True(Math.Abs(gradients[k * stateRows + i] - expected[i]) <= 1e-12 * (1 + Math.Abs(expected[i])),
                    $"k = {k}, i = {i}: {gradients[k * stateRows + i]:E10} vs {expected[i]:E10}");
        }
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.9)]
    [InlineData(1.1)]
    public void MeasureHidden_IdentityWithOrthogonalTimesR_NormsFollowRToTheDistance(double r)
    {
        // f = identity, W = r·Q: ∂E/∂h_k = ∂E/∂h_{k+1}·W and ‖v·Q‖ = ‖v‖, so ‖∂E/∂h_k‖ = r^{t−k} exactly.
        var network = new RecurrentNetwork<double>(Network(CellKind.Rnn, Nonlinearity.Identity), seed: 5);
        Span<double> w = network.Parameters.Value(network.Layers[0].WeightHh);
        GradientFlow.FillOrthogonal(w, 16, new SeededRandom(6));
        for (int i = 0; i < w.Length; i++) w[i] *= r;
        var run = GradientFlow.MeasureHidden(network, sequenceLength: 100, batchSize: 4, seed: 5);
        int t = run.Norms.Length - 1;
        for (int k = 0; k <= t; k++)
            Assert.Equal(1.0, run.Norms[k] / Math.Pow(r, t - k), 1e-9);
        Assert.Equal(Math.Log10(r), run.Slope, 1e-9);
        Assert.Equal(CellKind.Rnn, run.Cell);
    }

    [Fact]
    public void MeasureHidden_LstmWithForgetBiasPushedHigh_DecaysSlowerThanTheSimpleCellAndItsOwnDefault()
    {
        // With f = σ(5) ≈ 0.993 the cell path c_k = f ⊙ c_{k−1} + … passes the gradient back almost untouched, so
        // ‖∂E/∂h_k‖ shrinks about as slowly as f^(t−k); the simple cell multiplies by W diag f′ every step.
        var simple = GradientFlow.MeasureHidden(new RecurrentNetwork<double>(Network(CellKind.Rnn), seed: 5), 120, 4, seed: 5);
        var plainLstm = GradientFlow.MeasureHidden(new RecurrentNetwork<double>(Network(CellKind.Lstm), seed: 5), 120, 4, seed: 5);
        var lstm = new RecurrentNetwork<double>(Network(CellKind.Lstm), seed: 5);
        Span<double> biasIh = lstm.Parameters.Value(lstm.Layers[0].BiasIh!);
        biasIh.Slice(16, 16).Fill(5);     // the f block of i, f, g, o
        var pushed = GradientFlow.MeasureHidden(lstm, 120, 4, seed: 5);

        Assert.True(pushed.Slope > simple.Slope, $"LSTM, forget bias 5: {pushed.Slope:F4}; simple cell: {simple.Slope:F4}");
        Assert.True(pushed.Slope > plainLstm.Slope, $"LSTM, forget bias 5: {pushed.Slope:F4}; default: {plainLstm.Slope:F4}");
        Assert.True(pushed.Slope > Math.Log10(0.99) * 2, $"LSTM, forget bias 5: {pushed.Slope:F4} per step");
        Assert.True(pushed.Norms[0] > 1e6 * simple.Norms[0], $"‖∂E/∂h_0‖: LSTM {pushed.Norms[0]:E3}, simple {simple.Norms[0]:E3}");
    }

    [Fact]
    public void HiddenGradients_BeforeAnyBackward_Throws()
    {
        var network = new RecurrentNetwork<double>(Network(CellKind.Gru), seed: 1);
        var x = new double[4 * 3];
        network.Forward(x, 4, 1, default, default, default);
        Assert.Throws<InvalidOperationException>(() => network.Layers[0].HiddenGradients(new double[4 * 16], 16, default, new double[4 * 16]));
    }

    [Fact]
    public void MeasureHidden_Bidirectional_IsRefused()
    {
        var network = new RecurrentNetwork<double>(Network(CellKind.Lstm) with { Bidirectional = true });
        Assert.Throws<ArgumentException>(() => GradientFlow.MeasureHidden(network, 10, 2));
    }
}
