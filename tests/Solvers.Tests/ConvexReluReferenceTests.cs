using Solvers.Relu;
using Xunit;
using Xunit.Abstractions;

namespace Solvers.Tests;

/// <summary>
/// Validates the PDHG reference for the convex ReLU program before it is used to judge the ADMM solver: hand-solved
/// one-dimensional cases, the KKT conditions on a random problem (multipliers by exact nonnegative least squares),
/// the all-zero solution for large beta, and the equivalence with the nonconvex network objective.
/// </summary>
public sealed class ConvexReluReferenceTests(ITestOutputHelper output)
{
    // Stationarity residual allowed, relative to 1 + ||X' y||; the solver's stopping test is far tighter.
    private const double StationarityTolerance = 1e-6;

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>Masks 1[X g_i &gt;= 0] from random gates g_i, so every constraint set holds a nonzero point (g_i itself).</summary>
    private static double[,] GateMasks(Random rng, double[,] x, int p)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var masks = new double[n, p];
        for (int i = 0; i < p; i++)
        {
            var g = new double[d];
            for (int c = 0; c < d; c++) g[c] = Gaussian(rng);
            for (int k = 0; k < n; k++)
            {
                double h = 0;
                for (int c = 0; c < d; c++) h += x[k, c] * g[c];
                masks[k, i] = h >= 0 ? 1 : 0;
            }
        }
        return masks;
    }

    private void Report(string label, (double Objective, double[,] V, double[,] W, double MaxViolation, ConvexReluReference.Diagnostics Info) r) =>
        output.WriteLine($"{label}: objective {r.Objective:R}, violation {r.MaxViolation:E2}, {r.Info.Iterations} iterations, " +
            $"residuals {r.Info.PrimalResidual:E2} / {r.Info.DualResidual:E2}, converged {r.Info.Converged}, ||K|| {r.Info.OperatorNorm:G4}");

    // X = (2, 1, -1, -3), mask = 1[x >= 0] = (1, 1, 0, 0), so D X = (2, 1, 0, 0) and the constraints read
    // (2, 1, 1, 3) v >= 0, i.e. v >= 0 and likewise w >= 0. With t = v - w the fit is 1/2 ||a t - b||^2 + 1/2 (y_3^2 + y_4^2)
    // with a = (2, 1), b = (y_1, y_2); the penalty beta (v + w) is smallest with one of v, w zero, i.e. beta |t|.
    // Soft-thresholding: t = sign(a.b) max(|a.b| - beta, 0) / ||a||^2.
    // y = (4, 3, 5, -1), beta = 1: a.b = 11, t = 10/5 = 2, so v = 2, w = 0;
    //   objective = 1/2 ((4 - 4)^2 + (2 - 3)^2) + 1/2 (25 + 1) + 1 * 2 = 0.5 + 13 + 2 = 15.5.
    // y = (-4, -3, 5, -1), beta = 1: a.b = -11, t = -2, so v = 0, w = 2; objective 15.5 by symmetry.
    [Theory]
    [InlineData(4.0, 3.0, 2.0, 0.0)]
    [InlineData(-4.0, -3.0, 0.0, 2.0)]
    public void One_dimensional_case_matches_hand_solution(double y1, double y2, double expectedV, double expectedW)
    {
        var x = new double[,] { { 2 }, { 1 }, { -1 }, { -3 } };
        var masks = new double[,] { { 1 }, { 1 }, { 0 }, { 0 } };
        double[] y = [y1, y2, 5, -1];
        var r = ConvexReluReference.SolveDetailed(x, y, masks, beta: 1.0);
        Report("1-d", r);
        Assert.Equal(15.5, r.Objective, 1e-8);
        Assert.Equal(expectedV, r.V[0, 0], 1e-7);
        Assert.Equal(expectedW, r.W[0, 0], 1e-7);
        Assert.True(r.MaxViolation <= 1e-9);
    }

    // Same X with mask (1, 0, 0, 0): row 1 asks 2 v >= 0, row 2 asks -(1 v) >= 0, so v = 0 and w = 0 are forced:
    // the constraints, not the penalty, decide, and the objective is 1/2 ||y||^2 = 1/2 (16 + 9 + 25 + 1) = 25.5 even at beta = 0.
    [Fact]
    public void Contradictory_mask_forces_zero()
    {
        var x = new double[,] { { 2 }, { 1 }, { -1 }, { -3 } };
        var masks = new double[,] { { 1 }, { 0 }, { 0 }, { 0 } };
        double[] y = [4, 3, 5, -1];
        var r = ConvexReluReference.SolveDetailed(x, y, masks, beta: 0.0);
        Report("forced zero", r);
        Assert.Equal(25.5, r.Objective, 1e-7);
        Assert.Equal(0, r.V[0, 0], 1e-7);
        Assert.Equal(0, r.W[0, 0], 1e-7);
    }

    [Fact]
    public void Huge_beta_gives_all_groups_zero()
    {
        var rng = new Random(21);
        var x = AdamReluTrainerTests.DataWithBias(rng, 25, 2);
        var y = AdamReluTrainerTests.Planted(x);
        var masks = GateMasks(rng, x, 4);
        var r = ConvexReluReference.SolveDetailed(x, y, masks, beta: 1e6);
        Report("huge beta", r);
        Assert.All(r.V.Cast<double>(), t => Assert.Equal(0.0, t));
        Assert.All(r.W.Cast<double>(), t => Assert.Equal(0.0, t));
        Assert.Equal(0.5 * y.Sum(t => t * t), r.Objective, 1e-12);
    }

    [Theory]
    [InlineData(31, 0.2)]
    [InlineData(32, 1.0)]
    [InlineData(33, 0.02)]
    public void Random_problem_satisfies_KKT(int seed, double beta)
    {
        var rng = new Random(seed);
        int n = 24, p = 5;
        var x = AdamReluTrainerTests.DataWithBias(rng, n, 2);
        var y = AdamReluTrainerTests.Planted(x);
        for (int k = 0; k < n; k++) y[k] += 0.1 * Gaussian(rng);
        var masks = GateMasks(rng, x, p);
        var r = ConvexReluReference.SolveDetailed(x, y, masks, beta);
        Report($"seed {seed}, beta {beta}", r);
        Assert.True(r.MaxViolation <= 1e-8, $"violation {r.MaxViolation:E2}");

        var (worst, nonzero, activeInNonzero, scale) = Stationarity(x, y, masks, beta, r.V, r.W);
        output.WriteLine($"{nonzero} nonzero groups of {2 * p}, {activeInNonzero} active constraints in them; worst stationarity residual {worst:E2} (scale {scale:G4})");
        Assert.True(nonzero > 0, "the test needs a nonzero group to mean anything");
        Assert.True(worst <= StationarityTolerance * (1 + scale), $"stationarity residual {worst:E2}");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.01)]
    [InlineData(0.3)]
    public void Largest_intended_size_satisfies_KKT(double beta)
    {
        // n = 40, d = 4 (three features and the bias), P = 6: the largest problems the reference is meant for.
        for (int seed = 60; seed < 64; seed++)
        {
            var rng = new Random(seed);
            var x = AdamReluTrainerTests.DataWithBias(rng, 40, 3);
            var y = new double[40];
            for (int k = 0; k < 40; k++) y[k] = Math.Max(0, x[k, 0] + x[k, 1] - x[k, 3]) - Math.Max(0, x[k, 2] - 0.5 * x[k, 3]) + 0.1 * Gaussian(rng);
            var masks = GateMasks(rng, x, 6);
            var r = ConvexReluReference.SolveDetailed(x, y, masks, beta);
            Report($"seed {seed}, beta {beta}", r);
            var (worst, nonzero, _, scale) = Stationarity(x, y, masks, beta, r.V, r.W);
            output.WriteLine($"  {nonzero} nonzero groups, stationarity residual {worst:E2}");
            Assert.True(r.MaxViolation <= 1e-8, $"seed {seed}: violation {r.MaxViolation:E2}");
            Assert.True(worst <= StationarityTolerance * (1 + scale), $"seed {seed}: stationarity residual {worst:E2}");
        }
    }

    [Fact]
    public void Convex_solution_is_a_network_with_the_same_objective()
    {
        // v_i -> neuron u = v_i / sqrt||v_i||, alpha = sqrt||v_i|| (w_i with alpha negative): the constraints make
        // D_i X v_i = relu(X v_i), and (||u||^2 + alpha^2) / 2 = ||v_i||, so the two objectives agree.
        var rng = new Random(41);
        var x = AdamReluTrainerTests.DataWithBias(rng, 30, 2);
        var y = AdamReluTrainerTests.Planted(x);
        var masks = GateMasks(rng, x, 6);
        const double Beta = 0.1;
        var r = ConvexReluReference.SolveDetailed(x, y, masks, Beta);
        Report("network equivalence", r);
        int p = masks.GetLength(1), d = x.GetLength(1);
        var first = new double[2 * p, d];
        var second = new double[2 * p];
        for (int i = 0; i < p; i++)
        {
            for (int sign = 1; sign >= -1; sign -= 2)
            {
                var u = sign == 1 ? r.V : r.W;
                int j = sign == 1 ? i : p + i;
                double norm = Math.Sqrt(Enumerable.Range(0, d).Sum(c => u[i, c] * u[i, c]));
                if (norm == 0) continue;
                for (int c = 0; c < d; c++) first[j, c] = u[i, c] / Math.Sqrt(norm);
                second[j] = sign * Math.Sqrt(norm);
            }
        }
        double network = AdamReluTrainer.Objective(x, y, first, second, Beta);
        output.WriteLine($"convex {r.Objective:R}, network {network:R}");
        Assert.Equal(r.Objective, network, 1e-8 * (1 + r.Objective));
    }

    [Fact]
    public void Convex_value_with_the_trained_networks_patterns_bounds_Adam_from_below()
    {
        var rng = new Random(51);
        var x = AdamReluTrainerTests.DataWithBias(rng, 30, 2);
        var y = AdamReluTrainerTests.Planted(x);
        for (int k = 0; k < y.Length; k++) y[k] += 0.05 * Gaussian(rng);
        const double Beta = 0.05;
        var adam = AdamReluTrainer.Train(x, y, new AdamReluOptions { Width = 6, Beta = Beta, Epochs = 3000, Seed = 2 });

        // Each neuron's pattern 1[X u_j >= 0] becomes a mask (duplicates merged): the network maps to a feasible
        // point of the convex program with no larger objective, so the convex optimum lies below Adam's value.
        int n = x.GetLength(0), d = x.GetLength(1), m = adam.SecondLayer.Length;
        var patterns = new List<double[]>();
        for (int j = 0; j < m; j++)
        {
            var pattern = new double[n];
            for (int k = 0; k < n; k++)
            {
                double h = 0;
                for (int c = 0; c < d; c++) h += x[k, c] * adam.FirstLayer[j, c];
                pattern[k] = h >= 0 ? 1 : 0;
            }
            if (!patterns.Any(q => q.SequenceEqual(pattern))) patterns.Add(pattern);
        }
        var masks = new double[n, patterns.Count];
        for (int i = 0; i < patterns.Count; i++)
            for (int k = 0; k < n; k++) masks[k, i] = patterns[i][k];
        var r = ConvexReluReference.SolveDetailed(x, y, masks, Beta);
        Report($"{patterns.Count} Adam patterns", r);
        output.WriteLine($"Adam {adam.Objective:R}, convex {r.Objective:R}");
        Assert.True(r.Objective <= adam.Objective + 1e-9, $"convex {r.Objective:R} above Adam {adam.Objective:R}");
    }

    /// <summary>
    /// Largest stationarity residual over the groups, with multipliers on the active rows from exact NNLS; also the
    /// number of nonzero groups, the active constraints in them and ||X' y|| to scale the residual.
    /// </summary>
    private static (double Worst, int Nonzero, int ActiveInNonzero, double Scale) Stationarity(double[,] x, double[] y, double[,] masks, double beta,
        double[,] v, double[,] w)
    {
        int n = x.GetLength(0), d = x.GetLength(1), p = masks.GetLength(1);
        // Residual of the fit, then per group the stationarity of
        // 1/2||sum D_i X (v_i - w_i) - y||^2 + beta ||v_i|| - lambda' (2 D_i - I) X v_i with lambda >= 0 on the active rows.
        var res = new double[n];
        for (int k = 0; k < n; k++)
        {
            double f = 0;
            for (int i = 0; i < p; i++)
                for (int c = 0; c < d; c++) f += masks[k, i] * x[k, c] * (v[i, c] - w[i, c]);
            res[k] = f - y[k];
        }
        double scale = 0;
        for (int c = 0; c < d; c++)
        {
            double s = 0;
            for (int k = 0; k < n; k++) s += x[k, c] * y[k];
            scale += s * s;
        }
        scale = Math.Sqrt(scale); // ||X' y||: the size of the gradient terms at u = 0.
        const double ZeroNorm = 1e-9, ActiveSlack = 1e-7;
        int nonzero = 0, activeInNonzero = 0;
        double worst = 0;
        for (int i = 0; i < p; i++)
        {
            for (int sign = 1; sign >= -1; sign -= 2)
            {
                var u = sign == 1 ? v : w;
                var grad = new double[d];
                for (int c = 0; c < d; c++)
                    for (int k = 0; k < n; k++) grad[c] += sign * masks[k, i] * res[k] * x[k, c];
                double norm = Math.Sqrt(Enumerable.Range(0, d).Sum(c => u[i, c] * u[i, c]));
                var rows = new List<double[]>();
                for (int k = 0; k < n; k++)
                {
                    double s = 2 * masks[k, i] - 1, h = 0;
                    for (int c = 0; c < d; c++) h += s * x[k, c] * u[i, c];
                    if (norm <= ZeroNorm || h <= ActiveSlack * (1 + norm))
                        rows.Add(Enumerable.Range(0, d).Select(c => s * x[k, c]).ToArray());
                }
                double violation;
                if (norm > ZeroNorm)
                {
                    // grad + beta u/||u|| = A_active' lambda, lambda >= 0.
                    nonzero++;
                    activeInNonzero += rows.Count;
                    var target = Enumerable.Range(0, d).Select(c => grad[c] + beta * u[i, c] / norm).ToArray();
                    violation = Nnls(rows, target);
                }
                else
                {
                    // 0 in grad + beta * unit ball - A' lambda: the distance from grad to the cone A' lambda is at most beta.
                    violation = Math.Max(0, Nnls(rows, grad) - beta);
                }
                worst = Math.Max(worst, violation);
            }
        }
        return (worst, nonzero, activeInNonzero, scale);
    }

    /// <summary>
    /// min over lambda &gt;= 0 of || sum_r lambda_r rows[r] - target ||, by Lawson and Hanson's active-set method,
    /// exact up to rounding, so the stationarity check does not inherit an iterative solver's tolerance.
    /// </summary>
    private static double Nnls(List<double[]> rows, double[] target)
    {
        int q = rows.Count, d = target.Length;
        var lambda = new double[q];
        var passive = new bool[q];
        double Residual(double[] l, double[] into)
        {
            for (int c = 0; c < d; c++)
            {
                double s = -target[c];
                for (int j = 0; j < q; j++) s += l[j] * rows[j][c];
                into[c] = s;
            }
            return Math.Sqrt(into.Sum(t => t * t));
        }
        var r = new double[d];
        double tol = 1e-13 * (1 + Math.Sqrt(target.Sum(t => t * t))) * (1 + rows.Sum(row => Math.Sqrt(row.Sum(t => t * t))));
        for (int outer = 0; outer < 3 * q + 3; outer++)
        {
            Residual(lambda, r);
            int best = -1;
            double bestW = tol;
            for (int j = 0; j < q; j++)
            {
                if (passive[j]) continue;
                double wj = -rows[j].Zip(r, (a, b) => a * b).Sum(); // -gradient of 1/2||E lambda - t||^2
                if (wj > bestW) { bestW = wj; best = j; }
            }
            if (best < 0) break;
            passive[best] = true;
            for (int inner = 0; inner < q + 1; inner++)
            {
                var idx = Enumerable.Range(0, q).Where(j => passive[j]).ToArray();
                var s = new double[q];
                var z = LeastSquares(idx.Select(j => rows[j]).ToArray(), target);
                for (int a = 0; a < idx.Length; a++) s[idx[a]] = z[a];
                if (idx.All(j => s[j] > 0))
                {
                    lambda = s;
                    break;
                }
                double alpha = 1;
                foreach (int j in idx)
                    if (s[j] <= 0) alpha = Math.Min(alpha, lambda[j] / (lambda[j] - s[j]));
                for (int j = 0; j < q; j++)
                {
                    lambda[j] += alpha * (s[j] - lambda[j]);
                    if (passive[j] && lambda[j] <= 1e-15) { lambda[j] = 0; passive[j] = false; }
                }
            }
        }
        return Residual(lambda, r);
    }

    /// <summary>min over z of || sum_a z_a cols[a] - t || through the normal equations, Gaussian elimination with pivoting.</summary>
    private static double[] LeastSquares(double[][] cols, double[] t)
    {
        int k = cols.Length;
        var a = new double[k, k + 1];
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < k; j++) a[i, j] = cols[i].Zip(cols[j], (p, q) => p * q).Sum();
            a[i, k] = cols[i].Zip(t, (p, q) => p * q).Sum();
        }
        for (int col = 0; col < k; col++)
        {
            int piv = col;
            for (int i = col + 1; i < k; i++) if (Math.Abs(a[i, col]) > Math.Abs(a[piv, col])) piv = i;
            for (int j = 0; j <= k; j++) (a[col, j], a[piv, j]) = (a[piv, j], a[col, j]);
            for (int i = col + 1; i < k; i++)
            {
                double f = a[i, col] / a[col, col];
                for (int j = col; j <= k; j++) a[i, j] -= f * a[col, j];
            }
        }
        var z = new double[k];
        for (int i = k - 1; i >= 0; i--)
        {
            double s = a[i, k];
            for (int j = i + 1; j < k; j++) s -= a[i, j] * z[j];
            z[i] = s / a[i, i];
        }
        return z;
    }
}
