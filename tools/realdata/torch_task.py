#!/usr/bin/env python3
"""The PyTorch model a user would write instead of `rnn train --task classify|tag|forecast`, trained the same way.

It reads the same files in the same formats, and copies what the rnn command does where the result depends on it:
  model     classify, tag: nn.Embedding(V, E) -> nn.RNN/GRU/LSTM(E, H, bidirectional as asked) -> head -> nn.Linear;
            V is <unk> plus every character of the training texts (a character not in it reads as <unk>), E is
            min(H, 64) unless given. forecast: the window's columns -> the same recurrent layer -> its final state ->
            nn.Linear(H, K). PyTorch's own initialisation (which the rnn command copies).
  heads     mean: the mean of the top layer's outputs over the valid steps (both directions concatenated); final: the
            forward direction's state at the last valid step and the reverse direction's at the first (h_n). tag: the
            linear layer on every step's output.
  batches   B examples; each epoch shuffled, sorted by length within pools of 50 batches, the batches shuffled
            (the rnn command's bucketing); variable lengths packed (pack_padded_sequence), so padding is never run.
            forecast: B windows of T rows, shuffled each epoch.
  loss      mean cross-entropy over the examples (classify) or the valid tokens (tag); mean squared error of the
            z-scored targets (forecast), the scaling fitted on the training rows (population standard deviation).
  training  Adam (lr 0.004, betas 0.9/0.999, eps 1e-8); global gradient norm clipped at 5; the learning rate
            multiplied by 0.05 + 0.95 * (1 + cos(pi * f)) / 2, f the fraction of the time budget used; stops when the
            budget (wall clock, validation included) is spent. Validation every tenth of the budget (or every
            --eval-every steps, as the rnn command's option) and at the end;
            the parameters of the lowest validation loss are kept (the rnn command's .best file) and scored on test.
            --steps N trains N steps instead, the cosine following the steps (`rnn train --steps N`).
  split     classify, tag: --val (for the best checkpoint) and --test (reported) are files. forecast: the last
            --val-fraction of --trainval's rows validate (rounded to even, as the rnn command's split); --test is
            scored on every window whose target row it holds.
  metrics   as `rnn eval --json`: accuracy and macro-F1 (classify); token accuracy, per-tag F1 and conlleval span F1
            (tag); MAE, RMSE, MASE (scale: the one-step naive MAE of the training rows), naive and seasonal
            naive MAE (forecast).

The last line on standard output is one JSON object: {"task": ..., "metrics": {...}, "steps": ..., ...}.

usage: torch_task.py classify|tag --train F --val F --test F [--cell gru] [--hidden 128] [--bidirectional] [--head mean]
       torch_task.py forecast --trainval F --test F --target C --inputs C,C --seq T --horizon K --val-fraction f [--season m]
       common: --minutes M --batch 32 --lr 0.004 --clip 5 --seed 1 --threads 2
"""
import argparse, copy, csv, json, math, os, random, sys, time


# OpenBLAS sizes its pool when torch loads it: --threads must reach it first (tools/common/blas_threads.py).
sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import blas_threads  # noqa: E402
blas_threads.size_from_argv("2")
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

CELLS = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}


# ---------------------------------------------------------------- data

def read_lines(path):
    """The file's lines split at LF only, a final LF ending the last line (the rnn command's reading)."""
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def read_classify(path):
    out = []
    for line in read_lines(path):
        label, text = line.split("\t", 1)
        out.append((text, label.strip()))
    return out


def read_tag(path):
    sequences, tokens, tags = [], [], []
    for line in read_lines(path) + [""]:
        if line == "":
            if tokens:
                sequences.append((tokens, tags))
            tokens, tags = [], []
            continue
        token, tag = line.rsplit("\t", 1)
        tokens.append(token)
        tags.append(tag.strip())
    return sequences


class Vocabulary:
    def __init__(self, texts):
        self.tokens = ["<unk>"] + sorted({ch for t in texts for ch in t})
        self.ids = {ch: i for i, ch in enumerate(self.tokens)}

    def encode(self, text):
        ids = [self.ids.get(ch, 0) for ch in text]
        return ids or [0]


def batches(lengths, batch, rng, pool_batches=50):
    """One epoch of the rnn command's bucketing: shuffle, sort pools of 50 batches by length (longest first, stable),
    cut into batches, shuffle the batches."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    out = []
    pool = batch * pool_batches
    for start in range(0, len(order), pool):
        chunk = sorted(order[start:start + pool], key=lambda i: -lengths[i])
        out.extend(chunk[b:b + batch] for b in range(0, len(chunk), batch))
    rng.shuffle(out)
    return out


def padded(seqs):
    """[T, B] long tensor of sequences sorted longest first, and their lengths."""
    lengths = [len(s) for s in seqs]
    x = torch.zeros(lengths[0], len(seqs), dtype=torch.long)
    for b, s in enumerate(seqs):
        x[:len(s), b] = torch.tensor(s, dtype=torch.long)
    return x, torch.tensor(lengths, dtype=torch.long)


# ---------------------------------------------------------------- models

class TokenModel(nn.Module):
    def __init__(self, vocab, embedding, hidden, outputs, cell, bidirectional, head):
        super().__init__()
        self.emb = nn.Embedding(vocab, embedding)
        self.rnn = CELLS[cell](embedding, hidden, bidirectional=bidirectional)
        self.head = head
        self.out = nn.Linear(hidden * (2 if bidirectional else 1), outputs)

    def forward(self, x, lengths):            # x [T, B] sorted longest first
        packed = pack_padded_sequence(self.emb(x), lengths, enforce_sorted=True)
        y, h = self.rnn(packed)
        if self.head == "final":
            h = h[0] if isinstance(h, tuple) else h               # [D, B, H]
            return self.out(torch.cat(list(h), dim=1))
        y, _ = pad_packed_sequence(y)                              # [T, B, D*H], zeros past each length
        if self.head == "mean":
            return self.out(y.sum(0) / lengths.unsqueeze(1).to(y.dtype))
        return self.out(y)                                         # tag: [T, B, O]


class WindowModel(nn.Module):
    def __init__(self, inputs, hidden, horizon, cell, head):
        super().__init__()
        self.rnn = CELLS[cell](inputs, hidden)
        self.head = head
        self.out = nn.Linear(hidden, horizon)

    def forward(self, x):                     # [T, B, F]
        y, _ = self.rnn(x)
        return self.out(y[-1] if self.head == "final" else y.mean(0))


# ---------------------------------------------------------------- metrics (as the rnn command's Training/Metrics)

def class_scores(truth, predicted, labels):
    scores = []
    for c, label in enumerate(labels):
        tp = sum(1 for t, p in zip(truth, predicted) if t == c and p == c)
        support = sum(1 for t in truth if t == c)
        npred = sum(1 for p in predicted if p == c)
        precision = tp / npred if npred else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores.append({"label": label, "precision": precision, "recall": recall, "f1": f1, "support": support, "predicted": npred})
    return scores


def classification_metrics(truth, predicted, labels):
    scores = class_scores(truth, predicted, labels)
    present = [s for s in scores if s["support"] + s["predicted"] > 0]
    return {"count": len(truth), "accuracy": sum(t == p for t, p in zip(truth, predicted)) / len(truth),
            "macro_f1": sum(s["f1"] for s in present) / len(present), "per_class": scores}


def spans(tags):
    """conlleval's chunks of a BIO sequence (TagSpans.Find)."""
    def parse(tag):
        if tag == "O": return "O", ""
        if tag[:2] in ("B-", "I-"): return tag[0], tag[2:]
        return "I", tag
    out, start, prev = [], -1, ("O", "")
    for i, tag in enumerate(tags):
        cur = parse(tag)
        ends = prev[0] in "BI" and cur[0] in "BO" or prev[0] != "O" and prev[1] != cur[1]
        if start >= 0 and ends:
            out.append((start, i - 1, prev[1])); start = -1
        starts = cur[0] == "B" or (cur[0] == "I" and prev[0] == "O") or (cur[0] != "O" and cur[1] != prev[1])
        if starts: start = i
        prev = cur
    if start >= 0: out.append((start, len(tags) - 1, prev[1]))
    return out


def tagging_metrics(truth, predicted):
    true_spans = {(s, sp) for s, t in enumerate(truth) for sp in spans(t)}
    pred_spans = {(s, sp) for s, p in enumerate(predicted) for sp in spans(p)}
    correct = len(true_spans & pred_spans)
    precision = correct / len(pred_spans) if pred_spans else 0.0
    recall = correct / len(true_spans) if true_spans else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    flat_t = [x for t in truth for x in t]
    flat_p = [x for p in predicted for x in p]
    tags = sorted(set(flat_t) | set(flat_p))
    ids = {t: i for i, t in enumerate(tags)}
    tokens = classification_metrics([ids[t] for t in flat_t], [ids[p] for p in flat_p], tags)
    return {"tokens": len(flat_t), "token_accuracy": tokens["accuracy"], "per_tag": tokens["per_class"],
            "spans": {"label": "overall", "precision": precision, "recall": recall, "f1": f1, "support": len(true_spans)}}


def forecast_metrics(series, rows, predictions, horizon, season, training):
    """ForecastMetrics.Compute as `rnn eval` calls it: the MASE scale is the one-step naive MAE of the training rows."""
    scale = sum(abs(training[t] - training[t - 1]) for t in range(1, len(training))) / (len(training) - 1)
    n = len(rows)
    mae = sum(abs(series[r] - p) for r, p in zip(rows, predictions)) / n
    rmse = math.sqrt(sum((series[r] - p) ** 2 for r, p in zip(rows, predictions)) / n)
    naive = sum(abs(series[r] - series[r - horizon]) for r in rows) / n
    seasonal = None
    if season:
        lag = season * ((horizon + season - 1) // season)
        if all(r >= lag for r in rows):
            seasonal = sum(abs(series[r] - series[r - lag]) for r in rows) / n
    return {"count": n, "mae": mae, "rmse": rmse, "mase": mae / scale if scale else None, "scale": scale,
            "naive_mae": naive, "seasonal_naive_mae": seasonal}


# ---------------------------------------------------------------- training loop shared by the tasks

def train(model, train_step, validate, args):
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    budget = args.minutes * 60 if not args.steps else math.inf
    period = budget / 10
    best_loss, best_state, best_step, history = math.inf, None, 0, []
    step = epoch = 0
    start = time.perf_counter()
    next_eval = period

    def checkpoint():
        nonlocal best_loss, best_state, best_step
        loss = validate()
        history.append((step, round(time.perf_counter() - start, 1), loss))
        if loss < best_loss:
            best_loss, best_state, best_step = loss, copy.deepcopy(model.state_dict()), step

    done = False
    while not done:
        for batch in train_step.epoch(epoch):
            elapsed = time.perf_counter() - start
            if elapsed >= budget or args.steps and step >= args.steps:
                done = True
                break
            f = step / args.steps if args.steps else min(elapsed / budget, 1.0)
            for group in optimizer.param_groups:
                group["lr"] = args.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * f)))
            optimizer.zero_grad()
            loss = train_step(batch)
            loss.backward()
            if args.clip > 0:
                nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            optimizer.step()
            step += 1
            if (step % args.eval_every == 0) if args.eval_every > 0 else (time.perf_counter() - start >= next_eval):
                model.eval(); checkpoint(); model.train()
                next_eval = time.perf_counter() - start + period
        epoch += 1
    seconds = time.perf_counter() - start
    model.eval()
    if not history or history[-1][0] != step:
        checkpoint()
    model.load_state_dict(best_state)
    return {"steps": step, "epochs": epoch, "seconds": round(seconds, 1), "best_step": best_step,
            "best_val_loss": best_loss, "history": history}


class LabelledSteps:
    """Training batches and validation/prediction for classify and tag."""

    def __init__(self, model, seqs, targets, args, per_token):
        self.model, self.seqs, self.targets, self.args, self.per_token = model, seqs, targets, args, per_token
        self.lengths = [len(s) for s in seqs]

    def epoch(self, number):
        return batches(self.lengths, self.args.batch, random.Random(self.args.seed * 1_000_003 + number))

    def __call__(self, batch):
        batch = sorted(batch, key=lambda i: -self.lengths[i])
        x, lengths = padded([self.seqs[i] for i in batch])
        scores = self.model(x, lengths)
        if not self.per_token:
            return F.cross_entropy(scores, torch.tensor([self.targets[i] for i in batch]))
        y = torch.full((x.shape[0], len(batch)), -100, dtype=torch.long)
        for b, i in enumerate(batch):
            y[:lengths[b], b] = torch.tensor(self.targets[i])
        return F.cross_entropy(scores.reshape(-1, scores.shape[-1]), y.reshape(-1), ignore_index=-100)


@torch.no_grad()
def log_probabilities(model, seqs, per_token, batch=256):
    """Log-softmax of the head for each sequence, in input order (batches sorted by length, as for training)."""
    order = sorted(range(len(seqs)), key=lambda i: -len(seqs[i]))
    out = [None] * len(seqs)
    for start in range(0, len(order), batch):
        chunk = order[start:start + batch]
        x, lengths = padded([seqs[i] for i in chunk])
        scores = F.log_softmax(model(x, lengths), dim=-1)
        for b, i in enumerate(chunk):
            out[i] = scores[:lengths[b], b] if per_token else scores[b]
    return out


def labelled(args, per_token):
    torch.manual_seed(args.seed)
    if per_token:
        read = read_tag
        train_data, val_data, test_data = read(args.train), read(args.val), read(args.test)
        texts = ["".join(tokens) for tokens, _ in train_data]
        labels = sorted({t for _, tags in train_data for t in tags})
    else:
        train_data, val_data, test_data = read_classify(args.train), read_classify(args.val), read_classify(args.test)
        texts = [text for text, _ in train_data]
        labels = sorted({label for _, label in train_data})
    vocab = Vocabulary(texts)
    label_id = {label: i for i, label in enumerate(labels)}

    def encode(data):
        if per_token:
            return [vocab.encode(tokens) for tokens, _ in data], [[label_id[t] for t in tags] for _, tags in data]
        return [vocab.encode(text) for text, _ in data], [label_id[label] for _, label in data]

    (train_x, train_y), (val_x, val_y), (test_x, test_y) = encode(train_data), encode(val_data), encode(test_data)
    embedding = args.embedding or min(args.hidden, 64)
    head = "tag" if per_token else args.head
    model = TokenModel(len(vocab.tokens), embedding, args.hidden, len(labels), args.cell, args.bidirectional, head)
    steps = LabelledSteps(model, train_x, train_y, args, per_token)

    def validate():
        logp = log_probabilities(model, val_x, per_token)
        if per_token:
            total = sum(-lp[torch.arange(len(y)), torch.tensor(y)].sum().item() for lp, y in zip(logp, val_y))
            return total / sum(len(y) for y in val_y)
        return sum(-lp[y].item() for lp, y in zip(logp, val_y)) / len(val_y)

    run = train(model, steps, validate, args)
    logp = log_probabilities(model, test_x, per_token)
    if per_token:
        predicted = [[labels[i] for i in lp.argmax(-1).tolist()] for lp in logp]
        metrics = tagging_metrics([[labels[i] for i in y] for y in test_y], predicted)
    else:
        metrics = classification_metrics(test_y, [int(lp.argmax()) for lp in logp], labels)
    params = sum(p.numel() for p in model.parameters())
    return {"task": "tag" if per_token else "classify", "labels": labels, "vocabulary": len(vocab.tokens),
            "parameters": params, "metrics": metrics, **run}


# ---------------------------------------------------------------- forecasting

def read_columns(path, columns):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return {c: [float(r[c]) for r in rows] for c in columns}


def forecast(args):
    torch.manual_seed(args.seed)
    inputs = args.inputs.split(",") if args.inputs else [args.target]
    columns = list(dict.fromkeys(inputs + [args.target]))
    data = read_columns(args.trainval, columns)
    n, t_len, k = len(data[args.target]), args.seq, args.horizon
    val_rows = round(n * args.val_fraction)         # Python rounds halves to even, as the rnn command's split
    train_rows = n - val_rows
    scaling = {}
    for c in columns:
        xs = data[c][:train_rows]
        mean = sum(xs) / len(xs)
        std = math.sqrt(sum((x - mean) ** 2 for x in xs) / len(xs)) or 1.0
        scaling[c] = (mean, std)

    def windows(series):
        """Inputs [W, T, F] and targets [W, K] of every window, scaled; window w ends at row w + T - 1."""
        rows = len(series[args.target])
        z = {c: [(x - scaling[c][0]) / scaling[c][1] for x in series[c]] for c in columns}
        count = rows - t_len - k + 1
        x = torch.tensor([[[z[c][w + s] for c in inputs] for s in range(t_len)] for w in range(count)], dtype=torch.float32)
        y = torch.tensor([[z[args.target][w + t_len + j] for j in range(k)] for w in range(count)], dtype=torch.float32)
        return x, y

    x_all, y_all = windows(data)
    train_windows = train_rows - t_len - k + 1
    x_train, y_train, x_val, y_val = x_all[:train_windows], y_all[:train_windows], x_all[train_windows:], y_all[train_windows:]
    model = WindowModel(len(inputs), args.hidden, k, args.cell, args.head)

    class Steps:
        def epoch(self, number):
            order = list(range(train_windows))
            random.Random(args.seed * 1_000_003 + number).shuffle(order)
            return [order[i:i + args.batch] for i in range(0, len(order), args.batch)]

        def __call__(self, batch):
            return F.mse_loss(model(x_train[batch].transpose(0, 1)), y_train[batch])

    @torch.no_grad()
    def validate():
        return F.mse_loss(model(x_val.transpose(0, 1)), y_val).item()

    run = train(model, Steps(), validate, args)
    test = read_columns(args.test, columns)
    x_test, _ = windows(test)
    with torch.no_grad():
        z = model(x_test.transpose(0, 1))[:, -1].tolist()
    mean, std = scaling[args.target]
    predictions = [v * std + mean for v in z]
    rows = [t_len - 1 + k + w for w in range(len(predictions))]
    metrics = forecast_metrics(test[args.target], rows, predictions, k, args.season, data[args.target][:train_rows])
    params = sum(p.numel() for p in model.parameters())
    return {"task": "forecast", "horizon": k, "parameters": params, "train_windows": train_windows,
            "val_windows": len(x_val), "metrics": metrics, "predictions": predictions, **run}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("task", choices=["classify", "tag", "forecast"])
    p.add_argument("--train"); p.add_argument("--val"); p.add_argument("--test", required=True)
    p.add_argument("--trainval"); p.add_argument("--target"); p.add_argument("--inputs", default="")
    p.add_argument("--seq", type=int, default=24); p.add_argument("--horizon", type=int, default=1)
    p.add_argument("--val-fraction", type=float, default=0.05); p.add_argument("--season", type=int)
    p.add_argument("--cell", choices=sorted(CELLS), default="rnn"); p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--embedding", type=int, default=0); p.add_argument("--bidirectional", action="store_true")
    p.add_argument("--head", choices=["mean", "final"], help="default: mean (classify), final (forecast)")
    p.add_argument("--minutes", type=float, default=1.0); p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=0.004); p.add_argument("--clip", type=float, default=5.0)
    p.add_argument("--seed", type=int, default=1); p.add_argument("--threads", type=int, default=2)
    p.add_argument("--eval-every", type=int, default=0, help="steps between validations (0: every tenth of the budget)")
    p.add_argument("--steps", type=int, default=0, help="train this many steps instead of --minutes (the cosine follows the steps); needs --eval-every")
    args = p.parse_args()
    args.head = args.head or ("final" if args.task == "forecast" else "mean")
    if args.steps and not args.eval_every:
        p.error("--steps needs --eval-every")
    torch.set_num_threads(args.threads)
    if args.task == "forecast":
        if not (args.trainval and args.target):
            p.error("forecast needs --trainval and --target")
        result = forecast(args)
    else:
        if not (args.train and args.val):
            p.error(f"{args.task} needs --train, --val and --test")
        result = labelled(args, per_token=args.task == "tag")
    result.update({"model": "torch", "torch": torch.__version__, "threads": args.threads, "minutes": args.minutes,
                   "cell": args.cell, "hidden": args.hidden, "bidirectional": args.bidirectional, "head": args.head})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
