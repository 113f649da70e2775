// The scalar micro-kernel: C[4, 4] += A panel · B panel, 16 accumulators, for machines without AVX2+FMA and for
// element types other than float and double. Its arithmetic per element is the vector kernels' (FMAs in ascending
// p, one merge), so every kernel gives a product the same error bound.
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Rnn.Kernels;

/// <summary>4×4 scalar tile for machines without AVX2+FMA and for element types other than float and double.</summary>
internal readonly unsafe struct ScalarTile<T> : IMicroTile<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Rows => 4;

    public static int Cols => 4;

    public static int ShortRows => Rows;

    public static void RunShort(int kc, T* a, T* b, nint ldb, T* c, nint ldc, T alpha, T beta, bool overwrite, bool prefetchB)
        => Run(kc, a, b, ldb, c, ldc, alpha, beta, overwrite, prefetchB);

    public static void Run(int kc, T* a, T* b, nint ldb, T* c, nint ldc, T alpha, T beta, bool overwrite, bool prefetchB)
    {
        T c00 = T.Zero, c01 = T.Zero, c02 = T.Zero, c03 = T.Zero;
        T c10 = T.Zero, c11 = T.Zero, c12 = T.Zero, c13 = T.Zero;
        T c20 = T.Zero, c21 = T.Zero, c22 = T.Zero, c23 = T.Zero;
        T c30 = T.Zero, c31 = T.Zero, c32 = T.Zero, c33 = T.Zero;
        for (int p = 0; p < kc; p++)
        {
            T b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
            T ai = a[0];
            c00 = T.FusedMultiplyAdd(ai, b0, c00); c01 = T.FusedMultiplyAdd(ai, b1, c01);
            c02 = T.FusedMultiplyAdd(ai, b2, c02); c03 = T.FusedMultiplyAdd(ai, b3, c03);
            ai = a[1];
            c10 = T.FusedMultiplyAdd(ai, b0, c10); c11 = T.FusedMultiplyAdd(ai, b1, c11);
            c12 = T.FusedMultiplyAdd(ai, b2, c12); c13 = T.FusedMultiplyAdd(ai, b3, c13);
            ai = a[2];
            c20 = T.FusedMultiplyAdd(ai, b0, c20); c21 = T.FusedMultiplyAdd(ai, b1, c21);
            c22 = T.FusedMultiplyAdd(ai, b2, c22); c23 = T.FusedMultiplyAdd(ai, b3, c23);
            ai = a[3];
            c30 = T.FusedMultiplyAdd(ai, b0, c30); c31 = T.FusedMultiplyAdd(ai, b1, c31);
            c32 = T.FusedMultiplyAdd(ai, b2, c32); c33 = T.FusedMultiplyAdd(ai, b3, c33);
            a += 4;
            b += ldb;
        }
        Merge(c, c00, c01, c02, c03, alpha, beta, overwrite); c += ldc;
        Merge(c, c10, c11, c12, c13, alpha, beta, overwrite); c += ldc;
        Merge(c, c20, c21, c22, c23, alpha, beta, overwrite); c += ldc;
        Merge(c, c30, c31, c32, c33, alpha, beta, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Merge(T* c, T acc0, T acc1, T acc2, T acc3, T alpha, T beta, bool overwrite)
    {
        c[0] = GemmDriver<T, ScalarTile<T>>.MergeOne(c[0], acc0, alpha, beta, overwrite);
        c[1] = GemmDriver<T, ScalarTile<T>>.MergeOne(c[1], acc1, alpha, beta, overwrite);
        c[2] = GemmDriver<T, ScalarTile<T>>.MergeOne(c[2], acc2, alpha, beta, overwrite);
        c[3] = GemmDriver<T, ScalarTile<T>>.MergeOne(c[3], acc3, alpha, beta, overwrite);
    }
}
