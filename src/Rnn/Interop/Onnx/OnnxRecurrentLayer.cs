// One recurrent layer and direction as one ONNX node: RNN, LSTM or GRU (opset 14), H = hidden, G = gate blocks,
// in = the layer's input width. ONNX's weights are PyTorch's with the gate blocks in ONNX's order:
//   W [1, G·H, in] = weight_ih,  R [1, G·H, H] = weight_hh,  B [1, 2·G·H] = [bias_ih; bias_hh]   (no B without biases)
//   RNN   one block
//   LSTM  PyTorch i, f, g, o → ONNX i, o, f, c (c is PyTorch's g)
//   GRU   PyTorch r, z, n    → ONNX z, r, h, with linear_before_reset = 1: h = tanh(Wh x + Wbh + r ⊙ (Rh h + Rbh)),
//         PyTorch's n, where the reset gate scales the hidden part with its bias
// The reverse direction is a node of its own with direction = reverse and the weights of `…_reverse`. With
// sequence_lens, ONNX Runtime runs each sequence over its own steps only (the reverse direction from its last valid
// step back to step 0) and writes zeros to Y past its end: PyTorch's packed sequences, and ours.
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
    /// Adds layer <paramref name="layer"/> of a language model: reads <paramref name="input"/> [T, B, in],
    /// <paramref name="initialH"/> (and for LSTM <paramref name="initialC"/>) [1, B, H]; writes <c>x_{layer+1}</c>
    /// [T, B, H], <c>h_n_l{layer}</c> and for LSTM <c>c_n_l{layer}</c> [1, B, H].
    /// </summary>
    /// <param name="activation">The simple cell's ONNX activation name; unused for LSTM and GRU.</param>
    public static void Add<T>(GraphProto graph, ParameterSet<T> parameters, RnnOptions options, int layer, string input,
        string initialH, string? initialC, string activation) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (options.HasCellState && initialC is null) throw new ArgumentNullException(nameof(initialC), "An LSTM layer needs its initial cell state.");
        AddNode(graph, parameters, options, layer, reverse: false, input, sequenceLengths: "", initialH, initialC, activation,
            $"x_{layer + 1}", $"h_n_l{layer}", options.HasCellState ? $"c_n_l{layer}" : null);
    }

    /// <summary>
    /// Adds one direction of layer <paramref name="layer"/> of a task model, starting from zeros: reads
    /// <paramref name="input"/> [T, B, in] and the lengths <paramref name="sequenceLengths"/> (int32 [B]); writes
    /// <paramref name="output"/> [T, B, H], zero past each sequence's end.
    /// </summary>
    public static void AddDirection<T>(GraphProto graph, ParameterSet<T> parameters, RnnOptions options, int layer, bool reverse,
        string input, string sequenceLengths, string activation, string output) where T : unmanaged, IFloatingPointIeee754<T> =>
        AddNode(graph, parameters, options, layer, reverse, input, sequenceLengths, initialH: null, initialC: null, activation, output, finalH: null, finalC: null);

    private static void AddNode<T>(GraphProto graph, ParameterSet<T> parameters, RnnOptions options, int layer, bool reverse, string input,
        string sequenceLengths, string? initialH, string? initialC, string activation, string output, string? finalH, string? finalC)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = options.HiddenSize, inputSize = options.LayerInputSize(layer);
        int[] order = GateOrder(options.Cell);
        int gh = order.Length * h;
        string suffix = reverse ? "_reverse" : "";
        float[] Weight(string name, int columns) =>
            Reorder(OnnxExporter.Single<T>(parameters.Value(parameters[$"rnn.{name}_l{layer}{suffix}"])), order, h * columns);

        string w = $"rnn.W_l{layer}{suffix}", r = $"rnn.R_l{layer}{suffix}", b = "";
        graph.Initializer.Add(Float(w, Weight("weight_ih", inputSize), 1, gh, inputSize));
        graph.Initializer.Add(Float(r, Weight("weight_hh", h), 1, gh, h));
        if (options.Bias)
        {
            b = $"rnn.B_l{layer}{suffix}";
            graph.Initializer.Add(Float(b, [.. Weight("bias_ih", 1), .. Weight("bias_hh", 1)], 1, 2 * gh));
        }

        string y = $"y_l{layer}{suffix}";
        var attributes = new List<AttributeProto> { Int("hidden_size", h) };
        if (reverse) attributes.Add(String("direction", "reverse"));
        // ONNX leaves out an optional input by an empty name, and trailing ones altogether.
        List<string> inputs = [input, w, r, b, sequenceLengths];
        if (initialH is not null) inputs.Add(initialH);
        List<string> outputs = [y];
        if (finalH is not null) outputs.Add(finalH);
        switch (options.Cell)
        {
            case CellKind.Lstm:
                if (initialC is not null) inputs.Add(initialC);     // initial_c follows initial_h
                if (finalC is not null) outputs.Add(finalC);
                break;
            case CellKind.Gru:
                attributes.Add(Int("linear_before_reset", 1));
                break;
            default:
                attributes.Add(Strings("activations", activation));
                break;
        }
        while (inputs[^1].Length == 0) inputs.RemoveAt(inputs.Count - 1);
        string op = OperatorName(options.Cell);
        graph.Node.Add(Node(op, $"{op.ToLowerInvariant()}_l{layer}{suffix}", inputs, outputs, [.. attributes]));
        // Y has a direction axis [T, 1, B, H]; the next layer and the output layer want [T, B, H].
        graph.Node.Add(Node("Squeeze", $"squeeze_l{layer}{suffix}", [y, "squeeze_axes"], [output]));
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
