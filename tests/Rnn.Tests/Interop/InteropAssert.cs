using System.Numerics;

namespace Rnn.Tests.Interop;

/// <summary>The comparison the interop tests share: the largest difference relative to the largest expected magnitude.</summary>
internal static class InteropAssert
{
    /// <summary>max |actual − expected| / max |expected|: a whole-tensor relative error, which stays meaningful for
    /// logits near zero where an element-wise ratio would not.</summary>
    public static double RelativeError<TA, TE>(ReadOnlySpan<TA> actual, ReadOnlySpan<TE> expected)
        where TA : unmanaged, IFloatingPointIeee754<TA>
        where TE : unmanaged, IFloatingPointIeee754<TE>
    {
        Assert.Equal(expected.Length, actual.Length);
        double difference = 0, scale = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = double.CreateChecked(expected[i]);
            difference = Math.Max(difference, Math.Abs(double.CreateChecked(actual[i]) - e));
            scale = Math.Max(scale, Math.Abs(e));
        }
        return scale == 0 ? difference : difference / scale;
    }

    /// <summary>Fails unless <see cref="RelativeError"/> is at most <paramref name="tolerance"/>; returns the error.</summary>
    public static double Close<TA, TE>(ReadOnlySpan<TA> actual, ReadOnlySpan<TE> expected, double tolerance, string what)
        where TA : unmanaged, IFloatingPointIeee754<TA>
        where TE : unmanaged, IFloatingPointIeee754<TE>
    {
        double error = RelativeError(actual, expected);
        Assert.True(error <= tolerance, $"{what}: relative error {error:E2} > {tolerance:E0}");
        return error;
    }
}
