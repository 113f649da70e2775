// Products whose right operand was packed beforehand. A recurrent layer multiplies by the same weight W at every
// time step (S_t += S_{t-1}·Wᵀ forward, D_t += D_{t+1}·W backward) with only batch-many rows, where packing W on
// every call would cost as much as the product and reading it in place (GemmDot, DirectB) gives up the packed
// micro-kernel. Packing W once per pass turns each step into the packed path without its B packing:
//   m = 1   one row of A against 4 micro-panels at a time, 8 Vector256 accumulators    (PrepackedRow)
//   m ≥ 2   A packed per KC block, the register-tiled micro-kernel against the panels   (PrepackedBlock)
// Both form every C element by the chain of the packed path (FMAs in ascending p, merged into C once per KC
// block), so a row's result does not depend on m, on the thread count, or on which of the two computed it.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Rnn.Kernels;

/// <summary>
/// A right operand op(B) [k, n] packed once into the layout the micro-kernel reads, for many products
/// <c>C = alpha · A · op(B) + beta · C</c> with the same B (see
/// <see cref="Gemm.Multiply{T}(int, T, ReadOnlySpan{T}, int, PackedMatrix{T}, T, Span{T}, int)"/>).
/// It holds a copy: after B changes, call <see cref="Pack"/> again.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public sealed unsafe class PackedMatrix<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    // Panels [⌈n/NR⌉][k][NR], the last zero-padded to NR columns; pinned so that products read it by pointer.
    private readonly T[] _data;
    private readonly int _offset;

    /// <summary>Creates an empty (all-zero) packed operand of <paramref name="rows"/> × <paramref name="columns"/>; fill it with <see cref="Pack"/>.</summary>
    /// <param name="rows">k, the rows of op(B): the shared dimension of the products.</param>
    /// <param name="columns">n, the columns of op(B) and of C.</param>
    public PackedMatrix(int rows, int columns)
        : this(rows, columns, Gemm.BestKernel<T>())
    {
    }

    /// <summary>Creates an empty packed operand laid out for <paramref name="kernel"/>, so tests can reach every kernel.</summary>
    internal PackedMatrix(int rows, int columns, GemmKernel kernel)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        bool vectorType = typeof(T) == typeof(float) || typeof(T) == typeof(double);
        Kernel = vectorType ? kernel : GemmKernel.Scalar;
        PanelWidth = Kernel switch
        {
            GemmKernel.Vector512 => Vector512Tile<T>.Cols,
            GemmKernel.Vector256 => Vector256Tile<T>.Cols,
            _ => ScalarTile<T>.Cols,
        };
        Rows = rows;
        Columns = columns;
        int slack = 64 / sizeof(T);
        long length = ((long)columns + PanelWidth - 1) / PanelWidth * PanelWidth * rows + slack;
        _data = GC.AllocateArray<T>(checked((int)length), pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_data));
        _offset = (int)((((address + 63) & ~(nint)63) - address) / sizeof(T));
    }

    /// <summary>k, the rows of op(B).</summary>
    public int Rows { get; }

    /// <summary>n, the columns of op(B).</summary>
    public int Columns { get; }

    /// <summary>The micro-kernel the layout is made for.</summary>
    internal GemmKernel Kernel { get; }

    /// <summary>NR, the columns of one panel.</summary>
    internal int PanelWidth { get; }

    /// <summary>The first panel, 64-byte aligned.</summary>
    internal T* Pointer => (T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_data)) + _offset;

    /// <summary>Copies op(B) into the packed layout, replacing what was packed before.</summary>
    /// <param name="transpose">False: B is stored [<see cref="Rows"/>, <see cref="Columns"/>]; true: B is stored [<see cref="Columns"/>, <see cref="Rows"/>] and used transposed.</param>
    /// <param name="b">B, row-major with row stride <paramref name="ldb"/>.</param>
    /// <param name="ldb">Row stride of B (≥ its stored column count).</param>
    public void Pack(bool transpose, ReadOnlySpan<T> b, int ldb)
    {
        int k = Rows, n = Columns, nr = PanelWidth;
        Gemm.CheckMatrix("b", transpose ? n : k, transpose ? k : n, b.Length, ldb);
        if (k == 0 || n == 0) return;
        fixed (T* pb = b)
        {
            T* dst = Pointer;
            if (!transpose)
            {
                GemmDriver<T, ScalarTile<T>>.PackRowsIntoPanels(pb, ldb, k, n, nr, dst);
                return;
            }
            // op(B)(p, j) = B[j, p]: each stored row of B becomes a column of a panel.
            for (int j0 = 0; j0 < n; j0 += nr, dst += (nint)k * nr)
            {
                int cols = Math.Min(nr, n - j0), p0 = 0;
                // Element by element, the strided writes cost more than a whole recurrent step, so full float panels
                // are transposed 8×8 in registers, leaving the k mod 8 last rows.
                if (typeof(T) == typeof(float) && Avx.IsSupported && cols == nr && nr % 8 == 0)
                {
                    p0 = k - k % 8;
                    for (int p = 0; p < p0; p += 8)
                        for (int j = 0; j < nr; j += 8)
                            Transpose8x8.Run((float*)(pb + (nint)(j0 + j) * ldb + p), ldb, 8, (float*)(dst + p * nr + j), nr);
                }
                // A panel with padding columns never took the 8×8 path, so p0 = 0 there and the padding is zeroed whole.
                for (int j = 0; j < nr; j++)
                {
                    if (j >= cols)
                    {
                        for (int p = p0; p < k; p++) dst[p * nr + j] = T.Zero;
                        continue;
                    }
                    T* src = pb + (nint)(j0 + j) * ldb;
                    for (int p = p0; p < k; p++) dst[p * nr + j] = src[p];
                }
            }
        }
    }
}

/// <summary>Products with a prepacked right operand.</summary>
public static partial class Gemm
{
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
        => MultiplyThen(m, alpha, a, lda, b, beta, c, ldc, default, default, 0, maxThreads);

    /// <summary>
    /// The recurrent forward step: <c>C = f(A · op(B) + C)</c>, the activation applied by each thread to the part of C
    /// it computed, while that part is still in cache.
    /// </summary>
    internal static void MultiplyAndActivate<T>(int m, ReadOnlySpan<T> a, int lda, PackedMatrix<T> b, Span<T> c, int ldc, Nonlinearity f)
        where T : unmanaged, IFloatingPointIeee754<T>
        => MultiplyThen(m, T.One, a, lda, b, T.One, c, ldc, new GemmEpilogueSpec(GemmEpilogueKind.Activation, f), default, 0, ComputeThreads.Max);

    /// <summary>
    /// The recurrent backward step: <c>C = (A · op(B) + C) ⊙ f'(S)</c>, with f' taken from the saved outputs
    /// S [m, n] (row stride <paramref name="lds"/>), applied as in <see cref="MultiplyAndActivate{T}"/>.
    /// </summary>
    internal static void MultiplyAndScaleByDerivative<T>(int m, ReadOnlySpan<T> a, int lda, PackedMatrix<T> b, Span<T> c, int ldc,
        Nonlinearity f, ReadOnlySpan<T> outputs, int lds)
        where T : unmanaged, IFloatingPointIeee754<T>
        => MultiplyThen(m, T.One, a, lda, b, T.One, c, ldc, new GemmEpilogueSpec(GemmEpilogueKind.ActivationGradient, f), outputs, lds, ComputeThreads.Max);

    /// <summary>Which epilogue a prepacked product ends with; the pointer to S is taken once the spans are pinned.</summary>
    private readonly record struct GemmEpilogueSpec(GemmEpilogueKind Kind, Nonlinearity Function);

    private static unsafe void MultiplyThen<T>(int m, T alpha, ReadOnlySpan<T> a, int lda, PackedMatrix<T> b, T beta, Span<T> c, int ldc,
        GemmEpilogueSpec epilogue, ReadOnlySpan<T> outputs, int lds, int maxThreads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(b);
        if (m < 0) throw new ArgumentOutOfRangeException(nameof(m), m, "m must be ≥ 0.");
        ArgumentOutOfRangeException.ThrowIfLessThan(maxThreads, 1);
        int n = b.Columns, k = b.Rows;
        CheckMatrix("a", m, k, a.Length, lda);
        CheckMatrix("c", m, n, c.Length, ldc);
        if (epilogue.Kind == GemmEpilogueKind.ActivationGradient) CheckMatrix("outputs", m, n, outputs.Length, lds);
        if (m == 0 || n == 0) return;
        bool empty = k == 0 || T.IsZero(alpha);
        if (empty) ScaleC(m, n, beta, c, ldc);

        fixed (T* pa = a)
        fixed (T* pc = c)
        fixed (T* ps = outputs)
        {
            var operands = new GemmOperands<T>(false, false, m, n, k, alpha, pa, lda, b.Pointer, b.PanelWidth, beta, pc, ldc,
                new GemmEpilogue<T>(epilogue.Kind, epilogue.Function, ps, lds));
            if (empty)
            {
                // Nothing to multiply: C is beta·C, and the epilogue still applies.
                if (epilogue.Kind != GemmEpilogueKind.None) GemmDriver<T, ScalarTile<T>>.ApplyEpilogue(operands, 0, m, 0, n);
                return;
            }
            switch (b.Kernel)
            {
                case GemmKernel.Vector512: GemmDriver<T, Vector512Tile<T>>.RunPrepacked(operands, maxThreads); break;
                case GemmKernel.Vector256: GemmDriver<T, Vector256Tile<T>>.RunPrepacked(operands, maxThreads); break;
                default: GemmDriver<T, ScalarTile<T>>.RunPrepacked(operands, maxThreads); break;
            }
        }
        // The products read b's pinned array by pointer only.
        GC.KeepAlive(b);
    }
}

/// <content>The prepacked path: op.B points at <see cref="PackedMatrix{T}"/> panels [⌈n/NR⌉][k][NR].</content>
internal static unsafe partial class GemmDriver<T, TTile>
{
    // Panels the single-row kernel runs against at once: 2 accumulators each, 8 in all, enough to hide FMA latency.
    private const int RowPanels = 4;

    /// <summary>Computes the whole product against prepacked B, on up to <paramref name="maxThreads"/> threads when it is large enough.</summary>
    public static void RunPrepacked(in GemmOperands<T> op, int maxThreads) => Run(op, maxThreads, GemmPath.Prepacked);

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
        int mcMax = Math.Min(MC, RoundUp(i1 - i0, mr)), kcMax = Math.Min(KC, op.K);
        T* packA = Buffer(ref t_packA, mcMax * kcMax);  // row panels [height][kc] stacked, see PackABlock
        T* edge = stackalloc T[mr * nr];                // [MR, NR], a full tile for C's ragged edge

        for (int ic = i0; ic < i1; ic += MC)
        {
            int mc = Math.Min(MC, i1 - ic);
            for (int pc = 0; pc < op.K; pc += KC)
            {
                int kc = Math.Min(KC, op.K - pc);
                // Only the first K block sees the caller's beta; later blocks add to what it wrote.
                bool overwrite = pc == 0 && T.IsZero(op.Beta);
                T beta = pc == 0 ? op.Beta : T.One;
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
            bool overwrite = pc == 0 && T.IsZero(op.Beta);
            T beta = pc == 0 ? op.Beta : T.One;
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fma(Vector256<T> x, Vector256<T> y, Vector256<T> addend)
    {
        if (typeof(T) == typeof(float))
            return Vector256.FusedMultiplyAdd(x.As<T, float>(), y.As<T, float>(), addend.As<T, float>()).As<float, T>();
        return Vector256.FusedMultiplyAdd(x.As<T, double>(), y.As<T, double>(), addend.As<T, double>()).As<double, T>();
    }
}
