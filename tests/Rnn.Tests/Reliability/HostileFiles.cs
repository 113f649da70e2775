// Generators of damaged and lying model files, derived from real ones written by Checkpoint.Save.
// Byte-level damage (truncation, bit flips, a lying length prefix, invalid UTF-8) reaches the safetensors reader;
// JSON-level lies (rewritten headers and metadata with a corrected length prefix) reach the checks behind it:
// tensor shapes, dtypes and offsets, the config, the vocabulary and the training state.
using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Rnn.Cli.Demos;
using Rnn.Kernels;
using Rnn.Models;
using Rnn.Data;
using Rnn.Optim;
using Rnn.Serialization;
using Rnn.Training;

namespace Rnn.Tests.Reliability;

/// <summary>A file to load: what it was made from and how it was damaged.</summary>
internal sealed record HostileFile(string Base, string Damage, byte[] Bytes)
{
    public override string ToString() => $"{Base}: {Damage} ({Bytes.Length} bytes)";
}

/// <summary>Valid model files and generators of hostile variants of them.</summary>
internal static class HostileFiles
{
    /// <summary>The text the training-state base file was trained on (resuming needs the same text).</summary>
    public static readonly string Corpus = DemoCorpus.Generate(approximateBytes: 3_000, seed: 7);

    private static readonly byte[][] BadUtf8 = [[0xC0, 0x80], [0xFF], [0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0]];

    private static readonly float[] PoisonValues = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, -float.MaxValue, 1e-45f, -0f];

    private static readonly Lazy<(string Name, byte[] Bytes)[]> Bases = new(MakeBases);

    /// <summary>The valid files every hostile one starts from: a model, a checkpoint with training state, an F64 word model.</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes)> All => Bases.Value;

    /// <summary>One hostile file: a base file and one kind of damage, each kind equally likely.</summary>
    public static Gen<HostileFile> Any => Gen.Int[0, Kinds.Length - 1].SelectMany(kind => Gen.Int[0, All.Count - 1].SelectMany(b => Kinds[kind](All[b].Name, All[b].Bytes)));

    private static readonly Func<string, byte[], Gen<HostileFile>>[] Kinds =
    [
        Truncated, BitsFlipped, HeaderByteReplaced, LengthPrefixLie, HeaderTreeLie, MetadataJsonLie, MetadataStringLie,
        TensorDuplicated, HugeShape, InvalidUtf8InHeader, DataPoisoned,
    ];

    private static Gen<HostileFile> Truncated(string name, byte[] file) =>
        Gen.Int[0, file.Length - 1].Select(length => new HostileFile(name, $"truncated to {length} bytes", file[..length]));

    private static Gen<HostileFile> BitsFlipped(string name, byte[] file) =>
        Gen.Int[0, file.Length * 8 - 1].Array[1, 4].Select(bits =>
        {
            byte[] bytes = (byte[])file.Clone();
            foreach (int bit in bits) bytes[bit / 8] ^= (byte)(1 << (bit % 8));
            return new HostileFile(name, $"bits {string.Join(", ", bits)} flipped", bytes);
        });

    private static Gen<HostileFile> HeaderByteReplaced(string name, byte[] file) =>
        Gen.Select(Gen.Int[8, 8 + HeaderLength(file) - 1], Gen.Byte).Select((at, value) =>
        {
            byte[] bytes = (byte[])file.Clone();
            bytes[at] = value;
            return new HostileFile(name, $"header byte {at} set to 0x{value:X2}", bytes);
        });

    private static Gen<HostileFile> LengthPrefixLie(string name, byte[] file) =>
        Gen.Select(Gen.Int[0, 3], Gen.ULong, Gen.Int[-16, 16]).Select((kind, random, delta) =>
        {
            ulong length = (ulong)HeaderLength(file);
            ulong lie = kind switch
            {
                0 => random,
                1 => (ulong)((long)length + delta),
                2 => ulong.MaxValue - (ulong)(delta + 16),
                _ => (ulong)file.Length + (ulong)(delta + 16),
            };
            byte[] bytes = (byte[])file.Clone();
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, lie);
            return new HostileFile(name, $"length prefix {lie} instead of {length}", bytes);
        });

    private static Gen<HostileFile> HeaderTreeLie(string name, byte[] file) =>
        Gen.Select(Gen.Int[0, int.MaxValue], Gen.Int[0, 3], Gen.Int[0, JsonLies.Values.Length - 1]).Select((target, edit, lie) =>
        {
            var (header, data) = Split(file);
            string what = JsonLies.Edit(header, target, edit, JsonLies.Values[lie]);
            return new HostileFile(name, $"header: {what}", Join(JsonLies.Render(header, JsonLies.Values[lie]), data));
        });

    private static Gen<HostileFile> MetadataJsonLie(string name, byte[] file) =>
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, int.MaxValue], Gen.Int[0, 3], Gen.Int[0, JsonLies.Values.Length - 1]).Select((key, target, edit, lie) =>
        {
            var (header, data) = Split(file);
            var metadata = header["__metadata__"]!.AsObject();
            string field = new[] { "config", "vocab", "training" }[key];
            if (!metadata.ContainsKey(field)) field = "config";
            JsonNode tree = JsonNode.Parse(metadata[field]!.GetValue<string>())!;
            string what = JsonLies.Edit(tree, target, edit, JsonLies.Values[lie]);
            metadata[field] = JsonLies.Render(tree, JsonLies.Values[lie]);
            return new HostileFile(name, $"metadata {field}: {what}", Join(header.ToJsonString(), data));
        });

    private static Gen<HostileFile> MetadataStringLie(string name, byte[] file) =>
        Gen.Select(Gen.Int[0, 5], Gen.Int[0, 3], Gen.Int[0, int.MaxValue], Gen.Char).Select((key, edit, at, c) =>
        {
            var (header, data) = Split(file);
            var metadata = header["__metadata__"]!.AsObject();
            string field = new[] { "format", "format_version", "dtype", "config", "vocab", "training" }[key];
            string value = metadata[field]?.GetValue<string>() ?? "";
            int position = value.Length == 0 ? 0 : at % value.Length;
            string what;
            switch (edit)
            {
                case 0:
                    metadata.Remove(field);
                    what = "removed";
                    break;
                case 1:
                    metadata[field] = value[..position];
                    what = $"cut to {position} chars";
                    break;
                case 2:
                    metadata[field] = value.Insert(position, c.ToString());
                    what = $"U+{(int)c:X4} inserted at {position}";
                    break;
                default:
                    metadata[field] = value.Remove(position, Math.Min(1, value.Length - position));
                    what = $"char {position} deleted";
                    break;
            }
            return new HostileFile(name, $"metadata {field} {what}", Join(header.ToJsonString(), data));
        });

    private static Gen<HostileFile> TensorDuplicated(string name, byte[] file) =>
        Gen.Select(Gen.Int[0, int.MaxValue], Gen.Bool).Select((pick, rename) =>
        {
            var (header, data) = Split(file);
            var tensors = header.Where(p => p.Key != "__metadata__").ToArray();
            var (tensor, entry) = tensors[pick % tensors.Length];
            string copy = $"\"{(rename ? tensor + ".copy" : tensor)}\":{entry!.ToJsonString()}";
            string text = header.ToJsonString();
            // Inserted as text: a JsonObject cannot hold the same key twice.
            text = string.Concat("{", copy, ",", text.AsSpan(1));
            return new HostileFile(name, $"tensor '{tensor}' {(rename ? "copied under a new name" : "listed twice")}", Join(text, data));
        });

    private static Gen<HostileFile> HugeShape(string name, byte[] file) =>
        Gen.Select(Gen.Int[0, int.MaxValue], Gen.Int[0, 4]).Select((pick, kind) =>
        {
            var (header, data) = Split(file);
            var tensors = header.Where(p => p.Key != "__metadata__").Select(p => p.Key).ToArray();
            string tensor = tensors[pick % tensors.Length];
            JsonArray shape = kind switch
            {
                0 => [100000, 100000],
                1 => [int.MaxValue, int.MaxValue],
                2 => [1 << 20, 1 << 20, 0],
                3 => [1, 1, 1, 1, 1, 1, 1, 1, 1],
                _ => [46341, 46341],
            };
            header[tensor]!["shape"] = shape;
            return new HostileFile(name, $"tensor '{tensor}' claims shape {shape.ToJsonString()}", Join(header.ToJsonString(), data));
        });

    private static Gen<HostileFile> InvalidUtf8InHeader(string name, byte[] file) =>
        Gen.Select(Gen.Int[0, HeaderLength(file) - 1], Gen.Int[0, BadUtf8.Length - 1]).Select((at, bad) =>
        {
            int headerLength = HeaderLength(file);
            byte[] header = [.. file.AsSpan(8, headerLength)[..at], .. BadUtf8[bad], .. file.AsSpan(8 + at, headerLength - at)];
            byte[] bytes = new byte[8 + header.Length + file.Length - 8 - headerLength];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
            header.CopyTo(bytes, 8);
            file.AsSpan(8 + headerLength).CopyTo(bytes.AsSpan(8 + header.Length));
            return new HostileFile(name, $"bytes {Convert.ToHexString(BadUtf8[bad])} inserted at header offset {at}", bytes);
        });

    private static Gen<HostileFile> DataPoisoned(string name, byte[] file) =>
        Gen.Select(Gen.Int[0, int.MaxValue], Gen.Int[0, PoisonValues.Length - 1]).Select((at, poison) =>
        {
            int dataStart = 8 + HeaderLength(file);
            byte[] bytes = (byte[])file.Clone();
            // F32 and F64 data both align to 4 bytes; in an F64 file this lands in either half of a value.
            int offset = dataStart + at % ((file.Length - dataStart) / 4) * 4;
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(offset), PoisonValues[poison]);
            return new HostileFile(name, $"{PoisonValues[poison]} written at byte {offset}", bytes);
        });

    private static int HeaderLength(byte[] file) => (int)BinaryPrimitives.ReadUInt64LittleEndian(file);

    /// <summary>The header of a safetensors file as a JSON object, and its data buffer.</summary>
    internal static (JsonObject Header, byte[] Data) Split(byte[] file)
    {
        int length = HeaderLength(file);
        return (JsonNode.Parse(file.AsSpan(8, length))!.AsObject(), file[(8 + length)..]);
    }

    /// <summary>A safetensors file with the given header text and data buffer, its length prefix correct.</summary>
    internal static byte[] Join(string header, byte[] data)
    {
        byte[] text = Encoding.UTF8.GetBytes(header);
        byte[] bytes = new byte[8 + text.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)text.Length);
        text.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + text.Length);
        return bytes;
    }

    private static (string, byte[])[] MakeBases()
    {
        string folder = Directory.CreateTempSubdirectory("rnn-hostile-base-").FullName;
        try
        {
            var characters = Vocabulary.Build(Corpus, TokenKind.Character);
            string model = Path.Combine(folder, "model.safetensors");
            Checkpoint.Save(model, new LanguageModel<float>(new LanguageModelConfig
            {
                VocabularySize = characters.Count, EmbeddingSize = 4, HiddenSize = 6, NumLayers = 2,
            }, seed: 1), characters);

            string checkpoint = Path.Combine(folder, "checkpoint.safetensors");
            var trained = new LanguageModel<float>(new LanguageModelConfig
            {
                VocabularySize = characters.Count, EmbeddingSize = 4, HiddenSize = 6, NumLayers = 2, Dropout = 0.1,
            }, seed: 2);
            var (train, validation) = BatchStreams.Split(characters.Encode(Corpus), 0.1);
            new Trainer<float>(trained, characters, train, validation, TrainingOptions)
            {
                CheckpointPath = checkpoint,
            }.Run(new StopCondition(Steps: 6));

            var words = Vocabulary.Build(Corpus, TokenKind.Word, maxSize: 40);
            string wordModel = Path.Combine(folder, "words.safetensors");
            Checkpoint.Save(wordModel, new LanguageModel<double>(new LanguageModelConfig
            {
                VocabularySize = words.Count, EmbeddingSize = 3, HiddenSize = 5, Nonlinearity = Nonlinearity.Relu, Bias = false,
            }, seed: 3), words);

            return [("model", File.ReadAllBytes(model)), ("checkpoint", File.ReadAllBytes(checkpoint)), ("F64 word model", File.ReadAllBytes(wordModel))];
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The options the checkpoint base file was trained with.</summary>
    public static TrainingOptions TrainingOptions => new()
    {
        SequenceLength = 8, BatchSize = 4, ValidationFraction = 0.1, Seed = 3, EvaluateEvery = 3,
    };
}
