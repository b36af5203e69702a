using MathNet.Numerics.LinearAlgebra.Double;
using Solvers.Optimization;
using Solvers.Sparse;
using Xunit;
using Xunit.Abstractions;

namespace Solvers.Tests;

/// <summary>The sketched Newton method on problems with known solutions, its inner solvers, and its failure statuses.</summary>
public sealed class SketchedNewtonTests(ITestOutputHelper output)
{
    /// <summary>min x0 + x1 s.t. x0^2 + x1^2 = 2: x* = (-1, -1), f* = -2, lambda* = 1/2 (from 1 + 2 lambda x = 0).</summary>
    private sealed class Circle : EqualityConstrainedProblem
    {
        public override string Name => "circle";
        public override int Dimension => 2;
        public override int ConstraintCount => 1;
        public override double[] StartingPoint() => [-0.5, -1.5];
        public override double Objective(ReadOnlySpan<double> x) => x[0] + x[1];
        public override void Constraints(ReadOnlySpan<double> x, Span<double> c) => c[0] = x[0] * x[0] + x[1] * x[1] - 2;
        public override bool HasGradient => true;
        public override bool HasJacobian => true;
        public override bool HasHessian => true;
        public override void Gradient(ReadOnlySpan<double> x, Span<double> g) { g[0] = 1; g[1] = 1; }
        public override CsrMatrix Jacobian(ReadOnlySpan<double> x) => CsrMatrix.FromDense(new double[,] { { 2 * x[0], 2 * x[1] } });
        public override CsrMatrix LagrangianHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> lambda)
            => CsrMatrix.FromDense(new double[,] { { 2 * lambda[0], 0 }, { 0, 2 * lambda[0] } });
    }

    /// <summary>
    /// A random strictly convex quadratic with random linear constraints: min 1/2 x'Qx + p'x s.t. Ax = b. Its KKT
    /// system is linear, so the dense MathNet solve of [[Q, A'], [A, 0]] gives the exact optimum.
    /// </summary>
    private sealed class Quadratic(int n, int m, int seed, bool dependentRows = false) : EqualityConstrainedProblem
    {
        private readonly double[,] _q = Spd(n, seed);
        private readonly double[] _p = Vector(n, seed + 1);
        private readonly double[,] _a = Rows(n, m, seed + 2, dependentRows);
        private readonly double[] _b = Vector(m, seed + 3);

        public override string Name => "quadratic";
        public override int Dimension => n;
        public override int ConstraintCount => m;
        public override double[] StartingPoint() => new double[n];
        public override bool HasGradient => true;
        public override bool HasJacobian => true;
        public override bool HasHessian => true;

        public override double Objective(ReadOnlySpan<double> x)
        {
            double f = 0;
            for (int i = 0; i < n; i++)
            {
                f += _p[i] * x[i];
                for (int j = 0; j < n; j++) f += 0.5 * x[i] * _q[i, j] * x[j];
            }
            return f;
        }

        public override void Gradient(ReadOnlySpan<double> x, Span<double> g)
        {
            for (int i = 0; i < n; i++)
            {
                g[i] = _p[i];
                for (int j = 0; j < n; j++) g[i] += _q[i, j] * x[j];
            }
        }

        public override void Constraints(ReadOnlySpan<double> x, Span<double> c)
        {
            for (int i = 0; i < m; i++)
            {
                c[i] = -_b[i];
                for (int j = 0; j < n; j++) c[i] += _a[i, j] * x[j];
            }
        }

        public override CsrMatrix Jacobian(ReadOnlySpan<double> x) => CsrMatrix.FromDense(_a);
        public override CsrMatrix LagrangianHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> lambda) => CsrMatrix.FromDense(_q);

        public double[] ExactSolution()
        {
            var k = DenseMatrix.Create(n + m, n + m, (i, j) => i < n && j < n ? _q[i, j] : i < n ? _a[j - n, i] : j < n ? _a[i - n, j] : 0);
            var rhs = DenseVector.Create(n + m, i => i < n ? -_p[i] : _b[i - n]);
            return k.Solve(rhs).ToArray()[..n];
        }

        private static double[,] Spd(int n, int seed)
        {
            var r = new Random(seed);
            var a = new double[n, n];
            var q = new double[n, n];
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) a[i, j] = r.NextDouble() - 0.5;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    for (int k = 0; k < n; k++) q[i, j] += a[k, i] * a[k, j];
                    if (i == j) q[i, j] += 1;
                }
            return q;
        }

        private static double[] Vector(int n, int seed)
        {
            var r = new Random(seed);
            return Enumerable.Range(0, n).Select(_ => r.NextDouble() - 0.5).ToArray();
        }

        private static double[,] Rows(int n, int m, int seed, bool dependent)
        {
            var r = new Random(seed);
            var a = new double[m, n];
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) a[i, j] = dependent && i == m - 1 ? 2 * a[0, j] : r.NextDouble() - 0.5;
            return a;
        }
    }

    [Theory]
    [InlineData(InnerSolver.Minres)]
    [InlineData(InnerSolver.Gaussian)]
    [InlineData(InnerSolver.Block)]
    [InlineData(InnerSolver.Kaczmarz)]
    public void Every_inner_solver_finds_the_quadratic_programs_optimum(InnerSolver inner)
    {
        var p = new Quadratic(12, 4, seed: 7);
        var r = new SketchedNewton(new SketchedNewtonOptions { Inner = inner, BlockSize = 4, Tolerance = 1e-8, MaxInnerIterations = 2_000_000 }).Solve(p);
        output.WriteLine($"{inner}: {r.Status}, {r.Iterations} iterations, {r.InnerIterations} inner, KKT {r.KktResidual:E2}");
        Assert.Equal(SolverStatus.Converged, r.Status);
        var exact = p.ExactSolution();
        for (int i = 0; i < exact.Length; i++) Assert.Equal(exact[i], r.X[i], 1e-6);
        Assert.True(r.KktResidual <= 1e-8);
    }

    [Fact]
    public void Nonlinear_constraint_reaches_the_known_optimum_with_its_multiplier()
    {
        var r = new SketchedNewton().Solve(new Circle());
        Assert.Equal(SolverStatus.Converged, r.Status);
        Assert.Equal(-2.0, r.Objective, 6);
        Assert.Equal(-1.0, r.X[0], 6);
        Assert.Equal(-1.0, r.X[1], 6);
        Assert.Equal(0.5, r.Lambda[0], 6);
        Assert.Equal(r.Iterations + 1, r.History.Count);
    }

    [Fact]
    public void Sharpening_makes_the_local_rate_superlinear()
    {
        // With a loose fixed inner accuracy (relative KKT residual 0.3) the outer residual falls by a roughly constant
        // factor (linear); sharpening multiplies the accuracy by the KKT residual, so the factor goes to zero.
        double LastRatio(bool sharpen)
        {
            var r = new SketchedNewton(new SketchedNewtonOptions { Sharpening = sharpen, Tolerance = 1e-9, Inner = InnerSolver.Minres, FixedInnerTolerance = 0.3 }).Solve(new Quadratic(30, 5, seed: 4));
            Assert.Equal(SolverStatus.Converged, r.Status);
            var h = r.History.Select(x => x.KktResidual).ToList();
            var ratios = h.Zip(h.Skip(1), (a, b) => b / a).Where((_, i) => h[i] > 1e-7).ToList();
            output.WriteLine($"sharpen={sharpen}: ratios {string.Join(", ", ratios.Select(x => x.ToString("E1")))}");
            return ratios[^1];
        }
        double plain = LastRatio(false), sharp = LastRatio(true);
        Assert.InRange(plain, 0.01, 0.5);
        Assert.True(sharp < 0.1 * plain, $"sharpened {sharp} vs plain {plain}");
    }

    [Fact]
    public void Dependent_constraints_are_reported_as_singular()
    {
        var r = new SketchedNewton().Solve(new Quadratic(6, 3, seed: 2, dependentRows: true));
        Assert.Equal(SolverStatus.Singular, r.Status);
        Assert.Contains("linearly dependent", r.Message);
    }

    [Fact]
    public void Bad_input_names_the_mismatch()
    {
        var solver = new SketchedNewton();
        var e = Assert.Throws<ArgumentException>(() => solver.Solve(new Circle(), [1.0, 2, 3]));
        Assert.Contains("length 3", e.Message);
        Assert.Contains("2 variables", e.Message);
        Assert.Throws<ArgumentException>(() => solver.Solve(new Circle(), [double.NaN, 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SketchedNewtonOptions { Beta = 0.7 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new SketchedNewtonOptions { Nu = 1 });
    }

    [Fact]
    public void Iteration_cap_is_a_status()
    {
        var r = new SketchedNewton(new SketchedNewtonOptions { MaxIterations = 1, Tolerance = 1e-14 }).Solve(new Circle());
        Assert.Equal(SolverStatus.MaxIterations, r.Status);
        Assert.Equal(1, r.Iterations);
    }
}
