using MathNet.Numerics.LinearAlgebra.Double;
using Solvers.Kernels;
using Solvers.Linear;
using Solvers.Problems;
using Solvers.Sparse;
using Solvers.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace Solvers.Tests;

/// <summary>CG against hand computations and dense MathNet solves; every failure mode as a status.</summary>
public sealed class ConjugateGradientTests(ITestOutputHelper output)
{
    private static ConjugateGradient Cg(CgOptions? options = null, BackendKind kind = BackendKind.Cpu)
        => new(options, Backend.Create(kind, new BackendOptions { MaxDegreeOfParallelism = 2 }));

    private static double[] DenseSolve(CsrMatrix a, double[] b)
        => DenseMatrix.OfArray(a.ToDense()).Cholesky().Solve(DenseVector.OfArray(b)).ToArray();

    private static void AssertClose(double[] expected, double[] actual, double relTol)
    {
        double err = 0, scale = 0;
        for (int i = 0; i < expected.Length; i++) { err = Math.Max(err, Math.Abs(expected[i] - actual[i])); scale = Math.Max(scale, Math.Abs(expected[i])); }
        Assert.True(err <= relTol * scale, $"max error {err:E3} exceeds {relTol:E1} x {scale:E3}");
    }

    /// <summary>Random sparse SPD: a symmetric random pattern made strictly diagonally dominant.</summary>
    internal static CsrMatrix RandomSpd(int n, int seed, double density = 0.05)
    {
        var rng = new Random(seed);
        var ri = new List<int>(); var ci = new List<int>(); var v = new List<double>();
        var rowAbs = new double[n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++)
                if (rng.NextDouble() < density)
                {
                    double a = rng.NextDouble() * 2 - 1;
                    ri.Add(i); ci.Add(j); v.Add(a);
                    ri.Add(j); ci.Add(i); v.Add(a);
                    rowAbs[i] += Math.Abs(a); rowAbs[j] += Math.Abs(a);
                }
        for (int i = 0; i < n; i++) { ri.Add(i); ci.Add(i); v.Add(rowAbs[i] + 0.1 + rng.NextDouble()); }
        return CsrMatrix.FromCoordinates(n, n, ri.ToArray(), ci.ToArray(), v.ToArray());
    }

    [Fact]
    public void Three_by_three_matches_hand_computation()
    {
        // A = [[4,1,0],[1,3,1],[0,1,2]], b = [1,2,3]; det A = 18. Cramer's rule, replacing column k by b:
        // det[[1,1,0],[2,3,1],[3,1,2]] = 4, det[[4,1,0],[1,2,1],[0,3,2]] = 2, det[[4,1,1],[1,3,2],[0,1,3]] = 26,
        // so x = (4, 2, 26)/18; check: A x = (18, 36, 54)/18 = b.
        double[,] a = { { 4, 1, 0 }, { 1, 3, 1 }, { 0, 1, 2 } };
        double[] b = { 1, 2, 3 };
        double x1 = 4.0 / 18, x2 = 2.0 / 18, x3 = 26.0 / 18;

        using var cg = Cg(new CgOptions { Tolerance = 1e-14, Preconditioner = Preconditioners.None });
        var r = cg.Solve(CsrMatrix.FromDense(a), b);
        Assert.Equal(SolverStatus.Converged, r.Status);
        Assert.InRange(r.Iterations, 1, 3); // CG terminates in at most n steps in exact arithmetic
        AssertClose(new[] { x1, x2, x3 }, r.Solution, 1e-13);
        Assert.True(r.RelativeResidual <= 1e-14);
    }

    [Theory]
    [InlineData(50, 1, "none")]
    [InlineData(200, 2, "jacobi")]
    [InlineData(597, 3, "jacobi")]
    public void Random_spd_matches_dense_cholesky(int n, int seed, string precond)
    {
        var a = RandomSpd(n, seed);
        var rng = new Random(seed + 100);
        var b = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        using var cg = Cg(new CgOptions { Tolerance = 1e-12, Preconditioner = Preconditioners.Parse(precond) });
        var r = cg.Solve(a, b);
        Assert.Equal(SolverStatus.Converged, r.Status);
        Assert.True(r.RelativeResidual <= 1e-11, $"true relative residual {r.RelativeResidual:E2}");
        AssertClose(DenseSolve(a, b), r.Solution, 1e-9);
        // The recursive residual the iteration tracked agrees with the recomputed one.
        Assert.True(Math.Abs(r.ResidualNorm - r.TrueResidualNorm) <= 1e-10 * r.RightHandSideNorm);
    }

    [Fact]
    public void Poisson_matches_dense_cholesky_and_history_decreases_overall()
    {
        var a = PdeProblems.Poisson2D(24);
        var b = Enumerable.Range(0, a.Rows).Select(i => Math.Sin(i)).ToArray();
        using var cg = Cg(new CgOptions { Tolerance = 1e-10 });
        var r = cg.Solve(a, b);
        Assert.Equal(SolverStatus.Converged, r.Status);
        AssertClose(DenseSolve(a, b), r.Solution, 1e-8);
        Assert.Equal(r.Iterations + 1, r.History.Count);
        Assert.Equal(0, r.History[0].Iteration);
        Assert.True(r.History[^1].ResidualNorm <= 1e-10 * r.RightHandSideNorm);
        Assert.True(r.BytesPerIteration > 12L * a.NonZeros);
    }

    [Fact]
    public void Ilgpu_cpu_backend_agrees_with_cpu_backend()
    {
        var a = PdeProblems.Anisotropic2D(12, 0.1);
        var b = Enumerable.Range(0, a.Rows).Select(i => Math.Cos(0.3 * i)).ToArray();
        var options = new CgOptions { Tolerance = 1e-12 };
        using var cpu = Cg(options);
        using var gpuEmu = Cg(options, BackendKind.IlgpuCpu);
        var rc = cpu.Solve(a, b);
        var rg = gpuEmu.Solve(a, b);
        Assert.Equal(SolverStatus.Converged, rg.Status);
        Assert.StartsWith("ilgpu-cpu", rg.Backend);
        AssertClose(rc.Solution, rg.Solution, 1e-10);
        AssertClose(DenseSolve(a, b), rg.Solution, 1e-9);
        // The emulated GPU reads its scalars every ScalarReadInterval iterations, so it may run a few more.
        using var emu = Backend.Create(BackendKind.IlgpuCpu);
        Assert.InRange(rg.Iterations, rc.Iterations - 2, rc.Iterations + emu.ScalarReadInterval + 2);
    }

    [Fact]
    public void Device_resident_solve_uses_x_as_initial_guess_and_result()
    {
        var a = PdeProblems.Poisson2D(10);
        var ones = Enumerable.Repeat(1.0, a.Rows).ToArray();
        var b = a.Multiply(ones);
        using var backend = Backend.Create(BackendKind.Cpu);
        using var cg = new ConjugateGradient(new CgOptions { Tolerance = 1e-12 }, backend);
        using var da = backend.Upload(a);
        using var db = backend.Upload(b);
        using var dx = backend.Upload(ones);
        var exact = cg.Solve(da, db, dx);
        Assert.Equal(0, exact.Iterations);
        Assert.Equal(SolverStatus.Converged, exact.Status);
        dx.CopyFrom(new double[a.Rows]);
        var r = cg.Solve(da, db, dx);
        AssertClose(ones, dx.ToArray(), 1e-10);
        AssertClose(ones, r.Solution, 1e-10);
    }

    [Fact]
    public void Zero_rhs_returns_zero_converged_in_zero_iterations()
    {
        using var cg = Cg(new CgOptions { InitialGuess = new[] { 5.0, 6.0, 7.0 } });
        var r = cg.Solve(CsrMatrix.FromDense(new double[,] { { 2, -1, 0 }, { -1, 2, -1 }, { 0, -1, 2 } }), new double[3]);
        Assert.Equal(SolverStatus.Converged, r.Status);
        Assert.Equal(0, r.Iterations);
        Assert.All(r.Solution, v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void Initial_guess_is_used()
    {
        var a = PdeProblems.Poisson2D(6);
        var ones = Enumerable.Repeat(1.0, a.Rows).ToArray();
        using var cg = Cg(new CgOptions { InitialGuess = ones });
        var r = cg.Solve(a, a.Multiply(ones));
        Assert.Equal(0, r.Iterations);
        Assert.Equal(SolverStatus.Converged, r.Status);
    }

    [Fact]
    public void Indefinite_matrix_is_reported_not_converged()
    {
        // [[1,2],[2,1]] has eigenvalues 3 and -1; with b = (1,0), p'Ap = 1 then the second direction has p'Ap < 0.
        var a = CsrMatrix.FromDense(new double[,] { { 1, 2 }, { 2, 1 } });
        using var cg = Cg(new CgOptions { Preconditioner = Preconditioners.None });
        var r = cg.Solve(a, new[] { 1.0, 0.0 });
        Assert.Equal(SolverStatus.IndefiniteMatrix, r.Status);
        Assert.Contains("p'Ap", r.Message);
        Assert.Throws<SolverFailedException>(() => r.EnsureSuccess());
    }

    [Fact]
    public void Negative_diagonal_with_jacobi_is_indefinite_and_names_the_entry()
    {
        var a = CsrMatrix.FromDense(new double[,] { { 2, 0, 0 }, { 0, -1, 0 }, { 0, 0, 3 } });
        using var cg = Cg();
        var r = cg.Solve(a, new[] { 1.0, 1.0, 1.0 });
        Assert.Equal(SolverStatus.IndefiniteMatrix, r.Status);
        Assert.Contains("A[1,1]", r.Message);
    }

    [Fact]
    public void Max_iterations_status_and_throw_on_failure()
    {
        var a = PdeProblems.Poisson2D(20);
        var b = Enumerable.Repeat(1.0, a.Rows).ToArray();
        using var cg = Cg(new CgOptions { MaxIterations = 3 });
        var r = cg.Solve(a, b);
        Assert.Equal(SolverStatus.MaxIterations, r.Status);
        Assert.Equal(3, r.Iterations);
        using var throwing = Cg(new CgOptions { MaxIterations = 3, ThrowOnFailure = true });
        var e = Assert.Throws<SolverFailedException>(() => throwing.Solve(a, b));
        Assert.Equal(SolverStatus.MaxIterations, e.Status);
    }

    [Fact]
    public void Cancellation_returns_cancelled_with_last_iterate()
    {
        var a = PdeProblems.Poisson2D(30);
        var b = Enumerable.Repeat(1.0, a.Rows).ToArray();
        using var cts = new CancellationTokenSource();
        var progress = new SyncProgress(rec => { if (rec.Iteration == 5) cts.Cancel(); });
        using var cg = Cg(new CgOptions { CancellationToken = cts.Token, Progress = progress });
        var r = cg.Solve(a, b);
        Assert.Equal(SolverStatus.Cancelled, r.Status);
        Assert.Equal(5, r.Iterations);
        Assert.Equal(5, progress.Count);
        // The returned iterate is the fifth one: the same as stopping at the iteration limit 5.
        using var five = Cg(new CgOptions { MaxIterations = 5 });
        Assert.Equal(five.Solve(a, b).Solution, r.Solution);
    }

    [Fact]
    public void Overflow_is_reported_as_non_finite()
    {
        var a = CsrMatrix.FromDense(new double[,] { { 1e300, 0 }, { 0, 2e300 } });
        using var cg = Cg(new CgOptions { Preconditioner = Preconditioners.None });
        var r = cg.Solve(a, new[] { 1e10, 1e10 });
        Assert.Equal(SolverStatus.NonFinite, r.Status);
    }

    [Fact]
    public void Preconditioner_with_negative_rz_is_breakdown()
    {
        using var cg = Cg(new CgOptions { Preconditioner = new NegatingPreconditioner() });
        var r = cg.Solve(PdeProblems.Poisson2D(4), Enumerable.Repeat(1.0, 16).ToArray());
        Assert.Equal(SolverStatus.Breakdown, r.Status);
    }

    [Fact]
    public void Bad_input_is_an_argument_exception_naming_the_argument_and_sizes()
    {
        using var cg = Cg();
        var rect = CsrMatrix.FromDense(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        var e1 = Assert.Throws<ArgumentException>(() => cg.Solve(rect, new double[2]));
        Assert.Equal("a", e1.ParamName);
        Assert.Contains("2x3", e1.Message);

        var a = PdeProblems.Poisson2D(3);
        var e2 = Assert.Throws<ArgumentException>(() => cg.Solve(a, new double[8]));
        Assert.Equal("b", e2.ParamName);
        Assert.Contains("9x9", e2.Message);
        Assert.Contains("8", e2.Message);

        var nanB = new double[9]; nanB[4] = double.NaN;
        var e3 = Assert.Throws<ArgumentException>(() => cg.Solve(a, nanB));
        Assert.Contains("b[4]", e3.Message);

        var infA = new CsrMatrix(2, 2, new[] { 0, 1, 2 }, new[] { 0, 1 }, new[] { 1.0, double.PositiveInfinity }, allowNonFinite: true);
        var e4 = Assert.Throws<ArgumentException>(() => cg.Solve(infA, new[] { 1.0, 1.0 }));
        Assert.Equal("a", e4.ParamName);
        Assert.Contains("A[1,1]", e4.Message);

        using var badGuess = Cg(new CgOptions { InitialGuess = new double[4] });
        Assert.Throws<ArgumentException>(() => badGuess.Solve(a, new double[9]));
    }

    [Theory]
    [InlineData(-1e-8)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Invalid_tolerances_are_rejected_when_set(double tol)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new CgOptions { Tolerance = tol });
        Assert.Equal(nameof(CgOptions.Tolerance), e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CgOptions { AbsoluteTolerance = tol });
    }

    [Fact]
    public void Negative_max_iterations_is_rejected()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new CgOptions { MaxIterations = -1 });

    [Fact]
    public void MathNet_interop_solves_the_same_system()
    {
        var a = RandomSpd(40, 9);
        var b = Enumerable.Range(0, 40).Select(i => (double)i).ToArray();
        using var cg = Cg(new CgOptions { Tolerance = 1e-12 });
        var r = cg.Solve(a.ToMathNet(), DenseVector.OfArray(b));
        AssertClose(DenseSolve(a, b), r.Solution, 1e-9);
    }

    public static TheoryData<string> SpdFiles => new() { "1138_bus", "494_bus", "lund_a", "LFAT5", "gr_30_30", "Trefethen_500" };

    [Theory]
    [MemberData(nameof(SpdFiles))]
    public void Shared_spd_matrices_converge_to_1e8(string name)
    {
        var a = TestData.ReadSharedMatrix(name, output.WriteLine);
        if (a is null) return;
        var b = a.Multiply(Enumerable.Repeat(1.0, a.Rows).ToArray());
        using var cg = Cg(new CgOptions { Tolerance = 1e-8 });
        var r = cg.Solve(a, b);
        output.WriteLine($"{name}: {r.Status} in {r.Iterations} iterations, relative residual {r.RelativeResidual:E2}");
        Assert.Equal(SolverStatus.Converged, r.Status);
        Assert.True(r.RelativeResidual <= 1e-8 * 1.01, $"true relative residual {r.RelativeResidual:E3}");
        if (a.Rows <= 1200) AssertClose(DenseSolve(a, b), r.Solution, 1e-8 * 1e7);
    }

    [Theory]
    [InlineData("zenios", "jacobi")]
    [InlineData("zenios", "none")]
    [InlineData("hangGlider_2", "jacobi")]
    [InlineData("hangGlider_2", "none")]
    public void Shared_indefinite_matrices_are_reported_indefinite(string name, string precond)
    {
        var a = TestData.ReadSharedMatrix(name, output.WriteLine);
        if (a is null) return;
        var b = a.Multiply(Enumerable.Repeat(1.0, a.Rows).ToArray());
        using var cg = Cg(new CgOptions { Preconditioner = Preconditioners.Parse(precond) });
        var r = cg.Solve(a, b);
        output.WriteLine($"{name}/{precond}: {r.Status} after {r.Iterations} iterations: {r.Message}");
        Assert.Equal(SolverStatus.IndefiniteMatrix, r.Status);
    }

    private sealed class SyncProgress(Action<IterationRecord> onReport) : IProgress<IterationRecord>
    {
        public int Count { get; private set; }

        public void Report(IterationRecord value)
        {
            Count++;
            onReport(value);
        }
    }

    private sealed class NegatingPreconditioner : IPreconditioner
    {
        public string Name => "negating";

        public AppliedPreconditioner Setup(Backend backend, DeviceCsr a, CsrMatrix? hostMatrix = null) => new Applied(backend);

        private sealed class Applied(Backend backend) : AppliedPreconditioner
        {
            public override void Apply(DeviceVector r, DeviceVector z, DeviceVector scalars, int slot)
            {
                backend.Blas.Copy(r, z);
                backend.Blas.Scale(-1, z);
                backend.Blas.DotInto(r, z, scalars, slot);
            }

            public override long BytesPerApply(int n) => 32L * n;
        }
    }
}
