// Activations and their derivatives, the derivative always taken from the saved forward output s = f(x):
//   tanh' = 1 − s², sigmoid' = s(1 − s), relu' = [s > 0], identity' = 1.
using System.Numerics;
using System.Numerics.Tensors;

namespace Rnn.Kernels;

/// <summary>Elementwise activation functions over spans.</summary>
public static class Activation
{
    /// <summary>destination[i] = f(x[i]). <paramref name="x"/> and <paramref name="destination"/> may be the same span.
    /// NaN propagates (relu keeps NaN as NaN).</summary>
    public static void Forward<T>(Nonlinearity f, ReadOnlySpan<T> x, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLengths(x.Length, destination.Length, nameof(destination));
        if (x.IsEmpty) return;   // TensorPrimitives.Sigmoid rejects empty spans
        // tanh and sigmoid come from FastMath: faster, and within a few ulp where the base library's tanh loses the
        // digits of small inputs (float tanh(1e-5) comes out 0.5% low; double tanh(1e-20) is not even positive).
        if (FastMath.TryApply(f, x, destination)) return;
        switch (f)
        {
            case Nonlinearity.Tanh: TensorPrimitives.Tanh(x, destination); break;
            case Nonlinearity.Sigmoid: TensorPrimitives.Sigmoid(x, destination); break;
            case Nonlinearity.Relu: TensorPrimitives.Max(x, T.Zero, destination); break;
            case Nonlinearity.Identity: if (!x.Overlaps(destination)) x.CopyTo(destination); break;
            default: throw UnknownNonlinearity(f);
        }
    }

    /// <summary>
    /// destination[i] = gradient[i] · f'(x_i), with f' computed from the forward output s[i] = f(x_i).
    /// <paramref name="gradient"/> and <paramref name="destination"/> may be the same span.
    /// </summary>
    public static void Backward<T>(Nonlinearity f, ReadOnlySpan<T> output, ReadOnlySpan<T> gradient, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLengths(output.Length, gradient.Length, nameof(gradient));
        CheckLengths(output.Length, destination.Length, nameof(destination));
        int i = 0, n = output.Length, width = Vector<T>.Count;
        if (Vector.IsHardwareAccelerated && f != Nonlinearity.Identity)
        {
            // The vector loop reads each chunk before writing it, so gradient and destination may alias.
            for (; i <= n - width; i += width)
            {
                var s = new Vector<T>(output[i..]);
                var g = new Vector<T>(gradient[i..]);
                Vector<T> d = f switch
                {
                    Nonlinearity.Tanh => g * (Vector<T>.One - s * s),
                    Nonlinearity.Sigmoid => g * s * (Vector<T>.One - s),
                    _ => Vector.ConditionalSelect(Vector.GreaterThan(s, Vector<T>.Zero), g, Vector<T>.Zero),
                };
                d.CopyTo(destination[i..]);
            }
        }
        switch (f)
        {
            case Nonlinearity.Tanh:
                for (; i < n; i++)
                {
                    T s = output[i];
                    destination[i] = gradient[i] * (T.One - s * s);
                }
                break;
            case Nonlinearity.Sigmoid:
                for (; i < n; i++)
                {
                    T s = output[i];
                    destination[i] = gradient[i] * s * (T.One - s);
                }
                break;
            case Nonlinearity.Relu:
                for (; i < n; i++)
                    destination[i] = output[i] > T.Zero ? gradient[i] : T.Zero;
                break;
            case Nonlinearity.Identity:
                if (!gradient.Overlaps(destination)) gradient.CopyTo(destination);
                break;
            default: throw UnknownNonlinearity(f);
        }
    }

    /// <summary>Parses <c>tanh</c>, <c>relu</c>, <c>sigmoid</c> or <c>identity</c> (case-insensitive).</summary>
    public static Nonlinearity Parse(string name) => name.ToLowerInvariant() switch
    {
        "tanh" => Nonlinearity.Tanh,
        "relu" => Nonlinearity.Relu,
        "sigmoid" => Nonlinearity.Sigmoid,
        "identity" or "linear" => Nonlinearity.Identity,
        _ => throw new ArgumentException($"Unknown nonlinearity '{name}'; expected tanh, relu, sigmoid or identity.", nameof(name)),
    };

    /// <summary>The lower-case name used in files and on the command line.</summary>
    public static string Name(Nonlinearity f) => f switch
    {
        Nonlinearity.Tanh => "tanh",
        Nonlinearity.Relu => "relu",
        Nonlinearity.Sigmoid => "sigmoid",
        Nonlinearity.Identity => "identity",
        _ => throw UnknownNonlinearity(f),
    };

    private static void CheckLengths(int expected, int actual, string name)
    {
        if (actual != expected)
            throw new ArgumentException($"{name} has length {actual}; expected {expected}.", name);
    }

    private static ArgumentOutOfRangeException UnknownNonlinearity(Nonlinearity f) =>
        new(nameof(f), f, "Unknown nonlinearity.");
}
