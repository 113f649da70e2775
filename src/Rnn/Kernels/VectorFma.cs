// Fused multiply-add on vectors of the kernels' element type T. The base library defines it for float and double
// vectors; T is one of the two wherever a vector kernel runs, and each kernel is compiled for its T, so the JIT
// folds the type test away and emits the one FMA instruction. On it rests the micro-kernels' merge of an
// accumulator into C, c = alpha·acc or fma(alpha, acc, beta·c), the same for every vector width.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Rnn.Kernels;

/// <summary>x·y + addend rounded once, lane by lane, for Vector256 and Vector512 of float or double.</summary>
internal static unsafe class VectorFma
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Fma<T>(Vector256<T> x, Vector256<T> y, Vector256<T> addend) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
            return Vector256.FusedMultiplyAdd(x.As<T, float>(), y.As<T, float>(), addend.As<T, float>()).As<float, T>();
        return Vector256.FusedMultiplyAdd(x.As<T, double>(), y.As<T, double>(), addend.As<T, double>()).As<double, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Fma<T>(Vector512<T> x, Vector512<T> y, Vector512<T> addend) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
            return Vector512.FusedMultiplyAdd(x.As<T, float>(), y.As<T, float>(), addend.As<T, float>()).As<float, T>();
        return Vector512.FusedMultiplyAdd(x.As<T, double>(), y.As<T, double>(), addend.As<T, double>()).As<double, T>();
    }

    /// <summary>Stores alpha·acc at <paramref name="c"/> when <paramref name="overwrite"/> (the old values unread), else fma(alpha, acc, beta·c).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MergeInto<T>(T* c, Vector256<T> acc, Vector256<T> alpha, Vector256<T> beta, bool overwrite) where T : unmanaged
        => (overwrite ? alpha * acc : Fma(alpha, acc, beta * Vector256.Load(c))).Store(c);

    /// <summary>Stores alpha·acc at <paramref name="c"/> when <paramref name="overwrite"/> (the old values unread), else fma(alpha, acc, beta·c).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MergeInto<T>(T* c, Vector512<T> acc, Vector512<T> alpha, Vector512<T> beta, bool overwrite) where T : unmanaged
        => (overwrite ? alpha * acc : Fma(alpha, acc, beta * Vector512.Load(c))).Store(c);
}
