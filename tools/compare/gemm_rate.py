#!/usr/bin/env python3
"""The machine's single-precision GEMM rate, ours and OpenBLAS's, for the README's share-of-peak figures.

Run by hand from the repository root after `dotnet build -c Release src/Rnn.Cli`:
    /usr/bin/python3 tools/compare/gemm_rate.py [--shapes M,N,K ...] [--rounds 2]
For each shape and 1 and 2 threads: `rnn bench --gemm M,N,K` (ours, B as given), `--prepacked` (ours, B packed
beforehand as the recurrent step's W_hh), and torch.mm in a fresh process under run_env.sh with
OPENBLAS_NUM_THREADS set (Debian's torch runs its GEMMs in OpenBLAS' sgemm). Each figure is the best of the
interleaved rounds of a median. Prints one JSON line per measurement, then a Markdown table of GFLOP/s.
"""
import argparse, json, os, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# A square product (the machine's rate), then the per-step products [B, H] × [H, G·H] of the large rows:
# 50,64,512,512 and 100,32,1024,1024 for the simple cell (G 1), GRU (G 3) and LSTM (G 4).
SHAPES = ["2048,2048,2048", "64,512,512", "64,1536,512", "64,2048,512", "32,1024,1024", "32,3072,1024", "32,4096,1024"]
TORCH = """
import sys, time, torch
m, n, k, threads = map(int, sys.argv[1:5])
torch.set_num_threads(threads)
a, b = torch.randn(m, k), torch.randn(k, n)
flops = 2.0 * m * n * k
repeat = max(1, int(1e8 / flops))
for _ in range(3): torch.mm(a, b)
ts = []
for _ in range(20):
    t = time.perf_counter()
    for _ in range(repeat): torch.mm(a, b)
    ts.append((time.perf_counter() - t) / repeat)
ts.sort()
print(flops / ts[len(ts) // 2] / 1e9)
"""


def ours(shape, threads, prepacked):
    cli = os.path.join(ROOT, "src/Rnn.Cli/bin/Release/net10.0/Rnn.Cli.dll")
    out = subprocess.run(["dotnet", cli, "bench", "--gemm", shape, "--threads", str(threads), "--steps", "20", "--json"]
                         + (["--prepacked"] if prepacked else []), check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["gflops"]


def openblas(shape, threads):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
    out = subprocess.run([os.path.join(HERE, "run_env.sh"), "/usr/bin/python3", "-c", TORCH, *shape.split(","), str(threads)],
                         check=True, capture_output=True, text=True, env=env).stdout
    return float(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shapes", nargs="+", default=SHAPES)
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args()
    best = {}
    for _ in range(a.rounds):
        for shape in a.shapes:
            for threads in (1, 2):
                for side, rate in (("ours", lambda: ours(shape, threads, False)), ("ours packed", lambda: ours(shape, threads, True)),
                                   ("OpenBLAS", lambda: openblas(shape, threads))):
                    r = rate()
                    best[(shape, threads, side)] = max(best.get((shape, threads, side), 0), r)
                    print(json.dumps({"shape": shape, "threads": threads, "side": side, "gflops": r}), file=sys.stderr, flush=True)
    print("| M,N,K | threads | ours GFLOP/s | ours, B prepacked | OpenBLAS sgemm (torch.mm) |")
    print("|---|---|---|---|---|")
    for shape in a.shapes:
        for threads in (1, 2):
            print(f"| {shape} | {threads} | {best[(shape, threads, 'ours')]:.1f} | {best[(shape, threads, 'ours packed')]:.1f} "
                  f"| {best[(shape, threads, 'OpenBLAS')]:.1f} |")


if __name__ == "__main__":
    main()
