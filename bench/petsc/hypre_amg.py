#!/usr/bin/python3
"""Peer benchmark: PETSc CG preconditioned with hypre BoomerAMG on the same matrices our library solves.

Run with /usr/bin/python3 (it needs numpy, scipy and petsc4py from Debian's packages), or through run.sh.

    hypre_amg.py SPEC [SPEC ...] [--rtol 1e-8] [--repeat 2] [--config default|tuned|both] [--json]
                 [--timeout SECONDS] [--view]

SPEC is poisson2d:N, poisson3d:N, anisotropic2d:N,eps, or a Matrix Market file (.mtx).
b = A * ones, x0 = 0, CG stopped on the unpreconditioned residual ||b - Ax|| <= rtol ||b||.
setupSeconds times ksp.setUp() (conversion to hypre's matrix and the BoomerAMG hierarchy); solveSeconds
times ksp.solve(b, x). Each is the best over --repeat runs, each run with a fresh KSP/PC.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time

import numpy as np
import scipy.io
import scipy.sparse as sp

import petsc4py

petsc4py.init([])  # ignore our own command line: PETSc options are set explicitly below
from petsc4py import PETSc  # noqa: E402

CONFIGS = ("default", "tuned")

# Options of the "tuned" config (without the leading '-'); the strong threshold depends on the dimension.
TUNED_OPTIONS = {
    "pc_hypre_boomeramg_coarsen_type": "HMIS",
    "pc_hypre_boomeramg_interp_type": "ext+i",
    "pc_hypre_boomeramg_P_max": "4",
    "pc_hypre_boomeramg_agg_nl": "1",
}
STRONG_THRESHOLD = {2: "0.25", 3: "0.5"}
ALL_OPTION_NAMES = list(TUNED_OPTIONS) + ["pc_hypre_boomeramg_strong_threshold", "pc_hypre_type", "pc_type"]


# ----------------------------------------------------------------------------------------------- matrices

def _second_difference(n, weight=1.0):
    """tridiag(-w, 2w, -w) of order n: the 1D Dirichlet Laplacian times w."""
    e = np.ones(n)
    return sp.diags([-weight * e[:-1], 2.0 * weight * e, -weight * e[:-1]], [-1, 0, 1], format="csr")


def _finish(a):
    a = sp.csr_matrix(a, dtype=np.float64)
    a.sum_duplicates()
    a.eliminate_zeros()
    a.sort_indices()
    return a


def poisson2d(n):
    # Index i*n + j, j (x) fastest: kron(I, T) couples j±1 inside a grid row, kron(T, I) couples rows (±n).
    i = sp.identity(n, format="csr")
    t = _second_difference(n)
    a = _finish(sp.kron(i, t) + sp.kron(t, i))
    _check_nnz(a, 5 * n * n - 4 * n, f"poisson2d:{n}")
    _check_diag(a, 4.0)
    return a


def anisotropic2d(n, eps):
    # -u_xx - eps u_yy: -1 to the x-neighbours (±1), -eps to the y-neighbours (±n), diagonal 2 + 2 eps.
    i = sp.identity(n, format="csr")
    a = _finish(sp.kron(i, _second_difference(n)) + sp.kron(_second_difference(n, eps), i))
    _check_nnz(a, 5 * n * n - 4 * n, f"anisotropic2d:{n},{eps}")
    _check_diag(a, 2.0 + 2.0 * eps)
    return a


def poisson3d(n):
    # Index (i*n + j)*n + l: neighbours at ±1 (l), ±n (j), ±n^2 (i).
    i = sp.identity(n, format="csr")
    t = _second_difference(n)
    a = _finish(sp.kron(sp.kron(i, i), t) + sp.kron(sp.kron(i, t), i) + sp.kron(sp.kron(t, i), i))
    _check_nnz(a, 7 * n ** 3 - 6 * n * n, f"poisson3d:{n}")
    _check_diag(a, 6.0)
    return a


def _check_nnz(a, expected, name):
    if a.nnz != expected:
        raise AssertionError(f"{name}: {a.nnz} stored entries, expected {expected}")


def _check_diag(a, value):
    d = a.diagonal()
    if not np.all(d == value):
        raise AssertionError(f"diagonal is not {value!r} everywhere")


def build_problem(spec):
    """Returns (name, CSR float64 matrix, dimension for the strong threshold: 2, 3, or None if unknown)."""
    s = spec.strip()
    if os.path.exists(s) or s.lower().endswith(".mtx"):
        a = _finish(sp.csr_matrix(scipy.io.mmread(s)))
        if a.shape[0] != a.shape[1]:
            raise ValueError(f"{spec}: matrix is {a.shape[0]} x {a.shape[1]}, not square")
        return os.path.basename(s), a, None
    if ":" not in s:
        raise ValueError(f"problem spec '{spec}': missing ':' (forms: poisson2d:N, poisson3d:N, anisotropic2d:N,eps, file.mtx)")
    name, rest = s.split(":", 1)
    name = name.strip().lower()
    args = [t.strip() for t in rest.split(",")]

    def parse_n(count):
        if len(args) != count or not re.fullmatch(r"\d+", args[0]) or int(args[0]) < 1:
            raise ValueError(f"problem spec '{spec}': expected {count} parameter(s) with N a positive integer")
        return int(args[0])

    if name == "poisson2d":
        return s.lower(), poisson2d(parse_n(1)), 2
    if name == "poisson3d":
        return s.lower(), poisson3d(parse_n(1)), 3
    if name == "anisotropic2d":
        n = parse_n(2)
        eps = float(args[1])
        if not (eps > 0 and np.isfinite(eps)):
            raise ValueError(f"problem spec '{spec}': eps must be positive and finite")
        return s.lower(), anisotropic2d(n, eps), 2
    raise ValueError(f"problem spec '{spec}': unknown problem '{name}'")


# ----------------------------------------------------------------------------------------------- threads

def hypre_threads():
    """Threads hypre would use: 1 if this hypre was built without OpenMP, else OMP_NUM_THREADS / the OpenMP default."""
    config = "/usr/include/hypre/HYPRE_config.h"
    openmp = None
    try:
        with open(config) as f:
            openmp = re.search(r"^\s*#define\s+HYPRE_USING_OPENMP\b", f.read(), re.M) is not None
    except OSError:
        pass
    if openmp is False:
        return 1, "hypre built without OpenMP (HYPRE_USING_OPENMP undefined)"
    env = os.environ.get("OMP_NUM_THREADS")
    if env:
        return int(env.split(",")[0]), "OMP_NUM_THREADS"
    return os.cpu_count(), "OpenMP default (all cores)" + ("" if openmp else "; hypre OpenMP support unknown")


# ----------------------------------------------------------------------------------------------- solving

def set_config_options(config, dim):
    opts = PETSc.Options()
    for k in ALL_OPTION_NAMES:
        opts.delValue(k)
    opts["pc_type"] = "hypre"
    opts["pc_hypre_type"] = "boomeramg"
    if config == "tuned":
        for k, v in TUNED_OPTIONS.items():
            opts[k] = v
        opts["pc_hypre_boomeramg_strong_threshold"] = STRONG_THRESHOLD[3 if dim == 3 else 2]


def config_options_text(config, dim):
    text = "-pc_type hypre -pc_hypre_type boomeramg"
    if config == "tuned":
        text += "".join(f" -{k} {v}" for k, v in TUNED_OPTIONS.items())
        text += f" -pc_hypre_boomeramg_strong_threshold {STRONG_THRESHOLD[3 if dim == 3 else 2]}"
    return text


def make_ksp(a_petsc, config, dim, rtol):
    set_config_options(config, dim)
    ksp = PETSc.KSP().create(comm=PETSc.COMM_SELF)
    ksp.setOperators(a_petsc)
    ksp.setType("cg")
    ksp.setNormType(PETSc.KSP.NormType.UNPRECONDITIONED)
    ksp.setTolerances(rtol=rtol, atol=0.0, divtol=1e50, max_it=10000)
    ksp.setInitialGuessNonzero(False)
    pc = ksp.getPC()
    pc.setType("hypre")
    pc.setFromOptions()
    return ksp


def run_case(name, a, dim, config, rtol, repeat, view=False):
    n = a.shape[0]
    a_petsc = PETSc.Mat().createAIJ(
        size=(n, n),
        csr=(a.indptr.astype(PETSc.IntType), a.indices.astype(PETSc.IntType), a.data.astype(PETSc.ScalarType)),
        comm=PETSc.COMM_SELF,
    )
    a_petsc.assemble()
    x, b = a_petsc.createVecs()
    ones = x.duplicate()
    ones.set(1.0)
    a_petsc.mult(ones, b)
    bnorm = b.norm()
    r = b.duplicate()

    best_setup = best_solve = float("inf")
    iterations = rel_res = reason = None
    for _ in range(repeat):
        ksp = make_ksp(a_petsc, config, dim, rtol)
        x.set(0.0)
        t0 = time.perf_counter()
        ksp.setUp()
        t1 = time.perf_counter()
        ksp.solve(b, x)
        t2 = time.perf_counter()
        best_setup = min(best_setup, t1 - t0)
        best_solve = min(best_solve, t2 - t1)
        iterations = ksp.getIterationNumber()
        reason = ksp.getConvergedReason()
        a_petsc.mult(x, r)
        r.aypx(-1.0, b)  # r = b - A x
        rel_res = r.norm() / bnorm
        if view:
            ksp.view()
        ksp.destroy()

    for v in (x, b, ones, r, a_petsc):
        v.destroy()
    return {
        "problem": name,
        "n": int(n),
        "nnz": int(a.nnz),
        "config": config,
        "iterations": int(iterations),
        "setupSeconds": best_setup,
        "solveSeconds": best_solve,
        "totalSeconds": best_setup + best_solve,
        "relativeResidual": float(rel_res),
        "converged": bool(reason > 0),
        "reason": _reason_name(reason),
        "threads": hypre_threads()[0],
    }


def _reason_name(code):
    for k, v in vars(PETSc.KSP.ConvergedReason).items():
        if not k.startswith("_") and v == code and k.isupper():
            return k
    return str(code)


# ----------------------------------------------------------------------------------------------- driver

def run_in_child(spec, config, args):
    """Runs one (problem, config) in a child process so that --timeout can stop it."""
    cmd = [sys.executable, os.path.abspath(__file__), spec, "--config", config, "--rtol", repr(args.rtol),
           "--repeat", str(args.repeat), "--json"]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return {"problem": spec.strip().lower(), "config": config, "skipped": f"timeout after {args.timeout:g} s"}
    lines = [l for l in out.stdout.splitlines() if l.startswith("{")]
    if out.returncode != 0 or not lines:
        return {"problem": spec.strip().lower(), "config": config,
                "skipped": f"exit {out.returncode}: {out.stderr.strip()[-500:]}"}
    return json.loads(lines[-1])


def print_table_header():
    print(f"{'problem':<26} {'config':<8} {'n':>9} {'nnz':>10} {'its':>5} {'setup s':>9} {'solve s':>9} "
          f"{'total s':>9} {'rel.res':>9}  status")


def print_table_row(r):
    if "skipped" in r:
        print(f"{r['problem']:<26} {r['config']:<8} skipped: {r['skipped']}")
        return
    print(f"{r['problem']:<26} {r['config']:<8} {r['n']:>9} {r['nnz']:>10} {r['iterations']:>5} "
          f"{r['setupSeconds']:>9.3f} {r['solveSeconds']:>9.3f} {r['totalSeconds']:>9.3f} "
          f"{r['relativeResidual']:>9.2e}  {r['reason']}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("problems", nargs="+", help="poisson2d:N, poisson3d:N, anisotropic2d:N,eps or a .mtx file")
    p.add_argument("--rtol", type=float, default=1e-8)
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--config", choices=["default", "tuned", "both"], default="both")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--timeout", type=float, default=None,
                   help="run each (problem, config) in a child process and skip it after this many seconds")
    p.add_argument("--view", action="store_true", help="print ksp.view() after each solve (checks the options)")
    args = p.parse_args(argv)
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    configs = CONFIGS if args.config == "both" else (args.config,)

    threads, source = hypre_threads()
    if not args.json:
        print(f"PETSc {'.'.join(map(str, PETSc.Sys.getVersion()))}, single process; hypre threads: {threads} ({source})")
        print(f"CG, unpreconditioned residual, rtol {args.rtol:g}, best of {args.repeat} for setup and for solve")
        for c in configs:
            print(f"  {c}: {config_options_text(c, 2)}" + (" (3D: strong_threshold 0.5)" if c == "tuned" else ""))
        print_table_header()
        sys.stdout.flush()

    failed = False
    for spec in args.problems:
        if args.timeout is None:
            name, a, dim = build_problem(spec)
        for config in configs:
            if args.timeout is None:
                r = run_case(name, a, dim, config, args.rtol, args.repeat, view=args.view)
            else:
                r = run_in_child(spec, config, args)
            failed |= "skipped" in r or not r["converged"]
            if args.json:
                print(json.dumps(r))
            else:
                print_table_row(r)
            sys.stdout.flush()
        if args.timeout is None:
            del a
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
