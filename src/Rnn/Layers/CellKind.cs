namespace Rnn.Layers;

/// <summary>Which recurrent cell a network is built from; the words in files and on the command line are <c>rnn</c>, <c>lstm</c>, <c>gru</c>.</summary>
public enum CellKind
{
    /// <summary>The simple (Elman) cell, <c>h' = f(W_ih x + b_ih + W_hh h + b_hh)</c>: PyTorch's <c>nn.RNN</c>, one gate block.</summary>
    Rnn,
    /// <summary>PyTorch's <c>nn.LSTM</c>: gate blocks input, forget, cell, output, and a cell state c.</summary>
    Lstm,
    /// <summary>PyTorch's <c>nn.GRU</c>: gate blocks reset, update, new.</summary>
    Gru,
}
