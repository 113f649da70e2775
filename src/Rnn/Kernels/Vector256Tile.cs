// The AVX2+FMA micro-kernels: C[6, 2·Vector256] and, for the rows a 6-row tiling leaves over, C[4, 2·Vector256]
// += A panel · B panel, from one body whose height is a type argument.
//   per p:  2 loads of B's row, 6 (or 4) broadcasts of A's column, 12 (or 8) FMAs
// Every C element is one chain of FMAs in ascending p, merged into C once: c = alpha·acc or fma(alpha, acc, beta·c).
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static Rnn.Kernels.VectorFma;

namespace Rnn.Kernels;

/// <summary>6×(2·Vector256) tile: 12 accumulators, 2 B vectors and a broadcast fill 15 of the 16 ymm registers.</summary>
internal readonly unsafe struct Vector256Tile<T> : IMicroTile<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int PrefetchRows = 16;

    public static int Rows => 6;

    public static int Cols => 2 * Vector256<T>.Count;

    public static int ShortRows => 4;

    public static void Run(int kc, T* a, T* b, nint ldb, T* c, nint ldc, T alpha, T beta, bool overwrite, bool prefetchB)
        => Kernel<SixRows>(kc, a, b, ldb, c, ldc, alpha, beta, overwrite, prefetchB);

    /// <summary>The 4-row tile: 8 accumulators, as many FMA chains as two FMA units of latency 4 keep busy.</summary>
    public static void RunShort(int kc, T* a, T* b, nint ldb, T* c, nint ldc, T alpha, T beta, bool overwrite, bool prefetchB)
        => Kernel<FourRows>(kc, a, b, ldb, c, ldc, alpha, beta, overwrite, prefetchB);

    private interface IHeight
    {
        static abstract bool Six { get; }
    }

    private readonly struct SixRows : IHeight
    {
        public static bool Six => true;
    }

    private readonly struct FourRows : IHeight
    {
        public static bool Six => false;
    }

    /// <summary>Both tiles: THeight is a struct, so the JIT compiles one copy per height with the test folded away.</summary>
    private static void Kernel<THeight>(int kc, T* a, T* b, nint ldb, T* c, nint ldc, T alpha, T beta, bool overwrite, bool prefetchB)
        where THeight : struct, IHeight
    {
        int mr = THeight.Six ? 6 : 4;
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<T> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<T> c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            // Rows of an unpacked B are a page or more apart, beyond the hardware prefetchers' reach.
            if (Sse.IsSupported && prefetchB) Sse.Prefetch0(b + PrefetchRows * ldb);
            Vector256<T> b0 = Vector256.Load(b), b1 = Vector256.Load(b + Vector256<T>.Count);
            Vector256<T> ai = Vector256.Create(a[0]);
            c00 = Fma(ai, b0, c00); c01 = Fma(ai, b1, c01);
            ai = Vector256.Create(a[1]);
            c10 = Fma(ai, b0, c10); c11 = Fma(ai, b1, c11);
            ai = Vector256.Create(a[2]);
            c20 = Fma(ai, b0, c20); c21 = Fma(ai, b1, c21);
            ai = Vector256.Create(a[3]);
            c30 = Fma(ai, b0, c30); c31 = Fma(ai, b1, c31);
            if (THeight.Six)
            {
                ai = Vector256.Create(a[4]);
                c40 = Fma(ai, b0, c40); c41 = Fma(ai, b1, c41);
                ai = Vector256.Create(a[5]);
                c50 = Fma(ai, b0, c50); c51 = Fma(ai, b1, c51);
            }
            a += mr;
            b += ldb;
        }
        Vector256<T> va = Vector256.Create(alpha), vb = Vector256.Create(beta);
        Merge(c, c00, c01, va, vb, overwrite); c += ldc;
        Merge(c, c10, c11, va, vb, overwrite); c += ldc;
        Merge(c, c20, c21, va, vb, overwrite); c += ldc;
        Merge(c, c30, c31, va, vb, overwrite);
        if (!THeight.Six) return;
        c += ldc;
        Merge(c, c40, c41, va, vb, overwrite); c += ldc;
        Merge(c, c50, c51, va, vb, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Merge(T* c, Vector256<T> acc0, Vector256<T> acc1, Vector256<T> alpha, Vector256<T> beta, bool overwrite)
    {
        MergeInto(c, acc0, alpha, beta, overwrite);
        MergeInto(c + Vector256<T>.Count, acc1, alpha, beta, overwrite);
    }
}
