#!/usr/bin/python3
"""Generate the golden recurrent-network parity cases in tests/golden/ (one .safetensors file per case).

What it does
    For every case in CASES (the simple cell, kind `rnn`) and GATED_CASES (kinds `lstm` and `gru`)
    below it draws deterministic random parameters, inputs and upstream gradients, runs a
    reference network (an explicit time loop under torch autograd, in float64) and writes
    inputs, parameters, expected outputs and expected gradients to tests/golden/<case>.safetensors,
    following the schema of docs/GOLDEN.md (metadata keys: kind, input_size, hidden_size,
    num_layers, bidirectional, nonlinearity, bias, stacking, batch_first, dtype, atol, rtol).

    The reference loop covers every variant: the simple cell with tanh/relu/sigmoid/identity,
    LSTM (gates i, f, g, o) and GRU (gates r, z, n) in PyTorch's gate order and parameter layout,
    with/without bias, `concat` (PyTorch) and `separate` stacking, 1/2 directions. Wherever
    torch.nn.RNN / nn.LSTM / nn.GRU implements the same thing (concat stacking, or a single
    direction or layer, where `separate` == `concat`; for the simple cell only tanh and relu) the
    loop is cross-checked against the module in float64 and the script asserts that outputs,
    final states and all gradients agree to ~1e-12. Cases with `separate` stacking and two
    directions are cross-checked the same way against two independent unidirectional module
    stacks (the reverse one run on the time-flipped input). sigmoid and identity have no
    nn.RNN counterpart and rely on the loop alone.

    F32 cases: values are drawn in float64, rounded to float32, the computation runs in
    float64 on those rounded values, and the results are rounded to float32 ("the exact
    computation rounded to the case's dtype"). F64 cases are stored as computed.

How to run (by hand only -- it is never run by CI; the generated files are committed)
    From the repository root:
        /usr/bin/python3 tools/golden/make_golden.py            # (re)writes tests/golden/*.safetensors
        /usr/bin/python3 tools/golden/make_golden.py --verify   # re-reads every file and checks it
    Needs python3-torch and python3-numpy (Debian packages); no safetensors package: the file
    format is written and read by tools/common/safetensors_io.py. Output is deterministic
    (fixed per-case seeds, single-threaded torch): re-running gives byte-identical files.

Tolerances (stored per case as metadata `atol` / `rtol`; a tensor matches when
max|a - e| <= atol + rtol * max|e|)
    F64: atol 1e-12, rtol 1e-9.
    F32: atol 1e-6, rtol 1e-4 (the documented default). The C# side computes in float32, so its
    error is float32 rounding accumulated over T steps and L layers. Because rtol is scaled by
    max|e| over the whole tensor, rtol 1e-4 leaves ~1000 ulps of headroom for values of order
    one; atol only matters for tensors whose entries are all tiny. To back this up, the script
    re-runs every F32 case in float32 (torch, as a stand-in for a float32 implementation) and
    asserts that this float32 run passes the case's tolerance with a safety factor of 4; a case
    that would not is given atol 1e-5 instead (see F32_LOOSE_ATOL) -- with the current cases none
    needs it. Also, for relu cases the seed is advanced until no pre-activation is within
    RELU_MARGIN of 0, so float32 rounding cannot flip a relu derivative between 0 and 1.
"""

import hashlib
import math
import os
import sys
import zlib

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from safetensors_io import load, write_safetensors  # noqa: E402

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT_DIR = os.path.join(REPO_ROOT, "tests", "golden")

F32_ATOL, F32_RTOL = "1e-6", "1e-4"
F32_LOOSE_ATOL = "1e-5"
F64_ATOL, F64_RTOL = "1e-12", "1e-9"
F32_SAFETY = 4.0        # float32 simulation must pass with tolerance / F32_SAFETY
RELU_MARGIN = 1e-4      # min |pre-activation| for relu cases
NNRNN_TOL = 1e-12       # loop vs nn module agreement (relative to 1 + max|value|)
MAX_FILE_BYTES = 50 * 1024

NONLINEARITIES = ("tanh", "relu", "sigmoid", "identity")
KINDS = ("rnn", "lstm", "gru")
GATES = {"rnn": 1, "lstm": 4, "gru": 3}     # rows per hidden unit in each weight and bias

# --------------------------------------------------------------------------------------------
# Cases. The first field is the simple cell's nonlinearity (kind `rnn`) or the kind `lstm` /
# `gru`; it is also the first part of the file name.
# (name prefix, bias, stacking, L, D, dtype, batch_first, T, B, I, H)
# --------------------------------------------------------------------------------------------
CASES = [
    # tanh
    ("tanh", True, "concat", 1, 1, "F64", False, 1, 1, 1, 1),
    ("tanh", True, "concat", 1, 1, "F32", False, 5, 3, 3, 4),
    ("tanh", False, "concat", 1, 2, "F64", False, 7, 2, 4, 3),
    ("tanh", True, "concat", 2, 2, "F64", False, 12, 3, 5, 6),
    ("tanh", True, "concat", 2, 2, "F32", False, 12, 3, 5, 6),
    ("tanh", False, "concat", 3, 2, "F32", False, 9, 2, 2, 5),
    ("tanh", True, "separate", 2, 2, "F64", False, 8, 4, 3, 5),
    ("tanh", False, "separate", 3, 2, "F32", True, 6, 2, 6, 4),
    ("tanh", True, "separate", 2, 1, "F64", False, 4, 2, 2, 3),
    ("tanh", True, "concat", 3, 1, "F32", True, 20, 2, 7, 9),
    ("tanh", True, "concat", 1, 2, "F32", False, 1, 5, 3, 2),
    ("tanh", True, "separate", 3, 2, "F64", False, 20, 1, 4, 7),
    ("tanh", True, "concat", 2, 1, "F64", False, 1, 1, 3, 2),
    ("tanh", False, "separate", 1, 2, "F32", False, 4, 3, 2, 3),
    ("tanh", True, "concat", 2, 2, "F32", True, 16, 2, 4, 4),
    # relu
    ("relu", True, "concat", 1, 1, "F64", False, 10, 3, 3, 5),
    ("relu", False, "concat", 1, 1, "F32", False, 6, 1, 4, 2),
    ("relu", True, "concat", 2, 2, "F32", False, 8, 3, 5, 4),
    ("relu", False, "concat", 2, 2, "F64", True, 15, 2, 3, 6),
    ("relu", True, "separate", 2, 2, "F64", False, 7, 4, 2, 3),
    ("relu", False, "separate", 3, 2, "F32", False, 5, 2, 5, 5),
    ("relu", True, "concat", 3, 2, "F64", False, 1, 3, 4, 2),
    ("relu", True, "separate", 3, 1, "F32", False, 11, 2, 3, 4),
    ("relu", True, "concat", 1, 2, "F32", False, 18, 1, 6, 8),
    ("relu", True, "concat", 3, 1, "F64", False, 3, 5, 1, 1),
    ("relu", True, "separate", 2, 2, "F32", False, 20, 5, 7, 9),
    ("relu", False, "concat", 1, 2, "F64", True, 4, 2, 2, 7),
    # sigmoid
    ("sigmoid", True, "concat", 1, 1, "F32", False, 9, 2, 2, 3),
    ("sigmoid", False, "concat", 1, 2, "F64", False, 5, 3, 4, 1),
    ("sigmoid", True, "concat", 2, 2, "F64", False, 10, 2, 3, 5),
    ("sigmoid", True, "separate", 3, 2, "F32", False, 12, 3, 4, 6),
    ("sigmoid", True, "separate", 3, 2, "F64", False, 12, 3, 4, 6),
    ("sigmoid", False, "separate", 2, 2, "F32", False, 1, 1, 5, 2),
    ("sigmoid", True, "concat", 3, 1, "F64", True, 16, 2, 6, 4),
    ("sigmoid", False, "concat", 2, 1, "F32", False, 7, 4, 1, 7),
    ("sigmoid", True, "separate", 2, 1, "F64", False, 3, 5, 7, 2),
    ("sigmoid", False, "concat", 3, 2, "F32", True, 20, 2, 3, 3),
    ("sigmoid", True, "concat", 1, 1, "F64", False, 2, 1, 1, 1),
    ("sigmoid", False, "separate", 3, 1, "F32", False, 8, 3, 5, 3),
    # identity
    ("identity", True, "concat", 1, 1, "F64", False, 8, 2, 3, 4),
    ("identity", False, "concat", 1, 1, "F32", False, 1, 4, 2, 5),
    ("identity", True, "concat", 2, 2, "F32", False, 10, 3, 4, 3),
    ("identity", False, "separate", 2, 2, "F64", False, 9, 2, 5, 4),
    ("identity", True, "separate", 3, 2, "F32", False, 14, 2, 3, 5),
    ("identity", True, "concat", 3, 2, "F64", True, 6, 1, 2, 9),
    ("identity", False, "concat", 2, 1, "F64", False, 20, 3, 6, 2),
    ("identity", True, "separate", 3, 1, "F32", False, 5, 2, 4, 1),
    ("identity", False, "separate", 1, 1, "F64", False, 3, 2, 3, 2),
]

GATED_CASES = [
    # lstm
    ("lstm", True, "concat", 1, 1, "F64", False, 1, 1, 1, 1),
    ("lstm", True, "concat", 1, 1, "F32", False, 5, 3, 3, 4),
    ("lstm", False, "concat", 1, 2, "F64", False, 7, 2, 4, 3),
    ("lstm", True, "concat", 2, 2, "F64", False, 12, 3, 5, 4),
    ("lstm", True, "concat", 2, 2, "F32", False, 12, 3, 5, 4),
    ("lstm", False, "concat", 3, 2, "F32", False, 9, 2, 2, 5),
    ("lstm", True, "separate", 2, 2, "F64", False, 8, 4, 3, 5),
    ("lstm", False, "separate", 3, 2, "F32", True, 6, 2, 6, 4),
    ("lstm", True, "separate", 2, 1, "F64", False, 4, 2, 2, 3),
    ("lstm", True, "concat", 3, 1, "F32", True, 20, 2, 7, 6),
    ("lstm", True, "concat", 1, 2, "F32", False, 1, 5, 3, 2),
    ("lstm", True, "separate", 3, 2, "F64", False, 20, 1, 4, 3),
    ("lstm", True, "concat", 2, 1, "F64", False, 1, 1, 3, 2),
    ("lstm", False, "separate", 1, 2, "F32", False, 4, 3, 2, 3),
    ("lstm", True, "concat", 2, 2, "F32", True, 16, 2, 4, 4),
    ("lstm", False, "concat", 1, 1, "F32", False, 6, 1, 4, 2),
    ("lstm", True, "concat", 3, 2, "F64", False, 3, 5, 1, 1),
    ("lstm", True, "separate", 2, 2, "F32", False, 10, 5, 7, 6),
    ("lstm", False, "separate", 3, 1, "F64", False, 11, 2, 3, 4),
    ("lstm", True, "concat", 1, 1, "F64", True, 20, 3, 8, 9),
    ("lstm", False, "concat", 2, 2, "F64", True, 5, 2, 2, 5),
    ("lstm", True, "separate", 3, 1, "F32", False, 8, 3, 5, 3),
    # gru
    ("gru", True, "concat", 1, 1, "F32", False, 1, 1, 1, 1),
    ("gru", True, "concat", 1, 1, "F64", False, 9, 2, 2, 3),
    ("gru", False, "concat", 1, 2, "F32", False, 5, 3, 4, 1),
    ("gru", True, "concat", 2, 2, "F32", False, 10, 2, 3, 5),
    ("gru", True, "concat", 2, 2, "F64", False, 10, 2, 3, 5),
    ("gru", False, "concat", 3, 2, "F64", False, 7, 3, 5, 4),
    ("gru", True, "separate", 2, 2, "F32", False, 12, 3, 4, 6),
    ("gru", True, "separate", 3, 2, "F64", True, 9, 2, 3, 4),
    ("gru", False, "separate", 2, 2, "F64", False, 1, 1, 5, 2),
    ("gru", True, "concat", 3, 1, "F64", True, 16, 2, 6, 4),
    ("gru", False, "concat", 2, 1, "F32", False, 7, 4, 1, 7),
    ("gru", True, "separate", 2, 1, "F32", False, 3, 5, 7, 2),
    ("gru", False, "concat", 3, 2, "F32", True, 20, 2, 3, 3),
    ("gru", True, "concat", 1, 1, "F64", False, 2, 1, 1, 1),
    ("gru", False, "separate", 3, 1, "F32", False, 8, 3, 5, 3),
    ("gru", True, "concat", 1, 2, "F64", False, 18, 1, 6, 8),
    ("gru", True, "separate", 3, 2, "F32", False, 14, 2, 3, 5),
    ("gru", False, "separate", 1, 1, "F64", False, 3, 2, 3, 2),
    ("gru", True, "concat", 3, 1, "F32", False, 20, 4, 7, 9),
    ("gru", False, "concat", 2, 2, "F64", True, 4, 2, 2, 7),
    ("gru", True, "separate", 2, 2, "F64", False, 6, 4, 9, 3),
    ("gru", True, "concat", 2, 1, "F32", True, 11, 3, 2, 6),
]

ALL_CASES = CASES + GATED_CASES


class Case:
    def __init__(self, spec):
        (self.prefix, self.bias, self.stacking, self.L, self.D, self.dtype, self.batch_first,
         self.T, self.B, self.I, self.H) = spec
        if self.prefix in NONLINEARITIES:
            self.kind, self.nl = "rnn", self.prefix
        else:
            self.kind, self.nl = self.prefix, "tanh"
        assert self.kind in KINDS
        assert self.stacking in ("concat", "separate")
        assert self.D in (1, 2) and self.dtype in ("F32", "F64")
        assert min(self.L, self.T, self.B, self.I, self.H) >= 1

    @property
    def name(self):
        return "{}_L{}_D{}_{}_{}_{}_T{}_B{}_I{}_H{}{}".format(
            self.prefix, self.L, self.D, self.stacking, "bias" if self.bias else "nobias",
            self.dtype.lower(), self.T, self.B, self.I, self.H, "_bf" if self.batch_first else "")

    @property
    def G(self):
        return GATES[self.kind]

    @property
    def states(self):
        """Names of the recurrent state tensors: h, and c for lstm."""
        return ("h", "c") if self.kind == "lstm" else ("h",)

    def layer_input_size(self, k):
        if k == 0:
            return self.I
        return self.D * self.H if self.stacking == "concat" else self.H

    def param_names(self):
        """Parameter names in PyTorch's order (layer, direction, w_ih, w_hh, b_ih, b_hh)."""
        names = []
        for k in range(self.L):
            for d in range(self.D):
                sfx = "_reverse" if d == 1 else ""
                names += ["weight_ih_l%d%s" % (k, sfx), "weight_hh_l%d%s" % (k, sfx)]
                if self.bias:
                    names += ["bias_ih_l%d%s" % (k, sfx), "bias_hh_l%d%s" % (k, sfx)]
        return names

    def param_shape(self, name):
        k = int(name.split("_l")[1].split("_")[0])
        if name.startswith("weight_ih"):
            return [self.G * self.H, self.layer_input_size(k)]
        if name.startswith("weight_hh"):
            return [self.G * self.H, self.H]
        return [self.G * self.H]

    def expected_shapes(self):
        """Every tensor the file must hold, with its stored shape, in file order."""
        T, B, I, H, LD = self.T, self.B, self.I, self.H, self.L * self.D

        def seq(last):
            return [B, T, last] if self.batch_first else [T, B, last]

        shapes = {}
        for p in self.param_names():
            shapes[p] = self.param_shape(p)
        shapes["x"] = seq(I)
        for s in self.states:
            shapes[s + "0"] = [LD, B, H]
        shapes["y"] = seq(self.D * H)
        for s in self.states:
            shapes[s + "_n"] = [LD, B, H]
        shapes["grad_y"] = seq(self.D * H)
        for s in self.states:
            shapes["grad_%s_n" % s] = [LD, B, H]
        shapes["grad_x"] = seq(I)
        for s in self.states:
            shapes["grad_%s0" % s] = [LD, B, H]
        for p in self.param_names():
            shapes["grad_" + p] = self.param_shape(p)
        return shapes


# --------------------------------------------------------------------------------------------
# Reference network: explicit loop, works for every variant
# --------------------------------------------------------------------------------------------
def activation(nl, v):
    if nl == "tanh":
        return torch.tanh(v)
    if nl == "relu":
        return torch.relu(v)
    if nl == "sigmoid":
        return torch.sigmoid(v)
    if nl == "identity":
        return v
    raise ValueError(nl)


def cell_step(case, p, x_t, state, record_pre=None):
    """One step of one layer and direction. p: the four parameters (b_ih, b_hh None without bias),
    state: (h,) or (h, c), each [B, H]. Returns the new state tuple."""
    w_ih, w_hh, b_ih, b_hh = p
    H = case.H
    h = state[0]
    if case.kind == "rnn":
        pre = x_t @ w_ih.t() + h @ w_hh.t()
        if case.bias:
            pre = pre + b_ih + b_hh
        if record_pre is not None:
            record_pre.append(pre.detach().abs().min().item())
        return (activation(case.nl, pre),)
    if case.kind == "lstm":
        pre = x_t @ w_ih.t() + h @ w_hh.t()
        if case.bias:
            pre = pre + b_ih + b_hh
        i = torch.sigmoid(pre[:, 0:H])
        f = torch.sigmoid(pre[:, H:2 * H])
        g = torch.tanh(pre[:, 2 * H:3 * H])
        o = torch.sigmoid(pre[:, 3 * H:4 * H])
        c = f * state[1] + i * g
        return (o * torch.tanh(c), c)
    # gru: the hidden part of the new gate n is scaled by r before it is added.
    gi = x_t @ w_ih.t()
    gh = h @ w_hh.t()
    if case.bias:
        gi = gi + b_ih
        gh = gh + b_hh
    r = torch.sigmoid(gi[:, 0:H] + gh[:, 0:H])
    z = torch.sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
    n = torch.tanh(gi[:, 2 * H:3 * H] + r * gh[:, 2 * H:3 * H])
    return ((1 - z) * n + z * h,)


def reference_forward(case, params, x, init, record_pre=None):
    """x: [T, B, I] (time-major), init: list over states (h, and c for lstm) of [L*D, B, H].
    Returns y [T, B, D*H] and the list of final states [L*D, B, H].
    If record_pre is a list, the minimum |pre-activation| of each step of the simple cell is
    appended to it."""
    T, D = case.T, case.D
    prev = None          # list over directions of [T, B, H] outputs of the previous layer
    finals = [[] for _ in case.states]
    for k in range(case.L):
        outs = []
        for d in range(D):
            sfx = "_reverse" if d == 1 else ""
            p = [params.get("%s_l%d%s" % (n, k, sfx)) for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
            if k == 0:
                inp = x
            elif case.stacking == "concat":
                inp = torch.cat(prev, dim=2)
            else:
                inp = prev[d]
            state = tuple(s[k * D + d] for s in init)
            hs = [None] * T
            steps = range(T) if d == 0 else range(T - 1, -1, -1)
            for t in steps:
                state = cell_step(case, p, inp[t], state, record_pre)
                hs[t] = state[0]
            for j, s in enumerate(state):
                finals[j].append(s)
            outs.append(torch.stack(hs, dim=0))
        prev = outs
    return torch.cat(prev, dim=2), [torch.stack(f, dim=0) for f in finals]


def nn_module(case, torch_dtype, layers_bidirectional):
    """torch.nn.RNN / LSTM / GRU with the case's sizes (input I)."""
    num_layers, bidirectional = layers_bidirectional
    common = dict(num_layers=num_layers, bias=case.bias, batch_first=False, bidirectional=bidirectional)
    if case.kind == "rnn":
        m = torch.nn.RNN(case.I, case.H, nonlinearity=case.nl, **common)
    elif case.kind == "lstm":
        m = torch.nn.LSTM(case.I, case.H, **common)
    else:
        m = torch.nn.GRU(case.I, case.H, **common)
    return m.to(torch_dtype)


def run_module(case, module, x, init):
    """Runs an nn module on time-major x from the initial states; returns (y, [final states])."""
    hx = (init[0], init[1]) if case.kind == "lstm" else init[0]
    y, hn = module(x, hx)
    return y, (list(hn) if case.kind == "lstm" else [hn])


def run_with_grads(case, values, torch_dtype, use_nn=False, use_towers=False, record_pre=None):
    """values: dict of float64 numpy arrays (time-major x / grad_y). Runs forward + backward of
    loss = sum(y*grad_y) + sum(h_n*grad_h_n) (+ sum(c_n*grad_c_n)) in torch_dtype.
    Returns dict of numpy results."""
    def leaf(name):
        return torch.tensor(values[name], dtype=torch_dtype, requires_grad=True)

    x = leaf("x")
    init = [leaf(s + "0") for s in case.states]
    names = case.param_names()
    if use_nn:
        module = nn_module(case, torch_dtype, (case.L, case.D == 2))
        with torch.no_grad():
            for n in names:
                p = getattr(module, n)
                assert list(p.shape) == list(values[n].shape), (n, p.shape, values[n].shape)
                p.copy_(torch.tensor(values[n], dtype=torch_dtype))
        params = {n: getattr(module, n) for n in names}
        y, finals = run_module(case, module, x, init)
    elif use_towers:
        # `separate` stacking with D=2 == two independent unidirectional stacks; the reverse
        # one runs on the time-flipped input and its output is flipped back.
        params = {}
        ys, fins = [], []
        for d in range(case.D):
            sfx = "_reverse" if d == 1 else ""
            module = nn_module(case, torch_dtype, (case.L, False))
            with torch.no_grad():
                for k in range(case.L):
                    for kind in (["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if case.bias else [])):
                        getattr(module, "%s_l%d" % (kind, k)).copy_(
                            torch.tensor(values["%s_l%d%s" % (kind, k, sfx)], dtype=torch_dtype))
                        params["%s_l%d%s" % (kind, k, sfx)] = getattr(module, "%s_l%d" % (kind, k))
            init_d = [s[d::case.D] for s in init]
            if d == 0:
                y_d, fin_d = run_module(case, module, x, init_d)
            else:
                y_d, fin_d = run_module(case, module, torch.flip(x, dims=[0]), init_d)
                y_d = torch.flip(y_d, dims=[0])
            ys.append(y_d)
            fins.append(fin_d)
        y = torch.cat(ys, dim=2)
        finals = [torch.stack([f[j] for f in fins], dim=1).reshape(case.L * case.D, case.B, case.H)
                  for j in range(len(case.states))]
    else:
        params = {n: leaf(n) for n in names}
        y, finals = reference_forward(case, params, x, init, record_pre)
    loss = (y * torch.tensor(values["grad_y"], dtype=torch_dtype)).sum()
    for s, f in zip(case.states, finals):
        loss = loss + (f * torch.tensor(values["grad_%s_n" % s], dtype=torch_dtype)).sum()
    loss.backward()
    out = {"y": y.detach().numpy().astype(np.float64),
           "grad_x": x.grad.numpy().astype(np.float64)}
    for s, f, i in zip(case.states, finals, init):
        out[s + "_n"] = f.detach().numpy().astype(np.float64)
        out["grad_%s0" % s] = i.grad.numpy().astype(np.float64)
    for n in names:
        out["grad_" + n] = params[n].grad.numpy().astype(np.float64)
    return out


# --------------------------------------------------------------------------------------------
# Value generation
# --------------------------------------------------------------------------------------------
def case_seed(name, attempt):
    return zlib.crc32(("rnn-golden/%s/%d" % (name, attempt)).encode("ascii"))


def draw_values(case, seed):
    """All inputs in float64, time-major; for F32 cases rounded to float32 (kept as float64).
    Parameters are uniform in +-1/sqrt(H) (PyTorch's initialisation), x and the upstream
    gradients standard normal, the initial states 0.3 * standard normal."""
    rng = np.random.default_rng(seed)
    k = 1.0 / math.sqrt(case.H)
    if case.nl in ("relu", "identity"):
        k *= 0.8  # keep unbounded activations from growing over T steps / L layers
    v = {}
    for n in case.param_names():
        v[n] = rng.uniform(-k, k, size=case.param_shape(n))
    v["x"] = rng.standard_normal((case.T, case.B, case.I))
    for s in case.states:
        v[s + "0"] = 0.3 * rng.standard_normal((case.L * case.D, case.B, case.H))
    v["grad_y"] = rng.standard_normal((case.T, case.B, case.D * case.H))
    for s in case.states:
        v["grad_%s_n" % s] = rng.standard_normal((case.L * case.D, case.B, case.H))
    if case.dtype == "F32":
        v = {n: a.astype(np.float32).astype(np.float64) for n, a in v.items()}
    return v


def tol_ratio(actual, expected, atol, rtol):
    """max|a-e| / (atol + rtol*max|e|): <= 1 means the tensor passes."""
    err = float(np.max(np.abs(actual - expected))) if expected.size else 0.0
    bound = atol + rtol * (float(np.max(np.abs(expected))) if expected.size else 0.0)
    return err / bound


def module_has_cell(case):
    """nn.LSTM and nn.GRU; nn.RNN only with tanh or relu."""
    return case.kind != "rnn" or case.nl in ("tanh", "relu")


def nn_rnn_applies(case):
    """The nn module itself: concat stacking (== separate when D == 1 or L == 1)."""
    return module_has_cell(case) and (case.stacking == "concat" or case.D == 1 or case.L == 1)


def nn_towers_apply(case):
    """Two unidirectional nn module stacks: separate stacking with D == 2."""
    return module_has_cell(case) and case.stacking == "separate" and case.D == 2


def nn_mode_of(case):
    return ({"use_nn": True} if nn_rnn_applies(case)
            else {"use_towers": True} if nn_towers_apply(case) else None)


def nn_disagreement(case, ref, values):
    """Runs the nn cross-check in float64 and returns the largest disagreement with the loop
    (relative to 1 + max|value| per tensor), or None when no module expresses the case."""
    nn_mode = nn_mode_of(case)
    if nn_mode is None:
        return None, None
    nn_out = run_with_grads(case, values, torch.float64, **nn_mode)
    assert sorted(nn_out) == sorted(ref), (case.name, sorted(nn_out), sorted(ref))
    worst = 0.0
    for n, a in ref.items():
        e = np.max(np.abs(a - nn_out[n])) / (1.0 + np.max(np.abs(a)))
        assert e <= NNRNN_TOL, "%s: loop vs nn module mismatch in %s: %g" % (case.name, n, e)
        worst = max(worst, float(e))
    return worst, nn_out


def build_case(case, stats):
    attempt = 0
    while True:
        seed = case_seed(case.name, attempt)
        values = draw_values(case, seed)
        pres = []
        ref = run_with_grads(case, values, torch.float64, record_pre=pres)
        min_pre = min(pres) if pres else None
        if case.nl != "relu" or min_pre > RELU_MARGIN:
            break
        attempt += 1
        assert attempt < 100, "could not find relu values away from the kink"
    for n, a in ref.items():
        assert np.all(np.isfinite(a)), (case.name, n)

    # Cross-check the loop against torch.nn.RNN / LSTM / GRU (float64) wherever they apply.
    nn_err, nn_out = nn_disagreement(case, ref, values)

    # Round to the case's dtype.
    if case.dtype == "F32":
        expected = {n: a.astype(np.float32).astype(np.float64) for n, a in ref.items()}
        atol_s, rtol_s = F32_ATOL, F32_RTOL
        # float32 stand-in for the C# float32 implementation must pass with margin.
        sim = run_with_grads(case, values, torch.float32)
        worst = max(tol_ratio(sim[n], expected[n], float(atol_s), float(rtol_s)) for n in expected)
        if worst * F32_SAFETY > 1.0:
            atol_s = F32_LOOSE_ATOL
            worst = max(tol_ratio(sim[n], expected[n], float(atol_s), float(rtol_s)) for n in expected)
            assert worst * F32_SAFETY <= 1.0, "%s: float32 run misses tolerance (%g)" % (case.name, worst)
        sim_ratio = worst
    else:
        expected = ref
        atol_s, rtol_s = F64_ATOL, F64_RTOL
        sim_ratio = None
        if nn_out is not None:
            sim_ratio = max(tol_ratio(nn_out[n], expected[n], float(atol_s), float(rtol_s)) for n in expected)

    metadata = {
        "kind": case.kind,
        "input_size": str(case.I),
        "hidden_size": str(case.H),
        "num_layers": str(case.L),
        "bidirectional": "true" if case.D == 2 else "false",
        "nonlinearity": case.nl,
        "bias": "true" if case.bias else "false",
        "stacking": case.stacking,
        "batch_first": "true" if case.batch_first else "false",
        "dtype": case.dtype,
        "atol": atol_s,
        "rtol": rtol_s,
    }

    def stored(name, a):
        if case.batch_first and name in SEQ_TENSORS:
            a = np.transpose(a, (1, 0, 2))
        return np.ascontiguousarray(a)

    all_vals = dict(values)
    all_vals.update(expected)
    shapes = case.expected_shapes()
    tensors = []
    for name, shape in shapes.items():
        a = stored(name, all_vals[name])
        assert list(a.shape) == shape, (case.name, name, a.shape, shape)
        tensors.append((name, case.dtype, a))
    path = os.path.join(OUT_DIR, case.name + ".safetensors")
    write_safetensors(path, tensors, metadata)
    stats.append({
        "name": case.name, "kind": case.kind, "seed_attempt": attempt, "bytes": os.path.getsize(path),
        "max_abs_y": float(np.max(np.abs(expected["y"]))),
        "min_pre": min_pre, "nn_err": nn_err, "sim_ratio": sim_ratio, "atol": atol_s,
        "dtype": case.dtype,
    })


SEQ_TENSORS = ("x", "y", "grad_y", "grad_x")


# --------------------------------------------------------------------------------------------
# Verification (independent re-read of the written files)
# --------------------------------------------------------------------------------------------
META_KEYS = ["kind", "input_size", "hidden_size", "num_layers", "bidirectional", "nonlinearity",
             "bias", "stacking", "batch_first", "dtype", "atol", "rtol"]


def verify_file(path):
    loaded = load(path, strict=True)
    meta, names = loaded.metadata, list(loaded.tensors)
    tensors = {n: (loaded.dtypes[n], a) for n, a in loaded.tensors.items()}
    problems = []

    def need(cond, msg):
        if not cond:
            problems.append(msg)

    need(sorted(meta) == sorted(META_KEYS), "metadata keys %s" % sorted(meta))
    if problems:
        return problems, None, None
    need(meta["kind"] in KINDS, "kind")
    for k in ("input_size", "hidden_size", "num_layers"):
        need(meta[k].isdigit() and int(meta[k]) >= 1, k)
    for k in ("bidirectional", "bias", "batch_first"):
        need(meta[k] in ("true", "false"), k)
    need(meta["nonlinearity"] in (NONLINEARITIES if meta["kind"] == "rnn" else ("tanh",)), "nonlinearity")
    need(meta["stacking"] in ("concat", "separate"), "stacking")
    need(meta["dtype"] in ("F32", "F64"), "dtype")
    for k in ("atol", "rtol"):
        try:
            need(float(meta[k]) > 0, k)
        except ValueError:
            problems.append(k)
    if problems:
        return problems, None, None

    # T and B come from x; everything else from metadata.
    bf = meta["batch_first"] == "true"
    xs = tensors["x"][1].shape if "x" in tensors else None
    need(xs is not None and len(xs) == 3, "x missing or not rank 3")
    if problems:
        return problems, None, None
    T, B = (xs[1], xs[0]) if bf else (xs[0], xs[1])
    prefix = meta["nonlinearity"] if meta["kind"] == "rnn" else meta["kind"]
    case = Case((prefix, meta["bias"] == "true", meta["stacking"], int(meta["num_layers"]),
                 2 if meta["bidirectional"] == "true" else 1, meta["dtype"], bf, T, B,
                 int(meta["input_size"]), int(meta["hidden_size"])))
    want = case.expected_shapes()
    need(set(names) == set(want), "tensor set differs: extra %s missing %s"
         % (sorted(set(names) - set(want)), sorted(set(want) - set(names))))
    for n in names:
        dt, a = tensors[n]
        need(dt == meta["dtype"], "%s dtype %s" % (n, dt))
        if n in want:
            need(list(a.shape) == want[n], "%s shape %s, want %s" % (n, list(a.shape), want[n]))
        need(bool(np.all(np.isfinite(a))), "%s has non-finite values" % n)
    if not problems:
        need(os.path.basename(path) == case.name + ".safetensors", "file name does not match content")
    if problems:
        return problems, None, None

    # Numerical re-check from the stored inputs (the loop again, in float64), and the nn module
    # cross-check where one applies.
    def tm(n):
        a = tensors[n][1].astype(np.float64)
        return np.transpose(a, (1, 0, 2)) if bf and n in SEQ_TENSORS else a

    inputs = ["x", "grad_y"] + [s + "0" for s in case.states] + ["grad_%s_n" % s for s in case.states]
    values = {n: tm(n) for n in inputs + case.param_names()}
    out = run_with_grads(case, values, torch.float64)
    atol, rtol = float(meta["atol"]), float(meta["rtol"])
    worst = 0.0
    for n, a in out.items():
        if case.dtype == "F32":
            a = a.astype(np.float32).astype(np.float64)
        r = tol_ratio(a, tm(n), atol, rtol)
        worst = max(worst, r)
        need(r <= 1e-3, "%s: recomputation differs (ratio %g)" % (n, r))
    try:
        nn_err, _ = nn_disagreement(case, out, values)
    except AssertionError as ex:
        problems.append(str(ex))
        nn_err = None
    return problems, worst, nn_err


def verify_all():
    files = sorted(f for f in os.listdir(OUT_DIR) if f.endswith(".safetensors"))
    expected_names = sorted(Case(s).name + ".safetensors" for s in ALL_CASES)
    failures = 0
    total = 0
    cov = {}
    for f in files:
        path = os.path.join(OUT_DIR, f)
        total += os.path.getsize(path)
        try:
            problems, worst, nn_err = verify_file(path)
        except Exception as ex:  # noqa: BLE001 - report any reader failure as a problem
            problems, worst, nn_err = ["unreadable: %r" % (ex,)], None, None
        if os.path.getsize(path) >= MAX_FILE_BYTES:
            problems.append("file is %d bytes (>= %d)" % (os.path.getsize(path), MAX_FILE_BYTES))
        status = "ok" if not problems else "FAIL"
        print("%-4s %-62s %6d B  recompute-ratio %-7s nn %s" % (
            status, f, os.path.getsize(path), "-" if worst is None else "%.2g" % worst,
            "-" if nn_err is None else "%.1e" % nn_err))
        for p in problems:
            print("       " + p)
        failures += bool(problems)
        if not problems:
            meta = load(path).metadata
            kind = meta["kind"]
            for k in ("kind", "nonlinearity", "bias", "stacking", "num_layers", "bidirectional", "dtype",
                      "batch_first"):
                if k == "nonlinearity" and kind != "rnn":
                    continue
                cov.setdefault(kind, {}).setdefault(k, {}).setdefault(meta[k], 0)
                cov[kind][k][meta[k]] += 1
    if files != expected_names:
        print("FAIL file list differs from the case lists: extra %s missing %s"
              % (sorted(set(files) - set(expected_names)), sorted(set(expected_names) - set(files))))
        failures += 1
    print("%d files, %d bytes total, %d failing" % (len(files), total, failures))
    for kind in KINDS:
        for k, d in cov.get(kind, {}).items():
            print("  %-5s %-13s %s" % (kind, k, ", ".join("%s=%d" % kv for kv in sorted(d.items()))))
    return failures == 0


def main(argv):
    if "--verify" in argv:
        return 0 if verify_all() else 1
    os.makedirs(OUT_DIR, exist_ok=True)
    cases = [Case(s) for s in ALL_CASES]
    names = [c.name for c in cases]
    assert len(set(names)) == len(names), "duplicate case names"
    stats = []
    for c in cases:
        build_case(c, stats)
    for s in stats:
        print("%-62s %6d B  max|y| %7.3g  nn %-8s f32/f64-sim-ratio %-8s%s%s" % (
            s["name"], s["bytes"], s["max_abs_y"],
            "-" if s["nn_err"] is None else "%.1e" % s["nn_err"],
            "-" if s["sim_ratio"] is None else "%.2g" % s["sim_ratio"],
            "  atol=" + s["atol"] if s["atol"] == F32_LOOSE_ATOL else "",
            "  (reseeded x%d, min|pre| %.2g)" % (s["seed_attempt"], s["min_pre"]) if s["seed_attempt"] else ""))
    for kind in KINDS:
        ks = [s for s in stats if s["kind"] == kind]
        nn = [s["nn_err"] for s in ks if s["nn_err"] is not None]
        f64 = [s["sim_ratio"] for s in ks if s["dtype"] == "F64" and s["sim_ratio"] is not None]
        f32 = [s["sim_ratio"] for s in ks if s["dtype"] == "F32"]
        print("%-5s %3d cases, %7d bytes; nn cross-checked %d, worst loop-vs-nn %.1e; worst F64 nn/tolerance %.2g;"
              " worst F32 float32-run/tolerance %.2g" % (
                  kind, len(ks), sum(s["bytes"] for s in ks), len(nn), max(nn, default=0.0),
                  max(f64, default=0.0), max(f32, default=0.0)))
    digest = hashlib.sha256()
    for n in sorted(names):
        with open(os.path.join(OUT_DIR, n + ".safetensors"), "rb") as f:
            digest.update(f.read())
    print("%d cases written to %s, %d bytes, sha256 of all files %s"
          % (len(stats), os.path.relpath(OUT_DIR, REPO_ROOT), sum(s["bytes"] for s in stats),
             digest.hexdigest()[:16]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
