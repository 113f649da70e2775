namespace Rnn.Models;

/// <summary>What the output layer reads from the recurrent network's top-layer outputs Y [T, B, D·H].</summary>
public enum HeadKind
{
    /// <summary>Every step: scores [T·B, O] (language models, tagging).</summary>
    PerStep,
    /// <summary>Each direction's state at the end of its pass: the forward direction's output at each sequence's last
    /// step, the reverse direction's at step 0 (PyTorch's h_n of the top layer): scores [B, O].</summary>
    FinalState,
    /// <summary>The mean of Y over each sequence's valid steps: scores [B, O].</summary>
    MeanPool,
}

/// <summary>The names of <see cref="HeadKind"/>, as in files.</summary>
public static class HeadKinds
{
    /// <summary><c>step</c>, <c>final</c> or <c>mean</c>.</summary>
    public static string Name(HeadKind head) => head switch
    {
        HeadKind.PerStep => "step",
        HeadKind.FinalState => "final",
        HeadKind.MeanPool => "mean",
        _ => throw new ArgumentOutOfRangeException(nameof(head), head, "Unknown head."),
    };

    /// <summary>Parses <see cref="Name"/>'s output; null for an unknown name.</summary>
    public static HeadKind? Parse(string name) => name switch
    {
        "step" => HeadKind.PerStep,
        "final" => HeadKind.FinalState,
        "mean" => HeadKind.MeanPool,
        _ => null,
    };
}
