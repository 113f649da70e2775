#!/usr/bin/env python3
"""min-char-rnn's algorithm (vanilla character RNN), numpy, with a wall-clock budget and a
validation split. Written from the algorithm's description:

  one-hot char input, hidden 100 tanh:  h_t = tanh(Wxh x_t + Whh h_{t-1} + bh)
  softmax output:                       p_t = softmax(Why h_t + by)
  loss: cross-entropy summed over a chunk of seq=25 chars, full BPTT within the chunk;
  hidden state carried across chunks (reset to zero when the pointer wraps to the start);
  gradients clipped elementwise to [-5, 5]; Adagrad, lr 0.1, eps 1e-8; weights ~ N(0, 0.01^2),
  biases 0; batch 1; float64.

The one-hot product Wxh @ x_t is done as a column lookup Wxh[:, ix] (and its gradient as a
column add), which is the same arithmetic without the multiply-by-zeros.

Validation (same definition as torch_char_rnn.py): the last 10% of the corpus, contiguous.
The RNN starts from h = 0, reads val[0..N-2] with carried state and predicts val[1..N-1];
val_bpc = mean cross-entropy in bits over those N-1 predictions.

Threads: the matrices are tiny (100x100, 76x100), so BLAS threads only add overhead. Measured on
the 2-core machine (15-second runs, 2026-11-27): OPENBLAS_NUM_THREADS=1 -> 17,456 chars/s,
=2 -> 7,007 chars/s. So the script sets 1 unless the variable is already set (it must be set
before numpy is imported).

Final line on stdout: {"model": "min-char-rnn", "val_bpc": ..., "steps": ..., "seconds": ..., ...}
"""
import argparse, json, math, os, resource, sys, time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", os.environ["OPENBLAS_NUM_THREADS"])
import numpy as np

from common import DEFAULT_CORPUS, load_split


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--minutes", type=float, default=3.0, help="training wall-clock budget")
    ap.add_argument("--hidden", type=int, default=100)
    ap.add_argument("--seq", type=int, default=25)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--log-every", type=int, default=10000)
    a = ap.parse_args()

    chars, train, val = load_split(a.corpus)
    V, H, S = len(chars), a.hidden, a.seq
    train = np.array(train, dtype=np.int64)
    rng = np.random.default_rng(a.seed)
    Wxh = rng.standard_normal((H, V)) * 0.01
    Whh = rng.standard_normal((H, H)) * 0.01
    Why = rng.standard_normal((V, H)) * 0.01
    bh = np.zeros(H); by = np.zeros(V)
    params = [Wxh, Whh, Why, bh, by]
    mem = [np.zeros_like(p) for p in params]
    print(f"vocab {V}, train {len(train)} chars, val {len(val)} chars, threads "
          f"{os.environ['OPENBLAS_NUM_THREADS']}", file=sys.stderr)

    hs = np.zeros((S + 1, H))          # hs[0] = carried state, hs[t+1] = state after input t
    ps = np.zeros((S, V))
    smooth = math.log(V) * S
    p, steps, h = 0, 0, np.zeros(H)
    budget = a.minutes * 60.0
    t0 = time.perf_counter()
    while True:
        if time.perf_counter() - t0 >= budget:
            break
        if p + S + 1 > len(train):
            p, h = 0, np.zeros(H)
        xs = train[p:p + S]; ys = train[p + 1:p + S + 1]
        # forward
        hs[0] = h
        for t in range(S):
            hs[t + 1] = np.tanh(Wxh[:, xs[t]] + Whh @ hs[t] + bh)
        logits = hs[1:] @ Why.T + by                     # (S, V)
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        ps[:] = e / e.sum(axis=1, keepdims=True)
        loss = -np.log(ps[np.arange(S), ys]).sum()
        # backward
        dy = ps.copy(); dy[np.arange(S), ys] -= 1.0      # (S, V)
        dWhy = dy.T @ hs[1:]; dby = dy.sum(axis=0)
        dhs = dy @ Why                                   # (S, H): output part of dL/dh_t
        dWxh = np.zeros_like(Wxh); dWhh = np.zeros_like(Whh); dbh = np.zeros(H)
        dhnext = np.zeros(H)
        draw_all = np.empty((S, H))
        for t in reversed(range(S)):
            draw = (1.0 - hs[t + 1] ** 2) * (dhs[t] + dhnext)
            draw_all[t] = draw
            dhnext = Whh.T @ draw
        dWhh = draw_all.T @ hs[:-1]
        dbh = draw_all.sum(axis=0)
        np.add.at(dWxh.T, xs, draw_all)                  # dWxh[:, xs[t]] += draw_t
        grads = [dWxh, dWhh, dWhy, dbh, dby]
        for prm, g, m in zip(params, grads, mem):
            np.clip(g, -5, 5, out=g)
            m += g * g
            prm -= a.lr * g / np.sqrt(m + 1e-8)
        h = hs[S].copy()
        p += S; steps += 1
        smooth = smooth * 0.999 + loss * 0.001
        if a.log_every and steps % a.log_every == 0:
            el = time.perf_counter() - t0
            print(f"step {steps} {el:.0f}s smooth train bpc {smooth / S / math.log(2):.3f}",
                  file=sys.stderr)
    seconds = time.perf_counter() - t0

    # validation: carried state over the whole validation part
    te = time.perf_counter()
    h = np.zeros(H); nll = 0.0
    for t in range(len(val) - 1):
        h = np.tanh(Wxh[:, val[t]] + Whh @ h + bh)
        z = Why @ h + by
        zm = z.max()
        nll += zm + math.log(np.exp(z - zm).sum()) - z[val[t + 1]]
    val_bpc = nll / (len(val) - 1) / math.log(2)
    ru = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"model": "min-char-rnn", "val_bpc": round(val_bpc, 4), "steps": steps,
                      "seconds": round(seconds, 1), "chars_per_s": round(steps * S / seconds),
                      "train_chars": steps * S, "epochs": round(steps * S / len(train), 3),
                      "hidden": H, "seq": S, "threads": int(os.environ["OPENBLAS_NUM_THREADS"]),
                      "eval_seconds": round(time.perf_counter() - te, 1),
                      "cpu_seconds_total": round(ru.ru_utime + ru.ru_stime, 1),
                      "loadavg_end": open("/proc/loadavg").read().split()[0]}))


if __name__ == "__main__":
    main()
