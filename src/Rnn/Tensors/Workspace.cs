// Scratch buffers that grow to the largest shape seen and are then reused: after the first step of a shape a
// training step allocates nothing.
namespace Rnn.Tensors;

/// <summary>Grow-only scratch buffers.</summary>
public static class Workspace
{
    /// <summary>Replaces <paramref name="buffer"/> with a new zeroed array of <paramref name="length"/> elements when it is shorter; otherwise keeps it (and its contents).</summary>
    public static void EnsureLength<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new T[length];
    }
}
