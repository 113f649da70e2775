using Rnn.IO;
using Rnn.Data;
using Rnn.Optim;
using Rnn.Serialization;
using Rnn.Training;

namespace Rnn.Tests.Reliability;

/// <summary>
/// Damaged and lying model files, fuzzed: each either loads (and then builds a model, samples from it and, for a
/// checkpoint, resumes training for a step) or is refused with one of the two documented exceptions — never another
/// exception, a large allocation or a hang.
/// </summary>
public sealed class HostileFileTests : IDisposable
{
    /// <summary>Allocation allowed per case: the base files are a few kilobytes, so anything near this is a lie believed.</summary>
    private const long MaxAllocatedBytesPerCase = 32 << 20;

    private readonly string _folder = Directory.CreateTempSubdirectory("rnn-hostile-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void CheckpointLoad_HostileFiles_LoadAndWorkOrThrowDocumentedExceptions()
    {
        string path = Path.Combine(_folder, "hostile.safetensors");
        var (accepted, rejected) = Fuzz.Run(HostileFiles.Any, cases: 6_000, seed: 20250101, file => LoadAndUse(path, file.Bytes));

        // Both outcomes must occur: flips inside tensor data keep a file loadable, most header damage does not.
        Assert.InRange(accepted, 100, 5_900);
        Assert.InRange(rejected, 100, 5_900);
    }

    [Fact]
    public void CheckpointLoad_UndamagedBaseFiles_LoadAndWork()
    {
        string path = Path.Combine(_folder, "base.safetensors");
        foreach (var (name, bytes) in HostileFiles.All)
            Assert.True(LoadAndUse(path, bytes), name);
    }

    /// <summary>
    /// Writes <paramref name="bytes"/> to <paramref name="path"/> and uses it as the CLI would. Returns true when it
    /// loaded and worked, false when it was refused with a documented exception; any other exception propagates.
    /// </summary>
    internal static bool LoadAndUse(string path, byte[] bytes)
    {
        File.WriteAllBytes(path, bytes);
        long before = GC.GetAllocatedBytesForCurrentThread();
        bool loaded;
        try
        {
            var checkpoint = Checkpoint.Load(path);
            var model = checkpoint.CreateModel<float>();
            int[] prime = [checkpoint.Vocabulary.Count - 1];
            Assert.Equal(6, new Sampler<float>(model, 1) { ExcludedToken = checkpoint.Vocabulary.UnknownId }.Generate(prime, 6, 0.8, 3).Count());
            if (checkpoint.Training is { } training) Resume(checkpoint, model, training);
            loaded = true;
        }
        catch (Exception e) when (e is SafeTensorsFormatException or InvalidDataException)
        {
            loaded = false;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < MaxAllocatedBytesPerCase, $"{allocated} bytes allocated");
        return loaded;
    }

    /// <summary>Resumes training for one step as <c>rnn train --resume</c> does, skipping what the CLI refuses as a usage error.</summary>
    private static void Resume(Checkpoint checkpoint, Rnn.Models.LanguageModel<float> model, TrainingState training)
    {
        TrainingOptions options = training.Options;
        int[] tokens = checkpoint.Vocabulary.Encode(HostileFiles.Corpus);
        int[] train, validation;
        try
        {
            (train, validation) = BatchStreams.Split(tokens, options.ValidationFraction);
        }
        catch (ArgumentException)
        {
            return; // "too short to hold out a validation part": a usage error about the text
        }
        if (train.Length < (long)options.BatchSize * options.SequenceLength + 1) return; // "too short": a usage error about the text
        var trainer = new Trainer<float>(model, checkpoint.Vocabulary, train, validation, options, checkpoint);
        try
        {
            trainer.Run(new StopCondition(Steps: training.Step + 1));
        }
        catch (InvalidOperationException e) when (e.Message.StartsWith("training diverged", StringComparison.Ordinal))
        {
            return; // documented: a finite but absurd optimizer state can still blow up an update; nothing is saved
        }
        // What was loaded was finite, so a step from it must be too (a NaN would reach the next checkpoint).
        Assert.True(Rnn.Tensors.Finite.All<float>(model.Parameters.Values), "non-finite parameters after a resumed step");
    }
}
