#!/usr/bin/env bash
# Runs every program under examples/ (built beforehand, e.g. by `dotnet build Solvers.sln -c Release`) and
# reports each one's exit status and wall time. Each example checks its own result (a residual, an accuracy) and
# exits non-zero when it is wrong; examples whose data under ../shared/data is absent print "skipped" and exit 0.
# Fails when any example fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

examples=(HeatSimulation OptimalControl ReluBreastCancer MfacPruning MatrixMarketAmg)
summary=()
failed=0
for name in "${examples[@]}"; do
    echo "=== examples/${name}"
    start=$(date +%s.%N)
    # set -e would stop at the first failure; every example runs and the status is collected instead.
    set +e
    dotnet run --project "examples/${name}" -c Release --no-build
    status=$?
    set -e
    seconds=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
    if [ "$status" -eq 0 ]; then
        summary+=("  ${name}: ok (${seconds} s)")
    else
        summary+=("  ${name}: FAILED with exit status ${status} (${seconds} s)")
        failed=$((failed + 1))
    fi
done

echo "=== Examples"
printf '%s\n' "${summary[@]}"
echo "Examples: $(( ${#examples[@]} - failed )) passed, ${failed} failed"
[ "$failed" -eq 0 ]
