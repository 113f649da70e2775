// The gated cells' fused steps split each product across threads at whole unit blocks and apply the same vector
// arithmetic to every unit wherever it falls, so one thread and two give the same outputs, states and gradients bit
// for bit. H = 100 and 102 leave a ragged last block of units (W = 8 floats or 4 doubles);
// B·G·H·H is past the per-step product's split threshold, so two threads do split it.
using System.Numerics;
using Rnn.Kernels;
using Rnn.Layers;
using Rnn.Tensors;
using Rnn.Tests.Reliability;

namespace Rnn.Tests.Layers;

[Collection(ComputeThreadsCollection.Name)]
public sealed class GatedCellThreadsTests : IDisposable
{
    private readonly int _savedThreads = ComputeThreads.Max;

    public void Dispose() => ComputeThreads.Max = _savedThreads;

    [Theory]
    [InlineData(CellKind.Lstm, 100, false)]
    [InlineData(CellKind.Lstm, 102, true)]
    [InlineData(CellKind.Gru, 100, false)]
    [InlineData(CellKind.Gru, 102, true)]
    public void GatedCell_OneThreadAndTwoThreads_GiveIdenticalOutputsAndGradients_Float(CellKind cell, int hidden, bool bidirectional) =>
        AssertSameOnOneAndTwoThreads<float>(cell, hidden, bidirectional);

    [Theory]
    [InlineData(CellKind.Lstm, 102, false)]
    [InlineData(CellKind.Gru, 102, true)]
    public void GatedCell_OneThreadAndTwoThreads_GiveIdenticalOutputsAndGradients_Double(CellKind cell, int hidden, bool bidirectional) =>
        AssertSameOnOneAndTwoThreads<double>(cell, hidden, bidirectional);

    private static void AssertSameOnOneAndTwoThreads<T>(CellKind cell, int hidden, bool bidirectional) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var one = Run<T>(cell, hidden, bidirectional, threads: 1);
        var two = Run<T>(cell, hidden, bidirectional, threads: 2);
        Assert.Equal(one.Output, two.Output);
        Assert.Equal(one.FinalStates, two.FinalStates);
        Assert.Equal(one.Gradients, two.Gradients);
        Assert.Equal(one.InputGradient, two.InputGradient);
        Assert.Equal(one.InitialStateGradient, two.InitialStateGradient);
    }

    private static (T[] Output, T[] FinalStates, T[] Gradients, T[] InputGradient, T[] InitialStateGradient) Run<T>(
        CellKind cell, int hidden, bool bidirectional, int threads) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ComputeThreads.Max = threads;
        const int sequenceLength = 6, batch = 9, input = 20;
        var options = new RnnOptions { Cell = cell, InputSize = input, HiddenSize = hidden, NumLayers = 2, Bidirectional = bidirectional };
        var rnn = new RecurrentNetwork<T>(options, seed: 3);
        var random = new SeededRandom(4);
        int stateSize = options.NumLayers * options.NumDirections * batch * hidden;
        var x = new T[sequenceLength * batch * input];
        var dy = new T[sequenceLength * batch * options.OutputSize];
        T[] h0 = new T[stateSize], c0 = new T[cell == CellKind.Lstm ? stateSize : 0], dhN = new T[stateSize];
        random.FillNormal<T>(x, 0, 1);
        random.FillNormal<T>(dy, 0, 1);
        random.FillNormal<T>(h0, 0, 1);
        random.FillNormal<T>(c0, 0, 1);
        random.FillNormal<T>(dhN, 0, 1);
        T[] y = new T[dy.Length], hN = new T[stateSize], dx = new T[x.Length], dh0 = new T[stateSize];
        rnn.Forward(x, sequenceLength, batch, h0, y, hN, c0);
        rnn.Parameters.ZeroGradients();
        rnn.Backward(dy, dhN, dx, dh0);
        return (y, hN, (T[])rnn.Parameters.Gradients.Clone(), dx, dh0);
    }
}
