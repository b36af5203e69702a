using MathNet.Numerics.LinearAlgebra.Double;
using Solvers.Kernels;
using Solvers.Linear;
using Solvers.Linear.Multigrid;
using Solvers.Problems;
using Solvers.Sparse;
using Solvers.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace Solvers.Tests;

/// <summary>Smoothed-aggregation AMG: size-independent convergence, SPD V-cycle, hierarchy statistics, bad input.</summary>
public sealed class AmgTests(ITestOutputHelper output)
{
    private static Backend Cpu() => Backend.Create(BackendKind.Cpu, new BackendOptions { MaxDegreeOfParallelism = 2 });

    private static LinearSolveResult Solve(CsrMatrix a, double[] b, AmgPreconditioner amg, BackendKind kind = BackendKind.Cpu, double tol = 1e-8)
    {
        using var cg = new ConjugateGradient(new CgOptions { Tolerance = tol, Preconditioner = amg },
            Backend.Create(kind, new BackendOptions { MaxDegreeOfParallelism = 2 }));
        return cg.Solve(a, b);
    }

    private static double[] Ones(CsrMatrix a) => a.Multiply(Enumerable.Repeat(1.0, a.Rows).ToArray());

    [Theory]
    [InlineData("poisson2d", 24, 96)]
    [InlineData("poisson3d", 8, 24)]
    [InlineData("anisotropic2d", 24, 96)]
    public void Iterations_barely_grow_with_the_mesh(string kind, int small, int large)
    {
        // A small coarsest level forces several levels even on these small meshes.
        var options = new AmgOptions { MaxCoarseSize = 40 };
        CsrMatrix Make(int n) => kind == "anisotropic2d" ? PdeProblems.Anisotropic2D(n, 0.01) : PdeProblems.Parse($"{kind}:{n}");
        var a1 = Make(small);
        var a2 = Make(large);
        var r1 = Solve(a1, Ones(a1), new AmgPreconditioner(options));
        var amg2 = new AmgPreconditioner(options);
        var r2 = Solve(a2, Ones(a2), amg2);
        output.WriteLine($"{kind}: {r1.Iterations} iterations at {a1.Rows} unknowns, {r2.Iterations} at {a2.Rows}; levels {amg2.LastHierarchy!.Levels.Count}");
        Assert.Equal(SolverStatus.Converged, r1.Status);
        Assert.Equal(SolverStatus.Converged, r2.Status);
        Assert.True(r2.RelativeResidual <= 1e-8 * 1.01);
        Assert.True(amg2.LastHierarchy.Levels.Count >= 3);
        Assert.True(r2.Iterations <= 1.3 * r1.Iterations + 2, $"{r1.Iterations} -> {r2.Iterations}");
        Assert.True(r2.Iterations <= 25);
        Assert.All(r2.Solution, v => Assert.Equal(1.0, v, 1e-5));
    }

    [Fact]
    public void Amg_pcg_matches_a_dense_solve()
    {
        var a = PdeProblems.VariableCoefficient2D(20);
        var b = Enumerable.Range(0, a.Rows).Select(i => Math.Sin(0.2 * i)).ToArray();
        var r = Solve(a, b, new AmgPreconditioner(new AmgOptions { MaxCoarseSize = 30 }), tol: 1e-11);
        Assert.Equal(SolverStatus.Converged, r.Status);
        var dense = DenseMatrix.OfArray(a.ToDense()).Cholesky().Solve(DenseVector.OfArray(b)).ToArray();
        for (int i = 0; i < a.Rows; i++) Assert.Equal(dense[i], r.Solution[i], 1e-8 * Math.Max(1, Math.Abs(dense[i])));
    }

    [Theory]
    [InlineData(AmgSmoother.Chebyshev, 1)]
    [InlineData(AmgSmoother.Jacobi, 1)]
    [InlineData(AmgSmoother.Chebyshev, 2)]
    [InlineData(AmgSmoother.Jacobi, 2)]
    public void Cycle_is_symmetric_positive_definite(AmgSmoother smoother, int cycleIndex)
    {
        var a = ConjugateGradientTests.RandomSpd(300, 4, density: 0.02);
        using var backend = Cpu();
        using var da = backend.Upload(a);
        var amg = new AmgPreconditioner(new AmgOptions { MaxCoarseSize = 10, Smoother = smoother, CycleIndex = cycleIndex });
        using var m = amg.Setup(backend, da, a);
        Assert.True(amg.LastHierarchy!.Levels.Count >= (cycleIndex == 2 ? 3 : 2), $"{amg.LastHierarchy.Levels.Count} levels");
        SpdChecks.AssertSymmetricPositiveDefinite(backend, m, a.Rows, new Random(9), 4, $"{smoother}, cycle index {cycleIndex}");
    }

    [Fact]
    public void W_cycle_needs_fewer_iterations_than_the_v_cycle()
    {
        var a = PdeProblems.Poisson2D(96);
        var b = Ones(a);
        var v = Solve(a, b, new AmgPreconditioner(new AmgOptions { MaxCoarseSize = 40, CycleIndex = 1 }));
        var w = Solve(a, b, new AmgPreconditioner(new AmgOptions { MaxCoarseSize = 40, CycleIndex = 2 }));
        output.WriteLine($"V-cycle {v.Iterations} iterations, W-cycle {w.Iterations}");
        Assert.Equal(SolverStatus.Converged, w.Status);
        Assert.True(w.Iterations < v.Iterations);
    }

    [Fact]
    public void Filtering_weak_connections_keeps_anisotropic_complexity_low()
    {
        // With eps = 0.01 every y-coupling is weak (0.01 < 0.08 * 2.02): aggregates are x-lines, and the filtered
        // prolongator smoothing must not spread P across them. Unfiltered, this hierarchy had operator complexity 3.4.
        var a = PdeProblems.Anisotropic2D(96, 0.01);
        var info = AmgPreconditioner.Describe(a, new AmgOptions { MaxCoarseSize = 40 });
        output.WriteLine($"operator complexity {info.OperatorComplexity:F2}, levels {string.Join(",", info.Levels.Select(l => l.Rows))}");
        Assert.InRange(info.OperatorComplexity, 1.0, 2.5);
        var r = Solve(a, Ones(a), new AmgPreconditioner(new AmgOptions { MaxCoarseSize = 40 }));
        Assert.Equal(SolverStatus.Converged, r.Status);
        Assert.True(r.Iterations <= 15, $"{r.Iterations} iterations");
    }

    [Fact]
    public void Filtered_operator_moves_weak_entries_onto_the_diagonal()
    {
        var a = CsrMatrix.FromDense(new double[,] { { 4, -1, -0.01 }, { -1, 4, -1 }, { -0.01, -1, 4 } });
        var strong = new[] { false, true, false, true, false, true, false, true, false };
        var f = SmoothedAggregation.Filtered(a, strong);
        var expected = new double[,] { { 3.99, -1, 0 }, { -1, 4, -1 }, { 0, -1, 3.99 } };
        Assert.Equal(7, f.NonZeros);
        var dense = f.ToDense();
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) Assert.Equal(expected[i, j], dense[i, j], 1e-15);
    }

    [Fact]
    public void Options_parse_from_key_value_pairs()
    {
        var o = AmgOptions.Parse("cycle=v, smoother=chebyshev, degree=3, theta=0.25, coarse=100, levels=5");
        Assert.Equal(1, o.CycleIndex);
        Assert.Equal(AmgSmoother.Chebyshev, o.Smoother);
        Assert.Equal(3, o.SmootherDegree);
        Assert.Equal(0.25, o.StrengthThreshold);
        Assert.Equal(100, o.MaxCoarseSize);
        Assert.Equal(5, o.MaxLevels);
        Assert.Equal(new AmgOptions(), AmgOptions.Parse(""));
        Assert.Equal(2, new AmgOptions().CycleIndex);
        var e = Assert.Throws<ArgumentException>(() => AmgOptions.Parse("cycle=x"));
        Assert.Contains("cycle=x", e.Message);
        Assert.Contains("theta=2", Assert.Throws<ArgumentException>(() => AmgOptions.Parse("theta=2")).Message);
        Assert.Contains("colour", Assert.Throws<ArgumentException>(() => AmgOptions.Parse("colour=red")).Message);
        var p = Assert.IsType<AmgPreconditioner>(Preconditioners.Parse("amg:cycle=v,degree=1"));
        Assert.Equal(1, p.Options.CycleIndex);
        Assert.Equal(1, p.Options.SmootherDegree);
        Assert.Throws<ArgumentException>(() => Preconditioners.Parse("amg:degree=0"));
    }

    [Fact]
    public void Hierarchy_statistics_are_consistent()
    {
        var a = PdeProblems.Poisson2D(64);
        var info = AmgPreconditioner.Describe(a, new AmgOptions { MaxCoarseSize = 50 });
        Assert.Equal(a.Rows, info.Levels[0].Rows);
        Assert.Equal(a.NonZeros, info.Levels[0].NonZeros);
        for (int l = 1; l < info.Levels.Count; l++) Assert.True(info.Levels[l].Rows < info.Levels[l - 1].Rows / 3);
        Assert.True(info.Levels[^1].Rows <= 50);
        double opc = info.Levels.Sum(l => (double)l.NonZeros) / a.NonZeros;
        Assert.Equal(opc, info.OperatorComplexity, 12);
        Assert.InRange(info.OperatorComplexity, 1.0, 2.0);
        Assert.InRange(info.GridComplexity, 1.0, 1.5);
    }

    [Fact]
    public void User_near_null_space_with_two_vectors_converges()
    {
        var a = PdeProblems.Poisson2D(32);
        int n = a.Rows;
        var constant = Enumerable.Repeat(1.0, n).ToArray();
        var linear = Enumerable.Range(0, n).Select(i => (double)(i % 32) / 32).ToArray();
        var amg = new AmgPreconditioner(new AmgOptions { MaxCoarseSize = 40, NearNullSpace = [constant, linear] });
        var r = Solve(a, Ones(a), amg);
        Assert.Equal(SolverStatus.Converged, r.Status);
        Assert.True(r.Iterations <= 25);
    }

    [Fact]
    public void Emulated_gpu_cycle_agrees_with_the_cpu()
    {
        var a = PdeProblems.Poisson2D(16);
        var b = Ones(a);
        var options = new AmgOptions { MaxCoarseSize = 20 };
        var rc = Solve(a, b, new AmgPreconditioner(options), tol: 1e-10);
        var rg = Solve(a, b, new AmgPreconditioner(options), BackendKind.IlgpuCpu, tol: 1e-10);
        Assert.Equal(SolverStatus.Converged, rg.Status);
        for (int i = 0; i < a.Rows; i++) Assert.Equal(rc.Solution[i], rg.Solution[i], 1e-8);
    }

    [Fact]
    public void Bad_input_gives_clear_errors()
    {
        var zeroDiag = CsrMatrix.FromDense(new double[,] { { 2, -1, 0 }, { -1, 0, -1 }, { 0, -1, 2 } });
        var r = Solve(zeroDiag, new[] { 1.0, 1, 1 }, new AmgPreconditioner());
        Assert.Equal(SolverStatus.IndefiniteMatrix, r.Status);
        Assert.Contains("A[1,1]", r.Message);

        var negative = CsrMatrix.FromDense(new double[,] { { -2, 0 }, { 0, 2 } });
        Assert.Equal(SolverStatus.IndefiniteMatrix, Solve(negative, new[] { 1.0, 1 }, new AmgPreconditioner()).Status);

        var a = PdeProblems.Poisson2D(10);
        var bad = new AmgPreconditioner(new AmgOptions { NearNullSpace = [new double[99]] });
        var e = Assert.Throws<ArgumentException>(() => Solve(a, Ones(a), bad));
        Assert.Contains("NearNullSpace[0]", e.Message);
        Assert.Contains("99", e.Message);
        Assert.Contains("100", e.Message);

        Assert.Throws<ArgumentOutOfRangeException>(() => new AmgOptions { StrengthThreshold = 1.5 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new AmgOptions { MaxCoarseSize = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new AmgOptions { SmootherDegree = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new AmgOptions { CycleIndex = 3 });
    }

    [Theory]
    [MemberData(nameof(ConjugateGradientTests.SpdFiles), MemberType = typeof(ConjugateGradientTests))]
    public void Shared_spd_matrices_converge_to_1e8_with_amg(string name)
    {
        var a = TestData.ReadSharedMatrix(name, output.WriteLine);
        if (a is null) return;
        var amg = new AmgPreconditioner(new AmgOptions { MaxCoarseSize = 100 });
        var r = Solve(a, Ones(a), amg);
        output.WriteLine($"{name}: {r.Status} in {r.Iterations} iterations, {amg.LastHierarchy!.Levels.Count} levels");
        Assert.Equal(SolverStatus.Converged, r.Status);
        Assert.True(r.RelativeResidual <= 1e-8 * 1.01);
    }
}
