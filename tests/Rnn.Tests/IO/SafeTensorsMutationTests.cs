using System.Buffers.Binary;
using Rnn.IO;
using Xunit;
using static Rnn.Tests.IO.SafeTensorsTestFiles;

namespace Rnn.Tests.IO;

public class SafeTensorsMutationTests
{
    private static readonly byte[] JsonBytes = "{}[]\":,-.0123456789eE \\u"u8.ToArray();

    [Fact]
    public void ParseAndRead_RandomMutationsOfValidFile_SucceedOrThrowFormatExceptionOnly()
    {
        byte[] original = Sample();
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(original);
        var random = new Random(20240601);
        int accepted = 0;

        for (int trial = 0; trial < 2000; trial++)
        {
            int kind = random.Next(8);
            byte[] mutated = Mutate(original, headerLength, kind, random);
            try
            {
                SafeTensorsFile file = SafeTensorsFile.Parse(mutated, "mutant");
                ReadEverything(file);
                accepted++;
            }
            catch (SafeTensorsFormatException)
            {
            }
            catch (Exception e)
            {
                Assert.Fail($"trial {trial} (mutation {kind}) threw {e.GetType().Name}: {e.Message}\n{Convert.ToHexString(mutated)}");
            }
        }

        // Some mutations (e.g. flips inside tensor data or padding) must keep the file valid.
        Assert.InRange(accepted, 1, 1999);
    }

    private static byte[] Mutate(byte[] original, int headerLength, int kind, Random random)
    {
        byte[] bytes = (byte[])original.Clone();
        int headerEnd = 8 + headerLength;
        switch (kind)
        {
            case 0:
                return bytes[..random.Next(bytes.Length)];
            case 1:
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return bytes;
            case 2:
                bytes[8 + random.Next(headerLength)] = (byte)random.Next(256);
                return bytes;
            case 3:
                ulong lie = random.Next(3) switch
                {
                    0 => (ulong)random.NextInt64(),
                    1 => (ulong)(headerLength + random.Next(-16, 17)),
                    _ => ulong.MaxValue - (ulong)random.Next(16),
                };
                BinaryPrimitives.WriteUInt64LittleEndian(bytes, lie);
                return bytes;
            case 4:
                bytes[8 + random.Next(headerLength)] = JsonBytes[random.Next(JsonBytes.Length)];
                return bytes;
            case 5:
            {
                // Deleting or inserting inside the header with a corrected length prefix reaches the semantic checks.
                int at = 8 + random.Next(headerLength);
                byte[] shorter = [.. bytes[..at], .. bytes[(at + 1)..]];
                BinaryPrimitives.WriteUInt64LittleEndian(shorter, (ulong)(headerLength - 1));
                return shorter;
            }
            case 6:
            {
                int at = 8 + random.Next(headerLength);
                byte[] longer = [.. bytes[..at], JsonBytes[random.Next(JsonBytes.Length)], .. bytes[at..]];
                BinaryPrimitives.WriteUInt64LittleEndian(longer, (ulong)(headerLength + 1));
                return longer;
            }
            default:
            {
                int at = headerEnd + random.Next(bytes.Length - headerEnd + 1);
                byte[] junk = new byte[random.Next(1, 9)];
                random.NextBytes(junk);
                return [.. bytes[..at], .. junk, .. bytes[at..]];
            }
        }
    }

    private static void ReadEverything(SafeTensorsFile file)
    {
        foreach (TensorInfo t in file.Tensors)
        {
            _ = file.RawBytes(t.Name).Length;
            switch (t.DType)
            {
                case SafeTensorsDType.F32 or SafeTensorsDType.F64 or SafeTensorsDType.F16 or SafeTensorsDType.BF16:
                    file.ReadSingle(t.Name);
                    file.ReadDouble(t.Name);
                    break;
                case SafeTensorsDType.I32 or SafeTensorsDType.I64:
                    file.ReadInt64(t.Name);
                    break;
                default:
                    Assert.Throws<SafeTensorsFormatException>(() => file.ReadDouble(t.Name));
                    break;
            }
        }
        foreach (KeyValuePair<string, string> pair in file.Metadata) Assert.NotNull(pair.Value);
    }
}
