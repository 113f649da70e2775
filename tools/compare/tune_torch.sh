#!/usr/bin/env bash
# The tuning queue behind the TUNING LOG in torch_char_rnn.py: 3-minute runs, one after another.
# Each line of data/logs/tune.jsonl is one run's final JSON (plus the load average at its start).
set -u
cd "$(dirname "$0")"
mkdir -p data/logs
run() {
  local la; la=$(cut -d' ' -f1 /proc/loadavg)
  local out; out=$(./run_env.sh /usr/bin/python3 torch_char_rnn.py --minutes "${MINUTES:-3}" "$@" 2>>data/logs/tune.err | tail -1)
  echo "{\"args\": \"$*\", \"loadavg_start\": $la, \"result\": $out}" | tee -a data/logs/tune.jsonl
}
if [ $# -gt 0 ]; then run "$@"; exit; fi
run --hidden 512 --layers 1 --seq 64 --batch 32 --lr 3e-3
run --hidden 256 --layers 1 --seq 64 --batch 32 --lr 3e-3
run --hidden 256 --layers 2 --seq 64 --batch 32 --lr 3e-3
run --hidden 384 --layers 1 --seq 64 --batch 32 --lr 3e-3
