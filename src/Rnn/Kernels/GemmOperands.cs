// What the entry points hand to the kernels: a validated problem with its operands pinned, and which micro-kernel
// and which path compute it. The entry points check sizes and strides once, so the kernels index without checks.
namespace Rnn.Kernels;

/// <summary>Which register-tiled micro-kernel computes the product.</summary>
internal enum GemmKernel
{
    /// <summary>Scalar 4×4 tile; also the only kernel for element types other than float and double.</summary>
    Scalar,
    /// <summary>AVX2+FMA: 6 rows × 2 Vector256.</summary>
    Vector256,
    /// <summary>AVX-512: 8 rows × 2 Vector512.</summary>
    Vector512,
}

/// <summary>How the driver computes a product.</summary>
internal enum GemmPath
{
    /// <summary>Both operands packed; the general case.</summary>
    Packed,
    /// <summary>Few rows and B not transposed: B's rows are read in place instead of being packed.</summary>
    DirectB,
    /// <summary>One row and B not transposed: C[0, :] accumulates alpha·op(A)[0, p]·B[p, :] over B's rows in storage order.</summary>
    Row,
    /// <summary>Few rows, A·Bᵀ: rows of A and B are both contiguous in k, so C is formed from dot products in place.</summary>
    Dot,
    /// <summary>B packed beforehand into a <see cref="PackedMatrix{T}"/>: only A is packed during the call.</summary>
    Prepacked,
}

/// <summary>A validated GEMM problem; the pointers stay pinned by the caller for the whole call.</summary>
internal readonly unsafe struct GemmOperands<T>(
    bool transposeA, bool transposeB, int m, int n, int k, T alpha,
    T* a, int lda, T* b, int ldb, T beta, T* c, int ldc)
    where T : unmanaged
{
    public readonly bool TransposeA = transposeA, TransposeB = transposeB;
    public readonly int M = m, N = n, K = k;
    public readonly T Alpha = alpha, Beta = beta;
    public readonly T* A = a, B = b, C = c;
    public readonly nint Lda = lda, Ldb = ldb, Ldc = ldc;
}
