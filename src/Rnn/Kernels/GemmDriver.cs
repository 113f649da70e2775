// The blocked product around a micro-kernel, as in Goto & van de Geijn, "Anatomy of high-performance matrix
// multiplication" (2008):
//   MR×NR  micro-tile of C held in registers; NR = 2 vectors
//   KC     depth of one rank-KC update; an A micro-panel [KC, MR] and a B micro-panel [KC, NR] sit in L1
//   MC×KC  packed block of op(A), kept in L2
//   KC×NC  packed block of op(B), kept in L3
// Packed A: panels [⌈mc/MR⌉][kc][MR], packed B: panels [⌈nc/NR⌉][kc][NR], both zero-padded at the edges, so the
// micro-kernel never branches and reads both operands contiguously whatever the transposes were.
//
// Few rows (the recurrent step, m = batch ≤ 64) make B's packing as costly as the product, so B is not packed:
//   m = 1, B not transposed      one row streamed against B's rows in storage order        (GemmRow)
//   m ≤ 64, B not transposed     packed A micro-panels against B's rows read in place       (DirectB)
//   m ≤ 64, A·Bᵀ                 dot products of contiguous rows of A and B, 2×4 tiles     (GemmDot)
//                                (1×8 for an odd last row)
// These use Vector256 whenever a vector kernel is chosen.
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Rnn.Kernels;

/// <summary>Cache blocking, packing and threading around a micro-kernel <typeparamref name="TTile"/>.</summary>
internal static unsafe partial class GemmDriver<T, TTile>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TTile : IMicroTile<T>
{
    // KC·NR·sizeof(T) = 16 KiB of B micro-panel in L1 for the AVX2 float kernel.
    private const int KC = 256;
    private const int NC = 4096;
    // Up to this many rows of C, packing B (a full copy of it) costs more than reading its rows in place: each
    // B micro-panel comes from memory once and from L2 for the remaining row panels.
    private const int DirectRows = 64;
    // MC·KC·sizeof(T) ≈ 256 KiB of packed A, a quarter of L2.
    private static int MC => (1 << 18) / (KC * sizeof(T)) / TTile.Rows * TTile.Rows;

    /// <summary>Computes the whole product, on up to <paramref name="maxThreads"/> threads when it is large enough.</summary>
    /// <param name="allowVector">Whether the unpacked Vector256 paths for few rows (dot products, one row) may be used.</param>
    public static void Run(in GemmOperands<T> op, int maxThreads, bool allowVector)
    {
        GemmPath path = allowVector && !op.TransposeB && op.M == 1 ? GemmPath.Row
            : !op.TransposeB && op.M <= DirectRows ? GemmPath.DirectB
            : allowVector && op.TransposeB && !op.TransposeA && op.M <= GemmDot<T>.MaxRows ? GemmPath.Dot
            : GemmPath.Packed;
        Run(op, maxThreads, path, default(NoEpilogue<T>));
    }

    /// <summary>C[i0..i1, j0..j1] by <paramref name="path"/>, then the epilogue over it, on the calling thread.</summary>
    private static void Compute<TEpilogue>(in GemmOperands<T> op, int i0, int i1, int j0, int j1, GemmPath path, TEpilogue epilogue)
        where TEpilogue : struct, IGemmEpilogue<T>
    {
        if (path == GemmPath.Dot) GemmDot<T>.Run(op, i0, i1, j0, j1);
        else if (path == GemmPath.Row) GemmRow<T>.Run(op, j0, j1);
        else if (path == GemmPath.Prepacked) PrepackedBlock(op, i0, i1, j0, j1);
        else Block(op, i0, i1, j0, j1, path == GemmPath.DirectB);
        epilogue.Apply(op.C, op.Ldc, i0, i1, j0, j1);
    }

    /// <summary>C[i0..i1, j0..j1] of the product, K blocked from p = 0 upwards.</summary>
    private static void Block(in GemmOperands<T> op, int i0, int i1, int j0, int j1, bool directB)
    {
        int mr = TTile.Rows, nr = TTile.Cols;
        int kcMax = Math.Min(KC, op.K), ncMax = directB ? nr : Math.Min(NC, RoundUp(j1 - j0, nr));
        T* packA = PackABuffer(i1 - i0, op.K);          // row panels [height][kc] stacked, see PackABlock
        T* packB = Buffer(ref t_packB, ncMax * kcMax);  // [nc/NR][kc][NR]; with directB only the edge panel
        T* edge = stackalloc T[mr * nr];                // [MR, NR], a full tile for C's ragged edge

        for (int jc = j0; jc < j1; jc += NC)
        {
            int nc = Math.Min(NC, j1 - jc);
            for (int pc = 0; pc < op.K; pc += KC)
            {
                int kc = Math.Min(KC, op.K - pc);
                T beta = BlockBeta(op.Beta, pc, out bool overwrite);
                if (directB)
                {
                    int full = nc / nr * nr;
                    if (full < nc) PackB(op, pc, kc, jc + full, nc - full, packB);
                }
                else if (!op.TransposeB)
                {
                    PackRowsIntoPanels(op.B + pc * op.Ldb + jc, op.Ldb, kc, nc, nr, packB);
                }
                else
                {
                    for (int jr = 0; jr < nc; jr += nr)
                        PackB(op, pc, kc, jc + jr, Math.Min(nr, nc - jr), packB + jr * kc);
                }

                for (int ic = i0; ic < i1; ic += MC)
                {
                    int mc = Math.Min(MC, i1 - ic);
                    // Transposed A is packed a row of op(A)ᵀ at a time across all panels, so its panels are all MR high.
                    bool uniform = op.TransposeA;
                    if (uniform) PackRowsIntoPanels(op.A + pc * op.Lda + ic, op.Lda, kc, mc, mr, packA);
                    else PackABlock(op, ic, mc, pc, kc, packA);

                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int cols = Math.Min(nr, nc - jr);
                        bool unpacked = directB && cols == nr;
                        T* bPanel = unpacked ? op.B + pc * op.Ldb + jc + jr : directB ? packB : packB + jr * kc;
                        nint ldb = unpacked ? op.Ldb : nr;
                        TileColumn(op, kc, packA, bPanel, ldb, ic, mc, jc + jr, cols, beta, overwrite, unpacked, uniform, edge);
                    }
                }
            }
        }
    }

    /// <summary>The tiles of one column panel of C (columns j0..j0+cols) against every row panel of the packed A block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TileColumn(in GemmOperands<T> op, int kc, T* packA, T* bPanel, nint ldb, int ic, int mc, int j0, int cols,
        T beta, bool overwrite, bool prefetchB, bool uniform, T* edge)
    {
        for (int ir = 0, height; ir < mc; ir += height)
        {
            height = PanelHeight(mc - ir, uniform);
            Tile(op, kc, packA + ir * kc, height, bPanel, ldb, ic + ir, Math.Min(height, mc - ir), j0, cols, beta, overwrite, prefetchB, edge);
        }
    }

    /// <summary>
    /// One micro-tile of C at (i0, j0), rows × cols of it inside C: straight into C when whole, else through
    /// <paramref name="edge"/> [MR, NR] and merged element by element with the same arithmetic.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile(in GemmOperands<T> op, int kc, T* aPanel, int height, T* bPanel, nint ldb, int i0, int rows, int j0, int cols,
        T beta, bool overwrite, bool prefetchB, T* edge)
    {
        int nr = TTile.Cols;
        bool full = height == TTile.Rows;
        T* cTile = op.C + i0 * op.Ldc + j0;
        if (rows == height && cols == nr)
        {
            if (full) TTile.Run(kc, aPanel, bPanel, ldb, cTile, op.Ldc, op.Alpha, beta, overwrite, prefetchB);
            else TTile.RunShort(kc, aPanel, bPanel, ldb, cTile, op.Ldc, op.Alpha, beta, overwrite, prefetchB);
            return;
        }
        // alpha = 1 makes edge = acc exactly; the merge below then matches a full tile's arithmetic.
        if (full) TTile.Run(kc, aPanel, bPanel, ldb, edge, nr, T.One, T.Zero, true, prefetchB);
        else TTile.RunShort(kc, aPanel, bPanel, ldb, edge, nr, T.One, T.Zero, true, prefetchB);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                cTile[i * op.Ldc + j] = MergeOne(cTile[i * op.Ldc + j], edge[i * nr + j], op.Alpha, beta, overwrite);
    }

    /// <summary>
    /// The beta with which the K block starting at <paramref name="pc"/> merges into C: only the first block sees the
    /// caller's beta (and overwrites C when it is zero); later blocks add to what it wrote.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T BlockBeta(T beta, int pc, out bool overwrite)
    {
        overwrite = pc == 0 && T.IsZero(beta);
        return pc == 0 ? beta : T.One;
    }

    /// <summary>The scalar form of a micro-kernel's merge: alpha·acc when overwriting, else fma(alpha, acc, beta·c).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T MergeOne(T c, T acc, T alpha, T beta, bool overwrite)
        => overwrite ? alpha * acc : T.FusedMultiplyAdd(alpha, acc, beta * c);}
