#!/usr/bin/env bash
# Runs a command with the timing environment used for every figure in README.md:
# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset, glibc malloc kept from returning big buffers to the
# OS between steps, and passive OpenMP waiting (matters with 2 threads on 2 cores).
exec env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
  MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=1073741824 OMP_WAIT_POLICY=PASSIVE \
  "$@"
