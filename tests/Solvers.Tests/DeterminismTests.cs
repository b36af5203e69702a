using Solvers.Kernels;
using Solvers.Learning;
using Solvers.Linear;
using Solvers.Linear.Multigrid;
using Solvers.Mfac;
using Solvers.Optimization;
using Solvers.Optimization.Problems;
using Solvers.Problems;
using Solvers.Relu;
using Solvers.Sketching;
using Solvers.Sparse;
using Xunit;

namespace Solvers.Tests;

/// <summary>
/// The same inputs and seed give bit-identical results (the double bits of every output and the iteration counts)
/// when a solver runs twice in one process on the same backend: on the Cpu backend for every solver, and on
/// ILGPU's CPU accelerator (a small explicit device) for CG and multicolor SOR. Seeded randomized pieces
/// (sketches, Kaczmarz rows, activation patterns, Adam's initialisation, the omega learners) are run with a
/// seed, and a different seed is checked to change the result, so the seed is really used.
/// </summary>
public sealed class DeterminismTests
{
    private static Backend Cpu() => Backend.Create(BackendKind.Cpu, new BackendOptions { MaxDegreeOfParallelism = 2 });

    private static long[] Bits(IEnumerable<double> v) => v.Select(BitConverter.DoubleToInt64Bits).ToArray();

    private static void SameBits(IEnumerable<double> first, IEnumerable<double> second, string what)
    {
        var a = Bits(first);
        var b = Bits(second);
        Assert.True(a.Length == b.Length, $"{what}: lengths {a.Length} and {b.Length}");
        for (int i = 0; i < a.Length; i++)
            Assert.True(a[i] == b[i], $"{what}: entry {i} differs ({BitConverter.Int64BitsToDouble(a[i]):R} vs {BitConverter.Int64BitsToDouble(b[i]):R})");
    }

    private static double[] Rhs(int n) => Enumerable.Range(0, n).Select(i => 1.0 + Math.Sin(i)).ToArray();

    private static IEnumerable<(string Name, Func<IPreconditioner> Make)> Preconditioners()
    {
        yield return ("none", () => Linear.Preconditioners.None);
        yield return ("jacobi", () => Linear.Preconditioners.Jacobi);
        yield return ("chebyshev", () => new ChebyshevPreconditioner());
        yield return ("ic0", () => Linear.Preconditioners.IncompleteCholesky);
        yield return ("ssor", () => new Ssor(1.3));
        yield return ("ssor-multicolor", () => new Ssor(1.3, SorOrdering.Multicolor));
        yield return ("amg-w", () => new AmgPreconditioner(new AmgOptions { MaxCoarseSize = 8 }));
        yield return ("amg-v-chebyshev", () => new AmgPreconditioner(new AmgOptions { MaxCoarseSize = 8, CycleIndex = 1, Smoother = AmgSmoother.Chebyshev }));
    }

    private static LinearSolveResult Cg(Backend backend, CsrMatrix a, double[] b, IPreconditioner m)
    {
        using var cg = new ConjugateGradient(new CgOptions { Preconditioner = m, Tolerance = 1e-10 }, backend);
        return cg.Solve(a, b);
    }

    private static void SameLinear(LinearSolveResult r1, LinearSolveResult r2, string what)
    {
        Assert.Equal(SolverStatus.Converged, r1.Status);
        Assert.Equal(r1.Status, r2.Status);
        Assert.Equal(r1.Iterations, r2.Iterations);
        SameBits(r1.Solution, r2.Solution, what);
        SameBits([r1.ResidualNorm, r1.TrueResidualNorm], [r2.ResidualNorm, r2.TrueResidualNorm], what + " residuals");
        SameBits(r1.History.Select(h => h.ResidualNorm), r2.History.Select(h => h.ResidualNorm), what + " history");
    }

    [Fact]
    public void ConjugateGradientIsBitReproducibleWithEveryPreconditioner()
    {
        var a = PdeProblems.Poisson2D(10);
        var b = Rhs(a.Rows);
        using var backend = Cpu();
        foreach (var (name, make) in Preconditioners())
            SameLinear(Cg(backend, a, b, make()), Cg(backend, a, b, make()), $"CG/{name}");
    }

    [Fact]
    public void SorIsBitReproducibleInBothOrderings()
    {
        var a = PdeProblems.Poisson2D(10);
        var b = Rhs(a.Rows);
        using var backend = Cpu();
        foreach (var ordering in new[] { SorOrdering.Natural, SorOrdering.Multicolor })
        {
            LinearSolveResult Run()
            {
                using var sor = new SorSolver(new SorOptions { Omega = 1.6, Ordering = ordering, RecordHistory = true }, backend);
                return sor.Solve(a, b);
            }
            SameLinear(Run(), Run(), $"SOR/{ordering}");
        }
        Assert.Equal(SorParameters.JacobiSpectralRadius(a, 50, seed: 3), SorParameters.JacobiSpectralRadius(a, 50, seed: 3));
    }

    [Fact]
    public void IlgpuCpuConjugateGradientAndMulticolorSorAreBitReproducible()
    {
        var a = PdeProblems.Poisson2D(6);
        var b = Rhs(a.Rows);
        using var emu = Backend.Create(BackendKind.IlgpuCpu);
        SameLinear(Cg(emu, a, b, Linear.Preconditioners.Jacobi), Cg(emu, a, b, Linear.Preconditioners.Jacobi), "ILGPU-CPU CG/jacobi");
        SameLinear(Cg(emu, a, b, new ChebyshevPreconditioner()), Cg(emu, a, b, new ChebyshevPreconditioner()), "ILGPU-CPU CG/chebyshev");
        LinearSolveResult Sor()
        {
            using var sor = new SorSolver(new SorOptions { Omega = 1.5, Ordering = SorOrdering.Multicolor, MaxIterations = 400 }, emu);
            return sor.Solve(a, b);
        }
        SameLinear(Sor(), Sor(), "ILGPU-CPU SOR/multicolor");
    }

    private static IEnumerable<(string Name, Func<ulong, IOmegaLearner> Make)> Learners()
    {
        var c = new ContextualOptions { ContextMin = SystemSequences.ShiftMin, ContextMax = SystemSequences.ShiftMax };
        yield return ("tsallis", s => new TsallisInf(new LearnerOptions { Seed = s }));
        yield return ("chebcb", s => new ChebCb(new LearnerOptions { Seed = s }, c));
        yield return ("binned", s => new BinnedTsallisInf(new LearnerOptions { Seed = s }, c with { Bins = 3 }));
    }

    [Fact]
    public void LearnedOmegaSequencesAreBitReproducible()
    {
        using var backend = Cpu();
        foreach (var method in new[] { SequenceMethod.Sor, SequenceMethod.SsorPcg })
            foreach (var (name, make) in Learners())
            {
                List<SequenceStep> Run(ulong seed)
                {
                    using var solver = new SequenceSolver(make(seed), new SequenceSolverOptions { Method = method, MaxIterations = 2000 }, backend);
                    foreach (var instance in SystemSequences.ShiftedLaplacian(12, ShiftVariance.High, gridN: 6, seed: 4)) solver.Solve(instance);
                    return solver.History.ToList();
                }
                var first = Run(9);
                var second = Run(9);
                string what = $"{method}/{name}";
                Assert.Equal(first.Select(s => s.Iterations), second.Select(s => s.Iterations));
                Assert.Equal(first.Select(s => s.Status), second.Select(s => s.Status));
                SameBits(first.Select(s => s.Omega), second.Select(s => s.Omega), what + " omegas");
                SameBits(first.Select(s => s.Cost), second.Select(s => s.Cost), what + " costs");
                for (int k = 0; k < first.Count; k++) SameBits(first[k].Solution, second[k].Solution, $"{what} solution {k}");
                // The seed is used: another one draws another omega sequence.
                Assert.NotEqual(Bits(first.Select(s => s.Omega)), Bits(Run(10).Select(s => s.Omega)));
            }
    }

    [Fact]
    public void SketchedNewtonIsBitReproducibleWithEveryInnerSolver()
    {
        var problem = HockSchittkowski.Get("hs28");
        foreach (var inner in Enum.GetValues<InnerSolver>())
        {
            OptimizationResult Run(ulong seed) =>
                new SketchedNewton(new SketchedNewtonOptions { Inner = inner, BlockSize = 2, Seed = seed, MaxIterations = 200 }).Solve(problem);
            var r1 = Run(5);
            var r2 = Run(5);
            string what = $"SketchedNewton/{inner}";
            Assert.Equal(SolverStatus.Converged, r1.Status);
            Assert.Equal(r1.Status, r2.Status);
            Assert.Equal(r1.Iterations, r2.Iterations);
            Assert.Equal(r1.InnerIterations, r2.InnerIterations);
            SameBits(r1.X, r2.X, what + " x");
            SameBits(r1.Lambda, r2.Lambda, what + " lambda");
            SameBits(r1.History.Select(h => h.KktResidual), r2.History.Select(h => h.KktResidual), what + " history");
            if (inner != InnerSolver.Minres)
            {
                var r3 = Run(6);
                Assert.True(r3.InnerIterations != r1.InnerIterations || !Bits(r3.X).SequenceEqual(Bits(r1.X)), $"{what}: the seed changed nothing");
            }
        }
    }

    [Fact]
    public void RandomizedKaczmarzAndSketchAndProjectAreBitReproducible()
    {
        var a = PdeProblems.Poisson2D(6);
        var b = Rhs(a.Rows);
        var op = new CsrOperator(a);
        foreach (var sampling in new[] { KaczmarzSampling.RowNorm, KaczmarzSampling.Uniform })
        {
            RandomizedSolveResult Run(ulong seed) => RandomizedKaczmarz.Solve(op, b, new RandomizedSolverOptions { Seed = seed, Tolerance = 1e-6 }, sampling);
            var r1 = Run(3);
            var r2 = Run(3);
            Assert.Equal(SolverStatus.Converged, r1.Status);
            Assert.Equal(r1.Iterations, r2.Iterations);
            SameBits(r1.Solution, r2.Solution, $"Kaczmarz/{sampling}");
            Assert.NotEqual(Bits(r1.Solution), Bits(Run(4).Solution));
        }
        foreach (int block in new[] { 1, 4 })
        {
            RandomizedSolveResult Run(ulong seed) => SketchAndProject.Solve(op, b, block, new RandomizedSolverOptions { Seed = seed, Tolerance = 1e-6 });
            var r1 = Run(3);
            var r2 = Run(3);
            Assert.Equal(SolverStatus.Converged, r1.Status);
            Assert.Equal(r1.Iterations, r2.Iterations);
            Assert.Equal(r1.RegularizedSolves, r2.RegularizedSolves);
            SameBits(r1.Solution, r2.Solution, $"S&P({block})");
            SameBits(r1.History.Select(h => h.ResidualNorm), r2.History.Select(h => h.ResidualNorm), $"S&P({block}) history");
            Assert.NotEqual(Bits(r1.Solution), Bits(Run(4).Solution));
        }
    }

    private static (double[,] X, double[] Y) ReluData(int n = 40, int d = 3)
    {
        var x = new double[n, d];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < d; c++) x[i, c] = CounterRandom.Gaussian(21, (ulong)(i * d + c));
            y[i] = x[i, 0] * x[i, 1] - 0.3 * x[i, 2] > 0 ? 1 : -1;
        }
        return (x, y);
    }

    [Fact]
    public void ConvexReluFitsAndAdamAreBitReproducible()
    {
        var (x, y) = ReluData();
        using var backend = Cpu();
        var variants = new (string Name, ConvexReluOptions Options)[]
        {
            ("admm-woodbury", new ConvexReluOptions { Patterns = 8, MaxIterations = 150, LinearSolver = ReluLinearSolver.Woodbury, Backend = backend }),
            ("admm-cg", new ConvexReluOptions { Patterns = 8, MaxIterations = 150, LinearSolver = ReluLinearSolver.ConjugateGradient, Backend = backend }),
            ("gated-fista", new ConvexReluOptions { Patterns = 8, MaxIterations = 150, Formulation = ReluFormulation.Gated, Backend = backend }),
        };
        foreach (var (name, o) in variants)
        {
            ConvexReluFit Fit(ulong seed) => ConvexReluNetwork.Fit(x, y, o with { Seed = seed });
            var f1 = Fit(7);
            var f2 = Fit(7);
            Assert.Equal(f1.Report.Status, f2.Report.Status);
            Assert.Equal(f1.Report.Iterations, f2.Report.Iterations);
            Assert.Equal(f1.Report.PatternsUsed, f2.Report.PatternsUsed);
            SameBits(f1.Network.FirstLayer.Cast<double>(), f2.Network.FirstLayer.Cast<double>(), $"ConvexRelu/{name} first layer");
            SameBits(f1.Network.SecondLayer, f2.Network.SecondLayer, $"ConvexRelu/{name} second layer");
            SameBits([f1.Report.ConvexObjective, f1.Report.NetworkObjective], [f2.Report.ConvexObjective, f2.Report.NetworkObjective], $"ConvexRelu/{name} objectives");
            Assert.NotEqual(Bits([Fit(8).Report.ConvexObjective]), Bits([f1.Report.ConvexObjective]));
        }

        var p1 = ActivationPatterns.Sample(x, 6, 11);
        var p2 = ActivationPatterns.Sample(x, 6, 11);
        SameBits(p1.Gates.Cast<double>(), p2.Gates.Cast<double>(), "activation gates");
        SameBits(p1.Masks, p2.Masks, "activation masks");

        AdamReluResult Adam(int seed) => AdamReluTrainer.Train(x, y, new AdamReluOptions { Width = 6, Epochs = 60, Beta = 1e-3, Seed = (ulong)seed });
        var a1 = Adam(2);
        var a2 = Adam(2);
        Assert.Equal(a1.Status, a2.Status);
        Assert.Equal(a1.Epochs, a2.Epochs);
        SameBits(a1.FirstLayer.Cast<double>(), a2.FirstLayer.Cast<double>(), "Adam first layer");
        SameBits(a1.SecondLayer, a2.SecondLayer, "Adam second layer");
        SameBits(a1.History, a2.History, "Adam objective history");
        Assert.NotEqual(Bits(a1.SecondLayer), Bits(Adam(3).SecondLayer));
    }

    [Fact]
    public void MfacProductsOptimizersAndPruningAreBitReproducible()
    {
        const int d = 40, m = 6;
        var g = new double[m * d];
        for (int i = 0; i < g.Length; i++) g[i] = CounterRandom.Gaussian(31, (ulong)i);
        var x = Enumerable.Range(0, d).Select(i => Math.Cos(i)).ToArray();
        using var backend = Cpu();
        foreach (var options in new[] { new MfacOptions { WindowSize = m, Lambda = 0.05 }, new MfacOptions { WindowSize = m, Lambda = 0.05, Backend = backend } })
        {
            string where = options.Backend is null ? "host" : "backend";
            double[] Static()
            {
                using var f = new StaticMfac<double>(g, d, options);
                var r = new double[d];
                f.InverseTimes(x, r);
                var diag = new double[d];
                f.InverseDiagonal(diag);
                return [.. r, .. diag];
            }
            SameBits(Static(), Static(), $"StaticMfac/{where}");
            float[] StaticFloat()
            {
                using var f = new StaticMfac<float>(g.Select(v => (float)v).ToArray(), d, options);
                var r = new float[d];
                f.InverseTimes(x.Select(v => (float)v).ToArray(), r);
                return r;
            }
            Assert.Equal(StaticFloat().Select(BitConverter.SingleToInt32Bits), StaticFloat().Select(BitConverter.SingleToInt32Bits));
            double[] Sliding()
            {
                using var f = new SlidingMfac<double>(d, options with { WindowSize = 4 });
                var r = new double[d];
                var all = new List<double>();
                for (int i = 0; i < m; i++) // wraps the window of 4
                {
                    f.Push(g.AsSpan(i * d, d));
                    f.InverseTimes(x, r);
                    all.AddRange(r);
                }
                return [.. all];
            }
            SameBits(Sliding(), Sliding(), $"SlidingMfac/{where}");
        }

        foreach (var make in new Func<IGradientTransformation>[]
        {
            () => new MfacOptimizer(new MfacOptions { WindowSize = 3, Lambda = 0.1 }, 0.05, 0.5, 0.01),
            () => new Adam(0.01, WeightDecay: 0.01),
            () => new SgdMomentum(0.05, 0.9, 0.01),
        })
        {
            double[] Train()
            {
                var opt = make();
                var w = (double[])x.Clone();
                using var state = opt.Init(w);
                var updates = new double[d];
                var grad = new double[d];
                for (int step = 0; step < 8; step++)
                {
                    for (int i = 0; i < d; i++) grad[i] = w[i] - g[(step % m) * d + i];
                    opt.Update(grad, state, w, updates);
                    for (int i = 0; i < d; i++) w[i] += updates[i];
                }
                return w;
            }
            SameBits(Train(), Train(), make().Name);
        }

        void Sampler(ReadOnlySpan<double> w, int i, Span<double> grad)
        {
            for (int k = 0; k < d; k++) grad[k] = g[i * d + k] * (1 + 0.1 * w[k]);
        }
        (bool[] Mask, double[] W) Obs()
        {
            var w = (double[])x.Clone();
            var mask = Pruning.OptimalBrainSurgeon(w, Sampler, new PruningOptions { TargetSparsity = 0.5, Steps = 3, Fisher = new MfacOptions { WindowSize = m, Lambda = 0.1 } });
            return (mask, w);
        }
        var (m1, w1) = Obs();
        var (m2, w2) = Obs();
        Assert.Equal(m1, m2);
        SameBits(w1, w2, "OBS weights");
    }
}
