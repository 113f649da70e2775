"""Shared corpus handling for the comparison peers: same vocabulary, same 90/10 split."""
import os

DEFAULT_CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "corpus.txt")


def load_split(path, val_frac=0.1):
    """Returns (chars, train_ids, val_ids). The vocabulary is the sorted set of characters of the
    whole file; validation is the last `val_frac` of the file, contiguous."""
    text = open(path, encoding="utf-8").read()
    chars = sorted(set(text))
    idx = {c: i for i, c in enumerate(chars)}
    ids = [idx[c] for c in text]
    n_train = len(ids) - int(len(ids) * val_frac)
    return chars, ids[:n_train], ids[n_train:]
