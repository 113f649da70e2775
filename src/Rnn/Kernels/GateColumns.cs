// The column order of a gated cell's per-step product h_{t-1}·W_hhᵀ [B, G·H], chosen so that the cell's epilogue
// (GemmEpilogue.cs) sees all G gates of a unit together and reads each gate as whole vectors:
//   units in blocks of W = one Vector256 of T (8 floats, 4 doubles); block u0 / W holds units u0 .. u0+w−1
//   (w = W, or H mod W for a ragged last block) in columns G·u0 .. G·(u0+w)−1, gate g of unit u0+l at G·u0 + g·w + l
// So a block's gate g is w adjacent columns, and the whole block G·W columns: the epilogue's column granule.
// W_hh's rows stay in PyTorch's order [G·H, H] (gate g of unit u is row g·H + u); only the packed copy is reordered.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Rnn.Kernels;

/// <summary>The unit-blocked, gate-interleaved column order of a gated cell's per-step product.</summary>
internal static unsafe class GateColumns
{
    /// <summary>W, the units of one block: one Vector256 of <typeparamref name="T"/>.</summary>
    public static int BlockWidth<T>() where T : unmanaged => Vector256<T>.Count;

    /// <summary>The column granule of an epilogue over this order: G·W.</summary>
    public static int Granule<T>(int gates) where T : unmanaged => gates * BlockWidth<T>();

    /// <summary>
    /// Runs <paramref name="epilogue"/>'s <see cref="IUnitBlock{T}.Block"/> over the rows [i0, i1) and the units
    /// [u0, u1) of a block of C, W units at a time, then the ragged rest. u0 is a multiple of W wherever the thread
    /// split puts it (the split keeps the granule), so whether a unit falls in a ragged block does not depend on it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ForEachUnitBlock<T, TBlock>(in TBlock epilogue, T* c, nint ldc, int i0, int i1, int u0, int u1)
        where T : unmanaged where TBlock : struct, IUnitBlock<T>
    {
        int width = BlockWidth<T>();
        for (int b = i0; b < i1; b++)
        {
            int u = u0;
            for (; u + width <= u1; u += width) epilogue.Block(c, ldc, b, u, width);
            if (u < u1) RaggedBlock<T, TBlock>(epilogue, c, ldc, b, u, u1 - u);
        }
    }

    // The ragged last block, out of line: its partial loads stay out of the whole blocks' loop.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RaggedBlock<T, TBlock>(in TBlock epilogue, T* c, nint ldc, int b, int u, int width)
        where T : unmanaged where TBlock : struct, IUnitBlock<T>
        => epilogue.Block(c, ldc, b, u, width);

    /// <summary>The column of gate <paramref name="gate"/> of unit <paramref name="unit"/>, out of H units of G gates.</summary>
    public static int Column<T>(int unit, int gate, int hiddenSize, int gates) where T : unmanaged
    {
        int width = BlockWidth<T>(), start = unit / width * width, blockWidth = Math.Min(width, hiddenSize - start);
        return gates * start + gate * blockWidth + (unit - start);
    }

    /// <summary>rows[column] = g·H + u, the row of W_hh [G·H, H] whose transpose is that column of the product.</summary>
    public static void SourceRows<T>(int hiddenSize, int gates, Span<int> rows) where T : unmanaged
    {
        for (int gate = 0; gate < gates; gate++)
            for (int unit = 0; unit < hiddenSize; unit++)
                rows[Column<T>(unit, gate, hiddenSize, gates)] = gate * hiddenSize + unit;
    }

    /// <summary>The <paramref name="width"/> ≤ W elements at <paramref name="p"/> as a vector, the lanes past them zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Load<T>(T* p, int width) where T : unmanaged
        => width == Vector256<T>.Count ? Vector256.Load(p) : LoadPartial(p, width);

    /// <summary>Stores the first <paramref name="width"/> ≤ W lanes of <paramref name="v"/> at <paramref name="p"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<T>(Vector256<T> v, T* p, int width) where T : unmanaged
    {
        if (width == Vector256<T>.Count) v.Store(p);
        else StorePartial(v, p, width);
    }

    // The ragged last block only: kept out of line so that the whole blocks' code stays small enough to inline.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector256<T> LoadPartial<T>(T* p, int width) where T : unmanaged
    {
        Vector256<T> v = Vector256<T>.Zero;
        for (int l = 0; l < width; l++) v = v.WithElement(l, p[l]);
        return v;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void StorePartial<T>(Vector256<T> v, T* p, int width) where T : unmanaged
    {
        for (int l = 0; l < width; l++) p[l] = v.GetElement(l);
    }
}

/// <summary>A gated cell's epilogue as the update of one block of units of one batch row.</summary>
internal unsafe interface IUnitBlock<T> where T : unmanaged
{
    /// <summary>Updates units [u, u + w) of row b (w ≤ W) from C, whose row b starts at c + b·ldc.</summary>
    void Block(T* c, nint ldc, int b, int u, int w);
}
