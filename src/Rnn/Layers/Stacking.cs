namespace Rnn.Layers;

/// <summary>How the layers of a deep bidirectional RNN feed each other.</summary>
public enum Stacking
{
    /// <summary>Layer k &gt; 0 takes the concatenation [s; s'] of layer k−1's two directions (PyTorch, Keras).</summary>
    Concat,
    /// <summary>Each direction stacks on its own direction only, the tutorial's literal deep equations: layer k's
    /// forward cell sees layer k−1's forward states, its reverse cell layer k−1's reverse states.</summary>
    Separate,
}
