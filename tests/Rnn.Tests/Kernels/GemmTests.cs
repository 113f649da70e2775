// Gemm.Multiply against the triple-loop oracle over shapes, transposes, strides, scalars, kernels and thread counts.
// Shapes: op(A) [m, k], op(B) [k, n], C [m, n]; every operand sits in a wider buffer (ld > its column count),
// and the padding columns hold a sentinel that must survive.
using System.Numerics;
using Rnn.Kernels;

namespace Rnn.Tests.Kernels;

public abstract class GemmTests<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly T Sentinel = T.CreateTruncating(12345.5);

    // Unit roundoff u: 2⁻²⁴ for float, 2⁻⁵³ for double.
    private static readonly double UnitRoundoff = double.CreateTruncating(T.One - T.BitDecrement(T.One));

    public static TheoryData<bool, bool> Transposes() => new() { { false, false }, { false, true }, { true, false }, { true, true } };

    // Kernel names rather than the internal enum, which a public theory cannot take.
    public static TheoryData<bool, bool, string> TransposesAndKernels()
    {
        var data = new TheoryData<bool, bool, string>();
        foreach (var kernel in Enum.GetNames<GemmKernel>())
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    data.Add(ta, tb, kernel);
        return data;
    }

    [Theory]
    [MemberData(nameof(Transposes))]
    public void Multiply_SweepMAndN_MatchesReference(bool transposeA, bool transposeB)
    {
        var rng = new Random(101);
        int[] depths = [1, 5, 19];
        // Every m against sizes around the tile widths (4, 6, 8, 16, 32), then every n against the same sizes.
        int[] partners = [0, 1, 2, 3, 5, 6, 7, 8, 9, 12, 13, 16, 17, 24, 31, 32, 33, 48, 63, 64];
        for (int x = 0; x <= 64; x++)
            foreach (int y in partners)
            {
                Check(rng, transposeA, transposeB, x, y, depths[(x + y) % 3], BetaFor(x + 2 * y), Gemm.BestKernel<T>(), 2);
                Check(rng, transposeA, transposeB, y, x, depths[(x + 2 * y) % 3], BetaFor(x + y), Gemm.BestKernel<T>(), 2);
            }
    }

    [Theory]
    [MemberData(nameof(Transposes))]
    public void Multiply_SweepK_MatchesReference(bool transposeA, bool transposeB)
    {
        var rng = new Random(202);
        (int M, int N)[] shapes = [(1, 1), (1, 40), (3, 17), (7, 33), (13, 16), (64, 64)];
        for (int k = 0; k <= 64; k++)
            foreach (var (m, n) in shapes)
                Check(rng, transposeA, transposeB, m, n, k, BetaFor(m + n + k), Gemm.BestKernel<T>(), Environment.ProcessorCount);
    }

    [Theory]
    [MemberData(nameof(Transposes))]
    public void Multiply_OddAndLargeShapes_MatchesReference(bool transposeA, bool transposeB)
    {
        var rng = new Random(303);
        // Past KC (k > 256), past MC (m > 252), past NC (n > 4096), and past the threading threshold (m·n·k ≥ 2²¹)
        // on every path: packed split by columns and by rows, dot products, B in place, the single row.
        (int M, int N, int K)[] shapes = [(1, 1000, 3), (129, 67, 255), (260, 90, 300), (3, 4200, 5), (6, 700, 600), (600, 20, 300), (1, 2100, 1000)];
        for (int s = 0; s < shapes.Length; s++)
            Check(rng, transposeA, transposeB, shapes[s].M, shapes[s].N, shapes[s].K, BetaFor(s), Gemm.BestKernel<T>(), Environment.ProcessorCount);
    }

    [Theory]
    [MemberData(nameof(TransposesAndKernels))]
    public void Multiply_EveryKernel_MatchesReference(bool transposeA, bool transposeB, string kernelName)
    {
        var kernel = Enum.Parse<GemmKernel>(kernelName);
        var rng = new Random(404);
        (int M, int N, int K)[] shapes = [(1, 1, 1), (1, 37, 9), (5, 33, 7), (8, 32, 260), (9, 31, 17), (17, 65, 300), (70, 90, 40)];
        for (int s = 0; s < shapes.Length; s++)
            Check(rng, transposeA, transposeB, shapes[s].M, shapes[s].N, shapes[s].K, BetaFor(s), kernel, 1);
    }

    [Theory]
    [MemberData(nameof(TransposesAndKernels))]
    public void MultiplyPrepacked_Shapes_MatchesReference(bool packTwiceOnTwoThreads, bool transposeB, string kernelName)
    {
        var kernel = Enum.Parse<GemmKernel>(kernelName);
        var rng = new Random(808);
        // The recurrent step's batches (1 row takes the single-row kernel), ragged edges of MR and NR and of the
        // 4-panel row groups, k past KC, and products past the threading threshold split by columns and by rows.
        (int M, int N, int K)[] shapes =
        [
            (1, 1, 1), (1, 37, 9), (1, 128, 128), (1, 200, 300), (2, 17, 5), (5, 33, 7), (6, 64, 40), (7, 70, 257),
            (32, 128, 128), (64, 96, 33), (13, 1000, 300), (600, 20, 300),
        ];
        for (int s = 0; s < shapes.Length; s++)
            Check(rng, false, transposeB, shapes[s].M, shapes[s].N, shapes[s].K, BetaFor(s), kernel, packTwiceOnTwoThreads ? 2 : 1,
                prepacked: packTwiceOnTwoThreads ? 2 : 1);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MultiplyPrepacked_RowsAndThreads_BitIdentical(bool transposeB)
    {
        var rng = new Random(909);
        foreach (var (m, n, k) in new[] { (32, 300, 260), (64, 256, 256), (7, 2100, 300) })
        {
            var (a, lda) = RandomMatrix(rng, m, k, 1);
            var (b, ldb) = RandomMatrix(rng, transposeB ? n : k, transposeB ? k : n, 2);
            var (start, ldc) = RandomMatrix(rng, m, n, 3);
            var packed = new PackedMatrix<T>(k, n);
            packed.Pack(transposeB, b, ldb);
            T alpha = T.CreateTruncating(0.7), beta = T.CreateTruncating(0.3);
            T[] first = (T[])start.Clone();
            Gemm.Multiply(m, alpha, a, lda, packed, beta, first, ldc, 1);
            foreach (int threads in new[] { 2, 3 })
            {
                T[] again = (T[])start.Clone();
                Gemm.Multiply(m, alpha, a, lda, packed, beta, again, ldc, threads);
                Assert.Equal(first, again);
            }
            // Row by row, each row through the single-row kernel, gives the same bits as the whole batch.
            T[] byRow = (T[])start.Clone();
            for (int i = 0; i < m; i++)
                Gemm.Multiply(1, alpha, a.AsSpan(i * lda), lda, packed, beta, byRow.AsSpan(i * ldc), ldc);
            Assert.Equal(first, byRow);
        }
    }

    [Theory]
    [InlineData(Nonlinearity.Tanh)]
    [InlineData(Nonlinearity.Sigmoid)]
    [InlineData(Nonlinearity.Relu)]
    [InlineData(Nonlinearity.Identity)]
    public void MultiplyPrepacked_FusedEpilogues_EqualProductThenActivation(Nonlinearity f)
    {
        var rng = new Random(1010);
        // A batch of 1 (single-row kernel), a ragged one, one split across threads, and k = 0 (no product at all).
        foreach (var (m, n, k) in new[] { (1, 40, 30), (7, 70, 257), (32, 300, 260), (3, 20, 0) })
        {
            var (a, lda) = RandomMatrix(rng, m, Math.Max(k, 1), 1);
            var (w, ldw) = RandomMatrix(rng, Math.Max(k, 1), n, 2);
            var (start, ldc) = RandomMatrix(rng, m, n, 3);
            var (outputs, lds) = RandomMatrix(rng, m, n, 1);
            var packed = new PackedMatrix<T>(k, n);
            packed.Pack(false, w, ldw);

            T[] expected = (T[])start.Clone();
            Gemm.Multiply(m, T.One, a, lda, packed, T.One, expected, ldc);
            T[] expectedGradient = (T[])expected.Clone();
            for (int i = 0; i < m; i++)
            {
                Activation.Forward<T>(f, expected.AsSpan(i * ldc, n), expected.AsSpan(i * ldc, n));
                Activation.Backward<T>(f, outputs.AsSpan(i * lds, n), expectedGradient.AsSpan(i * ldc, n), expectedGradient.AsSpan(i * ldc, n));
            }
            foreach (int threads in new[] { 1, 2 })
            {
                int saved = ComputeThreads.Max;
                ComputeThreads.Max = threads;
                try
                {
                    T[] activated = (T[])start.Clone();
                    Gemm.MultiplyAndActivate(m, a, lda, packed, activated, ldc, f);
                    Assert.Equal(expected, activated);
                    T[] scaled = (T[])start.Clone();
                    Gemm.MultiplyAndScaleByDerivative(m, a, lda, packed, scaled, ldc, f, outputs, lds);
                    Assert.Equal(expectedGradient, scaled);
                }
                finally
                {
                    ComputeThreads.Max = saved;
                }
            }
        }
    }

    [Fact]
    public void MultiplyPrepacked_WrongSizes_ThrowNamingThem()
    {
        var packed = new PackedMatrix<T>(6, 5);
        T[] buffer = new T[100];
        Assert.Equal("b", Assert.Throws<ArgumentException>(() => packed.Pack(false, buffer.AsSpan(0, 29), 5)).ParamName);
        Assert.Equal("ldb", Assert.Throws<ArgumentOutOfRangeException>(() => packed.Pack(true, buffer, 5)).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(4, T.One, buffer.AsSpan(0, 23), 6, packed, T.Zero, buffer, 5)).ParamName);
        Assert.Equal("ldc", Assert.Throws<ArgumentOutOfRangeException>(() =>
            Gemm.Multiply(4, T.One, buffer, 6, packed, T.Zero, buffer, 4)).ParamName);
        Assert.Equal("m", Assert.Throws<ArgumentOutOfRangeException>(() =>
            Gemm.Multiply(-1, T.One, buffer, 6, packed, T.Zero, buffer, 5)).ParamName);
    }

    [Fact]
    public void Multiply_Cube300_MatchesReference()
        => Check(new Random(707), false, false, 300, 300, 300, 0.5, Gemm.BestKernel<T>(), Environment.ProcessorCount);

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-2.0)]
    public void Multiply_AlphaZeroOrKZero_ScalesC(double beta)
    {
        var rng = new Random(505);
        Check(rng, false, true, 9, 21, 0, beta, Gemm.BestKernel<T>(), 2);
        Check(rng, true, false, 9, 21, 13, beta, Gemm.BestKernel<T>(), 2, alpha: 0.0);
    }

    [Fact]
    public void Multiply_BetaZero_OverwritesNaNAndInfinity()
    {
        int m = 7, n = 40, k = 300;
        T[] a = Filled(m * k, T.One), b = Filled(k * n, T.One), c = Filled(m * n, T.NaN);
        c[3] = T.PositiveInfinity;
        Gemm.Multiply(false, false, m, n, k, T.One, a, k, b, n, T.Zero, c, n);
        Assert.All(c, x => Assert.Equal(T.CreateTruncating(k), x));
    }

    [Theory]
    [MemberData(nameof(Transposes))]
    public void Multiply_AnyThreadCount_BitIdentical(bool transposeA, bool transposeB)
    {
        var rng = new Random(606);
        // Each just past the threading threshold (m·n·k ≥ 2²¹): wide C splits along N, tall C along M (also when it
        // has enough column panels to split along N, as a weight gradient or dX does), few rows take the unpacked paths.
        foreach (var (m, n, k) in new[] { (70, 200, 160), (400, 13, 410), (300, 130, 60), (24, 300, 300), (1, 2100, 1000) })
        {
            var (a, lda) = RandomMatrix(rng, transposeA ? k : m, transposeA ? m : k, 1);
            var (b, ldb) = RandomMatrix(rng, transposeB ? n : k, transposeB ? k : n, 2);
            var (start, ldc) = RandomMatrix(rng, m, n, 3);
            T[] first = (T[])start.Clone();
            Gemm.Multiply(transposeA, transposeB, m, n, k, T.CreateTruncating(0.7), a, lda, b, ldb, T.CreateTruncating(0.3), first, ldc,
                Gemm.BestKernel<T>(), 1);
            foreach (int threads in new[] { 2, 3 })
            {
                T[] again = (T[])start.Clone();
                Gemm.Multiply(transposeA, transposeB, m, n, k, T.CreateTruncating(0.7), a, lda, b, ldb, T.CreateTruncating(0.3), again, ldc,
                    Gemm.BestKernel<T>(), threads);
                Assert.Equal(first, again);
            }
            T[] viaPublic = (T[])start.Clone();
            Gemm.Multiply(transposeA, transposeB, m, n, k, T.CreateTruncating(0.7), a, lda, b, ldb, T.CreateTruncating(0.3), viaPublic, ldc);
            Assert.Equal(first, viaPublic);
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void Multiply_ShortSpan_ThrowsNamingIt(bool transposeA, bool transposeB)
    {
        int m = 4, n = 5, k = 6;
        int aLength = m * k, bLength = k * n, cLength = m * n;
        int lda = transposeA ? m : k, ldb = transposeB ? k : n;
        T[] a = new T[aLength], b = new T[bLength], c = new T[cLength];
        Assert.Equal("a", Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(transposeA, transposeB, m, n, k, T.One, a.AsSpan(1), lda, b, ldb, T.Zero, c, n)).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(transposeA, transposeB, m, n, k, T.One, a, lda, b.AsSpan(1), ldb, T.Zero, c, n)).ParamName);
        Assert.Equal("c", Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(transposeA, transposeB, m, n, k, T.One, a, lda, b, ldb, T.Zero, c.AsSpan(1), n)).ParamName);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void Multiply_StrideBelowColumnCount_ThrowsNamingIt(bool transposeA, bool transposeB)
    {
        int m = 4, n = 5, k = 6;
        int lda = transposeA ? m : k, ldb = transposeB ? k : n;
        T[] a = new T[100], b = new T[100], c = new T[100];
        Assert.Equal("lda", Assert.Throws<ArgumentOutOfRangeException>(() =>
            Gemm.Multiply(transposeA, transposeB, m, n, k, T.One, a, lda - 1, b, ldb, T.Zero, c, n)).ParamName);
        Assert.Equal("ldb", Assert.Throws<ArgumentOutOfRangeException>(() =>
            Gemm.Multiply(transposeA, transposeB, m, n, k, T.One, a, lda, b, ldb - 1, T.Zero, c, n)).ParamName);
        Assert.Equal("ldc", Assert.Throws<ArgumentOutOfRangeException>(() =>
            Gemm.Multiply(transposeA, transposeB, m, n, k, T.One, a, lda, b, ldb, T.Zero, c, n - 1)).ParamName);
    }

    [Fact]
    public void Multiply_NegativeDimension_Throws()
    {
        T[] buffer = new T[16];
        Assert.Equal("m", Assert.Throws<ArgumentOutOfRangeException>(() =>
            Gemm.Multiply(false, false, -1, 2, 2, T.One, buffer, 2, buffer, 2, T.Zero, buffer, 2)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() =>
            Gemm.Multiply(false, false, 2, 2, -1, T.One, buffer, 2, buffer, 2, T.Zero, buffer, 2)).ParamName);
    }

    // beta cycles through overwrite (with NaN in C), accumulate, and a general scale.
    private static double BetaFor(int i) => (i % 3) switch { 0 => 0.0, 1 => 1.0, _ => -0.75 };

    /// <summary>
    /// Runs one product through Gemm (through <see cref="PackedMatrix{T}"/>, packed <paramref name="prepacked"/> times
    /// over reused storage, when that is positive) and the oracle and checks every element against the rounding bound
    /// 2·γ(k+2)·(|alpha|·Σ_p |a_ip||b_pj| + |beta|·|c_ij|), γ(n) = n·u/(1 − n·u), which both results satisfy.
    /// </summary>
    private static void Check(Random rng, bool transposeA, bool transposeB, int m, int n, int k, double beta,
        GemmKernel kernel, int threads, double alpha = -1.25, int prepacked = 0)
    {
        int aRows = transposeA ? k : m, aCols = transposeA ? m : k;
        int bRows = transposeB ? n : k, bCols = transposeB ? k : n;
        var (a, lda) = RandomMatrix(rng, aRows, aCols, 3);
        var (b, ldb) = RandomMatrix(rng, bRows, bCols, 5);
        var (c, ldc) = RandomMatrix(rng, m, n, 2);
        if (beta == 0)
            for (int i = 0; i < m; i++) c.AsSpan(i * ldc, n).Fill(T.NaN);
        T[] expected = (T[])c.Clone(), old = (T[])c.Clone();
        T tAlpha = T.CreateTruncating(alpha), tBeta = T.CreateTruncating(beta);

        if (prepacked > 0)
        {
            var packed = new PackedMatrix<T>(k, n, kernel);
            // A first packing of other values must leave no trace once B is packed over it.
            for (int r = 1; r < prepacked; r++) packed.Pack(transposeB, RandomMatrix(rng, transposeB ? n : k, transposeB ? k : n, 5).Data, ldb);
            packed.Pack(transposeB, b, ldb);
            Gemm.Multiply(m, tAlpha, a, lda, packed, tBeta, c, ldc, threads);
        }
        else
        {
            Gemm.Multiply(transposeA, transposeB, m, n, k, tAlpha, a, lda, b, ldb, tBeta, c, ldc, kernel, threads);
        }
        ReferenceKernels.Gemm(transposeA, transposeB, m, n, k, tAlpha, a, lda, b, ldb, tBeta, expected, ldc);

        double gamma = (k + 2) * UnitRoundoff / (1 - (k + 2) * UnitRoundoff);
        // |op(A)| [m, k] and |op(B)|ᵀ [n, k], so the bound's inner loop is two contiguous rows.
        double[] absA = new double[m * k], absB = new double[n * k];
        for (int i = 0; i < m; i++)
            for (int p = 0; p < k; p++)
                absA[i * k + p] = Math.Abs(double.CreateTruncating(transposeA ? a[p * lda + i] : a[i * lda + p]));
        for (int j = 0; j < n; j++)
            for (int p = 0; p < k; p++)
                absB[j * k + p] = Math.Abs(double.CreateTruncating(transposeB ? b[j * ldb + p] : b[p * ldb + j]));
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double magnitude = 0;
                for (int p = 0; p < k; p++) magnitude += absA[i * k + p] * absB[j * k + p];
                double oldC = beta == 0 ? 0 : Math.Abs(double.CreateTruncating(old[i * ldc + j]));
                double bound = 2 * gamma * (Math.Abs(alpha) * magnitude + Math.Abs(beta) * oldC);
                double got = double.CreateTruncating(c[i * ldc + j]), want = double.CreateTruncating(expected[i * ldc + j]);
                if (!(Math.Abs(got - want) <= bound))
                    Assert.Fail($"{kernel} tA={transposeA} tB={transposeB} m={m} n={n} k={k} beta={beta} threads={threads}: " +
                    $"C[{i},{j}] = {got}, reference {want}, bound {bound:E2}");
            }
            for (int j = n; j < ldc && i * ldc + j < c.Length; j++)
                if (c[i * ldc + j] != Sentinel) Assert.Fail($"C[{i},{j}] outside the window was overwritten.");
        }
    }

    /// <summary>A [rows, cols] matrix of uniform values in [−1, 1) with row stride cols + pad, padding = Sentinel.</summary>
    private static (T[] Data, int Ld) RandomMatrix(Random rng, int rows, int cols, int pad)
    {
        int ld = cols + pad;
        var data = Filled(Math.Max(0, rows * ld), Sentinel);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                data[i * ld + j] = T.CreateTruncating(rng.NextDouble() * 2 - 1);
        return (data, ld);
    }

    private static T[] Filled(int length, T value)
    {
        var data = new T[length];
        Array.Fill(data, value);
        return data;
    }
}

public sealed class GemmSingleTests : GemmTests<float>;

public sealed class GemmDoubleTests : GemmTests<double>;
