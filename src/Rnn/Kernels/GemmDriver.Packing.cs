// Packing: copies of op(A) and op(B) blocks into the layouts the micro-kernels read contiguously,
//   A block  row panels [height][kc] stacked, height MR or the short tile's (PanelHeight)
//   B block  panels [nc/NR][kc][NR]
// both zero-padded at the edges, into pinned, 64-byte-aligned per-thread buffers that are reused across calls.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Rnn.Kernels;

/// <content>Packing of A and B panels and the buffers they go in.</content>
internal static unsafe partial class GemmDriver<T, TTile>
{
    // Per-thread packing buffers, grown on demand and kept: a product allocates nothing once they are large enough.
    [ThreadStatic] private static T[]? t_packA;
    [ThreadStatic] private static T[]? t_packB;

    /// <summary>Packs the rows ic..ic+mc of A (not transposed), K block pc..pc+kc, into row panels of <see cref="PanelHeight"/>
    /// rows each, stacked so that the panel starting at row r of the block begins at packA + r·kc.</summary>
    private static void PackABlock(in GemmOperands<T> op, int ic, int mc, int pc, int kc, T* packA)
    {
        for (int ir = 0, height; ir < mc; ir += height)
        {
            height = PanelHeight(mc - ir, uniform: false);
            PackA(op, ic + ir, Math.Min(height, mc - ir), height, pc, kc, packA + ir * kc);
        }
    }

    /// <summary>
    /// Packs src [kc, width] (row stride ld), whose rows run along the panels, as panels dst[w / panel][kc][panel]
    /// zero-padded to whole panels. Reads each source row front to back, so the hardware prefetchers follow it
    /// even when rows are a page apart; op(B) untransposed and op(A) transposed are stored this way.
    /// </summary>
    internal static void PackRowsIntoPanels(T* src, nint ld, int kc, int width, int panel, T* dst)
    {
        int fullWidth = width / panel * panel, panelBytes = panel * sizeof(T);
        // A call to the span copy per panel costs more than the copy itself when the panel is a few vectors wide
        // (the AVX2 micro-kernel's A panels are 24 bytes), so panels go by Vector256, else Vector128, then elements.
        int wide = Vector256.IsHardwareAccelerated ? panelBytes / Vector256<byte>.Count * Vector256<byte>.Count : 0;
        int narrow = Vector128.IsHardwareAccelerated ? wide + (panelBytes - wide) / Vector128<byte>.Count * Vector128<byte>.Count : wide;
        for (int p = 0; p < kc; p++, src += ld)
        {
            T* to = dst + p * panel;
            int w = 0;
            for (; w < fullWidth; w += panel, to += kc * panel)
            {
                byte* from = (byte*)(src + w);
                int v = 0;
                for (; v < wide; v += Vector256<byte>.Count) Vector256.Load(from + v).Store((byte*)to + v);
                for (; v < narrow; v += Vector128<byte>.Count) Vector128.Load(from + v).Store((byte*)to + v);
                for (int e = v / sizeof(T); e < panel; e++) to[e] = src[w + e];
            }
            if (w == width) continue;
            int j = 0;
            for (; w + j < width; j++) to[j] = src[w + j];
            for (; j < panel; j++) to[j] = T.Zero;
        }
    }

    /// <summary>
    /// The height of the next row panel when <paramref name="remaining"/> rows of the block are left: MR, except that the
    /// last 7 or 8 rows go in two short panels, and 4 or fewer in one, so that even row counts need no padding rows
    /// (32 = 4·6 + 2·4, 64 = 10·6 + 4). Panel heights only change which kernel computes a row, never its arithmetic.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int PanelHeight(int remaining, bool uniform)
    {
        int mr = TTile.Rows, sr = TTile.ShortRows;
        if (uniform || sr == mr) return mr;
        return remaining <= sr || (remaining > mr && remaining <= 2 * sr) ? sr : mr;
    }

    /// <summary>Packs A[i0..i0+rows, p0..p0+kc] (not transposed) as one micro-panel dst[p·mr + i] of height
    /// <paramref name="mr"/>; rows ≥ <paramref name="rows"/> are padding whose results are never stored.</summary>
    private static void PackA(in GemmOperands<T> op, int i0, int rows, int mr, int p0, int kc, T* dst)
    {
        int done = 0;
        T* a = op.A + i0 * op.Lda + p0;
        // Element by element the strided writes cost a tenth of a small product, so float panels go 8 columns at a
        // time through an 8×8 transpose. With MR < 8 each block's last store spills into the next column's place, so
        // blocks stop while a column is left for the element loop to write over the spill. In an edge panel the
        // transpose fills rows ≥ rows with copies of the last row: the micro-kernel's results for those rows are
        // never stored, and each C element depends only on its own row of A.
        if (typeof(T) == typeof(float) && Avx.IsSupported && mr <= 8)
        {
            int lastStart = mr == 8 ? kc - 8 : kc - 9;
            for (; done <= lastStart; done += 8)
                Transpose8x8.Run((float*)(a + done), op.Lda, rows, (float*)(dst + done * mr), mr);
        }
        for (int i = 0; i < mr; i++)
        {
            if (i >= rows)
            {
                for (int p = done; p < kc; p++) dst[p * mr + i] = T.Zero;
                continue;
            }
            T* src = a + i * op.Lda;
            for (int p = done; p < kc; p++) dst[p * mr + i] = src[p];
        }
    }

    /// <summary>Packs op(B)[p0..p0+kc, j0..j0+cols] as one micro-panel dst[p·NR + j], columns ≥ <paramref name="cols"/> zero.</summary>
    private static void PackB(in GemmOperands<T> op, int p0, int kc, int j0, int cols, T* dst)
    {
        int nr = TTile.Cols;
        if (!op.TransposeB)
        {
            T* src = op.B + p0 * op.Ldb + j0;
            for (int p = 0; p < kc; p++, src += op.Ldb, dst += nr)
            {
                int j = 0;
                for (; j < cols; j++) dst[j] = src[j];
                for (; j < nr; j++) dst[j] = T.Zero;
            }
            return;
        }
        // op(B)(p, j) = B[j, p]: each stored row of B becomes a column of the panel.
        for (int j = 0; j < nr; j++)
        {
            if (j >= cols)
            {
                for (int p = 0; p < kc; p++) dst[p * nr + j] = T.Zero;
                continue;
            }
            T* src = op.B + (j0 + j) * op.Ldb + p0;
            for (int p = 0; p < kc; p++) dst[p * nr + j] = src[p];
        }
    }

    /// <summary>The buffer for the packed A blocks of <paramref name="rows"/> rows of C, MC rows and KC deep at most.</summary>
    private static T* PackABuffer(int rows, int k) => Buffer(ref t_packA, Math.Min(MC, RoundUp(rows, TTile.Rows)) * Math.Min(KC, k));

    /// <summary>A 64-byte-aligned pointer to at least <paramref name="length"/> elements of a pinned per-thread array.</summary>
    private static T* Buffer(ref T[]? array, int length)
    {
        int slack = 64 / sizeof(T);
        if (array is null || array.Length < length + slack)
            array = GC.AllocateUninitializedArray<T>(length + slack, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        return (T*)((address + 63) & ~(nint)63);
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
