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
# The device tool returns only a handful of files: pack the results into one archive beside the log.
(cd "$OUT" && tar czf results.tar.gz --exclude results.tar.gz --exclude device.log ./*.json ./*.txt ./*.log 2>/dev/null; \
  find . -maxdepth 1 -type f ! -name results.tar.gz ! -name device.log -delete)
