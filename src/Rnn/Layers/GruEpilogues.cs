// The GRU step's pointwise parts as epilogues of its per-step product (Kernels/GemmEpilogue.cs): each thread runs
// them over the block of the product it just computed, whole units at a time, one Vector256 of units per pass.
// B = batch, H = hidden units; the saved gates keep PyTorch's blocked order [r z n] per row.
//   forward,  C = h_{t-1}·W_hhᵀ [B, 3·H] in GateColumns order, v = C + b_hh:
//             r, z = σ(u_{r,z} + v_{r,z}),  n = tanh(u_n + r ⊙ v_n),  h_t = n + z ⊙ (h_{t-1} − n);  v_n saved
//   backward, C = dh_t [B, H] once dh_t += Δ^h_{t+1}·W_hh, dh = C + z_{t+1} ⊙ dh_{t+1} (the carry):
//             δn = dh ⊙ (1−z) ⊙ (1−n²),  δz = dh ⊙ (h_{t-1} − n) ⊙ z(1−z),  δr = δn ⊙ v_n ⊙ r(1−r)
//             Δ = [δr δz δn],  Δ^h = [δr δz r⊙δn],  carry = z ⊙ dh
// Every unit goes through the same vector arithmetic (a ragged last block zero-padded), wherever the split puts it,
// so results do not depend on the thread count.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Rnn.Kernels;
using static Rnn.Kernels.GateColumns;
using static Rnn.Kernels.VectorFma;

namespace Rnn.Layers;

/// <summary>The GRU forward step's update of whole units from the product's block, the product left unread when there is none.</summary>
internal readonly unsafe struct GruForwardEpilogue<T>(
    T* gates, nint ldGates, T* biasHh, T* previousHidden, nint ldPrevious, T* hiddenPart, T* hidden, nint ldHidden, int hiddenSize,
    bool hasProduct)
    : IGemmEpilogue<T>, IUnitBlock<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T* _gates = gates, _biasHh = biasHh, _previousHidden = previousHidden, _hiddenPart = hiddenPart, _hidden = hidden;
    private readonly nint _ldGates = ldGates, _ldPrevious = ldPrevious, _ldHidden = ldHidden;
    private readonly int _hiddenSize = hiddenSize;
    private readonly bool _hasProduct = hasProduct;

    public int ColumnGranule => Granule<T>(3);

    public void Apply(T* c, nint ldc, int i0, int i1, int j0, int j1)
        => ForEachUnitBlock<T, GruForwardEpilogue<T>>(this, c, ldc, i0, i1, j0 / 3, j1 / 3);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Block(T* c, nint ldc, int b, int u, int w)
    {
        int h = _hiddenSize;
        T* a = _gates + b * _ldGates, product = c + b * ldc;
        Vector256<T> vr = Vector256<T>.Zero, vz = Vector256<T>.Zero, vn = Vector256<T>.Zero;
        if (_hasProduct)
        {
            T* p = product + 3 * u;   // the block's gates, w columns each
            vr = Load(p, w); vz = Load(p + w, w); vn = Load(p + 2 * w, w);
        }
        if (_biasHh != null)
        {
            vr += Load(_biasHh + u, w); vz += Load(_biasHh + h + u, w); vn += Load(_biasHh + 2 * h + u, w);
        }
        Vector256<T> r = FastMath.Sigmoid(Load(a + u, w) + vr), z = FastMath.Sigmoid(Load(a + h + u, w) + vz);   // r, z = σ(u + v)
        Vector256<T> n = FastMath.Tanh(Fma(r, vn, Load(a + 2 * h + u, w)));   // n = tanh(u_n + r ⊙ v_n)
        Vector256<T> previous = _previousHidden == null ? Vector256<T>.Zero : Load(_previousHidden + b * _ldPrevious + u, w);
        Store(r, a + u, w); Store(z, a + h + u, w); Store(n, a + 2 * h + u, w);
        Store(vn, _hiddenPart + (nint)b * h + u, w);
        Store(Fma(z, previous - n, n), _hidden + b * _ldHidden + u, w);   // h_t = n + z ⊙ (h_{t-1} − n)
    }
}

/// <summary>The GRU backward step's gate gradients of whole units from the block of dh_t, and the carried z ⊙ dh.</summary>
internal readonly unsafe struct GruBackwardEpilogue<T>(
    T* gates, nint ldGates, T* hiddenPart, T* previousHidden, nint ldPrevious, T* delta, T* hiddenDelta, T* carry, int hiddenSize)
    : IGemmEpilogue<T>, IUnitBlock<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T* _gates = gates, _hiddenPart = hiddenPart, _previousHidden = previousHidden;
    private readonly T* _delta = delta, _hiddenDelta = hiddenDelta, _carry = carry;
    private readonly nint _ldGates = ldGates, _ldPrevious = ldPrevious;
    private readonly int _hiddenSize = hiddenSize;

    public int ColumnGranule => 1;

    public void Apply(T* c, nint ldc, int i0, int i1, int j0, int j1)
        => ForEachUnitBlock<T, GruBackwardEpilogue<T>>(this, c, ldc, i0, i1, j0, j1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Block(T* c, nint ldc, int b, int u, int w)
    {
        int h = _hiddenSize;
        Vector256<T> one = Vector256<T>.One;
        T* a = _gates + b * _ldGates;
        nint row = (nint)b * h, deltaRow = 3 * row;
        Vector256<T> r = Load(a + u, w), z = Load(a + h + u, w), n = Load(a + 2 * h + u, w);
        Vector256<T> previous = _previousHidden == null ? Vector256<T>.Zero : Load(_previousHidden + b * _ldPrevious + u, w);
        Vector256<T> dh = Load(c + b * ldc + u, w) + Load(_carry + row + u, w);   // + z_{t+1} ⊙ dh_{t+1}, the direct path
        Vector256<T> deltaN = dh * (one - z) * (one - n * n);
        Vector256<T> deltaZ = dh * (previous - n) * z * (one - z);
        Vector256<T> deltaR = deltaN * Load(_hiddenPart + row + u, w) * r * (one - r);
        Store(deltaR, _delta + deltaRow + u, w); Store(deltaZ, _delta + deltaRow + h + u, w); Store(deltaN, _delta + deltaRow + 2 * h + u, w);
        Store(deltaR, _hiddenDelta + deltaRow + u, w); Store(deltaZ, _hiddenDelta + deltaRow + h + u, w);
        Store(r * deltaN, _hiddenDelta + deltaRow + 2 * h + u, w);
        Store(dh * z, _carry + row + u, w);   // h_{t-1} reaches h_t directly, scaled by z
    }
}
