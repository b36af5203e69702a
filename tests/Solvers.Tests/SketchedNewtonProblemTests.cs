using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;
using Solvers.Optimization;
using Solvers.Optimization.Problems;
using Solvers.Sparse;
using Solvers.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace Solvers.Tests;

/// <summary>
/// The sketched Newton method on the shipped problems, from their standard starting points, checked against the
/// literature optima (Hock-Schittkowski), a dense MathNet KKT solve (optimal control) and the first-order conditions
/// recomputed here by a dense least-squares multiplier fit (logistic regression).
/// </summary>
public sealed class SketchedNewtonProblemTests(ITestOutputHelper output)
{
    public static TheoryData<string> SolvableHs()
    {
        var data = new TheoryData<string>();
        foreach (var p in HockSchittkowski.All)
            if (p.Name != "hs061") data.Add(p.Name);
        return data;
    }

    /// <summary>
    /// ||grad f + G' lambda|| and ||c|| at x, with lambda the least-squares multiplier (dense QR), so the check does
    /// not trust the solver's own multipliers or residual.
    /// </summary>
    private static double IndependentKkt(EqualityConstrainedProblem p, double[] x)
    {
        int n = p.Dimension, m = p.ConstraintCount;
        var g = new double[n];
        p.Gradient(x, g);
        var c = new double[m];
        p.Constraints(x, c);
        var gv = DenseVector.OfArray(g);
        if (m == 0) return gv.L2Norm();
        var jt = DenseMatrix.OfArray(p.Jacobian(x).ToDense()).Transpose();
        var lambda = jt.QR().Solve(-gv);
        return Math.Sqrt(Math.Pow((gv + jt * lambda).L2Norm(), 2) + Math.Pow(DenseVector.OfArray(c).L2Norm(), 2));
    }

    [Theory]
    [MemberData(nameof(SolvableHs))]
    public void Minres_inner_reaches_the_literature_optimum_from_the_standard_start(string name)
    {
        var p = HockSchittkowski.Get(name);
        var r = new SketchedNewton(new SketchedNewtonOptions { Inner = InnerSolver.Minres }).Solve(p);
        double fStar = p.KnownOptimalValue!.Value;
        double kkt = IndependentKkt(p, r.X);
        output.WriteLine($"{name}: {r.Status}, f = {r.Objective:R} (f* = {fStar:R}), KKT {kkt:E2}, {r.Iterations} its, {r.InnerIterations} inner");
        Assert.Equal(SolverStatus.Converged, r.Status);
        Assert.True(r.Objective <= fStar + 1e-6 * Math.Max(1, Math.Abs(fStar)), $"{name}: f = {r.Objective:R} above f* = {fStar:R}");
        Assert.True(kkt <= 1e-6, $"{name}: independent KKT residual {kkt:E2}");
    }

    [Theory]
    [InlineData("hs028")]
    [InlineData("hs040")]
    [InlineData("hs048")]
    [InlineData("hs078")]
    public void Gaussian_sketch_inner_reaches_the_literature_optimum(string name)
    {
        var p = HockSchittkowski.Get(name);
        var r = new SketchedNewton(new SketchedNewtonOptions { Inner = InnerSolver.Gaussian, Seed = 3 }).Solve(p);
        double fStar = p.KnownOptimalValue!.Value;
        output.WriteLine($"{name}: {r.Status}, f = {r.Objective:R}, {r.Iterations} its, {r.InnerIterations} inner");
        Assert.Equal(SolverStatus.Converged, r.Status);
        Assert.Equal(fStar, r.Objective, 1e-6 * Math.Max(1, Math.Abs(fStar)));
        Assert.True(IndependentKkt(p, r.X) <= 1e-6);
    }

    [Fact]
    public void Hs61_is_singular_at_its_standard_start_and_solvable_from_a_nearby_one()
    {
        // At x0 = 0 the Jacobian rows (3, 0, 0) and (4, 0, 0) are parallel: the linearised constraints are inconsistent.
        var p = HockSchittkowski.Get("hs061");
        var solver = new SketchedNewton(new SketchedNewtonOptions { Inner = InnerSolver.Minres });
        var r = solver.Solve(p);
        Assert.Equal(SolverStatus.Singular, r.Status);
        Assert.Contains("linearly dependent", r.Message);

        // From (1, 1, 1) or (0.1, 0.1, 0.1) it converges to HS61's other KKT point, f = -81.919 (a local minimum).
        var moved = solver.Solve(p, [1.0, -1.0, 1.0]);
        output.WriteLine($"hs061 from (1,-1,1): {moved.Status}, f = {moved.Objective:R}");
        Assert.Equal(SolverStatus.Converged, moved.Status);
        Assert.Equal(p.KnownOptimalValue!.Value, moved.Objective, 1e-6 * Math.Abs(p.KnownOptimalValue.Value));
    }

    [Fact]
    public void Optimal_control_matches_a_dense_kkt_solve()
    {
        // A quadratic program with linear constraints: x* solves H x + G' l = -grad f(0), G x = -c(0) exactly.
        var p = new OptimalControl2D(12);
        int n = p.Dimension, m = p.ConstraintCount;
        var zero = new double[n];
        var g0 = new double[n];
        p.Gradient(zero, g0);
        var c0 = new double[m];
        p.Constraints(zero, c0);
        var h = DenseMatrix.OfArray(p.LagrangianHessian(zero, new double[m]).ToDense());
        var jac = DenseMatrix.OfArray(p.Jacobian(zero).ToDense());
        var k = new DenseMatrix(n + m, n + m);
        k.SetSubMatrix(0, 0, h);
        k.SetSubMatrix(0, n, jac.Transpose());
        k.SetSubMatrix(n, 0, jac);
        var rhs = new DenseVector(n + m);
        for (int i = 0; i < n; i++) rhs[i] = -g0[i];
        for (int i = 0; i < m; i++) rhs[n + i] = -c0[i];
        var exact = k.LU().Solve(rhs);

        var r = new SketchedNewton(new SketchedNewtonOptions { Inner = InnerSolver.Minres, Tolerance = 1e-9 }).Solve(p);
        Assert.Equal(SolverStatus.Converged, r.Status);
        double err = 0, scale = 0;
        for (int i = 0; i < n; i++)
        {
            err = Math.Max(err, Math.Abs(r.X[i] - exact[i]));
            scale = Math.Max(scale, Math.Abs(exact[i]));
        }
        output.WriteLine($"N = 12: max |x - x*| = {err:E2} (max |x*| = {scale:E2}), {r.InnerIterations} MINRES iterations");
        Assert.True(err <= 1e-7 * scale, $"max |x - x*| = {err:E2}");
    }

    [Fact]
    public void Wrong_jacobian_shape_is_an_argument_error_naming_the_sizes()
    {
        var e = Assert.Throws<ArgumentException>(() => new SketchedNewton().Solve(new WrongJacobian()));
        Assert.Contains("1x3", e.Message);
        Assert.Contains("1x2", e.Message);
    }

    private sealed class WrongJacobian : EqualityConstrainedProblem
    {
        public override string Name => "wrong-jacobian";
        public override int Dimension => 2;
        public override int ConstraintCount => 1;
        public override double[] StartingPoint() => [1.0, 1.0];
        public override double Objective(ReadOnlySpan<double> x) => x[0] * x[0] + x[1] * x[1];
        public override void Constraints(ReadOnlySpan<double> x, Span<double> c) => c[0] = x[0] + x[1] - 1;
        public override bool HasJacobian => true;
        public override CsrMatrix Jacobian(ReadOnlySpan<double> x) => CsrMatrix.FromDense(new double[,] { { 1, 1, 0 } });
    }

    [SkippableTheory]
    [InlineData("heart_scale", 13)]
    [InlineData("breast_cancer.csv", 30)]
    public void Logistic_regression_on_real_data_satisfies_the_first_order_conditions(string file, int features)
    {
        string? data = TestData.FindSharedData();
        string? path = data is null ? null : Path.Combine(data, "datasets", file);
        Skip.If(path is null || !File.Exists(path), $"../shared/data/datasets/{file} not found; logistic regression on it not tested.");
        var p = ConstrainedLogisticRegression.FromFile(path!, linearConstraints: 5, seed: 2);
        Assert.Equal(features, p.Dimension);
        var r = new SketchedNewton(new SketchedNewtonOptions { Inner = InnerSolver.Minres }).Solve(p);
        double kkt = IndependentKkt(p, r.X);
        double norm2 = r.X.Sum(v => v * v);
        output.WriteLine($"{p.Name}: {r.Status}, f = {r.Objective:R}, {r.Iterations} its, ||x||^2 = {norm2:R}, KKT {kkt:E2}");
        Assert.Equal(SolverStatus.Converged, r.Status);
        Assert.True(r.Iterations <= 40, $"{r.Iterations} Newton iterations");
        Assert.Equal(1.0, norm2, 1e-7);
        Assert.True(kkt <= 1e-6, $"independent KKT residual {kkt:E2}");
    }
}
