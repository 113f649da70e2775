// General matrix multiply over row-major spans, like BLAS ?GEMM:
//   C[m, n] = alpha · op(A)[m, k] · op(B)[k, n] + beta · C[m, n]
// op(A) is A [m, k] (lda ≥ k) or, transposed, Aᵀ where A is stored [k, m] (lda ≥ m); likewise B.
// Leading dimensions let every operand be a column window of a wider row-major buffer.
//
// Blocked as in Goto & van de Geijn, "Anatomy of high-performance matrix multiplication" (2008):
//   MR×NR  micro-tile of C held in registers; NR = 2 vectors
//   KC     depth of one rank-KC update; an A micro-panel [KC, MR] and a B micro-panel [KC, NR] sit in L1
//   MC×KC  packed block of op(A), kept in L2
//   KC×NC  packed block of op(B), kept in L3
// Packed A: panels [⌈mc/MR⌉][kc][MR], packed B: panels [⌈nc/NR⌉][kc][NR], both zero-padded at the edges, so the
// micro-kernel never branches and reads both operands contiguously whatever the transposes were.
// Micro-kernels: 8×(2·Vector512) with AVX-512, 6×(2·Vector256) with AVX2+FMA, 4×4 scalar otherwise and for
// element types other than float and double.
//
// Few rows (the recurrent step, m = batch ≤ 64) make B's packing as costly as the product, so B is not packed:
//   m = 1, B not transposed      one row streamed against B's rows in storage order        (GemmRow)
//   m ≤ 64, B not transposed     packed A micro-panels against B's rows read in place       (DirectB)
//   m ≤ 64, A·Bᵀ                 dot products of contiguous rows of A and B, 2×4 tiles     (GemmDot)
//                                (1×8 for an odd last row)
// A B reused across calls (the recurrent weight) can instead be packed once: see GemmPrepacked.cs.
// These use Vector256 whenever a vector kernel is chosen.
//
// Determinism: every C element is the same chain of FMAs, p ascending within each KC block, merged into C once
// per block in the same order, whether its tile is full or an edge tile and whichever thread computes it.
// Threads split only M or N, never K, so results are bit-identical for any thread count.
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Rnn.Kernels;

/// <summary>Row-major general matrix multiply, the equivalent of BLAS SGEMM/DGEMM.</summary>
public static partial class Gemm
{
    /// <summary>
    /// Computes <c>C = alpha · op(A) · op(B) + beta · C</c> for row-major matrices.
    /// When <paramref name="beta"/> is zero, C is overwritten and its old contents (even NaN) are ignored.
    /// The result is bit-identical from call to call and does not depend on the number of threads used.
    /// </summary>
    /// <param name="transposeA">False: A is stored [m, k]; true: A is stored [k, m] and used transposed.</param>
    /// <param name="transposeB">False: B is stored [k, n]; true: B is stored [n, k] and used transposed.</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">The shared (inner) dimension.</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">A, row-major with row stride <paramref name="lda"/>.</param>
    /// <param name="lda">Row stride of A (≥ its stored column count).</param>
    /// <param name="b">B, row-major with row stride <paramref name="ldb"/>.</param>
    /// <param name="ldb">Row stride of B (≥ its stored column count).</param>
    /// <param name="beta">Scale of the old C.</param>
    /// <param name="c">C [m, n], row-major with row stride <paramref name="ldc"/>.</param>
    /// <param name="ldc">Row stride of C (≥ n).</param>
    public static void Multiply<T>(
        bool transposeA, bool transposeB, int m, int n, int k, T alpha,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Multiply(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc,
            BestKernel<T>(), ComputeThreads.Max);

    /// <summary>
    /// <see cref="Multiply{T}(bool, bool, int, int, int, T, ReadOnlySpan{T}, int, ReadOnlySpan{T}, int, T, Span{T}, int)"/>
    /// with the micro-kernel and the thread cap chosen by the caller, so tests can reach every path on any machine.
    /// A vector kernel without hardware support still computes the same values, slowly, in software.
    /// </summary>
    internal static unsafe void Multiply<T>(
        bool transposeA, bool transposeB, int m, int n, int k, T alpha,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc,
        GemmKernel kernel, int maxThreads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Validate(transposeA, transposeB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxThreads, 1);
        if (m == 0 || n == 0) return;

        if (k == 0 || T.IsZero(alpha))
        {
            ScaleC(m, n, beta, c, ldc);
            return;
        }

        bool vectorType = typeof(T) == typeof(float) || typeof(T) == typeof(double);
        fixed (T* pa = a)
        fixed (T* pb = b)
        fixed (T* pc = c)
        {
            var operands = new GemmOperands<T>(transposeA, transposeB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
            switch (vectorType ? kernel : GemmKernel.Scalar)
            {
                case GemmKernel.Vector512: GemmDriver<T, Vector512Tile<T>>.Run(operands, maxThreads, allowVector: true); break;
                case GemmKernel.Vector256: GemmDriver<T, Vector256Tile<T>>.Run(operands, maxThreads, allowVector: true); break;
                default: GemmDriver<T, ScalarTile<T>>.Run(operands, maxThreads, allowVector: false); break;
            }
        }
    }

    /// <summary>C = beta · C, the whole product when it is empty (k = 0 or alpha = 0); beta = 0 clears even NaN.</summary>
    private static void ScaleC<T>(int m, int n, T beta, Span<T> c, int ldc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
        {
            Span<T> row = c.Slice(i * ldc, n);
            if (T.IsZero(beta)) row.Clear();
            else if (beta != T.One) TensorPrimitives.Multiply(row, beta, row);
        }
    }

    /// <summary>The widest micro-kernel this machine runs natively for <typeparamref name="T"/>.</summary>
    internal static GemmKernel BestKernel<T>()
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double)) return GemmKernel.Scalar;
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported) return GemmKernel.Vector512;
        if (Vector256.IsHardwareAccelerated && Fma.IsSupported) return GemmKernel.Vector256;
        return GemmKernel.Scalar;
    }

    /// <summary>Checks sizes and strides once, so kernels can index without further checks.</summary>
    internal static void Validate(
        bool transposeA, bool transposeB, int m, int n, int k,
        int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
    {
        if (m < 0) throw new ArgumentOutOfRangeException(nameof(m), m, "m must be ≥ 0.");
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "n must be ≥ 0.");
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be ≥ 0.");
        int aRows = transposeA ? k : m, aCols = transposeA ? m : k;
        int bRows = transposeB ? n : k, bCols = transposeB ? k : n;
        CheckOperand("a", aRows, aCols, aLength, lda);
        CheckOperand("b", bRows, bCols, bLength, ldb);
        CheckOperand("c", m, n, cLength, ldc);
    }

    /// <summary>Checks that a span of <paramref name="length"/> elements holds a [rows, cols] matrix with row stride ld.</summary>
    internal static void CheckMatrix(string name, int rows, int cols, int length, int ld) =>
        CheckOperand(name, rows, cols, length, ld);

    private static void CheckOperand(string name, int rows, int cols, int length, int ld)
    {
        // The stride's name ("lda", "ldx", …) is built only on failure: these checks run on every call.
        if (ld < Math.Max(1, cols))
            throw new ArgumentOutOfRangeException("ld" + name, ld, $"ld{name} must be ≥ max(1, {cols}), the column count of {name} [{rows}, {cols}].");
        if (rows == 0 || cols == 0) return;
        long needed = (long)(rows - 1) * ld + cols;
        if (length < needed)
            throw new ArgumentException($"{name} has {length} elements; [{rows}, {cols}] with row stride {ld} needs {needed}.", name);
    }
}

/// <summary>Which register-tiled micro-kernel computes the product.</summary>
internal enum GemmKernel
{
    /// <summary>Scalar 4×4 tile; also the only kernel for element types other than float and double.</summary>
    Scalar,
    /// <summary>AVX2+FMA: 6 rows × 2 Vector256.</summary>
    Vector256,
    /// <summary>AVX-512: 8 rows × 2 Vector512.</summary>
    Vector512,
}

/// <summary>How the driver computes a product.</summary>
internal enum GemmPath
{
    /// <summary>Both operands packed; the general case.</summary>
    Packed,
    /// <summary>Few rows and B not transposed: B's rows are read in place instead of being packed.</summary>
    DirectB,
    /// <summary>One row and B not transposed: C[0, :] accumulates alpha·op(A)[0, p]·B[p, :] over B's rows in storage order.</summary>
    Row,
    /// <summary>Few rows, A·Bᵀ: rows of A and B are both contiguous in k, so C is formed from dot products in place.</summary>
    Dot,
    /// <summary>B packed beforehand into a <see cref="PackedMatrix{T}"/>: only A is packed during the call.</summary>
    Prepacked,
}

/// <summary>A validated GEMM problem; the pointers stay pinned by the caller for the whole call.</summary>
internal readonly unsafe struct GemmOperands<T>(
    bool transposeA, bool transposeB, int m, int n, int k, T alpha,
    T* a, int lda, T* b, int ldb, T beta, T* c, int ldc, GemmEpilogue<T> epilogue = default)
    where T : unmanaged
{
    public readonly bool TransposeA = transposeA, TransposeB = transposeB;
    public readonly int M = m, N = n, K = k;
    public readonly T Alpha = alpha, Beta = beta;
    public readonly T* A = a, B = b, C = c;
    public readonly nint Lda = lda, Ldb = ldb, Ldc = ldc;
    public readonly GemmEpilogue<T> Epilogue = epilogue;
}

/// <summary>What to do with each finished row segment of C, on the thread that computed it, while it is in cache.</summary>
internal enum GemmEpilogueKind : byte
{
    /// <summary>Leave C as the product made it.</summary>
    None,
    /// <summary>C = f(C): the forward step of a recurrent layer.</summary>
    Activation,
    /// <summary>C = C ⊙ f'(S), f' taken from the saved outputs S = f(net): the backward step.</summary>
    ActivationGradient,
}

/// <summary>An elementwise pass over C after the product (see <see cref="GemmEpilogueKind"/>).</summary>
internal readonly unsafe struct GemmEpilogue<T>(GemmEpilogueKind kind, Nonlinearity function, T* outputs = null, int ldOutputs = 0)
    where T : unmanaged
{
    public readonly GemmEpilogueKind Kind = kind;
    public readonly Nonlinearity Function = function;
    /// <summary>S [m, ldOutputs] for <see cref="GemmEpilogueKind.ActivationGradient"/>.</summary>
    public readonly T* Outputs = outputs;
    public readonly nint LdOutputs = ldOutputs;
}

/// <summary>A register-tiled micro-kernel: one rank-kc update of an MR×NR tile of C.</summary>
internal unsafe interface IMicroTile<T> where T : unmanaged
{
    /// <summary>MR, rows of the tile.</summary>
    static abstract int Rows { get; }

    /// <summary>NR, columns of the tile.</summary>
    static abstract int Cols { get; }

    /// <summary>
    /// With acc[i, j] = Σ_{p &lt; kc} a[p·MR + i] · b[p·ldb + j] accumulated by FMA in ascending p, sets
    /// c[i·ldc + j] = alpha·acc when <paramref name="overwrite"/> (old c unread), else fma(alpha, acc, beta·c).
    /// <paramref name="prefetchB"/> asks for B rows to be prefetched ahead, for B read in place with a long stride.
    /// </summary>
    static abstract void Run(int kc, T* a, T* b, nint ldb, T* c, nint ldc, T alpha, T beta, bool overwrite, bool prefetchB);

    /// <summary>
    /// Rows of the short tile, which fills out row counts that are not a multiple of <see cref="Rows"/> (a batch
    /// of 32 is 4 full panels of 6 and 2 short panels of 4, rather than 6 full panels with 4 rows of padding);
    /// equal to <see cref="Rows"/> where there is no short tile.
    /// </summary>
    static abstract int ShortRows { get; }

    /// <summary><see cref="Run"/> for a panel of <see cref="ShortRows"/> rows, a[p·ShortRows + i], with the same arithmetic per element.</summary>
    static abstract void RunShort(int kc, T* a, T* b, nint ldb, T* c, nint ldc, T alpha, T beta, bool overwrite, bool prefetchB);
}

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
        T* c1 = c + Vector512<T>.Count;
        if (overwrite)
        {
            (alpha * acc0).Store(c);
            (alpha * acc1).Store(c1);
        }
        else
        {
            Fma(alpha, acc0, beta * Vector512.Load(c)).Store(c);
            Fma(alpha, acc1, beta * Vector512.Load(c1)).Store(c1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Fma(Vector512<T> x, Vector512<T> y, Vector512<T> addend)
    {
        if (typeof(T) == typeof(float))
            return Vector512.FusedMultiplyAdd(x.As<T, float>(), y.As<T, float>(), addend.As<T, float>()).As<float, T>();
        return Vector512.FusedMultiplyAdd(x.As<T, double>(), y.As<T, double>(), addend.As<T, double>()).As<double, T>();
    }
}

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
        T* c1 = c + Vector256<T>.Count;
        if (overwrite)
        {
            (alpha * acc0).Store(c);
            (alpha * acc1).Store(c1);
        }
        else
        {
            Fma(alpha, acc0, beta * Vector256.Load(c)).Store(c);
            Fma(alpha, acc1, beta * Vector256.Load(c1)).Store(c1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fma(Vector256<T> x, Vector256<T> y, Vector256<T> addend)
    {
        if (typeof(T) == typeof(float))
            return Vector256.FusedMultiplyAdd(x.As<T, float>(), y.As<T, float>(), addend.As<T, float>()).As<float, T>();
        return Vector256.FusedMultiplyAdd(x.As<T, double>(), y.As<T, double>(), addend.As<T, double>()).As<double, T>();
    }
}

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
    // Products below this many multiply-adds finish before a second thread could be woken.
    private const long ParallelWork = 1L << 21;
    // The recurrent step's product against a prepacked W packs nothing B-sized, and the worker is usually still
    // spinning from the previous step, so splitting pays from a few µs of work on (measured with `rnn bench`: at
    // T,B,I,H = 100,8,64,256 on 2 threads the train step took 7.1 ms against 10.4 ms with the general threshold).
    private const long PrepackedParallelWork = 1L << 16;
    // MC·KC·sizeof(T) ≈ 256 KiB of packed A, a quarter of L2.
    private static int MC => (1 << 18) / (KC * sizeof(T)) / TTile.Rows * TTile.Rows;

    [ThreadStatic] private static T[]? t_packA;
    [ThreadStatic] private static T[]? t_packB;

    /// <summary>Computes the whole product, on up to <paramref name="maxThreads"/> threads when it is large enough.</summary>
    /// <param name="allowVector">Whether the unpacked Vector256 paths for few rows (dot products, one row) may be used.</param>
    public static void Run(in GemmOperands<T> op, int maxThreads, bool allowVector)
    {
        GemmPath path = allowVector && !op.TransposeB && op.M == 1 ? GemmPath.Row
            : !op.TransposeB && op.M <= DirectRows ? GemmPath.DirectB
            : allowVector && op.TransposeB && !op.TransposeA && op.M <= GemmDot<T>.MaxRows ? GemmPath.Dot
            : GemmPath.Packed;
        Run(op, maxThreads, path);
    }

    /// <summary>Computes the whole product by <paramref name="path"/>, split across threads by whole panels of C when it is large enough.</summary>
    private static void Run(in GemmOperands<T> op, int maxThreads, GemmPath path)
    {
        long threshold = path == GemmPath.Prepacked ? PrepackedParallelWork : ParallelWork;
        int parts = (long)op.M * op.N * op.K >= threshold ? maxThreads : 1;
        int colPanels = (op.N + TTile.Cols - 1) / TTile.Cols, rowPanels = (op.M + TTile.Rows - 1) / TTile.Rows;
        if (parts > 1 && colPanels >= 2 * parts) SplitColumns(op, parts, colPanels, path);
        else if (parts > 1 && rowPanels >= 2 * parts) SplitRows(op, parts, rowPanels, path);
        else Compute(op, 0, op.M, 0, op.N, path);
    }

    /// <summary>Each part takes a run of whole NR column panels of C, so tiles are the same as on one thread.</summary>
    private static void SplitColumns(GemmOperands<T> op, int parts, int panels, GemmPath path)
        => RunParts(op, parts, panels, path, byColumns: true);

    /// <summary>Each part takes a run of whole MR row panels of C.</summary>
    private static void SplitRows(GemmOperands<T> op, int parts, int panels, GemmPath path)
        => RunParts(op, parts, panels, path, byColumns: false);

    // One job object per calling thread, reused: handing a product to the workers allocates nothing.
    [ThreadStatic] private static SplitJob? t_job;

    private static void RunParts(GemmOperands<T> op, int parts, int panels, GemmPath path, bool byColumns)
    {
        var job = t_job ??= new SplitJob();
        job.Set(op, parts, panels, path, byColumns);
        WorkerPool.Run(job, parts);
    }

    /// <summary>The product split into runs of whole panels of C along one dimension.</summary>
    private sealed class SplitJob : IParallelWork
    {
        private GemmOperands<T> _op;
        private int _parts, _panels;
        private GemmPath _path;
        private bool _byColumns;

        public void Set(GemmOperands<T> operands, int partCount, int panelCount, GemmPath gemmPath, bool columns)
        {
            _op = operands;
            _parts = partCount;
            _panels = panelCount;
            _path = gemmPath;
            _byColumns = columns;
        }

        public void Execute(int part)
        {
            int size = _byColumns ? TTile.Cols : TTile.Rows, limit = _byColumns ? _op.N : _op.M;
            int start = Math.Min(limit, (int)((long)_panels * part / _parts) * size);
            int end = Math.Min(limit, (int)((long)_panels * (part + 1) / _parts) * size);
            if (_byColumns) Compute(_op, 0, _op.M, start, end, _path);
            else Compute(_op, start, end, 0, _op.N, _path);
        }
    }

    private static void Compute(in GemmOperands<T> op, int i0, int i1, int j0, int j1, GemmPath path)
    {
        if (path == GemmPath.Dot) GemmDot<T>.Run(op, i0, i1, j0, j1);
        else if (path == GemmPath.Row) GemmRow<T>.Run(op, j0, j1);
        else if (path == GemmPath.Prepacked) PrepackedBlock(op, i0, i1, j0, j1);
        else Block(op, i0, i1, j0, j1, path == GemmPath.DirectB);
        if (op.Epilogue.Kind != GemmEpilogueKind.None) ApplyEpilogue(op, i0, i1, j0, j1);
    }

    /// <summary>
    /// The epilogue over C[i0..i1, j0..j1], row segment by row segment. The activations compute each element alike
    /// wherever it falls in a span (FastMath, and the elementwise derivative), so the result does not depend on how
    /// C was split between threads.
    /// </summary>
    internal static void ApplyEpilogue(in GemmOperands<T> op, int i0, int i1, int j0, int j1)
    {
        int width = j1 - j0;
        for (int i = i0; i < i1; i++)
        {
            var row = new Span<T>(op.C + i * op.Ldc + j0, width);
            if (op.Epilogue.Kind == GemmEpilogueKind.Activation)
                Activation.Forward<T>(op.Epilogue.Function, row, row);
            else
                Activation.Backward<T>(op.Epilogue.Function, new ReadOnlySpan<T>(op.Epilogue.Outputs + i * op.Epilogue.LdOutputs + j0, width), row, row);
        }
    }

    /// <summary>C[i0..i1, j0..j1] of the product, K blocked from p = 0 upwards.</summary>
    private static void Block(in GemmOperands<T> op, int i0, int i1, int j0, int j1, bool directB)
    {
        int mr = TTile.Rows, nr = TTile.Cols;
        int mcMax = Math.Min(MC, RoundUp(i1 - i0, mr)), kcMax = Math.Min(KC, op.K);
        int ncMax = directB ? nr : Math.Min(NC, RoundUp(j1 - j0, nr));
        T* packA = Buffer(ref t_packA, mcMax * kcMax);  // row panels [height][kc] stacked, see PackABlock
        T* packB = Buffer(ref t_packB, ncMax * kcMax);  // [nc/NR][kc][NR]; with directB only the edge panel
        T* edge = stackalloc T[mr * nr];                // [MR, NR], a full tile for C's ragged edge

        for (int jc = j0; jc < j1; jc += NC)
        {
            int nc = Math.Min(NC, j1 - jc);
            for (int pc = 0; pc < op.K; pc += KC)
            {
                int kc = Math.Min(KC, op.K - pc);
                // Only the first K block sees the caller's beta; later blocks add to what it wrote.
                bool overwrite = pc == 0 && T.IsZero(op.Beta);
                T beta = pc == 0 ? op.Beta : T.One;
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

    /// <summary>The scalar form of a micro-kernel's merge: alpha·acc when overwriting, else fma(alpha, acc, beta·c).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T MergeOne(T c, T acc, T alpha, T beta, bool overwrite)
        => overwrite ? alpha * acc : T.FusedMultiplyAdd(alpha, acc, beta * c);

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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fma(Vector256<T> x, Vector256<T> y, Vector256<T> addend)
    {
        if (typeof(T) == typeof(float))
            return Vector256.FusedMultiplyAdd(x.As<T, float>(), y.As<T, float>(), addend.As<T, float>()).As<float, T>();
        return Vector256.FusedMultiplyAdd(x.As<T, double>(), y.As<T, double>(), addend.As<T, double>()).As<double, T>();
    }
}

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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fma(Vector256<T> x, Vector256<T> y, Vector256<T> addend)
    {
        if (typeof(T) == typeof(float))
            return Vector256.FusedMultiplyAdd(x.As<T, float>(), y.As<T, float>(), addend.As<T, float>()).As<float, T>();
        return Vector256.FusedMultiplyAdd(x.As<T, double>(), y.As<T, double>(), addend.As<T, double>()).As<double, T>();
    }
}

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
