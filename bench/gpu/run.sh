#!/usr/bin/env bash
# Runs on the GPU machine (device tool): unpacks the app from publish.sh, runs the CUDA tests and the GPU
# benchmarks, and leaves everything under $OUT. Usage: bash bench/gpu/run.sh [--tests-only|--bench-only]
set -uo pipefail
OUT=${OUT:-$(pwd)/device-out}
mkdir -p "$OUT"
nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1 || true
work=$(mktemp -d)
tar xzf .gpu/app.tar.gz -C "$work"
timeout 540 "$work/app/Solvers.DeviceCheck" "$OUT" "$@" 2>&1 | tee "$OUT/device.log"
echo "exit ${PIPESTATUS[0]}" >> "$OUT/device.log"
