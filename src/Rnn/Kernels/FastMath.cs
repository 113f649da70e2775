// float32 tanh and sigmoid for the recurrence, Vector256 throughout. The general-purpose vector tanh of the base
// library evaluates exp in double precision and costs about 8 cycles an element, as much as the recurrent
// product itself at H = 128; these cost about 2 and stay within 2 ulp (the tests measure every float in a range
// against double precision).
//
//   exp(y) = 2^n · (1 + r + r²·E(r)),  n = round(y / ln2), r = y − n·ln2 (two FMAs, ln2 split in hi + lo)
//   tanh(x) = sign(x) · (|x| + |x|³·P(x²))         |x| ≤ 0.625
//           = sign(x) · (1 − 2 / (exp(2|x|) + 1))   |x| > 0.625, |x| clamped to 10 (float tanh is 1 from 9.01 on)
//   sigmoid(x) = 1 / (1 + e), e = exp(−|x|)        x ≥ 0
//              = e / (1 + e)                      x < 0   (no cancellation for large negative x; one division either way)
// E (degree 4) and P (degree 4) are minimax fits in relative error, from tools/kernels/fit_activation.py.
// Every element goes through the same vector arithmetic, the ragged tail too (through a padded buffer), so an
// element's result does not depend on where it sits in the span.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Rnn.Kernels;

/// <summary>Vectorised float32 tanh and sigmoid, within 2 ulp of the exact values.</summary>
internal static class FastMath
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2Hi = 0.693147182464599609375f;        // ln 2 rounded to float
    private const float Ln2Lo = -1.904654323148236e-09f;          // ln 2 − Ln2Hi
    private const float E0 = 4.999999345e-01f, E1 = 1.666652069e-01f, E2 = 4.166838750e-02f;
    private const float E3 = 8.368710219e-03f, E4 = 1.381460475e-03f;
    private const float TanhSmall = 0.625f;
    private const float TanhClamp = 10f;                          // tanh rounds to 1 from 9.01 on
    private const float P0 = -3.333328194e-01f, P1 = 1.333144213e-01f, P2 = -5.373970896e-02f;
    private const float P3 = 2.063906617e-02f, P4 = -5.704962311e-03f;
    private const float SigmoidClamp = 104f;                      // e^-104 is below the least subnormal

    /// <summary>Whether the vector code runs in hardware here; if not, callers use the base library's functions.</summary>
    public static bool IsAccelerated => Vector256.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Fma.IsSupported;

    /// <summary>destination[i] = tanh(x[i]); the spans may be the same.</summary>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> destination) => Apply<TanhOperator>(x, destination);

    /// <summary>destination[i] = 1 / (1 + exp(−x[i])); the spans may be the same.</summary>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> destination) => Apply<SigmoidOperator>(x, destination);

    private static void Apply<TOp>(ReadOnlySpan<float> x, Span<float> destination) where TOp : IVectorFunction
    {
        int n = x.Length, lanes = Vector256<float>.Count, i = 0;
        ref float src = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
        ref float dst = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(destination);
        for (; i <= n - lanes; i += lanes)
            TOp.Invoke(Vector256.LoadUnsafe(ref src, (nuint)i)).StoreUnsafe(ref dst, (nuint)i);
        if (i == n) return;
        Span<float> tail = stackalloc float[lanes];
        x[i..].CopyTo(tail);
        TOp.Invoke(Vector256.Create<float>(tail)).CopyTo(tail);
        tail[..(n - i)].CopyTo(destination[i..]);
    }

    private interface IVectorFunction
    {
        static abstract Vector256<float> Invoke(Vector256<float> x);
    }

    private readonly struct TanhOperator : IVectorFunction
    {
        public static Vector256<float> Invoke(Vector256<float> x) => Tanh(x);
    }

    private readonly struct SigmoidOperator : IVectorFunction
    {
        public static Vector256<float> Invoke(Vector256<float> x) => Sigmoid(x);
    }

    /// <summary>tanh of each lane; NaN stays NaN, ±∞ gives ±1, −0 gives −0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        Vector256<float> sign = x & Vector256.Create(-0f);
        Vector256<float> ax = x ^ sign;
        // Small |x|: odd polynomial. NaN fails the comparison below and takes this branch, which keeps it NaN.
        Vector256<float> u = ax * ax;
        Vector256<float> p = Fma(Fma(Fma(Fma(Vector256.Create(P4), u, Vector256.Create(P3)), u, Vector256.Create(P2)), u,
            Vector256.Create(P1)), u, Vector256.Create(P0));
        Vector256<float> small = Fma(ax * u, p, ax);
        // Large |x|: 1 − 2/(e^{2|x|} + 1), saturating to 1 at the clamp.
        Vector256<float> e = Exp(Vector256.Min(ax, Vector256.Create(TanhClamp)) * Vector256.Create(2f));
        Vector256<float> large = Vector256<float>.One - Vector256.Create(2f) / (e + Vector256<float>.One);
        Vector256<float> t = Vector256.ConditionalSelect(Vector256.GreaterThan(ax, Vector256.Create(TanhSmall)), large, small);
        return t | sign;
    }

    /// <summary>1 / (1 + exp(−x)) of each lane; NaN stays NaN, +∞ gives 1, −∞ gives 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x)
    {
        Vector256<float> ax = Vector256.Min(Vector256.Abs(x), Vector256.Create(SigmoidClamp));
        Vector256<float> e = Exp(-ax);                                   // (0, 1]
        Vector256<float> numerator = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), e, Vector256<float>.One);
        Vector256<float> s = numerator / (Vector256<float>.One + e);
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), s, x);
    }

    /// <summary>exp(y) for y in [−104, 18]: the scale 2^n is applied as two factors so that n down to −150 stays exact.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Exp(Vector256<float> y)
    {
        Vector256<float> n = Vector256.Round(y * Vector256.Create(Log2E));
        Vector256<float> r = Fma(n, Vector256.Create(-Ln2Hi), y);
        r = Fma(n, Vector256.Create(-Ln2Lo), r);
        Vector256<float> poly = Fma(Fma(Fma(Fma(Vector256.Create(E4), r, Vector256.Create(E3)), r, Vector256.Create(E2)), r,
            Vector256.Create(E1)), r, Vector256.Create(E0));
        Vector256<float> p = Fma(r * r, poly, r) + Vector256<float>.One;
        Vector256<int> ni = Vector256.ConvertToInt32(n);
        Vector256<int> half = Vector256.ShiftRightArithmetic(ni, 1);
        Vector256<float> s1 = Vector256.ShiftLeft(half + Vector256.Create(127), 23).AsSingle();
        Vector256<float> s2 = Vector256.ShiftLeft(ni - half + Vector256.Create(127), 23).AsSingle();
        return p * s1 * s2;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);
}
