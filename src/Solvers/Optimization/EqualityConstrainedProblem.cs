using Solvers.Sparse;

namespace Solvers.Optimization;

/// <summary>
/// A problem min f(x) subject to c(x) = 0, with x in R^n and c: R^n -> R^m, for <see cref="SketchedNewton"/>.
/// Derivatives a subclass does not override are approximated by finite differences
/// (<see cref="FiniteDifferences"/>); <see cref="DerivativeChecker"/> compares supplied ones against them.
/// </summary>
/// <remarks>Thread safety: the solver calls a problem from one thread at a time.</remarks>
public abstract class EqualityConstrainedProblem
{
    /// <summary>A short name for reports, e.g. "hs028".</summary>
    public abstract string Name { get; }

    /// <summary>n, the number of variables.</summary>
    public abstract int Dimension { get; }

    /// <summary>m, the number of equality constraints.</summary>
    public abstract int ConstraintCount { get; }

    /// <summary>The starting point x0 (a fresh array each call).</summary>
    public abstract double[] StartingPoint();

    /// <summary>The optimal value from the literature, when known (for tests and benchmarks).</summary>
    public virtual double? KnownOptimalValue => null;

    /// <summary>f(x).</summary>
    public abstract double Objective(ReadOnlySpan<double> x);

    /// <summary>c(x), written to <paramref name="c"/> (length m).</summary>
    public abstract void Constraints(ReadOnlySpan<double> x, Span<double> c);

    /// <summary>True when <see cref="Gradient"/> is overridden with an exact gradient.</summary>
    public virtual bool HasGradient => false;

    /// <summary>True when <see cref="Jacobian"/> is overridden with an exact Jacobian.</summary>
    public virtual bool HasJacobian => false;

    /// <summary>True when <see cref="LagrangianHessian"/> is overridden with an exact Hessian.</summary>
    public virtual bool HasHessian => false;

    /// <summary>grad f(x), written to <paramref name="g"/> (length n); central differences unless overridden.</summary>
    public virtual void Gradient(ReadOnlySpan<double> x, Span<double> g) => FiniteDifferences.Gradient(Objective, x, g);

    /// <summary>The m x n Jacobian G(x) of c; central differences unless overridden.</summary>
    public virtual CsrMatrix Jacobian(ReadOnlySpan<double> x) => FiniteDifferences.Jacobian(Constraints, x, ConstraintCount);

    /// <summary>
    /// The n x n Hessian of the Lagrangian L(x, l) = f(x) + l'c(x) with respect to x; differences of
    /// <see cref="Gradient"/> and <see cref="Jacobian"/> unless overridden (symmetrised).
    /// </summary>
    public virtual CsrMatrix LagrangianHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> lambda)
        => FiniteDifferences.LagrangianHessian(this, x, lambda);
}
