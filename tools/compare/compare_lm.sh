#!/usr/bin/env bash
# The language-model comparison: the same text (data/corpus.txt, see get_corpus.sh), the same 90/10 split,
# the same minutes of wall-clock training on this machine, one program after the other.
# Validation bits per character are measured the same way for all: one stream over the whole held-out
# part from a zero state.
#
# usage: tools/compare/compare_lm.sh [MINUTES] [ROW ...]
#   ROW  ours[:ARGS]    rnn train, its defaults plus ARGS       e.g. "ours:--cell lstm --hidden 512"
#        torch[:ARGS]   torch_char_rnn.py, its defaults plus ARGS  e.g. "torch:--cell lstm --hidden 512 --lr 3e-3"
#        minchar        min_char_rnn.py (numpy, one BLAS thread)
#   Without rows: ours torch minchar. Rows run one after another, in the order given; the table at the end
#   has one line per row with its settings, validation bpc, steps, the CPU seconds it got and the load average
#   before and after it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
minutes="${1:-3}"
shift || true
rows=("$@"); [ ${#rows[@]} -gt 0 ] || rows=(ours torch minchar)
corpus="$here/data/corpus.txt"
[ -f "$corpus" ] || "$here/get_corpus.sh"
logs="$here/data/logs"; mkdir -p "$logs"
/usr/bin/python3 - "$corpus" "$here/data/val.txt" <<'PY'
import sys
t = open(sys.argv[1], encoding="utf-8").read()
open(sys.argv[2], "w", encoding="utf-8").write(t[len(t) - int(len(t) * 0.1):])
PY
dotnet build -c Release "$root/src/Rnn.Cli" >/dev/null
rnn=(dotnet "$root/src/Rnn.Cli/bin/Release/net10.0/Rnn.Cli.dll")
json() { tail -n 1 "$1" | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)$2)"; }
loadavg() { cut -d' ' -f1 /proc/loadavg; }
# CPU seconds (user + system) used by the children of this shell so far: a row's share of the machine is the
# difference before and after it (other jobs on the machine take the rest)
# (`times` must run in this shell, not in a command substitution, to see its children)
cpu() { tail -n 1 "$1" | /usr/bin/python3 -c 'import re,sys; print(sum(float(m) * 60 + float(s) for m, s in re.findall(r"(\d+)m([\d.]+)s", sys.stdin.read())))'; }

table=()
n=0
for row in "${rows[@]}"; do
  n=$((n + 1))
  kind="${row%%:*}"; args=""; [ "$kind" = "$row" ] || args="${row#*:}"
  read -r -a extra <<< "$args"
  log="$logs/row$n-$kind.log"
  before=$(loadavg); times > "$logs/times0"
  case "$kind" in
    ours)
      model="$here/data/ours$n.safetensors"
      "${rnn[@]}" train "$corpus" --minutes "$minutes" --val-fraction 0.1 --out "$model" "${extra[@]}" | tee "$log"
      # --seq only cuts the single stream into chunks (the state is carried): the figure is that of one pass
      "${rnn[@]}" eval "$model" "$here/data/val.txt" --batch 1 --seq 1000 | tee "$log.eval"
      bpc=$(awk '/bits per character/ {print $NF}' "$log.eval")
      steps=$(tail -n 1 "$log" | sed -n 's/^step \([0-9]*\):.*/\1/p')
      name="rnn train ${args:-(defaults)}"
      ;;
    torch)
      "$here/run_env.sh" /usr/bin/python3 "$here/torch_char_rnn.py" --minutes "$minutes" "${extra[@]}" | tee "$log"
      bpc=$(json "$log" '["val_bpc"]'); steps=$(json "$log" '["steps"]')
      name="PyTorch $(json "$log" '["cell"]'): H $(json "$log" '["hidden"]'), L $(json "$log" '["layers"]'), E $(json "$log" '["embed"]'), T $(json "$log" '["seq"]'), B $(json "$log" '["batch"]'), Adam $(json "$log" '["lr"]') $(json "$log" '["schedule"]'), clip $(json "$log" '["clip"]'), $(json "$log" '["threads"]') threads"
      ;;
    minchar)
      /usr/bin/python3 "$here/min_char_rnn.py" --minutes "$minutes" "${extra[@]}" | tee "$log"
      bpc=$(json "$log" '["val_bpc"]'); steps=$(json "$log" '["steps"]')
      name="min-char-rnn (numpy) ${args}"
      ;;
    *) echo "compare_lm.sh: unknown row '$row' (ours[:ARGS], torch[:ARGS], minchar)" >&2; exit 2 ;;
  esac
  times > "$logs/times1"
  seconds=$(/usr/bin/python3 -c "print(round($(cpu "$logs/times1") - $(cpu "$logs/times0")))")
  table+=("| $name | $(printf '%.3f' "$bpc") | $steps | $seconds | $before → $(loadavg) |")
done

echo
echo "$minutes minutes of training each, $(date -u +%F), $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) cores"
echo
echo "| model, $minutes minutes of training | validation bpc | steps | CPU seconds (training + evaluation) | load average (before → after) |"
echo "|---|---|---|---|---|"
printf '%s\n' "${table[@]}"
