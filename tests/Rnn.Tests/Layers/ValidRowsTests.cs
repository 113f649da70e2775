using Rnn.Kernels;
using Rnn.Layers;
using Rnn.Tensors;

namespace Rnn.Tests.Layers;

/// <summary>
/// With lengths, the whole-sequence products run over the valid rows alone. Their results must be those of the packed
/// semantics computed another way: the parameter gradients of a batch are the sums of each sequence's own, run alone
/// with no lengths; padded rows of dX are left as they were; and no buffer left over from an earlier pass leaks in.
/// </summary>
public class ValidRowsTests
{
    private const int SequenceLength = 7, Batch = 4;
    private static readonly int[] Lengths = [7, 4, 4, 1];   // sorted longest first, as the layers take them

    private static RnnOptions Options(CellKind cell, Stacking stacking) => new()
    {
        Cell = cell, InputSize = 3, HiddenSize = 5, NumLayers = 2, Bidirectional = true, Stacking = stacking,
    };

    private static double[] Normal(int length, ulong seed)
    {
        var values = new double[length];
        new SeededRandom(seed).FillNormal<double>(values, 0, 1);
        return values;
    }

    /// <summary>The parameter gradients, dx, dh0 and dc0 of one forward and backward pass of a new network.</summary>
    private static (double[] Gradients, double[] Dx, double[] Dh0, double[] Dc0) Gradients(RnnOptions o, int sequenceLength, int batch,
        double[] x, double[] h0, double[] c0, double[] dy, double[] dhN, double[] dcN, int[] lengths)
    {
        var network = new RecurrentNetwork<double>(o, seed: 11);
        network.Forward(x, sequenceLength, batch, h0, default, default, c0, default, lengths);
        network.Parameters.ZeroGradients();
        var dx = new double[x.Length];
        var dh0 = new double[h0.Length];
        var dc0 = new double[c0.Length];
        network.Backward(dy, dhN, dx, dh0, dcN, dc0);
        return (network.Parameters.Gradients.ToArray(), dx, dh0, dc0);
    }

    [Theory]
    [InlineData(CellKind.Rnn, Stacking.Concat)]
    [InlineData(CellKind.Lstm, Stacking.Concat)]
    [InlineData(CellKind.Gru, Stacking.Concat)]
    [InlineData(CellKind.Rnn, Stacking.Separate)]
    [InlineData(CellKind.Lstm, Stacking.Separate)]
    [InlineData(CellKind.Gru, Stacking.Separate)]
    public void ParameterGradients_WithLengths_AreTheSumOfEachSequenceAlone(CellKind cell, Stacking stacking)
    {
        var o = Options(cell, stacking);
        int states = o.NumLayers * o.NumDirections, h = o.HiddenSize, cellStates = o.HasCellState ? states * Batch * h : 0;
        double[] x = Normal(SequenceLength * Batch * o.InputSize, 1), dy = Normal(SequenceLength * Batch * o.OutputSize, 2);
        double[] h0 = Normal(states * Batch * h, 3), dhN = Normal(states * Batch * h, 4), c0 = Normal(cellStates, 5), dcN = Normal(cellStates, 6);
        var batched = Gradients(o, SequenceLength, Batch, x, h0, c0, dy, dhN, dcN, Lengths);

        var summed = new double[batched.Gradients.Length];
        for (int b = 0; b < Batch; b++)
        {
            int length = Lengths[b];
            double[] Steps(double[] source, int width) => [.. Enumerable.Range(0, length).SelectMany(t => source.AsSpan((t * Batch + b) * width, width).ToArray())];
            double[] State(double[] source) => [.. Enumerable.Range(0, source.Length == 0 ? 0 : states).SelectMany(s => source.AsSpan((s * Batch + b) * h, h).ToArray())];
            var alone = Gradients(o, length, 1, Steps(x, o.InputSize), State(h0), State(c0), Steps(dy, o.OutputSize), State(dhN), State(dcN), []);
            for (int i = 0; i < summed.Length; i++) summed[i] += alone.Gradients[i];
            AssertClose(alone.Dx, Steps(batched.Dx, o.InputSize));
            AssertClose(alone.Dh0, State(batched.Dh0));
            AssertClose(alone.Dc0, State(batched.Dc0));
        }
        AssertClose(summed, batched.Gradients);
    }

    [Theory]
    [InlineData(CellKind.Rnn, false)]
    [InlineData(CellKind.Rnn, true)]
    [InlineData(CellKind.Lstm, false)]
    [InlineData(CellKind.Lstm, true)]
    [InlineData(CellKind.Gru, false)]
    [InlineData(CellKind.Gru, true)]
    public void LayerBackward_WithLengths_LeavesPaddedRowsOfDxAsTheyWere(CellKind cell, bool reverse)
    {
        const int inputSize = 3, hiddenSize = 4, ldx = 5;   // dX a column window of a wider buffer, as in a stack
        var parameters = new ParameterSet<double>();
        var layer = new RecurrentLayer<double>(parameters, inputSize, hiddenSize, Nonlinearity.Tanh, bias: true, reverse, "", cell: cell);
        new SeededRandom(7).FillUniform<double>(parameters.Values, -0.5, 0.5);
        int rows = SequenceLength * Batch;
        double[] x = Normal(rows * inputSize, 8), dy = Normal(rows * hiddenSize, 9), h0 = Normal(Batch * hiddenSize, 10);
        double[] c0 = cell == CellKind.Lstm ? Normal(Batch * hiddenSize, 11) : [];
        var states = new double[rows * hiddenSize];
        layer.Forward(x, inputSize, SequenceLength, Batch, h0, states, hiddenSize, default, c0, default, Lengths);
        var dx = new double[rows * ldx];
        dx.AsSpan().Fill(0.25);
        parameters.ZeroGradients();
        layer.Backward(dy, hiddenSize, default, dx, ldx, default);

        for (int t = 0; t < SequenceLength; t++)
            for (int b = 0; b < Batch; b++)
            {
                bool padded = t >= Lengths[b];
                for (int j = 0; j < ldx; j++)
                {
                    double value = dx[(t * Batch + b) * ldx + j];
                    if (padded || j >= inputSize) Assert.Equal(0.25, value);
                    else Assert.NotEqual(0.25, value);
                }
            }
    }

    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void PassWithLengths_AfterAPassWithout_IsBitIdenticalToAFreshNetworks(CellKind cell)
    {
        // The padded rows of the reused buffers then hold the first pass's values; none of them may be read.
        var o = Options(cell, Stacking.Concat);
        int states = o.NumLayers * o.NumDirections * Batch * o.HiddenSize;
        double[] x = Normal(SequenceLength * Batch * o.InputSize, 12), dy = Normal(SequenceLength * Batch * o.OutputSize, 13);
        double[] other = Normal(x.Length, 14), otherDy = Normal(dy.Length, 15);
        var fresh = new RecurrentNetwork<double>(o, seed: 5);
        var reused = new RecurrentNetwork<double>(o, seed: 5);
        var y = new double[dy.Length];
        var dx = new double[x.Length];
        reused.Forward(other, SequenceLength, Batch, default, y, default);
        reused.Backward(otherDy, default, dx, default);

        double[] Pass(RecurrentNetwork<double> network)
        {
            var output = new double[dy.Length];
            var hN = new double[states];
            var inputGradient = new double[x.Length];
            network.Forward(x, SequenceLength, Batch, default, output, hN, lengths: Lengths);
            network.Parameters.ZeroGradients();
            network.Backward(dy, default, inputGradient, default);
            return [.. output, .. hN, .. inputGradient, .. network.Parameters.Gradients];
        }

        Assert.Equal(Pass(fresh), Pass(reused));
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12 * Math.Max(1, Math.Abs(expected[i])), $"[{i}]: {actual[i]} vs {expected[i]}");
    }
}
