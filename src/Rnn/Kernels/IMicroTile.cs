// The micro-kernel contract: one rank-kc update of an MR×NR tile of C held in registers, against an A micro-panel
// [kc][MR] and a B micro-panel [kc][NR] read contiguously. The driver is generic over it, so each kernel is compiled
// into the loops that call it, with MR and NR as constants.
namespace Rnn.Kernels;

/// <summary>A register-tiled micro-kernel: one rank-kc update of an MR×NR tile of C.</summary>
internal unsafe interface IMicroTile<T> where T : unmanaged
{
    /// <summary>MR, rows of the tile.</summary>
    static abstract int Rows { get; }

    /// <summary>NR, columns of the tile.</summary>
    static abstract int Cols { get; }

    /// <summary>
    /// With acc[i, j] = Σ_{p &lt; kc} a[p·MR + i] · b[p·ldb + j] accumulated by FMA in ascending p, sets
    /// c[i·ldc + j] = alpha·acc when <paramref name="overwrite"/> (old c unread), else fma(alpha, acc, beta·c).
    /// <paramref name="prefetchB"/> asks for B rows to be prefetched ahead, for B read in place with a long stride.
    /// </summary>
    static abstract void Run(int kc, T* a, T* b, nint ldb, T* c, nint ldc, T alpha, T beta, bool overwrite, bool prefetchB);

    /// <summary>
    /// Rows of the short tile, which fills out row counts that are not a multiple of <see cref="Rows"/> (a batch
    /// of 32 is 4 full panels of 6 and 2 short panels of 4, rather than 6 full panels with 4 rows of padding);
    /// equal to <see cref="Rows"/> where there is no short tile.
    /// </summary>
    static abstract int ShortRows { get; }

    /// <summary><see cref="Run"/> for a panel of <see cref="ShortRows"/> rows, a[p·ShortRows + i], with the same arithmetic per element.</summary>
    static abstract void RunShort(int kc, T* a, T* b, nint ldb, T* c, nint ldc, T alpha, T beta, bool overwrite, bool prefetchB);
}
