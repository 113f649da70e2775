#!/usr/bin/env python3
"""PyTorch nn.RNN / nn.LSTM / nn.GRU speed reference for the speed comparison with the C# library.

For each config "T,B,I,H,L,D" (time steps, batch, input width, hidden, layers, directions) builds
nn.RNN(I, H, L, tanh, bidirectional=D==2) (or, with --cell lstm|gru, nn.LSTM / nn.GRU) in float32, a random x [T,B,I] and a fixed random G
shaped like the output [T,B,D*H], then times
  fwd_ms:   forward only, under torch.no_grad()
  train_ms: forward + backward of loss = (y * G).sum(), computing every parameter gradient and
            dX (x.requires_grad=True); gradients are cleared (set to None) between steps.
Each figure is the median of --steps steps (default 20, at least 10) after 3 warm-up steps.

--lm mode: config "T,B,H,L[,E]" + --vocab V: nn.Embedding(V, E) (E = H when left out) -> nn.RNN(H, H, L) (or the --cell) -> nn.Linear(H, V)
-> F.cross_entropy against random targets; train_ms = forward + backward (all parameter grads),
fwd_ms = forward + loss under no_grad.

--threads N sets torch.set_num_threads(N) and OPENBLAS_NUM_THREADS=N (the Debian torch build
does its GEMMs in OpenBLAS, whose pool size is read when the library loads).
Prints one JSON object per config per line:
  {"config": "...", "threads": n, "train_ms": ..., "fwd_ms": ..., "peak_rss_mb": ...}
peak_rss_mb is the process's peak resident set (resource.getrusage, ru_maxrss) after that
config, so it is cumulative over the configs run by one process: run one config per process
(the default when several configs are given: each runs in a fresh subprocess) for clean figures.

usage: bench_torch.py --threads 1 100,32,128,128,1,1 50,64,512,512,1,1
       bench_torch.py --threads 2 --cell lstm 100,32,128,128,1,1
       bench_torch.py --threads 2 --lm --vocab 65 64,32,512,2
"""
import argparse, json, os, subprocess, sys


def parse():
    ap = argparse.ArgumentParser()
    ap.add_argument("configs", nargs="+")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--cell", choices=["rnn", "lstm", "gru"], default="rnn")
    ap.add_argument("--lm", action="store_true")
    ap.add_argument("--vocab", type=int, default=65)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--same-process", action="store_true",
                    help="run all configs in this process (peak RSS becomes cumulative)")
    return ap.parse_args()


def median(xs):
    xs = sorted(xs); n = len(xs)
    return xs[n // 2] if n % 2 else 0.5 * (xs[n // 2 - 1] + xs[n // 2])


def run(a, cfg):
    import resource, time
    import torch, torch.nn as nn, torch.nn.functional as F
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    steps = max(a.steps, 10)
    v = [int(t) for t in cfg.split(",")]

    def recurrent(i, h, layers, bidirectional=False):
        if a.cell == "lstm": return nn.LSTM(i, h, layers, bidirectional=bidirectional)
        if a.cell == "gru": return nn.GRU(i, h, layers, bidirectional=bidirectional)
        return nn.RNN(i, h, layers, nonlinearity="tanh", bidirectional=bidirectional)
    if a.lm:
        T, B, H, L = v[:4]
        E = v[4] if len(v) > 4 else H
        V = a.vocab
        emb, rnn, out = nn.Embedding(V, E), recurrent(E, H, L), nn.Linear(H, V)
        params = list(emb.parameters()) + list(rnn.parameters()) + list(out.parameters())
        x = torch.randint(0, V, (T, B)); tgt = torch.randint(0, V, (T * B,))

        def fwd():
            y, _ = rnn(emb(x))
            return F.cross_entropy(out(y).reshape(T * B, V), tgt)
        name = f"lm V={V} T={T} B={B} E={E} H={H} L={L}"
    else:
        T, B, I, H, L, D = v
        rnn = recurrent(I, H, L, bidirectional=(D == 2))
        params = list(rnn.parameters())
        x = torch.randn(T, B, I, requires_grad=True)
        G = torch.randn(T, B, D * H)

        def fwd():
            y, _ = rnn(x)
            return (y * G).sum()
        name = f"T={T} B={B} I={I} H={H} L={L} D={D}"

    def train_step():
        for p in params: p.grad = None
        if not a.lm: x.grad = None
        loss = fwd()
        loss.backward()

    def fwd_step():
        with torch.no_grad():
            fwd()

    res = {}
    for key, fn in (("train_ms", train_step), ("fwd_ms", fwd_step)):
        for _ in range(a.warmup): fn()
        ts = []
        for _ in range(steps):
            t = time.perf_counter(); fn(); ts.append((time.perf_counter() - t) * 1e3)
        res[key] = round(median(ts), 3)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({"config": name, "args": cfg, "cell": a.cell, "threads": a.threads, **res,
                      "peak_rss_mb": round(rss, 1), "steps": steps, "torch": torch.__version__}),
          flush=True)


def main():
    a = parse()
    os.environ["OPENBLAS_NUM_THREADS"] = str(a.threads)
    os.environ.setdefault("OMP_NUM_THREADS", str(a.threads))
    if len(a.configs) > 1 and not a.same_process:
        base = [x for x in sys.argv[1:] if x not in a.configs]
        for cfg in a.configs:
            subprocess.run([sys.executable, os.path.abspath(__file__), *base, cfg], check=True)
        return
    for cfg in a.configs:
        run(a, cfg)


if __name__ == "__main__":
    main()
