using Solvers.Kernels;
using Solvers.Learning;
using Solvers.Linear;
using Solvers.Mfac;
using Solvers.Optimization;
using Solvers.Optimization.Problems;
using Solvers.Problems;
using Solvers.Relu;
using Solvers.Sketching;
using Xunit;

namespace Solvers.Tests;

/// <summary>
/// Every iterative solver cancelled from its own progress callback at iteration k: status Cancelled, a finite iterate,
/// and k (or k + 1) iterations. No timing: the token fires inside the callback, on the solving thread.
/// </summary>
public class CancellationTests
{
    private const int K = 3;

    /// <summary>Cancels when the reported iteration reaches k; synchronous, unlike <see cref="Progress{T}"/>.</summary>
    private sealed class CancelAt<T>(int k, Func<T, int> iteration) : IProgress<T>, IDisposable
    {
        private readonly CancellationTokenSource _cts = new();
        public CancellationToken Token => _cts.Token;
        public int Reports { get; private set; }
        public void Report(T value)
        {
            Reports++;
            if (iteration(value) >= k) _cts.Cancel();
        }
        public void Dispose() => _cts.Dispose();
    }

    private static void AssertFinite(IEnumerable<double> x)
        => Assert.All(x, v => Assert.True(double.IsFinite(v), $"non-finite entry {v}"));

    private static void AssertStoppedAtK(int iterations)
        => Assert.True(iterations is K or K + 1, $"stopped after {iterations} iterations; expected {K} or {K + 1}");

    private static double[] Ones(int n) => Enumerable.Repeat(1.0, n).ToArray();

    [Fact]
    public void Conjugate_gradient()
    {
        var a = PdeProblems.Poisson2D(20);
        using var p = new CancelAt<IterationRecord>(K, r => r.Iteration);
        using var backend = Backend.Create(BackendKind.Cpu);
        using var cg = new ConjugateGradient(new CgOptions { Tolerance = 1e-14, CancellationToken = p.Token, Progress = p }, backend);
        var r = cg.Solve(a, Ones(a.Rows));
        Assert.Equal(SolverStatus.Cancelled, r.Status);
        AssertStoppedAtK(r.Iterations);
        AssertFinite(r.Solution);
        Assert.True(double.IsFinite(r.TrueResidualNorm));
    }

    [Fact]
    public void Sor()
    {
        var a = PdeProblems.Poisson2D(20);
        using var p = new CancelAt<IterationRecord>(K, r => r.Iteration);
        using var sor = new SorSolver(new SorOptions { Omega = 1.5, Tolerance = 1e-14, CancellationToken = p.Token, Progress = p });
        var r = sor.Solve(a, Ones(a.Rows));
        Assert.Equal(SolverStatus.Cancelled, r.Status);
        AssertStoppedAtK(r.Iterations);
        AssertFinite(r.Solution);
    }

    [Theory]
    [InlineData(SequenceMethod.Sor)]
    [InlineData(SequenceMethod.SsorPcg)]
    public void Sequence_solver(SequenceMethod method)
    {
        var a = PdeProblems.Poisson2D(20);
        using var p = new CancelAt<IterationRecord>(K, r => r.Iteration);
        using var seq = new SequenceSolver(new FixedOmega(1.5),
            new SequenceSolverOptions { Method = method, Tolerance = 1e-14, CancellationToken = p.Token, Progress = p });
        var step = seq.Solve(a, Ones(a.Rows));
        Assert.Equal(SolverStatus.Cancelled, step.Status);
        AssertStoppedAtK(step.Iterations);
        AssertFinite(step.Solution);
        Assert.Equal(1, seq.Learner.Rounds);
    }

    [Fact]
    public void Randomized_kaczmarz_and_sketch_and_project()
    {
        var a = PdeProblems.Poisson2D(10);
        var k = new CsrOperator(a);
        using (var p = new CancelAt<IterationRecord>(K, r => r.Iteration))
        {
            var r = RandomizedKaczmarz.Solve(k, Ones(a.Rows),
                new RandomizedSolverOptions { Tolerance = 1e-14, CheckInterval = 1, CancellationToken = p.Token, Progress = p });
            Assert.Equal(SolverStatus.Cancelled, r.Status);
            AssertStoppedAtK(r.Iterations);
            AssertFinite(r.Solution);
        }
        using (var p = new CancelAt<IterationRecord>(K, r => r.Iteration))
        {
            var r = SketchAndProject.Solve(k, Ones(a.Rows), 2,
                new RandomizedSolverOptions { Tolerance = 1e-14, CheckInterval = 1, CancellationToken = p.Token, Progress = p });
            Assert.Equal(SolverStatus.Cancelled, r.Status);
            AssertStoppedAtK(r.Iterations);
            AssertFinite(r.Solution);
        }
    }

    [Fact]
    public void Sketched_newton()
    {
        using var p = new CancelAt<NewtonIteration>(K, r => r.Iteration);
        var r = new SketchedNewton(new SketchedNewtonOptions { Tolerance = 1e-14, CancellationToken = p.Token, Progress = p }).Solve(new Hs006());
        Assert.Equal(SolverStatus.Cancelled, r.Status);
        AssertStoppedAtK(r.Iterations);
        AssertFinite(r.X);
        AssertFinite(r.Lambda);
        Assert.Equal(r.Iterations + 1, r.History.Count);
    }

    private static (double[,] X, double[] Y) Data(int n, int d)
    {
        var x = new double[n, d];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < d; c++) x[i, c] = Math.Sin(1.7 * i + 0.9 * c + 0.3);
            y[i] = Math.Sign(Math.Sin(2.3 * i + 0.5)) + 0.0;
        }
        return (x, y);
    }

    [Theory]
    [InlineData(ReluFormulation.Relu)]
    [InlineData(ReluFormulation.Gated)]
    public void Convex_relu_fit(ReluFormulation formulation)
    {
        var (x, y) = Data(40, 3);
        using var p = new CancelAt<ReluIteration>(K, r => r.Iteration);
        var fit = ConvexReluNetwork.Fit(x, y, new ConvexReluOptions
        {
            Formulation = formulation, Patterns = 8, Seed = 1, CheckInterval = 1, Tolerance = 1e-14, AbsoluteTolerance = 0,
            CancellationToken = p.Token, Progress = p,
        });
        Assert.Equal(SolverStatus.Cancelled, fit.Report.Status);
        Assert.StartsWith("cpu", fit.Report.Backend, StringComparison.Ordinal);
        AssertStoppedAtK(fit.Report.Iterations);
        Assert.True(double.IsFinite(fit.Report.ConvexObjective));
        AssertFinite(fit.Network.SecondLayer);
        AssertFinite(fit.Network.Predict(x));
    }

    [Fact]
    public void Adam_relu_trainer()
    {
        var (x, y) = Data(30, 3);
        using var p = new CancelAt<ReluIteration>(K, r => r.Iteration);
        var r = AdamReluTrainer.Train(x, y, new AdamReluOptions { Width = 4, Epochs = 100, Seed = 2, CancellationToken = p.Token, Progress = p });
        Assert.Equal(SolverStatus.Cancelled, r.Status);
        AssertStoppedAtK(r.Epochs);
        Assert.Equal(r.Epochs, r.History.Count);
        Assert.Equal(K, p.Reports);
        AssertFinite(r.SecondLayer);
        Assert.True(double.IsFinite(r.Objective));
    }

    [Fact]
    public void Pruning_throws_between_steps_and_leaves_the_last_finished_step()
    {
        const int d = 12, m = 4;
        var weights = Enumerable.Range(0, d).Select(i => 1.0 + 0.1 * i).ToArray();
        using var p = new CancelAt<PruningStep>(1, s => s.Step);
        var options = new PruningOptions
        {
            TargetSparsity = 0.5, Steps = 3, Fisher = new MfacOptions { WindowSize = m, Lambda = 1e-2 },
            CancellationToken = p.Token, Progress = p,
        };
        Assert.Throws<OperationCanceledException>(() => Pruning.OptimalBrainSurgeon(weights,
            (w, i, g) => { for (int k = 0; k < d; k++) g[k] = Math.Cos(0.7 * i + 0.3 * k) * (1 + w[k] * 0.01); }, options));
        Assert.Equal(1, p.Reports);
        AssertFinite(weights);
        Assert.Equal(2, weights.Count(w => w == 0)); // step 1 of 3 prunes round(0.5 * 12 / 3) = 2 weights
    }
}
