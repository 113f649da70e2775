// The output layer V of the tutorial, o_t = V s_t + b, PyTorch's nn.Linear.
// N = rows (T·B), In = input features, Out = output features.
using System.Numerics;
using System.Numerics.Tensors;
using Rnn.Kernels;
using Rnn.Tensors;

namespace Rnn.Layers;

/// <summary>A fully connected layer <c>y = x·Wᵀ + b</c> with PyTorch's <c>weight</c> [Out, In] and <c>bias</c> [Out].</summary>
public sealed class Linear<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ParameterSet<T> _parameters;

    /// <summary>Declares <c>{prefix}weight</c> [Out, In] and, with <paramref name="bias"/>, <c>{prefix}bias</c> [Out].</summary>
    public Linear(ParameterSet<T> parameters, int inputSize, int outputSize, bool bias = true, string namePrefix = "")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputSize);
        _parameters = parameters;
        InputSize = inputSize;
        OutputSize = outputSize;
        Weight = parameters.Add(namePrefix + "weight", outputSize, inputSize);
        if (bias) Bias = parameters.Add(namePrefix + "bias", outputSize);
    }

    /// <summary>In.</summary>
    public int InputSize { get; }

    /// <summary>Out.</summary>
    public int OutputSize { get; }

    /// <summary>V, <c>weight</c> [Out, In].</summary>
    public Parameter Weight { get; }

    /// <summary><c>bias</c> [Out], or null.</summary>
    public Parameter? Bias { get; }

    /// <summary>Initialises like PyTorch: weight and bias uniform in (−1/√In, 1/√In).</summary>
    public void ResetParameters(SeededRandom random)
    {
        double bound = 1.0 / Math.Sqrt(InputSize);
        random.FillUniform(_parameters.Value(Weight), -bound, bound);
        if (Bias is not null) random.FillUniform(_parameters.Value(Bias), -bound, bound);
    }

    /// <summary>y = x·Wᵀ + b.</summary>
    /// <param name="x">[N, In].</param>
    /// <param name="y">[N, Out], overwritten.</param>
    public void Forward(ReadOnlySpan<T> x, int rows, Span<T> y)
    {
        CheckShapes(x.Length, y.Length, rows);
        Gemm.Multiply(false, true, rows, OutputSize, InputSize, T.One, x, InputSize, _parameters.Value(Weight), InputSize, T.Zero, y, OutputSize);
        if (Bias is null) return;
        ReadOnlySpan<T> b = _parameters.Value(Bias);
        for (int r = 0; r < rows; r++)
        {
            Span<T> row = y.Slice(r * OutputSize, OutputSize);
            TensorPrimitives.Add(row, b, row);
        }
    }

    /// <summary>Accumulates ∇W += dyᵀ·x, ∇b += Σ dy, and dx += dy·W (dx may be empty to skip).</summary>
    /// <param name="x">The forward input [N, In].</param>
    /// <param name="dy">∂E/∂y [N, Out].</param>
    /// <param name="dx">∂E/∂x [N, In], accumulated; or empty.</param>
    public void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, int rows, Span<T> dx)
    {
        CheckShapes(x.Length, dy.Length, rows);
        if (!dx.IsEmpty && dx.Length != rows * InputSize)
            throw new ArgumentException($"dx has {dx.Length} elements; expected [N={rows}, In={InputSize}].", nameof(dx));
        Gemm.Multiply(true, false, OutputSize, InputSize, rows, T.One, dy, OutputSize, x, InputSize, T.One, _parameters.Gradient(Weight), InputSize);
        if (Bias is not null)
        {
            Span<T> db = _parameters.Gradient(Bias);
            for (int r = 0; r < rows; r++) TensorPrimitives.Add(db, dy.Slice(r * OutputSize, OutputSize), db);
        }
        if (!dx.IsEmpty)
            Gemm.Multiply(false, false, rows, InputSize, OutputSize, T.One, dy, OutputSize, _parameters.Value(Weight), InputSize, T.One, dx, InputSize);
    }

    private void CheckShapes(int xLength, int yLength, int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        if (xLength != rows * InputSize)
            throw new ArgumentException($"x has {xLength} elements; expected [N={rows}, In={InputSize}].", "x");
        if (yLength != rows * OutputSize)
            throw new ArgumentException($"y has {yLength} elements; expected [N={rows}, Out={OutputSize}].", "y");
    }
}
