#!/usr/bin/env python3
"""PyTorch character-level RNN language model with a wall-clock budget (the strong peer).

Model: nn.Embedding(V, E) -> nn.RNN(E, H, layers, tanh) (--cell lstm: nn.LSTM, --cell gru: nn.GRU)
-> nn.Linear(H, V); Adam;
clip_grad_norm_; truncated BPTT over --seq steps with --batch parallel streams: the training
part is cut into `batch` contiguous equal segments, stream b walks segment b, and its hidden state
is carried (detached) from one chunk to the next; at the end of the segments every stream wraps to
the start together and the state is reset to zero.

Split and metric are the same as min_char_rnn.py: the last 10% of the corpus (contiguous) is
validation; the RNN starts from h = 0, reads val[0..N-2] with carried state and predicts
val[1..N-1]; val_bpc = mean cross-entropy in bits over those N-1 predictions.

TUNING LOG (3-minute budget, 2-core machine, corpus = Emma, 794,566 train chars; val bpc after
3 min of training; see README for the commands and environment):
  All runs: 1 layer unless noted, embed 64, seq 64, batch 32, clip 1.0, --threads 2, 2026-11-27.
  The machine was shared with other sessions' dotnet builds/tests (load average 9-22 on 2 cores),
  so the process got only part of the CPU; "cpu s" is its CPU time (training + eval).
    hidden layers lr    schedule  steps  chars/s  val_bpc  cpu s  load
    512    1      3e-3  const       459    5215   2.0948   122    10-22
    256    1      3e-3  const       997   11293   2.0070   128    21-22
    256    2      3e-3  const       530    6023   2.0114   118    21
    384    1      3e-3  const       802    9120   1.9891   137    21-18
    384    1      4e-3  cosine     1242   14109   1.8573   235    9   <- best (now the defaults)
  The last run also had about twice the CPU of the others, so its gain mixes the schedule with
  the lighter load. Threads: a quick micro-benchmark (T64 B32 H512 train step) gave ~100-130 ms
  with OPENBLAS_NUM_THREADS=2 vs ~150-190 ms with 1, so --threads 2 (both pools) is the default.
  Not tried for lack of time: batch 64, seq 128, embed = hidden, dropout.

  nn.LSTM (--cell lstm), 1-minute probes, 2026-11-30, embed 64, seq 64, batch 32, Adam 4e-3 cosine, clip 1;
  other jobs held the machine (load average 9-13 on 2 cores), so read the steps as much as the bpc:
    hidden threads steps  chars/s  val_bpc  load
    512    2        249    8462   2.2422   9-13
    512    1        229    7806   2.2987   13-10
    384    2        579   19760   1.9797   10
  H 384 with 2 threads (the script's defaults) is the setting of the README's nn.LSTM rows.

Final line on stdout: {"model": "torch-char-rnn", "val_bpc": ..., "steps": ..., "seconds": ..., ...}
"""
import argparse, json, math, os, resource, sys, time


# OpenBLAS sizes its pool when torch loads it: --threads must reach it first (tools/common/blas_threads.py).
sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import blas_threads  # noqa: E402
blas_threads.size_from_argv("2")
import torch
import torch.nn as nn
import torch.nn.functional as F

from common import DEFAULT_CORPUS, load_split


class CharRNN(nn.Module):
    def __init__(self, V, E, H, L, dropout=0.0, cell="rnn"):
        super().__init__()
        self.cell, self.L, self.H = cell, L, H
        self.emb = nn.Embedding(V, E)
        d = dropout if L > 1 else 0.0
        if cell == "lstm":
            self.rnn = nn.LSTM(E, H, num_layers=L, dropout=d)
        elif cell == "gru":
            self.rnn = nn.GRU(E, H, num_layers=L, dropout=d)
        else:
            self.rnn = nn.RNN(E, H, num_layers=L, nonlinearity="tanh", dropout=d)
        self.out = nn.Linear(H, V)

    def zero_state(self, B):                      # h: [L, B, H]; the LSTM's state is (h, c)
        z = torch.zeros(self.L, B, self.H)
        return (z, torch.zeros_like(z)) if self.cell == "lstm" else z

    def forward(self, x, h):                      # x: [T, B] long
        y, h = self.rnn(self.emb(x), h)
        return self.out(y), h


def detach(h):
    return tuple(t.detach() for t in h) if isinstance(h, tuple) else h.detach()


@torch.no_grad()
def evaluate(model, val, chunk=4096):
    model.eval()
    h = model.zero_state(1)
    nll, n = 0.0, 0
    for s in range(0, len(val) - 1, chunk):
        x = val[s:s + chunk][: len(val) - 1 - s]
        y = val[s + 1:s + 1 + len(x)]
        logits, h = model(x.unsqueeze(1), h)
        nll += F.cross_entropy(logits.squeeze(1), y, reduction="sum").item()
        n += len(x)
    model.train()
    return nll / n / math.log(2), n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--minutes", type=float, default=3.0, help="training wall-clock budget")
    ap.add_argument("--cell", choices=["rnn", "lstm", "gru"], default="rnn",
                    help="nn.RNN (tanh), nn.LSTM or nn.GRU; the defaults of the other options are tuned for rnn")
    ap.add_argument("--hidden", type=int, default=384)
    ap.add_argument("--layers", type=int, default=1)
    ap.add_argument("--embed", type=int, default=64)
    ap.add_argument("--seq", type=int, default=64)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=4e-3)
    ap.add_argument("--clip", type=float, default=1.0, help="max global grad norm")
    ap.add_argument("--schedule", choices=["const", "cosine"], default="cosine",
                    help="cosine: lr decays to 5%% of --lr over the wall-clock budget")
    ap.add_argument("--dropout", type=float, default=0.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--log-every", type=int, default=200)
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    chars, train, val = load_split(a.corpus)
    V = len(chars)
    train = torch.tensor(train, dtype=torch.long)
    val = torch.tensor(val, dtype=torch.long)
    seg = len(train) // a.batch
    streams = train[: seg * a.batch].view(a.batch, seg).t().contiguous()   # [seg, B]

    model = CharRNN(V, a.embed, a.hidden, a.layers, a.dropout, a.cell)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    h = model.zero_state(a.batch)
    print(f"vocab {V}, train {len(train)}, val {len(val)}, params "
          f"{sum(p.numel() for p in model.parameters())}, threads {torch.get_num_threads()}",
          file=sys.stderr)

    budget = a.minutes * 60.0
    p, steps, smooth = 0, 0, None
    t0 = time.perf_counter()
    while True:
        el = time.perf_counter() - t0
        if el >= budget:
            break
        if a.schedule == "cosine":
            frac = min(el / budget, 1.0)
            for g in opt.param_groups:
                g["lr"] = a.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * frac)))
        if p + a.seq + 1 > seg:
            p, h = 0, model.zero_state(a.batch)
        x = streams[p:p + a.seq]; y = streams[p + 1:p + a.seq + 1]
        logits, h = model(x, h)
        h = detach(h)
        loss = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), a.clip)
        opt.step()
        p += a.seq; steps += 1
        lv = loss.item()
        smooth = lv if smooth is None else 0.98 * smooth + 0.02 * lv
        if a.log_every and steps % a.log_every == 0:
            print(f"step {steps} {time.perf_counter() - t0:.0f}s train bpc {smooth / math.log(2):.3f}",
                  file=sys.stderr)
    seconds = time.perf_counter() - t0

    te = time.perf_counter()
    val_bpc, n = evaluate(model, val)
    chars_seen = steps * a.seq * a.batch
    ru = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"model": "torch-char-rnn", "cell": a.cell, "val_bpc": round(val_bpc, 4), "steps": steps,
                      "seconds": round(seconds, 1), "chars_per_s": round(chars_seen / seconds),
                      "epochs": round(chars_seen / len(train), 2), "hidden": a.hidden,
                      "layers": a.layers, "embed": a.embed, "seq": a.seq, "batch": a.batch,
                      "lr": a.lr, "schedule": a.schedule, "clip": a.clip, "threads": a.threads,
                      "eval_seconds": round(time.perf_counter() - te, 1),
                      "cpu_seconds_total": round(ru.ru_utime + ru.ru_stime, 1),
                      "loadavg_end": open("/proc/loadavg").read().split()[0]}))


if __name__ == "__main__":
    main()
