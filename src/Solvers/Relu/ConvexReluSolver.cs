using System.Diagnostics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;

namespace Solvers.Relu;

/// <summary>The convex variables and ADMM state a warm start resumes from (all in the solver's layouts).</summary>
internal sealed record ReluState(double[] U, double[] Z, double[] S, double[] Lambda, double[] Nu);

/// <summary>What a solve returns to <see cref="ConvexReluNetwork"/>.</summary>
internal sealed record ReluSolveResult(ReluState State, SolverStatus Status, string Message, int Iterations, List<ReluIteration> History, string LinearSolver, TimeSpan SetupElapsed, TimeSpan Elapsed);

/// <summary>
/// The two convex programs over sampled patterns: the constrained one by ADMM (Bai, Gautam and Sojoudi 2022) and
/// the gated (unconstrained) one by FISTA. Variables u are 2P x d row-major: v_1..v_P, then w_1..w_P.
/// </summary>
internal static class ConvexReluSolver
{
    private const int MaxRhoChanges = 40;

    /// <summary>1/2||F z - y||^2 + beta sum of group norms, with F z already in <c>op.Fu</c>.</summary>
    private static double Objective(MaskedOperator op, double[] y, double[] z, double beta, int groups)
    {
        double loss = 0;
        for (int k = 0; k < y.Length; k++)
        {
            double e = op.Fu[k] - y[k];
            loss += e * e;
        }
        return 0.5 * loss + beta * GroupNormSum(z, groups, op.D);
    }

    internal static double GroupNormSum(double[] z, int groups, int d)
    {
        double s = 0;
        for (int g = 0; g < groups; g++) s += Math.Sqrt(SquaredNorm(z.AsSpan(g * d, d)));
        return s;
    }

    private static double SquaredNorm(ReadOnlySpan<double> v)
    {
        double s = 0;
        foreach (double x in v) s += x * x;
        return s;
    }

    /// <summary>Group soft-thresholding: each d-block of <paramref name="a"/> shrunk towards 0 by <paramref name="threshold"/> in norm.</summary>
    private static void GroupShrink(double[] a, double[] result, int groups, int d, double threshold)
    {
        for (int g = 0; g < groups; g++)
        {
            var block = a.AsSpan(g * d, d);
            double norm = Math.Sqrt(SquaredNorm(block));
            double factor = norm > threshold ? 1 - threshold / norm : 0;
            for (int c = 0; c < d; c++) result[g * d + c] = factor * block[c];
        }
    }

    /// <summary>rows = rows * m for a d x d symmetric m (each d-row of the 2P x d block times m).</summary>
    private static void RowsTimes(double[] rows, double[,] m, double[] result, int d)
    {
        var tmp = new double[d];
        for (int r = 0; r < rows.Length / Math.Max(d, 1); r++)
        {
            var row = rows.AsSpan(r * d, d);
            for (int j = 0; j < d; j++)
            {
                double s = 0;
                for (int c = 0; c < d; c++) s += row[c] * m[c, j];
                tmp[j] = s;
            }
            tmp.CopyTo(result.AsSpan(r * d, d));
        }
    }

    public static ReluSolveResult Admm(MaskedOperator op, double[] x, double[] y, ConvexReluOptions o, ReluState? warm)
    {
        var setupClock = Stopwatch.StartNew();
        int n = op.N, d = op.D, p = op.P, groups = 2 * p, dim = groups * d, gdim = n * groups;
        double rho = o.Rho, beta = o.Beta;
        bool woodbury = o.LinearSolver == ReluLinearSolver.Woodbury || (o.LinearSolver == ReluLinearSolver.Auto && n <= o.WoodburyLimit);
        string linear = woodbury
            ? $"Woodbury: Cholesky of the {n} x {n} matrix rho I + F (I + X'X)^-1 F', factored once" + (o.LinearSolver == ReluLinearSolver.Auto ? $" (n <= {o.WoodburyLimit})" : "")
            : "conjugate gradients with the block-diagonal preconditioner I + X'X + X'D_i X / rho" + (o.LinearSolver == ReluLinearSolver.Auto ? $" (n > {o.WoodburyLimit})" : "");

        // (I + X'X)^-1, d x d: the diagonal blocks of I + G'G, identical because (2 D_i - I)^2 = I.
        var xm = DenseMatrix.Create(n, d, (k, c) => x[k * d + c]);
        var gram = xm.TransposeThisAndMultiply(xm);
        var mInv = (DenseMatrix.CreateIdentity(d) + gram).Inverse().ToArray();
        TriangularFactor? schur = null;
        double[][,]? blockInv = null;
        Matrix<double>? twoBc = null;
        if (woodbury)
        {
            // rho I + F M^-1 F' = rho I + 2 (X M^-1 X') o (masks masks'): v_i and w_i contribute the same D_i X M^-1 X' D_i.
            var b = xm * DenseMatrix.OfArray(mInv) * xm.Transpose();
            var mk = DenseMatrix.Create(n, p, (k, i) => MaskAt(op, k, i));
            var co = mk * mk.Transpose();
            twoBc = 2 * b.PointwiseMultiply(co);
        }
        var baseBlock = DenseMatrix.CreateIdentity(d) + gram;
        var maskedGrams = woodbury ? null : Enumerable.Range(0, p).Select(i =>
        {
            var xd = DenseMatrix.Create(n, d, (k, c) => MaskAt(op, k, i) * x[k * d + c]);
            return xd.TransposeThisAndMultiply(xd);
        }).ToArray();
        // The factorisation depends on rho; with n <= WoodburyLimit (or P d x d blocks) it is cheap to redo when rho adapts.
        void Factor()
        {
            if (woodbury)
            {
                var sMat = twoBc!.Clone();
                for (int k = 0; k < n; k++) sMat[k, k] += rho;
                schur = new TriangularFactor(sMat.Cholesky().Factor);
            }
            else blockInv = maskedGrams!.Select(g => (baseBlock + g / rho).Inverse().ToArray()).ToArray();
        }
        Factor();
        int rhoChanges = 0;

        // A warm start copies the earlier fit's state: that network may be warm-started from again.
        var u = warm?.U.Clone() as double[] ?? new double[dim];
        var z = warm?.Z.Clone() as double[] ?? new double[dim];
        var sl = warm?.S.Clone() as double[] ?? new double[gdim];
        var lam = warm?.Lambda.Clone() as double[] ?? new double[dim];
        var nu = warm?.Nu.Clone() as double[] ?? new double[gdim];
        var zPrev = new double[dim];
        var sPrev = new double[gdim];
        var rhs = new double[dim];
        var w1 = new double[dim];
        var cgState = woodbury ? null : new CgWork(dim);
        var history = new List<ReluIteration>();
        setupClock.Stop();
        var clock = Stopwatch.StartNew();
        int it = 0;
        SolverStatus status = SolverStatus.MaxIterations;
        string message = $"Reached {o.MaxIterations} iterations.";

        while (it < o.MaxIterations)
        {
            if (o.CancellationToken.IsCancellationRequested)
            {
                status = SolverStatus.Cancelled;
                message = $"Cancelled after {it} iterations.";
                break;
            }
            bool check = (it + 1) % o.CheckInterval == 0 || it + 1 == o.MaxIterations;
            // u-update: (I + F'F/rho + G'G) u = F'y/rho + (z - lambda) + G'(s - nu).
            for (int k = 0; k < n; k++) op.R[k] = y[k] / rho;
            for (int j = 0; j < gdim; j++) op.T[j] = sl[j] - nu[j];
            op.Backward(withT: true);
            for (int j = 0; j < dim; j++) rhs[j] = op.Y[j] + z[j] - lam[j];
            if (woodbury)
            {
                RowsTimes(rhs, mInv, w1, d);
                Array.Copy(w1, op.U, dim);
                op.Forward(withG: false);
                schur!.Solve(op.Fu, op.R);
                op.Backward(withT: false);
                RowsTimes(op.Y, mInv, op.U, d);
                for (int j = 0; j < dim; j++) u[j] = w1[j] - op.U[j];
            }
            else
            {
                cgState!.Solve(op, rhs, u, blockInv!, rho, p, d);
            }
            Array.Copy(u, op.U, dim);
            op.Forward(withG: true);
            if (check)
            {
                Array.Copy(z, zPrev, dim);
                Array.Copy(sl, sPrev, gdim);
            }
            for (int j = 0; j < dim; j++) w1[j] = u[j] + lam[j];
            GroupShrink(w1, z, groups, d, beta / rho);
            for (int j = 0; j < gdim; j++) sl[j] = Math.Max(0, op.Gu[j] + nu[j]);
            for (int j = 0; j < dim; j++) lam[j] += u[j] - z[j];
            for (int j = 0; j < gdim; j++) nu[j] += op.Gu[j] - sl[j];
            it++;

            if (!check) continue;
            double rPri = 0, uNorm = 0, zNorm = 0;
            for (int j = 0; j < dim; j++)
            {
                double e = u[j] - z[j];
                rPri += e * e;
                uNorm += u[j] * u[j];
                zNorm += z[j] * z[j];
            }
            for (int j = 0; j < gdim; j++)
            {
                double e = op.Gu[j] - sl[j];
                rPri += e * e;
                uNorm += op.Gu[j] * op.Gu[j];
                zNorm += sl[j] * sl[j];
            }
            rPri = Math.Sqrt(rPri);
            // Dual residual rho ((z - z_prev) + G'(s - s_prev)) and the dual scale rho ||lambda + G' nu||.
            Array.Clear(op.R);
            for (int j = 0; j < gdim; j++) op.T[j] = sl[j] - sPrev[j];
            op.Backward(withT: true);
            double rDual = 0;
            for (int j = 0; j < dim; j++)
            {
                double e = z[j] - zPrev[j] + op.Y[j];
                rDual += e * e;
            }
            rDual = rho * Math.Sqrt(rDual);
            Array.Copy(nu, op.T, gdim);
            op.Backward(withT: true);
            double dualScale = 0;
            for (int j = 0; j < dim; j++)
            {
                double e = lam[j] + op.Y[j];
                dualScale += e * e;
            }
            dualScale = rho * Math.Sqrt(dualScale);
            Array.Copy(z, op.U, dim);
            op.Forward(withG: false);
            double objective = Objective(op, y, z, beta, groups);
            var record = new ReluIteration(it, objective, rPri, rDual, clock.Elapsed);
            history.Add(record);
            o.Progress?.Report(record);
            if (!double.IsFinite(objective) || !double.IsFinite(rPri) || !double.IsFinite(rDual))
            {
                status = SolverStatus.NonFinite;
                message = $"A NaN or infinity appeared at iteration {it} (objective {objective}, residuals {rPri}, {rDual}).";
                break;
            }
            double epsPri = o.AbsoluteTolerance * Math.Sqrt(dim + gdim) + o.Tolerance * Math.Sqrt(Math.Max(uNorm, zNorm));
            double epsDual = o.AbsoluteTolerance * Math.Sqrt(dim) + o.Tolerance * dualScale;
            if (rPri <= epsPri && rDual <= epsDual)
            {
                status = SolverStatus.Converged;
                message = $"Primal residual {rPri:E2} <= {epsPri:E2} and dual residual {rDual:E2} <= {epsDual:E2} after {it} iterations (final rho {rho:G3}).";
                break;
            }
            // Residual balancing (Boyd et al. 2011, 3.4.1), a bounded number of times so that the fixed-rho
            // convergence theory applies from then on; the scaled duals are rescaled with rho.
            if (o.AdaptiveRho && rhoChanges < MaxRhoChanges && (rPri > 10 * rDual || rDual > 10 * rPri))
            {
                double factor = rPri > rDual ? 2 : 0.5;
                rho *= factor;
                for (int j = 0; j < dim; j++) lam[j] /= factor;
                for (int j = 0; j < gdim; j++) nu[j] /= factor;
                Factor();
                rhoChanges++;
            }
            if (o.CancellationToken.IsCancellationRequested)
            {
                status = SolverStatus.Cancelled;
                message = $"Cancelled after {it} iterations.";
                break;
            }
        }
        return new ReluSolveResult(new ReluState(u, z, sl, lam, nu), status, message, it, history, linear, setupClock.Elapsed, clock.Elapsed);
    }

    private static double MaskAt(MaskedOperator op, int k, int i) => op.Masks[k * op.P + i];

    /// <summary>
    /// A Cholesky factor L kept row-major twice (L and L'), so both triangular solves run as contiguous SIMD dot
    /// products: MathNet's managed solve walks columns and took most of each iteration at n = 2000.
    /// </summary>
    private sealed class TriangularFactor
    {
        private readonly int _n;
        private readonly double[] _l, _lt;

        public TriangularFactor(Matrix<double> factor)
        {
            _n = factor.RowCount;
            _l = new double[_n * _n];
            _lt = new double[_n * _n];
            for (int i = 0; i < _n; i++)
                for (int j = 0; j <= i; j++)
                {
                    _l[i * _n + j] = factor[i, j];
                    _lt[j * _n + i] = factor[i, j];
                }
        }

        /// <summary>x = (L L')^-1 b.</summary>
        public void Solve(double[] b, double[] x)
        {
            int n = _n;
            for (int i = 0; i < n; i++)
                x[i] = (b[i] - System.Numerics.Tensors.TensorPrimitives.Dot(_l.AsSpan(i * n, i), x.AsSpan(0, i))) / _l[i * n + i];
            for (int i = n - 1; i >= 0; i--)
                x[i] = (x[i] - System.Numerics.Tensors.TensorPrimitives.Dot(_lt.AsSpan(i * n + i + 1, n - i - 1), x.AsSpan(i + 1, n - i - 1))) / _lt[i * n + i];
        }
    }

    /// <summary>Warm-started preconditioned CG for (I + F'F/rho + G'G) u = b.</summary>
    private sealed class CgWork(int dim)
    {
        private readonly double[] _r = new double[dim], _z = new double[dim], _p = new double[dim], _ap = new double[dim];

        private static void Apply(MaskedOperator op, double[] v, double[] result, double rho)
        {
            Array.Copy(v, op.U, v.Length);
            op.Forward(withG: true);
            for (int k = 0; k < op.N; k++) op.R[k] = op.Fu[k] / rho;
            Array.Copy(op.Gu, op.T, op.Gu.Length);
            op.Backward(withT: true);
            for (int j = 0; j < v.Length; j++) result[j] = v[j] + op.Y[j];
        }

        private static void Precondition(double[] r, double[] z, double[][,] blockInv, int p, int d)
        {
            for (int g = 0; g < 2 * p; g++)
            {
                var m = blockInv[g % p];
                for (int j = 0; j < d; j++)
                {
                    double s = 0;
                    for (int c = 0; c < d; c++) s += r[g * d + c] * m[c, j];
                    z[g * d + j] = s;
                }
            }
        }

        public void Solve(MaskedOperator op, double[] b, double[] u, double[][,] blockInv, double rho, int p, int d)
        {
            Apply(op, u, _ap, rho);
            double bNorm = 0;
            for (int j = 0; j < u.Length; j++)
            {
                _r[j] = b[j] - _ap[j];
                bNorm += b[j] * b[j];
            }
            double tol = 1e-10 * Math.Sqrt(bNorm);
            Precondition(_r, _z, blockInv, p, d);
            Array.Copy(_z, _p, u.Length);
            double rz = Dot(_r, _z);
            for (int it = 0; it < 500 && Math.Sqrt(Dot(_r, _r)) > tol; it++)
            {
                Apply(op, _p, _ap, rho);
                double alpha = rz / Dot(_p, _ap);
                for (int j = 0; j < u.Length; j++)
                {
                    u[j] += alpha * _p[j];
                    _r[j] -= alpha * _ap[j];
                }
                Precondition(_r, _z, blockInv, p, d);
                double rzNew = Dot(_r, _z);
                double betaCg = rzNew / rz;
                rz = rzNew;
                for (int j = 0; j < u.Length; j++) _p[j] = _z[j] + betaCg * _p[j];
            }
        }

        private static double Dot(double[] a, double[] b)
        {
            double s = 0;
            for (int j = 0; j < a.Length; j++) s += a[j] * b[j];
            return s;
        }
    }

    /// <summary>FISTA with adaptive restart for the gated program min 1/2||sum_i D_i X u_i - y||^2 + beta sum ||u_i||.</summary>
    public static ReluSolveResult Fista(MaskedOperator op, double[] y, ConvexReluOptions o, ReluState? warm)
    {
        var setupClock = Stopwatch.StartNew();
        int n = op.N, d = op.D, p = op.P, dim = 2 * p * d, half = p * d;
        // Lipschitz constant ||F_gated||^2 by power iteration on F'F (w half of U held at zero).
        var v = new double[half];
        for (int j = 0; j < half; j++) v[j] = 1.0 + (j % 5) * 0.1;
        double lip = 0;
        for (int it = 0; it < 50; it++)
        {
            double norm = Math.Sqrt(SquaredNorm(v));
            if (norm == 0) break;
            Array.Clear(op.U);
            for (int j = 0; j < half; j++) op.U[j] = v[j] / norm;
            op.Forward(withG: false);
            Array.Copy(op.Fu, op.R, n);
            op.Backward(withT: false);
            Array.Copy(op.Y, v, half);
            lip = Math.Sqrt(SquaredNorm(v));
        }
        double step = 1.0 / Math.Max(1.02 * lip, 1e-300);
        var u = warm?.U is { } wu ? (double[])wu.Clone() : new double[dim];
        var uPrev = (double[])u.Clone();
        var yk = (double[])u.Clone();
        var grad = new double[half];
        var history = new List<ReluIteration>();
        setupClock.Stop();
        var clock = Stopwatch.StartNew();
        double t = 1, lastObjective = double.PositiveInfinity;
        int k = 0;
        SolverStatus status = SolverStatus.MaxIterations;
        string message = $"Reached {o.MaxIterations} iterations.";
        while (k < o.MaxIterations)
        {
            if (o.CancellationToken.IsCancellationRequested)
            {
                status = SolverStatus.Cancelled;
                message = $"Cancelled after {k} iterations.";
                break;
            }
            Array.Copy(yk, op.U, dim);
            op.Forward(withG: false);
            for (int i = 0; i < n; i++) op.R[i] = op.Fu[i] - y[i];
            op.Backward(withT: false);
            Array.Copy(op.Y, grad, half);
            Array.Copy(u, uPrev, dim);
            for (int j = 0; j < half; j++) grad[j] = yk[j] - step * grad[j];
            GroupShrink(grad, u, p, d, step * o.Beta);
            double stepNorm = 0;
            for (int j = 0; j < half; j++)
            {
                double e = u[j] - yk[j];
                stepNorm += e * e;
            }
            stepNorm = Math.Sqrt(stepNorm) / step;
            double tNext = (1 + Math.Sqrt(1 + 4 * t * t)) / 2;
            double momentum = (t - 1) / tNext;
            // Adaptive restart (O'Donoghue and Candes): drop the momentum when it points uphill.
            double uphill = 0;
            for (int j = 0; j < half; j++) uphill += (yk[j] - u[j]) * (u[j] - uPrev[j]);
            if (uphill > 0)
            {
                tNext = 1;
                momentum = 0;
            }
            for (int j = 0; j < half; j++) yk[j] = u[j] + momentum * (u[j] - uPrev[j]);
            t = tNext;
            k++;
            if (k % o.CheckInterval != 0 && k != o.MaxIterations) continue;
            Array.Copy(u, op.U, dim);
            op.Forward(withG: false);
            double objective = Objective(op, y, u, o.Beta, p);
            var record = new ReluIteration(k, objective, stepNorm, 0, clock.Elapsed);
            history.Add(record);
            o.Progress?.Report(record);
            if (!double.IsFinite(objective))
            {
                status = SolverStatus.NonFinite;
                message = $"A NaN or infinity appeared at iteration {k}.";
                break;
            }
            double change = Math.Abs(lastObjective - objective) / Math.Max(Math.Abs(objective), 1e-300);
            lastObjective = objective;
            if (change <= o.Tolerance * 1e-2 && stepNorm <= o.Tolerance * Math.Max(1, Math.Sqrt(SquaredNorm(y))))
            {
                status = SolverStatus.Converged;
                message = $"Objective change {change:E2} and prox-gradient step {stepNorm:E2} below tolerance after {k} iterations.";
                break;
            }
            if (o.CancellationToken.IsCancellationRequested)
            {
                status = SolverStatus.Cancelled;
                message = $"Cancelled after {k} iterations.";
                break;
            }
        }
        return new ReluSolveResult(new ReluState(u, u, [], [], []), status, message, k, history, "FISTA (accelerated proximal gradient, adaptive restart)", setupClock.Elapsed, clock.Elapsed);
    }
}
