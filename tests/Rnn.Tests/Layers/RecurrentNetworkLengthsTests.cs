using Rnn.Layers;
using Rnn.Tensors;

namespace Rnn.Tests.Layers;

/// <summary>Per-sequence lengths: padded steps are inert in both passes, each sequence runs as if alone, all-T is no lengths.</summary>
public class RecurrentNetworkLengthsTests
{
    private const int SequenceLength = 9, Batch = 4;
    private static readonly int[] Lengths = [5, 9, 1, 5];

    private static RnnOptions Options(CellKind cell, bool batchFirst = false) => new()
    {
        Cell = cell, InputSize = 3, HiddenSize = 4, NumLayers = 2, Bidirectional = true, BatchFirst = batchFirst,
    };

    /// <summary>Everything one forward and backward pass gives: y, h_N, c_N, dx, dh0, dc0 and every parameter gradient.</summary>
    private sealed record Pass(double[] Y, double[] HN, double[] CN, double[] Dx, double[] Dh0, double[] Dc0, double[] Gradients);

    private static Pass Run(RnnOptions options, int sequenceLength, int batch, double[] x, double[] h0, double[] c0, double[] dy,
        double[] dhN, double[] dcN, int[] lengths)
    {
        var network = new RecurrentNetwork<double>(options, seed: 3);
        var y = new double[dy.Length];
        var hN = new double[h0.Length];
        var cN = new double[c0.Length];
        network.Forward(x, sequenceLength, batch, h0, y, hN, c0, cN, lengths);
        var dx = new double[x.Length];
        var dh0 = new double[h0.Length];
        var dc0 = new double[c0.Length];
        network.Parameters.ZeroGradients();
        network.Backward(dy, dhN, dx, dh0, dcN, dc0);
        return new Pass(y, hN, cN, dx, dh0, dc0, network.Parameters.Gradients.ToArray());
    }

    private static double[] Normal(int length, ulong seed)
    {
        var values = new double[length];
        new SeededRandom(seed).FillNormal<double>(values, 0, 1);
        return values;
    }

    private static (double[] X, double[] H0, double[] C0, double[] Dy, double[] DhN, double[] DcN) Inputs(RnnOptions o, int sequenceLength, int batch)
    {
        int states = o.NumLayers * o.NumDirections * batch * o.HiddenSize, cells = o.HasCellState ? states : 0;
        return (Normal(sequenceLength * batch * o.InputSize, 1), Normal(states, 2), Normal(cells, 3),
            Normal(sequenceLength * batch * o.OutputSize, 4), Normal(states, 5), Normal(cells, 6));
    }

    private static bool IsPadded(int t, int b) => t >= Lengths[b];

    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void Forward_PaddedSteps_OutputZeroAndGetZeroInputGradient(CellKind cell)
    {
        var o = Options(cell);
        var (x, h0, c0, dy, dhN, dcN) = Inputs(o, SequenceLength, Batch);
        var pass = Run(o, SequenceLength, Batch, x, h0, c0, dy, dhN, dcN, Lengths);
        for (int t = 0; t < SequenceLength; t++)
            for (int b = 0; b < Batch; b++)
            {
                bool padded = IsPadded(t, b);
                Assert.Equal(padded, pass.Y.AsSpan((t * Batch + b) * o.OutputSize, o.OutputSize).ToArray().All(v => v == 0));
                Assert.Equal(padded, pass.Dx.AsSpan((t * Batch + b) * o.InputSize, o.InputSize).ToArray().All(v => v == 0));
            }
    }

    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void Backward_GradientAtPaddedSteps_ChangesNothing(CellKind cell)
    {
        var o = Options(cell);
        var (x, h0, c0, dy, dhN, dcN) = Inputs(o, SequenceLength, Batch);
        var changed = (double[])dy.Clone();
        for (int t = 0; t < SequenceLength; t++)
            for (int b = 0; b < Batch; b++)
                if (IsPadded(t, b)) changed.AsSpan((t * Batch + b) * o.OutputSize, o.OutputSize).Fill(1e3);
        var pass = Run(o, SequenceLength, Batch, x, h0, c0, dy, dhN, dcN, Lengths);
        var other = Run(o, SequenceLength, Batch, x, h0, c0, changed, dhN, dcN, Lengths);
        Assert.Equal(pass.Dx, other.Dx);
        Assert.Equal(pass.Dh0, other.Dh0);
        Assert.Equal(pass.Dc0, other.Dc0);
        Assert.Equal(pass.Gradients, other.Gradients);
    }

    [Theory]
    [InlineData(CellKind.Rnn, false)]
    [InlineData(CellKind.Lstm, false)]
    [InlineData(CellKind.Gru, true)]
    public void Forward_EachSequence_MatchesRunningItAloneWithItsOwnLength(CellKind cell, bool batchFirst)
    {
        var o = Options(cell, batchFirst);
        var (x, h0, c0, dy, dhN, dcN) = Inputs(o, SequenceLength, Batch);
        var pass = Run(o, SequenceLength, Batch, x, h0, c0, dy, dhN, dcN, Lengths);
        int states = o.NumLayers * o.NumDirections, h = o.HiddenSize;
        for (int b = 0; b < Batch; b++)
        {
            int length = Lengths[b];
            double[] Steps(double[] source, int width) => Enumerable.Range(0, length)
                .SelectMany(t => source.AsSpan(Row(t, b) * width, width).ToArray()).ToArray();
            double[] State(double[] source) => Enumerable.Range(0, source.Length == 0 ? 0 : states)
                .SelectMany(s => source.AsSpan((s * Batch + b) * h, h).ToArray()).ToArray();
            var alone = Run(o, length, 1, Steps(x, o.InputSize), State(h0), State(c0), Steps(dy, o.OutputSize), State(dhN), State(dcN), []);
            AssertClose(Steps(pass.Y, o.OutputSize), alone.Y);
            AssertClose(State(pass.HN), alone.HN);
            AssertClose(State(pass.CN), alone.CN);
            AssertClose(Steps(pass.Dx, o.InputSize), alone.Dx);
            AssertClose(State(pass.Dh0), alone.Dh0);
            AssertClose(State(pass.Dc0), alone.Dc0);
        }

        int Row(int t, int b) => batchFirst ? b * SequenceLength + t : t * Batch + b;
    }

    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void Forward_EveryLengthFull_IsBitIdenticalToNoLengths(CellKind cell)
    {
        var o = Options(cell);
        var (x, h0, c0, dy, dhN, dcN) = Inputs(o, SequenceLength, Batch);
        var with = Run(o, SequenceLength, Batch, x, h0, c0, dy, dhN, dcN, Enumerable.Repeat(SequenceLength, Batch).ToArray());
        var without = Run(o, SequenceLength, Batch, x, h0, c0, dy, dhN, dcN, []);
        Assert.Equal(without, with, PassComparer.Instance);
    }

    [Theory]
    [InlineData(new[] { 5, 9, 1 }, "lengths has 3 elements")]
    [InlineData(new[] { 5, 9, 0, 2 }, "lengths[2] must be in 1..T=9")]
    [InlineData(new[] { 10, 9, 1, 2 }, "lengths[0] must be in 1..T=9")]
    public void Forward_InvalidLengths_ThrowsNamingThem(int[] lengths, string message)
    {
        var o = Options(CellKind.Rnn);
        var network = new RecurrentNetwork<float>(o);
        var x = new float[SequenceLength * Batch * o.InputSize];
        var error = Assert.ThrowsAny<ArgumentException>(() => network.Forward(x, SequenceLength, Batch, default, default, default, default, default, lengths));
        Assert.Equal("lengths", error.ParamName);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12, $"[{i}]: {actual[i]} vs {expected[i]}");
    }

    private sealed class PassComparer : IEqualityComparer<Pass>
    {
        public static readonly PassComparer Instance = new();

        public bool Equals(Pass? a, Pass? b) => a is not null && b is not null && a.Y.SequenceEqual(b.Y) && a.HN.SequenceEqual(b.HN)
            && a.CN.SequenceEqual(b.CN) && a.Dx.SequenceEqual(b.Dx) && a.Dh0.SequenceEqual(b.Dh0) && a.Dc0.SequenceEqual(b.Dc0)
            && a.Gradients.SequenceEqual(b.Gradients);

        public int GetHashCode(Pass obj) => obj.Y.Length;
    }
}
