// An 8×8 float transpose in registers: the packing of A panels (rows of A become columns of a panel) and of a
// transposed prepacked B runs through it, where element-by-element strided writes cost as much as the product.
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Rnn.Kernels;

/// <summary>An 8×8 float transpose in Vector256 registers, for packing operands into the micro-kernels' panels.</summary>
internal static unsafe class Transpose8x8
{
    /// <summary>
    /// dst[q·ldDst + r] = src[min(r, rows − 1)·ldSrc + q] for r, q &lt; 8: rows past <paramref name="rows"/> repeat the
    /// last one and land in columns r ≥ rows of dst, which a caller packing fewer than 8 rows overwrites. The 8 stores run
    /// in ascending q, so with ldDst &lt; 8 each one's spill is overwritten by the next.
    /// </summary>
    public static void Run(float* src, nint ldSrc, int rows, float* dst, nint ldDst)
    {
        nint last = rows - 1;
        Vector256<float> r0 = Avx.LoadVector256(src), r1 = Avx.LoadVector256(src + Math.Min(1, last) * ldSrc);
        Vector256<float> r2 = Avx.LoadVector256(src + Math.Min(2, last) * ldSrc), r3 = Avx.LoadVector256(src + Math.Min(3, last) * ldSrc);
        Vector256<float> r4 = Avx.LoadVector256(src + Math.Min(4, last) * ldSrc), r5 = Avx.LoadVector256(src + Math.Min(5, last) * ldSrc);
        Vector256<float> r6 = Avx.LoadVector256(src + Math.Min(6, last) * ldSrc), r7 = Avx.LoadVector256(src + Math.Min(7, last) * ldSrc);
        // Pairs of rows interleaved, then quadruples, within each 128-bit lane; the lanes are exchanged last.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + ldDst, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * ldDst, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 3 * ldDst, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * ldDst, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 5 * ldDst, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * ldDst, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + 7 * ldDst, Avx.Permute2x128(u3, u7, 0x31));
    }
}
