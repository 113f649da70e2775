// One recurrent layer of a language model as one ONNX node: RNN, LSTM or GRU (opset 14), H = hidden, G = gate blocks,
// in = the layer's input width. ONNX's weights are PyTorch's with the gate blocks in ONNX's order:
//   W [1, G·H, in] = weight_ih,  R [1, G·H, H] = weight_hh,  B [1, 2·G·H] = [bias_ih; bias_hh]   (no B without biases)
//   RNN   one block
//   LSTM  PyTorch i, f, g, o → ONNX i, o, f, c (c is PyTorch's g)
//   GRU   PyTorch r, z, n    → ONNX z, r, h, with linear_before_reset = 1: h = tanh(Wh x + Wbh + r ⊙ (Rh h + Rbh)),
//         PyTorch's n, where the reset gate scales the hidden part with its bias
// The node's outputs: Y [T, 1, B, H], Y_h [1, B, H] and, for LSTM, Y_c [1, B, H].
using System.Numerics;
using Rnn.Interop.Onnx.Proto;
using Rnn.Layers;
using Rnn.Tensors;
using static Rnn.Interop.Onnx.OnnxProtos;

namespace Rnn.Interop.Onnx;

/// <summary>Adds one layer's ONNX recurrent node and its weights to a graph.</summary>
internal static class OnnxRecurrentLayer
{
    /// <summary>The ONNX operator of a cell: <c>RNN</c>, <c>LSTM</c> or <c>GRU</c>.</summary>
    public static string OperatorName(CellKind cell) => cell switch
    {
        CellKind.Lstm => "LSTM",
        CellKind.Gru => "GRU",
        _ => "RNN",
    };

    // ONNX's block k is PyTorch's block Order[k].
    private static int[] GateOrder(CellKind cell) => cell switch
    {
        CellKind.Lstm => [0, 3, 1, 2],
        CellKind.Gru => [1, 0, 2],
        _ => [0],
    };

    /// <summary>
    /// Adds layer <paramref name="layer"/>: reads <paramref name="input"/> [T, B, in], <paramref name="initialH"/>
    /// (and for LSTM <paramref name="initialC"/>) [1, B, H]; writes <c>x_{layer+1}</c> [T, B, H], <c>h_n_l{layer}</c>
    /// and for LSTM <c>c_n_l{layer}</c> [1, B, H].
    /// </summary>
    /// <param name="activation">The simple cell's ONNX activation name; unused for LSTM and GRU.</param>
    public static void Add<T>(GraphProto graph, ParameterSet<T> parameters, RnnOptions options, int layer, string input,
        string initialH, string? initialC, string activation) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = options.HiddenSize, inputSize = options.LayerInputSize(layer);
        int[] order = GateOrder(options.Cell);
        int gh = order.Length * h;
        float[] Weight(string name, int columns) => Reorder(OnnxExporter.Single<T>(parameters.Value(parameters[$"rnn.{name}_l{layer}"])), order, h * columns);

        string w = $"rnn.W_l{layer}", r = $"rnn.R_l{layer}", b = "";
        graph.Initializer.Add(Float(w, Weight("weight_ih", inputSize), 1, gh, inputSize));
        graph.Initializer.Add(Float(r, Weight("weight_hh", h), 1, gh, h));
        if (options.Bias)
        {
            b = $"rnn.B_l{layer}";
            graph.Initializer.Add(Float(b, [.. Weight("bias_ih", 1), .. Weight("bias_hh", 1)], 1, 2 * gh));
        }

        string y = $"y_l{layer}";
        var attributes = new List<AttributeProto> { Int("hidden_size", h) };
        List<string> inputs = [input, w, r, b, "", initialH], outputs = [y, $"h_n_l{layer}"];
        switch (options.Cell)
        {
            case CellKind.Lstm:
                inputs.Add(initialC ?? throw new ArgumentNullException(nameof(initialC), "An LSTM layer needs its initial cell state."));
                outputs.Add($"c_n_l{layer}");
                break;
            case CellKind.Gru:
                attributes.Add(Int("linear_before_reset", 1));
                break;
            default:
                attributes.Add(Strings("activations", activation));
                break;
        }
        graph.Node.Add(Node(OperatorName(options.Cell), $"{OperatorName(options.Cell).ToLowerInvariant()}_l{layer}", inputs, outputs, [.. attributes]));
        // Y has a direction axis [T, 1, B, H]; the next layer and the output layer want [T, B, H].
        graph.Node.Add(Node("Squeeze", $"squeeze_l{layer}", [y, "squeeze_axes"], [$"x_{layer + 1}"]));
    }

    // Blocks of blockLength values, from PyTorch's order to ONNX's: ONNX block k is PyTorch block order[k].
    private static float[] Reorder(float[] values, int[] order, int blockLength)
    {
        if (order.Length == 1) return values;
        var result = new float[values.Length];
        for (int k = 0; k < order.Length; k++)
            values.AsSpan(order[k] * blockLength, blockLength).CopyTo(result.AsSpan(k * blockLength, blockLength));
        return result;
    }
}
