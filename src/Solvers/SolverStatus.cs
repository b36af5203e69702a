namespace Solvers;

/// <summary>How a solver run ended. Every solver in the library reports one of these.</summary>
public enum SolverStatus
{
    /// <summary>The stopping criterion was met.</summary>
    Converged,
    /// <summary>The iteration limit was reached before convergence.</summary>
    MaxIterations,
    /// <summary>The matrix (or the preconditioned operator) is not positive definite: a curvature p'Ap &lt;= 0 or a non-positive diagonal was met.</summary>
    IndefiniteMatrix,
    /// <summary>A division by (near) zero that the method cannot recover from, e.g. a preconditioner with r'z &lt;= 0.</summary>
    Breakdown,
    /// <summary>A NaN or infinity appeared in the iteration.</summary>
    NonFinite,
    /// <summary>The residual grew beyond any useful bound.</summary>
    Diverged,
    /// <summary>The caller's cancellation token fired; the result holds the last iterate.</summary>
    Cancelled,
    /// <summary>An optimizer's line search found no step that decreases its merit function.</summary>
    LineSearchFailed,
    /// <summary>The constraint Jacobian is (numerically) rank deficient: linearly dependent constraints.</summary>
    Singular,
}

/// <summary>One entry of a solver's history.</summary>
/// <param name="Iteration">Iteration number, 0 for the initial state.</param>
/// <param name="ResidualNorm">The residual norm the solver tracks (for CG the recursive ||r||_2).</param>
/// <param name="Elapsed">Time since the solve started.</param>
public readonly record struct IterationRecord(int Iteration, double ResidualNorm, TimeSpan Elapsed);

/// <summary>Thrown by <c>EnsureSuccess</c> or when an options record sets <c>ThrowOnFailure</c> and the solve did not converge.</summary>
public sealed class SolverFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SolverFailedException(SolverStatus status, string message) : base(message) => Status = status;

    /// <summary>The status the solve ended with.</summary>
    public SolverStatus Status { get; }
}
