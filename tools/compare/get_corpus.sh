#!/usr/bin/env bash
# Reproduces tools/compare/data/corpus.txt: the full text of Jane Austen's "Emma" (1815),
# public domain, as shipped by the Debian package r-cran-janeaustenr (R data package by
# Julia Silge, MIT licence; texts from Project Gutenberg). About 0.87 MB of plain ASCII prose.
#
# The package's data is an R lazy-load data base; read_rdata.py (standard-library Python)
# decodes it, so R itself is NOT installed: the .deb is only downloaded and unpacked.
#
# usage: tools/compare/get_corpus.sh [BOOK...]
#   BOOK defaults to "emma"; others: prideprejudice persuasion sensesensibility
#   mansfieldpark northangerabbey (several are concatenated in the order given).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
py="${PYTHON:-/usr/bin/python3}"
books=("$@"); [ ${#books[@]} -gt 0 ] || books=(emma)
mkdir -p "$here/data"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
if ! ls /var/lib/apt/lists/*Packages* >/dev/null 2>&1; then apt-get update -qq; fi
apt-get download -qq r-cran-janeaustenr 2>/dev/null || { apt-get update -qq; apt-get download -qq r-cran-janeaustenr; }
dpkg-deb -x r-cran-janeaustenr_*.deb pkg
db=pkg/usr/lib/R/site-library/janeaustenr/data/Rdata
: > raw.txt
for b in "${books[@]}"; do "$py" "$here/read_rdata.py" "$db" "$b" >> raw.txt; printf '\n\n' >> raw.txt; done
# clean: strip trailing spaces, collapse 3+ newlines into one blank line, drop leading/trailing blank lines
"$py" - raw.txt "$here/data/corpus.txt" <<'PY'
import re, sys
t = open(sys.argv[1], encoding="utf-8").read()
t = "\n".join(l.rstrip() for l in t.split("\n"))
t = re.sub(r"\n{3,}", "\n\n", t).strip("\n") + "\n"
open(sys.argv[2], "w", encoding="utf-8").write(t)
PY
out="$here/data/corpus.txt"
echo "wrote $out: $(wc -c < "$out") bytes, $(LC_ALL=C tr -d '\n' < "$out" | fold -w1 | sort -u | wc -l) distinct non-newline chars, sha256 $(sha256sum "$out" | cut -c1-16)"
