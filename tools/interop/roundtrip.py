#!/usr/bin/python3
"""PyTorch ⇄ Rnn interop cases, run by hand: /usr/bin/python3 tools/interop/roundtrip.py

Needs Debian's python3-torch and python3-numpy (apt-get install -y python3-torch python3-numpy); the safetensors
package is not needed: the format (u64 little-endian header length, JSON header, raw little-endian data) is read and
written by tools/common/safetensors_io.py.

1. PyTorch → Rnn: for each configuration, builds Embedding → RNN, LSTM or GRU → Linear under one of the submodule
   names that `rnn import` recognises, and writes into tests/interop/
     <case>.weights.safetensors    model.state_dict(), float32, as a PyTorch user would save it
     <case>.expected.safetensors   tokens [T, B] (I64), h0 [L, B, H] (LSTM: also c0), and the float64 results of the
                                   same weights: logits [T, B, V] and h_n [L, B, H] (LSTM: also c_n); metadata:
                                   nonlinearity, text (whose characters make the character vocabulary, <unk> first),
                                   and cell for the LSTM and GRU cases
   tests/Rnn.Tests/Interop/PyTorchInteropTests.cs imports each and compares.
2. Rnn → PyTorch: loads tests/interop/csharp.model.safetensors (written by `rnn train`) into the same PyTorch module
   and checks that its logits and h_n on csharp.expected.safetensors' tokens and h0 equal the ones our C# computed
   and stored there. Prints the largest relative difference; exits 1 if it exceeds 1e-5.
3. Rnn → PyTorch for the gated cells: loads csharp_<cell>.model.safetensors (written by `rnn train --cell <cell>`)
   with strict=True and writes csharp_<cell>.expected.safetensors: tokens, h0 (c0), and PyTorch's float64 logits
   and h_n (c_n) of the file's weights, which the C# tests compare with ours.
"""
import json
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "common"))
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402

OUT = ROOT / "tests" / "interop"
TEXT = "abcdefghijk"          # V = len(TEXT) + 1 tokens: <unk>, then these characters in code point order


class LanguageModel(nn.Module):
    """Embedding → RNN, LSTM or GRU → Linear with configurable submodule names, like the models people write.

    cell is "rnn", "lstm" or "gru", as in our model files' config; nonlinearity is used by the simple cell only;
    dropout (between layers, in training) as the config's.
    forward takes and returns the state as PyTorch's module does: h for rnn and gru, the pair (h, c) for lstm.
    """

    def __init__(self, v, e, h, layers, nonlinearity, bias, names=("embedding", "rnn", "linear"), cell="rnn",
                 dropout=0.0):
        super().__init__()
        self.names = names
        setattr(self, names[0], nn.Embedding(v, e))
        if cell == "rnn":
            recurrent = nn.RNN(e, h, num_layers=layers, nonlinearity=nonlinearity, bias=bias, dropout=dropout)
        else:
            recurrent = {"lstm": nn.LSTM, "gru": nn.GRU}[cell](e, h, num_layers=layers, bias=bias, dropout=dropout)
        setattr(self, names[1], recurrent)
        setattr(self, names[2], nn.Linear(h, v))

    def forward(self, tokens, state):
        embedding, rnn, linear = (getattr(self, n) for n in self.names)
        y, state_n = rnn(embedding(tokens), state)
        return linear(y), state_n


def from_model_file(path):
    """Our model file (any cell) as a LanguageModel with its weights, loaded with strict=True, and its metadata."""
    tensors, metadata = read_safetensors(path)
    c = json.loads(metadata["config"])
    model = LanguageModel(c["vocab_size"], c["embedding_size"], c["hidden_size"], c["num_layers"],
                          c["nonlinearity"], c["bias"], cell=c.get("cell", "rnn"))
    # strict=True: our file must hold exactly PyTorch's parameter names and shapes (training state aside).
    model.load_state_dict({k: torch.from_numpy(x) for k, x in tensors.items()
                           if not k.startswith("optim.") and not k.startswith("train.")}, strict=True)
    return model, metadata


# name, layers, nonlinearity, bias, E, H, T, B, submodule names
CASES = [
    ("l1_tanh_bias", 1, "tanh", True, 5, 7, 9, 3, ("embedding", "rnn", "linear")),
    ("l2_relu_bias", 2, "relu", True, 6, 8, 10, 2, ("encoder", "rnn", "decoder")),
    ("l3_tanh_nobias", 3, "tanh", False, 4, 6, 8, 4, ("embed", "rnn", "fc")),
    ("l2_tanh_nobias", 2, "tanh", False, 7, 5, 12, 1, ("emb", "rnn", "head")),
    ("l3_relu_bias", 3, "relu", True, 5, 9, 7, 2, ("embedding", "rnn", "out")),
]

# The gated cells, each with 1–3 layers and biases on and off: name, cell, layers, bias, E, H, T, B, submodule names.
# Seeds continue after CASES', so that adding these left the simple cases' files byte for byte as they were.
GATED_CASES = [
    (f"{cell}_l{layers}_{'bias' if bias else 'nobias'}", cell, layers, bias, 4 + layers, 5 + layers, 6 + layers,
     1 + (layers + bias) % 3, (("embedding", "rnn", "linear"), ("encoder", "rnn", "decoder"), ("emb", "rnn", "fc"))[layers - 1])
    for cell in ("lstm", "gru") for layers in (1, 2, 3) for bias in (True, False)
]


def make_cases():
    v = len(TEXT) + 1
    for seed, (name, layers, f, bias, e, h, t, b, names) in enumerate(CASES, start=1):
        torch.manual_seed(seed)
        model = LanguageModel(v, e, h, layers, f, bias, names)
        tokens = torch.randint(0, v, (t, b))
        h0 = 0.5 * torch.randn(layers, b, h)
        state = {k: x.detach().numpy().astype(np.float32) for k, x in model.state_dict().items()}
        write_safetensors(OUT / f"{name}.weights.safetensors", state, {"format": "pt"})
        with torch.no_grad():
            logits, h_n = model.double()(tokens, h0.double())
        write_safetensors(OUT / f"{name}.expected.safetensors", {
            "tokens": tokens.numpy().astype(np.int64),
            "h0": h0.numpy().astype(np.float32),
            "logits": logits.numpy(),
            "h_n": h_n.numpy(),
        }, {"nonlinearity": f, "text": TEXT})
        print(f"wrote {name}: V={v} E={e} H={h} L={layers} {f} bias={bias} T={t} B={b} names={names}")
    for seed, (name, cell, layers, bias, e, h, t, b, names) in enumerate(GATED_CASES, start=len(CASES) + 1):
        torch.manual_seed(seed)
        model = LanguageModel(v, e, h, layers, "tanh", bias, names, cell)
        tokens = torch.randint(0, v, (t, b))
        state = {k: x.detach().numpy().astype(np.float32) for k, x in model.state_dict().items()}
        write_safetensors(OUT / f"{name}.weights.safetensors", state, {"format": "pt"})
        inputs = {"tokens": tokens.numpy().astype(np.int64)}
        inputs.update(initial_state(cell, layers, b, h))
        outputs = run_double(model, cell, inputs)
        write_safetensors(OUT / f"{name}.expected.safetensors", {**inputs, **outputs},
                          {"nonlinearity": "tanh", "text": TEXT, "cell": cell})
        print(f"wrote {name}: V={v} E={e} H={h} L={layers} {cell} bias={bias} T={t} B={b} names={names}")


def initial_state(cell, layers, b, h):
    """h0 [L, B, H] and, for an LSTM, c0, drawn from the current torch seed."""
    state = {"h0": (0.5 * torch.randn(layers, b, h)).numpy().astype(np.float32)}
    if cell == "lstm":
        state["c0"] = (0.5 * torch.randn(layers, b, h)).numpy().astype(np.float32)
    return state


def run_double(model, cell, inputs):
    """PyTorch's float64 logits, h_n and (LSTM) c_n of the model's weights on the inputs."""
    h0 = torch.from_numpy(inputs["h0"]).double()
    state = (h0, torch.from_numpy(inputs["c0"]).double()) if cell == "lstm" else h0
    with torch.no_grad():
        logits, state_n = model.double()(torch.from_numpy(inputs["tokens"]), state)
    outputs = {"logits": logits.numpy()}
    if cell == "lstm":
        outputs["h_n"], outputs["c_n"] = state_n[0].numpy(), state_n[1].numpy()
    else:
        outputs["h_n"] = state_n.numpy()
    return outputs


def relative(a, b):
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-30))


def check_csharp_model():
    model, metadata = from_model_file(OUT / "csharp.model.safetensors")
    config = json.loads(metadata["config"])
    if config["nonlinearity"] not in ("tanh", "relu"):
        sys.exit(f"csharp.model.safetensors uses {config['nonlinearity']}, which nn.RNN does not offer")
    expected, _ = read_safetensors(OUT / "csharp.expected.safetensors")
    with torch.no_grad():
        logits, h_n = model(torch.from_numpy(expected["tokens"]), torch.from_numpy(expected["h0"]))
    errors = relative(logits.numpy(), expected["logits"]), relative(h_n.numpy(), expected["h_n"])
    print(f"csharp.model.safetensors in PyTorch: logits max relative difference {errors[0]:.2e}, h_n {errors[1]:.2e}")
    if max(errors) > 1e-5:
        sys.exit("PyTorch and C# disagree")


def write_gated_csharp_expected(cell):
    model, metadata = from_model_file(OUT / f"csharp_{cell}.model.safetensors")
    c = json.loads(metadata["config"])
    torch.manual_seed(100)
    inputs = {"tokens": torch.randint(0, c["vocab_size"], (11, 3)).numpy().astype(np.int64)}
    inputs.update(initial_state(cell, c["num_layers"], 3, c["hidden_size"]))
    write_safetensors(OUT / f"csharp_{cell}.expected.safetensors", {**inputs, **run_double(model, cell, inputs)},
                      {"cell": cell, "note": f"PyTorch's float64 results for csharp_{cell}.model.safetensors, loaded with strict=True"})
    print(f"csharp_{cell}.model.safetensors loads in PyTorch with strict=True; wrote csharp_{cell}.expected.safetensors")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    make_cases()
    if (OUT / "csharp.model.safetensors").exists():
        check_csharp_model()
    else:
        print("no tests/interop/csharp.model.safetensors: see tests/interop/README.md for how it is made")
    for gated in ("lstm", "gru"):
        if (OUT / f"csharp_{gated}.model.safetensors").exists():
            write_gated_csharp_expected(gated)
        else:
            print(f"no tests/interop/csharp_{gated}.model.safetensors: see tests/interop/README.md for how it is made")
