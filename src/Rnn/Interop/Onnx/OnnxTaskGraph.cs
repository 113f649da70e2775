// A classifier, tagger or forecaster as an ONNX graph (opset 14); T = steps, B = batch, I = input features, E = embedding,
// H = hidden, D = directions, W = D·H, O = outputs (C classes or tags, K forecast steps); T and B are symbolic:
//   lengths [B] int32 = sequence_lens (fed [B], or [1] for every sequence; when not fed, T for each)
//   x_0 [T, B, E or I] = Gather(embedding.weight, tokens)              token input
//                      = (features − mean) / std                        a forecaster: its columns' z-scores
//                      = features                                       a tagger of numbers
//   layer k, direction d: one RNN, LSTM or GRU node with sequence_lens = lengths, from zeros ──▶ h_l{k}[_reverse] [T, B, H]
//     (zero past each sequence's end; the reverse direction starts at each sequence's last step); layer k + 1 reads
//     Concat(h_l{k}, h_l{k}_reverse) (concat stacking) or its own direction's tower (separate stacking)
//   top [T, B, W] = the last layer's directions, side by side
//   head  step:  P = top                                                            [T, B, W]
//         final: P = [ top_fwd at step lengths − 1 (GatherElements), top_rev at step 0 ]   [B, W]
//         mean:  P = Σ_t top ⊙ (t < lengths) · (1 / lengths)                        [B, W]
//   Z = MatMul(P, linear.weightᵀ) + linear.bias
//   classify and tag: logits = Z, probabilities = Softmax(Z) over the last axis
//   forecast:         forecast [B, K] = Z · std_target + mean_target, in the target's units
// This is SequenceModel's forward (Models/SequenceModel.cs, Models/SequenceHeads.cs) with dropout off.
using System.Numerics;
using Rnn.Data;
using Rnn.Interop.Onnx.Proto;
using Rnn.Layers;
using Rnn.Models;
using Rnn.Serialization;
using Rnn.Tensors;
using static Rnn.Interop.Onnx.OnnxProtos;
using DataType = Rnn.Interop.Onnx.Proto.TensorProto.Types.DataType;

namespace Rnn.Interop.Onnx;

/// <summary>Builds the graph of a <see cref="ModelTask.Classify"/>, <see cref="ModelTask.Tag"/> or <see cref="ModelTask.Forecast"/> model.</summary>
internal static class OnnxTaskGraph
{
    /// <summary>The length fed in <c>sequence_lens</c>'s place when it is not fed: read as T.</summary>
    public const int LengthsNotFed = int.MaxValue;

    /// <summary>The graph of <paramref name="config"/> with <paramref name="parameters"/>; see the file's head.</summary>
    /// <exception cref="ArgumentException">The contents lack what the task needs (vocabulary, labels, scaling), or do not fit the model.</exception>
    public static GraphProto Build<T>(ModelConfig config, ParameterSet<T> parameters, ModelContents contents, string activation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var n = config.Network;
        int h = n.HiddenSize, width = n.OutputSize, o = config.OutputSize, layers = n.NumLayers;
        string task = ModelTasks.Name(config.Task);
        string cell = n.Cell == CellKind.Rnn ? $"RNN ({n.Nonlinearity})" : OnnxRecurrentLayer.OperatorName(n.Cell);
        var graph = new GraphProto
        {
            Name = $"rnn_{task}",
            DocString = $"{(config.TokenInput ? "Embedding" : config.Task == ModelTask.Forecast ? "Scaling" : "Features")} → {layers}-layer " +
                $"{(n.Bidirectional ? "bidirectional " : "")}{cell} → {HeadKinds.Name(config.Head)} head → Linear; {config}",
        };

        // Inputs, and the lengths every node and the head read.
        string input = config.TokenInput ? "tokens" : "features";
        if (config.TokenInput)
            graph.Input.Add(Value(input, DataType.Int64, "Token ids, time-major; padded steps hold any valid id.", "T", "B"));
        else
            graph.Input.Add(Value(input, DataType.Float, config.Task == ModelTask.Forecast
                ? "Input columns in the target's units (rnn.forecast's inputs, in that order), time-major; the graph scales them."
                : "Input features, time-major.", "T", "B", n.InputSize));
        graph.Input.Add(Value("sequence_lens", DataType.Int32, "Valid steps of each sequence, in [1, T] ([1]: the same for every sequence); T for each when not fed.", "lengths_batch"));
        graph.Initializer.Add(Int32("sequence_lens", [LengthsNotFed], 1));
        graph.Initializer.Add(Int64("time_index", [0]));
        graph.Initializer.Add(Int64("batch_index", [1], 1));
        graph.Initializer.Add(Int64("squeeze_axes", [1], 1));
        graph.Initializer.Add(Int32("lengths_not_fed", [LengthsNotFed]));
        graph.Node.Add(Node("Shape", "input_shape", [input], ["input_shape"]));
        graph.Node.Add(Node("Gather", "steps", ["input_shape", "time_index"], ["steps"], Int("axis", 0)));
        graph.Node.Add(Node("Cast", "steps_int32", ["steps"], ["steps_int32"], Int("to", (long)DataType.Int32)));
        graph.Node.Add(Node("Gather", "batch_size", ["input_shape", "batch_index"], ["batch_size"], Int("axis", 0)));
        graph.Node.Add(Node("Expand", "lengths_fed", ["sequence_lens", "batch_size"], ["lengths_fed"]));
        graph.Node.Add(Node("Equal", "lengths_unset", ["lengths_fed", "lengths_not_fed"], ["lengths_unset"]));
        graph.Node.Add(Node("Where", "lengths", ["lengths_unset", "steps_int32", "lengths_fed"], ["lengths"]));

        // Outputs.
        string[] perStep = config.PerSequence ? [] : ["T"];
        if (config.Task == ModelTask.Forecast)
            graph.Output.Add(Value("forecast", DataType.Float, "The next K values of the target after each window, in its units.", "B", o));
        else
        {
            string what = config.Task == ModelTask.Classify ? "class" : "tag";
            graph.Output.Add(Value("logits", DataType.Float, $"Unnormalised {what} scores (rnn.labels in order).", [.. perStep, "B", o]));
            graph.Output.Add(Value("probabilities", DataType.Float, $"Softmax of the logits: each {what}'s probability.", [.. perStep, "B", o]));
        }

        string x0 = Encoder(graph, config, parameters, contents, input);
        string top = Network(graph, parameters, n, x0, activation);
        string pooled = Head(graph, config.Head, top, n, h, width);

        graph.Initializer.Add(Float("linear.weight_t", OnnxExporter.Transpose(OnnxExporter.Single<T>(parameters.Value(parameters["linear.weight"])), o, width), width, o));
        graph.Initializer.Add(Float("linear.bias", OnnxExporter.Single<T>(parameters.Value(parameters["linear.bias"])), o));
        graph.Node.Add(Node("MatMul", "linear_matmul", [pooled, "linear.weight_t"], ["projected"]));
        if (config.Task == ModelTask.Forecast)
        {
            ColumnScaling target = contents.Scaling!.Column(contents.Scaling.Target);
            graph.Node.Add(Node("Add", "linear_bias", ["projected", "linear.bias"], ["forecast_scaled"]));
            graph.Initializer.Add(Float("scaling.target_std", [(float)target.Std]));
            graph.Initializer.Add(Float("scaling.target_mean", [(float)target.Mean]));
            graph.Node.Add(Node("Mul", "unscale_std", ["forecast_scaled", "scaling.target_std"], ["forecast_spread"]));
            graph.Node.Add(Node("Add", "unscale_mean", ["forecast_spread", "scaling.target_mean"], ["forecast"]));
        }
        else
        {
            graph.Node.Add(Node("Add", "linear_bias", ["projected", "linear.bias"], ["logits"]));
            graph.Node.Add(Node("Softmax", "softmax", ["logits"], ["probabilities"], Int("axis", -1)));
        }
        return graph;
    }

    /// <summary>The input columns of a forecaster, in the order its features are read.</summary>
    public static IReadOnlyList<string> ForecastInputs(ModelContents contents) =>
        contents.Forecast?.Inputs is { Count: > 0 } inputs ? inputs : [contents.Scaling!.Target];

    // x_0: the embedding of the tokens, the scaled columns of a forecaster, or a numeric tagger's features as they are.
    private static string Encoder<T>(GraphProto graph, ModelConfig config, ParameterSet<T> parameters, ModelContents contents, string input)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (config.TokenInput)
        {
            graph.Initializer.Add(Float("embedding.weight", OnnxExporter.Single<T>(parameters.Value(parameters["embedding.weight"])), config.VocabularySize, config.Network.InputSize));
            graph.Node.Add(Node("Gather", "embedding", ["embedding.weight", input], ["x_0"], Int("axis", 0)));
            return "x_0";
        }
        if (config.Task != ModelTask.Forecast) return input;
        ColumnScaling[] columns = [.. ForecastInputs(contents).Select(contents.Scaling!.Column)];
        int features = config.Network.InputSize;
        graph.Initializer.Add(Float("scaling.mean", [.. columns.Select(c => (float)c.Mean)], features));
        graph.Initializer.Add(Float("scaling.std", [.. columns.Select(c => (float)c.Std)], features));
        graph.Node.Add(Node("Sub", "scale_center", [input, "scaling.mean"], ["features_centered"]));
        graph.Node.Add(Node("Div", "scale_spread", ["features_centered", "scaling.std"], ["x_0"]));
        return "x_0";
    }

    // The recurrent layers, each direction one node; returns the top layer's output [T, B, D·H].
    private static string Network<T>(GraphProto graph, ParameterSet<T> parameters, RnnOptions n, string x0, string activation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int directions = n.NumDirections;
        string Output(int layer, int d) => $"h_l{layer}{(d == 1 ? "_reverse" : "")}";
        for (int k = 0; k < n.NumLayers; k++)
        {
            string below = k == 0 ? x0 : Both(graph, Output(k - 1, 0), Output(k - 1, 1), directions, $"x_{k}");
            for (int d = 0; d < directions; d++)
            {
                // separate stacking: each direction reads its own tower
                string layerInput = k == 0 || n.Stacking == Stacking.Concat ? below : Output(k - 1, d);
                OnnxRecurrentLayer.AddDirection(graph, parameters, n, k, reverse: d == 1, layerInput, "lengths", activation, Output(k, d));
            }
        }
        return Both(graph, Output(n.NumLayers - 1, 0), Output(n.NumLayers - 1, 1), directions, "top");
    }

    // Both directions side by side [T, B, 2H] (a node only when the graph reads it), or the forward one alone.
    private static string Both(GraphProto graph, string forward, string reverse, int directions, string name)
    {
        if (directions == 1) return forward;
        graph.Node.Add(Node("Concat", $"{name}_concat", [forward, reverse], [name], Int("axis", 2)));
        return name;
    }

    // What the linear layer reads: top [T, B, W] itself, or one row [B, W] per sequence.
    private static string Head(GraphProto graph, HeadKind head, string top, RnnOptions n, int h, int width)
    {
        switch (head)
        {
            case HeadKind.PerStep:
                return top;
            case HeadKind.MeanPool:
            {
                // mask [T, B, 1] = (t < lengths_b); P = Σ_t top ⊙ mask · (1 / lengths), as SequenceHeads sums, then scales
                graph.Initializer.Add(Int32("zero_int32", [0]));
                graph.Initializer.Add(Int32("one_int32", [1]));
                graph.Initializer.Add(Int64("time_axis", [0], 1));
                graph.Initializer.Add(Int64("feature_axis", [2], 1));
                graph.Node.Add(Node("Range", "step_ids", ["zero_int32", "steps_int32", "one_int32"], ["step_ids"]));
                graph.Node.Add(Node("Unsqueeze", "step_column", ["step_ids", "squeeze_axes"], ["step_column"]));
                graph.Node.Add(Node("Unsqueeze", "length_row", ["lengths", "time_axis"], ["length_row"]));
                graph.Node.Add(Node("Less", "valid_steps", ["step_column", "length_row"], ["valid_steps"]));
                graph.Node.Add(Node("Cast", "valid_weight", ["valid_steps"], ["valid_weight"], Int("to", (long)DataType.Float)));
                graph.Node.Add(Node("Unsqueeze", "step_mask", ["valid_weight", "feature_axis"], ["step_mask"]));
                graph.Node.Add(Node("Mul", "masked", [top, "step_mask"], ["masked"]));
                graph.Node.Add(Node("ReduceSum", "step_sum", ["masked", "time_axis"], ["step_sum"], Int("keepdims", 0)));
                graph.Node.Add(Node("Cast", "length_count", ["lengths"], ["length_count"], Int("to", (long)DataType.Float)));
                graph.Node.Add(Node("Unsqueeze", "length_column", ["length_count", "squeeze_axes"], ["length_column"]));
                graph.Node.Add(Node("Reciprocal", "length_inverse", ["length_column"], ["length_inverse"]));
                graph.Node.Add(Node("Mul", "mean_pool", ["step_sum", "length_inverse"], ["pooled"]));
                return "pooled";
            }
            default:
            {
                // the forward direction's output at each sequence's last step: GatherElements on the time axis with
                // index lengths − 1 for every unit ([1, B, H]); the reverse direction's at step 0
                string forward = $"h_l{n.NumLayers - 1}";
                graph.Initializer.Add(Int32("one_int32", [1]));
                graph.Initializer.Add(Int64("time_axis", [0], 1));
                graph.Initializer.Add(Int64("end_axes", [0, 2], 2));
                graph.Initializer.Add(Int64("one_dim", [1], 1));
                graph.Initializer.Add(Int64("hidden_dim", [h], 1));
                graph.Node.Add(Node("Sub", "last_step", ["lengths", "one_int32"], ["last_step"]));
                graph.Node.Add(Node("Cast", "last_step_int64", ["last_step"], ["last_step_int64"], Int("to", (long)DataType.Int64)));
                graph.Node.Add(Node("Unsqueeze", "last_step_column", ["last_step_int64", "end_axes"], ["last_step_column"]));
                graph.Node.Add(Node("Concat", "end_shape", ["one_dim", "batch_size", "hidden_dim"], ["end_shape"], Int("axis", 0)));
                graph.Node.Add(Node("Expand", "end_index", ["last_step_column", "end_shape"], ["end_index"]));
                graph.Node.Add(Node("GatherElements", "forward_end", [forward, "end_index"], ["forward_end_step"], Int("axis", 0)));
                string forwardEnd = n.Bidirectional ? "forward_end" : "pooled";
                graph.Node.Add(Node("Squeeze", "forward_end_squeeze", ["forward_end_step", "time_axis"], [forwardEnd]));
                if (!n.Bidirectional) return forwardEnd;
                graph.Node.Add(Node("Gather", "reverse_end", [forward + "_reverse", "time_index"], ["reverse_end"], Int("axis", 0)));
                graph.Node.Add(Node("Concat", "final_state", ["forward_end", "reverse_end"], ["pooled"], Int("axis", 1)));
                return "pooled";
            }
        }
    }
}
