using Solvers.Kernels;
using Solvers.Relu;
using Solvers.Sparse;
using Solvers.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace Solvers.Tests;

/// <summary>
/// The convex two-layer ReLU training: ADMM against the independent PDHG solver of the same program, the gated
/// program against its group-lasso optimality conditions, the recovered network against the convex objective,
/// planted networks, the shared data sets, and bad input.
/// </summary>
public sealed class ConvexReluTests(ITestOutputHelper output)
{
    private static (double[,] X, double[] Y) Random(int n, int d, int seed, Func<double[], double>? target = null)
    {
        var rng = new Random(seed);
        var x = new double[n, d];
        var y = new double[n];
        for (int k = 0; k < n; k++)
        {
            var row = new double[d];
            for (int c = 0; c < d; c++) row[c] = x[k, c] = rng.NextDouble() * 2 - 1;
            y[k] = target?.Invoke(row) ?? rng.NextDouble() * 2 - 1;
        }
        return (x, y);
    }

    private static double[,] MasksOf(ActivationPatterns p)
    {
        var m = new double[p.Samples, p.Count];
        for (int k = 0; k < p.Samples; k++)
            for (int i = 0; i < p.Count; i++) m[k, i] = p.Masks[k * p.Count + i];
        return m;
    }

    [Theory]
    [InlineData(30, 3, 4, 0.1, 1)]
    [InlineData(40, 4, 6, 0.01, 2)]
    [InlineData(25, 2, 5, 1.0, 3)]
    public void Admm_reaches_the_reference_optimum_and_the_network_attains_it(int n, int d, int p, double beta, int seed)
    {
        var (x, y) = Random(n, d, seed);
        var options = new ConvexReluOptions
        {
            Patterns = p, Beta = beta, Seed = (ulong)seed, Standardize = false, FitIntercept = false, Tolerance = 1e-8,
            AbsoluteTolerance = 1e-10, MaxIterations = 100_000, AdaptiveRho = true,
        };
        var fit = ConvexReluNetwork.Fit(x, y, options);
        var patterns = ActivationPatterns.Sample(x, p, (ulong)seed);
        var reference = ConvexReluReference.Solve(x, y, MasksOf(patterns), beta);
        output.WriteLine($"ADMM {fit.Report.Status} after {fit.Report.Iterations}: {fit.Report.ConvexObjective:R}; PDHG {reference.Objective:R}; network {fit.Report.NetworkObjective:R}; violation {fit.Report.MaxConstraintViolation:E1}");
        Assert.Equal(SolverStatus.Converged, fit.Report.Status);
        Assert.Equal(patterns.Count, fit.Report.PatternsUsed);
        Assert.True(Math.Abs(fit.Report.ConvexObjective - reference.Objective) <= 1e-4 * reference.Objective,
            $"ADMM {fit.Report.ConvexObjective:R} vs reference {reference.Objective:R}");
        // The reformulation is exact for the sampled patterns: the recovered ReLU network attains the convex objective.
        Assert.True(Math.Abs(fit.Report.NetworkObjective - fit.Report.ConvexObjective) <= 1e-4 * fit.Report.ConvexObjective);
        Assert.True(fit.Report.MaxConstraintViolation <= 1e-5);
        double loss = fit.Network.Loss(x, y), decay = 0;
        for (int j = 0; j < fit.Network.Neurons; j++)
        {
            decay += fit.Network.SecondLayer[j] * fit.Network.SecondLayer[j];
            for (int c = 0; c < d; c++) decay += fit.Network.FirstLayer[j, c] * fit.Network.FirstLayer[j, c];
        }
        Assert.Equal(fit.Report.NetworkObjective, loss + beta / 2 * decay, 1e-9 * fit.Report.NetworkObjective);
    }

    [Fact]
    public void Conjugate_gradient_and_woodbury_linear_solvers_agree()
    {
        var (x, y) = Random(30, 3, 7);
        ConvexReluOptions Options(ReluLinearSolver s) => new()
        {
            Patterns = 5, Beta = 0.05, Seed = 7, Standardize = false, FitIntercept = false, Tolerance = 1e-8, AbsoluteTolerance = 1e-10,
            MaxIterations = 100_000, LinearSolver = s,
        };
        var w = ConvexReluNetwork.Fit(x, y, Options(ReluLinearSolver.Woodbury)).Report;
        var c = ConvexReluNetwork.Fit(x, y, Options(ReluLinearSolver.ConjugateGradient)).Report;
        output.WriteLine($"{w.LinearSolver}: {w.ConvexObjective:R}; {c.LinearSolver}: {c.ConvexObjective:R}");
        Assert.Contains("Woodbury", w.LinearSolver);
        Assert.Contains("conjugate gradients", c.LinearSolver);
        Assert.Equal(w.ConvexObjective, c.ConvexObjective, 1e-5 * w.ConvexObjective);
    }

    [Fact]
    public void Gated_program_satisfies_the_group_lasso_optimality_conditions()
    {
        const int n = 40, d = 3, p = 6;
        const double beta = 0.2;
        var (x, y) = Random(n, d, 11);
        var fit = ConvexReluNetwork.Fit(x, y, new ConvexReluOptions
        {
            Patterns = p, Beta = beta, Seed = 5, Formulation = ReluFormulation.Gated, Standardize = false, FitIntercept = false,
            Tolerance = 1e-9, MaxIterations = 200_000,
        });
        Assert.Equal(SolverStatus.Converged, fit.Report.Status);
        var net = fit.Network;
        var gates = net.Gates!;
        // Residual of the gated network, recomputed here from its neurons and gates.
        var f = net.Predict(x);
        var r = new double[n];
        for (int k = 0; k < n; k++) r[k] = f[k] - y[k];
        var patterns = ActivationPatterns.Sample(x, p, 5);
        for (int i = 0; i < patterns.Count; i++)
        {
            // Gradient of the loss in block i: X' D_i r.
            var g = new double[d];
            for (int k = 0; k < n; k++)
                if (patterns.Masks[k * patterns.Count + i] == 1)
                    for (int c = 0; c < d; c++) g[c] += x[k, c] * r[k];
            int j = Enumerable.Range(0, net.Neurons).FirstOrDefault(j => Enumerable.Range(0, d).All(c => gates[j, c] == patterns.Gates[i, c]), -1);
            if (j < 0)
            {
                double gn = Math.Sqrt(g.Sum(v => v * v));
                Assert.True(gn <= beta * (1 + 1e-4), $"zero block {i}: ||X'D_i r|| = {gn} > beta");
                continue;
            }
            double un = Math.Sqrt(Enumerable.Range(0, d).Sum(c => net.FirstLayer[j, c] * net.FirstLayer[j, c]));
            for (int c = 0; c < d; c++)
                Assert.True(Math.Abs(g[c] + beta * net.FirstLayer[j, c] / un) <= 1e-4 * beta, $"block {i}, entry {c}: stationarity residual {g[c] + beta * net.FirstLayer[j, c] / un:E2}");
        }
        output.WriteLine($"gated: {fit.Report.Iterations} iterations, {net.Neurons} neurons of {patterns.Count}, objective {fit.Report.ConvexObjective:R}");
    }

    [Fact]
    public void Planted_relu_network_is_fitted_and_generalises()
    {
        // y = relu(x'a) - relu(x'b): a network of two neurons; with small beta and many patterns the convex fit is near exact.
        double[] a = [1.0, -0.5, 0.3], b = [-0.4, 0.8, 0.6];
        double Target(double[] r) => Math.Max(0, r[0] * a[0] + r[1] * a[1] + r[2] * a[2]) - Math.Max(0, r[0] * b[0] + r[1] * b[1] + r[2] * b[2]);
        var (x, y) = Random(120, 3, 21, Target);
        var (xt, yt) = Random(60, 3, 22, Target);
        var fit = ConvexReluNetwork.Fit(x, y, new ConvexReluOptions { Patterns = 80, Beta = 1e-4, Seed = 1, Standardize = false, FitIntercept = false, MaxIterations = 8_000 });
        double trainRms = Math.Sqrt(2 * fit.Network.Loss(x, y) / y.Length), testRms = Math.Sqrt(2 * fit.Network.Loss(xt, yt) / yt.Length);
        double scale = Math.Sqrt(yt.Sum(v => v * v) / yt.Length);
        output.WriteLine($"{fit.Report.Status}, {fit.Report.Iterations} its, {fit.Report.Neurons} neurons; RMS train {trainRms:E2}, test {testRms:E2}, target RMS {scale:E2}");
        Assert.True(trainRms < 0.02 * scale, $"train RMS {trainRms}");
        Assert.True(testRms < 0.1 * scale, $"test RMS {testRms}");
    }

    [Fact]
    public void Ilgpu_kernels_give_the_cpu_result()
    {
        var (x, y) = Random(12, 2, 5);
        ConvexReluOptions Options(Backend? backend) => new() { Patterns = 3, Beta = 0.1, Seed = 2, MaxIterations = 60, Backend = backend };
        var cpu = ConvexReluNetwork.Fit(x, y, Options(null)).Report;
        using var emu = Backend.Create(BackendKind.IlgpuCpu);
        var gpu = ConvexReluNetwork.Fit(x, y, Options(emu)).Report;
        Assert.Equal(cpu.Iterations, gpu.Iterations);
        Assert.Equal(cpu.ConvexObjective, gpu.ConvexObjective, 1e-9 * cpu.ConvexObjective);
    }

    [Fact]
    public void Warm_start_resumes_where_the_last_fit_stopped()
    {
        var (x, y) = Random(40, 3, 8);
        var options = new ConvexReluOptions { Patterns = 6, Beta = 0.1, Seed = 4, Tolerance = 1e-6, MaxIterations = 50_000 };
        var cold = ConvexReluNetwork.Fit(x, y, options);
        Assert.Equal(SolverStatus.Converged, cold.Report.Status);
        var warm = ConvexReluNetwork.Fit(x, y, options with { WarmStart = cold.Network });
        output.WriteLine($"cold {cold.Report.Iterations} iterations, warm {warm.Report.Iterations}");
        Assert.Equal(SolverStatus.Converged, warm.Report.Status);
        Assert.True(warm.Report.Iterations <= options.CheckInterval, $"warm start took {warm.Report.Iterations} iterations");
        Assert.Equal(cold.Report.ConvexObjective, warm.Report.ConvexObjective, 1e-4 * cold.Report.ConvexObjective);
    }

    [Fact]
    public void One_vs_rest_separates_three_clusters()
    {
        // Three well separated clusters in the plane: every class must be recovered on fresh points.
        double[][] centres = [[2, 0], [-1, 1.7], [-1, -1.7]];
        (double[,] X, int[] Labels) Points(int perClass, int seed)
        {
            var rng = new Random(seed);
            var x = new double[3 * perClass, 2];
            var labels = new int[3 * perClass];
            for (int c = 0; c < 3; c++)
                for (int k = 0; k < perClass; k++)
                {
                    int row = c * perClass + k;
                    x[row, 0] = centres[c][0] + 0.3 * (rng.NextDouble() - 0.5);
                    x[row, 1] = centres[c][1] + 0.3 * (rng.NextDouble() - 0.5);
                    labels[row] = c + 1;
                }
            return (x, labels);
        }
        var (train, trainLabels) = Points(20, 1);
        var (test, testLabels) = Points(10, 2);
        var clf = OneVsRestReluClassifier.Fit(train, trainLabels, new ConvexReluOptions { Patterns = 12, Beta = 0.01, MaxIterations = 2000 });
        Assert.Equal([1, 2, 3], clf.Classes);
        Assert.Equal(1.0, clf.Accuracy(test, testLabels));
        Assert.Throws<ArgumentException>(() => OneVsRestReluClassifier.Fit(train, new int[60]));
    }

    [Fact]
    public void Patterns_drop_duplicates_and_empty_ones_and_check_their_input()
    {
        // x = (1, -1, 2), d = 1: gate 1 activates rows 0 and 2; gate 2 (a positive multiple) gives the same
        // pattern; gate -1 activates row 1 only; the one sampled gate is a positive or negative number, so it repeats
        // one of the two: 4 gates, 2 duplicates, 2 patterns kept.
        var x = new double[,] { { 1 }, { -1 }, { 2 } };
        var p = ActivationPatterns.Sample(x, 1, 0, extraGates: new double[,] { { 1 }, { 2 }, { -1 } });
        Assert.Equal(4, p.Requested);
        Assert.Equal(2, p.Duplicates);
        Assert.Equal(2, p.Count);
        Assert.Equal([1.0, 0.0], new[] { p.Masks[0 * p.Count + 0], p.Masks[1 * p.Count + 0] });
        Assert.Equal(0.0, p.Masks[0 * p.Count + 1]);
        Assert.Equal(1.0, p.Masks[1 * p.Count + 1]);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => ActivationPatterns.Sample(x, 0, 0)).ParamName);
        Assert.Contains("2 columns", Assert.Throws<ArgumentException>(() => ActivationPatterns.Sample(x, 1, 0, extraGates: new double[1, 2])).Message);
        Assert.Equal("interceptColumn", Assert.Throws<ArgumentOutOfRangeException>(() => ActivationPatterns.Sample(x, 1, 0, interceptColumn: 3)).ParamName);
    }

    [Fact]
    public void Bad_input_is_named()
    {
        var (x, y) = Random(10, 2, 1);
        var e = Assert.Throws<ArgumentException>(() => ConvexReluNetwork.Fit(x, y[..9]));
        Assert.Contains("10 rows", e.Message);
        Assert.Contains("9 entries", e.Message);
        var bad = (double[,])x.Clone();
        bad[3, 1] = double.NaN;
        e = Assert.Throws<ArgumentException>(() => ConvexReluNetwork.Fit(bad, y));
        Assert.Contains("row 3, column 1", e.Message);
        Assert.Equal("Patterns", Assert.Throws<ArgumentOutOfRangeException>(() => new ConvexReluOptions { Patterns = 0 }).ParamName);
        Assert.Equal("Beta", Assert.Throws<ArgumentOutOfRangeException>(() => new ConvexReluOptions { Beta = -1 }).ParamName);

        // A constant column: standardization centres it instead of dividing by zero.
        var constant = (double[,])x.Clone();
        for (int k = 0; k < 10; k++) constant[k, 0] = 0.1;
        var fit = ConvexReluNetwork.Fit(constant, y, new ConvexReluOptions { Patterns = 4, MaxIterations = 200 });
        Assert.Equal(1.0, fit.Network.Scaling.Scales[0]);
        Assert.All(fit.Network.Predict(constant), v => Assert.True(double.IsFinite(v)));
    }

    public static TheoryData<string, int?, double> SharedDataSets() => new()
    {
        { "breast_cancer.csv", null, 0.93 },
        { "heart_scale", null, 0.75 },
        { "digits.csv.gz", 0, 0.98 },
    };

    [SkippableTheory]
    [MemberData(nameof(SharedDataSets))]
    public void Shared_data_sets_train_to_a_certified_network(string file, int? positiveClass, double minTrainAccuracy)
    {
        string? data = TestData.FindSharedData();
        string? path = data is null ? null : Path.Combine(data, "datasets", file);
        Skip.If(path is null || !File.Exists(path), $"../shared/data/datasets/{file} not found; convex ReLU training on it not tested.");
        double[,] x;
        double[] labels;
        if (file.Contains(".csv", StringComparison.Ordinal))
        {
            var csv = Csv.Read(path!);
            (x, labels) = (csv.Features, csv.Labels);
        }
        else
        {
            var svm = LibSvm.Read(path!);
            (x, labels) = (svm.Features.ToDense(), svm.Labels);
        }
        double positive = positiveClass ?? labels.Max();
        var y = labels.Select(l => l == positive ? 1.0 : -1.0).ToArray();
        // digits is 1797 x 64: fewer patterns and iterations keep the test short; the certificate holds at any iterate to the violation.
        bool large = y.Length > 1000;
        var fit = ConvexReluNetwork.Fit(x, y, new ConvexReluOptions { Patterns = large ? 8 : 16, Beta = 1.0, Seed = 3, MaxIterations = large ? 400 : 1500 });
        double accuracy = fit.Network.Accuracy(x, y);
        output.WriteLine($"{file}: {fit.Report.Status}, {fit.Report.Iterations} its, objective {fit.Report.ConvexObjective:G6}, network {fit.Report.NetworkObjective:G6}, {fit.Report.Neurons} neurons, train accuracy {accuracy:P1}");
        Assert.True(accuracy >= minTrainAccuracy, $"train accuracy {accuracy:P1}");
        // The certificate: the network's objective equals the convex one (the cone constraints hold to the tolerance).
        Assert.True(Math.Abs(fit.Report.NetworkObjective - fit.Report.ConvexObjective) <= 1e-2 * fit.Report.ConvexObjective);
        // And it is no worse than the trivial network f = 0.
        Assert.True(fit.Report.ConvexObjective <= 0.5 * y.Length);
    }
}
