namespace Solvers.Tests;

/// <summary>
/// Reference solver for the convex program of two-layer ReLU networks (Pilanci and Ergen):
/// <code>
/// min over v_i, w_i in R^d:  1/2 || sum_i D_i X (v_i - w_i) - y ||^2 + beta sum_i (||v_i|| + ||w_i||)
/// subject to (2 D_i - I) X v_i &gt;= 0,  (2 D_i - I) X w_i &gt;= 0,
/// </code>
/// with D_i = diag(masks[:, i]). It exists to check the library's ADMM solver against an algorithm that shares
/// no code or splitting with it, so it is Chambolle-Pock primal-dual hybrid gradient (PDHG) written with plain
/// loops: slow, but each step is a closed form that can be checked by eye.
/// <para>
/// Splitting: u = (v_1..v_P, w_1..w_P), K u = (F u, G u) with F u = sum_i D_i X (v_i - w_i) and G u the stacked
/// (2 D_i - I) X v_i, (2 D_i - I) X w_i. The primal term f(u) = beta sum of group norms has the group
/// soft-thresholding prox; the dual term g(a, b) = 1/2 ||a - y||^2 + indicator(b &gt;= 0) has conjugate
/// g*(z_a, z_b) = 1/2 ||z_a||^2 + z_a . y + indicator(z_b &lt;= 0), whose prox is (q - sigma y) / (1 + sigma) on
/// the first block and min(q, 0) on the second. The multipliers of the cone constraints are -z_b.
/// </para>
/// <para>
/// Steps: tau = eta / omega, sigma = eta omega with eta = 1 / (1.05 ||K||), ||K|| from power iteration, so
/// tau sigma ||K||^2 &lt; 1 and PDHG converges. Plain PDHG crawled for small beta (200000 iterations left
/// stationarity residuals near 1e-5 at n = 40, d = 4, P = 6), so the iteration restarts to the average of each cycle
/// and rebalances the primal weight omega at restarts, as PDLP does (Applegate et al., 2021); both keep the
/// product tau sigma, hence convergence. Stops when both residuals of Goldstein, Li and Yuan fall below tolerance
/// times their scales (1 + ||K|| ||y|| and 1 + ||y||).
/// </para>
/// </summary>
internal static class ConvexReluReference
{
    /// <summary>What <see cref="SolveDetailed"/> reports beyond the solution: the iteration count and final residuals.</summary>
    internal readonly record struct Diagnostics(int Iterations, double PrimalResidual, double DualResidual, bool Converged, double OperatorNorm);

    /// <summary>
    /// Solves the convex program; returns the objective at the returned (V, W) (P x d each) and the largest
    /// violation max(0, -((2 D_i - I) X v_i)_k) over all groups and rows.
    /// </summary>
    public static (double Objective, double[,] V, double[,] W, double MaxViolation) Solve(double[,] x, double[] y, double[,] masks, double beta,
        int maxIterations = 200000, double tolerance = 1e-10)
    {
        var (objective, v, w, violation, _) = SolveDetailed(x, y, masks, beta, maxIterations, tolerance);
        return (objective, v, w, violation);
    }

    /// <summary><see cref="Solve"/> with the iteration diagnostics, for test output.</summary>
    internal static (double Objective, double[,] V, double[,] W, double MaxViolation, Diagnostics Info) SolveDetailed(double[,] x, double[] y,
        double[,] masks, double beta, int maxIterations = 200000, double tolerance = 1e-10)
    {
        Check(x, y, masks, beta);
        int n = x.GetLength(0), d = x.GetLength(1), p = masks.GetLength(1);
        var op = new Operator(x, masks);
        int nu = 2 * p * d, nz = n + 2 * p * n;

        double normK = op.EstimateNorm();
        // The power iteration approaches ||K|| from below; 5 % margin keeps tau sigma ||K||^2 < 1 for sure.
        double eta = 1.0 / (1.05 * Math.Max(normK, 1e-300));
        double weight = 1.0;

        double yNorm = Math.Sqrt(y.Sum(t => t * t));
        double primalScale = 1.0 + normK * yNorm, dualScale = 1.0 + yNorm;
        var prox = new Prox(y, n, p, d, beta);

        // Current iterate, the running sums for its average since the last restart, and the point of the last restart.
        // K u and K^T z are carried (and averaged, by linearity) so each step applies K and K^T once.
        var cur = new State(nu, nz);
        var next = new State(nu, nz);
        var trial = new State(nu, nz);
        var avg = new State(nu, nz);
        var sum = new State(nu, nz);
        var lastRestart = new State(nu, nz);
        int count = 0, sinceRestart = 0, iter = 0;
        double errRestart = double.PositiveInfinity, errPrevious = double.PositiveInfinity;
        double primalRes = double.PositiveInfinity, dualRes = double.PositiveInfinity;
        bool converged = false;
        const int CheckEvery = 64;

        double Error(double pr, double dr) => Math.Sqrt(pr * pr / (primalScale * primalScale) + dr * dr / (dualScale * dualScale));

        while (iter < maxIterations)
        {
            iter++;
            sinceRestart++;
            (primalRes, dualRes) = Step(op, prox, cur, next, eta / weight, eta * weight);
            (cur, next) = (next, cur);
            sum.Add(cur);
            count++;
            if (primalRes <= tolerance * primalScale && dualRes <= tolerance * dualScale)
            {
                converged = true;
                break;
            }
            if (sinceRestart % CheckEvery != 0) continue;

            // Restarts to the average (Applegate et al., PDLP, 2021): the average of a restart cycle converges
            // where the last iterate spirals, which is what made plain PDHG crawl for small beta. The average is
            // judged by the residuals of one step taken from it.
            avg.SetScaled(sum, 1.0 / count);
            var (avgPr, avgDr) = Step(op, prox, avg, trial, eta / weight, eta * weight);
            double errAverage = Error(avgPr, avgDr), errCurrent = Error(primalRes, dualRes);
            bool averageWins = errAverage < errCurrent;
            double errCandidate = Math.Min(errAverage, errCurrent);
            bool restart = errCandidate <= 0.2 * errRestart
                || (errCandidate <= 0.8 * errRestart && errCandidate > errPrevious)
                || sinceRestart >= 0.36 * iter;
            errPrevious = errCandidate;
            if (!restart) continue;

            if (averageWins)
            {
                (cur, trial) = (trial, cur);
                (primalRes, dualRes) = (avgPr, avgDr);
                if (primalRes <= tolerance * primalScale && dualRes <= tolerance * dualScale)
                {
                    converged = true;
                    break;
                }
            }
            // Primal weight: balance the distances moved since the last restart, smoothed, as PDLP does.
            double du = State.Distance(cur.U, lastRestart.U), dz = State.Distance(cur.Z, lastRestart.Z);
            if (du > 1e-12 && dz > 1e-12 && iter > CheckEvery) weight = Math.Exp(0.5 * Math.Log(dz / du) + 0.5 * Math.Log(weight));
            lastRestart.CopyFrom(cur);
            sum.Clear();
            count = 0;
            sinceRestart = 0;
            errRestart = errCandidate;
            errPrevious = double.PositiveInfinity;
        }

        var v = new double[p, d];
        var w = new double[p, d];
        for (int i = 0; i < p; i++)
        {
            for (int j = 0; j < d; j++)
            {
                v[i, j] = cur.U[i * d + j];
                w[i, j] = cur.U[(p + i) * d + j];
            }
        }
        double objective = Objective(x, y, masks, beta, v, w);
        double violation = MaxViolation(x, masks, v, w);
        return (objective, v, w, violation, new Diagnostics(iter, primalRes, dualRes, converged, normK));
    }

    /// <summary>
    /// One PDHG step from s to t: u+ = prox_tau f(u - tau K^T z), z+ = prox_sigma g*(z + sigma K (2 u+ - u)).
    /// Returns the residuals of Goldstein, Li and Yuan (2015), P in df(u+) + K^T z+ and D in dg*(z+) - K u+, which
    /// both vanish exactly at a saddle point.
    /// </summary>
    private static (double Primal, double Dual) Step(Operator op, Prox prox, State s, State t, double tau, double sigma)
    {
        for (int j = 0; j < s.U.Length; j++) t.U[j] = s.U[j] - tau * s.Ktz[j];
        prox.Primal(t.U, tau);
        op.Apply(t.U, t.Ku);
        for (int j = 0; j < s.Z.Length; j++) t.Z[j] = s.Z[j] + sigma * (2 * t.Ku[j] - s.Ku[j]);
        prox.Dual(t.Z, sigma);
        op.ApplyTranspose(t.Z, t.Ktz);

        double pr = 0, dr = 0;
        for (int j = 0; j < s.U.Length; j++)
        {
            double a = (s.U[j] - t.U[j]) / tau - (s.Ktz[j] - t.Ktz[j]);
            pr += a * a;
        }
        for (int j = 0; j < s.Z.Length; j++)
        {
            double a = (s.Z[j] - t.Z[j]) / sigma - (s.Ku[j] - t.Ku[j]);
            dr += a * a;
        }
        return (Math.Sqrt(pr), Math.Sqrt(dr));
    }

    /// <summary>A primal-dual point with K u and K^T z: u = (v_1..v_P, w_1..w_P) flat, z = (z_a, z_v1..z_vP, z_w1..z_wP) flat.</summary>
    private sealed class State(int nu, int nz)
    {
        public double[] U { get; } = new double[nu];
        public double[] Z { get; } = new double[nz];
        public double[] Ku { get; } = new double[nz];
        public double[] Ktz { get; } = new double[nu];

        public void Add(State o)
        {
            for (int j = 0; j < U.Length; j++) { U[j] += o.U[j]; Ktz[j] += o.Ktz[j]; }
            for (int j = 0; j < Z.Length; j++) { Z[j] += o.Z[j]; Ku[j] += o.Ku[j]; }
        }

        public void SetScaled(State o, double c)
        {
            for (int j = 0; j < U.Length; j++) { U[j] = c * o.U[j]; Ktz[j] = c * o.Ktz[j]; }
            for (int j = 0; j < Z.Length; j++) { Z[j] = c * o.Z[j]; Ku[j] = c * o.Ku[j]; }
        }

        public void CopyFrom(State o) => SetScaled(o, 1.0);

        public void Clear()
        {
            Array.Clear(U); Array.Clear(Z); Array.Clear(Ku); Array.Clear(Ktz);
        }

        public static double Distance(double[] a, double[] b)
        {
            double s = 0;
            for (int j = 0; j < a.Length; j++) s += (a[j] - b[j]) * (a[j] - b[j]);
            return Math.Sqrt(s);
        }
    }

    /// <summary>The two proxes: group soft-thresholding for f, and the Moreau-derived closed form for g*.</summary>
    private sealed class Prox(double[] y, int n, int p, int d, double beta)
    {
        /// <summary>u := prox_{tau f}(u), each group of d shrunk towards 0 by tau beta in norm.</summary>
        public void Primal(double[] u, double tau)
        {
            for (int g = 0; g < 2 * p; g++)
            {
                double norm = 0;
                for (int j = 0; j < d; j++) norm += u[g * d + j] * u[g * d + j];
                norm = Math.Sqrt(norm);
                double scale = norm > tau * beta ? 1 - tau * beta / norm : 0.0;
                for (int j = 0; j < d; j++) u[g * d + j] *= scale;
            }
        }

        /// <summary>z := prox_{sigma g*}(z): (q - sigma y) / (1 + sigma) on the fit block, min(q, 0) on the cone blocks.</summary>
        public void Dual(double[] z, double sigma)
        {
            for (int k = 0; k < n; k++) z[k] = (z[k] - sigma * y[k]) / (1 + sigma);
            for (int j = n; j < z.Length; j++) z[j] = Math.Min(0.0, z[j]);
        }
    }

    /// <summary>The convex program's objective at (v, w), constraints not included.</summary>
    public static double Objective(double[,] x, double[] y, double[,] masks, double beta, double[,] v, double[,] w)
    {
        int n = x.GetLength(0), d = x.GetLength(1), p = masks.GetLength(1);
        double loss = 0;
        for (int k = 0; k < n; k++)
        {
            double pred = 0;
            for (int i = 0; i < p; i++)
            {
                if (masks[k, i] == 0) continue;
                for (int j = 0; j < d; j++) pred += x[k, j] * (v[i, j] - w[i, j]);
            }
            loss += 0.5 * (pred - y[k]) * (pred - y[k]);
        }
        double reg = 0;
        for (int i = 0; i < p; i++) reg += GroupNorm(v, i, d) + GroupNorm(w, i, d);
        return loss + beta * reg;
    }

    /// <summary>Largest violation max(0, -((2 D_i - I) X v_i)_k) over groups, rows and both v and w.</summary>
    internal static double MaxViolation(double[,] x, double[,] masks, double[,] v, double[,] w)
    {
        int n = x.GetLength(0), d = x.GetLength(1), p = masks.GetLength(1);
        double worst = 0;
        for (int i = 0; i < p; i++)
        {
            for (int k = 0; k < n; k++)
            {
                double s = 2 * masks[k, i] - 1, xv = 0, xw = 0;
                for (int j = 0; j < d; j++) { xv += x[k, j] * v[i, j]; xw += x[k, j] * w[i, j]; }
                worst = Math.Max(worst, Math.Max(-s * xv, -s * xw));
            }
        }
        return worst;
    }

    private static double GroupNorm(double[,] u, int i, int d)
    {
        double s = 0;
        for (int j = 0; j < d; j++) s += u[i, j] * u[i, j];
        return Math.Sqrt(s);
    }

    private static void Check(double[,] x, double[] y, double[,] masks, double beta)
    {
        if (x.GetLength(0) != y.Length) throw new ArgumentException($"x has {x.GetLength(0)} rows but y has {y.Length} entries.");
        if (masks.GetLength(0) != y.Length) throw new ArgumentException($"masks has {masks.GetLength(0)} rows but y has {y.Length} entries.");
        foreach (double m in masks)
            if (m != 0 && m != 1) throw new ArgumentException("Mask entries must be 0 or 1.");
        if (!(beta >= 0) || double.IsInfinity(beta)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "beta must be finite and >= 0.");
    }

    /// <summary>K and K^T of the splitting on the flat layout of <see cref="State"/>, applied with plain loops.</summary>
    private sealed class Operator(double[,] x, double[,] masks)
    {
        private readonly int _n = x.GetLength(0), _d = x.GetLength(1), _p = masks.GetLength(1);

        /// <summary>b = K u: b_a = sum_i D_i X (v_i - w_i), then (2 D_i - I) X v_i for each i, then (2 D_i - I) X w_i.</summary>
        public void Apply(double[] u, double[] b)
        {
            Array.Clear(b, 0, _n);
            for (int g = 0; g < 2 * _p; g++)
            {
                int i = g % _p;
                double sign = g < _p ? 1 : -1;
                for (int k = 0; k < _n; k++)
                {
                    double h = 0;
                    for (int j = 0; j < _d; j++) h += x[k, j] * u[g * _d + j];
                    double m = masks[k, i];
                    b[k] += sign * m * h;
                    b[_n + g * _n + k] = (2 * m - 1) * h;
                }
            }
        }

        /// <summary>u = K^T b, the adjoint of <see cref="Apply"/>.</summary>
        public void ApplyTranspose(double[] b, double[] u)
        {
            Array.Clear(u);
            for (int g = 0; g < 2 * _p; g++)
            {
                int i = g % _p;
                double sign = g < _p ? 1 : -1;
                for (int k = 0; k < _n; k++)
                {
                    double m = masks[k, i];
                    double c = sign * m * b[k] + (2 * m - 1) * b[_n + g * _n + k];
                    for (int j = 0; j < _d; j++) u[g * _d + j] += c * x[k, j];
                }
            }
        }

        /// <summary>||K||_2 by power iteration on K^T K from a fixed, generic start (deterministic results).</summary>
        public double EstimateNorm()
        {
            int nu = 2 * _p * _d;
            var u = new double[nu];
            for (int j = 0; j < nu; j++) u[j] = 1.0 + 0.1 * Math.Sin(j + 1.0);
            var b = new double[_n + 2 * _p * _n];
            double lambda = 0;
            for (int it = 0; it < 1000; it++)
            {
                double norm = Math.Sqrt(u.Sum(t => t * t));
                if (norm == 0) return 0;
                for (int j = 0; j < nu; j++) u[j] /= norm;
                Apply(u, b);
                ApplyTranspose(b, u);
                double next = Math.Sqrt(u.Sum(t => t * t)); // ||K^T K q|| for unit q: tends to ||K||^2 from below.
                if (it > 10 && Math.Abs(next - lambda) <= 1e-12 * next) { lambda = next; break; }
                lambda = next;
            }
            return Math.Sqrt(lambda);
        }
    }
}
