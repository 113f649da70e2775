// tanh and sigmoid for the recurrence, Vector256 throughout. The base library's vector tanh costs nearly as much as
// the recurrent product itself at H = 128 and loses the digits of small inputs in both precisions. The float
// versions here run 1.7–3× faster (bench/Rnn.Benchmarks, ActivationBenchmarks) and stay within 1 ulp (tanh) and
// 2 ulp (sigmoid) of the exact values: the tests sweep float bit patterns across the whole range. The double
// versions (further down) stay within 4 and 2 ulp of the C library's.
//
// float:
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

/// <summary>Vectorised tanh and sigmoid: float within 1 (tanh) and 2 (sigmoid) ulp, double within 4 and 2.</summary>
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
    public static void Tanh(ReadOnlySpan<float> x, Span<float> destination) => Apply<float, TanhOperator>(x, destination);

    /// <summary>destination[i] = 1 / (1 + exp(−x[i])); the spans may be the same.</summary>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> destination) => Apply<float, SigmoidOperator>(x, destination);

    /// <summary>destination[i] = tanh(x[i]) in double precision, within 4 ulp; the spans may be the same.</summary>
    public static void Tanh(ReadOnlySpan<double> x, Span<double> destination) => Apply<double, TanhOperator>(x, destination);

    /// <summary>destination[i] = 1 / (1 + exp(−x[i])) in double precision, within 2 ulp; the spans may be the same.</summary>
    public static void Sigmoid(ReadOnlySpan<double> x, Span<double> destination) => Apply<double, SigmoidOperator>(x, destination);

    /// <summary>
    /// destination[i] = f(x[i]) when f is tanh or sigmoid, T is float or double and the vector code runs in hardware;
    /// returns false, touching nothing, otherwise.
    /// </summary>
    public static bool TryApply<T>(Nonlinearity f, ReadOnlySpan<T> x, Span<T> destination) where T : unmanaged
    {
        if (!IsAccelerated || (typeof(T) != typeof(float) && typeof(T) != typeof(double))) return false;
        if (f == Nonlinearity.Tanh) Apply<T, TanhOperator>(x, destination);
        else if (f == Nonlinearity.Sigmoid) Apply<T, SigmoidOperator>(x, destination);
        else return false;
        return true;
    }

    /// <summary>tanh of each lane of a float or double vector, as <see cref="Tanh(Vector256{float})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Tanh<T>(Vector256<T> x) where T : unmanaged => Invoke<T, TanhOperator>(x);

    /// <summary>The sigmoid of each lane of a float or double vector, as <see cref="Sigmoid(Vector256{float})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Sigmoid<T>(Vector256<T> x) where T : unmanaged => Invoke<T, SigmoidOperator>(x);

    private static void Apply<T, TOp>(ReadOnlySpan<T> x, Span<T> destination)
        where T : unmanaged
        where TOp : IVectorFunction
    {
        if (destination.Length < x.Length) throw new ArgumentException("destination is shorter than x.", nameof(destination));
        int n = x.Length, lanes = Vector256<T>.Count, i = 0;
        ref T src = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
        ref T dst = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(destination);
        for (; i <= n - lanes; i += lanes)
            Invoke<T, TOp>(Vector256.LoadUnsafe(ref src, (nuint)i)).StoreUnsafe(ref dst, (nuint)i);
        if (i == n) return;
        Span<T> tail = stackalloc T[lanes];
        x[i..].CopyTo(tail);
        Invoke<T, TOp>(Vector256.Create<T>(tail)).CopyTo(tail);
        tail[..(n - i)].CopyTo(destination[i..]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Invoke<T, TOp>(Vector256<T> x) where T : unmanaged where TOp : IVectorFunction
        => typeof(T) == typeof(float) ? TOp.Invoke(x.AsSingle()).As<float, T>() : TOp.Invoke(x.AsDouble()).As<double, T>();

    private interface IVectorFunction
    {
        static abstract Vector256<float> Invoke(Vector256<float> x);

        static abstract Vector256<double> Invoke(Vector256<double> x);
    }

    private readonly struct TanhOperator : IVectorFunction
    {
        public static Vector256<float> Invoke(Vector256<float> x) => Tanh(x);

        public static Vector256<double> Invoke(Vector256<double> x) => Tanh(x);
    }

    private readonly struct SigmoidOperator : IVectorFunction
    {
        public static Vector256<float> Invoke(Vector256<float> x) => Sigmoid(x);

        public static Vector256<double> Invoke(Vector256<double> x) => Sigmoid(x);
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
        // n as an integer by the magic-number trick (1.5·2^23 + n keeps n in its low mantissa bits): cheaper than the
        // saturating conversion, and n is small here.
        Vector256<int> ni = (n + Vector256.Create(12582912f)).AsInt32() - Vector256.Create(12582912f).AsInt32();
        Vector256<int> half = Vector256.ShiftRightArithmetic(ni, 1);
        Vector256<float> s1 = Vector256.ShiftLeft(half + Vector256.Create(127), 23).AsSingle();
        Vector256<float> s2 = Vector256.ShiftLeft(ni - half + Vector256.Create(127), 23).AsSingle();
        return p * s1 * s2;
    }

    // Double precision. A minimax fit in double arithmetic cannot resolve the last bits, so the polynomial is the
    // Taylor series of expm1 to r¹³ (remainder below 5e-18 relative for |r| ≤ ln2/2), and tanh comes from expm1
    // without a separate small-|x| branch: tanh(x) = sign(x) · m / (m + 2), m = expm1(2|x|).
    private const double Log2ED = 1.4426950408889634;
    private const double Ln2HiD = 0.6931471805599453;             // ln 2 rounded to double
    private const double Ln2LoD = 2.3190468138462996e-17;         // ln 2 − Ln2HiD
    private const double TanhClampD = 20;                         // double tanh is 1 from 19.1 on
    private const double SigmoidClampD = 746;                     // e^-746 is below the least subnormal

    /// <summary>tanh of each lane in double precision; NaN stays NaN, ±∞ gives ±1, −0 gives −0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Tanh(Vector256<double> x)
    {
        Vector256<double> sign = x & Vector256.Create(-0d);
        Vector256<double> ax = x ^ sign;
        // NaN: Min would turn it into the clamp, so NaN lanes are restored at the end.
        var (n, q) = ReduceExp(Vector256.Min(ax, Vector256.Create(TanhClampD)) * Vector256.Create(2d));
        // m = 2^n·(1 + q) − 1 = 2^n·q + (2^n − 1), with 2^n − 1 exact
        Vector256<double> scale = Pow2(n);
        Vector256<double> m = Vector256.FusedMultiplyAdd(scale, q, scale - Vector256<double>.One);
        Vector256<double> t = (m / (m + Vector256.Create(2d))) | sign;
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), t, x);
    }

    /// <summary>1 / (1 + exp(−x)) of each lane in double precision; NaN stays NaN, +∞ gives 1, −∞ gives 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Sigmoid(Vector256<double> x)
    {
        Vector256<double> ax = Vector256.Min(Vector256.Abs(x), Vector256.Create(SigmoidClampD));
        var (n, q) = ReduceExp(-ax);
        // e = exp(−|x|) = 2^n·(1 + q), the scale in two factors so that n down to −1077 stays exact
        Vector256<double> half = Vector256.Floor(n * Vector256.Create(0.5));
        Vector256<double> e = (q + Vector256<double>.One) * Pow2(half) * Pow2(n - half);
        Vector256<double> numerator = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<double>.Zero), e, Vector256<double>.One);
        Vector256<double> s = numerator / (Vector256<double>.One + e);
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), s, x);
    }

    /// <summary>y = n·ln2 + r with n = round(y / ln2), and q = expm1(r) = r + r²·E(r).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<double> N, Vector256<double> Q) ReduceExp(Vector256<double> y)
    {
        Vector256<double> n = Vector256.Round(y * Vector256.Create(Log2ED));
        Vector256<double> r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2HiD), y);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2LoD), r);
        // E(r) = Σ_{i=0..11} r^i / (i+2)!, by Horner from the highest term
        Vector256<double> e = Vector256.Create(1.0 / 6227020800);   // 1/13!
        e = Vector256.FusedMultiplyAdd(e, r, Vector256.Create(1.0 / 479001600));
        e = Vector256.FusedMultiplyAdd(e, r, Vector256.Create(1.0 / 39916800));
        e = Vector256.FusedMultiplyAdd(e, r, Vector256.Create(1.0 / 3628800));
        e = Vector256.FusedMultiplyAdd(e, r, Vector256.Create(1.0 / 362880));
        e = Vector256.FusedMultiplyAdd(e, r, Vector256.Create(1.0 / 40320));
        e = Vector256.FusedMultiplyAdd(e, r, Vector256.Create(1.0 / 5040));
        e = Vector256.FusedMultiplyAdd(e, r, Vector256.Create(1.0 / 720));
        e = Vector256.FusedMultiplyAdd(e, r, Vector256.Create(1.0 / 120));
        e = Vector256.FusedMultiplyAdd(e, r, Vector256.Create(1.0 / 24));
        e = Vector256.FusedMultiplyAdd(e, r, Vector256.Create(1.0 / 6));
        e = Vector256.FusedMultiplyAdd(e, r, Vector256.Create(0.5));
        return (n, Vector256.FusedMultiplyAdd(r * r, e, r));
    }

    /// <summary>2^n for integral n in [−1022, 1023], built in the exponent field (magic-number conversion, no cvtpd2qq on AVX2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Pow2(Vector256<double> n)
    {
        // 2^52 + 2^51 + 1023 + n has n + 1023 in its low mantissa bits
        Vector256<double> biased = n + Vector256.Create(6755399441055744.0 + 1023);
        Vector256<long> bits = biased.AsInt64() - Vector256.Create(6755399441055744.0).AsInt64();
        return Vector256.ShiftLeft(bits, 52).AsDouble();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);
}
