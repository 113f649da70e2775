// A right operand packed once for many products. A recurrent layer multiplies by the same weight W at every time
// step (S_t += S_{t-1}·Wᵀ forward, D_t += D_{t+1}·W backward) with only batch-many rows, where packing W on every
// call would cost as much as the product and reading it in place (GemmDot, DirectB) gives up the packed
// micro-kernel. Packing W once per pass turns each step into the packed path without its B packing; the product
// against it is GemmDriver.Prepacked.cs.
//   layout   panels [⌈n/NR⌉][k][NR] for the micro-kernel chosen at construction, the last zero-padded to NR columns
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Rnn.Kernels;

/// <summary>
/// A right operand op(B) [k, n] packed once into the layout the micro-kernel reads, for many products
/// <c>C = alpha · A · op(B) + beta · C</c> with the same B (see
/// <see cref="Gemm.Multiply{T}(int, T, ReadOnlySpan{T}, int, PackedMatrix{T}, T, Span{T}, int)"/>).
/// It holds a copy: after B changes, call <see cref="Pack"/> again.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public sealed unsafe class PackedMatrix<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    // Panels [⌈n/NR⌉][k][NR], the last zero-padded to NR columns; pinned so that products read it by pointer.
    private readonly T[] _data;
    private readonly int _offset;

    /// <summary>Creates an empty (all-zero) packed operand of <paramref name="rows"/> × <paramref name="columns"/>; fill it with <see cref="Pack"/>.</summary>
    /// <param name="rows">k, the rows of op(B): the shared dimension of the products.</param>
    /// <param name="columns">n, the columns of op(B) and of C.</param>
    public PackedMatrix(int rows, int columns)
        : this(rows, columns, Gemm.BestKernel<T>())
    {
    }

    /// <summary>Creates an empty packed operand laid out for <paramref name="kernel"/>, so tests can reach every kernel.</summary>
    internal PackedMatrix(int rows, int columns, GemmKernel kernel)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        bool vectorType = typeof(T) == typeof(float) || typeof(T) == typeof(double);
        Kernel = vectorType ? kernel : GemmKernel.Scalar;
        PanelWidth = Kernel switch
        {
            GemmKernel.Vector512 => Vector512Tile<T>.Cols,
            GemmKernel.Vector256 => Vector256Tile<T>.Cols,
            _ => ScalarTile<T>.Cols,
        };
        Rows = rows;
        Columns = columns;
        int slack = 64 / sizeof(T);
        long length = ((long)columns + PanelWidth - 1) / PanelWidth * PanelWidth * rows + slack;
        _data = GC.AllocateArray<T>(checked((int)length), pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_data));
        _offset = (int)((((address + 63) & ~(nint)63) - address) / sizeof(T));
    }

    /// <summary>k, the rows of op(B).</summary>
    public int Rows { get; }

    /// <summary>n, the columns of op(B).</summary>
    public int Columns { get; }

    /// <summary>The micro-kernel the layout is made for.</summary>
    internal GemmKernel Kernel { get; }

    /// <summary>NR, the columns of one panel.</summary>
    internal int PanelWidth { get; }

    /// <summary>The first panel, 64-byte aligned.</summary>
    internal T* Pointer => (T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_data)) + _offset;

    /// <summary>Copies op(B) into the packed layout, replacing what was packed before.</summary>
    /// <param name="transpose">False: B is stored [<see cref="Rows"/>, <see cref="Columns"/>]; true: B is stored [<see cref="Columns"/>, <see cref="Rows"/>] and used transposed.</param>
    /// <param name="b">B, row-major with row stride <paramref name="ldb"/>.</param>
    /// <param name="ldb">Row stride of B (≥ its stored column count).</param>
    public void Pack(bool transpose, ReadOnlySpan<T> b, int ldb)
    {
        int k = Rows, n = Columns, nr = PanelWidth;
        Gemm.CheckMatrix("b", transpose ? n : k, transpose ? k : n, b.Length, ldb);
        if (k == 0 || n == 0) return;
        fixed (T* pb = b)
        {
            T* dst = Pointer;
            if (!transpose)
            {
                GemmDriver<T, ScalarTile<T>>.PackRowsIntoPanels(pb, ldb, k, n, nr, dst);
                return;
            }
            // op(B)(p, j) = B[j, p]: each stored row of B becomes a column of a panel.
            for (int j0 = 0; j0 < n; j0 += nr, dst += (nint)k * nr)
            {
                int cols = Math.Min(nr, n - j0), p0 = 0;
                // Element by element, the strided writes cost more than a whole recurrent step, so full float panels
                // are transposed 8×8 in registers, leaving the k mod 8 last rows.
                if (typeof(T) == typeof(float) && Avx.IsSupported && cols == nr && nr % 8 == 0)
                {
                    p0 = k - k % 8;
                    for (int p = 0; p < p0; p += 8)
                        for (int j = 0; j < nr; j += 8)
                            Transpose8x8.Run((float*)(pb + (nint)(j0 + j) * ldb + p), ldb, 8, (float*)(dst + p * nr + j), nr);
                }
                // A panel with padding columns never took the 8×8 path, so p0 = 0 there and the padding is zeroed whole.
                for (int j = 0; j < nr; j++)
                {
                    if (j >= cols)
                    {
                        for (int p = p0; p < k; p++) dst[p * nr + j] = T.Zero;
                        continue;
                    }
                    T* src = pb + (nint)(j0 + j) * ldb;
                    for (int p = p0; p < k; p++) dst[p * nr + j] = src[p];
                }
            }
        }
    }
}
