namespace Rnn.Kernels;

/// <summary>How many threads the kernels may use. Results do not depend on it (products never split the sum).</summary>
public static class ComputeThreads
{
    private static int max = Environment.ProcessorCount;

    /// <summary>The thread cap for large matrix products and parallel directions; default: the processor count.</summary>
    public static int Max
    {
        get => max;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            max = value;
        }
    }
}
