#!/usr/bin/env bash
# The bench_torch.py figures in README.md: every config, 1 then 2 threads, one process per config.
cd "$(dirname "$0")"
for th in 1 2; do
  ./run_env.sh /usr/bin/python3 bench_torch.py --threads $th \
    100,1,64,128,1,1 100,32,128,128,1,1 100,32,256,256,2,1 100,32,256,256,2,2 \
    50,64,512,512,1,1 100,32,1024,1024,1,1
  ./run_env.sh /usr/bin/python3 bench_torch.py --threads $th --lm --vocab 65 64,32,512,2
done
