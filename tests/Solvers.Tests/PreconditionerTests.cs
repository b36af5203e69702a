using MathNet.Numerics.LinearAlgebra.Double;
using Solvers.Kernels;
using Solvers.Linear;
using Solvers.Problems;
using Solvers.Sparse;
using Xunit;

namespace Solvers.Tests;

/// <summary>IC(0), SSOR and Chebyshev: SPD checks, hand-checkable special cases, and CG against dense solves.</summary>
public sealed class PreconditionerTests
{
    private static Backend Cpu() => Backend.Create(BackendKind.Cpu, new BackendOptions { MaxDegreeOfParallelism = 2 });

    public static TheoryData<string> Names => new() { "ic0", "ssor", "ssor:1.6", "chebyshev", "chebyshev:6", "jacobi" };

    /// <summary>z = M^-1 x through the public apply, and the r'z it left in the scalars.</summary>
    private static (double[] Z, double Rz) ApplyInverse(Backend backend, AppliedPreconditioner m, double[] x)
    {
        using var dx = backend.Upload(x);
        using var dz = backend.Allocate(x.Length);
        using var s = backend.Allocate(4);
        m.Apply(dx, dz, s, 2);
        return (dz.ToArray(), s.ToArray()[2]);
    }

    private static double Dot(double[] a, double[] b) => a.Zip(b, (u, v) => u * v).Sum();

    [Theory]
    [MemberData(nameof(Names))]
    public void Inverse_is_symmetric_positive_definite_on_random_spd(string name)
    {
        var a = ConjugateGradientTests.RandomSpd(150, 11, density: 0.08);
        using var backend = Cpu();
        using var da = backend.Upload(a);
        using var m = Preconditioners.Parse(name).Setup(backend, da, a);
        var rng = new Random(5);
        for (int trial = 0; trial < 5; trial++)
        {
            var x = Enumerable.Range(0, a.Rows).Select(_ => rng.NextDouble() - 0.5).ToArray();
            var y = Enumerable.Range(0, a.Rows).Select(_ => rng.NextDouble() - 0.5).ToArray();
            var (mx, rz) = ApplyInverse(backend, m, x);
            var (my, _) = ApplyInverse(backend, m, y);
            double xMx = Dot(x, mx);
            Assert.True(xMx > 0, $"x'M^-1x = {xMx}");
            Assert.Equal(xMx, rz, 1e-10 * Math.Abs(xMx));
            double yMx = Dot(y, mx), xMy = Dot(x, my);
            Assert.True(Math.Abs(yMx - xMy) <= 1e-10 * (Math.Abs(yMx) + Math.Abs(xMy) + 1e-300), $"y'M^-1x = {yMx}, x'M^-1y = {xMy}");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Cg_with_each_preconditioner_matches_dense_cholesky(string name)
    {
        var a = PdeProblems.VariableCoefficient2D(20);
        var b = Enumerable.Range(0, a.Rows).Select(i => Math.Sin(0.37 * i)).ToArray();
        using var cg = new ConjugateGradient(new CgOptions { Tolerance = 1e-11, Preconditioner = Preconditioners.Parse(name) }, Cpu());
        var r = cg.Solve(a, b);
        Assert.Equal(SolverStatus.Converged, r.Status);
        var dense = DenseMatrix.OfArray(a.ToDense()).Cholesky().Solve(DenseVector.OfArray(b)).ToArray();
        for (int i = 0; i < a.Rows; i++) Assert.Equal(dense[i], r.Solution[i], 1e-8 * Math.Max(1, Math.Abs(dense[i])));
    }

    [Fact]
    public void Stronger_preconditioners_need_fewer_iterations_than_jacobi_on_poisson()
    {
        var a = PdeProblems.Poisson2D(48);
        var b = a.Multiply(Enumerable.Repeat(1.0, a.Rows).ToArray());
        int Iterations(string name)
        {
            using var cg = new ConjugateGradient(new CgOptions { Preconditioner = Preconditioners.Parse(name) }, Cpu());
            var r = cg.Solve(a, b);
            Assert.Equal(SolverStatus.Converged, r.Status);
            return r.Iterations;
        }
        int jacobi = Iterations("jacobi");
        Assert.True(Iterations("ic0") < jacobi * 0.7);
        Assert.True(Iterations("ssor:1.8") < jacobi * 0.7);
        Assert.True(Iterations("chebyshev") < jacobi * 0.7);
    }

    [Fact]
    public void Ic0_of_a_tridiagonal_matrix_is_its_exact_cholesky_so_cg_needs_one_iteration()
    {
        // No fill exists in the Cholesky factor of a tridiagonal matrix, so IC(0) = Cholesky and M = A.
        int n = 50;
        var rows = new List<int>(); var cols = new List<int>(); var vals = new List<double>();
        for (int i = 0; i < n; i++)
        {
            rows.Add(i); cols.Add(i); vals.Add(3 + i % 4);
            if (i + 1 < n) { rows.Add(i); cols.Add(i + 1); vals.Add(-1.5); rows.Add(i + 1); cols.Add(i); vals.Add(-1.5); }
        }
        var a = CsrMatrix.FromCoordinates(n, n, rows.ToArray(), cols.ToArray(), vals.ToArray());
        using var cg = new ConjugateGradient(new CgOptions { Tolerance = 1e-12, Preconditioner = Preconditioners.IncompleteCholesky }, Cpu());
        var r = cg.Solve(a, Enumerable.Range(0, n).Select(i => (double)i).ToArray());
        Assert.Equal(SolverStatus.Converged, r.Status);
        Assert.Equal(1, r.Iterations);
    }

    [Fact]
    public void Ssor_on_a_diagonal_matrix_is_jacobi()
    {
        // L = U = 0, so M = D / (omega (2 - omega)) and z = omega (2 - omega) r / d: with omega = 1, z = r / d.
        var a = CsrMatrix.FromDense(new double[,] { { 2, 0, 0 }, { 0, 4, 0 }, { 0, 0, 8 } });
        using var backend = Cpu();
        using var da = backend.Upload(a);
        using var m = new Ssor(1.0).Setup(backend, da, a);
        var (z, _) = ApplyInverse(backend, m, new[] { 2.0, 2.0, 2.0 });
        Assert.Equal(new[] { 1.0, 0.5, 0.25 }, z);
        using var m2 = new Ssor(1.5).Setup(backend, da, a);
        var (z2, _) = ApplyInverse(backend, m2, new[] { 2.0, 2.0, 2.0 });
        Assert.Equal(new[] { 0.75, 0.375, 0.1875 }, z2);
    }

    /// <summary>SPD (smallest eigenvalue 0.64), yet IC(0) meets a negative pivot at row 4: the dropped fill matters.</summary>
    private static readonly double[,] Ic0Breaker =
    {
        { 22, 1, 6, -6, -9 },
        { 1, 14, -6, 4, 0 },
        { 6, -6, 28, 0, -14 },
        { -6, 4, 0, 22, -17 },
        { -9, 0, -14, -17, 28 },
    };

    [Fact]
    public void Ic0_breakdown_names_the_row_and_auto_shift_recovers()
    {
        // Independent check that the matrix is SPD: MathNet's dense Cholesky succeeds.
        _ = DenseMatrix.OfArray(Ic0Breaker).Cholesky();
        var a = CsrMatrix.FromDense(Ic0Breaker);
        var b = new[] { 1.0, 2, 3, 4, 5 };
        using var plain = new ConjugateGradient(new CgOptions { Preconditioner = new IncompleteCholesky() }, Cpu());
        var r = plain.Solve(a, b);
        Assert.Equal(SolverStatus.IndefiniteMatrix, r.Status);
        Assert.Contains("row 4", r.Message);
        Assert.Contains("AutoShift", r.Message);

        var shifted = new IncompleteCholesky(new IncompleteCholeskyOptions { AutoShift = true });
        using var cg = new ConjugateGradient(new CgOptions { Tolerance = 1e-12, Preconditioner = shifted }, Cpu());
        var ok = cg.Solve(a, b);
        Assert.Equal(SolverStatus.Converged, ok.Status);
        Assert.True(shifted.LastShift > 0);
        var dense = DenseMatrix.OfArray(Ic0Breaker).Solve(DenseVector.OfArray(b)).ToArray();
        for (int i = 0; i < 5; i++) Assert.Equal(dense[i], ok.Solution[i], 1e-9);
    }

    [Fact]
    public void Ic0_on_an_indefinite_matrix_is_reported_with_the_row()
    {
        var a = CsrMatrix.FromDense(new double[,] { { 1, 2 }, { 2, 1 } });
        using var cg = new ConjugateGradient(new CgOptions { Preconditioner = Preconditioners.IncompleteCholesky }, Cpu());
        var r = cg.Solve(a, new[] { 1.0, 1.0 });
        Assert.Equal(SolverStatus.IndefiniteMatrix, r.Status);
        Assert.Contains("row 1", r.Message);
    }

    [Fact]
    public void Chebyshev_runs_on_the_emulated_gpu_and_agrees_with_the_cpu()
    {
        var a = PdeProblems.Poisson2D(12);
        var b = Enumerable.Range(0, a.Rows).Select(i => Math.Cos(i)).ToArray();
        var options = new CgOptions { Tolerance = 1e-11, Preconditioner = Preconditioners.Chebyshev };
        using var cpu = new ConjugateGradient(options, Cpu());
        using var emu = new ConjugateGradient(options, Backend.Create(BackendKind.IlgpuCpu));
        var rc = cpu.Solve(a, b);
        var rg = emu.Solve(a, b);
        Assert.Equal(SolverStatus.Converged, rg.Status);
        for (int i = 0; i < a.Rows; i++) Assert.Equal(rc.Solution[i], rg.Solution[i], 1e-8);
    }

    [Fact]
    public void Host_preconditioners_need_the_host_matrix()
    {
        var a = PdeProblems.Poisson2D(4);
        using var backend = Cpu();
        using var da = backend.Upload(a);
        var e = Assert.Throws<ArgumentException>(() => Preconditioners.IncompleteCholesky.Setup(backend, da));
        Assert.Contains("CsrMatrix", e.Message);
        Assert.Throws<ArgumentException>(() => Preconditioners.Ssor.Setup(backend, da));
    }

    [Fact]
    public void Names_parse_and_bad_parameters_are_rejected()
    {
        Assert.Equal(1.6, Assert.IsType<Ssor>(Preconditioners.Parse("SSOR:1.6")).Omega);
        Assert.Equal(5, Assert.IsType<ChebyshevPreconditioner>(Preconditioners.Parse("chebyshev:5")).Options.Degree);
        Assert.Contains("ic0", Assert.Throws<ArgumentException>(() => Preconditioners.Parse("bogus")).Message);
        Assert.IsType<Solvers.Linear.Multigrid.AmgPreconditioner>(Preconditioners.Parse("amg"));
        Assert.Throws<ArgumentException>(() => Preconditioners.Parse("ssor:2.5"));
        Assert.Throws<ArgumentException>(() => Preconditioners.Parse("ssor:abc"));
        Assert.Throws<ArgumentException>(() => Preconditioners.Parse("chebyshev:-1"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Ssor(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IncompleteCholeskyOptions { DiagonalShift = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChebyshevOptions { EigenvalueRatio = 1 });
    }
}
