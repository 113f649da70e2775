using System.Buffers.Binary;
using System.Text.Json.Nodes;
using Rnn.IO;
using Rnn.Data;
using Rnn.Serialization;
using Rnn.Training;

namespace Rnn.Tests.Reliability;

/// <summary>
/// One test per class of lie a model file can tell, and per bug the fuzzing found: each is refused with a documented
/// exception, before anything the size of the lie is allocated.
/// </summary>
public sealed class LoadingRegressionTests : IDisposable
{
    private const long SmallAllocation = 4 << 20;

    private readonly string _folder = Directory.CreateTempSubdirectory("rnn-lies-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static byte[] CheckpointFile => HostileFiles.All[1].Bytes;

    private string Write(byte[] bytes)
    {
        string path = Path.Combine(_folder, $"{Guid.NewGuid():N}.safetensors");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>The checkpoint with one metadata JSON document edited.</summary>
    private static byte[] WithMetadataJson(string key, Action<JsonObject> edit)
    {
        var (header, data) = HostileFiles.Split(CheckpointFile);
        var metadata = header["__metadata__"]!.AsObject();
        var document = JsonNode.Parse(metadata[key]!.GetValue<string>())!.AsObject();
        edit(document);
        metadata[key] = document.ToJsonString();
        return HostileFiles.Join(header.ToJsonString(), data);
    }

    /// <summary>The checkpoint with the header edited.</summary>
    private static byte[] WithHeader(Action<JsonObject> edit)
    {
        var (header, data) = HostileFiles.Split(CheckpointFile);
        edit(header);
        return HostileFiles.Join(header.ToJsonString(), data);
    }

    /// <summary>The checkpoint with the first value of the first tensor whose name starts with <paramref name="prefix"/> replaced.</summary>
    private static byte[] WithValue(string prefix, float value)
    {
        var (header, data) = HostileFiles.Split(CheckpointFile);
        var entry = header.First(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).Value!;
        int offset = entry["data_offsets"]![0]!.GetValue<int>();
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(offset), value);
        return HostileFiles.Join(header.ToJsonString(), data);
    }

    /// <summary>Loads, builds the model and restores the training state as a resume does; asserts a small allocation.</summary>
    private T Refused<T>(byte[] bytes) where T : Exception
    {
        string path = Write(bytes);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.ThrowsAny<T>(() =>
        {
            var checkpoint = Checkpoint.Load(path);
            var model = checkpoint.CreateModel<float>();
            var (train, validation) = BatchStreams.Split(checkpoint.Vocabulary.Encode(HostileFiles.Corpus), 0.1);
            new Trainer<float>(model, checkpoint.Vocabulary, train, validation, checkpoint.Training!.Options, checkpoint).Run(new StopCondition(Steps: 7));
        });
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, SmallAllocation);
        Assert.True(e is SafeTensorsFormatException or InvalidDataException, $"{e.GetType().Name}: {e.Message}");
        return e;
    }

    [Fact]
    public void Load_UndamagedCheckpoint_Resumes()
    {
        var checkpoint = Checkpoint.Load(Write(CheckpointFile));
        var (train, validation) = BatchStreams.Split(checkpoint.Vocabulary.Encode(HostileFiles.Corpus), 0.1);
        var trainer = new Trainer<float>(checkpoint.CreateModel<float>(), checkpoint.Vocabulary, train, validation, checkpoint.Training!.Options, checkpoint);
        trainer.Run(new StopCondition(Steps: 7));
        Assert.Equal(7, trainer.State.Step);
    }

    // Lies in the safetensors header: caught by the reader, which checks every size against the real length first.

    [Fact]
    public void Load_TensorClaimsShape100000By100000_ThrowsWithoutAllocatingIt() =>
        Refused<Exception>(WithHeader(h => h["embedding.weight"]!["shape"] = new JsonArray(100000, 100000)));

    [Fact]
    public void Load_LengthPrefixClaims2To63Bytes_ThrowsWithoutAllocatingIt()
    {
        byte[] bytes = (byte[])CheckpointFile.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1UL << 63);
        Refused<Exception>(bytes);
    }

    [Fact]
    public void Load_OffsetsBeyondTheData_Throws() =>
        Refused<Exception>(WithHeader(h => h["linear.bias"]!["data_offsets"] = new JsonArray(0, 1L << 40)));

    [Fact]
    public void Load_TensorListedTwice_Throws()
    {
        var (header, data) = HostileFiles.Split(CheckpointFile);
        string text = header.ToJsonString();
        string entry = $"\"linear.bias\":{header["linear.bias"]!.ToJsonString()}";
        Refused<Exception>(HostileFiles.Join(string.Concat("{", entry, ",", text.AsSpan(1)), data));
    }

    [Fact]
    public void CreateModel_ParameterStoredAsIntegers_Throws() =>
        Assert.Contains("cannot be read", Refused<Exception>(WithHeader(h => h["linear.bias"]!["dtype"] = "I32")).Message);

    [Fact]
    public void CreateModel_ParameterMissing_Throws() =>
        Refused<Exception>(WithHeader(h =>
        {
            // Removing a tensor leaves a gap in the data buffer, so the bytes go to a renamed tensor instead.
            var entry = h["linear.bias"]!;
            h.Remove("linear.bias");
            h["linear.bias_renamed"] = entry;
        }));

    // Lies in the configuration: nothing is allocated before the file's tensors confirm the sizes (was: the model was
    // built first, so hidden_size 100000 asked for 40 GB and num_layers 10^9 for a billion layers).

    [Theory]
    [InlineData("hidden_size", 100000)]
    [InlineData("embedding_size", 1000000)]
    [InlineData("num_layers", 1000000000)]
    [InlineData("hidden_size", 2147483647)]
    public void CreateModel_ConfigClaimsHugeSize_ThrowsWithoutAllocating(string key, int value) =>
        Assert.Contains("parameter", Refused<Exception>(WithMetadataJson("config", c => c[key] = value)).Message);

    [Fact]
    public void Load_VocabularySizeDisagreesWithTokens_Throws() =>
        Refused<Exception>(WithMetadataJson("config", c => c["vocab_size"] = c["vocab_size"]!.GetValue<int>() + 1));

    // Lies in the training state (was: NullReferenceException from Load, or ArgumentException and
    // ArgumentOutOfRangeException from the resumed Trainer, which the CLI reported as usage errors).

    [Theory]
    [InlineData("Options")]
    [InlineData("History")]
    [InlineData("RandomState")]
    [InlineData("CorpusHash")]
    public void Load_TrainingStateFieldNull_ThrowsInvalidData(string field) =>
        Assert.Contains("null", Refused<InvalidDataException>(WithMetadataJson("training", t => t[field] = null)).Message);

    [Theory]
    [InlineData("Step", -1)]
    [InlineData("ChunksSeen", -5)]
    [InlineData("SkippedSteps", -1)]
    [InlineData("Step", 1000)]
    [InlineData("ChunksSeen", long.MaxValue)]
    public void Load_TrainingStateImpossibleCount_ThrowsInvalidData(string field, long value) =>
        Refused<InvalidDataException>(WithMetadataJson("training", t => t[field] = value));

    [Fact]
    public void Load_RandomStateOfThreeWords_ThrowsInvalidData() =>
        Refused<InvalidDataException>(WithMetadataJson("training", t => t["RandomState"] = new JsonArray(1, 2, 3)));

    [Fact]
    public void Load_RandomStateAllZero_ThrowsInvalidData() =>
        Refused<InvalidDataException>(WithMetadataJson("training", t => t["RandomState"] = new JsonArray(0, 0, 0, 0)));

    [Fact]
    public void Load_TrainingSecondsNaN_ThrowsInvalidData() =>
        Refused<InvalidDataException>(WithMetadataJson("training", t => t["Seconds"] = "NaN"));

    // Non-finite state (was: a NaN optimizer state made the first resumed update NaN, and the next checkpoint saved it).

    [Fact]
    public void RestoreOptimizer_NaNInOptimizerState_ThrowsInvalidData() =>
        Assert.Contains("optimizer state", Refused<InvalidDataException>(WithValue("optim.", float.NaN)).Message);

    [Fact]
    public void CarriedState_InfinityInHiddenState_ThrowsInvalidData() =>
        Assert.Contains("train.hidden", Refused<InvalidDataException>(WithValue("train.hidden", float.PositiveInfinity)).Message);

    // Unicode lies in the vocabulary (was: InvalidOperationException from Utf8JsonReader.GetString escaped).

    [Theory]
    [InlineData("{\"\\ud800\":\"char\",\"tokens\":[\"<unk>\",\"a\"]}")]
    [InlineData("{\"kind\":\"\\udc00\",\"tokens\":[\"<unk>\",\"a\"]}")]
    [InlineData("{\"kind\":\"char\",\"tokens\":[\"<unk>\",\"\\ud83d\"]}")]
    public void VocabularyFromJson_LoneSurrogate_ThrowsInvalidData(string json) =>
        Assert.Throws<InvalidDataException>(() => Vocabulary.FromJson(json));
}
