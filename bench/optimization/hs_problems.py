#!/usr/bin/python3
"""Hock-Schittkowski equality-constrained test problems, transcribed from
src/Solvers/Optimization/Problems/HockSchittkowskiProblems.cs.

Every problem keeps the C# side's objective, constraint bodies (same scaling and sign, c(x) = 0), starting point
and known optimal value f*. Indices are zero-based, as in the C# source (x[0] is HS's x1). Derivatives (gradient,
constraint Jacobian, Hessian of the Lagrangian sigma * f + sum_i lam_i c_i) come from sympy and are compiled with
lambdify.

Run this file directly for the self-check: it prints f(x0), max|c(x0)| and f(x*), max|c(x*)| (x* = the C# side's
KnownSolution) for every problem, and checks the compiled derivatives against central differences.
"""

import math

import numpy as np
import sympy as sp

SQRT2 = math.sqrt(2.0)


# ---------------------------------------------------------------------------------------------------------------
# Problem statements. Each builder takes the list of sympy symbols x (length n) and returns (objective, [c_i]).
# Numeric data (x0, x*, f*) are computed with Python's math module exactly as the C# code computes them.
# ---------------------------------------------------------------------------------------------------------------

def _hs006(x):
    return (1 - x[0]) ** 2, [10 * (x[1] - x[0] ** 2)]


def _hs007(x):
    u = 1 + x[0] ** 2
    return sp.log(1 + x[0] ** 2) - x[1], [u ** 2 + x[1] ** 2 - 4]


def _hs008(x):
    return sp.Integer(-1), [x[0] ** 2 + x[1] ** 2 - 25, x[0] * x[1] - 9]


def _hs026(x):
    return (x[0] - x[1]) ** 2 + (x[1] - x[2]) ** 4, [(1 + x[1] ** 2) * x[0] + x[2] ** 4 - 3]


def _hs027(x):
    return 0.01 * (x[0] - 1) ** 2 + (x[1] - x[0] ** 2) ** 2, [x[0] + x[2] ** 2 + 1]


def _hs028(x):
    return (x[0] + x[1]) ** 2 + (x[1] + x[2]) ** 2, [x[0] + 2 * x[1] + 3 * x[2] - 1]


def _hs039(x):
    return -x[0], [x[1] - x[0] ** 3 - x[2] ** 2, x[0] ** 2 - x[1] - x[3] ** 2]


def _hs040(x):
    return -x[0] * x[1] * x[2] * x[3], [x[0] ** 3 + x[1] ** 2 - 1, x[0] ** 2 * x[3] - x[2], x[3] ** 2 - x[1]]


def _hs042(x):
    f = sum((x[i] - (i + 1)) ** 2 for i in range(4))
    return f, [x[0] - 2, x[2] ** 2 + x[3] ** 2 - 2]


# Shared pieces (HsParts in the C# file).
def _f46(x):
    return (x[0] - x[1]) ** 2 + (x[2] - 1) ** 2 + (x[3] - 1) ** 4 + (x[4] - 1) ** 6


def _c1(x):  # x1^2 x4 + sin(x4 - x5)
    return x[0] ** 2 * x[3] + sp.sin(x[3] - x[4])


def _c2(x):  # x2 + x3^4 x4^2
    return x[1] + x[2] ** 4 * x[3] ** 2


def _c47(x):  # x1 + x2^2 + x3^3, x2 - x3^2 + x4, x1 x5
    return [x[0] + x[1] ** 2 + x[2] ** 3, x[1] - x[2] ** 2 + x[3], x[0] * x[4]]


def _hs046(x):
    return _f46(x), [_c1(x) - 1, _c2(x) - 2]


def _hs047(x):
    f = (x[0] - x[1]) ** 2 + (x[1] - x[2]) ** 3 + (x[2] - x[3]) ** 4 + (x[3] - x[4]) ** 4
    c = _c47(x)
    return f, [c[0] - 3, c[1] - 1, c[2] - 1]


def _hs048(x):
    f = (x[0] - 1) ** 2 + (x[1] - x[2]) ** 2 + (x[3] - x[4]) ** 2
    return f, [x[0] + x[1] + x[2] + x[3] + x[4] - 5, x[2] - 2 * (x[3] + x[4]) + 3]


def _hs049(x):
    return _f46(x), [x[0] + x[1] + x[2] + 4 * x[3] - 7, x[2] + 5 * x[4] - 6]


def _hs050(x):
    f = (x[0] - x[1]) ** 2 + (x[1] - x[2]) ** 2 + (x[2] - x[3]) ** 4 + (x[3] - x[4]) ** 2
    return f, [x[i] + 2 * x[i + 1] + 3 * x[i + 2] - 6 for i in range(3)]


def _c51(x, r):  # x1 + 3 x2 - r, x3 + x4 - 2 x5, x2 - x5
    return [x[0] + 3 * x[1] - r, x[2] + x[3] - 2 * x[4], x[1] - x[4]]


def _hs051(x):
    f = (x[0] - x[1]) ** 2 + (x[1] + x[2] - 2) ** 2 + (x[3] - 1) ** 2 + (x[4] - 1) ** 2
    return f, _c51(x, 4)


def _hs052(x):
    f = (4 * x[0] - x[1]) ** 2 + (x[1] + x[2] - 2) ** 2 + (x[3] - 1) ** 2 + (x[4] - 1) ** 2
    return f, _c51(x, 0)


def _hs056(x):
    c = [x[i] - 4.2 * sp.sin(x[i + 3]) ** 2 for i in range(3)]
    c.append(x[0] + 2 * x[1] + 2 * x[2] - 7.2 * sp.sin(x[6]) ** 2)
    return -x[0] * x[1] * x[2], c


def _hs061(x):
    f = 4 * x[0] ** 2 + 2 * x[1] ** 2 + 2 * x[2] ** 2 - 33 * x[0] + 16 * x[1] - 24 * x[2]
    return f, [3 * x[0] - 2 * x[1] ** 2 - 7, 4 * x[0] - x[2] ** 2 - 11]


def _hs077(x):
    f = (x[0] - 1) ** 2 + (x[0] - x[1]) ** 2 + (x[2] - 1) ** 2 + (x[3] - 1) ** 4 + (x[4] - 1) ** 6
    return f, [_c1(x) - 2 * sp.sqrt(2), _c2(x) - 8 - sp.sqrt(2)]


def _hs078(x):
    f = x[0] * x[1] * x[2] * x[3] * x[4]
    return f, [sum(x[i] ** 2 for i in range(5)) - 10,
               x[1] * x[2] - 5 * x[3] * x[4],
               x[0] ** 3 + x[1] ** 3 + 1]


def _hs079(x):
    f = (x[0] - 1) ** 2 + (x[0] - x[1]) ** 2 + (x[1] - x[2]) ** 2 + (x[2] - x[3]) ** 4 + (x[3] - x[4]) ** 4
    c = _c47(x)
    return f, [c[0] - (2 + 3 * sp.sqrt(2)), c[1] + (2 - 2 * sp.sqrt(2)), c[2] - 2]


def _hs056_x0():
    a = math.asin(math.sqrt(1 / 4.2))
    b = math.asin(math.sqrt(5 / 7.2))
    return [1.0, 1.0, 1.0, a, a, a, b]


def _hs056_xs():
    p = math.asin(math.sqrt(4.0 / 7))
    q = math.asin(math.sqrt(2.0 / 7))
    return [2.4, 1.2, 1.2, p, q, q, math.pi / 2]


# name, n, m, builder, x0, f*, x* (KnownSolution, used only by the self-check)
_TABLE = [
    ("hs006", 2, 1, _hs006, [-1.2, 1.0], 0.0, [1.0, 1.0]),
    ("hs007", 2, 1, _hs007, [2.0, 2.0], -math.sqrt(3), [0.0, math.sqrt(3)]),
    ("hs008", 2, 2, _hs008, [2.0, 1.0], -1.0,
     [(math.sqrt(43) + math.sqrt(7)) / 2, (math.sqrt(43) - math.sqrt(7)) / 2]),
    ("hs026", 3, 1, _hs026, [-2.6, 2.0, 2.0], 0.0, [1.0, 1.0, 1.0]),
    ("hs027", 3, 1, _hs027, [2.0, 2.0, 2.0], 0.04, [-1.0, 1.0, 0.0]),
    ("hs028", 3, 1, _hs028, [-4.0, 1.0, 1.0], 0.0, [0.5, -0.5, 0.5]),
    ("hs039", 4, 2, _hs039, [2.0, 2.0, 2.0, 2.0], -1.0, [1.0, 1.0, 0.0, 0.0]),
    ("hs040", 4, 3, _hs040, [0.8, 0.8, 0.8, 0.8], -0.25,
     [2 ** (-1.0 / 3), 2 ** (-0.5), 2 ** (-11.0 / 12), 2 ** (-0.25)]),
    ("hs042", 4, 2, _hs042, [1.0, 1.0, 1.0, 1.0], 28 - 10 * SQRT2, [2.0, 2.0, 0.6 * SQRT2, 0.8 * SQRT2]),
    ("hs046", 5, 2, _hs046, [0.5 * SQRT2, 1.75, 0.5, 2.0, 2.0], 0.0, [1.0] * 5),
    ("hs047", 5, 3, _hs047, [2.0, SQRT2, -1.0, 2 - SQRT2, 0.5], 0.0, [1.0] * 5),
    ("hs048", 5, 2, _hs048, [3.0, 5.0, -3.0, 2.0, -2.0], 0.0, [1.0] * 5),
    ("hs049", 5, 2, _hs049, [10.0, 7.0, 2.0, -3.0, 0.8], 0.0, [1.0] * 5),
    ("hs050", 5, 3, _hs050, [35.0, -31.0, 11.0, 5.0, -5.0], 0.0, [1.0] * 5),
    ("hs051", 5, 3, _hs051, [2.5, 0.5, 2.0, -1.0, 0.5], 0.0, [1.0] * 5),
    ("hs052", 5, 3, _hs052, [2.0] * 5, 1859.0 / 349.0,
     [-33.0 / 349, 11.0 / 349, 180.0 / 349, -158.0 / 349, 11.0 / 349]),
    ("hs056", 7, 4, _hs056, _hs056_x0(), -3.456, _hs056_xs()),
    ("hs061", 3, 2, _hs061, [0.0, 0.0, 0.0], -143.6461422, [5.326770136, -2.118998632, 3.210464225]),
    ("hs077", 5, 2, _hs077, [2.0] * 5, 0.24150513, [1.166172, 1.182111, 1.380257, 1.506036, 0.6109203]),
    ("hs078", 5, 3, _hs078, [-2.0, 1.5, 2.0, -1.0, -1.0], -2.91970041,
     [-1.717143, 1.595709, 1.827247, -0.7636413, -0.7636450]),
    ("hs079", 5, 3, _hs079, [2.0] * 5, 0.0787768209, [1.191127, 1.362603, 1.472818, 1.635017, 1.679081]),
]


class Problem:
    """One compiled problem: f, grad, c, jac, hess_lag (all numpy), x0, fstar."""

    def __init__(self, name, n, m, builder, x0, fstar, xstar):
        self.name, self.n, self.m = name, n, m
        self.x0 = np.array(x0, dtype=float)
        self.xstar = np.array(xstar, dtype=float)
        self.fstar = float(fstar)
        xs = list(sp.symbols(f"x0:{n}", real=True))
        lam = list(sp.symbols(f"lam0:{m}", real=True))
        sigma = sp.Symbol("sigma", real=True)
        f_expr, c_exprs = builder(xs)
        f_expr = sp.sympify(f_expr)
        c_exprs = [sp.sympify(ci) for ci in c_exprs]
        assert len(xs) == n and len(c_exprs) == m, name
        self.f_expr, self.c_exprs = f_expr, c_exprs
        grad = sp.Matrix([sp.diff(f_expr, v) for v in xs])
        jac = sp.Matrix(c_exprs).jacobian(xs)
        lag = sigma * f_expr + sum(li * ci for li, ci in zip(lam, c_exprs))
        hess = sp.hessian(lag, xs)
        self._f = sp.lambdify(xs, f_expr, "numpy")
        self._g = sp.lambdify(xs, grad, "numpy")
        self._c = sp.lambdify(xs, sp.Matrix(c_exprs), "numpy")
        self._j = sp.lambdify(xs, jac, "numpy")
        self._h = sp.lambdify(xs + [sigma] + lam, hess, "numpy")

    def f(self, x):
        return float(self._f(*x))

    def grad(self, x):
        return np.asarray(self._g(*x), dtype=float).reshape(self.n)

    def c(self, x):
        return np.asarray(self._c(*x), dtype=float).reshape(self.m)

    def jac(self, x):
        return np.asarray(self._j(*x), dtype=float).reshape(self.m, self.n)

    def hess_lag(self, x, sigma, lam):
        """Hessian of sigma * f(x) + sum_i lam_i c_i(x) (dense, symmetric)."""
        return np.asarray(self._h(*x, sigma, *lam), dtype=float).reshape(self.n, self.n)


def load(names=None):
    """Compile the problems (all, or those whose name is in names), in the C# file's order."""
    wanted = None if names is None else set(names)
    out = [Problem(*row) for row in _TABLE if wanted is None or row[0] in wanted]
    if wanted is not None:
        missing = wanted - {p.name for p in out}
        if missing:
            raise SystemExit(f"unknown problem(s): {', '.join(sorted(missing))}")
    return out


def _fd_check(p, x, h=1e-6):
    """Largest relative mismatch between the compiled derivatives and central differences at x."""
    rng = np.random.default_rng(0)
    lam = rng.standard_normal(p.m)
    worst = 0.0
    g = p.grad(x)
    j = p.jac(x)
    hl = p.hess_lag(x, 1.0, lam)
    for k in range(p.n):
        e = np.zeros(p.n)
        e[k] = h
        gk = (p.f(x + e) - p.f(x - e)) / (2 * h)
        jk = (p.c(x + e) - p.c(x - e)) / (2 * h)
        hk = ((p.grad(x + e) + p.jac(x + e).T @ lam) - (p.grad(x - e) + p.jac(x - e).T @ lam)) / (2 * h)
        scale = 1 + np.max(np.abs(np.concatenate([g, j.ravel(), hl.ravel()])))
        worst = max(worst, abs(gk - g[k]) / scale, np.max(np.abs(jk - j[:, k])) / scale,
                    np.max(np.abs(hk - hl[:, k])) / scale)
    return worst


def self_check():
    """Prints f(x0), max|c(x0)|, and at the C# KnownSolution f(x*) - f*, max|c(x*)|; checks derivatives by FD."""
    print(f"{'problem':8} {'n':>2} {'m':>2} {'f(x0)':>24} {'max|c(x0)|':>12} {'f*':>20} "
          f"{'f(x*)-f*':>10} {'max|c(x*)|':>10} {'fd-err':>8}")
    ok = True
    for p in load():
        fx0 = p.f(p.x0)
        cx0 = float(np.max(np.abs(p.c(p.x0))))
        fxs = p.f(p.xstar)
        cxs = float(np.max(np.abs(p.c(p.xstar))))
        fd = max(_fd_check(p, p.x0), _fd_check(p, p.xstar))
        flag = ""
        if abs(fxs - p.fstar) > 1e-5 * max(1, abs(p.fstar)) or cxs > 1e-5 or fd > 1e-6:
            flag = "  <-- check"
            ok = False
        print(f"{p.name:8} {p.n:>2} {p.m:>2} {fx0:>24.17g} {cx0:>12.5g} {p.fstar:>20.12g} "
              f"{fxs - p.fstar:>10.2e} {cxs:>10.2e} {fd:>8.1e}{flag}")
    print("self-check:", "all consistent" if ok else "SOME ENTRIES FLAGGED")
    return ok


if __name__ == "__main__":
    import sys
    sys.exit(0 if self_check() else 1)
