#!/usr/bin/env bash
# Peer benchmark: PETSc CG + hypre BoomerAMG on our model problems. Usage: bench/petsc/run.sh SPEC... [options]
# Installs Debian's petsc-dev, python3-petsc4py and python3-scipy when petsc4py is missing (needs root and apt).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY=/usr/bin/python3

if ! "$PY" -c 'import petsc4py, scipy' >/dev/null 2>&1; then
    echo "petsc4py or scipy missing: installing petsc-dev python3-petsc4py python3-scipy" >&2
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y petsc-dev python3-petsc4py python3-scipy >&2
fi

# OpenMPI refuses to start as root unless told otherwise; this is a single-process run.
export OMPI_ALLOW_RUN_AS_ROOT="${OMPI_ALLOW_RUN_AS_ROOT:-1}" OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="${OMPI_ALLOW_RUN_AS_ROOT_CONFIRM:-1}"
exec "$PY" "$here/hypre_amg.py" "$@"
