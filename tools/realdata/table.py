#!/usr/bin/env python3
"""Prints the markdown table of the real-data comparison from the runs compare.sh left in data/runs.

Each row is one data set and model; the figures are on the test part, ours from `rnn eval --json` of the best
checkpoint, PyTorch's from torch_task.py (the same definitions). Forecast figures are the mean over the seeds run.
"""
import glob, json, os, re, statistics

HERE = os.path.dirname(os.path.abspath(__file__))
RUNS = os.path.join(HERE, "data", "runs")


def load(name):
    """Per seed: ours (eval JSON + steps), torch (its JSON), load averages and seconds."""
    out = []
    for folder in sorted(glob.glob(os.path.join(RUNS, name, "seed*"))):
        try:
            with open(os.path.join(folder, "ours.json")) as f:
                ours = json.load(f)
            with open(os.path.join(folder, "torch.json")) as f:
                torch = json.load(f)
        except (OSError, ValueError):
            continue
        with open(os.path.join(folder, "ours-train.log")) as f:
            last = [l for l in f if l.startswith("step ") and ":" in l.split()[1]][-1]
        ours["steps"] = int(last.split()[1].rstrip(":"))
        read = lambda n: open(os.path.join(folder, n)).read().strip()
        out.append({"ours": ours, "torch": torch, "load": (float(read("load-ours")), float(read("load-torch"))),
                    "seconds": (int(read("ours-seconds")), int(read("torch-seconds")))})
    return out


def facts(name):
    with open(os.path.join(HERE, "data", name, "facts.json")) as f:
        return json.load(f)


def f3(x):
    return "–" if x is None else f"{x:.3f}"


def tag_f1(metrics, tag):
    return next((s["f1"] for s in metrics["per_tag"] if s["label"] == tag), 0.0)


def main():
    rows, loads = [], []
    header = "| data (test part) | model, same for both | metric | `rnn` | PyTorch | steps `rnn` / PyTorch |"
    every = lambda variant: ", validated every epoch" if variant else ""
    for base, title in (("spam", "SpamAssassin, spam vs ham"), ("names", "first names, female vs male")):
      for variant in ("", "-epoch"):
        runs = load(base + variant)
        if not runs: continue
        r = runs[0]; o, t = r["ours"]["metrics"], r["torch"]["metrics"]
        fa = facts(base)
        rows.append(f"| {title} ({fa['test']:,} {'mails' if base == 'spam' else 'names'}) | GRU H 128, mean head{every(variant)} | accuracy / macro-F1 "
                    f"| {f3(o['accuracy'])} / {f3(o['macro_f1'])} | {f3(t['accuracy'])} / {f3(t['macro_f1'])} | {r['ours']['steps']:,} / {r['torch']['steps']:,} |")
        loads += r["load"]
    for name, model in ((n + v, m + every(v)) for v in ("", "-epoch")
                        for n, m in (("spaces-uni", "GRU H 128, one direction"), ("spaces-bi", "GRU H 128, bidirectional"))):
        runs = load(name)
        if not runs: continue
        r = runs[0]; o, t = r["ours"]["metrics"], r["torch"]["metrics"]
        fa = facts("spaces")
        cell = lambda m: f"{f3(m['token_accuracy'])} / {f3(tag_f1(m, 'B-W'))} / {f3(m['spans']['f1'])}"
        rows.append(f"| Persuasion without spaces ({fa['test_chars']:,} characters) | {model} | accuracy / F1 of B-W / word F1 "
                    f"| {cell(o)} | {cell(t)} | {r['ours']['steps']:,} / {r['torch']['steps']:,} |")
        loads += r["load"]
    for name, title, model in (("sunspots", "yearly sunspots", "GRU H 32, T 22"), ("macro", "US real GDP growth, 6 inputs", "GRU H 32, T 8")):
        runs = load(name)
        if not runs: continue
        fa = facts(name)
        mean = lambda who, key: statistics.mean(r[who]["metrics"][key] for r in runs)
        cell = lambda who: f"{mean(who, 'mae'):.4g} / {mean(who, 'rmse'):.4g} / {mean(who, 'mase'):.3f}"
        m0 = runs[0]["ours"]["metrics"]
        steps = lambda who: round(statistics.mean(r[who]["steps"] for r in runs))
        rows.append(f"| {title} ({fa['test_from']}–{fa['last']}, {fa['test_rows']} forecasts) | {model} | MAE / RMSE / MASE, "
                    f"mean of {len(runs)} seeds | {cell('ours')} | {cell('torch')} | {steps('ours'):,} / {steps('torch'):,} |")
        rows.append(f"| | naive (last value) / seasonal naive (season {fa['season']}) | MAE | {m0['naive_mae']:.4g} / {f3(m0['seasonal_naive_mae']) if m0['seasonal_naive_mae'] is None else format(m0['seasonal_naive_mae'], '.4g')} | | |")
        for r in runs:
            loads += r["load"]
    if not rows:
        print("no runs yet: tools/realdata/compare.sh")
        return
    print(header)
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))
    if loads:
        print(f"\nload average (1 min) at the start of each run: {min(loads):.1f}–{max(loads):.1f}")
    for name in ("spam", "names", "spaces-uni", "spaces-bi", "sunspots", "macro"):
        for i, r in enumerate(load(name)):
            per = r["ours"]["metrics"]
            if "mae" in per:
                print(f"  {name} seed {i + 1}: MAE rnn {per['mae']:.4g}, PyTorch {r['torch']['metrics']['mae']:.4g}")


if __name__ == "__main__":
    main()
