namespace Rnn.IO;

/// <summary>Element types a safetensors header may declare in its <c>dtype</c> field.</summary>
public enum SafeTensorsDType
{
    /// <summary>IEEE 754 binary64, written <c>F64</c>.</summary>
    F64,
    /// <summary>IEEE 754 binary32, written <c>F32</c>.</summary>
    F32,
    /// <summary>IEEE 754 binary16, written <c>F16</c>.</summary>
    F16,
    /// <summary>bfloat16 (the upper 16 bits of a binary32), written <c>BF16</c>.</summary>
    BF16,
    /// <summary>Signed 64-bit integer, written <c>I64</c>.</summary>
    I64,
    /// <summary>Signed 32-bit integer, written <c>I32</c>.</summary>
    I32,
    /// <summary>Signed 16-bit integer, written <c>I16</c>.</summary>
    I16,
    /// <summary>Signed 8-bit integer, written <c>I8</c>.</summary>
    I8,
    /// <summary>Unsigned 64-bit integer, written <c>U64</c>.</summary>
    U64,
    /// <summary>Unsigned 32-bit integer, written <c>U32</c>.</summary>
    U32,
    /// <summary>Unsigned 16-bit integer, written <c>U16</c>.</summary>
    U16,
    /// <summary>Unsigned 8-bit integer, written <c>U8</c>.</summary>
    U8,
    /// <summary>Boolean stored in one byte, written <c>BOOL</c>.</summary>
    Bool,
    /// <summary>8-bit float with 4 exponent and 3 mantissa bits, written <c>F8_E4M3</c>.</summary>
    F8E4M3,
    /// <summary>8-bit float with 5 exponent and 2 mantissa bits, written <c>F8_E5M2</c>.</summary>
    F8E5M2,
}

/// <summary>Element sizes and header names of <see cref="SafeTensorsDType"/> values.</summary>
public static class SafeTensorsDTypeExtensions
{
    /// <summary>Returns the number of bytes one element of <paramref name="dtype"/> occupies in the data buffer.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> is not a defined value.</exception>
    public static int SizeInBytes(this SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.F64 or SafeTensorsDType.I64 or SafeTensorsDType.U64 => 8,
        SafeTensorsDType.F32 or SafeTensorsDType.I32 or SafeTensorsDType.U32 => 4,
        SafeTensorsDType.F16 or SafeTensorsDType.BF16 or SafeTensorsDType.I16 or SafeTensorsDType.U16 => 2,
        SafeTensorsDType.I8 or SafeTensorsDType.U8 or SafeTensorsDType.Bool
            or SafeTensorsDType.F8E4M3 or SafeTensorsDType.F8E5M2 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not a safetensors dtype."),
    };

    /// <summary>Returns the spelling of <paramref name="dtype"/> in a safetensors header, e.g. <c>"BF16"</c> or <c>"BOOL"</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> is not a defined value.</exception>
    public static string ToHeaderName(this SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.F64 => "F64",
        SafeTensorsDType.F32 => "F32",
        SafeTensorsDType.F16 => "F16",
        SafeTensorsDType.BF16 => "BF16",
        SafeTensorsDType.I64 => "I64",
        SafeTensorsDType.I32 => "I32",
        SafeTensorsDType.I16 => "I16",
        SafeTensorsDType.I8 => "I8",
        SafeTensorsDType.U64 => "U64",
        SafeTensorsDType.U32 => "U32",
        SafeTensorsDType.U16 => "U16",
        SafeTensorsDType.U8 => "U8",
        SafeTensorsDType.Bool => "BOOL",
        SafeTensorsDType.F8E4M3 => "F8_E4M3",
        SafeTensorsDType.F8E5M2 => "F8_E5M2",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not a safetensors dtype."),
    };

    /// <summary>
    /// Parses a header dtype name, case-sensitively as the format requires (<c>"F32"</c>, not <c>"f32"</c>).
    /// Returns false for any other string.
    /// </summary>
    public static bool TryParse(string? name, out SafeTensorsDType dtype)
    {
        SafeTensorsDType? parsed = name switch
        {
            "F64" => SafeTensorsDType.F64,
            "F32" => SafeTensorsDType.F32,
            "F16" => SafeTensorsDType.F16,
            "BF16" => SafeTensorsDType.BF16,
            "I64" => SafeTensorsDType.I64,
            "I32" => SafeTensorsDType.I32,
            "I16" => SafeTensorsDType.I16,
            "I8" => SafeTensorsDType.I8,
            "U64" => SafeTensorsDType.U64,
            "U32" => SafeTensorsDType.U32,
            "U16" => SafeTensorsDType.U16,
            "U8" => SafeTensorsDType.U8,
            "BOOL" => SafeTensorsDType.Bool,
            "F8_E4M3" => SafeTensorsDType.F8E4M3,
            "F8_E5M2" => SafeTensorsDType.F8E5M2,
            _ => null,
        };
        dtype = parsed.GetValueOrDefault();
        return parsed.HasValue;
    }
}
