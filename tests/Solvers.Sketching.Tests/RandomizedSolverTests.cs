using MathNet.Numerics.LinearAlgebra;
using Solvers.Sketching;
using Solvers.Sparse;
using Xunit;

namespace Solvers.Sketching.Tests;

/// <summary>
/// Randomized Kaczmarz and sketch-and-project on consistent systems: a sparse SPD matrix and a symmetric indefinite
/// KKT matrix [[H, G'], [G, 0]], each compared with a dense MathNet solve.
/// </summary>
public sealed class RandomizedSolverTests
{
    /// <summary>A random sparse SPD matrix: symmetric, strictly diagonally dominant, positive diagonal.</summary>
    private static CsrMatrix Spd(int n, int seed)
    {
        var rng = new Random(seed);
        var d = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                if (rng.NextDouble() < 0.2) d[i, j] = d[j, i] = rng.NextDouble() * 2 - 1;
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int j = 0; j < n; j++) s += Math.Abs(d[i, j]);
            d[i, i] = 1 + s;
        }
        return CsrMatrix.FromDense(d);
    }

    /// <summary>[[H, G'], [G, 0]] with H SPD (nh by nh) and G (ng by nh) of full row rank: symmetric, indefinite, nonsingular.</summary>
    private static CsrMatrix Kkt(int nh, int ng, int seed)
    {
        var h = Spd(nh, seed).ToDense();
        var rng = new Random(seed + 1);
        int n = nh + ng;
        var d = new double[n, n];
        for (int i = 0; i < nh; i++)
            for (int j = 0; j < nh; j++) d[i, j] = h[i, j];
        for (int r = 0; r < ng; r++)
        {
            for (int j = 0; j < nh; j++)
            {
                double g = (j == 2 * r ? 2.0 : 0.0) + (rng.NextDouble() < 0.3 ? rng.NextDouble() - 0.5 : 0.0);
                d[nh + r, j] = d[j, nh + r] = g;
            }
        }
        return CsrMatrix.FromDense(d);
    }

    private static double[] DenseSolve(CsrMatrix a, double[] b)
        => Matrix<double>.Build.DenseOfArray(a.ToDense()).Solve(Vector<double>.Build.DenseOfArray(b)).ToArray();

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var system in new[] { "spd", "kkt" })
            foreach (var method in new[] { "kaczmarz-rownorm", "kaczmarz-uniform", "sap-1", "sap-4" })
                data.Add(system, method);
        return data;
    }

    private static RandomizedSolveResult SolveWith(string method, CsrMatrix a, double[] b, RandomizedSolverOptions o) => method switch
    {
        "kaczmarz-rownorm" => RandomizedKaczmarz.Solve(new CsrOperator(a), b, o, KaczmarzSampling.RowNorm),
        "kaczmarz-uniform" => RandomizedKaczmarz.Solve(new CsrOperator(a), b, o, KaczmarzSampling.Uniform),
        "sap-1" => SketchAndProject.Solve(new CsrOperator(a), b, 1, o),
        _ => SketchAndProject.Solve(new CsrOperator(a), b, 4, o),
    };

    private static (CsrMatrix A, double[] B, double[] X) System(string name)
    {
        var a = name == "spd" ? Spd(20, 1) : Kkt(8, 3, 2);
        if (name == "kkt")
        {
            // Symmetric with zeros on part of the diagonal, and both signs among the eigenvalues.
            Assert.True(a.IsSymmetric());
            var eig = Matrix<double>.Build.DenseOfArray(a.ToDense()).Evd().EigenValues;
            Assert.Contains(eig, e => e.Real < 0);
            Assert.Contains(eig, e => e.Real > 0);
        }
        var xTrue = TestMatrices.Random(a.Columns, 9);
        return (a, a.Multiply(xTrue), xTrue);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Converges_on_a_consistent_system_to_the_dense_solution(string system, string method)
    {
        var (a, b, _) = System(system);
        var reference = DenseSolve(a, b);
        var o = new RandomizedSolverOptions { Tolerance = 1e-10, Seed = 42, MaxIterations = 2_000_000 };
        var r = SolveWith(method, a, b, o);
        Assert.Equal(SolverStatus.Converged, r.Status);
        Assert.True(r.RelativeResidual <= 1e-10);
        Assert.Equal(r.RelativeResidual, r.History[^1].ResidualNorm);
        Assert.Equal(0, r.History[0].Iteration);
        // Well-conditioned systems: a 1e-10 residual puts the solution within ~1e-8 of the dense one.
        TestMatrices.Close(reference, r.Solution, 1e-7, $"{system}/{method}");
        Assert.Equal(0, r.RegularizedSolves);

        // Same seed, same run.
        var again = SolveWith(method, a, b, o);
        Assert.Equal(r.Solution, again.Solution);
        Assert.Equal(r.Iterations, again.Iterations);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Warm_start_from_the_solution_converges_at_the_first_check(string system, string method)
    {
        var (a, b, _) = System(system);
        var x = DenseSolve(a, b);
        var r = SolveWith(method, a, b, new RandomizedSolverOptions { Tolerance = 1e-8, InitialGuess = x });
        Assert.Equal(SolverStatus.Converged, r.Status);
        Assert.Equal(0, r.Iterations);
        Assert.Single(r.History);
        Assert.Equal(x, r.Solution);
        Assert.NotSame(x, r.Solution);
    }

    [Fact]
    public void Iteration_limit_cancellation_and_progress_are_reported()
    {
        var (a, b, _) = System("spd");
        var checks = new List<IterationRecord>();
        var progress = new SyncProgress(checks);
        var r = RandomizedKaczmarz.Solve(new CsrOperator(a), b,
            new RandomizedSolverOptions { MaxIterations = 45, CheckInterval = 10, Progress = progress });
        Assert.Equal(SolverStatus.MaxIterations, r.Status);
        Assert.Equal(45, r.Iterations);
        Assert.Equal([0, 10, 20, 30, 40, 45], r.History.Select(c => c.Iteration));
        Assert.Equal(r.History, checks);

        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var c = SketchAndProject.Solve(new CsrOperator(a), b, 2, new RandomizedSolverOptions { CancellationToken = cts.Token });
        Assert.Equal(SolverStatus.Cancelled, c.Status);
        Assert.Equal(0, c.Iterations);
    }

    [Fact]
    public void Block_sketch_larger_than_the_rank_is_regularised_and_reported()
    {
        // K = [A; A] with A 3x3 of rank 3: K has rank 3, so a 5-row sketch of it gives a singular 5x5 S K K' S'.
        var a = Spd(3, 4).ToDense();
        var d = new double[6, 3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) d[i, j] = d[i + 3, j] = a[i, j];
        var k = CsrMatrix.FromDense(d);
        var x = new[] { 1.0, -2.0, 0.5 };
        var b = k.Multiply(x);
        var r = SketchAndProject.Solve(new CsrOperator(k), b, 5, new RandomizedSolverOptions { Tolerance = 1e-9, Seed = 3 });
        Assert.Equal(SolverStatus.Converged, r.Status);
        Assert.True(r.RegularizedSolves > 0);
        TestMatrices.Close(x, r.Solution, 1e-7, "rank-deficient block");
    }

    [Fact]
    public void Rectangular_consistent_system_is_solved()
    {
        var k = TestMatrices.Weighted(12, 5, 6);
        var x = TestMatrices.Random(5, 1);
        var b = k.Multiply(x);
        var o = new RandomizedSolverOptions { Tolerance = 1e-10, Seed = 8 };
        TestMatrices.Close(x, RandomizedKaczmarz.Solve(new CsrOperator(k), b, o).Solution, 1e-7, "kaczmarz 12x5");
        TestMatrices.Close(x, SketchAndProject.Solve(new CsrOperator(k), b, 3, o).Solution, 1e-7, "sap 12x5");
    }

    [Fact]
    public void Bad_inputs_are_rejected_with_names_and_sizes()
    {
        var (a, b, _) = System("spd");
        var op = new CsrOperator(a);
        var e = Assert.Throws<ArgumentException>(() => RandomizedKaczmarz.Solve(op, new double[19]));
        Assert.Equal("b", e.ParamName);
        Assert.Contains("20x20", e.Message, StringComparison.Ordinal);
        Assert.Equal("options", Assert.Throws<ArgumentException>(() =>
            SketchAndProject.Solve(op, b, 1, new RandomizedSolverOptions { InitialGuess = new double[3] })).ParamName);
        Assert.Equal("blockSize", Assert.Throws<ArgumentOutOfRangeException>(() => SketchAndProject.Solve(op, b, 0)).ParamName);
        Assert.Equal("blockSize", Assert.Throws<ArgumentOutOfRangeException>(() => SketchAndProject.Solve(op, b, 21)).ParamName);
        var bad = (double[])b.Clone();
        bad[3] = double.NaN;
        Assert.Equal("b", Assert.Throws<ArgumentException>(() => SketchAndProject.Solve(op, bad)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentException>(() =>
            RandomizedKaczmarz.Solve(new CsrOperator(new CsrMatrix(2, 2, new int[3], [], [])), new double[2])).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomizedSolverOptions { Tolerance = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomizedSolverOptions { CheckInterval = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomizedSolverOptions { MaxIterations = -1 });
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => op.Apply(new double[3], new double[20])).ParamName);
    }

    [Fact]
    public void Csr_operator_transpose_and_rows_match_the_matrix()
    {
        var k = TestMatrices.Weighted(7, 4, 2);
        var op = new CsrOperator(k);
        var y = TestMatrices.Random(7, 3);
        var x = new double[4];
        op.ApplyTranspose(y, x);
        TestMatrices.Close(TestMatrices.MultiplyTranspose(k.ToDense(), y), x, 1e-14, "K' y");
        var d = k.ToDense();
        for (int i = 0; i < 7; i++)
        {
            var row = op.GetRow(i);
            double norm = 0;
            for (int j = 0; j < 4; j++) norm += d[i, j] * d[i, j];
            Assert.Equal(norm, op.RowNormSquared(i), 12);
            Assert.Equal(TestMatrices.Multiply(d, x)[i], row.Dot(x), 12);
        }
    }

    /// <summary>Records reports synchronously (Progress&lt;T&gt; would post them to the thread pool).</summary>
    private sealed class SyncProgress(List<IterationRecord> sink) : IProgress<IterationRecord>
    {
        public void Report(IterationRecord value) => sink.Add(value);
    }
}
