using Rnn.Kernels;

namespace Rnn.Cli;

/// <summary>Applies <c>--threads</c>.</summary>
public static class Threading
{
    /// <summary>Caps the threads the matrix products use; refuses values outside [1, 256].</summary>
    public static void Configure(int threads)
    {
        if (threads < 1 || threads > 256) throw new UsageException($"--threads must be between 1 and 256, not {threads}.");
        ComputeThreads.Max = threads;
    }
}
