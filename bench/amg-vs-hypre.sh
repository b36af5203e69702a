#!/usr/bin/env bash
# Our AMG-PCG (CPU backend, 1 and 2 threads) against PETSc CG + hypre BoomerAMG (one core: Debian's hypre has no
# OpenMP) on the same matrices, b = A*1, to 1e-8 in the unpreconditioned 2-norm, in one run of this script.
# Usage: bench/amg-vs-hypre.sh [problem ...]   (default: the issue's 2D/3D Poisson and anisotropic sizes)
set -euo pipefail
cd "$(dirname "$0")/.."
problems=("$@")
if [ ${#problems[@]} -eq 0 ]; then
  problems=(poisson2d:256 poisson2d:1024 poisson2d:2048 poisson3d:32 poisson3d:64 poisson3d:128
            anisotropic2d:256,0.01 anisotropic2d:1024,0.01 anisotropic2d:2048,0.01)
fi
dotnet build src/Cli -c Release -v q -nologo > /dev/null
cli=(dotnet src/Cli/bin/Release/net10.0/Solvers.Cli.dll)
tmp=$(mktemp -d)
for t in 1 2; do
  "${cli[@]}" bench amg --problems "${problems[@]}" --compare none --threads "$t" --json > "$tmp/ours-$t.json"
done
bench/petsc/run.sh "${problems[@]}" --json > "$tmp/hypre.jsonl"
/usr/bin/python3 bench/petsc/side_by_side.py "$tmp/ours-1.json" "$tmp/ours-2.json" "$tmp/hypre.jsonl"
echo "raw results: $tmp"
