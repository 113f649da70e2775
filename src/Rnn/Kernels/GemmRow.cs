// C[0, :] = alpha · op(A)[0, :] · B + beta · C[0, :] for one row of C and B not transposed (the backward step at
// batch 1): B streams by in storage order into a chunk of accumulators that stays in L1.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static Rnn.Kernels.VectorFma;

namespace Rnn.Kernels;

/// <summary>
/// C[0, :] = alpha · op(A)[0, :] · B + beta · C[0, :] for a single row and B not transposed (the recurrent backward
/// step at batch 1): B is read row by row in storage order, the way memory streams fastest, into accumulators in L1.
/// </summary>
internal static unsafe class GemmRow<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    // Columns per pass: accumulators of 2 KiB (float) stay in L1 while all k rows of B go by.
    private const int Width = 512;

    /// <summary>
    /// C[0, j0..j1]: acc[j] = Σ_p a_p·B[p, j] by FMA in ascending p, then C = alpha·acc (beta = 0) or fma(alpha, acc, beta·C).
    /// </summary>
    public static void Run(in GemmOperands<T> op, int j0, int j1)
    {
        int lanes = Vector256<T>.Count;
        T* acc = stackalloc T[Width];  // [Width], the current column chunk of C's row
        nint aStep = op.TransposeA ? op.Lda : 1;
        for (int jc = j0; jc < j1; jc += Width)
        {
            int w = Math.Min(Width, j1 - jc), wVec = w - w % lanes;
            new Span<T>(acc, w).Clear();
            T* a = op.A, bRow = op.B + jc;
            for (int p = 0; p < op.K; p++, a += aStep, bRow += op.Ldb)
            {
                T ap = *a;
                Vector256<T> vap = Vector256.Create(ap);
                int j = 0;
                for (; j < wVec; j += lanes) Fma(vap, Vector256.Load(bRow + j), Vector256.Load(acc + j)).Store(acc + j);
                for (; j < w; j++) acc[j] = T.FusedMultiplyAdd(ap, bRow[j], acc[j]);
            }
            T* c = op.C + jc;
            bool overwrite = T.IsZero(op.Beta);
            for (int j = 0; j < w; j++)
                c[j] = overwrite ? op.Alpha * acc[j] : T.FusedMultiplyAdd(op.Alpha, acc[j], op.Beta * c[j]);
        }
    }
}
