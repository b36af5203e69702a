using System.Diagnostics;
using System.Globalization;
using Solvers.Kernels;
using Solvers.Sparse;

namespace Solvers.Linear;

/// <summary>The order in which an SOR sweep visits the rows; it changes the iteration, not only its speed.</summary>
/// <remarks>Thread safety: an enum; its values are immutable.</remarks>
public enum SorOrdering
{
    /// <summary>Natural on the CPU backend, multicolor elsewhere.</summary>
    Auto,
    /// <summary>Rows 0..n-1 (backward: n-1..0), one after another: classic Gauss-Seidel/SOR. CPU backend only.</summary>
    Natural,
    /// <summary>
    /// Rows grouped by a greedy graph coloring (red-black on 5- and 7-point stencils); rows of one color are
    /// independent and updated in parallel, colors one after another. Runs on every backend.
    /// </summary>
    Multicolor,
}

/// <summary>Options of <see cref="SorSolver"/>. Validated when set.</summary>
/// <remarks>Thread safety: immutable (init-only), safe to share between threads; arrays it references are read, not copied, so leave them unchanged while a run uses them.</remarks>
public sealed record SorOptions
{
    private readonly double _omega = 1.0;
    private readonly double _tolerance = 1e-8;
    private readonly int _maxIterations = 10_000;

    /// <summary>Relaxation parameter in (0, 2); 1 is Gauss-Seidel (default).</summary>
    public double Omega
    {
        get => _omega;
        init => _omega = value > 0 && value < 2 ? value
            : throw new ArgumentOutOfRangeException(nameof(Omega), value, "SOR needs 0 < omega < 2.");
    }

    /// <summary>Relative tolerance: stop when ||b - A x||_2 &lt;= Tolerance * ||b||_2 (default 1e-8).</summary>
    public double Tolerance
    {
        get => _tolerance;
        init => _tolerance = value >= 0 && double.IsFinite(value) ? value
            : throw new ArgumentOutOfRangeException(nameof(Tolerance), value, "The tolerance must be finite and non-negative.");
    }

    /// <summary>Most sweeps (default 10000, the cap of the Learning-to-Relax experiments).</summary>
    public int MaxIterations
    {
        get => _maxIterations;
        init => _maxIterations = value >= 1 ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxIterations), value, "At least one iteration is needed.");
    }

    /// <summary>Row ordering of the sweeps (default: natural on the CPU, multicolor on GPUs).</summary>
    public SorOrdering Ordering { get; init; } = SorOrdering.Auto;

    /// <summary>Initial guess (default zero).</summary>
    public double[]? InitialGuess { get; init; }

    /// <summary>Record the residual norm after every checked sweep in the result's history (default off).</summary>
    public bool RecordHistory { get; init; }

    /// <summary>Stops the solve within one sweep; the result then has status Cancelled and the last iterate.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Receives the residual norm after every checked sweep.</summary>
    public IProgress<IterationRecord>? Progress { get; init; }
}

/// <summary>
/// Successive over-relaxation as a standalone solver: x &lt;- x + omega D^-1 (b - A x), row by row. Converges for
/// SPD A and 0 &lt; omega &lt; 2; the best omega depends on the matrix (see <see cref="SorParameters"/>, and
/// <see cref="Learning.SequenceSolver"/> for learning it across a sequence of systems).
/// </summary>
/// <remarks>
/// Each iteration is one sweep plus one residual (an SpMV): the residual decides convergence, so the
/// iteration count is exact on the CPU; on GPUs it is checked every <see cref="Backend.ScalarReadInterval"/> sweeps.
/// Thread safety: one solve at a time per instance (the backend is not thread-safe).
/// </remarks>
public sealed class SorSolver : IDisposable
{
    private readonly bool _ownsBackend;
    private Backend? _backend;

    /// <summary>Creates a solver on <paramref name="backend"/>, or on an owned CPU backend when null.</summary>
    public SorSolver(SorOptions? options = null, Backend? backend = null)
    {
        Options = options ?? new SorOptions();
        _backend = backend;
        _ownsBackend = backend is null;
    }

    /// <summary>The options.</summary>
    public SorOptions Options { get; }

    /// <summary>The backend the solver runs on.</summary>
    public Backend Backend => _backend ??= Backend.Create(BackendKind.Cpu);

    /// <summary>Solves A x = b with <see cref="SorOptions.Omega"/>.</summary>
    /// <exception cref="ArgumentException">A is not square, a diagonal entry is zero (named), sizes differ, or the data hold NaN.</exception>
    public LinearSolveResult Solve(CsrMatrix a, ReadOnlySpan<double> b) => Solve(a, b, Options.Omega);

    /// <summary>Solves A x = b with the given <paramref name="omega"/> (overriding the options'), as a learner's time loop does.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="omega"/> is not in (0, 2).</exception>
    public LinearSolveResult Solve(CsrMatrix a, ReadOnlySpan<double> b, double omega)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!(omega > 0 && omega < 2)) throw new ArgumentOutOfRangeException(nameof(omega), omega, "SOR needs 0 < omega < 2.");
        var diag = LinearChecks.System(a, b, Options.InitialGuess, "SOR");
        LinearChecks.NonZeroDiagonal(diag, "SOR");
        var setup = Stopwatch.StartNew();
        var be = Backend;
        var ordering = Options.Ordering == SorOrdering.Auto ? (be.Kind == BackendKind.Cpu ? SorOrdering.Natural : SorOrdering.Multicolor) : Options.Ordering;
        if (ordering == SorOrdering.Natural && be.Kind != BackendKind.Cpu)
            throw new ArgumentException($"SorOrdering.Natural is sequential and runs on the CPU backend only; {be.Name} needs SorOrdering.Multicolor.", nameof(Options.Ordering));
        using var da = be.Upload(a);
        using var db = be.Upload(b);
        using var x = be.Allocate(a.Rows);
        if (Options.InitialGuess is { } x0) x.CopyFrom(x0);
        using var inv = be.Upload(diag);
        be.Blas.Reciprocal(inv);
        using var r = be.Allocate(a.Rows);
        using var coloring = ordering == SorOrdering.Multicolor ? be.Sor.UploadColoring(GraphColoring.Greedy(a)) : null;
        var setupTime = setup.Elapsed;

        var opt = Options;
        var history = new List<IterationRecord>();
        var clock = Stopwatch.StartNew();
        double bNorm = be.Blas.Norm2(db);
        double rNorm = Math.Sqrt(be.Sparse.Residual(da, db, x, r));
        double start = rNorm;
        if (opt.RecordHistory) history.Add(new IterationRecord(0, rNorm, TimeSpan.Zero));
        int interval = be.Kind == BackendKind.Cpu ? 1 : be.ScalarReadInterval;
        var status = SolverStatus.MaxIterations;
        string message = $"SOR(omega = {omega.ToString("G4", CultureInfo.InvariantCulture)}) reached {opt.MaxIterations} sweeps.";
        int k = 0;
        double target = opt.Tolerance * bNorm;
        if (rNorm <= target)
        {
            status = SolverStatus.Converged;
            message = "The initial guess already meets the tolerance.";
        }
        else
        {
            while (k < opt.MaxIterations)
            {
                if (opt.CancellationToken.IsCancellationRequested)
                {
                    status = SolverStatus.Cancelled;
                    message = $"Cancelled after {k} sweeps.";
                    break;
                }
                if (coloring is null) be.Sor.SweepSequential(da, inv, db, x, omega, backward: false);
                else be.Sor.SweepMulticolor(da, inv, coloring, db, x, omega, backward: false);
                k++;
                if (k % interval != 0 && k < opt.MaxIterations) continue;
                rNorm = Math.Sqrt(be.Sparse.Residual(da, db, x, r));
                var record = new IterationRecord(k, rNorm, clock.Elapsed);
                if (opt.RecordHistory) history.Add(record);
                opt.Progress?.Report(record);
                if (!double.IsFinite(rNorm))
                {
                    status = SolverStatus.NonFinite;
                    message = $"The residual became {rNorm} at sweep {k}.";
                    break;
                }
                if (rNorm <= target)
                {
                    status = SolverStatus.Converged;
                    message = $"Converged in {k} sweeps.";
                    break;
                }
                if (rNorm > 1e10 * Math.Max(start, bNorm))
                {
                    status = SolverStatus.Diverged;
                    message = $"The residual grew to {rNorm:E3} (from {start:E3}) by sweep {k}: SOR diverges for this omega and matrix.";
                    break;
                }
            }
        }
        var elapsed = clock.Elapsed;
        // A sweep and a residual each read the matrix and three vectors.
        long bytes = 2 * (da.MatrixBytes + 24L * a.Rows);
        return new LinearSolveResult
        {
            Solution = x.ToArray(),
            Status = status,
            Message = message,
            Iterations = k,
            ResidualNorm = rNorm,
            TrueResidualNorm = rNorm,
            RightHandSideNorm = bNorm,
            History = history,
            Elapsed = elapsed,
            SetupElapsed = setupTime,
            Backend = be.Name,
            Preconditioner = $"sor({omega.ToString("G4", CultureInfo.InvariantCulture)}, {ordering.ToString().ToLowerInvariant()})",
            BytesPerIteration = bytes,
        };
    }

    /// <summary>Releases the backend when the solver created it.</summary>
    public void Dispose()
    {
        if (_ownsBackend) _backend?.Dispose();
        _backend = null;
    }
}

/// <summary>Input checks shared by the stationary solvers.</summary>
internal static class LinearChecks
{
    /// <summary>Checks shape, lengths and finiteness; returns the diagonal.</summary>
    public static double[] System(CsrMatrix a, ReadOnlySpan<double> b, double[]? x0, string solver)
    {
        if (!a.IsSquare) throw new ArgumentException($"A is {a.Rows}x{a.Columns}: {solver} needs a square matrix.", nameof(a));
        if (b.Length != a.Rows) throw new ArgumentException($"A is {a.Rows}x{a.Columns} but b has length {b.Length}.", nameof(b));
        if (x0 is not null && x0.Length != a.Rows)
            throw new ArgumentException($"A is {a.Rows}x{a.Columns} but the initial guess has length {x0.Length}.", "InitialGuess");
        int bad = a.IndexOfNonFinite();
        if (bad >= 0)
            throw new ArgumentException($"A[{a.RowOfEntry(bad)},{a.ColumnIndices[bad]}] is {a.Values[bad].ToString(CultureInfo.InvariantCulture)}: {solver} needs finite entries.", nameof(a));
        for (int i = 0; i < b.Length; i++)
            if (!double.IsFinite(b[i])) throw new ArgumentException($"b[{i}] is {b[i].ToString(CultureInfo.InvariantCulture)}: {solver} needs a finite right-hand side.", nameof(b));
        if (x0 is not null)
            for (int i = 0; i < x0.Length; i++)
                if (!double.IsFinite(x0[i])) throw new ArgumentException($"InitialGuess[{i}] is {x0[i].ToString(CultureInfo.InvariantCulture)}.", "InitialGuess");
        return a.Diagonal();
    }

    /// <summary>Throws naming the first zero diagonal entry: SOR divides by it.</summary>
    public static void NonZeroDiagonal(double[] diag, string solver)
    {
        for (int i = 0; i < diag.Length; i++)
            if (diag[i] == 0)
                throw new ArgumentException($"A[{i},{i}] is 0 (or not stored): {solver} divides by the diagonal, so every diagonal entry must be non-zero.", "a");
    }
}
