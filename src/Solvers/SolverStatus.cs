namespace Solvers;

/// <summary>Thrown by <c>EnsureSuccess</c> or when an options record sets <c>ThrowOnFailure</c> and the solve did not converge.</summary>
/// <remarks>Thread safety: immutable after construction.</remarks>
public sealed class SolverFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SolverFailedException(SolverStatus status, string message) : base(message) => Status = status;

    /// <summary>The status the solve ended with.</summary>
    public SolverStatus Status { get; }
}
