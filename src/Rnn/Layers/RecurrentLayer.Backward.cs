// BPTT for RecurrentLayer, the same loop for every cell. T = time steps, B = batch, I = input features, H = hidden units,
// G = gate blocks. Processing order reversed: step T−1 first.
//   per step:  dh_t = dy_t (+ dh_N at the first step processed) + Δ^h_{t+1}·W_hh + the cell's direct path
//              Δ_t, Δ^h_t = the cell's backward epilogue      (the simple cell: δ_t = dh_t ⊙ f'(s_t), fused in the product)
//   at once:   ∇W_ih += Δᵀ·X,  ∇W_hh += Σ_t Δ^h_t h_{t∓1}ᵀ,  ∇b_ih += Σ Δ,  ∇b_hh += Σ Δ^h,  dX += Δ·W_ih
//              dh0 = Δ^h_first·W_hh (+ GRU's z ⊙ dh_first),  dc0 = f_first ⊙ dc_first (LSTM)
//   with lengths, the "at once" products run over the valid rows alone (RecurrentLayer.ValidRows.cs)
using System.Numerics;
using System.Numerics.Tensors;
using Rnn.Kernels;
using Rnn.Tensors;

namespace Rnn.Layers;

public sealed partial class RecurrentLayer<T>
{
    /// <summary>
    /// BPTT over the sequence of the last <see cref="Forward"/>. Accumulates (+=) into the gradients of
    /// W_ih, W_hh and the biases, and into <paramref name="dx"/>; overwrites <paramref name="dh0"/> and <paramref name="dc0"/>.
    /// </summary>
    /// <param name="dy">dS [T·B, lddy]: the loss gradient with respect to each output h_t, first H columns.</param>
    /// <param name="lddy">Row stride of dS.</param>
    /// <param name="dhN">The loss gradient with respect to the final state [B, H], or empty for zero.</param>
    /// <param name="dx">dX [T·B, lddx], += Δ·W_ih into the first I columns; or empty to skip.</param>
    /// <param name="lddx">Row stride of dX.</param>
    /// <param name="dh0">The loss gradient with respect to h0 [B, H], or empty to skip.</param>
    /// <param name="dcN">LSTM: the loss gradient with respect to the final cell state [B, H], or empty for zero.</param>
    /// <param name="dc0">LSTM: the loss gradient with respect to c0 [B, H], or empty to skip.</param>
    public void Backward(ReadOnlySpan<T> dy, int lddy, ReadOnlySpan<T> dhN, Span<T> dx, int lddx, Span<T> dh0,
        ReadOnlySpan<T> dcN = default, Span<T> dc0 = default)
    {
        BackwardThroughTime(dy, lddy, dhN, dh0, dcN, dc0);
        BackwardInput(dx, lddx);
    }

    /// <summary>
    /// The first half of <see cref="Backward"/>: the recursion through time and the parameter gradients, which
    /// touch only this layer's own buffers (so the two directions of a layer can run it at the same time).
    /// </summary>
    public void BackwardThroughTime(ReadOnlySpan<T> dy, int lddy, ReadOnlySpan<T> dhN, Span<T> dh0,
        ReadOnlySpan<T> dcN = default, Span<T> dc0 = default)
    {
        Gemm.CheckMatrix("dy", _sequenceLength * _batch, HiddenSize, dy.Length, lddy);
        CheckState(dhN.Length, _batch, nameof(dhN));
        CheckState(dh0.Length, _batch, nameof(dh0));
        CheckCellState(dcN.Length, _batch, nameof(dcN));
        CheckCellState(dc0.Length, _batch, nameof(dc0));
        switch (Cell)
        {
            case CellKind.Lstm: BackwardSteps<LstmCell<T>>(dy, lddy, dhN, dh0, dcN, dc0); break;
            case CellKind.Gru: BackwardSteps<GruCell<T>>(dy, lddy, dhN, dh0, dcN, dc0); break;
            default: BackwardSteps<SimpleCell<T>>(dy, lddy, dhN, dh0, dcN, dc0); break;
        }
    }

    /// <summary>The second half of <see cref="Backward"/>: dX += Δ·W_ih into the first I columns of dX [T·B, lddx].</summary>
    public void BackwardInput(Span<T> dx, int lddx)
    {
        int gh = Gates * HiddenSize, rows = _sequenceLength * _batch;
        if (dx.IsEmpty || rows == 0) return;
        Gemm.CheckMatrix("dx", rows, InputSize, dx.Length, lddx);
        if (_hasLengths)
        {
            BackwardInputValidRows(dx, lddx);
            return;
        }
        // dX += Δ·W_ih (the tutorial's dX += Δ·U): Δ passes down to the layer below through W_ih
        Gemm.Multiply(false, false, rows, InputSize, gh, T.One, _deltas.AsSpan(0, rows * gh), gh, _parameters.Value(_weightIh), InputSize, T.One, dx, lddx);
    }

    private void BackwardSteps<TCell>(ReadOnlySpan<T> dy, int lddy, ReadOnlySpan<T> dhN, Span<T> dh0, ReadOnlySpan<T> dcN, Span<T> dc0)
        where TCell : struct, IRecurrentCell<T>
    {
        int h = HiddenSize, gh = TCell.Gates * h, batch = _batch, rows = _sequenceLength * batch, stateRows = batch * h;
        int lds = _ldStates, ldGates = TCell.GatesAreState ? lds : gh;
        Workspace.EnsureLength(ref _deltas, rows * gh);
        Span<T> delta = _deltas.AsSpan(0, rows * gh);      // Δ [T·B, G·H]
        if (TCell.SeparatesHiddenPart) Workspace.EnsureLength(ref _hiddenDeltas, rows * gh);
        Span<T> hiddenDelta = TCell.SeparatesHiddenPart ? _hiddenDeltas.AsSpan(0, rows * gh) : delta;   // Δ^h [T·B, G·H]
        Span<T> s = _states.Span;
        ReadOnlySpan<T> x = _input.Span;
        Span<T> gates = TCell.GatesAreState ? s : _gates.AsSpan(0, rows * gh);   // the saved gates [T·B, ldGates], read
        if (_packedWeightHh is null || _packedWeightHh.Rows != gh) _packedWeightHh = new PackedMatrix<T>(gh, h);
        _packedWeightHh.Pack(transpose: false, _parameters.Value(_weightHh), h);
        Span<T> hiddenCarry = default, cellCarry = default;
        if (!TCell.GatesAreState)
        {
            Workspace.EnsureLength(ref _stepGradient, stateRows);
            Workspace.EnsureLength(ref _hiddenCarry, stateRows);
            Workspace.EnsureLength(ref _cellCarry, stateRows);
            hiddenCarry = _hiddenCarry.AsSpan(0, stateRows);
            cellCarry = _cellCarry.AsSpan(0, stateRows);
            hiddenCarry.Clear();
            if (dcN.IsEmpty) cellCarry.Clear();
            else dcN.CopyTo(cellCarry);
        }

        for (int step = _sequenceLength - 1; step >= 0; step--)
        {
            int t = TimeAt(step), active = ActiveRows(step), continued = ContinuedRows(step);
            int stepRows = stateRows * TCell.Gates;
            Span<T> deltaT = delta.Slice(t * stepRows, stepRows);
            // rows past their end: Δ = Δ^h = 0, so they add nothing to the step before nor to the whole-sequence products
            deltaT[(active * gh)..].Clear();
            if (TCell.SeparatesHiddenPart) hiddenDelta.Slice(t * stepRows + active * gh, (batch - active) * gh).Clear();
            // dh_t starts as the gradient from outside the recurrence; the simple cell forms δ_t in the same memory
            Span<T> dh = TCell.GatesAreState ? deltaT : _stepGradient.AsSpan(0, stateRows);
            for (int b = 0; b < active; b++) dy.Slice((t * batch + b) * lddy, h).CopyTo(dh.Slice(b * h, h));
            // dh_N enters each row at its last step in processing order
            if (!dhN.IsEmpty && continued < active)
                TensorPrimitives.Add(dh[(continued * h)..(active * h)], dhN[(continued * h)..(active * h)], dh[(continued * h)..(active * h)]);
            BackwardRows<TCell>(step, 0, ContinuingRows(step), gates, ldGates, hiddenDelta, dh, hiddenCarry, cellCarry);
            BackwardRows<TCell>(step, ContinuingRows(step), active, gates, ldGates, hiddenDelta, dh, hiddenCarry, cellCarry);
        }

        if (_sequenceLength == 0)
        {
            // No step ran: h_N is h0 (c_N is c0), so the gradient passes straight through.
            PassThrough(dhN, dh0);
            PassThrough(dcN, dc0);
            return;
        }

        ReadOnlySpan<T> firstHiddenDelta = FirstHiddenDeltas(hiddenDelta, gh);
        // dh0 = Δ^h_first·W_hh: h0 enters the first step through W_hh; GRU adds its direct path z ⊙ dh
        if (!dh0.IsEmpty)
        {
            Gemm.Multiply(batch, T.One, firstHiddenDelta, gh, _packedWeightHh, T.Zero, dh0, h);
            if (TCell.SeparatesHiddenPart) TensorPrimitives.Add(dh0, hiddenCarry, dh0);
        }
        // dc0 = f_first ⊙ dc_first, left in the carry by the last step processed
        if (!dc0.IsEmpty) cellCarry.CopyTo(dc0);

        // With lengths, the products below run over the valid rows alone (RecurrentLayer.ValidRows.cs).
        if (_hasLengths)
        {
            ParameterGradientsValidRows(delta, hiddenDelta, TCell.SeparatesHiddenPart, gh);
            return;
        }

        // ∇W_ih += Δᵀ·X   (Σ_t Δ_t x_tᵀ; the tutorial's ∇U += Δᵀ·X)
        Gemm.Multiply(true, false, gh, InputSize, rows, T.One, delta, gh, x, _ldInput, T.One, _parameters.Gradient(_weightIh), InputSize);

        // ∇W_hh += Σ_t Δ^h_t h_{t∓1}ᵀ: steps after the first pair with the state one step before them in time order
        // (forward) or one step after (reverse); both pairings are one contiguous GEMM. The simple cell's ∇W += Σ_t δ_t s_{t∓1}ᵀ.
        Span<T> dW = _parameters.Gradient(_weightHh);
        int pairedRows = (_sequenceLength - 1) * batch;
        if (pairedRows > 0)
        {
            int deltaStart = Reverse ? 0 : batch, stateStart = Reverse ? batch : 0;
            Gemm.Multiply(true, false, gh, h, pairedRows, T.One, hiddenDelta.Slice(deltaStart * gh), gh,
                s.Slice(stateStart * lds), lds, T.One, dW, h);
        }
        if (_hasInitialState)
            Gemm.Multiply(true, false, gh, h, batch, T.One, firstHiddenDelta, gh, _initialState.AsSpan(0, stateRows), h, T.One, dW, h);

        AddBiasGradients(delta, hiddenDelta, rows, gh);
    }

    /// <summary>The bias gradients over the first <paramref name="rows"/> rows [rows, G·H] of Δ and Δ^h: all T·B rows, or the compact valid rows of a pass with lengths.</summary>
    private void AddBiasGradients(ReadOnlySpan<T> delta, ReadOnlySpan<T> hiddenDelta, int rows, int gh)
    {
        // ∇b_ih += Σ_t Δ_t, ∇b_hh += Σ_t Δ^h_t (Δ^h = Δ but for GRU: the simple cell's ∇b_ih = ∇b_hh += Σ_t δ_t)
        if (_biasIh is null || _biasHh is null) return;
        Span<T> dbIh = _parameters.Gradient(_biasIh), dbHh = _parameters.Gradient(_biasHh);
        for (int r = 0; r < rows; r++)
        {
            TensorPrimitives.Add(dbIh, delta.Slice(r * gh, gh), dbIh);
            TensorPrimitives.Add(dbHh, hiddenDelta.Slice(r * gh, gh), dbHh);
        }
    }

    /// <summary>Backward step <paramref name="step"/> of the rows [from, to): dh += Δ^h_next·W_hh and the cell's epilogue.</summary>
    private void BackwardRows<TCell>(int step, int from, int to, Span<T> gates, int ldGates, Span<T> hiddenDelta, Span<T> dh,
        Span<T> hiddenCarry, Span<T> cellCarry) where TCell : struct, IRecurrentCell<T>
    {
        if (from == to) return;
        int h = HiddenSize, gh = TCell.Gates * h, rows = to - from, stepRows = _batch * gh, t = TimeAt(step);
        // Δ of the rows: the simple cell's Δ is dh itself
        Span<T> delta = TCell.GatesAreState ? dh.Slice(from * h, rows * h) : _deltas.AsSpan(t * stepRows + from * gh, rows * gh);
        TCell.Backward(StepAt<TCell>(step, from, to, gates, ldGates), new CellBackwardBuffers<T>
        {
            WeightHh = _packedWeightHh!,
            NextHiddenDelta = step == _sequenceLength - 1 ? default : hiddenDelta.Slice(TimeAt(step + 1) * stepRows + from * gh, rows * gh),
            HiddenGradient = dh.Slice(from * h, rows * h),
            Delta = delta,
            HiddenDelta = TCell.SeparatesHiddenPart ? hiddenDelta.Slice(t * stepRows + from * gh, rows * gh) : default,
            HiddenCarry = hiddenCarry.IsEmpty ? default : hiddenCarry.Slice(from * h, rows * h),
            CellCarry = cellCarry.IsEmpty ? default : cellCarry.Slice(from * h, rows * h),
        });
    }

    private static void PassThrough(ReadOnlySpan<T> final, Span<T> initial)
    {
        if (initial.IsEmpty) return;
        if (final.IsEmpty) initial.Clear();
        else final.CopyTo(initial);
    }
}
