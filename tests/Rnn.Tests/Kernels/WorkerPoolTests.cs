using System.Diagnostics;
using Rnn.Kernels;

namespace Rnn.Tests.Kernels;

/// <summary>The kernels' worker hand-off: a job's parts have all finished when Run returns, however long each took.</summary>
public sealed class WorkerPoolTests
{
    /// <summary>Part 1 records the job's number after a pause that is sometimes shorter and sometimes longer than the
    /// caller's spin, so both ways of waiting (spinning, then parking) are exercised, back to back.</summary>
    private sealed class StampJob : IParallelWork
    {
        public int Number;
        public long PauseTicks;
        public int Stamp = -1;

        public void Execute(int part)
        {
            if (part != 1) return;
            long until = Stopwatch.GetTimestamp() + PauseTicks;
            while (Stopwatch.GetTimestamp() < until) Thread.SpinWait(10);
            Volatile.Write(ref Stamp, Number);
        }
    }

    [Fact]
    public void Run_ReturnsOnlyAfterEveryPartFinished()
    {
        var job = new StampJob();
        var random = new Random(5);
        long microsecond = Stopwatch.Frequency / 1_000_000;
        for (int n = 0; n < 1500; n++)
        {
            job.Number = n;
            // 0–600 µs: around the 200 µs for which each side spins before parking.
            job.PauseTicks = random.Next(4) == 0 ? random.Next(600) * microsecond : 0;
            WorkerPool.Run(job, 2);
            Assert.Equal(n, Volatile.Read(ref job.Stamp));
        }
    }

    [Fact]
    public void Run_AfterTheWorkerParked_StillRunsEveryPart()
    {
        var job = new StampJob();
        for (int n = 0; n < 5; n++)
        {
            Thread.Sleep(5);  // long enough for the worker to stop spinning and park
            job.Number = n;
            WorkerPool.Run(job, 2);
            Assert.Equal(n, Volatile.Read(ref job.Stamp));
        }
    }

    /// <summary>A worker kept from its part (here by a hook; on a loaded machine, by other processes holding the cores)
    /// does not hold the caller up: the caller runs the part itself, and the worker skips it when it comes back.</summary>
    [Fact]
    public async Task Run_WorkerHeldBack_CallerRunsItsPart()
    {
        using var hold = new ManualResetEventSlim(false);
        var job = new ThreadJob();
        WorkerPool.WorkerSawJob = () => hold.Wait(TimeSpan.FromSeconds(30));
        try
        {
            var run = Task.Run(() =>
            {
                for (int n = 0; n < 3; n++) WorkerPool.Run(job, 2);
            });
            // Without the caller taking the part, Run would wait here for the 30 s the worker is held.
            await run.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(3, job.Runs[1]);
            Assert.Equal(0, job.RunsOnWorker);
        }
        finally
        {
            WorkerPool.WorkerSawJob = null;
            hold.Set();
        }
        // The worker, released, skips the parts taken from it and runs the next ones again.
        var stamp = new StampJob();
        for (int n = 0; n < 50; n++)
        {
            stamp.Number = n;
            WorkerPool.Run(stamp, 2);
            Assert.Equal(n, Volatile.Read(ref stamp.Stamp));
        }
    }

    private sealed class ThreadJob : IParallelWork
    {
        public readonly int[] Runs = new int[2];
        public int RunsOnWorker;

        public void Execute(int part)
        {
            Interlocked.Increment(ref Runs[part]);
            if (Thread.CurrentThread.Name?.StartsWith("rnn-kernel", StringComparison.Ordinal) == true) Interlocked.Increment(ref RunsOnWorker);
        }
    }

    [Fact]
    public void Run_PartThrows_SurfacesTheException()
    {
        var ex = Assert.Throws<AggregateException>(() => WorkerPool.Run(new ThrowingJob(), 2));
        Assert.IsType<InvalidOperationException>(ex.InnerException);
        // The pool still works afterwards.
        var job = new StampJob { Number = 7 };
        WorkerPool.Run(job, 2);
        Assert.Equal(7, job.Stamp);
    }

    private sealed class ThrowingJob : IParallelWork
    {
        public void Execute(int part)
        {
            if (part == 1) throw new InvalidOperationException("part 1 failed");
        }
    }
}
