// A few persistent worker threads for the kernels. Parallel.For costs allocations and a wake-up through the
// thread pool on every call; a training step makes hundreds of such calls, so the kernels keep their own
// workers, parked on an event between jobs. Part 0 of a job always runs on the calling thread.
namespace Rnn.Kernels;

/// <summary>One part of a job split across threads. Implementations keep their inputs in fields, so that
/// handing a job to the workers allocates nothing.</summary>
internal interface IParallelWork
{
    /// <summary>Runs part <paramref name="part"/> of the job.</summary>
    void Execute(int part);
}

/// <summary>Runs the parts of a job on the calling thread and up to <c>ProcessorCount − 1</c> persistent workers.</summary>
internal static class WorkerPool
{
    private static readonly object Gate = new();
    private static Worker[] workers = [];

    /// <summary>
    /// Runs <c>work.Execute(p)</c> for every p in [0, <paramref name="parts"/>), part 0 on the calling thread, and
    /// returns when all are done. If the workers are busy with another caller's job, every part runs here, one
    /// after the other: the parts partition the work, so the result is the same either way.
    /// </summary>
    public static void Run(IParallelWork work, int parts)
    {
        if (parts <= 1 || !Monitor.TryEnter(Gate))
        {
            for (int p = 0; p < parts; p++) work.Execute(p);
            return;
        }
        try
        {
            EnsureWorkers(parts - 1);
            for (int p = 1; p < parts; p++) workers[p - 1].Start(work, p);
            Exception? failure = null;
            try { work.Execute(0); }
            catch (Exception e) { failure = e; }
            for (int p = 1; p < parts; p++) failure ??= workers[p - 1].Wait();
            if (failure is not null) throw new AggregateException(failure);
        }
        finally
        {
            Monitor.Exit(Gate);
        }
    }

    private static void EnsureWorkers(int count)
    {
        if (workers.Length >= count) return;
        var grown = new Worker[count];
        Array.Copy(workers, grown, workers.Length);
        for (int i = workers.Length; i < count; i++) grown[i] = new Worker(i);
        workers = grown;
    }

    private sealed class Worker
    {
        private readonly ManualResetEventSlim start = new(false, spinCount: 200);
        private readonly ManualResetEventSlim done = new(false, spinCount: 2000);
        private IParallelWork? work;
        private int part;
        private Exception? failure;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"rnn-kernel-{index + 1}" };
            thread.Start();
        }

        public void Start(IParallelWork job, int jobPart)
        {
            work = job;
            part = jobPart;
            failure = null;
            done.Reset();
            start.Set();
        }

        public Exception? Wait()
        {
            done.Wait();
            work = null;
            return failure;
        }

        private void Loop()
        {
            while (true)
            {
                start.Wait();
                start.Reset();
                try { work!.Execute(part); }
                catch (Exception e) { failure = e; }
                done.Set();
            }
        }
    }
}
