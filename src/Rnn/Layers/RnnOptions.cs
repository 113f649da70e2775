using Rnn.Kernels;

namespace Rnn.Layers;

/// <summary>The configuration of a (deep, optionally bidirectional) recurrent network, with PyTorch's <c>nn.RNN</c>,
/// <c>nn.LSTM</c> and <c>nn.GRU</c> defaults.</summary>
public sealed record RnnOptions
{
    /// <summary>The cell: simple (the default), LSTM or GRU.</summary>
    public CellKind Cell { get; init; } = CellKind.Rnn;

    /// <summary>I: features per input step.</summary>
    public required int InputSize { get; init; }

    /// <summary>H: units per layer and direction.</summary>
    public required int HiddenSize { get; init; }

    /// <summary>L: stacked layers.</summary>
    public int NumLayers { get; init; } = 1;

    /// <summary>Whether each layer also runs backward in time (D = 2).</summary>
    public bool Bidirectional { get; init; }

    /// <summary>The activation f of the simple cell; the gated cells' activations are fixed (σ and tanh).</summary>
    public Nonlinearity Nonlinearity { get; init; } = Nonlinearity.Tanh;

    /// <summary>Whether the layers have the biases b_ih and b_hh (the tutorial's layer has none).</summary>
    public bool Bias { get; init; } = true;

    /// <summary>Whether inputs and outputs are [B, T, F] instead of [T, B, F]. Hidden states stay [L·D, B, H].</summary>
    public bool BatchFirst { get; init; }

    /// <summary>How the directions of a deep bidirectional RNN stack.</summary>
    public Stacking Stacking { get; init; } = Stacking.Concat;

    /// <summary>Dropout probability on the outputs of every layer but the last, in training mode only (PyTorch's <c>dropout</c>).</summary>
    public double Dropout { get; init; }

    /// <summary>D: 2 when bidirectional, else 1.</summary>
    public int NumDirections => Bidirectional ? 2 : 1;

    /// <summary>The width of the output, D·H.</summary>
    public int OutputSize => NumDirections * HiddenSize;

    /// <summary>The input width of layer <paramref name="layer"/>: I for layer 0, then D·H (concat) or H (separate).</summary>
    public int LayerInputSize(int layer) =>
        layer == 0 ? InputSize : Stacking == Stacking.Concat ? OutputSize : HiddenSize;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Cell)) throw new ArgumentOutOfRangeException(nameof(Cell), Cell, "Unknown cell.");
        if (InputSize <= 0) throw new ArgumentOutOfRangeException(nameof(InputSize), InputSize, "The input size must be positive.");
        if (HiddenSize <= 0) throw new ArgumentOutOfRangeException(nameof(HiddenSize), HiddenSize, "The hidden size must be positive.");
        if (NumLayers <= 0) throw new ArgumentOutOfRangeException(nameof(NumLayers), NumLayers, "The number of layers must be positive.");
        if (!Enum.IsDefined(Nonlinearity)) throw new ArgumentOutOfRangeException(nameof(Nonlinearity), Nonlinearity, "Unknown nonlinearity.");
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "Dropout must be in [0, 1).");
        if (!Enum.IsDefined(Stacking)) throw new ArgumentOutOfRangeException(nameof(Stacking), Stacking, "Unknown stacking.");
    }

    /// <summary>Whether the cell carries a cell state c besides h (LSTM), so that c0 and c_N exist.</summary>
    public bool HasCellState => Cell == CellKind.Lstm;

    /// <summary>The lower-case name of a cell, as in files and on the command line: <c>rnn</c>, <c>lstm</c> or <c>gru</c>.</summary>
    public static string CellName(CellKind cell) => cell switch
    {
        CellKind.Lstm => "lstm",
        CellKind.Gru => "gru",
        CellKind.Rnn => "rnn",
        _ => throw new ArgumentOutOfRangeException(nameof(cell), cell, "Unknown cell."),
    };

    /// <summary>Parses <c>rnn</c>, <c>lstm</c> or <c>gru</c>.</summary>
    public static CellKind ParseCell(string name) => name.ToLowerInvariant() switch
    {
        "rnn" => CellKind.Rnn,
        "lstm" => CellKind.Lstm,
        "gru" => CellKind.Gru,
        _ => throw new ArgumentException($"Unknown cell '{name}'; expected rnn, lstm or gru.", nameof(name)),
    };

    /// <summary>The lower-case name of a stacking mode, as in files and on the command line.</summary>
    public static string StackingName(Stacking stacking) => stacking == Stacking.Separate ? "separate" : "concat";

    /// <summary>Parses <c>concat</c> or <c>separate</c>.</summary>
    public static Stacking ParseStacking(string name) => name.ToLowerInvariant() switch
    {
        "concat" => Stacking.Concat,
        "separate" => Stacking.Separate,
        _ => throw new ArgumentException($"Unknown stacking '{name}'; expected concat or separate.", nameof(name)),
    };
}
