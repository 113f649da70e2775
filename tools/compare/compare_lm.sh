#!/usr/bin/env bash
# The language-model comparison: the same text (data/corpus.txt, see get_corpus.sh), the same 90/10 split,
# the same three minutes of wall-clock training on this machine, one program after the other:
#   rnn train (this library, default settings), the PyTorch char-RNN at its tuned settings, min-char-rnn.
# Validation bits per character are measured the same way for all three: one stream over the whole held-out
# part from a zero state. Run by hand from anywhere: tools/compare/compare_lm.sh [MINUTES]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
minutes="${1:-3}"
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

"${rnn[@]}" train "$corpus" --minutes "$minutes" --val-fraction 0.1 --out "$here/data/ours.safetensors" | tee "$logs/ours.log"
"${rnn[@]}" eval "$here/data/ours.safetensors" "$here/data/val.txt" --batch 1 --seq 1000000 | tee "$logs/ours-eval.log"
"$here/run_env.sh" /usr/bin/python3 "$here/torch_char_rnn.py" --minutes "$minutes" | tee "$logs/torch.log"
/usr/bin/python3 "$here/min_char_rnn.py" --minutes "$minutes" | tee "$logs/minchar.log"

ours=$(awk '/bits per character/ {print $NF}' "$logs/ours-eval.log")
torch=$(tail -n 1 "$logs/torch.log" | /usr/bin/python3 -c 'import json,sys; print("%.3f" % json.load(sys.stdin)["val_bpc"])')
minchar=$(tail -n 1 "$logs/minchar.log" | /usr/bin/python3 -c 'import json,sys; print("%.3f" % json.load(sys.stdin)["val_bpc"])')
echo
echo "| model ($minutes minutes, $(date -u +%F), $(nproc) cores) | validation bits per character |"
echo "|---|---|"
echo "| rnn train (defaults) | $ours |"
echo "| PyTorch char-RNN (tuned) | $torch |"
echo "| min-char-rnn (numpy) | $minchar |"
