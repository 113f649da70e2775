// The header of a safetensors file: `{"name": {"dtype", "shape", "data_offsets"}, ..., "__metadata__": {...}}`,
// checked strictly (known dtypes, element counts matching byte ranges, ranges tiling the data buffer, no duplicate
// keys, limits on every count) before the file is used.
using System.Text.Json;
using System.Text.Unicode;

namespace Rnn.IO;

public sealed partial class SafeTensorsFile
{
    private static class HeaderParser
    {
        public static (Dictionary<string, string> Metadata, TensorInfo[] Tensors) Parse(ReadOnlyMemory<byte> header, long dataLength, string? sourceName)
        {
            ReadOnlySpan<byte> span = header.Span;
            // The format requires the JSON to start at the first byte (no BOM, no leading whitespace).
            if (span.IsEmpty || span[0] != (byte)'{')
                throw Fail(sourceName, "header does not start with '{'.");
            if (!Utf8.IsValid(span))
                throw Fail(sourceName, "header is not valid UTF-8.");

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(header);
            }
            catch (JsonException e)
            {
                throw new SafeTensorsFormatException($"{Where(sourceName)}: header is not valid JSON: {e.Message}", e);
            }

            using (document)
            {
                // Valid JSON that starts with '{' is an object, so no kind check is needed.
                JsonElement root = document.RootElement;
                int tensorCount = root.GetPropertyCount() - (root.TryGetProperty(MetadataKey, out _) ? 1 : 0);
                if (tensorCount > MaxTensors)
                    throw Fail(sourceName, $"header declares {tensorCount} tensors, more than the limit of {MaxTensors}.");
                // JsonDocument keeps duplicate keys, so uniqueness is enforced here.
                var seen = new HashSet<string>(StringComparer.Ordinal);
                Dictionary<string, string>? metadata = null;
                var tensors = new List<TensorInfo>(tensorCount);
                foreach (JsonProperty property in root.EnumerateObject())
                {
                    string name = NameOf(property, sourceName, "a tensor name");
                    if (!seen.Add(name))
                        throw Fail(sourceName, $"header key '{Shorten(name)}' appears more than once.");
                    if (name == MetadataKey)
                    {
                        metadata = ParseMetadata(property.Value, sourceName);
                        continue;
                    }
                    tensors.Add(ParseTensor(name, property.Value, dataLength, sourceName));
                }

                TensorInfo[] ordered = [.. tensors.OrderBy(t => t.DataBegin).ThenBy(t => t.DataEnd)];
                CheckCoverage(ordered, dataLength, sourceName);
                return (metadata ?? new Dictionary<string, string>(StringComparer.Ordinal), ordered);
            }
        }

        private static Dictionary<string, string> ParseMetadata(JsonElement element, string? sourceName)
        {
            if (element.ValueKind != JsonValueKind.Object)
                throw Fail(sourceName, $"'{MetadataKey}' is a JSON {element.ValueKind}, not an object of strings.");
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (JsonProperty entry in element.EnumerateObject())
            {
                string key = NameOf(entry, sourceName, $"a '{MetadataKey}' key");
                if (entry.Value.ValueKind != JsonValueKind.String)
                    throw Fail(sourceName, $"'{MetadataKey}' value of '{Shorten(key)}' is a JSON {entry.Value.ValueKind}, not a string.");
                if (!metadata.TryAdd(key, TextOf(entry.Value, sourceName, $"the '{MetadataKey}' value of '{Shorten(key)}'")))
                    throw Fail(sourceName, $"'{MetadataKey}' key '{Shorten(key)}' appears more than once.");
            }
            return metadata;
        }

        private static TensorInfo ParseTensor(string name, JsonElement entry, long dataLength, string? sourceName)
        {
            if (name.Length == 0)
                throw Fail(sourceName, "a tensor has an empty name.");
            if (entry.ValueKind != JsonValueKind.Object)
                throw Fail(sourceName, name, $"entry is a JSON {entry.ValueKind}, not an object");

            JsonElement? dtypeElement = null, shapeElement = null, offsetsElement = null;
            foreach (JsonProperty field in entry.EnumerateObject())
            {
                ref JsonElement? slot = ref dtypeElement;
                switch (NameOf(field, sourceName, $"a field of tensor '{Shorten(name)}'"))
                {
                    case "dtype": slot = ref dtypeElement; break;
                    case "shape": slot = ref shapeElement; break;
                    case "data_offsets": slot = ref offsetsElement; break;
                    default: throw Fail(sourceName, name, $"has unknown field '{Shorten(field.Name)}'");
                }
                if (slot.HasValue) throw Fail(sourceName, name, $"has field '{field.Name}' more than once");
                slot = field.Value;
            }

            JsonElement dtypeValue = dtypeElement ?? throw Fail(sourceName, name, "is missing \"dtype\"");
            JsonElement shapeValue = shapeElement ?? throw Fail(sourceName, name, "is missing \"shape\"");
            JsonElement offsetsValue = offsetsElement ?? throw Fail(sourceName, name, "is missing \"data_offsets\"");

            if (dtypeValue.ValueKind != JsonValueKind.String)
                throw Fail(sourceName, name, $"\"dtype\" is a JSON {dtypeValue.ValueKind}, not a string");
            string dtypeName = TextOf(dtypeValue, sourceName, $"the dtype of tensor '{Shorten(name)}'");
            if (!SafeTensorsDTypeExtensions.TryParse(dtypeName, out SafeTensorsDType dtype))
                throw Fail(sourceName, name, $"has unknown dtype '{Shorten(dtypeName)}'");

            if (shapeValue.ValueKind != JsonValueKind.Array)
                throw Fail(sourceName, name, $"\"shape\" is a JSON {shapeValue.ValueKind}, not an array");
            int rank = shapeValue.GetArrayLength();
            if (rank > MaxRank)
                throw Fail(sourceName, name, $"has rank {rank}, more than the limit of {MaxRank}");
            var shape = new int[rank];
            for (int d = 0; d < rank; d++)
                shape[d] = (int)NonNegativeInteger(shapeValue[d], int.MaxValue, sourceName, name, $"shape[{d}]");
            // Each dimension is below 2^31 and the running product is stopped once it passes MaxElements (< 2^28),
            // so no product can overflow a long. A zero dimension makes the tensor empty however large the others are.
            long count = shape.Contains(0) ? 0 : 1;
            foreach (int dim in shape)
            {
                count *= dim;
                if (count > MaxElements)
                    throw Fail(sourceName, name, $"has shape [{string.Join(", ", shape)}] with more than {MaxElements} elements");
            }

            if (offsetsValue.ValueKind != JsonValueKind.Array)
                throw Fail(sourceName, name, $"\"data_offsets\" is a JSON {offsetsValue.ValueKind}, not an array");
            if (offsetsValue.GetArrayLength() != 2)
                throw Fail(sourceName, name, $"\"data_offsets\" has {offsetsValue.GetArrayLength()} entries, not 2");
            long begin = NonNegativeInteger(offsetsValue[0], long.MaxValue, sourceName, name, "data_offsets[0]");
            long end = NonNegativeInteger(offsetsValue[1], long.MaxValue, sourceName, name, "data_offsets[1]");
            if (begin > end)
                throw Fail(sourceName, name, $"has data_offsets [{begin}, {end}] with begin after end");
            if (end > dataLength)
                throw Fail(sourceName, name, $"has data_offsets [{begin}, {end}] beyond the {dataLength}-byte data buffer");
            long expectedBytes = count * dtype.SizeInBytes();
            if (end - begin != expectedBytes)
                throw Fail(sourceName, name, $"has shape [{string.Join(", ", shape)}] of {dtype.ToHeaderName()} needing {expectedBytes} bytes, but data_offsets [{begin}, {end}] span {end - begin}");

            return new TensorInfo(name, dtype, shape, begin, end, (int)count);
        }

        private static long NonNegativeInteger(JsonElement value, long max, string? sourceName, string tensor, string what)
        {
            if (value.ValueKind != JsonValueKind.Number)
                throw Fail(sourceName, tensor, $"{what} is a JSON {value.ValueKind}, not an integer");
            if (!value.TryGetInt64(out long result) || result < 0 || result > max)
                throw Fail(sourceName, tensor, $"{what} is {Shorten(value.GetRawText())}, not an integer between 0 and {max}");
            return result;
        }

        // The tensor order within the buffer is free, but together the tensors must tile it exactly.
        private static void CheckCoverage(TensorInfo[] ordered, long dataLength, string? sourceName)
        {
            long cursor = 0;
            TensorInfo? previous = null;
            foreach (TensorInfo t in ordered)
            {
                if (t.DataBegin < cursor)
                    throw Fail(sourceName, t.Name, $"has data_offsets [{t.DataBegin}, {t.DataEnd}] overlapping tensor '{Shorten(previous!.Name)}' at [{previous.DataBegin}, {previous.DataEnd}]");
                if (t.DataBegin > cursor)
                    throw Fail(sourceName, t.Name, $"starts at byte {t.DataBegin}, leaving a gap of unused bytes [{cursor}, {t.DataBegin}) in the data buffer");
                cursor = t.DataEnd;
                previous = t;
            }
            if (cursor != dataLength)
                throw Fail(sourceName, $"data buffer has {dataLength - cursor} trailing bytes [{cursor}, {dataLength}) not covered by any tensor.");
        }

        // An escaped lone surrogate ("\ud800") is valid JSON but cannot become a .NET string without loss.
        private static string NameOf(JsonProperty property, string? sourceName, string what)
        {
            try
            {
                return property.Name;
            }
            catch (InvalidOperationException e)
            {
                throw new SafeTensorsFormatException($"{Where(sourceName)}: {what} is not valid Unicode: {e.Message}", e);
            }
        }

        private static string TextOf(JsonElement value, string? sourceName, string what)
        {
            try
            {
                return value.GetString()!;
            }
            catch (InvalidOperationException e)
            {
                throw new SafeTensorsFormatException($"{Where(sourceName)}: {what} is not valid Unicode: {e.Message}", e);
            }
        }

        private static SafeTensorsFormatException Fail(string? sourceName, string problem) =>
            new($"{Where(sourceName)}: {problem}");

        private static SafeTensorsFormatException Fail(string? sourceName, string tensor, string problem) =>
            new($"{Where(sourceName)}: tensor '{Shorten(tensor)}' {problem}.");
    }
}
