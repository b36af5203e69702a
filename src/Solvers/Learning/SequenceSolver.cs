using System.Diagnostics;
using Solvers.Kernels;
using Solvers.Linear;
using Solvers.Sparse;

namespace Solvers.Learning;

/// <summary>Which solver a <see cref="SequenceSolver"/> runs with the learned omega.</summary>
/// <remarks>Thread safety: an enum; its values are immutable.</remarks>
public enum SequenceMethod
{
    /// <summary>SOR as a standalone solver.</summary>
    Sor,
    /// <summary>CG preconditioned by SSOR(omega).</summary>
    SsorPcg,
}

/// <summary>What the learner is charged for a solve.</summary>
/// <remarks>Thread safety: an enum; its values are immutable.</remarks>
public enum SequenceCost
{
    /// <summary>Iterations (SOR sweeps or CG iterations): deterministic, the paper's cost.</summary>
    Iterations,
    /// <summary>Wall-clock seconds of the solve.</summary>
    Seconds,
}

/// <summary>Options of <see cref="SequenceSolver"/>.</summary>
/// <remarks>Thread safety: immutable (init-only), safe to share between threads.</remarks>
public sealed record SequenceSolverOptions
{
    private readonly double _tolerance = 1e-8;
    private readonly int _maxIterations = 10_000;

    /// <summary>The solver (default SOR).</summary>
    public SequenceMethod Method { get; init; } = SequenceMethod.Sor;

    /// <summary>What the learner is charged (default iterations).</summary>
    public SequenceCost Cost { get; init; } = SequenceCost.Iterations;

    /// <summary>Relative residual tolerance of every solve (default 1e-8).</summary>
    public double Tolerance
    {
        get => _tolerance;
        init => _tolerance = value > 0 && double.IsFinite(value) ? value
            : throw new ArgumentOutOfRangeException(nameof(Tolerance), value, "The tolerance must be positive and finite.");
    }

    /// <summary>Iteration cap of every solve (default 10000); a solve that hits it is charged the cap.</summary>
    public int MaxIterations
    {
        get => _maxIterations;
        init => _maxIterations = value >= 1 ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxIterations), value, "At least one iteration is needed.");
    }

    /// <summary>Row ordering of the SOR/SSOR sweeps (default: natural on the CPU backend, multicolor elsewhere).</summary>
    public SorOrdering Ordering { get; init; } = SorOrdering.Auto;

    /// <summary>
    /// Passed to every solve: a cancelled solve stops within one iteration and its <see cref="SequenceStep"/> has
    /// status Cancelled and the last iterate (the learner is still charged, as for any solve that did not converge).
    /// </summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Passed to every solve: receives its iteration records (residual norms), on the solving thread.</summary>
    public IProgress<IterationRecord>? Progress { get; init; }
}

/// <summary>One solve of a sequence.</summary>
/// <param name="Index">Position in the sequence.</param>
/// <param name="Omega">The omega the learner chose.</param>
/// <param name="Context">The context given (NaN when none).</param>
/// <param name="Iterations">Iterations of the solve.</param>
/// <param name="Seconds">Wall-clock seconds of the solve.</param>
/// <param name="Cost">What the learner was charged.</param>
/// <param name="Status">How the solve ended.</param>
/// <param name="Solution">x.</param>
/// <remarks>Thread safety: immutable once created (arrays it holds are not defensive copies); safe to read from several threads.</remarks>
public sealed record SequenceStep(int Index, double Omega, double Context, int Iterations, double Seconds, double Cost, SolverStatus Status, double[] Solution);

/// <summary>
/// Drops into a simulation's time loop: each <see cref="Solve(SystemInstance)"/> asks the learner for omega, solves with SOR or
/// SSOR-PCG, and reports the cost back, so the total cost approaches that of the best fixed omega in hindsight
/// (Tsallis-INF) or, with a context, of the best omega per context (ChebCB). The learner's state can be saved
/// (<see cref="IOmegaLearner.ToJson"/>) and restored (<see cref="OmegaLearners.FromJson"/>) between runs.
/// </summary>
/// <remarks>Thread safety: one solve at a time (the learner and the backend are not thread-safe).</remarks>
public sealed class SequenceSolver : IDisposable
{
    private readonly bool _ownsBackend;
    private readonly Backend _backend;
    private readonly List<SequenceStep> _history = [];

    /// <summary>Creates the loop around <paramref name="learner"/> on <paramref name="backend"/> (an owned CPU backend when null).</summary>
    public SequenceSolver(IOmegaLearner learner, SequenceSolverOptions? options = null, Backend? backend = null)
    {
        Learner = learner ?? throw new ArgumentNullException(nameof(learner));
        Options = options ?? new SequenceSolverOptions();
        _ownsBackend = backend is null;
        _backend = backend ?? Backend.Create(BackendKind.Cpu);
    }

    /// <summary>The learner choosing omega.</summary>
    public IOmegaLearner Learner { get; }

    /// <summary>The options.</summary>
    public SequenceSolverOptions Options { get; }

    /// <summary>Every solve so far.</summary>
    public IReadOnlyList<SequenceStep> History => _history;

    /// <summary>Iterations summed over every solve so far.</summary>
    public long TotalIterations { get; private set; }

    /// <summary>Solves one instance of the sequence (see <see cref="SystemInstance"/>).</summary>
    public SequenceStep Solve(SystemInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return Solve(instance.Matrix, instance.RightHandSide, instance.Context, instance.InitialGuess);
    }

    /// <summary>
    /// Solves A x = b with the omega the learner picks for <paramref name="context"/> (NaN: no context), then
    /// charges it the cost. A solve that fails (iteration cap, divergence) is charged the cap.
    /// </summary>
    /// <exception cref="ArgumentException">Bad sizes or data (see <see cref="SorSolver.Solve(CsrMatrix, ReadOnlySpan{double}, double)"/>).</exception>
    public SequenceStep Solve(CsrMatrix a, double[] b, double context = double.NaN, double[]? initialGuess = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        // Bad input is checked before the learner commits to an omega, so an exception never leaves it pending.
        var diag = LinearChecks.System(a, b, initialGuess, Options.Method == SequenceMethod.Sor ? "SOR" : "SSOR-PCG");
        LinearChecks.NonZeroDiagonal(diag, Options.Method == SequenceMethod.Sor ? "SOR" : "SSOR-PCG");
        double omega = Learner.Next(context);
        var clock = Stopwatch.StartNew();
        var result = SolveWith(_backend, Options, a, b, omega, initialGuess);
        double seconds = clock.Elapsed.TotalSeconds;
        bool ok = result.Status == SolverStatus.Converged;
        double cost = Options.Cost == SequenceCost.Seconds ? seconds : ok ? result.Iterations : Options.MaxIterations;
        Learner.Observe(cost);
        var step = new SequenceStep(_history.Count, omega, context, result.Iterations, seconds, cost, result.Status, result.Solution);
        _history.Add(step);
        TotalIterations += result.Iterations;
        return step;
    }

    /// <summary>One solve with a given omega, as the sequence solver runs it (for baselines and evaluation).</summary>
    public static LinearSolveResult SolveWith(Backend backend, SequenceSolverOptions options, CsrMatrix a, double[] b, double omega, double[]? initialGuess = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Method == SequenceMethod.Sor)
        {
            using var sor = new SorSolver(new SorOptions
            {
                Omega = omega, Tolerance = options.Tolerance, MaxIterations = options.MaxIterations,
                Ordering = options.Ordering, InitialGuess = initialGuess,
                CancellationToken = options.CancellationToken, Progress = options.Progress,
            }, backend);
            return sor.Solve(a, b);
        }
        using var cg = new ConjugateGradient(new CgOptions
        {
            Tolerance = options.Tolerance, MaxIterations = options.MaxIterations,
            Preconditioner = new Ssor(omega, options.Ordering), InitialGuess = initialGuess, RecordHistory = false,
            CancellationToken = options.CancellationToken, Progress = options.Progress,
        }, backend);
        return cg.Solve(a, b);
    }

    /// <summary>Releases the backend when this object created it.</summary>
    public void Dispose()
    {
        if (_ownsBackend) _backend.Dispose();
    }
}
