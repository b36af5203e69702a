#!/usr/bin/env bash
# Issue 5's figures in one go: the peers (SciPy SLSQP, trust-constr, IPOPT) on the Hock-Schittkowski set, then
# `solvers bench newton` with their JSON merged side by side, the local-convergence plot, optimal control
# N = 32/64/128 (adaptive against fixed inner accuracy) and logistic regression on ../shared/data.
# Usage: bench/optimization/run.sh [OUTDIR]   (default bench/results; plots go to docs/img)
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-bench/results}"
stamp="$(date -u +%Y-%m-%d)"
mkdir -p "$out" docs/img
bench/optimization/run-peers.sh --json "$out/$stamp-hs-peers.json"
dotnet run --project src/Cli -c Release -- bench newton --peers "$out/$stamp-hs-peers.json" --plots docs/img --json > "$out/$stamp-bench-newton.json"
dotnet run --project src/Cli -c Release -- bench newton --peers "$out/$stamp-hs-peers.json" --inner minres --control 32 --logreg none
