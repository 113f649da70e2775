// What the prepacked product does with C once a thread has computed its part of it, while that part is in cache:
// the recurrent step's activation (forward) or derivative (backward), fused into the product; for a gated cell,
// the whole update of each hidden unit from its gates.
//
// The epilogue is a type argument, a struct implementing IGemmEpilogue<T>: the JIT compiles the thread split and
// the block loop once per epilogue with Apply inlined, so there is no interface call, and NoEpilogue costs nothing.
//
// Column granule. A gated cell's epilogue needs all G gates of a hidden unit at once (LSTM: i, f, g, o; GRU: r, z, n).
// The cell packs W_hh so that the G gates of each unit are G adjacent columns of C,
//   C[b, u·G + g] = the pre-activation of gate g of unit u        op(B) = W_hhᵀ [H, G·H], columns in that order
// and declares ColumnGranule = G. The threads then split the columns only at multiples of lcm(NR, G), so every
// block handed to Apply holds whole units. With granule 1 the split is by whole NR panels, as for a plain product.
using System.Numerics;

namespace Rnn.Kernels;

/// <summary>
/// A pass over C that a prepacked product runs after the product, on each thread over the block of C that thread
/// computed, while the block is still in cache.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
/// <remarks>
/// The contract between the product and its epilogue:
/// <list type="bullet">
/// <item><description>The blocks C[i0..i1, j0..j1] passed to <see cref="Apply"/> cover C [m, n] exactly once. When
/// Apply is handed a block, every element of it holds its final product alpha·A·op(B) + beta·C. With k = 0 or
/// alpha = 0 there is no product: C is beta·C, and Apply runs once over all of C. With m = 0 or n = 0 it does not
/// run.</description></item>
/// <item><description>j0 and j1 are multiples of <see cref="ColumnGranule"/>, which must divide n: a group of
/// that many adjacent columns is never split between blocks.</description></item>
/// <item><description>Blocks may run at the same time on different threads. Apply writes C only inside its block, and
/// whatever else it writes only for the rows and columns (or units) of its block. It does not start a product
/// itself: the calling thread's split job is in use until the product returns.</description></item>
/// <item><description>Where C is split depends on the thread count, the micro-kernel's panel width and the shape.
/// For results not to depend on them, Apply computes each element (or unit) alike wherever it falls in a
/// block.</description></item>
/// <item><description>Implementations are readonly structs, taken by value as a type argument, so that each is
/// compiled into the product with no virtual call. Pointers they hold stay pinned by the caller for the whole
/// call.</description></item>
/// </list>
/// </remarks>
internal unsafe interface IGemmEpilogue<T> where T : unmanaged
{
    /// <summary>
    /// The columns of C come in groups of this many (≥ 1, dividing n) that <see cref="Apply"/> sees together: every
    /// block's column range starts and ends at a multiple of it. 1 for elementwise epilogues; G for a gated cell
    /// whose G gates of each unit are adjacent columns.
    /// </summary>
    int ColumnGranule { get; }

    /// <summary>Runs over the finished block C[i0..i1, j0..j1] of C [m, n], where C[i, j] is at c[i·ldc + j].</summary>
    /// <param name="c">The first element of C (not of the block).</param>
    /// <param name="ldc">Row stride of C.</param>
    void Apply(T* c, nint ldc, int i0, int i1, int j0, int j1);
}

/// <summary>No epilogue: C is left as the product made it.</summary>
internal readonly unsafe struct NoEpilogue<T> : IGemmEpilogue<T> where T : unmanaged
{
    public int ColumnGranule => 1;

    public void Apply(T* c, nint ldc, int i0, int i1, int j0, int j1)
    {
    }
}

/// <summary>
/// C = f(C), row segment by row segment: the forward step of a recurrent layer. The activations compute each element
/// alike wherever it falls in a span (FastMath), so the result does not depend on how C was split between threads.
/// </summary>
internal readonly unsafe struct ActivationEpilogue<T>(Nonlinearity function) : IGemmEpilogue<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Nonlinearity _function = function;

    public int ColumnGranule => 1;

    public void Apply(T* c, nint ldc, int i0, int i1, int j0, int j1)
    {
        for (int i = i0; i < i1; i++)
        {
            var row = new Span<T>(c + i * ldc + j0, j1 - j0);
            Activation.Forward<T>(_function, row, row);
        }
    }
}

/// <summary>
/// C = C ⊙ f'(S), with f' taken from the saved outputs S = f(net) [m, n]: the backward step of a recurrent layer.
/// The derivative is elementwise, so, as for <see cref="ActivationEpilogue{T}"/>, the split does not show.
/// </summary>
internal readonly unsafe struct ActivationGradientEpilogue<T>(Nonlinearity function, T* outputs, nint ldOutputs) : IGemmEpilogue<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Nonlinearity _function = function;
    private readonly T* _outputs = outputs;
    private readonly nint _ldOutputs = ldOutputs;

    public int ColumnGranule => 1;

    public void Apply(T* c, nint ldc, int i0, int i1, int j0, int j1)
    {
        int width = j1 - j0;
        for (int i = i0; i < i1; i++)
        {
            var row = new Span<T>(c + i * ldc + j0, width);
            Activation.Backward<T>(_function, new ReadOnlySpan<T>(_outputs + i * _ldOutputs + j0, width), row, row);
        }
    }
}
