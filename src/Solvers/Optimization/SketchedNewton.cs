using System.Diagnostics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;
using Solvers.Sparse;

namespace Solvers.Optimization;

/// <summary>Options of <see cref="SketchedNewton"/>; defaults from the paper's reference code. Validated when set.</summary>
/// <remarks>Thread safety: immutable (init-only), safe to share between threads.</remarks>
public sealed record SketchedNewtonOptions
{
    private readonly double _tolerance = 1e-6;
    private readonly int _maxIterations = 1000;
    private readonly double _eta1 = 1.0, _eta2 = 0.1, _delta = 0.1, _xiB = 0.1, _beta = 0.1, _nu = 1.5;
    private readonly int _blockSize = 10, _maxInnerIterations = 100_000;
    private readonly double _minDelta = 1e-6;
    private readonly double? _fixedInnerTolerance;

    /// <summary>Stop when the KKT residual ||(grad_x L, c)||_2 &lt;= Tolerance (default 1e-6).</summary>
    public double Tolerance { get => _tolerance; init => _tolerance = Positive(value, nameof(Tolerance)); }

    /// <summary>Most Newton iterations (default 1000).</summary>
    public int MaxIterations { get => _maxIterations; init => _maxIterations = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxIterations), value, "At least one iteration."); }

    /// <summary>Initial penalty on ||c||^2 in the augmented Lagrangian (default 1); raised by nu^2 when the direction is not a descent direction.</summary>
    public double Eta1 { get => _eta1; init => _eta1 = Positive(value, nameof(Eta1)); }

    /// <summary>Initial penalty on ||grad_x L||^2 (default 0.1); divided by nu with eta1's raise.</summary>
    public double Eta2 { get => _eta2; init => _eta2 = Positive(value, nameof(Eta2)); }

    /// <summary>Initial inner accuracy delta (default 0.1), lowered to the paper's bound and floored at <see cref="MinDelta"/>.</summary>
    public double Delta { get => _delta; init => _delta = Positive(value, nameof(Delta)); }

    /// <summary>Floor of delta (default 1e-6, as the reference code: below it the bound is only a numerical artefact).</summary>
    public double MinDelta
    {
        get => _minDelta;
        // Validated like the other accuracies: a NaN floor made every inner tolerance NaN, and the failure surfaced
        // later as a bad RandomizedSolverOptions.Tolerance, naming the wrong option.
        init => _minDelta = value >= 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(MinDelta), value, "MinDelta must be finite and >= 0.");
    }

    /// <summary>Hessian modification constant xi_B (default 0.1): B = H + (xi_B + ||H||) I when H is not positive definite on null(G).</summary>
    public double XiB { get => _xiB; init => _xiB = Positive(value, nameof(XiB)); }

    /// <summary>Armijo constant beta in (0, 1/2) (default 0.1).</summary>
    public double Beta { get => _beta; init => _beta = value > 0 && value < 0.5 ? value : throw new ArgumentOutOfRangeException(nameof(Beta), value, "beta must be in (0, 1/2)."); }

    /// <summary>Penalty update factor nu &gt; 1 (default 1.5).</summary>
    public double Nu { get => _nu; init => _nu = value > 1 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(Nu), value, "nu must be finite and exceed 1."); }

    /// <summary>The inner solver (default Gaussian sketch-and-project).</summary>
    public InnerSolver Inner { get; init; } = InnerSolver.Gaussian;

    /// <summary>Sketch size of <see cref="InnerSolver.Block"/> (default 10; at most the KKT system's order n + m, where the projection is exact).</summary>
    public int BlockSize { get => _blockSize; init => _blockSize = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(BlockSize), value, "At least 1."); }

    /// <summary>Most inner iterations per KKT solve (default 100000).</summary>
    public int MaxInnerIterations { get => _maxInnerIterations; init => _maxInnerIterations = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxInnerIterations), value, "At least 1."); }

    /// <summary>
    /// Sharpen the inner accuracy with the KKT residual (theta_k = min(1, KKT residual)), which makes the local
    /// convergence superlinear; without it (the default) it is linear with ratio about delta.
    /// </summary>
    public bool Sharpening { get; init; }

    /// <summary>
    /// Use a fixed inner tolerance (relative residual of the KKT system, times theta when sharpening) instead of
    /// the adaptive accuracy condition, for comparison (default null: adaptive).
    /// </summary>
    public double? FixedInnerTolerance
    {
        get => _fixedInnerTolerance;
        // Checked when set (finite, >= 0): NaN or infinity gave a NaN or useless inner tolerance deep inside the solve.
        init => _fixedInnerTolerance = value is null || (value >= 0 && double.IsFinite(value.Value)) ? value
            : throw new ArgumentOutOfRangeException(nameof(FixedInnerTolerance), value, "FixedInnerTolerance must be null, or finite and >= 0.");
    }

    /// <summary>Seed of the sketches.</summary>
    public ulong Seed { get; init; }

    /// <summary>Stops within one Newton iteration; the result has status Cancelled and the last iterate.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Receives each iteration's record.</summary>
    public IProgress<NewtonIteration>? Progress { get; init; }

    private static double Positive(double v, string name) => v > 0 && double.IsFinite(v) ? v : throw new ArgumentOutOfRangeException(name, v, $"{name} must be positive and finite.");
}

/// <summary>One Newton iteration of <see cref="SketchedNewton"/>.</summary>
/// <param name="Iteration">Iteration number (0 = the starting point).</param>
/// <param name="KktResidual">||(grad_x L, c)||_2 after the iteration.</param>
/// <param name="Objective">f at the iterate.</param>
/// <param name="ConstraintNorm">||c||_2 at the iterate.</param>
/// <param name="StepSize">The Armijo step alpha taken.</param>
/// <param name="InnerIterations">Inner solver iterations of the iteration's KKT solve.</param>
/// <param name="Eta1">Penalty eta1 in force.</param>
/// <param name="Eta2">Penalty eta2 in force.</param>
/// <param name="Delta">Inner accuracy delta in force.</param>
/// <remarks>Thread safety: an immutable value.</remarks>
public readonly record struct NewtonIteration(int Iteration, double KktResidual, double Objective, double ConstraintNorm, double StepSize,
    int InnerIterations, double Eta1, double Eta2, double Delta);

/// <summary>The outcome of <see cref="SketchedNewton.Solve"/>.</summary>
/// <remarks>Thread safety: immutable once created (arrays it holds are not defensive copies); safe to read from several threads.</remarks>
public sealed record OptimizationResult
{
    /// <summary>x at the end.</summary>
    public required double[] X { get; init; }

    /// <summary>The multipliers lambda at the end.</summary>
    public required double[] Lambda { get; init; }

    /// <summary>How the run ended.</summary>
    public required SolverStatus Status { get; init; }

    /// <summary>Why, in words.</summary>
    public required string Message { get; init; }

    /// <summary>f(x).</summary>
    public required double Objective { get; init; }

    /// <summary>||(grad_x L, c)||_2 at the end.</summary>
    public required double KktResidual { get; init; }

    /// <summary>Newton iterations.</summary>
    public required int Iterations { get; init; }

    /// <summary>Inner solver iterations over all KKT solves.</summary>
    public required long InnerIterations { get; init; }

    /// <summary>Per-iteration records, starting with the starting point.</summary>
    public required IReadOnlyList<NewtonIteration> History { get; init; }

    /// <summary>Wall time.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>True when <see cref="Status"/> is Converged.</summary>
    public bool Succeeded => Status == SolverStatus.Converged;
}

/// <summary>
/// The sketched Newton method with the exact augmented Lagrangian of Hong, Na, Mahoney and Kolar, "Constrained
/// Optimization via Exact Augmented Lagrangian and Randomized Iterative Sketching" (ICML 2023), for
/// min f(x) s.t. c(x) = 0. Each iteration solves the Newton-KKT system [[B, G'], [G, 0]] (dx, dl) = -(grad_x L, c)
/// inexactly by a randomized iterative solver until the adaptive accuracy condition holds, raises the penalties
/// until the direction descends on the merit L_eta = f + l'c + eta1/2 ||c||^2 + eta2/2 ||grad_x L||^2, and takes an
/// Armijo step on it.
/// </summary>
/// <remarks>
/// B is the Hessian of the Lagrangian, shifted by (xi_B + ||H||) I when it is not positive definite on null(G):
/// tested exactly (dense QR of G', eigenvalues of the reduced Hessian) for n &lt;= 1000, and for larger n by
/// whether H itself is positive definite (Lanczos), a sufficient test. Norms and extreme eigenvalues of large
/// matrices are estimated by power and Lanczos iterations, never by dense decompositions.
/// Thread safety: one solve at a time per instance.
/// </remarks>
public sealed class SketchedNewton(SketchedNewtonOptions? options = null)
{
    /// <summary>The options.</summary>
    public SketchedNewtonOptions Options { get; } = options ?? new SketchedNewtonOptions();

    /// <summary>Minimises <paramref name="problem"/> from its starting point (or <paramref name="x0"/>).</summary>
    /// <exception cref="ArgumentException">x0, c or G do not match the problem's declared sizes; the message names them.</exception>
    public OptimizationResult Solve(EqualityConstrainedProblem problem, double[]? x0 = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var o = Options;
        int n = problem.Dimension, m = problem.ConstraintCount;
        if (n < 1) throw new ArgumentException($"Problem {problem.Name} declares {n} variables.", nameof(problem));
        if (m < 0) throw new ArgumentException($"Problem {problem.Name} declares {m} constraints.", nameof(problem));
        var x = (double[])(x0 ?? problem.StartingPoint()).Clone();
        if (x.Length != n) throw new ArgumentException($"x0 has length {x.Length} but problem {problem.Name} has {n} variables.", nameof(x0));
        if (x.Any(v => !double.IsFinite(v))) throw new ArgumentException("x0 holds NaN or infinity.", nameof(x0));
        var lambda = new double[m];
        var clock = Stopwatch.StartNew();
        var history = new List<NewtonIteration>();
        var inner = new KktInnerSolvers(o.Inner, o.BlockSize, o.Seed);
        double eta1 = o.Eta1, eta2 = o.Eta2, delta = o.Delta;
        long innerTotal = 0;
        // A Levenberg-Marquardt-style shift of B, raised while the Armijo search has to cut the step hard (a nearly
        // singular reduced Hessian far from the solution gives enormous Newton steps) and removed again after full
        // steps, so the local superlinear rate is kept.
        double regularization = 0;
        int k = 0;

        var state = Evaluate(problem, x, lambda, n, m);
        double kkt = state.Kkt;
        history.Add(new NewtonIteration(0, kkt, state.F, KktInnerSolvers.Norm(state.C), 0, 0, eta1, eta2, delta));
        OptimizationResult Finish(SolverStatus status, string message) => new()
        {
            X = x, Lambda = lambda, Status = status, Message = message, Objective = state.F, KktResidual = kkt,
            Iterations = k, InnerIterations = innerTotal, History = history, Elapsed = clock.Elapsed,
        };

        // Written so that a NaN KKT residual enters the loop (and ends as NonFinite below): `kkt > Tolerance` is
        // false for NaN, which used to report a NaN start as Converged.
        while (!(kkt <= o.Tolerance))
        {
            if (k >= o.MaxIterations) return Finish(SolverStatus.MaxIterations, $"Reached {o.MaxIterations} iterations with KKT residual {kkt:E3}.");
            if (o.CancellationToken.IsCancellationRequested) return Finish(SolverStatus.Cancelled, $"Cancelled after {k} iterations.");
            if (!double.IsFinite(kkt))
                return Finish(SolverStatus.NonFinite, $"The KKT residual became {kkt} at iteration {k}" + (state.NonFinite is { } what ? $" ({what} returned NaN or infinity)." : "."));

            // Conditioning of G: a (numerically) singular G G' means dependent constraints.
            double xiG = 1, gNorm = 0;
            if (m > 0)
            {
                var (gMin, gMax) = Spectra.ExtremeEigenvaluesOfGramian(state.G);
                // Finite entries whose products overflow: MathNet's eigensolvers fail on NaN with unrelated exceptions.
                if (double.IsNaN(gMin) || double.IsNaN(gMax))
                    return Finish(SolverStatus.NonFinite, $"G G' overflowed at iteration {k}.");
                if (!(gMin > 1e-10 * Math.Max(1, gMax)))
                    return Finish(SolverStatus.Singular,
                        $"The constraint Jacobian is rank deficient at iteration {k} (smallest eigenvalue of G G' {gMin:E3}, largest {gMax:E3}): the constraints are linearly dependent.");
                xiG = gMin;
                gNorm = Math.Sqrt(gMax);
            }
            double hNorm = Spectra.SymmetricNorm(state.H);
            if (!double.IsFinite(hNorm)) return Finish(SolverStatus.NonFinite, $"The norm of the Lagrangian Hessian overflowed at iteration {k}.");
            bool modify = !Spectra.PositiveDefiniteOnNullSpace(state.H, state.G, 1e-6);
            double shift = modify ? o.XiB + hNorm : regularization;
            var bMat = shift > 0 ? SystemsShift(state.H, shift) : state.H;
            double bNorm = hNorm + shift;
            double psi = 20 * Math.Max(bNorm * bNorm, 1) / (Math.Min(xiG, 1) * Math.Min(o.XiB, 1));
            double upsilon = Math.Max(Math.Max(gNorm, hNorm), 1);
            double DeltaTrial() => (0.5 - o.Beta) * eta2 / ((1 + eta1 + eta2) * upsilon * upsilon * psi * psi);
            delta = Math.Max(Math.Min(delta, DeltaTrial()), o.MinDelta);

            var kktMatrix = KktMatrix(bMat, state.G, n, m);
            var rhs = new double[n + m];
            for (int i = 0; i < n; i++) rhs[i] = -state.GradL[i];
            for (int i = 0; i < m; i++) rhs[n + i] = -state.C[i];
            double rhsNorm = KktInnerSolvers.Norm(rhs);
            double kNorm = Spectra.SymmetricNorm(kktMatrix);
            double theta = o.Sharpening ? Math.Min(1, kkt) : 1;
            var d = new double[n + m];
            var r = new double[n + m];
            int iterationInner = 0;
            // Gradient of the merit at the current point, with the Hessian of the Lagrangian as the issue asks.
            var hGradL = state.H.Multiply(state.GradL);
            var gTransC = m > 0 ? state.G.Transpose().Multiply(state.C) : new double[n];
            var gGradL = m > 0 ? state.G.Multiply(state.GradL) : [];
            double[] MeritGradient()
            {
                var mg = new double[n + m];
                for (int i = 0; i < n; i++) mg[i] = state.GradL[i] + eta2 * hGradL[i] + eta1 * gTransC[i];
                for (int i = 0; i < m; i++) mg[n + i] = state.C[i] + eta2 * gGradL[i];
                return mg;
            }
            double q;
            // The raises end when eta1 > 1e8 or eta2 < 1e-8 (about 40 raises at the default nu = 1.5); the count caps
            // the loop for a nu barely above 1, where that would take billions of inner solves.
            int raises = 0;
            while (true)
            {
                double tol = o.FixedInnerTolerance is { } fixedTol ? theta * fixedTol * rhsNorm : theta * delta * rhsNorm / (kNorm * psi);
                int used = inner.Solve(kktMatrix, rhs, d, r, tol, o.MaxInnerIterations);
                iterationInner += used;
                q = KktInnerSolvers.Dot(MeritGradient(), d);
                if (!double.IsFinite(q)) return Finish(SolverStatus.NonFinite, $"The Newton direction became non-finite at iteration {k}.");
                if (eta1 > 1e8 || eta2 < 1e-8 || q <= -(eta2 / 2) * rhsNorm * rhsNorm || ++raises > 1000) break;
                if (KktInnerSolvers.Norm(r) > tol)
                {
                    // The inner solver stopped short of the accuracy and the direction does not descend: raising the
                    // penalties would only ask for more of what it cannot deliver.
                    innerTotal += iterationInner;
                    return Finish(SolverStatus.MaxIterations,
                        $"The {o.Inner} inner solver reached KKT residual {KktInnerSolvers.Norm(r):E3} of the required {tol:E3} within {o.MaxInnerIterations} iterations " +
                        $"at Newton iteration {k}, and its direction does not descend on the merit function: use InnerSolver.Minres or raise MaxInnerIterations.");
                }
                // Not a descent direction of the merit: raise the penalties and tighten the accuracy, then resume.
                eta1 *= o.Nu * o.Nu;
                eta2 /= o.Nu;
                delta = Math.Max(Math.Min(delta / Math.Pow(o.Nu, 4), DeltaTrial()), o.MinDelta);
            }
            innerTotal += iterationInner;

            double merit = Merit(state, lambda, eta1, eta2);
            double alpha = 1;
            var xTrial = new double[n];
            var lTrial = new double[m];
            EvaluatedPoint trial;
            // Trial points where the merit is NaN or infinite are cut like any other rejected step; if no trial point
            // had a finite merit, the failure is a non-finite problem, not a failed line search.
            bool anyFiniteTrial = false;
            while (true)
            {
                for (int i = 0; i < n; i++) xTrial[i] = x[i] + alpha * d[i];
                for (int i = 0; i < m; i++) lTrial[i] = lambda[i] + alpha * d[n + i];
                trial = Evaluate(problem, xTrial, lTrial, n, m, withHessian: false);
                double trialMerit = Merit(trial, lTrial, eta1, eta2);
                anyFiniteTrial |= double.IsFinite(trialMerit);
                if (trialMerit <= merit + alpha * o.Beta * q) break;
                alpha /= 2;
                if (alpha < 1e-12 && !anyFiniteTrial)
                    return Finish(SolverStatus.NonFinite,
                        $"The merit function was NaN or infinite at every trial step of iteration {k}" + (trial.NonFinite is { } what ? $" ({what} returned NaN or infinity)." : "."));
                if (alpha < 1e-12)
                    return Finish(SolverStatus.LineSearchFailed,
                        $"The Armijo search on the augmented Lagrangian found no decrease at iteration {k} (directional derivative {q:E3}).");
            }
            if (alpha < 1e-2) regularization = Math.Max(4 * regularization, 1e-3 * Math.Max(hNorm, 1e-8));
            else if (alpha == 1) regularization = regularization > 1e-10 * hNorm ? regularization / 4 : 0;
            Array.Copy(xTrial, x, n);
            Array.Copy(lTrial, lambda, m);
            k++;
            state = Evaluate(problem, x, lambda, n, m);
            kkt = state.Kkt;
            var record = new NewtonIteration(k, kkt, state.F, KktInnerSolvers.Norm(state.C), alpha, iterationInner, eta1, eta2, delta);
            history.Add(record);
            o.Progress?.Report(record);
        }
        return Finish(SolverStatus.Converged, $"KKT residual {kkt:E3} after {k} iterations.");
    }

    // NonFinite: which callback returned NaN or infinity (null: none); such a point has Kkt = NaN.
    private sealed record EvaluatedPoint(double F, double[] Gradient, double[] C, CsrMatrix G, double[] GradL, CsrMatrix H, double Kkt, string? NonFinite);

    private static EvaluatedPoint Evaluate(EqualityConstrainedProblem p, double[] x, double[] lambda, int n, int m, bool withHessian = true)
    {
        double f = p.Objective(x);
        var g = new double[n];
        p.Gradient(x, g);
        var c = new double[m];
        p.Constraints(x, c);
        var jac = m > 0 ? p.Jacobian(x) : CsrMatrix.FromCoordinates(0, n, [], [], []);
        if (jac.Rows != m || jac.Columns != n)
            throw new ArgumentException($"Problem {p.Name}: the Jacobian is {jac.Rows}x{jac.Columns} but must be {m}x{n} (constraints x variables).", nameof(p));
        var gradL = (double[])g.Clone();
        if (m > 0)
        {
            var gtl = jac.Transpose().Multiply(lambda);
            for (int i = 0; i < n; i++) gradL[i] += gtl[i];
        }
        var h = withHessian ? p.LagrangianHessian(x, lambda) : CsrMatrix.FromCoordinates(n, n, [], [], []);
        if (withHessian && (h.Rows != n || h.Columns != n))
            throw new ArgumentException($"Problem {p.Name}: the Lagrangian Hessian is {h.Rows}x{h.Columns} but must be {n}x{n}.", nameof(p));
        double kkt = Math.Sqrt(KktInnerSolvers.Dot(gradL, gradL) + KktInnerSolvers.Dot(c, c));
        // Every callback's output is checked, not only what the KKT residual sums: a NaN Jacobian or Hessian reached
        // MathNet's eigensolvers (IndexOutOfRangeException) or CsrMatrix.FromCoordinates (an ArgumentException
        // naming 'values') before the loop could report it.
        string? bad = !double.IsFinite(f) ? "the objective"
            : !g.All(double.IsFinite) ? "the gradient"
            : !c.All(double.IsFinite) ? "the constraints"
            : jac.IndexOfNonFinite() >= 0 ? "the Jacobian"
            : withHessian && h.IndexOfNonFinite() >= 0 ? "the Lagrangian Hessian"
            : null;
        if (bad is not null) kkt = double.NaN;
        return new EvaluatedPoint(f, g, c, jac, gradL, h, kkt, bad);
    }

    private static double Merit(EvaluatedPoint s, double[] lambda, double eta1, double eta2)
        => s.F + KktInnerSolvers.Dot(lambda, s.C) + eta1 / 2 * KktInnerSolvers.Dot(s.C, s.C) + eta2 / 2 * KktInnerSolvers.Dot(s.GradL, s.GradL);

    private static CsrMatrix SystemsShift(CsrMatrix h, double shift)
    {
        int n = h.Rows;
        var rows = new List<int>();
        var cols = new List<int>();
        var vals = new List<double>();
        for (int i = 0; i < n; i++)
        {
            for (int p = h.RowPointers[i]; p < h.RowPointers[i + 1]; p++)
            {
                rows.Add(i);
                cols.Add(h.ColumnIndices[p]);
                vals.Add(h.Values[p]);
            }
            rows.Add(i);
            cols.Add(i);
            vals.Add(shift);
        }
        return CsrMatrix.FromCoordinates(n, n, rows.ToArray(), cols.ToArray(), vals.ToArray());
    }

    /// <summary>[[B, G'], [G, 0]] as one CSR matrix.</summary>
    internal static CsrMatrix KktMatrix(CsrMatrix b, CsrMatrix g, int n, int m)
    {
        var rows = new List<int>(b.NonZeros + 2 * g.NonZeros);
        var cols = new List<int>(rows.Capacity);
        var vals = new List<double>(rows.Capacity);
        for (int i = 0; i < n; i++)
            for (int p = b.RowPointers[i]; p < b.RowPointers[i + 1]; p++)
            {
                rows.Add(i);
                cols.Add(b.ColumnIndices[p]);
                vals.Add(b.Values[p]);
            }
        for (int i = 0; i < m; i++)
            for (int p = g.RowPointers[i]; p < g.RowPointers[i + 1]; p++)
            {
                int j = g.ColumnIndices[p];
                rows.Add(n + i); cols.Add(j); vals.Add(g.Values[p]);
                rows.Add(j); cols.Add(n + i); vals.Add(g.Values[p]);
            }
        return CsrMatrix.FromCoordinates(n + m, n + m, rows.ToArray(), cols.ToArray(), vals.ToArray());
    }
}

/// <summary>Norm and extreme-eigenvalue estimates: dense for small matrices, power and Lanczos iterations for large ones.</summary>
internal static class Spectra
{
    private const int DenseLimit = 1000;

    /// <summary>||A||_2 of a symmetric matrix by power iteration on A (30 steps; exact for small dense ones).</summary>
    public static double SymmetricNorm(CsrMatrix a)
    {
        int n = a.Rows;
        if (n == 0) return 0;
        if (a.IndexOfNonFinite() >= 0) return double.NaN; // MathNet's Evd fails on NaN with an unrelated exception
        if (n <= 200)
        {
            var evd = Matrix<double>.Build.DenseOfArray(a.ToDense()).Evd(Symmetricity.Symmetric);
            return evd.EigenValues.Select(e => e.Magnitude).Max();
        }
        var v = Enumerable.Range(0, n).Select(i => 1.0 + (i % 7) * 0.1).ToArray();
        double norm = 0;
        for (int it = 0; it < 30; it++)
        {
            var w = a.Multiply(v);
            norm = KktInnerSolvers.Norm(w) / KktInnerSolvers.Norm(v);
            double s = KktInnerSolvers.Norm(w);
            if (s == 0) return 0;
            for (int i = 0; i < n; i++) v[i] = w[i] / s;
        }
        // Power iteration approaches the norm from below: a 5% margin keeps the accuracy bound conservative.
        return 1.05 * norm;
    }

    /// <summary>Smallest and largest eigenvalues of G G' (m x m).</summary>
    public static (double Min, double Max) ExtremeEigenvaluesOfGramian(CsrMatrix g)
    {
        var ggt = g.Multiply(g.Transpose());
        if (ggt.IndexOfNonFinite() >= 0) return (double.NaN, double.NaN); // overflow; MathNet's Evd fails on NaN
        if (ggt.Rows <= DenseLimit)
        {
            var e = Matrix<double>.Build.DenseOfArray(ggt.ToDense()).Evd(Symmetricity.Symmetric).EigenValues.Select(z => z.Real).ToArray();
            return (e.Min(), e.Max());
        }
        return Lanczos(ggt, 60);
    }

    /// <summary>
    /// Whether H is positive definite (smallest eigenvalue above <paramref name="threshold"/>) on null(G): the
    /// reduced Hessian Z'HZ exactly for n &lt;= 1000; for larger n, H itself (sufficient, by Lanczos).
    /// </summary>
    public static bool PositiveDefiniteOnNullSpace(CsrMatrix h, CsrMatrix g, double threshold)
    {
        int n = h.Rows, m = g.Rows;
        if (m >= n) return true;
        if (n <= DenseLimit)
        {
            var hd = Matrix<double>.Build.DenseOfArray(h.ToDense());
            Matrix<double> z;
            if (m == 0) z = Matrix<double>.Build.DenseIdentity(n);
            else
            {
                var qr = Matrix<double>.Build.DenseOfArray(g.ToDense()).Transpose().QR(QRMethod.Full);
                z = qr.Q.SubMatrix(0, n, m, n - m);
            }
            var reduced = z.TransposeThisAndMultiply(hd * z);
            reduced = (reduced + reduced.Transpose()) * 0.5;
            return reduced.Evd(Symmetricity.Symmetric).EigenValues.Select(e => e.Real).Min() >= threshold;
        }
        return Lanczos(h, 60).Min >= threshold;
    }

    /// <summary>Extreme Ritz values after <paramref name="steps"/> Lanczos steps (full reorthogonalisation: steps is small).</summary>
    public static (double Min, double Max) Lanczos(CsrMatrix a, int steps)
    {
        int n = a.Rows;
        steps = Math.Min(steps, n);
        var basis = new List<double[]>();
        var alpha = new List<double>();
        var beta = new List<double>();
        var v = Enumerable.Range(0, n).Select(i => Math.Sin(i + 1.0) + 1.5).ToArray();
        double norm = KktInnerSolvers.Norm(v);
        for (int i = 0; i < n; i++) v[i] /= norm;
        for (int j = 0; j < steps; j++)
        {
            basis.Add(v);
            var w = a.Multiply(v);
            double aj = KktInnerSolvers.Dot(w, v);
            alpha.Add(aj);
            foreach (var u in basis)
            {
                double proj = KktInnerSolvers.Dot(w, u);
                for (int i = 0; i < n; i++) w[i] -= proj * u[i];
            }
            double bj = KktInnerSolvers.Norm(w);
            if (bj < 1e-12 || j == steps - 1) break;
            beta.Add(bj);
            v = w.Select(x => x / bj).ToArray();
        }
        int k = alpha.Count;
        var t = Matrix<double>.Build.Dense(k, k);
        for (int i = 0; i < k; i++)
        {
            t[i, i] = alpha[i];
            if (i + 1 < k) t[i, i + 1] = t[i + 1, i] = beta[i];
        }
        var ev = t.Evd(Symmetricity.Symmetric).EigenValues.Select(e => e.Real).ToArray();
        return (ev.Min(), ev.Max());
    }
}
