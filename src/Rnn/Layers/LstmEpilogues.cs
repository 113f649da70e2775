// The LSTM step's pointwise parts as epilogues of its per-step product (Kernels/GemmEpilogue.cs): each thread runs
// them over the block of the product it just computed, whole units at a time, one Vector256 of units per pass.
// B = batch, H = hidden units; the saved gates keep PyTorch's blocked order [i f g o] per row.
//   forward,  C = h_{t-1}·W_hhᵀ [B, 4·H] in GateColumns order:
//             a = P_t + C,  i, f, o = σ(a_i, a_f, a_o),  g = tanh(a_g),  c_t = f ⊙ c_{t-1} + i ⊙ g,  h_t = o ⊙ tanh(c_t)
//   backward, C = dh_t [B, H] once dh_t += Δ_{t+1}·W_hh:
//             dc = dc_carry + dh ⊙ o ⊙ (1 − tanh²(c_t)),  δi = dc ⊙ g ⊙ i(1−i),  δf = dc ⊙ c_{t-1} ⊙ f(1−f),
//             δg = dc ⊙ i ⊙ (1−g²),  δo = dh ⊙ tanh(c_t) ⊙ o(1−o),  dc_{t-1} = f ⊙ dc
// Every unit goes through the same vector arithmetic (a ragged last block zero-padded), wherever the split puts it,
// so results do not depend on the thread count.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Rnn.Kernels;
using static Rnn.Kernels.GateColumns;
using static Rnn.Kernels.VectorFma;

namespace Rnn.Layers;

/// <summary>The LSTM forward step's update of whole units from the product's block, the product left unread when there is none.</summary>
internal readonly unsafe struct LstmForwardEpilogue<T>(
    T* gates, nint ldGates, T* previousCell, T* cell, T* tanhCell, T* hidden, nint ldHidden, int hiddenSize, bool hasProduct)
    : IGemmEpilogue<T>, IUnitBlock<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T* _gates = gates, _previousCell = previousCell, _cell = cell, _tanhCell = tanhCell, _hidden = hidden;
    private readonly nint _ldGates = ldGates, _ldHidden = ldHidden;
    private readonly int _hiddenSize = hiddenSize;
    private readonly bool _hasProduct = hasProduct;

    public int ColumnGranule => Granule<T>(4);

    public void Apply(T* c, nint ldc, int i0, int i1, int j0, int j1)
        => ForEachUnitBlock<T, LstmForwardEpilogue<T>>(this, c, ldc, i0, i1, j0 / 4, j1 / 4);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Block(T* c, nint ldc, int b, int u, int w)
    {
        int h = _hiddenSize;
        T* a = _gates + b * _ldGates, product = c + b * ldc;
        nint row = (nint)b * h;
        Vector256<T> ai = Load(a + u, w), af = Load(a + h + u, w), ag = Load(a + 2 * h + u, w), ao = Load(a + 3 * h + u, w);
        if (_hasProduct)
        {
            T* p = product + 4 * u;   // the block's gates, w columns each
            ai += Load(p, w); af += Load(p + w, w); ag += Load(p + 2 * w, w); ao += Load(p + 3 * w, w);
        }
        Vector256<T> i = FastMath.Sigmoid(ai), f = FastMath.Sigmoid(af), g = FastMath.Tanh(ag), o = FastMath.Sigmoid(ao);
        // c_t = f ⊙ c_{t-1} + i ⊙ g
        Vector256<T> cellState = _previousCell == null ? i * g : Fma(i, g, f * Load(_previousCell + row + u, w));
        Vector256<T> tanhCellState = FastMath.Tanh(cellState);
        Store(i, a + u, w); Store(f, a + h + u, w); Store(g, a + 2 * h + u, w); Store(o, a + 3 * h + u, w);
        Store(cellState, _cell + row + u, w);
        Store(tanhCellState, _tanhCell + row + u, w);
        Store(o * tanhCellState, _hidden + b * _ldHidden + u, w);   // h_t = o ⊙ tanh(c_t)
    }
}

/// <summary>The LSTM backward step's gate gradients of whole units from the block of dh_t, and the carried dc.</summary>
internal readonly unsafe struct LstmBackwardEpilogue<T>(
    T* gates, nint ldGates, T* previousCell, T* tanhCell, T* delta, T* cellCarry, int hiddenSize)
    : IGemmEpilogue<T>, IUnitBlock<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T* _gates = gates, _previousCell = previousCell, _tanhCell = tanhCell, _delta = delta, _cellCarry = cellCarry;
    private readonly nint _ldGates = ldGates;
    private readonly int _hiddenSize = hiddenSize;

    public int ColumnGranule => 1;

    public void Apply(T* c, nint ldc, int i0, int i1, int j0, int j1)
        => ForEachUnitBlock<T, LstmBackwardEpilogue<T>>(this, c, ldc, i0, i1, j0, j1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Block(T* c, nint ldc, int b, int u, int w)
    {
        int h = _hiddenSize;
        Vector256<T> one = Vector256<T>.One;
        T* a = _gates + b * _ldGates, delta = _delta + (nint)b * 4 * h;
        nint row = (nint)b * h;
        Vector256<T> i = Load(a + u, w), f = Load(a + h + u, w), g = Load(a + 2 * h + u, w), o = Load(a + 3 * h + u, w);
        Vector256<T> dh = Load(c + b * ldc + u, w), tanhCell = Load(_tanhCell + row + u, w);
        Vector256<T> previousCell = _previousCell == null ? Vector256<T>.Zero : Load(_previousCell + row + u, w);
        Vector256<T> dc = Fma(dh * o, one - tanhCell * tanhCell, Load(_cellCarry + row + u, w));   // dc_t += dh ⊙ o ⊙ tanh'(c_t)
        Store(dc * g * i * (one - i), delta + u, w);                            // δi
        Store(dc * previousCell * f * (one - f), delta + h + u, w);             // δf
        Store(dc * i * (one - g * g), delta + 2 * h + u, w);                    // δg
        Store(dh * tanhCell * o * (one - o), delta + 3 * h + u, w);             // δo
        Store(dc * f, _cellCarry + row + u, w);                                 // dc_{t-1} = f ⊙ dc_t
    }
}
