// The product against a PackedMatrix: op.B points at its panels [⌈n/NR⌉][k][NR], so only A is packed during the
// call (or, for one row, not at all):
//   m = 1   one row of A against 4 micro-panels at a time, 8 Vector256 accumulators    (PrepackedRow)
//   m ≥ 2   A packed per KC block, the register-tiled micro-kernel against the panels   (PrepackedBlock)
// Both form every C element by the chain of the packed path (FMAs in ascending p, merged into C once per KC
// block), so a row's result does not depend on m, on the thread count, or on which of the two computed it.
using System.Runtime.Intrinsics;
using static Rnn.Kernels.VectorFma;

namespace Rnn.Kernels;

/// <content>The prepacked path: op.B points at <see cref="PackedMatrix{T}"/> panels [⌈n/NR⌉][k][NR].</content>
internal static unsafe partial class GemmDriver<T, TTile>
{
    // Panels the single-row kernel runs against at once: 2 accumulators each, 8 in all, enough to hide FMA latency.
    private const int RowPanels = 4;

    /// <summary>
    /// Computes the whole product against prepacked B, on up to <paramref name="maxThreads"/> threads when it is large
    /// enough, each thread ending with <paramref name="epilogue"/> over the block of C it computed.
    /// </summary>
    public static void RunPrepacked<TEpilogue>(in GemmOperands<T> op, int maxThreads, TEpilogue epilogue)
        where TEpilogue : struct, IGemmEpilogue<T>
        => Run(op, maxThreads, GemmPath.Prepacked, epilogue);

    /// <summary>C[i0..i1, j0..j1] against prepacked B; j0 is a multiple of NR.</summary>
    private static void PrepackedBlock(in GemmOperands<T> op, int i0, int i1, int j0, int j1)
    {
        int mr = TTile.Rows, nr = TTile.Cols;
        // The single-row kernel works in Vector256 halves of a panel, which the scalar tile's 4 columns are not.
        if (i1 - i0 == 1 && nr % (2 * Vector256<T>.Count) == 0)
        {
            PrepackedRow(op, i0, j0, j1);
            return;
        }
        nint panelSize = (nint)op.K * nr;
        T* packA = PackABuffer(i1 - i0, op.K);  // row panels [height][kc] stacked, see PackABlock
        T* edge = stackalloc T[mr * nr];        // [MR, NR], a full tile for C's ragged edge

        for (int ic = i0; ic < i1; ic += MC)
        {
            int mc = Math.Min(MC, i1 - ic);
            for (int pc = 0; pc < op.K; pc += KC)
            {
                int kc = Math.Min(KC, op.K - pc);
                T beta = BlockBeta(op.Beta, pc, out bool overwrite);
                PackABlock(op, ic, mc, pc, kc, packA);
                // One [kc, NR] panel (16 KiB) stays in L1 while every row panel of A passes over it.
                for (int jr = j0; jr < j1; jr += nr)
                    TileColumn(op, kc, packA, op.B + jr / nr * panelSize + pc * nr, nr, ic, mc, jr, Math.Min(nr, j1 - jr), beta, overwrite,
                        prefetchB: false, uniform: false, edge);
            }
        }
    }

    /// <summary>
    /// C[i, j0..j1] against prepacked B for a single row i, with NR a multiple of 2 Vector256: acc[j] = Σ_p A[i, p]·B[p, j]
    /// by FMA in ascending p within each KC block, merged into C per block as the micro-kernels do.
    /// </summary>
    private static void PrepackedRow(in GemmOperands<T> op, int i, int j0, int j1)
    {
        int nr = TTile.Cols, lanes = Vector256<T>.Count;
        nint panelSize = (nint)op.K * nr;
        T* aRow = op.A + i * op.Lda;
        T* c = op.C + i * op.Ldc;
        T* acc = stackalloc T[RowPanels * nr];  // [RowPanels][NR], the accumulators of the current panels
        for (int pc = 0; pc < op.K; pc += KC)
        {
            int kc = Math.Min(KC, op.K - pc);
            T beta = BlockBeta(op.Beta, pc, out bool overwrite);
            for (int jr = j0; jr < j1; jr += RowPanels * nr)
            {
                int width = Math.Min(RowPanels * nr, j1 - jr), panels = (width + nr - 1) / nr;
                T* b = op.B + jr / nr * panelSize + pc * nr;
                for (int h = 0; h < nr; h += 2 * lanes)
                {
                    if (panels == RowPanels)
                        RowOfFour(kc, aRow + pc, b + h, panelSize, nr, acc + h);
                    else
                        for (int q = 0; q < panels; q++)
                            RowOfOne(kc, aRow + pc, b + q * panelSize + h, nr, acc + q * nr + h);
                }
                for (int j = 0; j < width; j++)
                    c[jr + j] = MergeOne(c[jr + j], acc[j], op.Alpha, beta, overwrite);
            }
        }
    }

    /// <summary>
    /// acc[q·NR + s] = Σ_{p &lt; kc} a[p]·b[q·panelSize + p·NR + s] for panels q &lt; 4 and s &lt; 2 Vector256,
    /// by FMA in ascending p.
    /// </summary>
    private static void RowOfFour(int kc, T* a, T* b, nint panelSize, nint nr, T* acc)
    {
        int lanes = Vector256<T>.Count;
        T* b1 = b + panelSize, b2 = b1 + panelSize, b3 = b2 + panelSize;
        Vector256<T> s00 = default, s01 = default, s10 = default, s11 = default;
        Vector256<T> s20 = default, s21 = default, s30 = default, s31 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<T> x = Vector256.Create(a[p]);
            nint o = p * nr;
            s00 = Fma(x, Vector256.Load(b + o), s00); s01 = Fma(x, Vector256.Load(b + o + lanes), s01);
            s10 = Fma(x, Vector256.Load(b1 + o), s10); s11 = Fma(x, Vector256.Load(b1 + o + lanes), s11);
            s20 = Fma(x, Vector256.Load(b2 + o), s20); s21 = Fma(x, Vector256.Load(b2 + o + lanes), s21);
            s30 = Fma(x, Vector256.Load(b3 + o), s30); s31 = Fma(x, Vector256.Load(b3 + o + lanes), s31);
        }
        s00.Store(acc); s01.Store(acc + lanes); acc += nr;
        s10.Store(acc); s11.Store(acc + lanes); acc += nr;
        s20.Store(acc); s21.Store(acc + lanes); acc += nr;
        s30.Store(acc); s31.Store(acc + lanes);
    }

    /// <summary>acc[s] = Σ_{p &lt; kc} a[p]·b[p·NR + s] for s &lt; 2 Vector256, by FMA in ascending p.</summary>
    private static void RowOfOne(int kc, T* a, T* b, nint nr, T* acc)
    {
        int lanes = Vector256<T>.Count;
        Vector256<T> s0 = default, s1 = default;
        for (int p = 0; p < kc; p++, b += nr)
        {
            Vector256<T> x = Vector256.Create(a[p]);
            s0 = Fma(x, Vector256.Load(b), s0);
            s1 = Fma(x, Vector256.Load(b + lanes), s1);
        }
        s0.Store(acc);
        s1.Store(acc + lanes);
    }
}
