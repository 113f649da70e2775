// Plain scalar oracles for the optimised kernels: obviously correct, never fast.
using System.Numerics;

namespace Rnn.Tests.Kernels;

/// <summary>Textbook implementations the kernels are tested against.</summary>
internal static class ReferenceKernels
{
    /// <summary>
    /// C = alpha · op(A) · op(B) + beta · C by the triple loop, row-major with strides, summing p in ascending order.
    /// Same semantics as <see cref="Rnn.Kernels.Gemm.Multiply{T}"/>: beta = 0 overwrites C without reading it.
    /// </summary>
    public static void Gemm<T>(
        bool transposeA, bool transposeB, int m, int n, int k, T alpha,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                T sum = T.Zero;
                for (int p = 0; p < k; p++)
                {
                    T aip = transposeA ? a[p * lda + i] : a[i * lda + p];
                    T bpj = transposeB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += aip * bpj;
                }
                ref T cij = ref c[i * ldc + j];
                cij = T.IsZero(beta) ? alpha * sum : alpha * sum + beta * cij;
            }
    }
}
