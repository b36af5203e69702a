#!/usr/bin/env bash
# Peer comparison on the Hock-Schittkowski equality-constrained problems: SciPy SLSQP, SciPy trust-constr and
# IPOPT (C interface via ctypes) from the C# side's starting points. Installs the apt packages when missing,
# runs the transcription self-check, then the peers. Extra arguments go to hs_peers.py, e.g.
#   bench/optimization/run-peers.sh --json /tmp/hs-peers.json --problems hs006,hs078 --repeats 5
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py=/usr/bin/python3   # the system interpreter, which has numpy/scipy; a python3 earlier on PATH may not

missing=()
for pkg in python3-sympy coinor-libipopt-dev; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "installing: ${missing[*]}" >&2
    $sudo apt-get update >&2
    $sudo apt-get install -y "${missing[@]}" >&2
fi
"$py" -c 'import numpy, scipy, sympy' || { echo "need numpy, scipy and sympy for $py" >&2; exit 1; }

echo "== self-check: f(x0), f(x*) - f*, max|c(x*)|, derivatives against central differences ==" >&2
"$py" "$here/hs_problems.py" >&2
echo "== peers ==" >&2
exec "$py" "$here/hs_peers.py" "$@"
