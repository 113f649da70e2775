// The cell contract: what RecurrentLayer's one time loop asks of a cell. B = batch, H = hidden units,
// G = gate blocks (1 simple, 4 LSTM i,f,g,o, 3 GRU r,z,n), stacked in PyTorch's order along W_ih's and W_hh's rows.
// Per step, forward:  P_t [B, G·H] = W_ih x_t + b_ih (+ b_hh when folded) arrives precomputed for all steps; the cell adds
//                     h_{t-1}·W_hhᵀ (into P_t, or into its own Z_t when it needs the hidden part alone) and forms h_t (c_t),
//                     saving in place of P_t what backward needs (the gate activations).
// Per step, backward: from dh_t (dc_t) and the saved values the cell gives the gate gradients Δ_t [B, G·H] (input path),
//                     Δ^h_t (hidden path: differs only for GRU, whose n gate's hidden part is r ⊙ δn), and the direct
//                     paths to step t−1 (LSTM: dc_{t-1} = f ⊙ dc_t; GRU: z ⊙ dh_t). The loop then forms
//                     ∇W_ih = Δᵀ X, ∇W_hh = Δ^h[1..]ᵀ H[..T−1], ∇b_ih = Σ Δ, ∇b_hh = Σ Δ^h, dX = Δ·W_ih.
// A gated cell's step is its product with its pointwise update fused in as the product's epilogue: W_hhᵀ is packed
// with each unit's G gates adjacent (GateColumns), so each thread updates whole units of the block it computed.
// A cell is a struct type argument: the JIT specialises the loop for each, with no virtual call per step.
using System.Numerics;
using Rnn.Kernels;

namespace Rnn.Layers;

/// <summary>A recurrent cell: static members only, so that <c>RecurrentLayer</c>'s loop is specialised per cell.</summary>
internal interface IRecurrentCell<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>G, the gate blocks per unit.</summary>
    static abstract int Gates { get; }

    /// <summary>Whether the one gate block is the state itself (the simple cell): P_t is computed into the output rows and
    /// Δ is the gradient of the pre-activation of h. Otherwise W_hhᵀ is packed in <see cref="GateColumns"/> order.</summary>
    static abstract bool GatesAreState { get; }

    /// <summary>Whether the cell carries a cell state c (LSTM).</summary>
    static abstract bool HasCellState { get; }

    /// <summary>Whether the hidden part W_hh h + b_hh is kept apart from P (GRU): b_hh is then not folded into P, the step
    /// saves Z_t, and the hidden path's Δ^h differs from Δ.</summary>
    static abstract bool SeparatesHiddenPart { get; }

    /// <summary>One forward step: the product h_{t-1}·W_hhᵀ and the epilogue that forms h_t (c_t).</summary>
    static abstract void Forward(in CellStep<T> step, in CellForwardBuffers<T> buffers);

    /// <summary>One backward step: Δ^h_{next}·W_hh into dh_t, then the gate gradients Δ_t (Δ^h_t) and the direct paths.</summary>
    static abstract void Backward(in CellStep<T> step, in CellBackwardBuffers<T> buffers);
}

/// <summary>What a step sees in both directions: sizes, the previous states and the saved gates. Empty previous states mean zeros.</summary>
internal readonly ref struct CellStep<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>B.</summary>
    public int Batch { get; init; }

    /// <summary>H.</summary>
    public int HiddenSize { get; init; }

    /// <summary>The simple cell's activation f.</summary>
    public Nonlinearity Nonlinearity { get; init; }

    /// <summary>h_{t-1} [B, <see cref="LdPrevious"/>], or empty.</summary>
    public ReadOnlySpan<T> PreviousHidden { get; init; }

    /// <summary>Row stride of h_{t-1}.</summary>
    public int LdPrevious { get; init; }

    /// <summary>c_{t-1} [B, H] (LSTM), or empty.</summary>
    public ReadOnlySpan<T> PreviousCell { get; init; }

    /// <summary>[B, <see cref="LdGates"/>]: forward, P_t on entry and on exit what backward needs (gate activations; the
    /// simple cell's h_t); backward, read.</summary>
    public Span<T> Gates { get; init; }

    /// <summary>Row stride of <see cref="Gates"/>.</summary>
    public int LdGates { get; init; }

    /// <summary>GRU's v_n = W_hn h_{t-1} + b_hn [B, H], the n gate's hidden part: written forward, read backward; else empty.</summary>
    public Span<T> HiddenPart { get; init; }

    /// <summary>tanh(c_t) [B, H] (LSTM): written forward, read backward; else empty.</summary>
    public Span<T> TanhCell { get; init; }
}

/// <summary>The buffers only a forward step uses.</summary>
internal readonly ref struct CellForwardBuffers<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>W_hhᵀ [H, G·H], packed once per pass; a gated cell's columns in <see cref="GateColumns"/> order.</summary>
    public PackedMatrix<T> WeightHhTransposed { get; init; }

    /// <summary>b_hh [G·H] where the cell keeps it apart (GRU) and the layer has biases; else empty.</summary>
    public ReadOnlySpan<T> BiasHh { get; init; }

    /// <summary>h_t [B, <see cref="LdHidden"/>], written.</summary>
    public Span<T> Hidden { get; init; }

    /// <summary>Row stride of h_t.</summary>
    public int LdHidden { get; init; }

    /// <summary>c_t [B, H] (LSTM), written.</summary>
    public Span<T> Cell { get; init; }

    /// <summary>A gated cell's scratch [B, G·H] for h_{t-1}·W_hhᵀ in <see cref="GateColumns"/> order; else empty.</summary>
    public Span<T> Product { get; init; }
}

/// <summary>The buffers only a backward step uses (processing order reversed: "next" is the step processed after this one forward).</summary>
internal readonly ref struct CellBackwardBuffers<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>W_hh [G·H, H], packed once per pass.</summary>
    public PackedMatrix<T> WeightHh { get; init; }

    /// <summary>Δ^h_{next} [B, G·H], or empty at the first step processed backward.</summary>
    public ReadOnlySpan<T> NextHiddenDelta { get; init; }

    /// <summary>dh_t [B, H]: on entry the gradient reaching h_t from outside the recurrence (dy_t, plus dh_N at the last step).
    /// For the simple cell it is the same memory as <see cref="Delta"/>.</summary>
    public Span<T> HiddenGradient { get; init; }

    /// <summary>Δ_t [B, G·H], written.</summary>
    public Span<T> Delta { get; init; }

    /// <summary>Δ^h_t [B, G·H] (GRU), written; else empty (Δ^h = Δ).</summary>
    public Span<T> HiddenDelta { get; init; }

    /// <summary>GRU's direct path [B, H]: on entry z_{next} ⊙ dh_{next} (zero at first), on exit z_t ⊙ dh_t.</summary>
    public Span<T> HiddenCarry { get; init; }

    /// <summary>LSTM's dc [B, H]: on entry f_{next} ⊙ dc_{next} (plus dc_N), on exit f_t ⊙ dc_t.</summary>
    public Span<T> CellCarry { get; init; }
}
