using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;
using Solvers.Optimization;
using Solvers.Optimization.Problems;
using Solvers.Sparse;
using Solvers.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace Solvers.Tests;

public sealed class OptimizationProblemTests(ITestOutputHelper output)
{
    public static TheoryData<string> HsNames()
    {
        var data = new TheoryData<string>();
        foreach (var p in HockSchittkowski.All) data.Add(p.Name);
        return data;
    }

    private static double[] Residual(EqualityConstrainedProblem p, double[] x)
    {
        var c = new double[p.ConstraintCount];
        p.Constraints(x, c);
        return c;
    }

    private static double MaxAbs(IEnumerable<double> v) => v.Select(Math.Abs).DefaultIfEmpty(0).Max();

    // Newton's method on the KKT system grad f + G'l = 0, c = 0, with multipliers initialised by least squares.
    // Quadratic convergence from the published x* confirms both that x* is a KKT point and that the Hessian is right.
    private static (double[] X, double[] Lambda, double KktNorm) RefineKkt(EqualityConstrainedProblem p, double[] x0, int iterations = 30)
    {
        int n = p.Dimension, m = p.ConstraintCount;
        var x = (double[])x0.Clone();
        var g = new double[n];
        p.Gradient(x, g);
        var gMat = p.Jacobian(x).ToDenseMathNet();
        var lambda = m == 0 ? Array.Empty<double>()
            : gMat.Transpose().Solve(DenseVector.OfArray(g).Negate()).ToArray();
        double kkt = double.PositiveInfinity;
        for (int it = 0; it < iterations; it++)
        {
            p.Gradient(x, g);
            var jac = p.Jacobian(x).ToDenseMathNet();
            var gl = DenseVector.OfArray(g) + (m > 0 ? jac.TransposeThisAndMultiply(DenseVector.OfArray(lambda)) : DenseVector.Create(n, 0));
            var c = DenseVector.OfArray(Residual(p, x));
            kkt = Math.Max(gl.InfinityNorm(), m > 0 ? c.InfinityNorm() : 0);
            if (kkt < 1e-13) break;
            var h = p.LagrangianHessian(x, lambda).ToDenseMathNet();
            var k = DenseMatrix.Create(n + m, n + m, 0);
            k.SetSubMatrix(0, 0, h);
            if (m > 0)
            {
                k.SetSubMatrix(0, n, jac.Transpose());
                k.SetSubMatrix(n, 0, jac);
            }
            var rhs = DenseVector.Create(n + m, 0);
            rhs.SetSubVector(0, n, -gl);
            if (m > 0) rhs.SetSubVector(n, m, -c);
            var step = k.Solve(rhs);
            for (int i = 0; i < n; i++) x[i] += step[i];
            for (int i = 0; i < m; i++) lambda[i] += step[n + i];
        }
        return (x, lambda, kkt);
    }

    [Theory]
    [MemberData(nameof(HsNames))]
    public void HockSchittkowskiOptimumMatchesLiterature(string name)
    {
        var p = (HockSchittkowskiProblem)HockSchittkowski.Get(name);
        double fStar = p.KnownOptimalValue!.Value;
        var xStar = p.KnownSolution();
        Assert.Equal(p.Dimension, xStar.Length);
        Assert.Equal(p.Dimension, p.StartingPoint().Length);

        // The published x* (7 digits for HS61/77/78/79) is feasible and attains f* to the published accuracy.
        Assert.True(MaxAbs(Residual(p, xStar)) < 1e-5, $"{name}: |c(x*)| = {MaxAbs(Residual(p, xStar)):G3}");
        double scale = Math.Max(1.0, Math.Abs(fStar));
        Assert.True(Math.Abs(p.Objective(xStar) - fStar) <= 1e-6 * scale, $"{name}: f(x*) = {p.Objective(xStar):R}, f* = {fStar:R}");

        // Newton on the KKT system from x* stays at x* and reproduces f*.
        var (x, lambda, kkt) = RefineKkt(p, xStar);
        output.WriteLine($"{name}: KKT residual {kkt:G3}, f = {p.Objective(x):R}, x = [{string.Join(", ", x.Select(v => v.ToString("R")))}], lambda = [{string.Join(", ", lambda.Select(l => l.ToString("G6")))}]");
        Assert.True(kkt < 1e-9, $"{name}: KKT residual {kkt:G3} after Newton refinement");
        Assert.True(MaxAbs(Residual(p, x)) < 1e-10);
        Assert.True(Math.Abs(p.Objective(x) - fStar) <= 1e-6 * scale, $"{name}: refined f = {p.Objective(x):R}, f* = {fStar:R}");
        for (int i = 0; i < x.Length; i++) Assert.True(Math.Abs(x[i] - xStar[i]) < 1e-5, $"{name}: refined x[{i}] = {x[i]:R} vs {xStar[i]:R}");
    }

    [Theory]
    [MemberData(nameof(HsNames))]
    public void HockSchittkowskiDerivativesPassTheChecker(string name)
    {
        var p = HockSchittkowski.Get(name);
        var x0 = p.StartingPoint();
        var atStart = DerivativeChecker.Check(p, x0);
        output.WriteLine(atStart.ToString());
        Assert.True(atStart.Passed, atStart.ToString());
        Assert.NotNull(atStart.Gradient);
        Assert.NotNull(atStart.Jacobian);
        Assert.NotNull(atStart.Hessian);

        var rng = new Random(name.GetHashCode(StringComparison.Ordinal) & 0xffff);
        var xr = ((HockSchittkowskiProblem)p).KnownSolution().Select(v => v + rng.NextDouble() - 0.5).ToArray();
        var atRandom = DerivativeChecker.Check(p, xr);
        output.WriteLine(atRandom.ToString());
        Assert.True(atRandom.Passed, atRandom.ToString());
    }

    [Fact]
    public void HockSchittkowskiNamesResolve()
    {
        Assert.True(HockSchittkowski.All.Count >= 10);
        Assert.Same(HockSchittkowski.Get("hs028"), HockSchittkowski.Get("hs28"));
        Assert.Same(HockSchittkowski.Get("HS6"), HockSchittkowski.Get("hs006"));
        var e = Assert.Throws<ArgumentException>(() => HockSchittkowski.Get("hs999"));
        Assert.Contains("hs028", e.Message);
        Assert.Equal(HockSchittkowski.All.Count, HockSchittkowski.All.Select(p => p.Name).Distinct().Count());
    }

    /// <summary>f = x0^2 x1 + sin x2, c = (x0 x1 - 1, x2^2 + x0); derivatives only by finite differences unless subclassed.</summary>
    private class SimpleProblem : EqualityConstrainedProblem
    {
        public override string Name => "simple";
        public override int Dimension => 3;
        public override int ConstraintCount => 2;
        public override double[] StartingPoint() => [1.0, 2.0, 0.5];
        public override double Objective(ReadOnlySpan<double> x) => x[0] * x[0] * x[1] + Math.Sin(x[2]);
        public override void Constraints(ReadOnlySpan<double> x, Span<double> c)
        {
            c[0] = x[0] * x[1] - 1;
            c[1] = x[2] * x[2] + x[0];
        }
    }

    /// <summary>The simple problem with a supplied gradient whose entry 1 is deliberately wrong.</summary>
    private sealed class BuggyGradientProblem : SimpleProblem
    {
        public override bool HasGradient => true;
        public override void Gradient(ReadOnlySpan<double> x, Span<double> g)
        {
            g[0] = 2 * x[0] * x[1];
            g[1] = 2 * x[0] * x[0]; // should be x0^2
            g[2] = Math.Cos(x[2]);
        }
    }

    private sealed class WrongShapeJacobianProblem : SimpleProblem
    {
        public override bool HasJacobian => true;
        public override CsrMatrix Jacobian(ReadOnlySpan<double> x) => CsrMatrix.FromDense(new double[3, 3]);
    }

    private sealed class WrongStartProblem : SimpleProblem
    {
        public override double[] StartingPoint() => [1.0, 2.0];
    }

    private sealed class OverlongConstraintsProblem : SimpleProblem
    {
        public override int ConstraintCount => 1;
    }

    [Fact]
    public void FiniteDifferencesMatchHandDerivatives()
    {
        var p = new SimpleProblem();
        double[] x = [1.3, -0.7, 0.4];
        var g = new double[3];
        p.Gradient(x, g); // the finite-difference fallback
        double[] gExact = [2 * x[0] * x[1], x[0] * x[0], Math.Cos(x[2])];
        for (int i = 0; i < 3; i++) Assert.Equal(gExact[i], g[i], 1e-8);

        var j = p.Jacobian(x).ToDense();
        double[,] jExact = { { x[1], x[0], 0 }, { 1, 0, 2 * x[2] } };
        for (int r = 0; r < 2; r++)
            for (int c = 0; c < 3; c++) Assert.Equal(jExact[r, c], j[r, c], 1e-8);
        Assert.Equal(4, p.Jacobian(x).NonZeros); // exact zeros dropped

        double[] lambda = [0.5, -2.0];
        var h = p.LagrangianHessian(x, lambda).ToDense();
        double[,] hExact =
        {
            { 2 * x[1], 2 * x[0] + lambda[0], 0 },
            { 2 * x[0] + lambda[0], 0, 0 },
            { 0, 0, -Math.Sin(x[2]) + 2 * lambda[1] },
        };
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++)
            {
                Assert.Equal(hExact[r, c], h[r, c], 1e-5);
                Assert.Equal(h[c, r], h[r, c]);
            }

        double[] v = [0.3, -1.0, 2.0];
        var hv = new double[3];
        FiniteDifferences.HessianVectorProduct(p, x, lambda, v, hv);
        for (int r = 0; r < 3; r++)
        {
            double expected = 0;
            for (int c = 0; c < 3; c++) expected += hExact[r, c] * v[c];
            Assert.Equal(expected, hv[r], 1e-5);
        }
    }

    [Fact]
    public void FiniteDifferencesRejectMismatchedLengths()
    {
        var p = new SimpleProblem();
        var e1 = Assert.Throws<ArgumentException>(() => FiniteDifferences.Gradient(p.Objective, new double[3], new double[2]));
        Assert.Equal("g", e1.ParamName);
        Assert.Contains("3", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => FiniteDifferences.LagrangianHessian(p, new double[3], new double[5]));
        Assert.Equal("lambda", e2.ParamName);
        Assert.Contains("5", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => FiniteDifferences.HessianVectorProduct(p, new double[3], new double[2], new double[4], new double[3]));
        Assert.Equal("v", e3.ParamName);
    }

    [Fact]
    public void CheckerNamesTheWrongGradientEntry()
    {
        var report = DerivativeChecker.Check(new BuggyGradientProblem(), [1.5, 2.0, 0.5]);
        output.WriteLine(report.ToString());
        Assert.False(report.Passed);
        Assert.NotNull(report.Gradient);
        Assert.Equal(1, report.Gradient!.Row);
        Assert.Equal(4.5, report.Gradient.Supplied, 12);
        Assert.Equal(2.25, report.Gradient.FiniteDifference, 6);
        Assert.Contains("gradient[1]: supplied 4.5, finite differences 2.25", report.ToString());
        Assert.Null(report.Jacobian);
        Assert.Null(report.Hessian);

        var clean = DerivativeChecker.Check(new SimpleProblem(), [1.5, 2.0, 0.5]);
        Assert.True(clean.Passed); // nothing supplied, nothing to fail
    }

    [Fact]
    public void CheckerRejectsInconsistentSizes()
    {
        var e1 = Assert.Throws<ArgumentException>(() => DerivativeChecker.Check(new SimpleProblem(), new double[4]));
        Assert.Contains("simple", e1.Message);
        Assert.Contains("4", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => DerivativeChecker.Check(new WrongStartProblem(), new double[3]));
        Assert.Contains("StartingPoint", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => DerivativeChecker.Check(new WrongShapeJacobianProblem(), new double[3]));
        Assert.Contains("3 x 3", e3.Message);
        Assert.Contains("2 x 3", e3.Message);
        var e4 = Assert.Throws<ArgumentException>(() => DerivativeChecker.Check(new OverlongConstraintsProblem(), new double[3]));
        Assert.Contains("ConstraintCount = 1", e4.Message);
    }

    private static ConstrainedLogisticRegression SyntheticLogistic(int samples = 60, int features = 7)
    {
        var rng = new Random(5);
        var a = new double[samples, features];
        var y = new double[samples];
        for (int i = 0; i < samples; i++)
        {
            double z = 0;
            for (int j = 0; j < features; j++)
            {
                a[i, j] = rng.NextDouble() < 0.6 ? 2 * rng.NextDouble() - 1 : 0;
                z += a[i, j] * (j % 2 == 0 ? 1 : -1);
            }
            y[i] = z + 0.3 * (rng.NextDouble() - 0.5) > 0 ? 1 : -1;
        }
        return new ConstrainedLogisticRegression(a, y, linearConstraints: 3, seed: 11);
    }

    [Fact]
    public void LogisticRegressionDerivativesPassTheChecker()
    {
        var p = SyntheticLogistic();
        Assert.Equal(7, p.Dimension);
        Assert.Equal(4, p.ConstraintCount);
        Assert.All(p.StartingPoint(), v => Assert.Equal(1.0, v));
        var r0 = DerivativeChecker.Check(p, p.StartingPoint());
        output.WriteLine(r0.ToString());
        Assert.True(r0.Passed, r0.ToString());
        var rng = new Random(3);
        var xr = Enumerable.Range(0, p.Dimension).Select(_ => 3 * rng.NextDouble() - 1.5).ToArray();
        var r1 = DerivativeChecker.Check(p, xr);
        Assert.True(r1.Passed, r1.ToString());

        // Same seed, same constraints; different seed, different constraints.
        var c1 = Residual(p, xr);
        Assert.Equal(c1, Residual(SyntheticLogistic(), xr));
        Assert.Equal(xr.Sum(v => v * v) - 1, c1[^1], 12);
    }

    [Fact]
    public void LogisticRegressionIsStableForHugeMargins()
    {
        var p = new ConstrainedLogisticRegression(new double[,] { { 1000 }, { -1000 } }, [1.0, 1.0], linearConstraints: 1);
        double f = p.Objective([1.0]); // one sample has margin 1000 (loss ~ 0), the other -1000 (loss ~ 1000)
        Assert.Equal(500, f, 9);
        var g = new double[1];
        p.Gradient([1.0], g);
        Assert.Equal(500, g[0], 9);
        var h = p.LagrangianHessian([1.0], [0.0, 0.0]);
        Assert.True(double.IsFinite(h[0, 0]));
        Assert.Throws<ArgumentException>(() => new ConstrainedLogisticRegression(new double[,] { { 1 } }, [0.0]));
    }

    [SkippableFact]
    public void LogisticRegressionOnHeartScale()
    {
        string? data = TestData.FindSharedData();
        string? path = data is null ? null : Path.Combine(data, "datasets", "heart_scale");
        Skip.If(path is null || !File.Exists(path), "../shared/data/datasets/heart_scale not found; logistic regression on it not tested.");
        var p = ConstrainedLogisticRegression.FromLibSvm(path!, linearConstraints: 5, seed: 1);
        Assert.Equal(13, p.Dimension);
        Assert.Equal(270, p.SampleCount);
        Assert.Equal(6, p.ConstraintCount);
        var report = DerivativeChecker.Check(p, p.StartingPoint());
        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(Math.Log(2), p.Objective(new double[13]), 12);
    }

    [Fact]
    public void OptimalControlDerivativesPassTheChecker()
    {
        var p = new OptimalControl2D(4);
        Assert.Equal(32, p.Dimension);
        Assert.Equal(16, p.ConstraintCount);
        Assert.True(DerivativeChecker.Check(p, p.StartingPoint()).Passed);
        var rng = new Random(9);
        var xr = Enumerable.Range(0, p.Dimension).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var report = DerivativeChecker.Check(p, xr);
        output.WriteLine(report.ToString());
        Assert.True(report.Passed, report.ToString());
    }

    [Fact]
    public void OptimalControlKktSolutionMatchesElimination()
    {
        var p = new OptimalControl2D(4);
        int n = p.Dimension, m = p.ConstraintCount, nn = m;
        var h = p.LagrangianHessian(new double[n], new double[m]).ToDenseMathNet();
        var gMat = p.Jacobian(new double[n]).ToDenseMathNet();
        var g0 = new double[n];
        p.Gradient(new double[n], g0); // the objective is quadratic: grad f(x) = H x + g0
        var k = DenseMatrix.Create(n + m, n + m, 0);
        k.SetSubMatrix(0, 0, h);
        k.SetSubMatrix(0, n, gMat.Transpose());
        k.SetSubMatrix(n, 0, gMat);
        var rhs = DenseVector.Create(n + m, 0);
        rhs.SetSubVector(0, n, DenseVector.OfArray(g0).Negate());
        var sol = k.Solve(rhs);
        var x = sol.SubVector(0, n).ToArray();
        var lambda = sol.SubVector(n, m).ToArray();

        var g = new double[n];
        p.Gradient(x, g);
        var gl = DenseVector.OfArray(g) + gMat.TransposeThisAndMultiply(DenseVector.OfArray(lambda));
        Assert.True(gl.InfinityNorm() < 1e-10, $"stationarity {gl.InfinityNorm():G3}");
        Assert.True(MaxAbs(Residual(p, x)) < 1e-8, $"feasibility {MaxAbs(Residual(p, x)):G3}");

        // The constraint rows are P w - h^2 z = 0: eliminating z = L w with L = P / h^2 leaves (I + alpha L'L) w = w_target.
        var l = gMat.SubMatrix(0, m, 0, nn) / (p.Spacing * p.Spacing);
        var w = (DenseMatrix.CreateIdentity(nn) + p.Alpha * l.TransposeThisAndMultiply(l)).Solve(DenseVector.OfArray(p.Target()));
        for (int i = 0; i < nn; i++) Assert.Equal(w[i], x[i], 10);
        output.WriteLine($"f* = {p.Objective(x):G10}");
        Assert.True(p.Objective(x) < p.Objective(p.StartingPoint()));
    }

    [Fact]
    public void OptimalControlScalesToN128()
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var p = new OptimalControl2D(128);
        Assert.Equal(32768, p.Dimension);
        var x = p.StartingPoint();
        var jac = p.Jacobian(x);
        Assert.Equal(16384, jac.Rows);
        Assert.Equal(5 * 16384 - 4 * 128 + 16384, jac.NonZeros);
        Assert.Equal(32768, p.LagrangianHessian(x, new double[16384]).NonZeros);
        var c = new double[16384];
        p.Constraints(x, c);
        Assert.All(c, v => Assert.Equal(0.0, v));
        var g = new double[32768];
        p.Gradient(x, g);
        Assert.True(p.Objective(x) > 0);
        output.WriteLine($"N = 128 built and evaluated in {sw.ElapsedMilliseconds} ms");
        Assert.True(sw.ElapsedMilliseconds < 5000);
    }

    [SkippableFact]
    public void LogisticRegressionFromBreastCancerCsvIsStandardized()
    {
        string? data = TestData.FindSharedData();
        string? path = data is null ? null : Path.Combine(data, "datasets", "breast_cancer.csv");
        Skip.If(path is null || !File.Exists(path), "../shared/data/datasets/breast_cancer.csv not found; logistic regression from CSV not tested.");
        var p = ConstrainedLogisticRegression.FromFile(path!, linearConstraints: 5, seed: 1);
        Assert.Equal(30, p.Dimension);
        Assert.Equal(569, p.SampleCount);
        Assert.Equal(6, p.ConstraintCount);
        Assert.Equal("logreg(breast_cancer)", p.Name);

        // Independent reading: skip the header line, split on commas, label last; labels 0/1 become -1/+1.
        var rows = File.ReadAllLines(path!).Skip(1).Where(l => l.Trim().Length > 0)
            .Select(l => l.Split(',').Select(f => double.Parse(f, System.Globalization.CultureInfo.InvariantCulture)).ToArray())
            .ToArray();
        int n = rows.Length, d = rows[0].Length - 1;
        Assert.Equal(569, n);
        var y = rows.Select(r => r[d] == 0 ? -1.0 : 1.0).ToArray();
        var z = new double[n, d];
        for (int j = 0; j < d; j++)
        {
            double mean = rows.Average(r => r[j]);
            double sd = Math.Sqrt(rows.Sum(r => (r[j] - mean) * (r[j] - mean)) / n);
            Assert.True(sd > 0);
            for (int i = 0; i < n; i++) z[i, j] = (rows[i][j] - mean) / sd;
            double zMean = 0, zSq = 0;
            for (int i = 0; i < n; i++) { zMean += z[i, j] / n; zSq += z[i, j] * z[i, j] / n; }
            Assert.Equal(0.0, zMean, 12);
            Assert.Equal(1.0, zSq, 12);
        }

        // At x = 0 every sigmoid is 1/2, so the gradient is -(1/N) sum_i y_i a_i / 2 over the standardized rows.
        var expected = new double[d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) expected[j] -= y[i] * z[i, j] / (2.0 * n);
        var g = new double[d];
        p.Gradient(new double[d], g);
        for (int j = 0; j < d; j++) Assert.Equal(expected[j], g[j], 12);
        Assert.Equal(Math.Log(2), p.Objective(new double[d]), 12);

        // Without standardization the raw features are used.
        var raw = ConstrainedLogisticRegression.FromFile(path!, standardize: false);
        var gRaw = new double[d];
        raw.Gradient(new double[d], gRaw);
        Assert.Equal(-rows.Sum(r => (r[d] == 0 ? -1.0 : 1.0) * r[0]) / (2.0 * n), gRaw[0], 9);
    }

    [Fact]
    public void LogisticRegressionFromCsvHandlesConstantColumnsAndRejectsNonBinaryLabels()
    {
        string dir = Path.Combine(Path.GetTempPath(), "logreg-csv-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            // Column 0 is constant (0.1 does not average back to itself exactly), column 1 is not; labels 2/5 map to -1/+1.
            string path = Path.Combine(dir, "small.csv");
            File.WriteAllText(path, "c,v,y\n0.1,1,5\n0.1,2,2\n0.1,3,5\n0.1,6,2\n0.1,7,5\n0.1,9,2\n0.1,11,5\n");
            var p = ConstrainedLogisticRegression.FromFile(path, linearConstraints: 0);
            Assert.Equal(2, p.Dimension);
            Assert.Equal(7, p.SampleCount);
            var g = new double[2];
            p.Gradient([0.0, 0.0], g);
            Assert.Equal(0.0, g[0]);
            Assert.True(double.IsFinite(g[1]) && g[1] != 0);

            string three = Path.Combine(dir, "three.csv");
            File.WriteAllText(three, "1,0\n2,1\n3,2\n");
            var e = Assert.Throws<ArgumentException>(() => ConstrainedLogisticRegression.FromFile(three));
            Assert.Contains(three, e.Message);
            Assert.Contains("3 distinct labels", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

internal static class CsrDenseExtensions
{
    public static Matrix<double> ToDenseMathNet(this CsrMatrix a) => DenseMatrix.OfArray(a.ToDense());
}
