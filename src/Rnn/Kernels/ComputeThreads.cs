namespace Rnn.Kernels;

/// <summary>How many threads the kernels may use. Results do not depend on it (products never split the sum).</summary>
public static class ComputeThreads
{
    private static int s_max = Environment.ProcessorCount;

    // Set on the threads of RunPair: work already split across cores must not split again.
    [ThreadStatic] private static bool t_insidePair;

    /// <summary>The thread cap for large matrix products and parallel directions; default: the processor count.
    /// Reads 1 inside <see cref="RunPair"/>, whose two halves already occupy the cores.</summary>
    public static int Max
    {
        get => t_insidePair ? 1 : s_max;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            s_max = value;
        }
    }

    /// <summary>Runs both parts of <paramref name="work"/> at the same time when two or more threads are allowed,
    /// else one after the other. Each part must touch only its own data.</summary>
    internal static void RunPair(PairedWork work)
    {
        if (Max < 2)
        {
            work.Execute(0);
            work.Execute(1);
            return;
        }
        WorkerPool.Run(work, 2);
    }

    /// <summary>A job of two independent halves; kernels called inside it stay on one thread each.</summary>
    internal abstract class PairedWork : IParallelWork
    {
        /// <inheritdoc/>
        public void Execute(int part)
        {
            bool saved = t_insidePair;
            t_insidePair = true;
            try { Run(part); }
            finally { t_insidePair = saved; }
        }

        /// <summary>Runs half <paramref name="part"/> (0 or 1).</summary>
        protected abstract void Run(int part);
    }
}
