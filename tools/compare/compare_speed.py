#!/usr/bin/env python3
"""Side-by-side speed comparison: `rnn bench` (this library) and bench_torch.py (PyTorch nn.RNN, nn.LSTM or nn.GRU),
config by config, one process at a time, in one run, then the ratio table as Markdown, one block per cell.

Run by hand (never by CI), from the repository root, on an otherwise idle machine:
    dotnet build -c Release src/Rnn.Cli
    /usr/bin/python3 tools/compare/compare_speed.py            # all configs, 1 and 2 threads
    /usr/bin/python3 tools/compare/compare_speed.py --steps 10 --configs 100,32,128,128,1,1
    /usr/bin/python3 tools/compare/compare_speed.py --cell rnn lstm gru --rounds 2

For every config both sides run with 1 and with 2 threads; the table keeps each side's better thread count
(PyTorch under the environment of run_env.sh, as its own figures are taken). With --rounds N every (cell, config,
threads) pair is measured N times, the rounds interleaved (round 1 of everything, then round 2, ...), and each
side keeps its best round: on a shared machine a round hit by another job does not count against either side.
Train = forward + backward of sum(y * G); fwd = forward only. Ratios > 1 mean this library is faster.
"""
import argparse, json, os, subprocess, sys, datetime, platform

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CONFIGS = ["100,1,64,128,1,1", "100,32,128,128,1,1", "100,32,256,256,2,1", "100,32,256,256,2,2",
           "50,64,512,512,1,1", "100,32,1024,1024,1,1", "lm:64,32,512,2,64"]


def ours(cell, config, threads, steps):
    cli = os.path.join(ROOT, "src/Rnn.Cli/bin/Release/net10.0/Rnn.Cli.dll")
    if config.startswith("lm:"):
        t, b, h, l, *e = config[3:].split(",")   # lm:T,B,H,L[,E], E = H when left out
        args = ["--seq", t, "--batch", b, "--input", e[0] if e else h, "--hidden", h, "--layers", l, "--lm", "--vocab", "65"]
    else:
        t, b, i, h, l, d = config.split(",")
        args = ["--seq", t, "--batch", b, "--input", i, "--hidden", h, "--layers", l] + (["--bidirectional"] if d == "2" else [])
    out = subprocess.run(["dotnet", cli, "bench", *args, "--cell", cell, "--threads", str(threads), "--steps", str(steps), "--json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def torch(cell, config, threads, steps):
    cmd = [os.path.join(HERE, "run_env.sh"), "/usr/bin/python3", os.path.join(HERE, "bench_torch.py"),
           "--cell", cell, "--threads", str(threads), "--steps", str(steps)]
    cmd += ["--lm", "--vocab", "65", config[3:]] if config.startswith("lm:") else [config]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def better(a, b):
    """Per key, the faster of two measurements of the same thing (each a median of its steps)."""
    if a is None: return b
    return {k: (min(a[k], b[k]) if k in ("train_ms", "fwd_ms") else a[k]) for k in a}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--configs", nargs="+", default=CONFIGS)
    ap.add_argument("--cell", nargs="+", default=["rnn"], choices=["rnn", "lstm", "gru"])
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=1)
    a = ap.parse_args()
    rows = {(cell, config): {"config": config} for cell in a.cell for config in a.configs}
    for round in range(a.rounds):
        for cell in a.cell:
            for config in a.configs:
                r = rows[(cell, config)]
                for threads in (1, 2):
                    o, t = ours(cell, config, threads, a.steps), torch(cell, config, threads, a.steps)
                    r[f"ours{threads}"] = better(r.get(f"ours{threads}"), o)
                    r[f"torch{threads}"] = better(r.get(f"torch{threads}"), t)
                    print(json.dumps({"round": round, "cell": cell, "config": config, "threads": threads, "ours": o, "torch": t}),
                          file=sys.stderr, flush=True)

    print(f"Measured {datetime.date.today()} on {platform.machine()}, {os.cpu_count()} cores; median ms, best of {a.rounds} "
          f"interleaved round(s); each side at its better thread count (in brackets); ratio = PyTorch / Rnn.")
    for cell in a.cell:
        module = {"rnn": "nn.RNN", "lstm": "nn.LSTM", "gru": "nn.GRU"}[cell]
        print(f"\n**{cell}** (PyTorch {module}, `rnn bench --cell {cell}`)\n")
        print("| config T,B,I,H,L,D | PyTorch train | Rnn train | train ratio | PyTorch fwd | Rnn fwd | fwd ratio | Rnn alloc/step | peak RSS MB (PyTorch / Rnn) |")
        print("|---|---|---|---|---|---|---|---|---|")
        for config in a.configs:
            r = rows[(cell, config)]

            def best(side, key):
                return min((r[f"{side}{t}"][key], t) for t in (1, 2))
            tt, tth = best("torch", "train_ms"); ot, oth = best("ours", "train_ms")
            tf, tfh = best("torch", "fwd_ms"); of, ofh = best("ours", "fwd_ms")
            name = r["config"].replace("lm:", "char LM V=65, T,B,H,L,E = ")
            print(f"| {name} | {tt:.2f} [{tth}] | {ot:.2f} [{oth}] | {tt / ot:.2f}× | {tf:.2f} [{tfh}] | {of:.2f} [{ofh}] | {tf / of:.2f}× "
                  f"| {r['ours1'].get('alloc_bytes_per_train_step', '?')} B | {max(r['torch1']['peak_rss_mb'], r['torch2']['peak_rss_mb']):.0f} / "
                  f"{max(r['ours1']['peak_rss_mb'], r['ours2']['peak_rss_mb']):.0f} |")


if __name__ == "__main__":
    main()
