#!/usr/bin/python3
"""Continue training an `rnn` model file (rnn, lstm or gru cell) in PyTorch with DistributedDataParallel.

Run by torchrun, one process per device (see tools/interop/README.md):

    torchrun --nproc_per_node 2 tools/interop/ddp_train.py MODEL.safetensors TEXT.txt --steps 100 --out OUT.safetensors

    # one machine with 8 GPUs: the same script, NCCL, one GPU per process
    torchrun --nproc_per_node 8 tools/interop/ddp_train.py MODEL TEXT --backend nccl --steps 10000 --out OUT

The model file gives the architecture (its `config`), the weights (loaded with strict=True) and the vocabulary (its
`vocab`): the text is encoded with that vocabulary, so the result keeps the ids `rnn` knows. Only character
vocabularies are read here (`rnn train --tokens char`, the default); characters the vocabulary lacks become <unk>.
The data follows `rnn train`: the text (read as UTF-8, BOM dropped, CR LF → LF) is cut into --batch contiguous
streams, walked in chunks of --seq tokens with the state carried between chunks (truncated BPTT). The streams are
shared out among the processes (--batch must be a multiple of the world size), DDP averages the gradients, so a step
is one step on the whole batch whatever the number of processes. Adam with a constant learning rate and global
gradient-norm clipping, as `rnn train --optimizer adam --lr-schedule constant --clip`.

Rank 0 writes OUT: an `rnn` model file (format rnn.language-model, version 1, the input's config and vocab, the
parameters in the input's dtype) that `rnn eval`, `rnn sample`, `rnn export` and `rnn import` read. It holds no
optimizer state: `rnn train --resume` starts from a checkpoint of its own, not from this file.

Needs python3-torch and python3-numpy only (safetensors is read and written by tools/common/safetensors_io.py).
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "common"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402
from roundtrip import LanguageModel  # noqa: E402

FORMAT = "rnn.language-model"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model", help="an rnn model file (rnn train, rnn import)")
    p.add_argument("text", help="the UTF-8 training text")
    p.add_argument("--out", required=True, help="the rnn model file to write")
    p.add_argument("--steps", type=int, default=100, help="optimizer steps (default 100)")
    p.add_argument("--seq", type=int, default=64, help="BPTT chunk length T (default 64)")
    p.add_argument("--batch", type=int, default=32, help="streams B over all processes (default 32)")
    p.add_argument("--lr", type=float, default=2e-3, help="Adam learning rate (default 0.002)")
    p.add_argument("--clip", type=float, default=5.0, help="global gradient-norm clip, 0 = off (default 5)")
    p.add_argument("--backend", default="gloo", choices=["gloo", "nccl"], help="gloo: CPU; nccl: one GPU per process")
    p.add_argument("--log-every", type=int, default=20, help="steps between loss lines (default 20)")
    return p.parse_args()


def load_model(path):
    tensors, metadata = read_safetensors(path)
    if metadata.get("format") != FORMAT:
        sys.exit(f"{path}: not an rnn model file (no format '{FORMAT}')")
    c = json.loads(metadata["config"])
    if c.get("cell", "rnn") == "rnn" and c["nonlinearity"] not in ("tanh", "relu"):
        sys.exit(f"{path}: the simple cell's {c['nonlinearity']} activation has no nn.RNN counterpart (tanh or relu)")
    model = LanguageModel(c["vocab_size"], c["embedding_size"], c["hidden_size"], c["num_layers"],
                          c["nonlinearity"], c["bias"], cell=c.get("cell", "rnn"), dropout=c.get("dropout", 0))
    params = {k: torch.from_numpy(x.astype(np.float32)) for k, x in tensors.items()
              if not k.startswith("optim.") and not k.startswith("train.")}
    model.load_state_dict(params, strict=True)
    return model, metadata, c


def encode(text_path, vocab_json):
    vocab = json.loads(vocab_json)
    if vocab["kind"] != "char":
        sys.exit(f"the model's vocabulary is of kind '{vocab['kind']}'; this script reads character vocabularies only")
    ids = {t: i for i, t in enumerate(vocab["tokens"])}
    text = Path(text_path).read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    return torch.tensor([ids.get(ch, 0) for ch in text], dtype=torch.long), sum(ch not in ids for ch in text)


def detach(state):
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def main():
    args = parse_args()
    dist.init_process_group(args.backend)
    rank, world = dist.get_rank(), dist.get_world_size()
    if args.batch % world:
        sys.exit(f"--batch {args.batch} is not a multiple of the {world} processes")
    device = torch.device(f"cuda:{int(os.environ['LOCAL_RANK'])}" if args.backend == "nccl" else "cpu")
    if device.type == "cuda":
        torch.cuda.set_device(device)

    model, metadata, config = load_model(args.model)
    tokens, unknown = encode(args.text, metadata["vocab"])
    # B contiguous streams, as rnn train lays them out; this process takes streams [rank·b, (rank+1)·b).
    b = args.batch // world
    per_stream = (len(tokens) - 1) // args.batch
    if per_stream < args.seq + 1:
        sys.exit(f"{args.text}: {len(tokens)} tokens are too few for {args.batch} streams of chunks of {args.seq}")
    streams = tokens[:args.batch * per_stream + 1]
    inputs = streams[:-1].view(args.batch, per_stream)[rank * b:(rank + 1) * b].t().contiguous()   # [N, b]
    targets = streams[1:].view(args.batch, per_stream)[rank * b:(rank + 1) * b].t().contiguous()

    model.to(device).train()
    ddp = DistributedDataParallel(model)
    optimizer = torch.optim.Adam(ddp.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()
    shape = (config["num_layers"], b, config["hidden_size"])
    zeros = lambda: torch.zeros(shape, device=device)  # noqa: E731
    cell = config.get("cell", "rnn")
    state = (zeros(), zeros()) if cell == "lstm" else zeros()
    if rank == 0:
        print(f"{args.model}: {cell} V={config['vocab_size']} H={config['hidden_size']} L={config['num_layers']}; "
              f"{len(tokens)} tokens ({unknown} unknown), {world} processes × {b} streams, backend {args.backend}")

    position, started, window, window_bits = 0, None, 0, 0.0
    for step in range(1, args.steps + 1):
        if position + args.seq > per_stream:
            position, state = 0, (zeros(), zeros()) if cell == "lstm" else zeros()   # an epoch ends: start over
        x = inputs[position:position + args.seq].to(device)
        y = targets[position:position + args.seq].to(device)
        position += args.seq
        logits, state = ddp(x, state)
        state = detach(state)
        loss = loss_fn(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()                                        # DDP all-reduces (averages) the gradients here
        if args.clip > 0:
            nn.utils.clip_grad_norm_(ddp.parameters(), args.clip)
        optimizer.step()
        if step == 1:
            started = time.perf_counter()                      # steps/s leaves out the first step's warm-up
        window += 1
        window_bits += loss.item() / np.log(2)
        if rank == 0 and (step % args.log_every == 0 or step == args.steps):
            print(f"step {step}: train {window_bits / window:.3f} bits/char (rank 0's streams)")
            window, window_bits = 0, 0.0

    if rank == 0:
        rate = (args.steps - 1) / (time.perf_counter() - started) if args.steps > 1 else float("nan")
        print(f"{args.steps} steps, {rate:.1f} steps/s after the first, {rate * args.batch * args.seq:.0f} tokens/s")
        dtype = np.float64 if metadata.get("dtype") == "F64" else np.float32
        tensors = [(k, v.detach().cpu().numpy().astype(dtype)) for k, v in model.state_dict().items()]
        keep = {k: metadata[k] for k in ("format", "format_version", "dtype", "config", "vocab") if k in metadata}
        write_safetensors(args.out, tensors, keep)
        print(f"wrote {args.out}")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
