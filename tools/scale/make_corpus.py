#!/usr/bin/env python3
"""Writes a large text for measuring how training scales with the size of the corpus.

The text is made of the paragraphs of the given files (by default the README and the tutorial), drawn in a seeded
random order with a few words of each swapped with a neighbour, so that it never repeats with a short period and its
characters are those of the sources. Same arguments, same bytes.

    python3 tools/scale/make_corpus.py --bytes 1000000000 --out big.txt
    python3 tools/scale/make_corpus.py --bytes 1000000 --out small.txt
"""
import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def paragraphs(paths):
    found = []
    for path in paths:
        text = Path(path).read_text(encoding="utf-8").replace("\r\n", "\n")
        found.extend(p.strip("\n") for p in text.split("\n\n") if p.strip())
    return found


def perturbed(paragraph, rng):
    words = paragraph.split(" ")
    for _ in range(max(1, len(words) // 20)):
        if len(words) < 2:
            break
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bytes", type=int, required=True, help="size of the text to write, in bytes (UTF-8)")
    parser.add_argument("--out", required=True, help="the file to write")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("sources", nargs="*", default=[ROOT / "README.md", ROOT / "docs" / "tutorial.md"],
                        help="texts whose paragraphs are drawn (default: README.md and docs/tutorial.md)")
    args = parser.parse_args()
    if args.bytes <= 0:
        sys.exit("--bytes must be positive")
    rng = random.Random(args.seed)
    pool = paragraphs(args.sources)
    written = 0
    with open(args.out, "wb") as out:
        while written < args.bytes:
            block = bytearray()
            while len(block) < 1 << 20:
                block += (perturbed(rng.choice(pool), rng) + "\n\n").encode("utf-8")
            remaining = args.bytes - written
            if len(block) >= remaining:
                # The last block ends at its last paragraph break within the size: the text ends with a whole paragraph.
                block = block[:block.rfind(b"\n\n", 0, remaining - 1) + 2]
                out.write(block)
                written += len(block)
                break
            out.write(block)
            written += len(block)
    print(f"{args.out}: {written} bytes from {len(pool)} paragraphs")


if __name__ == "__main__":
    main()
