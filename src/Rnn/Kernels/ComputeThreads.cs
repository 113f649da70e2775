namespace Rnn.Kernels;

/// <summary>How many threads the kernels may use. Results do not depend on it (products never split the sum).</summary>
public static class ComputeThreads
{
    private static int max = Environment.ProcessorCount;

    // Set on the threads of RunPair: work already split across cores must not split again.
    [ThreadStatic] private static bool insidePair;

    /// <summary>The thread cap for large matrix products and parallel directions; default: the processor count.
    /// Reads 1 inside <see cref="RunPair"/>, whose two halves already occupy the cores.</summary>
    public static int Max
    {
        get => insidePair ? 1 : max;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            max = value;
        }
    }

    /// <summary>Runs <paramref name="first"/> and <paramref name="second"/> at the same time when two or more threads
    /// are allowed, else one after the other. Each must touch only its own data.</summary>
    public static void RunPair(Action first, Action second)
    {
        if (Max < 2)
        {
            first();
            second();
            return;
        }
        Parallel.Invoke(() => Inside(first), () => Inside(second));
    }

    private static void Inside(Action action)
    {
        bool saved = insidePair;
        insidePair = true;
        try { action(); }
        finally { insidePair = saved; }
    }
}
