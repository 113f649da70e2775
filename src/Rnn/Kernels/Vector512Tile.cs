// The AVX-512 micro-kernel: C[8, 2·Vector512] += A panel · B panel, 16 accumulators in zmm registers.
//   per p:  2 loads of B's row, 8 broadcasts of A's column, 16 FMAs
// Every C element is one chain of FMAs in ascending p, merged into C once: c = alpha·acc or fma(alpha, acc, beta·c).
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static Rnn.Kernels.VectorFma;

namespace Rnn.Kernels;

/// <summary>8×(2·Vector512) tile: 16 accumulators of the 32 zmm registers.</summary>
internal readonly unsafe struct Vector512Tile<T> : IMicroTile<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int PrefetchRows = 16;

    public static int Rows => 8;

    public static int Cols => 2 * Vector512<T>.Count;

    public static int ShortRows => Rows;

    public static void RunShort(int kc, T* a, T* b, nint ldb, T* c, nint ldc, T alpha, T beta, bool overwrite, bool prefetchB)
        => Run(kc, a, b, ldb, c, ldc, alpha, beta, overwrite, prefetchB);

    public static void Run(int kc, T* a, T* b, nint ldb, T* c, nint ldc, T alpha, T beta, bool overwrite, bool prefetchB)
    {
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<T> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<T> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<T> c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            // Rows of an unpacked B are a page or more apart, beyond the hardware prefetchers' reach.
            if (Sse.IsSupported && prefetchB) Sse.Prefetch0(b + PrefetchRows * ldb);
            Vector512<T> b0 = Vector512.Load(b), b1 = Vector512.Load(b + Vector512<T>.Count);
            Vector512<T> ai = Vector512.Create(a[0]);
            c00 = Fma(ai, b0, c00); c01 = Fma(ai, b1, c01);
            ai = Vector512.Create(a[1]);
            c10 = Fma(ai, b0, c10); c11 = Fma(ai, b1, c11);
            ai = Vector512.Create(a[2]);
            c20 = Fma(ai, b0, c20); c21 = Fma(ai, b1, c21);
            ai = Vector512.Create(a[3]);
            c30 = Fma(ai, b0, c30); c31 = Fma(ai, b1, c31);
            ai = Vector512.Create(a[4]);
            c40 = Fma(ai, b0, c40); c41 = Fma(ai, b1, c41);
            ai = Vector512.Create(a[5]);
            c50 = Fma(ai, b0, c50); c51 = Fma(ai, b1, c51);
            ai = Vector512.Create(a[6]);
            c60 = Fma(ai, b0, c60); c61 = Fma(ai, b1, c61);
            ai = Vector512.Create(a[7]);
            c70 = Fma(ai, b0, c70); c71 = Fma(ai, b1, c71);
            a += 8;
            b += ldb;
        }
        Vector512<T> va = Vector512.Create(alpha), vb = Vector512.Create(beta);
        Merge(c, c00, c01, va, vb, overwrite); c += ldc;
        Merge(c, c10, c11, va, vb, overwrite); c += ldc;
        Merge(c, c20, c21, va, vb, overwrite); c += ldc;
        Merge(c, c30, c31, va, vb, overwrite); c += ldc;
        Merge(c, c40, c41, va, vb, overwrite); c += ldc;
        Merge(c, c50, c51, va, vb, overwrite); c += ldc;
        Merge(c, c60, c61, va, vb, overwrite); c += ldc;
        Merge(c, c70, c71, va, vb, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Merge(T* c, Vector512<T> acc0, Vector512<T> acc1, Vector512<T> alpha, Vector512<T> beta, bool overwrite)
    {
        MergeInto(c, acc0, alpha, beta, overwrite);
        MergeInto(c + Vector512<T>.Count, acc1, alpha, beta, overwrite);
    }
}
