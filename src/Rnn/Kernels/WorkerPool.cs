// A few persistent worker threads for the kernels. Parallel.For costs allocations and a wake-up through the
// thread pool on every call; a training step makes hundreds of such calls, so the kernels keep their own
// workers. Part 0 of a job always runs on the calling thread.
//
// Hand-off latency matters more than throughput here: a recurrent step's product takes 10–300 µs, and waking a
// thread parked in the kernel costs tens of µs on a virtual machine. So each side spins a short while on a
// counter before it parks: a worker keeps watching for the next job for SpinTime after finishing one (the next
// step's product usually arrives within that), and the caller watches for the workers' parts to finish.
// A worker that has parked is woken through a semaphore; the flag protocol below never loses a wake-up.
//
// A part is claimed before it runs, by its worker or by the caller: once the caller has run part 0 it takes every
// part whose worker has not begun it and runs it itself. On a machine whose cores are busy with other processes a
// worker may wait milliseconds for a core; without this the caller would wait with it at every hand-off (a
// training step has thousands), and two threads ran several times slower than one.
using System.Diagnostics;
using System.Runtime.Intrinsics.X86;

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
    // How long an idle worker, or a caller waiting for one, watches before parking: longer than the gap between
    // two recurrent steps, short enough that an idle process stops using the core at once.
    private static readonly long SpinTicks = Stopwatch.Frequency / 5000;   // 200 µs

    private static readonly object Gate = new();

    /// <summary>Called by a worker when it has seen a job, before it claims it: lets a test hold a worker back, as a
    /// busy machine would.</summary>
    internal static Action? WorkerSawJob { get; set; }
    private static Worker[] s_workers = [];

    /// <summary>
    /// Runs <c>work.Execute(p)</c> for every p in [0, <paramref name="parts"/>), part 0 on the calling thread, and
    /// returns when all are done. If the workers are busy with another caller's job, every part runs here, one
    /// after the other, and so does each part whose worker has not begun it when part 0 is done: the parts partition
    /// the work, so the result is the same either way.
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
            for (int p = 1; p < parts; p++) s_workers[p - 1].Start(work, p);
            Exception? failure = null;
            try { work.Execute(0); }
            catch (Exception e) { failure = e; }
            Span<bool> stolen = stackalloc bool[parts];
            for (int p = 1; p < parts; p++)
            {
                if (!s_workers[p - 1].TrySteal()) continue;
                stolen[p] = true;
                try { work.Execute(p); }
                catch (Exception e) { failure ??= e; }
            }
            for (int p = 1; p < parts; p++)
                if (!stolen[p]) failure ??= s_workers[p - 1].Wait();
            if (failure is not null) throw new AggregateException(failure);
        }
        finally
        {
            Monitor.Exit(Gate);
        }
    }

    private static void EnsureWorkers(int count)
    {
        if (s_workers.Length >= count) return;
        var grown = new Worker[count];
        Array.Copy(s_workers, grown, s_workers.Length);
        for (int i = s_workers.Length; i < count; i++) grown[i] = new Worker(i);
        s_workers = grown;
    }

    /// <summary>Spins once, politely to a sibling hardware thread.</summary>
    private static void Pause()
    {
        if (X86Base.IsSupported) X86Base.Pause();
        else Thread.SpinWait(1);
    }

    /// <summary>
    /// Spins until <paramref name="condition"/> holds or <see cref="SpinTicks"/> pass; returns whether it holds.
    /// The clock is read every 32 spins: reading it costs more than a pause.
    /// </summary>
    private static bool SpinUntil<TState>(Func<TState, bool> condition, TState state)
    {
        long deadline = Stopwatch.GetTimestamp() + SpinTicks;
        while (true)
        {
            for (int i = 0; i < 32; i++)
            {
                if (condition(state)) return true;
                Pause();
            }
            if (Stopwatch.GetTimestamp() > deadline) return condition(state);
        }
    }

    private sealed class Worker
    {
        private static readonly Func<Worker, bool> HasJob = w => Volatile.Read(ref w._posted) != w._taken;
        private static readonly Func<Worker, bool> IsDone = w => Volatile.Read(ref w._finished) == Volatile.Read(ref w._posted);

        // The worker parks on this when no job came while it spun; Start releases it only if it said it parked.
        private readonly SemaphoreSlim _wake = new(0);
        // The caller parks on this when the part was not done while it spun; set after every part.
        private readonly ManualResetEventSlim _done = new(false, spinCount: 1);
        private IParallelWork? _work;
        private int _part;
        private Exception? _failure;
        private int _posted;     // jobs posted by Start (written by the caller)
        private int _taken;      // jobs the worker has begun (read and written by the worker only)
        private int _finished;   // jobs the worker has completed or found taken (written by the worker)
        private int _claimed;    // the last job claimed, by the worker or by the caller (TrySteal); changed by CAS only
        private int _parked;     // 1 while the worker is (about to be) parked on wake

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"rnn-kernel-{index + 1}" };
            thread.Start();
        }

        public void Start(IParallelWork job, int jobPart)
        {
            _work = job;
            _part = jobPart;
            _failure = null;
            _done.Reset();
            // The volatile write publishes work, part and failure with it.
            Volatile.Write(ref _posted, _posted + 1);
            if (Interlocked.Exchange(ref _parked, 0) == 1) _wake.Release();
        }

        /// <summary>
        /// Claims the job last posted for the caller, if the worker has not begun it; the caller must then run the
        /// part itself and not <see cref="Wait"/>. The worker will find the job claimed and skip it.
        /// </summary>
        public bool TrySteal()
        {
            int job = _posted;
            // Job − 1 was claimed before job was posted (by the worker, which the caller waited for, or by a steal).
            if (Interlocked.CompareExchange(ref _claimed, job, job - 1) != job - 1) return false;
            _work = null;
            return true;
        }

        /// <summary>Waits for the job last posted, which the worker claimed; returns what it threw, or null.</summary>
        public Exception? Wait()
        {
            if (!SpinUntil(IsDone, this)) _done.Wait();
            _work = null;
            return _failure;
        }

        private void Loop()
        {
            while (true)
            {
                if (!SpinUntil(HasJob, this)) Park();
                int job = ++_taken;
                WorkerSawJob?.Invoke();
                // A job the caller took (it had posted others since, perhaps) is only counted: its fields may already
                // be the next job's, and nobody waits for it.
                if (Interlocked.CompareExchange(ref _claimed, job, job - 1) == job - 1)
                {
                    try { _work!.Execute(_part); }
                    catch (Exception e) { _failure = e; }
                    // Set before publishing the count: a caller that saw the count may post the next job and reset the
                    // event at once, and a Set arriving after that reset would end the next Wait early.
                    _done.Set();
                }
                Volatile.Write(ref _finished, job);
            }
        }

        /// <summary>Parks until a job is posted. Start either sees the flag and releases, or posted before the re-check.</summary>
        private void Park()
        {
            while (!HasJob(this))
            {
                Interlocked.Exchange(ref _parked, 1);
                if (HasJob(this))
                {
                    // A job came after all. If Start already cleared the flag, it has released (or will): take that
                    // release so that it does not wake a later park early.
                    if (Interlocked.Exchange(ref _parked, 0) == 0) _wake.Wait();
                    return;
                }
                _wake.Wait();
            }
        }
    }
}
