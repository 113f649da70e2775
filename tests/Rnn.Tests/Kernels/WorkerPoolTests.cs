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
