namespace Rnn.IO;

/// <summary>
/// Thrown when safetensors data is malformed, exceeds the reader's limits, or does not hold what the caller asked for
/// (a missing tensor, a dtype that cannot be read as the requested element type, a destination of the wrong length).
/// The message names the file when known, the tensor when one is involved, and what is wrong.
/// </summary>
/// <remarks>
/// Derives from <see cref="IOException"/> because <see cref="InvalidDataException"/> is sealed; this way one
/// <c>catch (IOException)</c> covers both a file that cannot be read and a file whose content is unusable.
/// </remarks>
public sealed class SafeTensorsFormatException : IOException
{
    /// <summary>Creates the exception with the given message.</summary>
    public SafeTensorsFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with the given message and the exception that revealed the problem.</summary>
    public SafeTensorsFormatException(string message, Exception innerException) : base(message, innerException) { }
}
