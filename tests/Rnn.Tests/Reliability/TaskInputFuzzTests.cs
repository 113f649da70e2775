using CsCheck;

namespace Rnn.Tests.Reliability;

/// <summary>
/// Mutated data files of each task through <c>rnn train</c>: each run trains (exit 0) or refuses with one <c>rnn:</c>
/// line and exit 2, never a stack trace, never a hang.
/// </summary>
public sealed class TaskInputFuzzTests : IDisposable
{
    private const int Cases = 60;

    /// <summary>A case that has not finished in this time is taken to hang (one training step on a few hundred bytes).</summary>
    private static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(20);

    private static readonly string[] Pieces = ["\t", "\n", "\n\n", ",", "\"", " ", "NA", "", "-", "1e999", "x", "2020-01", "B-PER", "é", "\r", "\0"];

    private readonly string _folder = Directory.CreateTempSubdirectory("rnn-task-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static Gen<string> Mutations(string valid) => Fuzz.Mutations(valid, Pieces, maxEdits: 4);

    private void AssertTrainsOrRefuses(string valid, string extension, ulong seed, params string[] options)
    {
        int n = 0;
        var (accepted, rejected) = Fuzz.Run(Mutations(valid), Cases, seed, text =>
        {
            string path = Path.Combine(_folder, $"case{n++}{extension}");
            File.WriteAllText(path, text);
            var run = Task.Run(() => Rnn.Tests.Cli.CliRunner.Run(["train", path, .. options, "--steps", "1", "--hidden", "4", "--batch", "2",
                "--threads", "1", "--out", Path.Combine(_folder, "m.safetensors")]));
            if (!run.Wait(CaseLimit)) throw new TimeoutException($"rnn train did not finish within {CaseLimit}.");
            var (code, _, error) = run.Result;
            Assert.True(code is 0 or 2, $"exit {code}: {error}");
            Assert.DoesNotContain("   at ", error);
            if (code == 0) return true;
            Assert.StartsWith("rnn: ", error);
            return false;
        }, text => System.Text.Json.JsonSerializer.Serialize(text));
        Assert.True(accepted > 0 && rejected > 0, $"{accepted} accepted, {rejected} rejected");
    }

    [Fact]
    public void TrainClassify_MutatedFile_TrainsOrRefusesInOneLine() =>
        AssertTrainsOrRefuses("pos\tgood day\nneg\tbad day\npos\tfine\nneg\tpoor\n", ".tsv", 31, "--task", "classify", "--val-fraction", "0");

    [Fact]
    public void TrainTag_MutatedFile_TrainsOrRefusesInOneLine() =>
        AssertTrainsOrRefuses("Anna\tB-PER\nmet\tO\n\nParis\tB-LOC\nis\tO\n", ".tags", 32, "--task", "tag", "--val-fraction", "0");

    [Fact]
    public void TrainForecast_MutatedFile_TrainsOrRefusesInOneLine() =>
        AssertTrainsOrRefuses("date,x,y\n2020-01,1,10\n2020-02,2,20\n2020-03,3,30\n2020-04,4,40\n2020-05,5,50\n2020-06,6,60\n", ".csv", 33,
            "--task", "forecast", "--seq", "2", "--val-fraction", "0");
}
