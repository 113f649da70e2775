using Rnn.IO;
using Xunit;

namespace Rnn.Tests.IO;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rnn-atomic-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Write_NewFile_CreatesItAndLeavesNoTempFile()
    {
        string path = Path.Combine(_directory, "a.bin");

        AtomicFile.Write(path, s => s.Write([1, 2, 3]));

        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_directory));
    }

    [Fact]
    public void Write_ExistingFile_ReplacesContent()
    {
        string path = Path.Combine(_directory, "a.bin");
        File.WriteAllBytes(path, [9, 9, 9, 9, 9]);

        AtomicFile.Write(path, s => s.Write([4]));

        Assert.Equal([4], File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_directory));
    }

    [Fact]
    public void Write_ActionThrows_LeavesOldFileUntouchedAndNoTempFile()
    {
        string path = Path.Combine(_directory, "a.bin");
        File.WriteAllBytes(path, [7, 7]);

        var e = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write([1, 2, 3, 4]);
            throw new InvalidOperationException("boom");
        }));

        Assert.Equal("boom", e.Message);
        Assert.Equal([7, 7], File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_directory));
    }

    [Fact]
    public void Write_ActionThrowsForNewFile_CreatesNothing()
    {
        string path = Path.Combine(_directory, "new.bin");

        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, _ => throw new InvalidOperationException()));

        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public void Write_RelativePath_WritesIntoThatDirectory()
    {
        string path = Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(_directory, "rel.bin"));

        AtomicFile.Write(path, s => s.WriteByte(5));

        Assert.Equal([5], File.ReadAllBytes(Path.Combine(_directory, "rel.bin")));
    }

    [Fact]
    public void Write_MissingDirectory_ThrowsAndCreatesNothing()
    {
        string path = Path.Combine(_directory, "missing", "a.bin");

        Assert.Throws<DirectoryNotFoundException>(() => AtomicFile.Write(path, s => s.WriteByte(1)));
        Assert.Empty(Directory.GetFileSystemEntries(_directory));
    }

    [Fact]
    public void SafeTensorsWriterSave_ExistingFile_OverwritesAtomicallyAndLoads()
    {
        string path = Path.Combine(_directory, "model.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        var writer = new SafeTensorsWriter();
        writer.Metadata["kind"] = "rnn";
        writer.Add("w", [1f, 2f], 2);

        writer.Save(path);

        SafeTensorsFile file = SafeTensorsFile.Load(path);
        Assert.Equal([1f, 2f], file.ReadSingle("w"));
        Assert.Equal(path, file.SourceName);
        Assert.Equal([path], Directory.GetFiles(_directory));
    }

    [Fact]
    public void SafeTensorsWriterSave_InvalidMetadata_LeavesOldFileUntouched()
    {
        string path = Path.Combine(_directory, "model.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        var writer = new SafeTensorsWriter();
        writer.Metadata["k"] = "\ud800";

        Assert.Throws<ArgumentException>(() => writer.Save(path));

        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_directory));
    }
}
