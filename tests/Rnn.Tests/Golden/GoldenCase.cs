// Runs one golden case (docs/GOLDEN.md; kinds rnn, lstm, gru) through RecurrentNetwork<T> and measures, per tensor,
// max|a − e| / (atol + rtol·max|e|): ≤ 1 passes.
using System.Globalization;
using System.Numerics;
using Rnn.IO;
using Rnn.Kernels;
using Rnn.Layers;

namespace Rnn.Tests.Golden;

public sealed record TensorComparison(string Name, double Ratio);

public static class GoldenCase
{
    public static IReadOnlyList<TensorComparison> Run(string path)
    {
        var file = SafeTensorsFile.Load(path);
        string dtype = Meta(file, "dtype");
        return dtype switch
        {
            "F32" => Run<float>(file),
            "F64" => Run<double>(file),
            _ => throw new InvalidDataException($"{path}: unknown dtype '{dtype}'."),
        };
    }

    private static IReadOnlyList<TensorComparison> Run<T>(SafeTensorsFile file) where T : unmanaged, IFloatingPointIeee754<T>
    {
        string kind = Meta(file, "kind");
        CellKind cell = kind switch
        {
            "rnn" => CellKind.Rnn,
            "lstm" => CellKind.Lstm,
            "gru" => CellKind.Gru,
            _ => throw new InvalidDataException($"unknown kind '{kind}'; this test knows rnn, lstm and gru"),
        };
        if (file.Contains("lengths"))
            throw new NotSupportedException("the case has per-sequence 'lengths', which the network does not support yet");
        var options = new RnnOptions
        {
            Cell = cell,
            InputSize = Int(file, "input_size"),
            HiddenSize = Int(file, "hidden_size"),
            NumLayers = Int(file, "num_layers"),
            Bidirectional = Bool(file, "bidirectional"),
            Nonlinearity = Activation.Parse(Meta(file, "nonlinearity")),
            Bias = Bool(file, "bias"),
            Stacking = RnnOptions.ParseStacking(Meta(file, "stacking")),
            BatchFirst = Bool(file, "batch_first"),
        };
        double atol = double.Parse(Meta(file, "atol"), CultureInfo.InvariantCulture);
        double rtol = double.Parse(Meta(file, "rtol"), CultureInfo.InvariantCulture);

        var network = new RecurrentNetwork<T>(options);
        foreach (var p in network.Parameters.All)
        {
            Assert.True(file.Contains(p.Name), $"missing tensor '{p.Name}'");
            Assert.Equal(p.Shape, file.Info(p.Name).Shape.ToArray());
            file.ReadInto(p.Name, network.Parameters.Value(p));
        }

        int[] xShape = Shape(file, "x");
        int sequenceLength = options.BatchFirst ? xShape[1] : xShape[0];
        int batch = options.BatchFirst ? xShape[0] : xShape[1];
        T[] x = Tensor<T>(file, "x"), h0 = Tensor<T>(file, "h0");
        bool lstm = options.HasCellState;
        T[] c0 = lstm ? Tensor<T>(file, "c0") : [];
        var y = new T[Tensor<T>(file, "y").Length];
        var hN = new T[h0.Length];
        var cN = new T[c0.Length];
        network.Forward(x, sequenceLength, batch, h0, y, hN, c0, cN);

        var dx = new T[x.Length];
        var dh0 = new T[h0.Length];
        var dc0 = new T[c0.Length];
        network.Parameters.ZeroGradients();
        network.Backward(Tensor<T>(file, "grad_y"), Tensor<T>(file, "grad_h_n"), dx, dh0, lstm ? Tensor<T>(file, "grad_c_n") : [], dc0);

        var comparisons = new List<TensorComparison>
        {
            Compare(file, "y", y, atol, rtol),
            Compare(file, "h_n", hN, atol, rtol),
            Compare(file, "grad_x", dx, atol, rtol),
            Compare(file, "grad_h0", dh0, atol, rtol),
        };
        if (lstm)
        {
            comparisons.Add(Compare(file, "c_n", cN, atol, rtol));
            comparisons.Add(Compare(file, "grad_c0", dc0, atol, rtol));
        }
        foreach (var p in network.Parameters.All)
            comparisons.Add(Compare(file, "grad_" + p.Name, network.Parameters.Gradient(p).ToArray(), atol, rtol));
        return comparisons;
    }

    private static TensorComparison Compare<T>(SafeTensorsFile file, string name, T[] actual, double atol, double rtol)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] expected = Tensor<T>(file, name);
        Assert.True(expected.Length == actual.Length, $"{name}: {actual.Length} elements computed, {expected.Length} expected");
        double maxError = 0, maxExpected = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = double.CreateChecked(expected[i]), a = double.CreateChecked(actual[i]);
            double error = Math.Abs(a - e);
            if (double.IsNaN(error)) error = double.PositiveInfinity;
            maxError = Math.Max(maxError, error);
            maxExpected = Math.Max(maxExpected, Math.Abs(e));
        }
        return new TensorComparison(name, maxError / (atol + rtol * maxExpected));
    }

    private static T[] Tensor<T>(SafeTensorsFile file, string name) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.True(file.Contains(name), $"missing tensor '{name}'");
        return file.Read<T>(name);
    }

    private static int[] Shape(SafeTensorsFile file, string name)
    {
        Assert.True(file.Contains(name), $"missing tensor '{name}'");
        return file.Info(name).Shape.ToArray();
    }

    private static string Meta(SafeTensorsFile file, string key) =>
        file.Metadata.TryGetValue(key, out var value) ? value : throw new InvalidDataException($"missing metadata '{key}'");

    private static int Int(SafeTensorsFile file, string key) => int.Parse(Meta(file, key), CultureInfo.InvariantCulture);

    private static bool Bool(SafeTensorsFile file, string key) => Meta(file, key) switch
    {
        "true" => true,
        "false" => false,
        var v => throw new InvalidDataException($"metadata '{key}' is '{v}', not true/false"),
    };
}
