namespace Rnn.Kernels;

/// <summary>The activation f of a recurrent layer, <c>s_t = f(U x_t + W s_{t-1} + b)</c>.</summary>
public enum Nonlinearity
{
    /// <summary>f(x) = tanh(x); f' = 1 − s².</summary>
    Tanh,
    /// <summary>f(x) = max(0, x); f' = 1 where s &gt; 0, else 0.</summary>
    Relu,
    /// <summary>f(x) = 1 / (1 + e^−x); f' = s(1 − s).</summary>
    Sigmoid,
    /// <summary>f(x) = x; f' = 1. The tutorial uses it for gradient checks.</summary>
    Identity,
}
