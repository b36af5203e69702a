#!/usr/bin/python3
"""Peer solvers on the Hock-Schittkowski equality-constrained problems of hs_problems.py.

Runs SciPy's SLSQP and trust-constr and IPOPT (C interface through ctypes) from the C# side's starting points,
with exact derivatives from sympy, and writes a JSON record plus a markdown table (stdout).

success = the solver reports success AND |f - f*| <= 1e-6 max(1, |f*|) AND max|c(x)| <= 1e-6.
Wall time: time.perf_counter around the solve call only, best of --repeats runs. All derivative callbacks are
Python (lambdified sympy), so times include Python call overhead and are not comparable to compiled code.
"""

import argparse
import ctypes
import ctypes.util
import datetime
import glob
import json
import os
import platform
import statistics
import sys
import time
import warnings

import numpy as np
import scipy
from scipy.optimize import NonlinearConstraint, minimize

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hs_problems  # noqa: E402

F_TOL = 1e-6   # |f - f*| <= F_TOL * max(1, |f*|)
C_TOL = 1e-6   # max |c(x)| <= C_TOL
SOLVERS = ("slsqp", "trust-constr", "ipopt")


# ---------------------------------------------------------------------------------------------------------------
# SciPy
# ---------------------------------------------------------------------------------------------------------------

def run_slsqp(p):
    cons = [{"type": "eq", "fun": p.c, "jac": p.jac}]
    t0 = time.perf_counter()
    res = minimize(p.f, p.x0.copy(), method="SLSQP", jac=p.grad, constraints=cons,
                   tol=1e-10, options={"maxiter": 1000})
    secs = time.perf_counter() - t0
    return dict(reported_success=bool(res.success), status=int(res.status), message=str(res.message),
                x=np.asarray(res.x, float), iters=int(res.nit), nfev=int(res.nfev), seconds=secs)


def run_trust_constr(p):
    zeros = np.zeros(p.m)
    lam0 = np.zeros(p.m)
    con = NonlinearConstraint(p.c, zeros, zeros, jac=p.jac, hess=lambda x, v: p.hess_lag(x, 0.0, v))
    hess_f = lambda x: p.hess_lag(x, 1.0, lam0)  # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "delta_grad == 0.0" etc. are not relevant with exact Hessians
        t0 = time.perf_counter()
        res = minimize(p.f, p.x0.copy(), method="trust-constr", jac=p.grad, hess=hess_f, constraints=[con],
                       options={"gtol": 1e-8, "xtol": 1e-12, "maxiter": 3000})
        secs = time.perf_counter() - t0
    return dict(reported_success=bool(res.success), status=int(res.status), message=str(res.message),
                x=np.asarray(res.x, float), iters=int(res.nit), nfev=int(res.nfev), seconds=secs)


# ---------------------------------------------------------------------------------------------------------------
# IPOPT through IpStdCInterface.h
# ---------------------------------------------------------------------------------------------------------------

_c_int, _c_double = ctypes.c_int, ctypes.c_double
_PD, _PI = ctypes.POINTER(ctypes.c_double), ctypes.POINTER(ctypes.c_int)
EVAL_F = ctypes.CFUNCTYPE(_c_int, _c_int, _PD, _c_int, _PD, ctypes.c_void_p)
EVAL_GRAD_F = ctypes.CFUNCTYPE(_c_int, _c_int, _PD, _c_int, _PD, ctypes.c_void_p)
EVAL_G = ctypes.CFUNCTYPE(_c_int, _c_int, _PD, _c_int, _c_int, _PD, ctypes.c_void_p)
EVAL_JAC_G = ctypes.CFUNCTYPE(_c_int, _c_int, _PD, _c_int, _c_int, _c_int, _PI, _PI, _PD, ctypes.c_void_p)
EVAL_H = ctypes.CFUNCTYPE(_c_int, _c_int, _PD, _c_int, _c_double, _c_int, _PD, _c_int, _c_int, _PI, _PI, _PD,
                          ctypes.c_void_p)
INTERMEDIATE = ctypes.CFUNCTYPE(_c_int, _c_int, _c_int, _c_double, _c_double, _c_double, _c_double, _c_double,
                                _c_double, _c_double, _c_double, _c_int, ctypes.c_void_p)

IPOPT_STATUS = {0: "Solve_Succeeded", 1: "Solved_To_Acceptable_Level", 2: "Infeasible_Problem_Detected",
                3: "Search_Direction_Becomes_Too_Small", 4: "Diverging_Iterates", 5: "User_Requested_Stop",
                6: "Feasible_Point_Found", -1: "Maximum_Iterations_Exceeded", -2: "Restoration_Failed",
                -3: "Error_In_Step_Computation", -4: "Maximum_CpuTime_Exceeded",
                -10: "Not_Enough_Degrees_Of_Freedom", -11: "Invalid_Problem_Definition", -12: "Invalid_Option",
                -13: "Invalid_Number_Detected", -100: "Unrecoverable_Exception",
                -101: "NonIpopt_Exception_Thrown", -102: "Insufficient_Memory", -199: "Internal_Error"}
IPOPT_INF = 1e19


def find_libipopt():
    cands = []
    name = ctypes.util.find_library("ipopt")
    if name:
        cands.append(name)
    for d in ("/usr/lib/x86_64-linux-gnu", "/usr/lib", "/lib", "/usr/local/lib"):
        cands += sorted(glob.glob(os.path.join(d, "libipopt.so*")))
    for c in cands:
        try:
            return ctypes.CDLL(c), c
        except OSError:
            continue
    raise SystemExit("libipopt.so not found (apt-get install -y coinor-libipopt-dev)")


class Ipopt:
    def __init__(self):
        self.lib, self.path = find_libipopt()
        L = self.lib
        L.CreateIpoptProblem.restype = ctypes.c_void_p
        L.CreateIpoptProblem.argtypes = [_c_int, _PD, _PD, _c_int, _PD, _PD, _c_int, _c_int, _c_int,
                                         EVAL_F, EVAL_G, EVAL_GRAD_F, EVAL_JAC_G, EVAL_H]
        L.FreeIpoptProblem.restype = None
        L.FreeIpoptProblem.argtypes = [ctypes.c_void_p]
        L.AddIpoptNumOption.restype = _c_int
        L.AddIpoptNumOption.argtypes = [ctypes.c_void_p, ctypes.c_char_p, _c_double]
        L.AddIpoptIntOption.restype = _c_int
        L.AddIpoptIntOption.argtypes = [ctypes.c_void_p, ctypes.c_char_p, _c_int]
        L.AddIpoptStrOption.restype = _c_int
        L.AddIpoptStrOption.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
        L.SetIntermediateCallback.restype = _c_int
        L.SetIntermediateCallback.argtypes = [ctypes.c_void_p, INTERMEDIATE]
        L.IpoptSolve.restype = _c_int
        L.IpoptSolve.argtypes = [ctypes.c_void_p, _PD, _PD, _PD, _PD, _PD, _PD, ctypes.c_void_p]

    def solve(self, p, tol=1e-8):
        n, m, L = p.n, p.m, self.lib
        jrow = [i for i in range(m) for _ in range(n)]                    # dense Jacobian, row major
        jcol = [k for _ in range(m) for k in range(n)]
        hrow = [i for i in range(n) for _ in range(i + 1)]                # lower triangle, row major
        hcol = [k for i in range(n) for k in range(i + 1)]
        tril = np.tril_indices(n)
        counts = {"f": 0, "iter": -1}

        def arr(ptr, k):
            return np.ctypeslib.as_array(ptr, shape=(k,)).copy()

        def eval_f(_n, x, _new, obj, _ud):
            try:
                counts["f"] += 1
                obj[0] = p.f(arr(x, n))
                return 1
            except Exception:  # evaluation error -> let IPOPT backtrack
                return 0

        def eval_grad_f(_n, x, _new, grad, _ud):
            try:
                g = p.grad(arr(x, n))
                for k in range(n):
                    grad[k] = g[k]
                return 1
            except Exception:
                return 0

        def eval_g(_n, x, _new, _m, g, _ud):
            try:
                c = p.c(arr(x, n))
                for i in range(m):
                    g[i] = c[i]
                return 1
            except Exception:
                return 0

        def eval_jac_g(_n, x, _new, _m, nele, irow, jcol_, values, _ud):
            try:
                if not values:
                    for e in range(nele):
                        irow[e], jcol_[e] = jrow[e], jcol[e]
                else:
                    j = p.jac(arr(x, n)).ravel()
                    for e in range(nele):
                        values[e] = j[e]
                return 1
            except Exception:
                return 0

        def eval_h(_n, x, _new, obj_factor, _m, lam, _newl, nele, irow, jcol_, values, _ud):
            try:
                if not values:
                    for e in range(nele):
                        irow[e], jcol_[e] = hrow[e], hcol[e]
                else:
                    h = p.hess_lag(arr(x, n), obj_factor, arr(lam, m))[tril]
                    for e in range(nele):
                        values[e] = h[e]
                return 1
            except Exception:
                return 0

        def intermediate(_mode, it, *_rest):
            counts["iter"] = it
            return 1

        cbs = (EVAL_F(eval_f), EVAL_G(eval_g), EVAL_GRAD_F(eval_grad_f), EVAL_JAC_G(eval_jac_g), EVAL_H(eval_h))
        icb = INTERMEDIATE(intermediate)
        dvec = lambda v: (ctypes.c_double * len(v))(*v)  # noqa: E731
        xl, xu = dvec([-IPOPT_INF] * n), dvec([IPOPT_INF] * n)
        gl, gu = dvec([0.0] * m), dvec([0.0] * m)
        prob = L.CreateIpoptProblem(n, xl, xu, m, gl, gu, n * m, n * (n + 1) // 2, 0, *cbs)
        if not prob:
            raise RuntimeError("CreateIpoptProblem failed")
        try:
            ok = L.AddIpoptNumOption(prob, b"tol", tol)
            ok &= L.AddIpoptIntOption(prob, b"print_level", 0)
            ok &= L.AddIpoptStrOption(prob, b"sb", b"yes")   # no banner on stdout
            ok &= L.SetIntermediateCallback(prob, icb)
            if not ok:
                raise RuntimeError("setting an IPOPT option failed")
            x = dvec(p.x0)
            g = (ctypes.c_double * max(m, 1))()
            obj = ctypes.c_double(0.0)
            mult_g = (ctypes.c_double * max(m, 1))()
            mxl, mxu = (ctypes.c_double * n)(), (ctypes.c_double * n)()
            t0 = time.perf_counter()
            status = L.IpoptSolve(prob, x, g, ctypes.byref(obj), mult_g, mxl, mxu, None)
            secs = time.perf_counter() - t0
        finally:
            L.FreeIpoptProblem(prob)
        return dict(reported_success=(status == 0), status=int(status), message=IPOPT_STATUS.get(status, "?"),
                    x=np.array(x[:], float), iters=int(counts["iter"]), nfev=int(counts["f"]), seconds=secs)


# ---------------------------------------------------------------------------------------------------------------

def judge(p, r):
    x = r["x"]
    f = p.f(x)
    cmax = float(np.max(np.abs(p.c(x)))) if np.all(np.isfinite(x)) else float("inf")
    f_ok = bool(np.isfinite(f) and abs(f - p.fstar) <= F_TOL * max(1.0, abs(p.fstar)))
    c_ok = bool(cmax <= C_TOL)
    return dict(solver_success=r["reported_success"], status=r["status"], message=r["message"],
                f=f, f_err=abs(f - p.fstar) if np.isfinite(f) else None, max_abs_c=cmax,
                f_ok=f_ok, c_ok=c_ok, success=bool(r["reported_success"] and f_ok and c_ok),
                iterations=r["iters"], fevals=r["nfev"], x=[float(v) for v in x])


def run_all(problems, solvers, repeats):
    ipopt = Ipopt() if "ipopt" in solvers else None
    runners = {"slsqp": run_slsqp, "trust-constr": run_trust_constr, "ipopt": lambda p: ipopt.solve(p)}
    rows = []
    for p in problems:
        row = {"problem": p.name, "n": p.n, "m": p.m, "fstar": p.fstar, "x0": p.x0.tolist(), "results": {}}
        for s in solvers:
            best, first = None, None
            for _ in range(repeats):
                r = runners[s](p)
                first = first or r
                best = r["seconds"] if best is None else min(best, r["seconds"])
            rec = judge(p, first)
            rec["seconds"] = best
            row["results"][s] = rec
            print(f"  {p.name:6} {s:13} {'ok  ' if rec['success'] else 'FAIL'} it={rec['iterations']:<4} "
                  f"f={rec['f']:.10g} |c|={rec['max_abs_c']:.1e} {rec['message'][:60]}", file=sys.stderr)
        rows.append(row)
    return rows, (ipopt.path if ipopt else None)


def summarize(rows, solvers):
    out = {}
    for s in solvers:
        recs = [r["results"][s] for r in rows]
        its = [x["iterations"] for x in recs]
        its_ok = [x["iterations"] for x in recs if x["success"]]
        out[s] = dict(successes=sum(x["success"] for x in recs), problems=len(recs),
                      median_iterations=statistics.median(its) if its else None,
                      median_iterations_successful=statistics.median(its_ok) if its_ok else None,
                      total_seconds=sum(x["seconds"] for x in recs),
                      total_fevals=sum(x["fevals"] for x in recs))
    return out


def markdown(rows, solvers, summary):
    def fmt_ms(sec):
        ms = 1e3 * sec
        return f"{ms:.2f}" if ms < 100 else f"{ms:.0f}"

    lines = ["| problem | n | m | " + " | ".join(f"{s} ok/iters/ms" for s in solvers) + " |",
             "|---|---:|---:|" + "---|" * len(solvers)]
    for r in rows:
        cells = []
        for s in solvers:
            x = r["results"][s]
            cells.append(f"{'ok' if x['success'] else 'FAIL'}/{x['iterations']}/{fmt_ms(x['seconds'])}")
        lines.append(f"| {r['problem']} | {r['n']} | {r['m']} | " + " | ".join(cells) + " |")
    cells = [f"{summary[s]['successes']}/{summary[s]['problems']} ok, median {summary[s]['median_iterations']:g} it, "
             f"{fmt_ms(summary[s]['total_seconds'])} ms" for s in solvers]
    lines.append("| **summary** | | | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def failures(rows, solvers):
    out = []
    for r in rows:
        for s in solvers:
            x = r["results"][s]
            if not x["success"]:
                why = []
                if not x["solver_success"]:
                    why.append(f"solver status {x['status']} ({x['message']})")
                if not x["f_ok"]:
                    why.append(f"f = {x['f']:.10g} vs f* = {r['fstar']:.10g}")
                if not x["c_ok"]:
                    why.append(f"max|c| = {x['max_abs_c']:.2e}")
                out.append(f"- {r['problem']} / {s}: " + "; ".join(why))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_json = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "results",
                                                 "hs-peers.json"))
    ap.add_argument("--json", default=default_json,
                    help="output JSON path (default bench/results/hs-peers.json); '' to skip")
    ap.add_argument("--problems", default=None, help="comma-separated subset, e.g. hs006,hs078 (default: all 21)")
    ap.add_argument("--solvers", default=",".join(SOLVERS), help="comma-separated subset of %(default)s")
    ap.add_argument("--repeats", type=int, default=3, help="timed repeats per run, best kept (default 3)")
    args = ap.parse_args(argv)

    solvers = [s.strip() for s in args.solvers.split(",") if s.strip()]
    bad = [s for s in solvers if s not in SOLVERS]
    if bad:
        ap.error(f"unknown solver(s) {bad}; choose from {SOLVERS}")
    names = [s.strip() for s in args.problems.split(",")] if args.problems else None
    problems = hs_problems.load(names)

    rows, libpath = run_all(problems, solvers, max(1, args.repeats))
    summary = summarize(rows, solvers)
    doc = dict(
        created=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        criteria=dict(success="solver reports success AND |f - f*| <= f_tol*max(1,|f*|) AND max|c| <= c_tol",
                      f_tol=F_TOL, c_tol=C_TOL, ipopt_success_status="0 (Solve_Succeeded) only"),
        timing=f"time.perf_counter around the solve call only, best of {args.repeats}; Python callbacks included",
        settings={"slsqp": "tol=1e-10, maxiter=1000, exact jac and constraint jac",
                  "trust-constr": "gtol=1e-8, xtol=1e-12, maxiter=3000, exact grad, jac, Hessian of Lagrangian",
                  "ipopt": "tol=1e-8, print_level=0, bounds +-1e19, g_L=g_U=0, exact derivatives, "
                           "dense Jacobian, lower-triangle Hessian; iterations from intermediate callback"},
        versions=dict(python=platform.python_version(), numpy=np.__version__, scipy=scipy.__version__,
                      sympy=__import__("sympy").__version__, ipopt_library=libpath),
        summary=summary, problems=rows)
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as fh:
            json.dump(doc, fh, indent=1)
    print(markdown(rows, solvers, summary))
    fails = failures(rows, solvers)
    if fails:
        print("\nFailures:")
        print("\n".join(fails))
    if args.json:
        print(f"\nJSON: {args.json}")


if __name__ == "__main__":
    main()
