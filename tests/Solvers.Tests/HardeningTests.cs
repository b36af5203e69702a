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
/// NaN and +Inf injected into every input of every solver, one at a time. The outcome must be a result whose status
/// is NonFinite, or an ArgumentException (or subclass) naming the argument: never a hang, another exception type, or
/// a Converged status with non-finite numbers. Each case runs on a worker task with a deadline, so a hang fails the
/// test instead of blocking the run; the problems are tiny and the iteration limits bounded.
/// </summary>
public sealed class HardeningTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private static readonly double[] Bad = [double.NaN, double.PositiveInfinity];

    private static Backend Cpu() => Backend.Create(BackendKind.Cpu, new BackendOptions { MaxDegreeOfParallelism = 2 });

    private readonly List<string> _failures = [];

    /// <summary>
    /// Runs <paramref name="solve"/> with a deadline and checks its outcome (see the class summary); a bad outcome
    /// is collected, so one run lists every misbehaving combination (<see cref="AssertNoFailures"/>).
    /// </summary>
    private void Rejects(string what, string argument, Func<SolverStatus> solve)
    {
        Exception? error = null;
        SolverStatus status = SolverStatus.Converged;
        var task = Task.Run(() =>
        {
            try { status = solve(); }
            catch (Exception e) { error = e; }
        });
        if (!task.Wait(Deadline))
        {
            _failures.Add($"{what}: no outcome within {Deadline.TotalSeconds} s (a hang).");
            return;
        }
        if (error is null)
        {
            if (status != SolverStatus.NonFinite)
                _failures.Add($"{what}: returned status {status}; expected NonFinite or an ArgumentException naming '{argument}'.");
            return;
        }
        if (error is not ArgumentException ae)
        {
            _failures.Add($"{what}: threw {error.GetType().Name}: {error.Message}");
            return;
        }
        bool named = string.Equals(ae.ParamName, argument, StringComparison.OrdinalIgnoreCase)
            || (argument.Length > 2 && ae.Message.Contains(argument, StringComparison.OrdinalIgnoreCase));
        if (!named) _failures.Add($"{what}: the ArgumentException (parameter '{ae.ParamName}') does not name '{argument}': {ae.Message}");
    }

    private void AssertNoFailures() => Assert.True(_failures.Count == 0, $"{_failures.Count} misbehaving cases:\n" + string.Join("\n", _failures));

    private static SolverStatus Status(SolverStatus s) => s switch
    {
        SolverStatus.NonFinite => SolverStatus.NonFinite,
        SolverStatus.Converged => SolverStatus.Converged,
        SolverStatus.Cancelled => SolverStatus.Cancelled,
        _ => SolverStatus.MaxIterations,
    };

    /// <summary>Fails when a run that reports success holds non-finite numbers; passes the status through.</summary>
    private static SolverStatus Checked(SolverStatus status, params double[][] numbers)
    {
        if (status == SolverStatus.Converged)
            foreach (var v in numbers)
                Assert.True(v.All(double.IsFinite), "a Converged result holds NaN or infinity");
        return status;
    }

    private static CsrMatrix WithValue(CsrMatrix a, int entry, double value)
    {
        var v = a.Values.ToArray();
        v[entry] = value;
        return new CsrMatrix(a.Rows, a.Columns, a.RowPointers, a.ColumnIndices, v, allowNonFinite: true);
    }

    private static double[] Ones(int n) => Enumerable.Repeat(1.0, n).ToArray();

    private static double[] WithEntry(double[] v, int i, double value)
    {
        var c = (double[])v.Clone();
        c[i] = value;
        return c;
    }

    private static IEnumerable<(string Name, Func<IPreconditioner> Make)> CgPreconditioners()
    {
        yield return ("none", () => Preconditioners.None);
        yield return ("jacobi", () => Preconditioners.Jacobi);
        yield return ("chebyshev", () => new ChebyshevPreconditioner());
        yield return ("ic0", () => Preconditioners.IncompleteCholesky);
        yield return ("ssor", () => new Ssor(1.2));
        yield return ("ssor-multicolor", () => new Ssor(1.2, SorOrdering.Multicolor));
        yield return ("amg", () => new AmgPreconditioner(new AmgOptions { MaxCoarseSize = 4 }));
    }

    [Fact]
    public void ConjugateGradientRejectsNonFiniteInputWithEveryPreconditioner()
    {
        var a = PdeProblems.Poisson2D(6);
        int n = a.Rows;
        var b = Ones(n);
        using var backend = Cpu();
        foreach (var (name, make) in CgPreconditioners())
            foreach (double bad in Bad)
            {
                string tag = $"CG/{name} with {bad}";
                LinearSolveResult Solve(CsrMatrix m, double[] rhs, double[]? x0)
                {
                    using var cg = new ConjugateGradient(new CgOptions { Preconditioner = make(), InitialGuess = x0, MaxIterations = 500 }, backend);
                    return cg.Solve(m, rhs);
                }
                Rejects($"{tag} in A", "a", () => { var r = Solve(WithValue(a, 7, bad), b, null); return Checked(r.Status, r.Solution); });
                Rejects($"{tag} on A's diagonal", "a", () => { var r = Solve(WithValue(a, 0, bad), b, null); return Checked(r.Status, r.Solution); });
                Rejects($"{tag} in b", "b", () => { var r = Solve(a, WithEntry(b, 5, bad), null); return Checked(r.Status, r.Solution); });
                Rejects($"{tag} in the initial guess", "InitialGuess", () => { var r = Solve(a, b, WithEntry(new double[n], 3, bad)); return Checked(r.Status, r.Solution); });

                // The device-resident solve takes A, b and x as they are: the initial guess is only seen as a residual.
                // IC(0), host SSOR and AMG need the CsrMatrix (they refuse a DeviceCsr, naming hostMatrix, by design).
                if (name is "ic0" or "ssor" or "ssor-multicolor" or "amg") continue;
                Rejects($"{tag} in the device x", "x", () =>
                {
                    using var cg = new ConjugateGradient(new CgOptions { Preconditioner = make(), MaxIterations = 500 }, backend);
                    using var da = backend.Upload(a);
                    using var db = backend.Upload(b);
                    using var dx = backend.Upload(WithEntry(new double[n], 3, bad));
                    var r = cg.Solve(da, db, dx);
                    return Checked(r.Status, r.Solution);
                });
                Rejects($"{tag} in the device b", "b", () =>
                {
                    using var cg = new ConjugateGradient(new CgOptions { Preconditioner = make(), MaxIterations = 500 }, backend);
                    using var da = backend.Upload(a);
                    using var db = backend.Upload(WithEntry(b, 2, bad));
                    using var dx = backend.Allocate(n);
                    return cg.Solve(da, db, dx).Status;
                });
                Rejects($"{tag} in the device A", "a", () =>
                    {
                        using var cg = new ConjugateGradient(new CgOptions { Preconditioner = make(), MaxIterations = 500 }, backend);
                        using var da = backend.Upload(WithValue(a, 7, bad));
                        using var db = backend.Upload(b);
                        using var dx = backend.Allocate(n);
                        var r = cg.Solve(da, db, dx);
                        return Checked(r.Status, r.Solution);
                    });
            }
        AssertNoFailures();
    }

    [Fact]
    public void ConjugateGradientAndPreconditionerOptionsRejectNonFiniteValues()
    {
        foreach (double bad in Bad)
        {
            Rejects($"CgOptions.Tolerance = {bad}", nameof(CgOptions.Tolerance), () => { _ = new CgOptions { Tolerance = bad }; return SolverStatus.Converged; });
            Rejects($"CgOptions.AbsoluteTolerance = {bad}", nameof(CgOptions.AbsoluteTolerance), () => { _ = new CgOptions { AbsoluteTolerance = bad }; return SolverStatus.Converged; });
            Rejects($"Ssor omega = {bad}", "omega", () => { _ = new Ssor(bad); return SolverStatus.Converged; });
            Rejects($"Chebyshev EigenvalueRatio = {bad}", nameof(ChebyshevOptions.EigenvalueRatio), () => { _ = new ChebyshevOptions { EigenvalueRatio = bad }; return SolverStatus.Converged; });
            Rejects($"Chebyshev SafetyFactor = {bad}", nameof(ChebyshevOptions.SafetyFactor), () => { _ = new ChebyshevOptions { SafetyFactor = bad }; return SolverStatus.Converged; });
            Rejects($"AmgOptions.StrengthThreshold = {bad}", nameof(AmgOptions.StrengthThreshold), () => { _ = new AmgOptions { StrengthThreshold = bad }; return SolverStatus.Converged; });
            Rejects($"IncompleteCholeskyOptions.DiagonalShift = {bad}", nameof(IncompleteCholeskyOptions.DiagonalShift), () => { _ = new IncompleteCholeskyOptions { DiagonalShift = bad }; return SolverStatus.Converged; });
        }
        AssertNoFailures();
    }

    [Fact]
    public void SorRejectsNonFiniteInputInBothOrderings()
    {
        var a = PdeProblems.Poisson2D(6);
        int n = a.Rows;
        var b = Ones(n);
        using var backend = Cpu();
        foreach (var ordering in new[] { SorOrdering.Natural, SorOrdering.Multicolor })
            foreach (double bad in Bad)
            {
                string tag = $"SOR/{ordering} with {bad}";
                SolverStatus Solve(CsrMatrix m, double[] rhs, double[]? x0, double omega = 1.5)
                {
                    using var sor = new SorSolver(new SorOptions { Ordering = ordering, InitialGuess = x0, MaxIterations = 2000 }, backend);
                    var r = sor.Solve(m, rhs, omega);
                    return Checked(r.Status, r.Solution);
                }
                Rejects($"{tag} in A", "a", () => Solve(WithValue(a, 7, bad), b, null));
                Rejects($"{tag} on A's diagonal", "a", () => Solve(WithValue(a, 0, bad), b, null));
                Rejects($"{tag} in b", "b", () => Solve(a, WithEntry(b, 5, bad), null));
                Rejects($"{tag} in the initial guess", "InitialGuess", () => Solve(a, b, WithEntry(new double[n], 3, bad)));
                Rejects($"{tag} as omega", "omega", () => Solve(a, b, null, bad));
                Rejects($"{tag} as SorOptions.Omega", nameof(SorOptions.Omega), () => { _ = new SorOptions { Omega = bad }; return SolverStatus.Converged; });
                Rejects($"{tag} as SorOptions.Tolerance", nameof(SorOptions.Tolerance), () => { _ = new SorOptions { Tolerance = bad }; return SolverStatus.Converged; });
            }
        foreach (double bad in Bad)
        {
            Rejects($"OptimalOmega({bad})", "beta", () => { _ = SorParameters.OptimalOmega(bad); return SolverStatus.Converged; });
            Rejects($"JacobiSpectralRadius of A with {bad}", "a", () => { _ = SorParameters.JacobiSpectralRadius(WithValue(a, 7, bad), 50); return SolverStatus.Converged; });
            if (double.IsNaN(bad))
                Rejects($"InstanceOptimal with a cost of {bad}", "cost", () => { _ = SorParameters.InstanceOptimal(w => w > 1.5 ? bad : 10 - w); return SolverStatus.Converged; });
            else
            {
                // +Infinity is a legitimate cost (a failed solve): the search must avoid it and return a finite cost.
                var (omega, best) = SorParameters.InstanceOptimal(w => w > 1.5 ? bad : 10 - w);
                Assert.True(omega <= 1.5 && double.IsFinite(best), $"InstanceOptimal with +Inf costs returned ({omega}, {best})");
            }
        }
        AssertNoFailures();
    }

    private static IEnumerable<(string Name, Func<IOmegaLearner> Make)> Learners()
    {
        var o = new LearnerOptions { Seed = 3 };
        var c = new ContextualOptions { ContextMin = 0, ContextMax = 1 };
        yield return ("tsallis", () => new TsallisInf(o));
        yield return ("chebcb", () => new ChebCb(o, c));
        yield return ("binned", () => new BinnedTsallisInf(o, c));
        yield return ("fixed", () => new FixedOmega(1.3));
    }

    [Fact]
    public void LearnersAndSequenceSolverRejectNonFiniteInput()
    {
        var a = PdeProblems.Poisson2D(5);
        int n = a.Rows;
        var b = Ones(n);
        using var backend = Cpu();
        foreach (var (name, make) in Learners())
            foreach (double bad in Bad)
            {
                string tag = $"{name} with {bad}";
                Rejects($"{tag} as the cost", "cost", () =>
                {
                    var l = make();
                    l.Next(0.5);
                    l.Observe(bad);
                    return SolverStatus.Converged;
                });
                if (name is "chebcb" or "binned")
                    Rejects($"{tag} as the context", "context", () => { make().Next(bad); return SolverStatus.Converged; });
                foreach (var method in new[] { SequenceMethod.Sor, SequenceMethod.SsorPcg })
                {
                    SolverStatus Solve(CsrMatrix m, double[] rhs, double[]? x0)
                    {
                        using var s = new SequenceSolver(make(), new SequenceSolverOptions { Method = method, MaxIterations = 500 }, backend);
                        var step = s.Solve(m, rhs, 0.5, x0);
                        // The learner must be ready for the next system whatever happened.
                        Assert.Equal(SolverStatus.Converged, s.Solve(a, b, 0.5).Status);
                        return Checked(step.Status, step.Solution);
                    }
                    Rejects($"{tag} {method} in A", "a", () => Solve(WithValue(a, 7, bad), b, null));
                    Rejects($"{tag} {method} in b", "b", () => Solve(a, WithEntry(b, 5, bad), null));
                    Rejects($"{tag} {method} in the initial guess", "InitialGuess", () => Solve(a, b, WithEntry(new double[n], 3, bad)));
                }
            }
        foreach (double bad in Bad)
        {
            Rejects($"FixedOmega({bad})", "omega", () => { _ = new FixedOmega(bad); return SolverStatus.Converged; });
            Rejects($"LearnerOptions.Grid with {bad}", nameof(LearnerOptions.Grid), () => { _ = new LearnerOptions { Grid = [1.0, bad] }; return SolverStatus.Converged; });
            Rejects($"LearnerOptions.CostScale = {bad}", nameof(LearnerOptions.CostScale), () => { _ = new LearnerOptions { CostScale = bad }; return SolverStatus.Converged; });
            Rejects($"ContextualOptions.ContextMin = {bad}", nameof(ContextualOptions.ContextMin), () => { _ = new ContextualOptions { ContextMin = bad }; return SolverStatus.Converged; });
            Rejects($"ContextualOptions.ContextMax = {bad}", nameof(ContextualOptions.ContextMax), () => { _ = new ContextualOptions { ContextMax = bad }; return SolverStatus.Converged; });
            Rejects($"ContextualOptions.Exploration = {bad}", nameof(ContextualOptions.Exploration), () => { _ = new ContextualOptions { Exploration = bad }; return SolverStatus.Converged; });
            Rejects($"SequenceSolverOptions.Tolerance = {bad}", nameof(SequenceSolverOptions.Tolerance), () => { _ = new SequenceSolverOptions { Tolerance = bad }; return SolverStatus.Converged; });
        }
        AssertNoFailures();
    }

    /// <summary>Which callback of <see cref="Injected"/> goes bad.</summary>
    public enum Callback { Objective, Gradient, Constraints, Jacobian, Hessian }

    /// <summary>
    /// min 1/2 ||x||^2 + x_0 subject to x_0 + x_1 + x_2 = 1 and x_0^2 - x_1 = 0, with exact derivatives; from call
    /// <c>from</c> on (1: the start), the chosen callback returns <c>value</c> in its first entry.
    /// </summary>
    private sealed class Injected(Callback which, double value, int from) : EqualityConstrainedProblem
    {
        private int _calls;

        public override string Name => $"injected-{which}";
        public override int Dimension => 3;
        public override int ConstraintCount => 2;
        public override bool HasGradient => true;
        public override bool HasJacobian => true;
        public override bool HasHessian => true;
        public override double[] StartingPoint() => [0.5, 0.2, 0.1];

        private bool Bad(Callback c) => c == which && ++_calls >= from;

        public override double Objective(ReadOnlySpan<double> x)
        {
            double f = 0.5 * (x[0] * x[0] + x[1] * x[1] + x[2] * x[2]) + x[0];
            return Bad(Callback.Objective) ? value : f;
        }

        public override void Gradient(ReadOnlySpan<double> x, Span<double> g)
        {
            g[0] = x[0] + 1;
            g[1] = x[1];
            g[2] = x[2];
            if (Bad(Callback.Gradient)) g[0] = value;
        }

        public override void Constraints(ReadOnlySpan<double> x, Span<double> c)
        {
            c[0] = x[0] + x[1] + x[2] - 1;
            c[1] = x[0] * x[0] - x[1];
            if (Bad(Callback.Constraints)) c[0] = value;
        }

        public override CsrMatrix Jacobian(ReadOnlySpan<double> x)
        {
            double j00 = Bad(Callback.Jacobian) ? value : 1;
            return new CsrMatrix(2, 3, [0, 3, 5], [0, 1, 2, 0, 1], [j00, 1, 1, 2 * x[0], -1], allowNonFinite: true);
        }

        public override CsrMatrix LagrangianHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> lambda)
        {
            double h00 = Bad(Callback.Hessian) ? value : 1 + 2 * lambda[1];
            return new CsrMatrix(3, 3, [0, 1, 2, 3], [0, 1, 2], [h00, 1, 1], allowNonFinite: true);
        }
    }

    [Fact]
    public void SketchedNewtonRejectsNonFiniteCallbacksStartsAndOptions()
    {
        // Check the problem is solvable as written, so that the failures below come from the injection.
        var clean = new SketchedNewton(new SketchedNewtonOptions { Inner = InnerSolver.Minres }).Solve(new Injected(Callback.Objective, 0, int.MaxValue));
        Assert.Equal(SolverStatus.Converged, clean.Status);
        foreach (var inner in Enum.GetValues<InnerSolver>())
            foreach (double bad in Bad)
            {
                var options = new SketchedNewtonOptions { Inner = inner, MaxIterations = 50, MaxInnerIterations = 5000, BlockSize = 2, Seed = 7 };
                foreach (var which in Enum.GetValues<Callback>())
                    foreach (int from in new[] { 1, 4 }) // at the start, and mid-run (the fourth call)
                        Rejects($"SketchedNewton/{inner}: {which} returns {bad} from call {from}", which.ToString(), () =>
                        {
                            var r = new SketchedNewton(options).Solve(new Injected(which, bad, from));
                            return Checked(r.Status, r.X, r.Lambda, [r.Objective, r.KktResidual]);
                        });
                Rejects($"SketchedNewton/{inner}: x0 with {bad}", "x0", () =>
                    new SketchedNewton(options).Solve(new Injected(Callback.Objective, 0, int.MaxValue), [0.5, bad, 0.1]).Status);
            }
        foreach (double bad in Bad)
        {
            Rejects($"Tolerance = {bad}", "Tolerance", () => { _ = new SketchedNewtonOptions { Tolerance = bad }; return SolverStatus.Converged; });
            Rejects($"Eta1 = {bad}", "Eta1", () => { _ = new SketchedNewtonOptions { Eta1 = bad }; return SolverStatus.Converged; });
            Rejects($"Eta2 = {bad}", "Eta2", () => { _ = new SketchedNewtonOptions { Eta2 = bad }; return SolverStatus.Converged; });
            Rejects($"Delta = {bad}", "Delta", () => { _ = new SketchedNewtonOptions { Delta = bad }; return SolverStatus.Converged; });
            Rejects($"XiB = {bad}", "XiB", () => { _ = new SketchedNewtonOptions { XiB = bad }; return SolverStatus.Converged; });
            Rejects($"Beta = {bad}", "Beta", () => { _ = new SketchedNewtonOptions { Beta = bad }; return SolverStatus.Converged; });
            Rejects($"Nu = {bad}", "Nu", () => { _ = new SketchedNewtonOptions { Nu = bad }; return SolverStatus.Converged; });
            Rejects($"MinDelta = {bad}", "MinDelta", () =>
                new SketchedNewton(new SketchedNewtonOptions { MinDelta = bad, MaxIterations = 20, MaxInnerIterations = 2000 }).Solve(new Injected(Callback.Objective, 0, int.MaxValue)).Status);
            Rejects($"FixedInnerTolerance = {bad}", "FixedInnerTolerance", () =>
                new SketchedNewton(new SketchedNewtonOptions { FixedInnerTolerance = bad, MaxIterations = 20, MaxInnerIterations = 2000 }).Solve(new Injected(Callback.Objective, 0, int.MaxValue)).Status);
        }
        AssertNoFailures();
    }

    /// <summary>The same problem with derivatives by finite differences (the default when a problem gives none).</summary>
    private sealed class InjectedByDifferences(Callback which, double value, int from) : EqualityConstrainedProblem
    {
        private int _calls;

        public override string Name => $"injected-fd-{which}";
        public override int Dimension => 3;
        public override int ConstraintCount => 2;
        public override double[] StartingPoint() => [0.5, 0.2, 0.1];

        private bool Bad(Callback c) => c == which && ++_calls >= from;

        public override double Objective(ReadOnlySpan<double> x)
        {
            double f = 0.5 * (x[0] * x[0] + x[1] * x[1] + x[2] * x[2]) + x[0];
            return Bad(Callback.Objective) ? value : f;
        }

        public override void Constraints(ReadOnlySpan<double> x, Span<double> c)
        {
            c[0] = x[0] + x[1] + x[2] - 1;
            c[1] = x[0] * x[0] - x[1];
            if (Bad(Callback.Constraints)) c[0] = value;
        }
    }

    [Fact]
    public void SketchedNewtonWithFiniteDifferencesAndLogisticDataRejectNonFiniteInput()
    {
        Assert.Equal(SolverStatus.Converged, new SketchedNewton(new SketchedNewtonOptions { Inner = InnerSolver.Minres }).Solve(new InjectedByDifferences(Callback.Objective, 0, int.MaxValue)).Status);
        foreach (double bad in Bad)
        {
            foreach (var which in new[] { Callback.Objective, Callback.Constraints })
                foreach (int from in new[] { 1, 60 }) // at the start, and after the first derivative evaluations
                    Rejects($"SketchedNewton (finite differences): {which} returns {bad} from call {from}", which.ToString(), () =>
                    {
                        var r = new SketchedNewton(new SketchedNewtonOptions { Inner = InnerSolver.Minres, MaxIterations = 50 }).Solve(new InjectedByDifferences(which, bad, from));
                        return Checked(r.Status, r.X, r.Lambda, [r.Objective, r.KktResidual]);
                    });

            var (x, y) = ReluData(20, 3);
            var xb = (double[,])x.Clone();
            xb[3, 1] = bad;
            Rejects($"logistic regression: dense features with {bad}", "features", () => { _ = new ConstrainedLogisticRegression(xb, y, 2); return SolverStatus.Converged; });
            Rejects($"logistic regression: CSR features with {bad}", "features", () =>
            {
                var a = CsrMatrix.FromDense(x);
                _ = new ConstrainedLogisticRegression(WithValue(a, 4, bad), y, 2);
                return SolverStatus.Converged;
            });
            Rejects($"logistic regression: labels with {bad}", "labels", () => { _ = new ConstrainedLogisticRegression(x, WithEntry(y, 2, bad), 2); return SolverStatus.Converged; });

            // Data files: a non-finite value is a format error naming the file and line, like every other bad value.
            string token = double.IsNaN(bad) ? "nan" : "inf";
            string csv = Path.Combine(Path.GetTempPath(), $"hardening-{Guid.NewGuid():N}.csv");
            string svm = Path.Combine(Path.GetTempPath(), $"hardening-{Guid.NewGuid():N}.libsvm");
            try
            {
                File.WriteAllText(csv, $"1,0.5,0.25\n0,{token},1\n1,2,3\n");
                File.WriteAllText(svm, $"+1 1:0.5 2:0.25\n-1 1:{token} 2:1\n");
                foreach (var path in new[] { csv, svm })
                {
                    var e = Record.Exception(() => ConstrainedLogisticRegression.FromFile(path, 1));
                    Assert.True(e is FormatException, $"{path}: {e?.GetType().Name}: {e?.Message}");
                    Assert.Contains(Path.GetFileName(path) + ":2", e!.Message);
                }
            }
            finally
            {
                File.Delete(csv);
                File.Delete(svm);
            }
        }
        AssertNoFailures();
    }

    /// <summary>A CSR operator whose products turn non-finite from the given call on (mid-run), through the interface only.</summary>
    private sealed class GoingBad(CsrMatrix a, double value, int from) : ILinearOperator
    {
        private readonly CsrOperator _inner = new(a);
        private int _calls;

        public int Rows => a.Rows;
        public int Columns => a.Columns;

        public void Apply(ReadOnlySpan<double> x, Span<double> y)
        {
            _inner.Apply(x, y);
            if (++_calls >= from) y[0] = value;
        }

        public void ApplyTranspose(ReadOnlySpan<double> y, Span<double> x)
        {
            _inner.ApplyTranspose(y, x);
            if (++_calls >= from) x[0] = value;
        }
    }

    [Fact]
    public void RandomizedKaczmarzAndSketchAndProjectRejectNonFiniteInput()
    {
        var a = PdeProblems.Poisson2D(5);
        int n = a.Rows;
        var b = Ones(n);
        foreach (double bad in Bad)
            foreach (int block in new[] { 1, 3 })
            {
                var o = new RandomizedSolverOptions { MaxIterations = 20_000, Seed = 5 };
                string tag = $"with {bad}";
                SolverStatus Rk(CsrMatrix m, double[] rhs, RandomizedSolverOptions opt)
                {
                    var r = RandomizedKaczmarz.Solve(new CsrOperator(m), rhs, opt);
                    return Checked(Status(r.Status), r.Solution);
                }
                SolverStatus Sp(ILinearOperator m, double[] rhs, RandomizedSolverOptions opt)
                {
                    var r = SketchAndProject.Solve(m, rhs, block, opt);
                    return Checked(Status(r.Status), r.Solution);
                }
                Rejects($"Kaczmarz {tag} in K", "k", () => Rk(WithValue(a, 7, bad), b, o));
                Rejects($"Kaczmarz {tag} in b", "b", () => Rk(a, WithEntry(b, 3, bad), o));
                Rejects($"Kaczmarz {tag} in the initial guess", "InitialGuess", () => Rk(a, b, o with { InitialGuess = WithEntry(new double[n], 2, bad) }));
                Rejects($"S&P({block}) {tag} in K", "k", () => Sp(new CsrOperator(WithValue(a, 7, bad)), b, o));
                Rejects($"S&P({block}) {tag} in b", "b", () => Sp(new CsrOperator(a), WithEntry(b, 3, bad), o));
                Rejects($"S&P({block}) {tag} in the initial guess", "InitialGuess", () => Sp(new CsrOperator(a), b, o with { InitialGuess = WithEntry(new double[n], 2, bad) }));
                Rejects($"S&P({block}) {tag} from the operator mid-run", "k", () => Sp(new GoingBad(a, bad, 6), b, o));
                Rejects($"RandomizedSolverOptions.Tolerance = {bad}", "Tolerance", () => { _ = new RandomizedSolverOptions { Tolerance = bad }; return SolverStatus.Converged; });
            }
        AssertNoFailures();
    }

    private static (double[,] X, double[] Y) ReluData(int n = 24, int d = 3)
    {
        var x = new double[n, d];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < d; c++) x[i, c] = CounterRandom.Gaussian(11, (ulong)(i * d + c));
            y[i] = x[i, 0] - 0.5 * x[i, 1] > 0 ? 1 : -1;
        }
        return (x, y);
    }

    [Fact]
    public void ConvexReluAndAdamRejectNonFiniteData()
    {
        var (x, y) = ReluData();
        using var backend = Cpu();
        var variants = new (string Name, ConvexReluOptions Options)[]
        {
            ("admm-woodbury", new ConvexReluOptions { Patterns = 6, MaxIterations = 200, LinearSolver = ReluLinearSolver.Woodbury, Backend = backend, Seed = 2 }),
            ("admm-pcg", new ConvexReluOptions { Patterns = 6, MaxIterations = 200, LinearSolver = ReluLinearSolver.ConjugateGradient, Backend = backend, Seed = 2 }),
            ("gated-fista", new ConvexReluOptions { Patterns = 6, MaxIterations = 200, Formulation = ReluFormulation.Gated, Backend = backend, Seed = 2 }),
        };
        foreach (double bad in Bad)
        {
            var xb = (double[,])x.Clone();
            xb[4, 1] = bad;
            foreach (var (name, o) in variants)
            {
                SolverStatus Fit(double[,] xs, double[] ys, ConvexReluOptions opt)
                {
                    var f = ConvexReluNetwork.Fit(xs, ys, opt);
                    return Checked(f.Report.Status, f.Network.SecondLayer, f.Network.FirstLayer.Cast<double>().ToArray(), [f.Report.ConvexObjective]);
                }
                Rejects($"ConvexRelu/{name}: x with {bad}", "x", () => Fit(xb, y, o));
                Rejects($"ConvexRelu/{name}: y with {bad}", "y", () => Fit(x, WithEntry(y, 2, bad), o));
                var gates = new double[2, 4];
                gates[1, 2] = bad;
                Rejects($"ConvexRelu/{name}: ExtraGates with {bad}", "ExtraGates", () => Fit(x, y, o with { ExtraGates = gates }));
            }
            Rejects($"ConvexReluOptions.Beta = {bad}", "Beta", () => { _ = new ConvexReluOptions { Beta = bad }; return SolverStatus.Converged; });
            Rejects($"ConvexReluOptions.Rho = {bad}", "Rho", () => { _ = new ConvexReluOptions { Rho = bad }; return SolverStatus.Converged; });
            Rejects($"ConvexReluOptions.Tolerance = {bad}", "Tolerance", () => { _ = new ConvexReluOptions { Tolerance = bad }; return SolverStatus.Converged; });
            Rejects($"ConvexReluOptions.AbsoluteTolerance = {bad}", "AbsoluteTolerance", () => { _ = new ConvexReluOptions { AbsoluteTolerance = bad }; return SolverStatus.Converged; });
            Rejects($"ActivationPatterns.Sample: x with {bad}", "x", () => { _ = ActivationPatterns.Sample(xb, 4, 1); return SolverStatus.Converged; });

            var adam = new AdamReluOptions { Width = 4, Epochs = 50, Seed = 1 };
            SolverStatus Train(double[,] xs, double[] ys, AdamReluOptions opt)
            {
                var r = AdamReluTrainer.Train(xs, ys, opt);
                return Checked(r.Status, r.SecondLayer, r.FirstLayer.Cast<double>().ToArray(), [r.Objective]);
            }
            Rejects($"Adam: x with {bad}", "x", () => Train(xb, y, adam));
            Rejects($"Adam: y with {bad}", "y", () => Train(x, WithEntry(y, 2, bad), adam));
            Rejects($"AdamReluOptions.Beta = {bad}", "Beta", () => { _ = adam with { Beta = bad }; return SolverStatus.Converged; });
            Rejects($"AdamReluOptions.LearningRate = {bad}", "LearningRate", () => { _ = adam with { LearningRate = bad }; return SolverStatus.Converged; });
        }
        AssertNoFailures();
    }

    [Fact]
    public async Task ReluTrainersReportOverflowMidRunAsNonFinite()
    {
        // Finite data so large that the objective overflows during the run: Adam must stop with NonFinite and hand
        // back the last finite network; ADMM must not claim convergence with non-finite numbers.
        var (x, y) = ReluData();
        var big = (double[,])x.Clone();
        for (int i = 0; i < big.GetLength(0); i++) big[i, 0] *= 1e155;
        var r = AdamReluTrainer.Train(big, y, new AdamReluOptions { Width = 4, Epochs = 50, LearningRate = 1e150, Seed = 1 });
        Assert.Equal(SolverStatus.NonFinite, r.Status);
        Assert.True(r.SecondLayer.All(double.IsFinite) && r.FirstLayer.Cast<double>().All(double.IsFinite));

        using var backend = Cpu();
        var task = Task.Run(() => ConvexReluNetwork.Fit(big, y, new ConvexReluOptions { Patterns = 4, MaxIterations = 100, Standardize = false, Backend = backend }));
        var f = await task.WaitAsync(Deadline); // throws TimeoutException on a hang
        Checked(f.Report.Status, f.Network.SecondLayer, [f.Report.ConvexObjective]);
    }

    [Fact]
    public void MfacRejectsNonFiniteGradientsVectorsAndOptions()
    {
        const int d = 12, m = 3;
        var g = new double[m * d];
        for (int i = 0; i < g.Length; i++) g[i] = CounterRandom.Gaussian(4, (ulong)i);
        var options = new MfacOptions { WindowSize = m, Lambda = 0.1 };
        using var backend = Cpu();
        foreach (double bad in Bad)
        {
            var gb = WithEntry(g, 7, bad);
            var xb = WithEntry(Ones(d), 5, bad);
            Rejects($"StaticMfac: gradients with {bad}", "gradients", () => { using var f = new StaticMfac<double>(gb, d, options); return SolverStatus.Converged; });
            Rejects($"StaticMfac<float>: gradients with {bad}", "gradients", () => { using var f = new StaticMfac<float>(gb.Select(v => (float)v).ToArray(), d, options); return SolverStatus.Converged; });
            foreach (var opt in new[] { options, options with { Backend = backend } })
            {
                string where = opt.Backend is null ? "host" : "backend";
                Rejects($"StaticMfac/{where}.InverseTimes: x with {bad}", "x", () =>
                {
                    using var f = new StaticMfac<double>(g, d, opt);
                    var result = new double[d];
                    f.InverseTimes(xb, result);
                    return SolverStatus.Converged; // a product has no status: only an ArgumentException passes
                });
                Rejects($"SlidingMfac/{where}.Push: gradient with {bad}", "gradient", () =>
                {
                    using var f = new SlidingMfac<double>(d, opt);
                    f.Push(g.AsSpan(0, d));
                    f.Push(gb.AsSpan(0, d));
                    return SolverStatus.Converged;
                });
                Rejects($"SlidingMfac/{where}.InverseTimes: x with {bad}", "x", () =>
                {
                    using var f = new SlidingMfac<double>(d, opt);
                    f.Push(g.AsSpan(0, d));
                    var result = new double[d];
                    f.InverseTimes(xb, result);
                    return SolverStatus.Converged; // a product has no status: only an ArgumentException passes
                });
            }
            Rejects($"MfacOptions.Lambda = {bad}", "Lambda", () => { _ = new MfacOptions { Lambda = bad }; return SolverStatus.Converged; });

            var optimizers = new IGradientTransformation[] { new MfacOptimizer(options, 0.01, 0.5, 0.01), new Adam(WeightDecay: 0.01), new SgdMomentum(WeightDecay: 0.01) };
            foreach (var opt in optimizers)
            {
                SolverStatus Step(double[] gradient, double[] parameters, IGradientTransformation o)
                {
                    using var state = o.Init(parameters);
                    var updates = new double[d];
                    o.Update(Ones(d), state, Ones(d), updates); // one good step first: the bad one comes mid-run
                    o.Update(gradient, state, parameters, updates);
                    return SolverStatus.Converged; // an update has no status: only an ArgumentException passes
                }
                Rejects($"{opt.Name}: gradient with {bad}", "gradient", () => Step(xb, Ones(d), opt));
                Rejects($"{opt.Name}: parameters with {bad}", "parameters", () => Step(Ones(d), xb, opt));
            }
            foreach (var (name, make) in new (string, Func<IGradientTransformation>)[]
            {
                ("MfacOptimizer.LearningRate", () => new MfacOptimizer(options, LearningRate: bad)),
                ("MfacOptimizer.Momentum", () => new MfacOptimizer(options, Momentum: bad)),
                ("MfacOptimizer.WeightDecay", () => new MfacOptimizer(options, WeightDecay: bad)),
                ("Adam.LearningRate", () => new Adam(LearningRate: bad)),
                ("Adam.Beta1", () => new Adam(Beta1: bad)),
                ("Adam.Beta2", () => new Adam(Beta2: bad)),
                ("Adam.Epsilon", () => new Adam(Epsilon: bad)),
                ("Adam.WeightDecay", () => new Adam(WeightDecay: bad)),
                ("SgdMomentum.LearningRate", () => new SgdMomentum(LearningRate: bad)),
                ("SgdMomentum.Momentum", () => new SgdMomentum(Momentum: bad)),
                ("SgdMomentum.WeightDecay", () => new SgdMomentum(WeightDecay: bad)),
            })
                Rejects($"{name} = {bad}", name.Split('.')[1], () =>
                {
                    var o = make();
                    using var state = o.Init(Ones(d));
                    var updates = new double[d];
                    o.Update(Ones(d), state, Ones(d), updates);
                    return SolverStatus.Converged; // an update has no status: only an ArgumentException passes
                });

            var pruning = new PruningOptions { TargetSparsity = 0.5, Steps = 2, Fisher = options };
            void Sampler(ReadOnlySpan<double> w, int i, Span<double> grad)
            {
                for (int k = 0; k < d; k++) grad[k] = g[i * d + k] * (1 + w[k]);
            }
            Rejects($"OBS: weights with {bad}", "weights", () => { _ = Pruning.OptimalBrainSurgeon(WithEntry(Ones(d), 3, bad), Sampler, pruning); return SolverStatus.Converged; });
            int calls = 0;
            Rejects($"OBS: sampler returns {bad} mid-run", "gradients", () =>
            {
                var w = Ones(d);
                Pruning.OptimalBrainSurgeon(w, (ws, i, grad) =>
                {
                    Sampler(ws, i, grad);
                    if (++calls > m) grad[2] = bad; // the second pruning step
                }, pruning);
                return w.All(double.IsFinite) ? SolverStatus.Converged : SolverStatus.NonFinite;
            });
            Rejects($"Magnitude: weights with {bad}", "weights", () => { _ = Pruning.Magnitude(WithEntry(Ones(d), 3, bad), 0.5); return SolverStatus.Converged; });
            Rejects($"Magnitude: sparsity = {bad}", "sparsity", () => { _ = Pruning.Magnitude(Ones(d), bad); return SolverStatus.Converged; });
            Rejects($"PruningOptions.TargetSparsity = {bad}", "TargetSparsity", () => { _ = new PruningOptions { TargetSparsity = bad }; return SolverStatus.Converged; });
        }
        AssertNoFailures();
    }
}
