using Rnn.Diagnostics;
using Rnn.Kernels;
using Rnn.Layers;
using Rnn.Training;
using Xunit.Abstractions;

namespace Rnn.Tests.Diagnostics;

public class GradientCheckTests(ITestOutputHelper output)
{
    /// <summary>The simple cell with every activation, and LSTM and GRU, each with every bias × stacking × L × D.</summary>
    public static TheoryData<CellKind, Nonlinearity, bool, Stacking, int, bool> AllConfigurations()
    {
        var data = new TheoryData<CellKind, Nonlinearity, bool, Stacking, int, bool>();
        var cells = Enum.GetValues<Nonlinearity>().Select(f => (CellKind.Rnn, f)).Concat([(CellKind.Lstm, Nonlinearity.Tanh), (CellKind.Gru, Nonlinearity.Tanh)]);
        foreach (var (cell, f) in cells)
            foreach (bool bias in new[] { true, false })
                foreach (var stacking in Enum.GetValues<Stacking>())
                    for (int layers = 1; layers <= 3; layers++)
                        foreach (bool bidirectional in new[] { false, true })
                            data.Add(cell, f, bias, stacking, layers, bidirectional);
        return data;
    }

    [Theory]
    [MemberData(nameof(AllConfigurations))]
    public void RecurrentNetwork_Backward_MatchesCentralDifferences(CellKind cell, Nonlinearity f, bool bias, Stacking stacking, int layers, bool bidirectional)
    {
        var options = new RnnOptions
        {
            Cell = cell, InputSize = 3, HiddenSize = 4, NumLayers = layers, Bidirectional = bidirectional,
            Nonlinearity = f, Bias = bias, Stacking = stacking,
        };
        var results = GradientCheck.Run(options, sequenceLength: 10, batch: 2, seed: 7);

        // every parameter, x and h0, and c0 for LSTM
        int expectedTensors = layers * options.NumDirections * (bias ? 4 : 2) + (options.HasCellState ? 3 : 2);
        Assert.Equal(expectedTensors, results.Count);
        foreach (var r in results)
        {
            Assert.True(r.RelativeError < 1e-7, $"{r.Name}: relative error {r.RelativeError:E2} (max abs {r.MaxAbsoluteError:E2})");
            Assert.Equal(ElementCount(options, r.Name, sequenceLength: 10, batch: 2), r.Count);
        }
    }

    /// <summary>Every cell with bias × stacking × L ≤ 2 × D, over sequences of unequal lengths.</summary>
    public static TheoryData<CellKind, bool, Stacking, int, bool> LengthConfigurations()
    {
        var data = new TheoryData<CellKind, bool, Stacking, int, bool>();
        foreach (var cell in Enum.GetValues<CellKind>())
            foreach (bool bias in new[] { true, false })
                foreach (var stacking in Enum.GetValues<Stacking>())
                    for (int layers = 1; layers <= 2; layers++)
                        foreach (bool bidirectional in new[] { false, true })
                            data.Add(cell, bias, stacking, layers, bidirectional);
        return data;
    }

    [Theory]
    [MemberData(nameof(LengthConfigurations))]
    public void RecurrentNetwork_BackwardWithLengths_MatchesCentralDifferences(CellKind cell, bool bias, Stacking stacking, int layers, bool bidirectional)
    {
        var options = new RnnOptions
        {
            Cell = cell, InputSize = 3, HiddenSize = 4, NumLayers = layers, Bidirectional = bidirectional, Bias = bias, Stacking = stacking,
        };
        // unsorted, with a length of 1, one of T and two equal: the batch is reordered, and rows start and end at many steps
        int[] lengths = [6, 1, 11, 4, 6];
        var results = GradientCheck.Run(options, sequenceLength: 11, batch: lengths.Length, seed: 5, lengths: lengths);

        Assert.Equal(layers * options.NumDirections * (bias ? 4 : 2) + (options.HasCellState ? 3 : 2), results.Count);
        var worst = results.MaxBy(r => r.RelativeError)!;
        output.WriteLine($"worst relative error {worst.RelativeError:E2} ({worst.Name}, max abs {worst.MaxAbsoluteError:E2})");
        foreach (var r in results)
            Assert.True(r.RelativeError < 1e-7, $"{r.Name}: relative error {r.RelativeError:E2} (max abs {r.MaxAbsoluteError:E2})");
    }

    [Fact]
    public void RecurrentNetwork_BatchFirstBackwardWithLengths_MatchesCentralDifferences()
    {
        var options = new RnnOptions { Cell = CellKind.Lstm, InputSize = 2, HiddenSize = 3, NumLayers = 2, Bidirectional = true, BatchFirst = true };
        foreach (var r in GradientCheck.Run(options, sequenceLength: 10, batch: 3, seed: 3, lengths: [2, 10, 7]))
            Assert.True(r.RelativeError < 1e-7, $"{r.Name}: {r.RelativeError:E2}");
    }

    [Fact]
    public void RecurrentNetwork_BatchFirstBackward_MatchesCentralDifferences()
    {
        var options = new RnnOptions { InputSize = 2, HiddenSize = 3, NumLayers = 2, Bidirectional = true, BatchFirst = true };
        foreach (var r in GradientCheck.Run(options, sequenceLength: 11, batch: 3, seed: 3))
            Assert.True(r.RelativeError < 1e-7, $"{r.Name}: {r.RelativeError:E2}");
    }

    [Fact]
    public void GradientCheck_LongSequence_StaysAccurate()
    {
        var options = new RnnOptions { InputSize = 2, HiddenSize = 5, NumLayers = 3, Bidirectional = true };
        foreach (var r in GradientCheck.Run(options, sequenceLength: 40, batch: 1, seed: 11))
            Assert.True(r.RelativeError < 1e-7, $"{r.Name}: {r.RelativeError:E2}");
    }

    /// <summary>How many values the check must compare for tensor <paramref name="name"/>: every element of it.</summary>
    private static int ElementCount(RnnOptions o, string name, int sequenceLength, int batch)
    {
        if (name == "x") return sequenceLength * batch * o.InputSize;
        if (name is "h0" or "c0") return o.NumLayers * o.NumDirections * batch * o.HiddenSize;
        int layer = int.Parse(name.Split("_l")[1].Split('_')[0], System.Globalization.CultureInfo.InvariantCulture);
        int gateRows = RecurrentLayer<double>.GateCount(o.Cell) * o.HiddenSize;
        return name.StartsWith("weight_ih", StringComparison.Ordinal) ? gateRows * o.LayerInputSize(layer)
            : name.StartsWith("weight_hh", StringComparison.Ordinal) ? gateRows * o.HiddenSize
            : gateRows;
    }
}
