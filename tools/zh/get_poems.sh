#!/usr/bin/env bash
# The Tang and Song poems of Debian's fortunes-zh (tang300, song100) as plain UTF-8 text for a Chinese language model:
# one poem line a line, a blank line between poems, titles and authors left out, the terminal colour codes stripped.
# The poems are public domain; the package is GPL, so it is fetched here, never committed.
#   tools/zh/get_poems.sh [OUT_DIR]     (default tools/zh/data) writes
#     poems.txt          every poem (about 29,000 Han characters)
#     poems-train.txt    nine poems in ten
#     poems-heldout.txt  every tenth poem (the 10th, 20th, …), held out for evaluation
# Needs apt-get and dpkg-deb (Debian, Ubuntu); apt-get download needs no root, but the package lists must be present
# ('apt-get update' once).
set -euo pipefail
out="${1:-$(dirname "$0")/data}"
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && apt-get -o APT::Sandbox::User=root download fortunes-zh >/dev/null)
dpkg-deb -x "$tmp"/fortunes-zh_*_all.deb "$tmp/pkg"
fortunes="$tmp/pkg/usr/share/games/fortunes"

# A fortune file separates its entries by lines holding only %. In these, an entry is a title line (《…》 or
# 题目:《…》), an author line (作者：… or 作者:…) and the poem's lines, each wrapped in ANSI colour codes.
sed 's/\x1b\[[0-9;]*m//g' "$fortunes/tang300" "$fortunes/song100" | tr -d '\r' | awk '
  /^%$/             { if (lines > 0) poems++; lines = 0; next }
  /^《|^题目|^作者/ { next }
  /^[[:space:]]*$/  { next }
  {
    sub(/^[[:space:]]+/, ""); sub(/[[:space:]]+$/, "")
    if (lines == 0 && poems > 0) print "" > ALL
    print > ALL
    file = (poems % 10 == 9) ? HELD : TRAIN
    if (lines == 0 && seen[file]++) print "" > file
    print > file
    lines++
  }' ALL="$out/poems.txt" TRAIN="$out/poems-train.txt" HELD="$out/poems-heldout.txt"

for f in poems.txt poems-train.txt poems-heldout.txt; do
  printf '%-18s %6d lines %8d characters\n' "$f" "$(wc -l < "$out/$f")" "$(wc -m < "$out/$f")"
done
