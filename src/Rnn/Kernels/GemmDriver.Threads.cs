// The split of one product across threads. Threads take runs of whole panels of C, by columns when there are
// enough column panels, else by rows, and never split K: each C element is computed by one thread with the same
// chain of FMAs as on one thread, so results are bit-identical for any thread count.
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
}
