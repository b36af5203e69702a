using MathNet.Numerics.LinearAlgebra.Double;
using Solvers.Kernels;
using Solvers.Learning;
using Solvers.Linear;
using Solvers.Problems;
using Solvers.Sparse;
using Xunit;
using Xunit.Abstractions;

namespace Solvers.Tests;

/// <summary>SOR solver, SSOR in both orderings, Young's omega, the shipped sequences and the sequence solver.</summary>
public sealed class SorTests(ITestOutputHelper output)
{
    private static Backend Cpu() => Backend.Create(BackendKind.Cpu, new BackendOptions { MaxDegreeOfParallelism = 2 });

    private static double[] Dense(CsrMatrix a, double[] b) => DenseMatrix.OfArray(a.ToDense()).Solve(DenseVector.OfArray(b)).ToArray();

    [Theory]
    [InlineData(1.0, SorOrdering.Natural, BackendKind.Cpu)]
    [InlineData(1.6, SorOrdering.Natural, BackendKind.Cpu)]
    [InlineData(1.6, SorOrdering.Multicolor, BackendKind.Cpu)]
    [InlineData(1.3, SorOrdering.Multicolor, BackendKind.IlgpuCpu)]
    public void Sor_matches_a_dense_solve(double omega, SorOrdering ordering, BackendKind kind)
    {
        var a = PdeProblems.VariableCoefficient2D(kind == BackendKind.IlgpuCpu ? 6 : 12);
        var b = Enumerable.Range(0, a.Rows).Select(i => Math.Cos(0.3 * i)).ToArray();
        using var backend = Backend.Create(kind, new BackendOptions { MaxDegreeOfParallelism = 2 });
        using var sor = new SorSolver(new SorOptions { Omega = omega, Ordering = ordering, Tolerance = 1e-11 }, backend);
        var r = sor.Solve(a, b);
        Assert.Equal(SolverStatus.Converged, r.Status);
        var x = Dense(a, b);
        for (int i = 0; i < a.Rows; i++) Assert.Equal(x[i], r.Solution[i], 1e-8);
    }

    [Fact]
    public void Natural_order_sweep_is_gauss_seidel_by_hand()
    {
        // One Gauss-Seidel sweep on [[4,-1],[-1,4]] x = [3, 3] from 0: x0 = 3/4, x1 = (3 + 3/4)/4 = 15/16.
        var a = CsrMatrix.FromDense(new double[,] { { 4, -1 }, { -1, 4 } });
        using var sor = new SorSolver(new SorOptions { MaxIterations = 1, Omega = 1.0 }, Cpu());
        var r = sor.Solve(a, new[] { 3.0, 3.0 });
        Assert.Equal(SolverStatus.MaxIterations, r.Status);
        Assert.Equal(0.75, r.Solution[0], 15);
        Assert.Equal(15.0 / 16, r.Solution[1], 15);
    }

    [Fact]
    public void Young_omega_matches_the_closed_form_on_2d_poisson()
    {
        // Jacobi spectral radius of the 5-point Laplacian on an N x N grid is cos(pi / (N + 1)).
        const int n = 10;
        var a = PdeProblems.Poisson2D(n);
        double beta = SorParameters.JacobiSpectralRadius(a, iterations: 400);
        Assert.Equal(Math.Cos(Math.PI / (n + 1)), beta, 3);
        double omega = SorParameters.OptimalOmega(a, iterations: 400);
        Assert.Equal(2 / (1 + Math.Sin(Math.PI / (n + 1))), omega, 2);
        Assert.Equal(1.0, SorParameters.OptimalOmega(0.0), 15);
        Assert.Throws<ArgumentOutOfRangeException>(() => SorParameters.OptimalOmega(1.0));

        // And it is near the best omega of a search: within 2% of its iterations.
        var b = Enumerable.Repeat(1.0, a.Rows).ToArray();
        using var backend = Cpu();
        double Cost(double w) => new SorSolver(new SorOptions { Omega = w }, backend).Solve(a, b).Iterations;
        var (best, bestCost) = SorParameters.InstanceOptimal(Cost);
        output.WriteLine($"Young {omega:F4}: {Cost(omega)} its; search {best:F4}: {bestCost} its; Gauss-Seidel {Cost(1.0)}");
        Assert.True(Cost(omega) <= 1.1 * bestCost + 1);
        Assert.True(bestCost < Cost(1.0) / 3);
    }

    [Fact]
    public void Multicolor_ssor_is_spd_and_ssor_pcg_converges_on_both_orderings()
    {
        var a = ConjugateGradientTests.RandomSpd(120, 5, density: 0.05);
        using var backend = Cpu();
        using var da = backend.Upload(a);
        var rng = new Random(4);
        foreach (var ordering in new[] { SorOrdering.Natural, SorOrdering.Multicolor })
        {
            using var m = new Ssor(1.4, ordering).Setup(backend, da, a);
            SpdChecks.AssertSymmetricPositiveDefinite(backend, m, a.Rows, rng, 3, ordering.ToString());
            var b = Enumerable.Range(0, a.Rows).Select(i => Math.Sin(i)).ToArray();
            var r = new ConjugateGradient(new CgOptions { Preconditioner = new Ssor(1.4, ordering), Tolerance = 1e-10 }, backend).Solve(a, b);
            Assert.Equal(SolverStatus.Converged, r.Status);
            var dense = Dense(a, b);
            for (int i = 0; i < a.Rows; i++) Assert.Equal(dense[i], r.Solution[i], 1e-7);
        }
    }

    [Theory]
    [InlineData(SorOrdering.Natural)]
    [InlineData(SorOrdering.Multicolor)]
    public void Ssor_applies_the_textbook_operator(SorOrdering ordering)
    {
        // M^-1 = omega (2 - omega) (D + omega U)^-1 D (D + omega L)^-1 of A in the sweep's row order (for the
        // multicolor ordering: of P A P' with P the rows grouped by color), by dense MathNet solves.
        var a = ConjugateGradientTests.RandomSpd(40, 6, density: 0.15);
        const double omega = 1.3;
        int n = a.Rows;
        int[] order = ordering == SorOrdering.Natural ? Enumerable.Range(0, n).ToArray() : GraphColoring.Greedy(a).Rows;
        var full = a.ToDense();
        var pa = DenseMatrix.Create(n, n, (i, j) => full[order[i], order[j]]);
        var lower = DenseMatrix.Create(n, n, (i, j) => j < i ? pa[i, j] : 0);
        var upper = DenseMatrix.Create(n, n, (i, j) => j > i ? pa[i, j] : 0);
        var dmat = DenseMatrix.Create(n, n, (i, j) => i == j ? pa[i, j] : 0);
        var r = Enumerable.Range(0, n).Select(i => Math.Cos(1.7 * i)).ToArray();
        var pr = DenseVector.Create(n, i => r[order[i]]);
        var y = (dmat + omega * lower).Solve(pr);
        var pz = (dmat + omega * upper).Solve(dmat * y) * (omega * (2 - omega));
        using var backend = Cpu();
        using var da = backend.Upload(a);
        using var m = new Ssor(omega, ordering).Setup(backend, da, a);
        using var dr = backend.Upload(r);
        using var dz = backend.Allocate(n);
        using var scalars = backend.Allocate(8);
        m.Apply(dr, dz, scalars, 0);
        var z = dz.ToArray();
        for (int i = 0; i < n; i++) Assert.Equal(pz[i], z[order[i]], 1e-12 * (1 + Math.Abs(pz[i])));
    }

    [Fact]
    public void Multicolor_ssor_on_the_emulated_gpu_agrees_with_the_cpu()
    {
        var a = PdeProblems.Poisson2D(8);
        var b = Enumerable.Range(0, a.Rows).Select(i => 1.0 + i % 3).ToArray();
        var options = new CgOptions { Preconditioner = new Ssor(1.5, SorOrdering.Multicolor), Tolerance = 1e-10 };
        var rc = new ConjugateGradient(options, Cpu()).Solve(a, b);
        var rg = new ConjugateGradient(options, Backend.Create(BackendKind.IlgpuCpu)).Solve(a, b);
        Assert.Equal(SolverStatus.Converged, rg.Status);
        for (int i = 0; i < a.Rows; i++) Assert.Equal(rc.Solution[i], rg.Solution[i], 1e-8);
    }

    [Fact]
    public void Bad_input_names_the_problem()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SorOptions { Omega = 2.0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new SorOptions { Omega = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new Ssor(-0.1));
        var zero = CsrMatrix.FromDense(new double[,] { { 2, 1, 0 }, { 1, 0, 1 }, { 0, 1, 2 } });
        using var sor = new SorSolver(backend: Cpu());
        var e = Assert.Throws<ArgumentException>(() => sor.Solve(zero, new[] { 1.0, 1, 1 }));
        Assert.Contains("A[1,1]", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => sor.Solve(PdeProblems.Poisson2D(3), new double[9], 2.5));
        var wrong = Assert.Throws<ArgumentException>(() => sor.Solve(PdeProblems.Poisson2D(3), new double[8]));
        Assert.Contains("length 8", wrong.Message);
        using var natural = new SorSolver(new SorOptions { Ordering = SorOrdering.Natural }, Backend.Create(BackendKind.IlgpuCpu));
        Assert.Contains("Multicolor", Assert.Throws<ArgumentException>(() => natural.Solve(PdeProblems.Poisson2D(3), new double[9])).Message);
        var learner = new TsallisInf(new LearnerOptions { CostScale = 100 });
        using var seq = new SequenceSolver(learner, backend: Cpu());
        Assert.Throws<ArgumentException>(() => seq.Solve(zero, new[] { 1.0, 1, 1 }));
        // The failed call left no pending choice: the learner still works.
        var ok = seq.Solve(PdeProblems.Poisson2D(4), Enumerable.Repeat(1.0, 16).ToArray());
        Assert.Equal(SolverStatus.Converged, ok.Status);
    }

    [Fact]
    public void Sor_reports_divergence_as_a_status()
    {
        // Symmetric but indefinite: SOR is not guaranteed to converge, and here it blows up.
        var a = CsrMatrix.FromDense(new double[,] { { 1, 3 }, { 3, 1 } });
        using var sor = new SorSolver(new SorOptions { Omega = 1.0 }, Cpu());
        var r = sor.Solve(a, new[] { 1.0, 2.0 });
        Assert.Contains(r.Status, new[] { SolverStatus.Diverged, SolverStatus.NonFinite });
    }

    [Fact]
    public void Adaptive_normalisation_learns_from_raw_iteration_counts()
    {
        // Costs in the hundreds with no scale given: arm 12 (omega 1.6) is best by 20 iterations a step per grid
        // step away. Uniform play would cost about 100 + 20 * 5.1 = 202 a round on average.
        const int rounds = 2000;
        double Cost(int arm, int t) => 100 + 20 * Math.Abs(arm - 12) + 10 * Math.Sin(0.7 * t);
        foreach (IOmegaLearner learner in new IOmegaLearner[]
                 {
                     new TsallisInf(new LearnerOptions { Seed = 3 }),
                     new ChebCb(new LearnerOptions { Seed = 3 }, new ContextualOptions()),
                 })
        {
            var grid = learner.Grid.ToList();
            double total = 0, best = 0;
            int bestPlays = 0;
            for (int t = 0; t < rounds; t++)
            {
                int arm = grid.IndexOf(learner.Next(0.5));
                double c = Cost(arm, t);
                total += c;
                best += Cost(12, t);
                if (t >= rounds - 500 && arm == 12) bestPlays++;
                learner.Observe(c);
            }
            output.WriteLine($"{learner.Name}: {total / best:F3} of the best arm's total, best arm {bestPlays} of the last 500");
            Assert.True(total < 1.5 * best, $"{learner.Name}: {total} vs {best} (uniform play: about 2x)");
            Assert.True(bestPlays > 250, $"{learner.Name}: best arm {bestPlays} of 500");
        }
    }

    [Fact]
    public void Shifted_laplacian_sequence_follows_the_paper()
    {
        var seq = SystemSequences.ShiftedLaplacian(2000, ShiftVariance.High, seed: 3).ToList();
        Assert.Equal(2000, seq.Count);
        Assert.All(seq.Take(5), s => Assert.Equal(100, s.Matrix.Rows));
        var c = seq.Select(s => s.Context).ToArray();
        Assert.All(c, v => Assert.InRange(v, SystemSequences.ShiftMin, SystemSequences.ShiftMax));
        // Mean of -0.15 + 0.6 Beta(0.5, 1.5) is -0.15 + 0.6 * 0.25 = 0; Beta(2, 6) also has mean 0.25.
        Assert.Equal(0.0, c.Average(), 1);
        var low = SystemSequences.ShiftedLaplacian(2000, ShiftVariance.Low, seed: 3).Select(s => s.Context).ToArray();
        Assert.Equal(0.0, low.Average(), 1);
        double Var(double[] v) => v.Select(x => (x - v.Average()) * (x - v.Average())).Average();
        // Var of 0.6 Beta(a, b) = 0.36 ab / ((a+b)^2 (a+b+1)): 0.0225 (high), 0.0075 (low).
        Assert.Equal(0.0225, Var(c), 2);
        Assert.Equal(0.0075, Var(low), 2);
        // A_t = A + c_t I exactly.
        var a0 = PdeProblems.Poisson2D(10);
        Assert.Equal(a0.Diagonal()[7] + c[0], seq[0].Matrix.Diagonal()[7], 14);
        Assert.Equal(seq[1].RightHandSide, SystemSequences.ShiftedLaplacian(2, ShiftVariance.High, seed: 3).Last().RightHandSide);
    }

    [Fact]
    public void Heat_equation_steps_match_a_dense_crank_nicolson_step()
    {
        var pde = new HeatEquation2D(6, dt: 0.01);
        var u0 = (double[])pde.U.Clone();
        var sys = pde.NextSystem();
        double kappa = HeatEquation2D.Coefficient(0.005);
        Assert.Equal(kappa, sys.Context, 15);
        // A = I + 0.5 kappa dt / h^2 P with P the 5-point matrix, h = 1/7.
        double s = 0.5 * kappa * 0.01 * 49;
        var p = PdeProblems.Poisson2D(6).ToDense();
        var a = sys.Matrix.ToDense();
        for (int i = 0; i < 36; i++)
            for (int j = 0; j < 36; j++) Assert.Equal((i == j ? 1 : 0) + s * p[i, j], a[i, j], 12);
        var x = Dense(sys.Matrix, sys.RightHandSide);
        pde.Advance(x);
        Assert.Equal(1, pde.Step);
        Assert.Equal(0.01, pde.Time, 15);
        Assert.NotEqual(u0, pde.U);
        Assert.Throws<ArgumentException>(() => pde.Advance(new double[5]));
    }

    [Fact]
    public void Sequence_solver_with_tsallis_inf_beats_gauss_seidel_and_restores_from_json()
    {
        using var backend = Cpu();
        var options = new SequenceSolverOptions();
        var systems = SystemSequences.ShiftedLaplacian(300, ShiftVariance.Low, gridN: 8, seed: 1).ToList();
        var learner = new TsallisInf(new LearnerOptions { Seed = 5 });
        using var loop = new SequenceSolver(learner, options, backend);
        long gaussSeidel = 0;
        var grid = OmegaLearners.DefaultGrid();
        var armTotals = new double[grid.Length];
        foreach (var s in systems)
        {
            var step = loop.Solve(s);
            Assert.Equal(SolverStatus.Converged, step.Status);
            // Residual 1e-8 relative, on systems with condition numbers up to ~1000: the error is below 1e-4 of |x|.
            var x = Dense(s.Matrix, s.RightHandSide);
            double xMax = x.Max(Math.Abs);
            for (int i = 0; i < x.Length; i++) Assert.True(Math.Abs(x[i] - step.Solution[i]) <= 1e-4 * xMax, $"x[{i}]");
            for (int k = 0; k < grid.Length; k++) armTotals[k] += SequenceSolver.SolveWith(backend, options, s.Matrix, s.RightHandSide, grid[k]).Iterations;
        }
        gaussSeidel = (long)armTotals[0];
        double bestFixed = armTotals.Min(), uniform = armTotals.Average();
        output.WriteLine($"Tsallis-INF {loop.TotalIterations} iterations, best fixed {bestFixed}, uniform play {uniform:F0}, Gauss-Seidel {gaussSeidel}");
        // Learning shows as beating uniform play over the grid clearly and approaching the best arm.
        Assert.True(loop.TotalIterations < 0.8 * uniform);
        Assert.True(loop.TotalIterations < 2.0 * bestFixed);

        // A restored learner continues with the same choices.
        var restored = OmegaLearners.FromJson(loop.Learner.ToJson());
        using var again = new SequenceSolver(restored, options, backend);
        var more = SystemSequences.ShiftedLaplacian(20, ShiftVariance.Low, gridN: 8, seed: 9).ToList();
        var copy = OmegaLearners.FromJson(loop.Learner.ToJson());
        using var twin = new SequenceSolver(copy, options, backend);
        foreach (var s in more) Assert.Equal(again.Solve(s).Omega, twin.Solve(s).Omega);
    }
}
