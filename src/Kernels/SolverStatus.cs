namespace Solvers;

/// <summary>
/// How a solver run ended. Every iterative solver and trainer of the library reports one of these (the shared
/// vocabulary lives in Solvers.Kernels, the bottom assembly, so that Solvers.Sketching can use it too).
/// </summary>
/// <remarks>Thread safety: an enum; values are immutable.</remarks>
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

/// <summary>
/// One entry of a linear solver's history and the progress record of the linear family (CG, SOR, the sequence
/// solver, randomized Kaczmarz and sketch-and-project).
/// </summary>
/// <param name="Iteration">Iteration number, 0 for the initial state.</param>
/// <param name="ResidualNorm">The residual norm the solver tracks: for CG the recursive ||r||_2, for SOR the true
/// ||b - A x||_2, for the randomized solvers the relative ||K z - b|| / ||b|| (absolute when b = 0).</param>
/// <param name="Elapsed">Time since the solve started.</param>
/// <remarks>Thread safety: an immutable value.</remarks>
public readonly record struct IterationRecord(int Iteration, double ResidualNorm, TimeSpan Elapsed);
