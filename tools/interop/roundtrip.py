#!/usr/bin/python3
"""PyTorch ⇄ Rnn interop cases, run by hand: /usr/bin/python3 tools/interop/roundtrip.py

Needs Debian's python3-torch and python3-numpy (apt-get install -y python3-torch python3-numpy); the safetensors
package is not needed: the format (u64 little-endian header length, JSON header, raw little-endian data) is read and
written by tools/common/safetensors_io.py.

1. PyTorch → Rnn: for each configuration, builds Embedding → RNN → Linear under one of the submodule names that
   `rnn import` recognises, and writes into tests/interop/
     <case>.weights.safetensors    model.state_dict(), float32, as a PyTorch user would save it
     <case>.expected.safetensors   tokens [T, B] (I64), h0 [L, B, H], and the float64 results of the same weights:
                                   logits [T, B, V] and h_n [L, B, H]; metadata: nonlinearity, text (whose characters
                                   make the character vocabulary, <unk> first)
   tests/Rnn.Tests/IO/PyTorchInteropTests.cs imports each and compares.
2. Rnn → PyTorch: loads tests/interop/csharp.model.safetensors (written by `rnn train`) into the same PyTorch module
   and checks that its logits and h_n on csharp.expected.safetensors' tokens and h0 equal the ones our C# computed
   and stored there. Prints the largest relative difference; exits 1 if it exceeds 1e-5.
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
    """Embedding → RNN → Linear with configurable submodule names, like the models people write."""

    def __init__(self, v, e, h, layers, nonlinearity, bias, names=("embedding", "rnn", "linear")):
        super().__init__()
        self.names = names
        setattr(self, names[0], nn.Embedding(v, e))
        setattr(self, names[1], nn.RNN(e, h, num_layers=layers, nonlinearity=nonlinearity, bias=bias))
        setattr(self, names[2], nn.Linear(h, v))

    def forward(self, tokens, h0):
        embedding, rnn, linear = (getattr(self, n) for n in self.names)
        y, h_n = rnn(embedding(tokens), h0)
        return linear(y), h_n


# name, layers, nonlinearity, bias, E, H, T, B, submodule names
CASES = [
    ("l1_tanh_bias", 1, "tanh", True, 5, 7, 9, 3, ("embedding", "rnn", "linear")),
    ("l2_relu_bias", 2, "relu", True, 6, 8, 10, 2, ("encoder", "rnn", "decoder")),
    ("l3_tanh_nobias", 3, "tanh", False, 4, 6, 8, 4, ("embed", "rnn", "fc")),
    ("l2_tanh_nobias", 2, "tanh", False, 7, 5, 12, 1, ("emb", "rnn", "head")),
    ("l3_relu_bias", 3, "relu", True, 5, 9, 7, 2, ("embedding", "rnn", "out")),
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


def relative(a, b):
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-30))


def check_csharp_model():
    tensors, metadata = read_safetensors(OUT / "csharp.model.safetensors")
    config = json.loads(metadata["config"])
    if config["nonlinearity"] not in ("tanh", "relu"):
        sys.exit(f"csharp.model.safetensors uses {config['nonlinearity']}, which nn.RNN does not offer")
    model = LanguageModel(config["vocab_size"], config["embedding_size"], config["hidden_size"],
                          config["num_layers"], config["nonlinearity"], config["bias"])
    # strict=True: our file must hold exactly PyTorch's parameter names and shapes.
    model.load_state_dict({k: torch.from_numpy(x) for k, x in tensors.items()}, strict=True)
    expected, _ = read_safetensors(OUT / "csharp.expected.safetensors")
    with torch.no_grad():
        logits, h_n = model(torch.from_numpy(expected["tokens"]), torch.from_numpy(expected["h0"]))
    errors = relative(logits.numpy(), expected["logits"]), relative(h_n.numpy(), expected["h_n"])
    print(f"csharp.model.safetensors in PyTorch: logits max relative difference {errors[0]:.2e}, h_n {errors[1]:.2e}")
    if max(errors) > 1e-5:
        sys.exit("PyTorch and C# disagree")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    make_cases()
    if (OUT / "csharp.model.safetensors").exists():
        check_csharp_model()
    else:
        print("no tests/interop/csharp.model.safetensors: see tests/interop/README.md for how it is made")
