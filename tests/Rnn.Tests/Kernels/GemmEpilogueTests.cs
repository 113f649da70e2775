// The prepacked product's epilogue as a type argument: a recording epilogue checks that the blocks it is handed cover
// C exactly once, each after its product is final, that they start and end on its column granule, and that with
// granule 1 the threads split C as a plain product does, by whole NR panels. Every kernel, on 1 and 2 threads.
using System.Numerics;
using Rnn.Kernels;

namespace Rnn.Tests.Kernels;

public abstract class GemmEpilogueTests<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    // The recurrent step's batches: one row (the single-row kernel), a ragged batch, one split by columns, one split by
    // rows (few column panels, many row panels), and k = 0 (no product). Every n is a multiple of every granule.
    private static readonly (int M, int N, int K)[] Shapes = [(1, 96, 40), (1, 600, 300), (7, 420, 257), (32, 300, 260), (600, 24, 300), (3, 24, 0)];

    private static readonly int[] Granules = [1, 3, 4, 12];

    public static TheoryData<string, int> KernelsAndThreads()
    {
        var data = new TheoryData<string, int>();
        foreach (var kernel in Enum.GetNames<GemmKernel>())
            foreach (int threads in new[] { 1, 2 })
                data.Add(kernel, threads);
        return data;
    }

    [Theory]
    [MemberData(nameof(KernelsAndThreads))]
    public void Epilogue_BlocksCoverCOnceAfterTheProduct_OnItsGranule(string kernelName, int threads)
    {
        var kernel = Enum.Parse<GemmKernel>(kernelName);
        var rng = new Random(1111);
        foreach (var (m, n, k) in Shapes)
            foreach (int granule in Granules)
            {
                var (a, b, start) = (Random(rng, m * k), Random(rng, k * n), Random(rng, m * n));
                var packed = new PackedMatrix<T>(k, n, kernel);
                packed.Pack(false, b, n);
                T[] product = (T[])start.Clone();
                Gemm.Multiply(m, T.One, a, Math.Max(k, 1), packed, T.One, product, n, threads);

                var recorder = new Recorder(m, n);
                T[] c = (T[])start.Clone();
                Gemm.Multiply(m, T.One, a, Math.Max(k, 1), packed, T.One, c, n, new RecordingEpilogue(granule, recorder), threads);

                string where = $"{kernel} threads={threads} m={m} n={n} k={k} granule={granule}";
                Assert.True(recorder.Visits.All(v => v == 1), $"{where}: an element of C was visited {recorder.Visits.Max()} or {recorder.Visits.Min()} times.");
                Assert.Equal(product, recorder.Seen);
                // The epilogue's writes land: it negated every element it was handed.
                Assert.Equal(product.Select(x => -x), c);
                foreach (var (i0, i1, j0, j1) in recorder.Blocks)
                {
                    Assert.True(j0 % granule == 0 && j1 % granule == 0, $"{where}: block columns {j0}..{j1} cut a granule.");
                    Assert.True(j0 % packed.PanelWidth == 0, $"{where}: block columns {j0}..{j1} start inside a panel.");
                    Assert.True(i0 < i1 && j0 < j1, $"{where}: empty block [{i0}..{i1}, {j0}..{j1}].");
                }
                if (granule == 1) Assert.Equal(PanelSplit(m, n, k, kernel, packed.PanelWidth, threads), recorder.Blocks.Order());
            }
    }

    [Fact]
    public void Epilogue_GranuleThatDoesNotDivideN_Throws()
    {
        var packed = new PackedMatrix<T>(4, 10);
        T[] a = new T[8], c = new T[20];
        var exception = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(2, T.One, a, 4, packed, T.Zero, c, 10, new RecordingEpilogue(4, new Recorder(2, 10)), 1));
        Assert.Equal("epilogue", exception.ParamName);
    }

    /// <summary>
    /// The blocks of a plain product's split on <paramref name="threads"/> threads, as it was before epilogues had a
    /// granule: from 2¹⁶ multiply-adds on, runs of whole NR column panels when there are 2 or more per thread, else
    /// runs of whole MR row panels, else none.
    /// </summary>
    private static (int, int, int, int)[] PanelSplit(int m, int n, int k, GemmKernel kernel, int nr, int threads)
    {
        int mr = kernel switch { GemmKernel.Vector512 => 8, GemmKernel.Vector256 => 6, _ => 4 };
        int parts = k > 0 && (long)m * n * k >= 1 << 16 ? threads : 1;
        int columnPanels = (n + nr - 1) / nr, rowPanels = (m + mr - 1) / mr;
        if (parts > 1 && columnPanels >= 2 * parts) return [.. Runs(parts, columnPanels, nr, n).Select(r => (0, m, r.Start, r.End))];
        if (parts > 1 && rowPanels >= 2 * parts) return [.. Runs(parts, rowPanels, mr, m).Select(r => (r.Start, r.End, 0, n))];
        return [(0, m, 0, n)];
    }

    private static IEnumerable<(int Start, int End)> Runs(int parts, int panels, int size, int limit)
        => Enumerable.Range(0, parts).Select(p => (Math.Min(limit, panels * p / parts * size), Math.Min(limit, panels * (p + 1) / parts * size)));

    private static T[] Random(Random rng, int length)
    {
        var data = new T[length];
        for (int i = 0; i < length; i++) data[i] = T.CreateTruncating(rng.NextDouble() * 2 - 1);
        return data;
    }

    /// <summary>What the epilogue saw: the blocks, how often each element of C was handed to it, and its value then.</summary>
    private sealed class Recorder(int m, int n)
    {
        public List<(int, int, int, int)> Blocks { get; } = [];
        public int[] Visits { get; } = new int[m * n];
        public T[] Seen { get; } = new T[m * n];
        public int Columns => n;
    }

    /// <summary>Records each block (under a lock: blocks arrive from several threads), then negates it in C.</summary>
    private readonly unsafe struct RecordingEpilogue(int granule, Recorder recorder) : IGemmEpilogue<T>
    {
        public int ColumnGranule => granule;

        public void Apply(T* c, nint ldc, int i0, int i1, int j0, int j1)
        {
            lock (recorder)
            {
                recorder.Blocks.Add((i0, i1, j0, j1));
                for (int i = i0; i < i1; i++)
                    for (int j = j0; j < j1; j++)
                    {
                        recorder.Visits[i * recorder.Columns + j]++;
                        recorder.Seen[i * recorder.Columns + j] = c[i * ldc + j];
                        c[i * ldc + j] = -c[i * ldc + j];
                    }
            }
        }
    }
}

public sealed class GemmEpilogueSingleTests : GemmEpilogueTests<float>;

public sealed class GemmEpilogueDoubleTests : GemmEpilogueTests<double>;
