#!/usr/bin/env bash
# The real-data comparison: for each data set, `rnn train` + `rnn eval --json` and the PyTorch model of the same kind
# (torch_task.py), one right after the other, the same files, the same wall-clock budget, the same threads; then a
# markdown table of the test figures (table.py). Fetches and converts the data first when it is not there.
#
# usage: tools/realdata/compare.sh [--minutes 2] [--forecast-minutes 0.5] [--seeds "1 2 3"] [--every-epoch] [SET ...]
#   SET: spam names spaces sunspots macro (default: all). Classification and tagging run one seed (the first);
#   the forecasts, which are small and quick, run every seed and the table shows their mean.
#   --every-epoch: classification and tagging validate (and keep the best weights) after every epoch rather than every
#   tenth of the budget, both models (--eval-every); their runs are kept apart as SET-epoch and get rows of their own.
# Each run's files go to tools/realdata/data/runs/SET/ (git-ignored); table.py reads them, so running a few sets again
# updates their rows only.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
py=/usr/bin/python3
minutes=2 fminutes=0.5 seeds="1 2 3" every_epoch=0
sets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --forecast-minutes) fminutes="$2"; shift 2 ;;
    --seeds) seeds="$2"; shift 2 ;;
    --every-epoch) every_epoch=1; shift ;;
    -*) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
    *) sets+=("$1"); shift ;;
  esac
done
[ ${#sets[@]} -gt 0 ] || sets=(spam names spaces sunspots macro)
"$py" -c 'import torch' 2>/dev/null || { echo "compare.sh: $py has no torch (apt-get install -y python3-torch python3-numpy libopenblas0-pthread)" >&2; exit 3; }
command -v dotnet >/dev/null || { echo "compare.sh: dotnet is not on PATH" >&2; exit 3; }

data="$here/data"
for set in "${sets[@]}"; do
  case "$set" in
    spam|names) raw="$set" ;;
    spaces) raw=austen ;;
    sunspots|macro) raw=statsmodels ;;
    *) echo "compare.sh: unknown set '$set' (spam names spaces sunspots macro)" >&2; exit 2 ;;
  esac
  [ -f "$data/$set/facts.json" ] || { "$here/fetch.sh" "$raw" && "$py" "$here/convert.py" --only "$set"; }
done

dotnet build -c Release "$root/src/Rnn.Cli" >/dev/null
rnn=(dotnet "$root/src/Rnn.Cli/bin/Release/net10.0/Rnn.Cli.dll")
env=("$root/tools/compare/run_env.sh")
first_seed="${seeds%% *}"

fact() { "$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$data/$1/facts.json" "$2"; }

# pair NAME SEED TASK OURS_TRAIN_ARGS -- TORCH_ARGS: one comparison, ours then PyTorch, with the load average before each.
pair() {
  local name="$1" seed="$2" task="$3"; shift 3
  local ours=() torch=()
  while [ "$1" != "--" ]; do ours+=("$1"); shift; done; shift
  torch=("$@")
  local out="$data/runs/$name/seed$seed"
  rm -rf "$out"; mkdir -p "$out"
  echo "== $name, seed $seed: load $(cut -d' ' -f1-3 /proc/loadavg)"
  cut -d' ' -f1 /proc/loadavg > "$out/load-ours"
  local start=$SECONDS
  "${env[@]}" "${rnn[@]}" train "${ours[@]}" --seed "$seed" --out "$out/ours.safetensors" > "$out/ours-train.log"
  echo $((SECONDS - start)) > "$out/ours-seconds"
  tail -n 1 "$out/ours-train.log"
  local test="${TEST_FILE}" extra=()
  [ "$task" = forecast ] && extra=(--season "$SEASON")
  "${rnn[@]}" eval "$out/ours.best.safetensors" "$test" --json "${extra[@]}" > "$out/ours.json"
  cut -d' ' -f1 /proc/loadavg > "$out/load-torch"
  start=$SECONDS
  "${env[@]}" "$py" "$here/torch_task.py" "$task" "${torch[@]}" --seed "$seed" > "$out/torch.log"
  echo $((SECONDS - start)) > "$out/torch-seconds"
  tail -n 1 "$out/torch.log" > "$out/torch.json"
  "$py" -c 'import json,sys; r=json.load(open(sys.argv[1])); print("torch: %d steps, best at %d" % (r["steps"], r["best_step"]))' "$out/torch.json"
}

# every_epoch_of FILE: --eval-every with the training batches of one epoch (examples, or sequences, / 32), or nothing.
every_epoch_of() {
  [ "$every_epoch" = 1 ] || return 0
  "$py" - "$1" <<'PY'
import sys
text = open(sys.argv[1], encoding="utf-8", newline="").read()
n = len([b for b in text.split("\n\n") if b.strip()]) if sys.argv[1].endswith(".tags") else text.count("\n")
print("--eval-every", -(-n // 32))
PY
}
suffix=""; [ "$every_epoch" = 1 ] && suffix="-epoch"

for set in "${sets[@]}"; do
  d="$data/$set"
  case "$set" in
    spam|names)
      TEST_FILE="$d/test.tsv"
      model=(--cell gru --hidden 128 $(every_epoch_of "$d/train.tsv"))
      pair "$set$suffix" "$first_seed" classify "$d/train.tsv" --task classify --val-file "$d/val.tsv" "${model[@]}" --minutes "$minutes" \
        -- --train "$d/train.tsv" --val "$d/val.tsv" --test "$d/test.tsv" "${model[@]}" --minutes "$minutes" ;;
    spaces)
      TEST_FILE="$d/test.tags"
      for direction in uni bi; do
        model=(--cell gru --hidden 128 $(every_epoch_of "$d/train.tags")); [ $direction = bi ] && model+=(--bidirectional)
        pair "spaces-$direction$suffix" "$first_seed" tag "$d/train.tags" --task tag --val-file "$d/val.tags" "${model[@]}" --minutes "$minutes" \
          -- --train "$d/train.tags" --val "$d/val.tags" --test "$d/test.tags" "${model[@]}" --minutes "$minutes"
      done ;;
    sunspots|macro)
      TEST_FILE="$d/test.csv"
      SEASON="$(fact "$set" season)"
      target="$(fact "$set" target)"
      inputs="$("$py" -c 'import json,sys; print(",".join(json.load(open(sys.argv[1]))["inputs"]))' "$d/facts.json")"
      layout=(--target "$target" --inputs "$inputs" --seq "$(fact "$set" seq)" --horizon "$(fact "$set" horizon)")
      frac="$(fact "$set" val_fraction)"
      model=(--cell gru --hidden 32)
      for seed in $seeds; do
        pair "$set" "$seed" forecast "$d/trainval.csv" --task forecast "${layout[@]}" --val-fraction "$frac" "${model[@]}" --minutes "$fminutes" \
          -- --trainval "$d/trainval.csv" --test "$d/test.csv" "${layout[@]}" --val-fraction "$frac" --season "$SEASON" "${model[@]}" --minutes "$fminutes"
      done ;;
  esac
done

echo
"$py" "$here/table.py"
