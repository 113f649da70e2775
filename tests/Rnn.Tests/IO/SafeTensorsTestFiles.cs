using System.Buffers.Binary;
using System.Text;
using Rnn.IO;

namespace Rnn.Tests.IO;

/// <summary>Builds safetensors byte images for tests, including deliberately malformed ones.</summary>
internal static class SafeTensorsTestFiles
{
    /// <summary>Length prefix + the header bytes exactly as given (no padding) + <paramref name="data"/>.</summary>
    public static byte[] Build(ReadOnlySpan<byte> header, ReadOnlySpan<byte> data)
    {
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes.AsSpan(8));
        data.CopyTo(bytes.AsSpan(8 + header.Length));
        return bytes;
    }

    /// <summary>Length prefix + the UTF-8 of <paramref name="headerJson"/> + <paramref name="dataLength"/> zero bytes.</summary>
    public static byte[] Build(string headerJson, int dataLength = 0) =>
        Build(Encoding.UTF8.GetBytes(headerJson), new byte[dataLength]);

    /// <summary>A valid file with metadata and tensors of several dtypes, ranks and sizes, filled from a seeded generator.</summary>
    public static byte[] Sample(int seed = 1)
    {
        var random = new Random(seed);
        var writer = new SafeTensorsWriter();
        writer.Metadata["kind"] = "rnn";
        writer.Metadata["hidden_size"] = "4";
        writer.Add("weight_ih_l0", Floats(random, 12), 4, 3);
        writer.Add("bias_ih_l0", Doubles(random, 4), 4);
        writer.Add("steps", [7L, -3L], 2);
        writer.Add("ids", [1, 2, 3, 4, 5, 6], 2, 1, 3);
        writer.Add("scalar", [2.5f]);
        writer.Add("empty", ReadOnlySpan<double>.Empty, 0);
        return ToBytes(writer);
    }

    /// <summary>The exact bytes <paramref name="writer"/> produces.</summary>
    public static byte[] ToBytes(SafeTensorsWriter writer)
    {
        using var stream = new MemoryStream();
        writer.Write(stream);
        return stream.ToArray();
    }

    public static float[] Floats(Random random, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1))];

    public static double[] Doubles(Random random, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => random.NextDouble() * 2 - 1)];
}
