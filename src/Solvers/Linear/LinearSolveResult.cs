namespace Solvers.Linear;

/// <summary>The outcome of a linear solve.</summary>
/// <remarks>Thread safety: immutable once created (arrays it holds are not defensive copies); safe to read from several threads.</remarks>
public sealed record LinearSolveResult
{
    /// <summary>The last iterate (x = 0 for a zero right-hand side).</summary>
    public required double[] Solution { get; init; }

    /// <summary>How the solve ended.</summary>
    public required SolverStatus Status { get; init; }

    /// <summary>A sentence on how the solve ended, naming the cause of a failure.</summary>
    public required string Message { get; init; }

    /// <summary>Iterations performed.</summary>
    public required int Iterations { get; init; }

    /// <summary>The residual norm the iteration tracked (recursively updated, ||r_k||_2).</summary>
    public required double ResidualNorm { get; init; }

    /// <summary>||b - A x||_2 recomputed from the returned solution.</summary>
    public required double TrueResidualNorm { get; init; }

    /// <summary>||b||_2.</summary>
    public required double RightHandSideNorm { get; init; }

    /// <summary>||b - A x||_2 / ||b||_2 (the true residual; 0 for a zero right-hand side).</summary>
    public double RelativeResidual => RightHandSideNorm > 0 ? TrueResidualNorm / RightHandSideNorm : TrueResidualNorm;

    /// <summary>Residual norm per iteration, starting with iteration 0 (empty when history is off).</summary>
    public required IReadOnlyList<IterationRecord> History { get; init; }

    /// <summary>Time spent iterating.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Time spent before the first iteration: upload, preconditioner setup, initial residual.</summary>
    public required TimeSpan SetupElapsed { get; init; }

    /// <summary>The backend that ran the solve.</summary>
    public required string Backend { get; init; }

    /// <summary>The preconditioner used.</summary>
    public required string Preconditioner { get; init; }

    /// <summary>
    /// Bytes one iteration must move between memory and processor if every vector and the matrix are streamed
    /// exactly once per kernel (perfect reuse of gathered entries): the memory-traffic lower bound of the
    /// fused iteration. Divide by a measured bandwidth to get the time lower bound.
    /// </summary>
    public required long BytesPerIteration { get; init; }

    /// <summary>True when <see cref="Status"/> is <see cref="SolverStatus.Converged"/>.</summary>
    public bool Succeeded => Status == SolverStatus.Converged;

    /// <summary>Returns this result when it converged; throws <see cref="SolverFailedException"/> otherwise.</summary>
    public LinearSolveResult EnsureSuccess()
        => Succeeded ? this : throw new SolverFailedException(Status, Message);
}
