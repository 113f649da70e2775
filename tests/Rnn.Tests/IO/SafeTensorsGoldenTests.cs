using Rnn.IO;
using Xunit;

namespace Rnn.Tests.IO;

public class SafeTensorsGoldenTests
{
    // The test project copies tests/golden/**/*.safetensors (written by PyTorch) next to the test assembly.
    private static readonly string GoldenDirectory = Path.Combine(AppContext.BaseDirectory, "golden");

    [Fact]
    public void Load_EveryPythonGoldenFile_ParsesWithKindMetadataAndReadableTensors()
    {
        string[] files = Directory.Exists(GoldenDirectory)
            ? Directory.GetFiles(GoldenDirectory, "*.safetensors", SearchOption.AllDirectories)
            : [];

        foreach (string path in files)
        {
            SafeTensorsFile file = SafeTensorsFile.Load(path);

            Assert.True(file.Metadata.ContainsKey("kind"), $"{path} has no 'kind' metadata");
            Assert.NotEmpty(file.Tensors);
            foreach (TensorInfo t in file.Tensors)
            {
                if (t.DType == SafeTensorsDType.I64)
                {
                    // lengths: integers, each a valid sequence length
                    long[] values = file.ReadInt64(t.Name);
                    Assert.Equal(t.ElementCount, values.Length);
                    Assert.All(values, v => Assert.InRange(v, 1, int.MaxValue));
                    continue;
                }
                double[] asDouble = file.ReadDouble(t.Name);
                float[] asSingle = file.ReadSingle(t.Name);
                Assert.Equal(t.ElementCount, asDouble.Length);
                Assert.Equal(asDouble.Select(v => (float)v), asSingle);
            }
        }
    }

    [Fact]
    public void Load_PythonGoldenFile_ReSavedByWriter_KeepsTensorsAndMetadata()
    {
        string? path = Directory.Exists(GoldenDirectory)
            ? Directory.GetFiles(GoldenDirectory, "*.safetensors", SearchOption.AllDirectories).Order(StringComparer.Ordinal).FirstOrDefault()
            : null;
        if (path is null) return;
        SafeTensorsFile original = SafeTensorsFile.Load(path);
        var writer = new SafeTensorsWriter();
        foreach (KeyValuePair<string, string> pair in original.Metadata) writer.Metadata[pair.Key] = pair.Value;
        foreach (TensorInfo t in original.Tensors)
        {
            int[] shape = [.. t.Shape];
            if (t.DType == SafeTensorsDType.I64) writer.Add(t.Name, original.ReadInt64(t.Name), shape);
            else if (t.DType == SafeTensorsDType.F32) writer.Add(t.Name, original.ReadSingle(t.Name), shape);
            else writer.Add(t.Name, original.ReadDouble(t.Name), shape);
        }

        SafeTensorsFile copy = SafeTensorsFile.Parse(SafeTensorsTestFiles.ToBytes(writer));

        Assert.Equal(original.Metadata.OrderBy(p => p.Key), copy.Metadata.OrderBy(p => p.Key));
        Assert.Equal(original.Tensors.Select(t => (t.Name, t.DType, t.ByteLength)), copy.Tensors.Select(t => (t.Name, t.DType, t.ByteLength)));
        foreach (TensorInfo t in original.Tensors)
            Assert.Equal(original.RawBytes(t.Name).ToArray(), copy.RawBytes(t.Name).ToArray());
    }
}
