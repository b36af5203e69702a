namespace Solvers.Linear;

/// <summary>
/// Options for <see cref="ConjugateGradient"/>. Immutable; each value is validated when set, so a bad value
/// fails where it is written, not deep inside a solve.
/// </summary>
/// <remarks>Thread safety: immutable (init-only), safe to share between threads; arrays it references are read, not copied, so leave them unchanged while a run uses them.</remarks>
public sealed record CgOptions
{
    private readonly double _tolerance = 1e-8;
    private readonly double _absoluteTolerance;
    private readonly int? _maxIterations;
    private readonly IPreconditioner _preconditioner = Preconditioners.Jacobi;

    /// <summary>Relative tolerance: stop when ||b - Ax||_2 &lt;= Tolerance * ||b||_2 (default 1e-8).</summary>
    public double Tolerance
    {
        get => _tolerance;
        init => _tolerance = value >= 0 && double.IsFinite(value) ? value
            : throw new ArgumentOutOfRangeException(nameof(Tolerance), value, "The relative tolerance must be finite and non-negative.");
    }

    /// <summary>Also stop when ||b - Ax||_2 &lt;= AbsoluteTolerance (default 0: off).</summary>
    public double AbsoluteTolerance
    {
        get => _absoluteTolerance;
        init => _absoluteTolerance = value >= 0 && double.IsFinite(value) ? value
            : throw new ArgumentOutOfRangeException(nameof(AbsoluteTolerance), value, "The absolute tolerance must be finite and non-negative.");
    }

    /// <summary>Iteration limit; null (the default) means 10 n, as SciPy does.</summary>
    public int? MaxIterations
    {
        get => _maxIterations;
        init => _maxIterations = value is null or >= 0 ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxIterations), value, "The iteration limit must be non-negative.");
    }

    /// <summary>The preconditioner (default <see cref="Preconditioners.Jacobi"/>).</summary>
    public IPreconditioner Preconditioner
    {
        get => _preconditioner;
        init => _preconditioner = value ?? throw new ArgumentNullException(nameof(Preconditioner));
    }

    /// <summary>Starting vector; null starts from zero.</summary>
    public double[]? InitialGuess { get; init; }

    /// <summary>
    /// Record the residual norm in <see cref="LinearSolveResult.History"/> (default true): every iteration on the CPU,
    /// every <see cref="Solvers.Kernels.Backend.ScalarReadInterval"/> iterations on a GPU.
    /// </summary>
    public bool RecordHistory { get; init; } = true;

    /// <summary>Throw <see cref="SolverFailedException"/> instead of returning a result whose status is not Converged.</summary>
    public bool ThrowOnFailure { get; init; }

    /// <summary>Cancels the solve at the next read of its scalars; the result then has status Cancelled and the last iterate.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Receives a record whenever the solver reads its scalars (every iteration on the CPU).</summary>
    public IProgress<IterationRecord>? Progress { get; init; }

    /// <summary>The iteration limit in force for a system with n unknowns.</summary>
    public int EffectiveMaxIterations(int n) => _maxIterations ?? (int)Math.Min(int.MaxValue, Math.Max(10L * n, 10));
}
