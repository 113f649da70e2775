// General matrix multiply over row-major spans, like BLAS ?GEMM:
//   C[m, n] = alpha · op(A)[m, k] · op(B)[k, n] + beta · C[m, n]
// op(A) is A [m, k] (lda ≥ k) or, transposed, Aᵀ where A is stored [k, m] (lda ≥ m); likewise B.
// Leading dimensions let every operand be a column window of a wider row-major buffer.
//
// This file holds the entry points: argument checks, the empty product, the choice of micro-kernel, and the
// products against a B packed beforehand, with an epilogue or without. What they run is split by concern:
//   GemmOperands.cs            the validated problem handed to the kernels; which micro-kernel, which path
//   GemmDriver.cs              cache blocking and the tiles of one block of C
//   GemmDriver.Threads.cs      the split of C across threads
//   GemmDriver.Packing.cs      A and B packed into the micro-kernels' panels (Transpose8x8.cs: the float transpose)
//   IMicroTile.cs              the micro-kernel contract; Vector512Tile.cs, Vector256Tile.cs, ScalarTile.cs, and
//   VectorFma.cs               the vector FMA and merge they share
//   GemmRow.cs, GemmDot.cs     few rows of C with B read in place
//   PackedMatrix.cs            a B reused across calls (the recurrent weight), packed once;
//   GemmDriver.Prepacked.cs    the per-step product against it
//   GemmEpilogue.cs            what the prepacked product does with C once a thread has computed its part
//
// Determinism: every C element is the same chain of FMAs, p ascending within each KC block, merged into C once
// per block in the same order, whether its tile is full or an edge tile and whichever thread computes it.
// Threads split only M or N, never K, so results are bit-identical for any thread count.
using System.Numerics;
using System.Numerics.Tensors;
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

    /// <summary>
    /// Computes <c>C = alpha · A · op(B) + beta · C</c> with op(B) taken from <paramref name="b"/>, packed beforehand.
    /// When <paramref name="beta"/> is zero, C is overwritten and its old contents (even NaN) are ignored.
    /// The result is bit-identical from call to call, does not depend on the number of threads used, and each row
    /// of C does not depend on <paramref name="m"/>.
    /// </summary>
    /// <param name="m">Rows of A and of C.</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">A [m, k] with k = <see cref="PackedMatrix{T}.Rows"/>, row-major with row stride <paramref name="lda"/>.</param>
    /// <param name="lda">Row stride of A (≥ k).</param>
    /// <param name="b">op(B) [k, n], packed.</param>
    /// <param name="beta">Scale of the old C.</param>
    /// <param name="c">C [m, n] with n = <see cref="PackedMatrix{T}.Columns"/>, row-major with row stride <paramref name="ldc"/>.</param>
    /// <param name="ldc">Row stride of C (≥ n).</param>
    public static void Multiply<T>(int m, T alpha, ReadOnlySpan<T> a, int lda, PackedMatrix<T> b, T beta, Span<T> c, int ldc)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Multiply(m, alpha, a, lda, b, beta, c, ldc, ComputeThreads.Max);

    /// <summary>
    /// <see cref="Multiply{T}(int, T, ReadOnlySpan{T}, int, PackedMatrix{T}, T, Span{T}, int)"/> with the thread cap
    /// chosen by the caller.
    /// </summary>
    internal static void Multiply<T>(int m, T alpha, ReadOnlySpan<T> a, int lda, PackedMatrix<T> b, T beta, Span<T> c, int ldc,
        int maxThreads)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Multiply(m, alpha, a, lda, b, beta, c, ldc, default(NoEpilogue<T>), maxThreads);

    /// <summary>
    /// The recurrent forward step: <c>C = f(A · op(B) + C)</c>, the activation applied by each thread to the part of C
    /// it computed, while that part is still in cache.
    /// </summary>
    internal static void MultiplyAndActivate<T>(int m, ReadOnlySpan<T> a, int lda, PackedMatrix<T> b, Span<T> c, int ldc, Nonlinearity f)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Multiply(m, T.One, a, lda, b, T.One, c, ldc, new ActivationEpilogue<T>(f), ComputeThreads.Max);

    /// <summary>
    /// The recurrent backward step: <c>C = (A · op(B) + C) ⊙ f'(S)</c>, with f' taken from the saved outputs
    /// S [m, n] (row stride <paramref name="lds"/>), applied as in <see cref="MultiplyAndActivate{T}"/>.
    /// </summary>
    internal static unsafe void MultiplyAndScaleByDerivative<T>(int m, ReadOnlySpan<T> a, int lda, PackedMatrix<T> b, Span<T> c, int ldc,
        Nonlinearity f, ReadOnlySpan<T> outputs, int lds)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(b);
        CheckMatrix("outputs", m, b.Columns, outputs.Length, lds);
        fixed (T* ps = outputs)
            Multiply(m, T.One, a, lda, b, T.One, c, ldc, new ActivationGradientEpilogue<T>(f, ps, lds), ComputeThreads.Max);
    }

    /// <summary>
    /// <c>C = alpha · A · op(B) + beta · C</c> against prepacked B, as
    /// <see cref="Multiply{T}(int, T, ReadOnlySpan{T}, int, PackedMatrix{T}, T, Span{T}, int)"/>, then
    /// <paramref name="epilogue"/> over C: each thread runs it over the block of C it computed, blocks cut at
    /// multiples of the epilogue's column granule (see <see cref="IGemmEpilogue{T}"/>).
    /// </summary>
    /// <param name="epilogue">The pass over C; its column granule must divide n.</param>
    /// <param name="maxThreads">The thread cap.</param>
    internal static unsafe void Multiply<T, TEpilogue>(int m, T alpha, ReadOnlySpan<T> a, int lda, PackedMatrix<T> b, T beta,
        Span<T> c, int ldc, TEpilogue epilogue, int maxThreads)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TEpilogue : struct, IGemmEpilogue<T>
    {
        ArgumentNullException.ThrowIfNull(b);
        if (m < 0) throw new ArgumentOutOfRangeException(nameof(m), m, "m must be ≥ 0.");
        ArgumentOutOfRangeException.ThrowIfLessThan(maxThreads, 1);
        int n = b.Columns, k = b.Rows, granule = epilogue.ColumnGranule;
        CheckMatrix("a", m, k, a.Length, lda);
        CheckMatrix("c", m, n, c.Length, ldc);
        if (granule < 1 || n % granule != 0)
            throw new ArgumentException($"The epilogue's column granule {granule} must be ≥ 1 and divide n = {n}.", nameof(epilogue));
        if (m == 0 || n == 0) return;
        bool empty = k == 0 || T.IsZero(alpha);
        if (empty) ScaleC(m, n, beta, c, ldc);

        fixed (T* pa = a)
        fixed (T* pc = c)
        {
            if (empty)
            {
                // Nothing to multiply: C is beta·C, and the epilogue still applies.
                epilogue.Apply(pc, ldc, 0, m, 0, n);
                return;
            }
            var operands = new GemmOperands<T>(false, false, m, n, k, alpha, pa, lda, b.Pointer, b.PanelWidth, beta, pc, ldc);
            switch (b.Kernel)
            {
                case GemmKernel.Vector512: GemmDriver<T, Vector512Tile<T>>.RunPrepacked(operands, maxThreads, epilogue); break;
                case GemmKernel.Vector256: GemmDriver<T, Vector256Tile<T>>.RunPrepacked(operands, maxThreads, epilogue); break;
                default: GemmDriver<T, ScalarTile<T>>.RunPrepacked(operands, maxThreads, epilogue); break;
            }
        }
        // The products read b's pinned array by pointer only.
        GC.KeepAlive(b);
    }
}
