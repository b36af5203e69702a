using System.Diagnostics;

namespace Solvers.Sketching;

/// <summary>Options of <see cref="RandomizedKaczmarz"/> and <see cref="SketchAndProject"/>.</summary>
/// <remarks>Thread safety: immutable (init-only), safe to share between threads; arrays it references are read, not copied, so leave them unchanged while a run uses them.</remarks>
public sealed record RandomizedSolverOptions
{
    private readonly double _tolerance = 1e-8;
    private readonly int? _checkInterval;
    private readonly int _maxIterations = 1_000_000;

    /// <summary>Stop when the true relative residual ||K z - b|| / ||b|| is at most this (default 1e-8).</summary>
    public double Tolerance
    {
        get => _tolerance;
        init => _tolerance = value > 0 && double.IsFinite(value) ? value
            : throw new ArgumentOutOfRangeException(nameof(Tolerance), value, "The tolerance must be positive and finite.");
    }

    /// <summary>
    /// Iterations between residual checks; each check costs one product with K. Null (the default) picks one per
    /// method: K's row count for Kaczmarz (a check then costs about as much as the iterations between), and
    /// max(1, 8 / block size) for sketch-and-project (whose iterations already cost block-size products with K').
    /// </summary>
    public int? CheckInterval
    {
        get => _checkInterval;
        init => _checkInterval = value is null or >= 1 ? value
            : throw new ArgumentOutOfRangeException(nameof(CheckInterval), value, "The check interval must be at least 1.");
    }

    /// <summary>The most iterations (row projections or block projections) to run (default 1,000,000).</summary>
    public int MaxIterations
    {
        get => _maxIterations;
        init => _maxIterations = value >= 0 ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxIterations), value, "The iteration limit must be non-negative.");
    }

    /// <summary>The seed of the row selection or of the sketches; the same seed repeats the same run.</summary>
    public ulong Seed { get; init; }

    /// <summary>The starting iterate (warm start), of length K's columns; null starts from zero.</summary>
    public double[]? InitialGuess { get; init; }

    /// <summary>
    /// Stops the solve before the next iteration; the result then has <see cref="SolverStatus.Cancelled"/> and the
    /// last iterate (whose residual is checked once more).
    /// </summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>
    /// Receives every residual check, on the solving thread: <see cref="IterationRecord.ResidualNorm"/> is the relative
    /// residual ||K z - b|| / ||b||.
    /// </summary>
    public IProgress<IterationRecord>? Progress { get; init; }
}

/// <summary>The outcome of a randomized solve.</summary>
/// <param name="Solution">The final iterate z.</param>
/// <param name="Status">Why the solve stopped.</param>
/// <param name="Iterations">Iterations run.</param>
/// <param name="RelativeResidual">||K z - b|| / ||b|| at the last check (the final iterate is always checked).</param>
/// <param name="History">Every residual check, the initial guess's first (<see cref="IterationRecord.ResidualNorm"/> is the relative residual).</param>
/// <remarks>Thread safety: immutable once returned (the arrays are the caller's to change).</remarks>
public sealed record RandomizedSolveResult(
    double[] Solution,
    SolverStatus Status,
    int Iterations,
    double RelativeResidual,
    IReadOnlyList<IterationRecord> History)
{
    /// <summary>Time spent in the iteration loop, residual checks included.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>
    /// Block sketch-and-project only: how many k-by-k systems S K K' S' were singular to Cholesky and were solved with
    /// a small diagonal shift instead (rank-deficient sketches of a rank-deficient K). Always 0 for Kaczmarz.
    /// </summary>
    public int RegularizedSolves { get; init; }
}

/// <summary>The loop shared by the randomized solvers: residual checks, history, progress, stopping.</summary>
internal sealed class ResidualMonitor
{
    private readonly ILinearOperator _k;
    private readonly double[] _b, _scratch;
    private readonly double _bNorm;
    private readonly RandomizedSolverOptions _options;
    private readonly List<IterationRecord> _history = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public ResidualMonitor(ILinearOperator k, double[] b, RandomizedSolverOptions options)
    {
        _k = k;
        _b = b;
        _options = options;
        _scratch = new double[k.Rows];
        double s = 0;
        foreach (double v in b) s += v * v;
        _bNorm = Math.Sqrt(s);
    }

    public double Last { get; private set; } = double.NaN;

    /// <summary>Computes ||K z - b|| / ||b||, records it, and returns the status it implies (null: keep going).</summary>
    public SolverStatus? Check(int iteration, double[] z)
    {
        _k.Apply(z, _scratch);
        double s = 0;
        for (int i = 0; i < _scratch.Length; i++)
        {
            double r = _scratch[i] - _b[i];
            s += r * r;
        }
        double rel = Math.Sqrt(s) / (_bNorm > 0 ? _bNorm : 1.0);
        Last = rel;
        var check = new IterationRecord(iteration, rel, _clock.Elapsed);
        _history.Add(check);
        _options.Progress?.Report(check);
        if (!double.IsFinite(rel)) return SolverStatus.NonFinite;
        return rel <= _options.Tolerance ? SolverStatus.Converged : null;
    }

    /// <summary>Runs step(iteration) until convergence, the limit, cancellation or a non-finite residual.</summary>
    public RandomizedSolveResult Run(double[] z, int interval, Action<int> step, Func<int> regularized)
    {
        int it = 0;
        var status = Check(0, z);
        while (status is null)
        {
            if (it >= _options.MaxIterations) { status = SolverStatus.MaxIterations; break; }
            if (_options.CancellationToken.IsCancellationRequested)
            {
                if (_history[^1].Iteration != it) Check(it, z);
                status = SolverStatus.Cancelled;
                break;
            }
            step(it);
            it++;
            if (it % interval == 0 || it == _options.MaxIterations) status = Check(it, z);
        }
        return new RandomizedSolveResult(z, status.Value, it, Last, _history.ToArray()) { RegularizedSolves = regularized(), Elapsed = _clock.Elapsed };
    }

    /// <summary>The checked right-hand side and starting iterate.</summary>
    public static (double[] B, double[] Z) Prepare(ILinearOperator k, ReadOnlySpan<double> b, RandomizedSolverOptions options)
    {
        if (k.Rows <= 0 || k.Columns <= 0)
            throw new ArgumentException($"K is {k.Rows}x{k.Columns}: it needs at least one row and one column.", nameof(k));
        if (b.Length != k.Rows)
            throw new ArgumentException($"K is {k.Rows}x{k.Columns} but b has length {b.Length}; expected {k.Rows}.", nameof(b));
        for (int i = 0; i < b.Length; i++)
            if (!double.IsFinite(b[i])) throw new ArgumentException($"b[{i}] = {b[i]} is not finite.", nameof(b));
        double[] z;
        if (options.InitialGuess is { } x0)
        {
            if (x0.Length != k.Columns)
                throw new ArgumentException(
                    $"K is {k.Rows}x{k.Columns} but InitialGuess has length {x0.Length}; expected {k.Columns}.", nameof(options));
            z = (double[])x0.Clone();
        }
        else z = new double[k.Columns];
        return (b.ToArray(), z);
    }
}
