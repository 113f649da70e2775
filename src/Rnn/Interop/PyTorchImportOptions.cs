using Rnn.Kernels;

namespace Rnn.Interop;

/// <summary>How <see cref="PyTorchStateDict"/> reads a state dict: the activation and, when not the usual ones, the submodule names.</summary>
public sealed record PyTorchImportOptions
{
    /// <summary>
    /// The simple cell's recurrent activation, which a state dict does not record. Null means: the <c>nonlinearity</c>
    /// of the file's own <c>config</c> metadata when it is one of our model files, else tanh (<c>nn.RNN</c>'s default).
    /// Unused for an LSTM or GRU, whose activations are fixed.
    /// </summary>
    public Nonlinearity? Nonlinearity { get; init; }

    /// <summary>The prefix of the <c>nn.Embedding</c> weight, e.g. <c>"encoder."</c>; null to try <see cref="PyTorchStateDict.EmbeddingPrefixes"/>.</summary>
    public string? EmbeddingPrefix { get; init; }

    /// <summary>The prefix of the <c>nn.RNN</c>, <c>nn.LSTM</c> or <c>nn.GRU</c> parameters; null to try <see cref="PyTorchStateDict.RnnPrefixes"/>.</summary>
    public string? RnnPrefix { get; init; }

    /// <summary>The prefix of the output <c>nn.Linear</c>; null to try <see cref="PyTorchStateDict.LinearPrefixes"/>.</summary>
    public string? LinearPrefix { get; init; }
}
