#!/usr/bin/env bash
# Reference points in C (gcc -O3 -march=native, OpenMP): the STREAM-style triad and a plain CSR SpMV on the
# same 2D Poisson matrix. They tell whether a gap to STREAM is ours or the machine's. Usage: bash run.sh [threads]
set -euo pipefail
cd "$(dirname "$0")"
threads=${1:-2}
gcc -O3 -march=native -fopenmp triad.c -o /tmp/solvers-triad
gcc -O3 -march=native -fopenmp spmv.c -o /tmp/solvers-spmv
for round in 1 2 3; do
  OMP_NUM_THREADS=$threads /tmp/solvers-triad
  OMP_NUM_THREADS=$threads /tmp/solvers-spmv 1000
done
