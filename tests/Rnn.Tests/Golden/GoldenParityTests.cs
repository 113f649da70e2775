using Xunit.Abstractions;

namespace Rnn.Tests.Golden;

/// <summary>Every case in tests/golden (copied beside the test assembly) and, when RNN_GOLDEN_DIR is set, every case there.</summary>
public class GoldenParityTests(ITestOutputHelper output)
{
    private const string ExtraFolderVariable = "RNN_GOLDEN_DIR";

    private static string CommittedFolder => Path.Combine(AppContext.BaseDirectory, "golden");

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var folder in Folders())
            if (Directory.Exists(folder))
                foreach (var file in Directory.GetFiles(folder, "*.safetensors").Order(StringComparer.Ordinal))
                    data.Add(Path.GetFileName(file), folder);
        return data;
    }

    private static IEnumerable<string> Folders()
    {
        yield return CommittedFolder;
        var extra = Environment.GetEnvironmentVariable(ExtraFolderVariable);
        if (!string.IsNullOrEmpty(extra)) yield return Path.GetFullPath(extra);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GoldenCase_AllOutputsAndGradients_MatchReferenceWithinTolerance(string file, string folder)
    {
        string path = Path.Combine(folder, file);
        var comparisons = GoldenCase.Run(path);
        var worst = comparisons.MaxBy(c => c.Ratio)!;
        output.WriteLine($"{Path.GetFileName(path)}: worst error/tolerance {worst.Ratio:F4} ({worst.Name}), {comparisons.Count} tensors");
        foreach (var c in comparisons)
            Assert.True(c.Ratio <= 1.0, $"{Path.GetFileName(path)}: {c.Name} error/tolerance = {c.Ratio:G4}");
    }

    [Theory]
    [InlineData("gated_rnn", false)]
    [InlineData("lstm", true)]
    public void GoldenCase_UnknownKindOrLengths_FailsClearly(string kind, bool withLengths)
    {
        string source = Directory.GetFiles(CommittedFolder, "lstm_*.safetensors").Order(StringComparer.Ordinal).First();
        var file = Rnn.IO.SafeTensorsFile.Load(source);
        var writer = new Rnn.IO.SafeTensorsWriter();
        foreach (var (key, value) in file.Metadata) writer.Metadata[key] = value;
        writer.Metadata["kind"] = kind;
        foreach (var tensor in file.Tensors)
        {
            if (tensor.DType == Rnn.IO.SafeTensorsDType.F32) writer.Add(tensor.Name, file.ReadSingle(tensor.Name), tensor.Shape.ToArray());
            else writer.Add(tensor.Name, file.ReadDouble(tensor.Name), tensor.Shape.ToArray());
        }
        if (withLengths) writer.Add("lengths", new long[] { 1, 1 }, 2);
        string path = Path.Combine(Path.GetTempPath(), $"golden-{kind}-{Environment.ProcessId}.safetensors");
        using (var stream = File.Create(path)) writer.Write(stream);
        try
        {
            var error = Assert.ThrowsAny<Exception>(() => GoldenCase.Run(path));
            Assert.Contains(withLengths ? "lengths" : $"unknown kind '{kind}'", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void GoldenFolders_AreNotEmpty()
    {
        foreach (var folder in Folders())
        {
            Assert.True(Directory.Exists(folder), $"golden folder '{folder}' does not exist");
            Assert.NotEmpty(Directory.GetFiles(folder, "*.safetensors"));
        }
        Assert.True(Directory.GetFiles(CommittedFolder, "*.safetensors").Length >= 30);
    }
}
