using System.Diagnostics;
using System.Text.RegularExpressions;
using Rnn.Cli.Demos;
using Rnn.IO;
using Rnn.Data;
using Rnn.Serialization;
using Rnn.Training;

namespace Rnn.Tests.Reliability;

/// <summary>
/// Crash safety of <c>rnn train</c>, with the real CLI in a separate process killed by SIGKILL at random moments:
/// after every kill each checkpoint in the folder loads, nothing else is left but the temporary files of interrupted
/// writes, and resuming until the end gives weights byte for byte equal to those of an uninterrupted run.
/// </summary>
public sealed partial class KillResumeTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private const int Kills = 10;
    // Long enough (about a second at H = 16) that a run from scratch outlives the longest wait before a kill (700 ms):
    // at 200 steps a run took 0.45 s, most rounds ended without a kill, and the rounds' bound below failed at random.
    private const int Steps = 600;
    private const int EvaluateEvery = 5;

    private readonly string _folder = Directory.CreateTempSubdirectory("rnn-kill-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>The name AtomicFile gives its temporary file for <c>NAME</c>: <c>.NAME.GUID.tmp</c>, never ending in .safetensors.</summary>
    [GeneratedRegex(@"^\.model(\.best)?\.safetensors\.[0-9a-f]{32}\.tmp$")]
    private static partial Regex TemporaryFile();

    [Fact]
    public void Train_KilledAtRandomMomentsAndResumed_EndsWithTheWeightsOfAnUninterruptedRun()
    {
        string corpus = Path.Combine(_folder, "corpus.txt");
        File.WriteAllText(corpus, DemoCorpus.Generate(approximateBytes: 6_000, seed: 9));
        string reference = Path.Combine(_folder, "reference", "model.safetensors");
        Directory.CreateDirectory(Path.GetDirectoryName(reference)!);
        using (var straight = Start(corpus, reference, resume: false)) Finish(straight);

        var random = new Random(2024);
        int kills = 0, rounds = 0;
        // A round trains from scratch to the end through kills; rounds repeat until enough kills landed mid-run
        // (a short run can finish between two of them).
        while (kills < Kills)
        {
            string round = Path.Combine(_folder, $"round{++rounds}");
            Directory.CreateDirectory(round);
            string model = Path.Combine(round, "model.safetensors");
            while (kills < Kills)
            {
                using var run = Start(corpus, model, resume: File.Exists(model));
                bool exited = run.WaitForExit(TimeSpan.FromMilliseconds(random.Next(50, 700)));
                if (exited)
                {
                    Assert.Equal(0, run.ExitCode);
                    break;
                }
                run.Kill(entireProcessTree: true);
                run.WaitForExit();
                kills++;
                CheckFolder(round);
            }
            if (kills == Kills)
            {
                using var last = Start(corpus, model, resume: File.Exists(model));
                Finish(last);
            }
            CheckFolder(round);
            AssertSameTensors(reference, model);
        }
        int leftovers = Directory.GetFiles(_folder, "*.tmp", SearchOption.AllDirectories).Length;
        output.WriteLine($"{kills} kills in {rounds} rounds; {leftovers} temporary files left by kills during a write");
        Assert.InRange(rounds, 1, Kills);
    }

    /// <summary>Every file is the corpus, a checkpoint that loads at an evaluation step, or an interrupted write's leftover.</summary>
    private static void CheckFolder(string round)
    {
        foreach (string path in Directory.GetFiles(round))
        {
            string name = Path.GetFileName(path);
            if (name.EndsWith(".safetensors", StringComparison.Ordinal))
            {
                Assert.True(name is "model.safetensors" or "model.best.safetensors", name);
                var checkpoint = Checkpoint.Load(path);
                checkpoint.CreateModel<float>();
                Assert.NotNull(checkpoint.Training);
                Assert.True(checkpoint.Training.Step % EvaluateEvery == 0, $"{name} at step {checkpoint.Training.Step}");
            }
            else
            {
                Assert.Matches(TemporaryFile(), name);
            }
        }
    }

    private static void AssertSameTensors(string expectedPath, string actualPath)
    {
        var expected = SafeTensorsFile.Load(expectedPath);
        var actual = SafeTensorsFile.Load(actualPath);
        Assert.Equal(Steps, Checkpoint.Load(actualPath).Training!.Step);
        Assert.Equal(expected.Tensors.Select(t => t.Name), actual.Tensors.Select(t => t.Name));
        foreach (TensorInfo t in expected.Tensors)
            Assert.True(expected.RawBytes(t.Name).SequenceEqual(actual.RawBytes(t.Name)), $"tensor '{t.Name}' differs");
    }

    private static Process Start(string corpus, string model, bool resume)
    {
        // The test host runs on the dotnet host, so the CLI runs on the same runtime; elsewhere "dotnet" from PATH.
        string host = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] args =
        [
            Path.Combine(AppContext.BaseDirectory, "Rnn.Cli.dll"), "train", corpus, "--hidden", "16", "--seq", "16", "--batch", "4",
            "--eval-every", $"{EvaluateEvery}", "--steps", $"{Steps}", "--threads", "1", "--seed", "1", "--out", model,
        ];
        foreach (string arg in args) start.ArgumentList.Add(arg);
        if (resume)
        {
            start.ArgumentList.Add("--resume");
            start.ArgumentList.Add(model);
        }
        var process = Process.Start(start)!;
        // Drained so that a full pipe can never block the child.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Finish(Process process)
    {
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "training did not finish within a minute");
        Assert.Equal(0, process.ExitCode);
    }
}
