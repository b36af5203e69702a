using System.Diagnostics;
using System.Globalization;
using Solvers.Kernels;
using Solvers.Sparse;

namespace Solvers.Linear;

/// <summary>
/// Preconditioned conjugate gradient for symmetric positive definite systems A x = b, written once against
/// the backend's kernel families (it runs unchanged on the CPU and on CUDA).
/// </summary>
/// <remarks>
/// Each iteration is the backend's three CG steps plus the preconditioner, in the manner of Ginkgo's CG:
/// q = A p with p'q; x += alpha p, r -= alpha q with r'r; z = M^-1 r with r'z; p = z + beta p.
/// A preconditioner may fold its apply into the update (Jacobi does). The scalars stay on the device and the
/// host reads them every <see cref="Kernels.Backend.ScalarReadInterval"/> iterations.
/// Failure is a status, never a silent answer: p'Ap &lt;= 0 gives <see cref="SolverStatus.IndefiniteMatrix"/>,
/// r'z &lt;= 0 gives <see cref="SolverStatus.Breakdown"/>, a NaN or infinity gives <see cref="SolverStatus.NonFinite"/>.
/// Thread safety: one instance may be used by one thread at a time (it holds its backend).
/// </remarks>
public sealed class ConjugateGradient : IDisposable
{
    private readonly bool _ownsBackend;
    private Backend? _backend;

    /// <summary>Creates a solver on <paramref name="backend"/>, or on <see cref="BackendKind.Auto"/> (created on first use and owned) when null.</summary>
    public ConjugateGradient(CgOptions? options = null, Backend? backend = null)
    {
        Options = options ?? new CgOptions();
        _backend = backend;
        _ownsBackend = backend is null;
    }

    /// <summary>The options of this solver.</summary>
    public CgOptions Options { get; }

    /// <summary>The backend the solver runs on.</summary>
    public Backend Backend => _backend ??= Backend.Create();

    /// <summary>Solves A x = b.</summary>
    /// <exception cref="ArgumentException">A is not square, b or the initial guess has the wrong length, or A or b holds NaN or infinity.</exception>
    public LinearSolveResult Solve(CsrMatrix a, ReadOnlySpan<double> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ValidateSystem(a, b);
        var setup = Stopwatch.StartNew();
        using var da = Backend.Upload(a);
        using var db = Backend.Upload(b);
        using var dx = Backend.Allocate(a.Rows);
        if (Options.InitialGuess is { } x0) dx.CopyFrom(x0);
        return SolveCore(da, db, dx, setup, a);
    }

    /// <summary>Solves A x = b given as MathNet types.</summary>
    public LinearSolveResult Solve(MathNet.Numerics.LinearAlgebra.Matrix<double> a, MathNet.Numerics.LinearAlgebra.Vector<double> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Solve(CsrMatrix.FromMathNet(a), b.AsArray() ?? b.ToArray());
    }

    /// <summary>
    /// Solves A x = b with everything already on the solver's backend; <paramref name="x"/> holds the initial guess
    /// on entry (the options' initial guess is ignored) and the solution on return.
    /// </summary>
    public LinearSolveResult Solve(DeviceCsr a, DeviceVector b, DeviceVector x)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(x);
        if (a.Rows != a.Columns)
            throw new ArgumentException($"A is {a.Rows}x{a.Columns}: CG needs a square matrix.", nameof(a));
        if (b.Length != a.Rows) throw new ArgumentException($"A is {a.Rows}x{a.Columns} but b has length {b.Length}.", nameof(b));
        if (x.Length != a.Rows) throw new ArgumentException($"A is {a.Rows}x{a.Columns} but x has length {x.Length}.", nameof(x));
        if (!Backend.Blas.AllFinite(b)) throw new ArgumentException("b holds NaN or infinity.", nameof(b));
        return SolveCore(a, b, x, Stopwatch.StartNew(), null);
    }

    private void ValidateSystem(CsrMatrix a, ReadOnlySpan<double> b)
    {
        if (!a.IsSquare)
            throw new ArgumentException($"A is {a.Rows}x{a.Columns}: CG needs a square matrix.", nameof(a));
        if (b.Length != a.Rows)
            throw new ArgumentException($"A is {a.Rows}x{a.Columns} but b has length {b.Length}.", nameof(b));
        if (Options.InitialGuess is { } x0 && x0.Length != a.Rows)
            throw new ArgumentException($"A is {a.Rows}x{a.Columns} but the initial guess has length {x0.Length}.", nameof(Options.InitialGuess));
        int bad = a.IndexOfNonFinite();
        if (bad >= 0)
        {
            int row = a.RowOfEntry(bad);
            throw new ArgumentException(
                $"A[{row},{a.ColumnIndices[bad]}] is {a.Values[bad].ToString(CultureInfo.InvariantCulture)}: CG needs finite matrix entries.", nameof(a));
        }
        for (int i = 0; i < b.Length; i++)
            if (!double.IsFinite(b[i]))
                throw new ArgumentException($"b[{i}] is {b[i].ToString(CultureInfo.InvariantCulture)}: CG needs a finite right-hand side.", nameof(b));
        if (Options.InitialGuess is { } g)
            for (int i = 0; i < g.Length; i++)
                if (!double.IsFinite(g[i]))
                    throw new ArgumentException($"InitialGuess[{i}] is {g[i].ToString(CultureInfo.InvariantCulture)}.", nameof(Options.InitialGuess));
    }

    private LinearSolveResult SolveCore(DeviceCsr a, DeviceVector b, DeviceVector x, Stopwatch setup, CsrMatrix? hostMatrix)
    {
        var be = Backend;
        var blas = be.Blas;
        var sparse = be.Sparse;
        var opt = Options;
        int n = a.Rows;
        int maxIt = opt.EffectiveMaxIterations(n);
        var history = new List<IterationRecord>();
        double bNorm = blas.Norm2(b);

        using var r = be.Allocate(n);
        using var q = be.Allocate(n);

        LinearSolveResult Finish(SolverStatus status, string message, int iterations, double rNorm, TimeSpan elapsed, long bytesPerIteration, string precName)
        {
            // q is free at this point: reuse it for the true residual.
            double trueNorm = Math.Sqrt(sparse.Residual(a, b, x, q));
            var result = new LinearSolveResult
            {
                Solution = x.ToArray(),
                Status = status,
                Message = message,
                Iterations = iterations,
                ResidualNorm = rNorm,
                TrueResidualNorm = trueNorm,
                RightHandSideNorm = bNorm,
                History = history,
                Elapsed = elapsed,
                SetupElapsed = setup.Elapsed,
                Backend = be.Name,
                Preconditioner = precName,
                BytesPerIteration = bytesPerIteration,
            };
            if (opt.ThrowOnFailure && status != SolverStatus.Converged) throw new SolverFailedException(status, message);
            return result;
        }

        if (bNorm == 0)
        {
            blas.Fill(x, 0.0);
            setup.Stop();
            if (opt.RecordHistory) history.Add(new IterationRecord(0, 0, TimeSpan.Zero));
            return Finish(SolverStatus.Converged, "b = 0, so x = 0.", 0, 0, TimeSpan.Zero, 0, opt.Preconditioner.Name);
        }

        double threshold = Math.Max(opt.Tolerance * bNorm, opt.AbsoluteTolerance);
        AppliedPreconditioner m;
        try
        {
            m = opt.Preconditioner.Setup(be, a, hostMatrix);
        }
        catch (PreconditionerSetupException e)
        {
            setup.Stop();
            return Finish(e.Status, e.Message, 0, double.NaN, TimeSpan.Zero, 0, opt.Preconditioner.Name);
        }

        using (m)
        {
            // Per iteration: SpMV+dot reads A and p, writes q; the x/r update reads 4 and writes 2 vectors;
            // the preconditioner's own traffic (fused into the update where it can be); p = z + beta p reads 2 and writes 1.
            long bytesPerIteration = a.MatrixBytes + 16L * n + 48L * n + m.BytesPerApply(n) + 24L * n;
            using var zOwned = m.IsIdentity ? null : be.Allocate(n);
            var z = zOwned ?? r;
            using var p = be.Allocate(n);
            using var s = be.Allocate(CgScalars.Length);
            var host = new double[CgScalars.Length];

            double rr = sparse.Residual(a, b, x, r);
            double rNorm = Math.Sqrt(rr);
            string name = opt.Preconditioner.Name;
            if (opt.RecordHistory) history.Add(new IterationRecord(0, rNorm, TimeSpan.Zero));
            if (!double.IsFinite(rr))
            {
                setup.Stop();
                return Finish(SolverStatus.NonFinite, "The initial residual is not finite.", 0, rNorm, TimeSpan.Zero, bytesPerIteration, name);
            }
            if (rNorm <= threshold)
            {
                setup.Stop();
                return Finish(SolverStatus.Converged, "The initial guess already meets the tolerance.", 0, rNorm, TimeSpan.Zero, bytesPerIteration, name);
            }

            host[CgScalars.RR] = rr;
            s.CopyFrom(host);
            m.Apply(r, z, s, CgScalars.RzSlot(0));
            s.CopyTo(host);
            double rz = host[CgScalars.RzSlot(0)];
            setup.Stop();
            if (!(rz > 0))
                return Finish(double.IsFinite(rz) ? SolverStatus.Breakdown : SolverStatus.NonFinite,
                    $"The preconditioner gave r'z = {rz:G6} at iteration 0: M is not positive definite.", 0, rNorm, TimeSpan.Zero, bytesPerIteration, name);
            blas.Copy(z, p);

            // The scalars stay on the device; the host reads them every `interval` iterations (every iteration on
            // the CPU, where reading is free) to test convergence, report progress and honour cancellation.
            var cg = be.Cg;
            int interval = Math.Max(1, be.ScalarReadInterval);
            var clock = Stopwatch.StartNew();
            for (int k = 1; k <= maxIt; k++)
            {
                cg.Step1(a, p, q, s);
                if (!m.TryFusedStep2(cg, p, q, x, r, z, s, k))
                {
                    cg.Step2(p, q, x, r, s, k, m.IsIdentity);
                    if (!m.IsIdentity) m.Apply(r, z, s, CgScalars.RzSlot(k));
                }
                cg.Step3(z, p, s, k);
                if (k % interval != 0 && k != maxIt) continue;

                s.CopyTo(host);
                if (host[CgScalars.Flag] != 0)
                    return Stopped(host, rNorm, clock.Elapsed, bytesPerIteration, name);
                rNorm = Math.Sqrt(host[CgScalars.RR]);
                var record = new IterationRecord(k, rNorm, clock.Elapsed);
                if (opt.RecordHistory) history.Add(record);
                opt.Progress?.Report(record);
                if (rNorm <= threshold)
                    return Finish(SolverStatus.Converged, $"Converged in {k} iterations.", k, rNorm, clock.Elapsed, bytesPerIteration, name);
                if (opt.CancellationToken.IsCancellationRequested)
                    return Finish(SolverStatus.Cancelled, $"Cancelled after {k} iterations.", k, rNorm, clock.Elapsed, bytesPerIteration, name);
            }
            return Finish(SolverStatus.MaxIterations,
                $"Reached the limit of {maxIt} iterations with relative residual {rNorm / bNorm:G3}.", maxIt, rNorm, clock.Elapsed, bytesPerIteration, name);
        }

        // A step raised the flag: x holds the last good iterate (later steps left it alone).
        LinearSolveResult Stopped(double[] host, double lastNorm, TimeSpan elapsed, long bytesPerIteration, string name)
        {
            double flag = host[CgScalars.Flag], value = host[CgScalars.FlagValue];
            int done = (int)host[CgScalars.FlagIteration];
            double rrNow = host[CgScalars.RR];
            double rNow = double.IsFinite(rrNow) ? Math.Sqrt(rrNow) : lastNorm;
            var (status, message) = flag switch
            {
                CgScalars.Indefinite => (SolverStatus.IndefiniteMatrix, $"p'Ap = {value:G6} <= 0 at iteration {done + 1}: A is not positive definite."),
                CgScalars.Breakdown => (SolverStatus.Breakdown, $"The preconditioner gave r'z = {value:G6} at iteration {done}: M is not positive definite."),
                CgScalars.ExactSolution => (SolverStatus.Converged, $"Converged in {done} iterations (the residual is exactly zero)."),
                _ => (SolverStatus.NonFinite, $"A NaN or infinity appeared after {done} iterations (p'Ap or r'z = {value:G6})."),
            };
            return Finish(status, message, done, rNow, elapsed, bytesPerIteration, name);
        }
    }

    /// <summary>Disposes the backend when the solver created it.</summary>
    public void Dispose()
    {
        if (_ownsBackend) _backend?.Dispose();
    }
}
