// The split of one product across threads. Threads take runs of whole panels of C, by columns when there are
// enough column panels, else by rows (by rows first where both operands are packed and C is taller than wide), and
// never split K: each C element is computed by one thread with the same
// chain of FMAs as on one thread, so results are bit-identical for any thread count. A column run is also a whole
// number of the epilogue's column granules (GemmEpilogue.cs), so that no thread's block splits a gated unit.
namespace Rnn.Kernels;

/// <content>The thread split: which part of C each thread computes.</content>
internal static unsafe partial class GemmDriver<T, TTile>
{
    // Products below this many multiply-adds finish before a second thread could be woken.
    private const long ParallelWork = 1L << 21;
    // The recurrent step's product against a prepacked W packs nothing B-sized, and the worker is usually still
    // spinning from the previous step, so splitting pays from a few µs of work on (measured with `rnn bench`: at
    // T,B,I,H = 100,8,64,256 on 2 threads the train step took 7.1 ms against 10.4 ms with the general threshold).
    private const long PrepackedParallelWork = 1L << 16;

    /// <summary>
    /// Computes the whole product by <paramref name="path"/>, split across threads when it is large enough, each part
    /// ending with <paramref name="epilogue"/> over the block it computed.
    /// </summary>
    private static void Run<TEpilogue>(in GemmOperands<T> op, int maxThreads, GemmPath path, TEpilogue epilogue)
        where TEpilogue : struct, IGemmEpilogue<T>
    {
        long threshold = path == GemmPath.Prepacked ? PrepackedParallelWork : ParallelWork;
        int parts = (long)op.M * op.N * op.K >= threshold ? maxThreads : 1;
        int columnStep = ColumnStep(epilogue.ColumnGranule);
        int columnRuns = (op.N + columnStep - 1) / columnStep, rowPanels = (op.M + TTile.Rows - 1) / TTile.Rows;
        // A thread packs the whole of the operand it does not split: by columns, all of op(A) [M, K]; by rows, all of
        // op(B) [K, N]. Where both are packed, the split goes along the longer side of C, so the copy each thread
        // repeats is the smaller one (a weight gradient Δᵀ·X with G·H > I, or dX = Δ·W with T·B > I, by rows).
        bool rowsFirst = path == GemmPath.Packed && op.M > op.N && !op.TransposeB;
        bool byRows = parts > 1 && rowPanels >= 2 * parts && (rowsFirst || columnRuns < 2 * parts);
        if (byRows) SplitJob<TEpilogue>.Run(op, parts, rowPanels, TTile.Rows, path, byColumns: false, epilogue);
        else if (parts > 1 && columnRuns >= 2 * parts) SplitJob<TEpilogue>.Run(op, parts, columnRuns, columnStep, path, byColumns: true, epilogue);
        else Compute(op, 0, op.M, 0, op.N, path, epilogue);
    }

    /// <summary>
    /// lcm(NR, <paramref name="granule"/>): a thread's columns are whole runs of this many, so whole NR panels (its tiles
    /// are those of one thread) and whole granules (no epilogue block splits one). Granule 1 gives NR, whole panels.
    /// </summary>
    private static int ColumnStep(int granule)
    {
        int x = TTile.Cols, y = granule;
        while (y != 0) (x, y) = (y, x % y);
        return TTile.Cols / x * granule;
    }

    /// <summary>The product split along one dimension of C into runs of whole panels (and granules), each part a range of runs.</summary>
    private sealed class SplitJob<TEpilogue> : IParallelWork where TEpilogue : struct, IGemmEpilogue<T>
    {
        // One job object per calling thread and epilogue type, reused: handing a product to the workers allocates nothing.
        [ThreadStatic] private static SplitJob<TEpilogue>? t_job;

        private GemmOperands<T> _op;
        private TEpilogue _epilogue;
        private int _parts, _runs, _step;
        private GemmPath _path;
        private bool _byColumns;

        /// <summary>Runs the <paramref name="parts"/> parts, part p taking runs [runs·p/parts, runs·(p+1)/parts) of <paramref name="step"/> columns or rows.</summary>
        public static void Run(in GemmOperands<T> op, int parts, int runs, int step, GemmPath path, bool byColumns, TEpilogue epilogue)
        {
            var job = t_job ??= new SplitJob<TEpilogue>();
            job._op = op;
            job._epilogue = epilogue;
            job._parts = parts;
            job._runs = runs;
            job._step = step;
            job._path = path;
            job._byColumns = byColumns;
            WorkerPool.Run(job, parts);
            // The epilogue may hold references; the job outlives the call.
            job._epilogue = default;
        }

        public void Execute(int part)
        {
            int limit = _byColumns ? _op.N : _op.M;
            int start = Math.Min(limit, (int)((long)_runs * part / _parts) * _step);
            int end = Math.Min(limit, (int)((long)_runs * (part + 1) / _parts) * _step);
            if (_byColumns) Compute(_op, 0, _op.M, start, end, _path, _epilogue);
            else Compute(_op, start, end, 0, _op.N, _path, _epilogue);
        }
    }
}
