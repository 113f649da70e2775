// C = alpha · A · Bᵀ + beta · C for few rows (the recurrent step S·Wᵀ without a prepacked W): C[i, j] is the dot
// product of the contiguous rows A[i, :] and B[j, :], so neither operand is packed.
//   2×4 tiles     8 Vector256 accumulators, one lane per residue of p; lanes summed, then the k mod lanes tail
//   1×8 tiles     for an odd last row, rather than a pair computed twice
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static Rnn.Kernels.VectorFma;

namespace Rnn.Kernels;

/// <summary>
/// C = alpha · A · Bᵀ + beta · C for few rows of A (the recurrent step S·Wᵀ): C[i, j] is the dot product of the
/// contiguous rows A[i, :] and B[j, :], so neither operand is packed and B streams through once per 2 rows of C.
/// For a B used at many steps, <see cref="PackedMatrix{T}"/> with the prepacked product is faster.
/// </summary>
internal static unsafe class GemmDot<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Above this many rows the packed path's register reuse wins over skipping the packing.</summary>
    public const int MaxRows = 64;

    /// <summary>C[i0..i1, j0..j1], each element by the same sequence of operations wherever it falls in a tile.</summary>
    public static void Run(in GemmOperands<T> op, int i0, int i1, int j0, int j1)
    {
        int pairsEnd = i0 + (i1 - i0) / 2 * 2;
        // 2×4 tiles: B's 4 rows stay in L1 while every row pair of A passes over them.
        for (int j = j0; j < j1; j += 4)
            for (int i = i0; i < pairsEnd; i += 2)
                Tile(op, i, j, Math.Min(4, j1 - j));
        // A row without a partner (all of C at batch 1) gets tiles of its own rather than a pair computed twice.
        if (pairsEnd < i1)
            for (int j = j0; j < j1; j += 8)
                RowTile(op, pairsEnd, j, Math.Min(8, j1 - j));
    }

    /// <summary>
    /// C[i0 + r, j0 + s] for r &lt; 2, s &lt; cols: acc = Σ_p a·b with one Vector256 lane per residue of p,
    /// lanes summed by <see cref="Vector256.Sum{T}"/>, then the k mod lanes tail by scalar FMA in ascending p; then
    /// C = alpha·acc (beta = 0) or fma(alpha, acc, beta·C). Missing columns repeat the last real one.
    /// </summary>
    private static void Tile(in GemmOperands<T> op, int i0, int j0, int cols)
    {
        int k = op.K, lanes = Vector256<T>.Count, kVec = k - k % lanes;
        T* a0 = op.A + i0 * op.Lda, a1 = a0 + op.Lda;
        T* b0 = op.B + j0 * op.Ldb, b1 = op.B + (j0 + Math.Min(1, cols - 1)) * op.Ldb;
        T* b2 = op.B + (j0 + Math.Min(2, cols - 1)) * op.Ldb, b3 = op.B + (j0 + Math.Min(3, cols - 1)) * op.Ldb;
        Vector256<T> s00 = default, s01 = default, s02 = default, s03 = default;
        Vector256<T> s10 = default, s11 = default, s12 = default, s13 = default;
        for (int p = 0; p < kVec; p += lanes)
        {
            Vector256<T> x0 = Vector256.Load(a0 + p), x1 = Vector256.Load(a1 + p);
            Vector256<T> y = Vector256.Load(b0 + p);
            s00 = Fma(x0, y, s00); s10 = Fma(x1, y, s10);
            y = Vector256.Load(b1 + p);
            s01 = Fma(x0, y, s01); s11 = Fma(x1, y, s11);
            y = Vector256.Load(b2 + p);
            s02 = Fma(x0, y, s02); s12 = Fma(x1, y, s12);
            y = Vector256.Load(b3 + p);
            s03 = Fma(x0, y, s03); s13 = Fma(x1, y, s13);
        }
        T* c = op.C + i0 * op.Ldc + j0;
        Store(op, c, a0, b0, kVec, s00);
        if (cols > 1) Store(op, c + 1, a0, b1, kVec, s01);
        if (cols > 2) Store(op, c + 2, a0, b2, kVec, s02);
        if (cols > 3) Store(op, c + 3, a0, b3, kVec, s03);
        c += op.Ldc;
        Store(op, c, a1, b0, kVec, s10);
        if (cols > 1) Store(op, c + 1, a1, b1, kVec, s11);
        if (cols > 2) Store(op, c + 2, a1, b2, kVec, s12);
        if (cols > 3) Store(op, c + 3, a1, b3, kVec, s13);
    }

    /// <summary>
    /// C[i, j0 + s] for s &lt; cols ≤ 8 by the arithmetic of <see cref="Tile"/>: one row of A against 8 rows of B,
    /// 8 accumulators to hide the FMA latency. Missing columns repeat the last real one.
    /// </summary>
    private static void RowTile(in GemmOperands<T> op, int i, int j0, int cols)
    {
        int k = op.K, lanes = Vector256<T>.Count, kVec = k - k % lanes;
        T* a = op.A + i * op.Lda;
        T* b0 = op.B + j0 * op.Ldb, b1 = op.B + (j0 + Math.Min(1, cols - 1)) * op.Ldb;
        T* b2 = op.B + (j0 + Math.Min(2, cols - 1)) * op.Ldb, b3 = op.B + (j0 + Math.Min(3, cols - 1)) * op.Ldb;
        T* b4 = op.B + (j0 + Math.Min(4, cols - 1)) * op.Ldb, b5 = op.B + (j0 + Math.Min(5, cols - 1)) * op.Ldb;
        T* b6 = op.B + (j0 + Math.Min(6, cols - 1)) * op.Ldb, b7 = op.B + (j0 + Math.Min(7, cols - 1)) * op.Ldb;
        Vector256<T> s0 = default, s1 = default, s2 = default, s3 = default;
        Vector256<T> s4 = default, s5 = default, s6 = default, s7 = default;
        for (int p = 0; p < kVec; p += lanes)
        {
            Vector256<T> x = Vector256.Load(a + p);
            s0 = Fma(x, Vector256.Load(b0 + p), s0); s1 = Fma(x, Vector256.Load(b1 + p), s1);
            s2 = Fma(x, Vector256.Load(b2 + p), s2); s3 = Fma(x, Vector256.Load(b3 + p), s3);
            s4 = Fma(x, Vector256.Load(b4 + p), s4); s5 = Fma(x, Vector256.Load(b5 + p), s5);
            s6 = Fma(x, Vector256.Load(b6 + p), s6); s7 = Fma(x, Vector256.Load(b7 + p), s7);
        }
        T* c = op.C + i * op.Ldc + j0;
        Store(op, c, a, b0, kVec, s0);
        if (cols > 1) Store(op, c + 1, a, b1, kVec, s1);
        if (cols > 2) Store(op, c + 2, a, b2, kVec, s2);
        if (cols > 3) Store(op, c + 3, a, b3, kVec, s3);
        if (cols > 4) Store(op, c + 4, a, b4, kVec, s4);
        if (cols > 5) Store(op, c + 5, a, b5, kVec, s5);
        if (cols > 6) Store(op, c + 6, a, b6, kVec, s6);
        if (cols > 7) Store(op, c + 7, a, b7, kVec, s7);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(in GemmOperands<T> op, T* c, T* a, T* b, int kVec, Vector256<T> partial)
    {
        T acc = Vector256.Sum(partial);
        for (int p = kVec; p < op.K; p++) acc = T.FusedMultiplyAdd(a[p], b[p], acc);
        *c = T.IsZero(op.Beta) ? op.Alpha * acc : T.FusedMultiplyAdd(op.Alpha, acc, op.Beta * *c);
    }
}
