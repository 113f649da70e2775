namespace Rnn.IO;

/// <summary>Replaces files so that readers see either the old content or the complete new content, never a partial write.</summary>
public static class AtomicFile
{
    /// <summary>
    /// Calls <paramref name="write"/> with a stream on a new temporary file in the directory of <paramref name="path"/>,
    /// flushes it to disk, then renames it over <paramref name="path"/> (replacing any existing file).
    /// If <paramref name="write"/>, the flush or the rename throws, the temporary file is deleted, the existing file is
    /// left untouched, and the exception propagates. <paramref name="write"/> must not dispose the stream.
    /// </summary>
    /// <remarks>
    /// A process killed at any moment leaves either the old or the new file at <paramref name="path"/>, plus at most a
    /// leftover temporary file named <c>.NAME.GUID.tmp</c> beside it. The directory entry itself is not fsynced: .NET
    /// has no API to open a directory for <c>fsync</c>, so after a power loss or kernel crash the rename may be lost and
    /// the old file found again (never a partial one).
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or names a directory.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> or <paramref name="write"/> is null.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string target = Path.GetFullPath(path);
        string fileName = Path.GetFileName(target);
        string? directory = Path.GetDirectoryName(target);
        if (fileName.Length == 0 || directory is null)
            throw new ArgumentException($"'{path}' names a directory, not a file.", nameof(path));

        // Same directory as the target so the final rename stays on one file system and is atomic.
        string temp = Path.Combine(directory, $".{fileName}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        // A failed cleanup must not hide the exception that caused it.
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
