using Solvers.Sparse;

namespace Solvers.Optimization.Problems;

/// <summary>
/// Base of the equality-constrained test problems of W. Hock and K. Schittkowski, <i>Test Examples for Nonlinear
/// Programming Codes</i>, Lecture Notes in Economics and Mathematical Systems 187, Springer, 1981
/// (doi:10.1007/978-3-642-48320-2), with exact first and second derivatives.
/// </summary>
/// <remarks>
/// The problems are tiny (n at most 7), so derivatives are assembled densely and stored in CSR with exact zeros
/// dropped; the sparsity pattern may therefore change with x. Thread safety: instances are immutable.
/// </remarks>
public abstract class HockSchittkowskiProblem : EqualityConstrainedProblem
{
    /// <summary>The published optimum x* (a fresh array each call), to the digits the literature gives.</summary>
    public abstract double[] KnownSolution();

    /// <inheritdoc/>
    public sealed override bool HasGradient => true;

    /// <inheritdoc/>
    public sealed override bool HasJacobian => true;

    /// <inheritdoc/>
    public sealed override bool HasHessian => true;

    /// <inheritdoc/>
    public sealed override void Gradient(ReadOnlySpan<double> x, Span<double> g)
    {
        CheckX(x);
        if (g.Length != Dimension)
            throw new ArgumentException($"g has length {g.Length} but problem {Name} has dimension {Dimension}.", nameof(g));
        g.Clear();
        FillGradient(x, g);
    }

    /// <inheritdoc/>
    public sealed override CsrMatrix Jacobian(ReadOnlySpan<double> x)
    {
        CheckX(x);
        var j = new double[ConstraintCount, Dimension];
        FillJacobian(x, j);
        return CsrMatrix.FromDense(j);
    }

    /// <inheritdoc/>
    public sealed override CsrMatrix LagrangianHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> lambda)
    {
        CheckX(x);
        if (lambda.Length != ConstraintCount)
            throw new ArgumentException($"lambda has length {lambda.Length} but problem {Name} has {ConstraintCount} constraints.", nameof(lambda));
        int n = Dimension;
        var h = new double[n, n];
        FillHessian(x, lambda, h);
        // Subclasses write each off-diagonal pair once, in either triangle; adding the mirror completes it.
        for (int i = 0; i < n; i++)
            for (int k = i + 1; k < n; k++)
            {
                double s = h[i, k] + h[k, i];
                h[i, k] = s;
                h[k, i] = s;
            }
        return CsrMatrix.FromDense(h);
    }

    /// <summary>Writes grad f(x) into <paramref name="g"/>, which is zeroed.</summary>
    protected abstract void FillGradient(ReadOnlySpan<double> x, Span<double> g);

    /// <summary>Writes the m x n Jacobian into <paramref name="j"/>, which is zeroed.</summary>
    protected abstract void FillJacobian(ReadOnlySpan<double> x, double[,] j);

    /// <summary>
    /// Adds the Hessian of f + lambda'c into <paramref name="h"/>, which is zeroed; each off-diagonal pair (i, k)
    /// is written once, in either triangle, and mirrored by the caller.
    /// </summary>
    protected abstract void FillHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> lambda, double[,] h);

    private void CheckX(ReadOnlySpan<double> x)
    {
        if (x.Length != Dimension)
            throw new ArgumentException($"x has length {x.Length} but problem {Name} has dimension {Dimension}.", nameof(x));
    }
}

/// <summary>The Hock-Schittkowski equality-constrained test problems implemented here.</summary>
/// <remarks>Thread safety: stateless; safe to call from several threads.</remarks>
public static class HockSchittkowski
{
    private static readonly Lazy<IReadOnlyList<EqualityConstrainedProblem>> AllProblems = new(() => new EqualityConstrainedProblem[]
    {
        new Hs006(), new Hs007(), new Hs008(), new Hs026(), new Hs027(), new Hs028(), new Hs039(), new Hs040(),
        new Hs042(), new Hs046(), new Hs047(), new Hs048(), new Hs049(), new Hs050(), new Hs051(), new Hs052(),
        new Hs056(), new Hs061(), new Hs077(), new Hs078(), new Hs079(),
    });

    /// <summary>Every problem, in order of number (names "hs006" ... "hs079").</summary>
    public static IReadOnlyList<EqualityConstrainedProblem> All => AllProblems.Value;

    /// <summary>The problem called <paramref name="name"/>: "hs028", "hs28" or "HS28" all name problem 28.</summary>
    /// <exception cref="ArgumentException">No such problem is implemented; the message lists those that are.</exception>
    public static EqualityConstrainedProblem Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string s = name.Trim().ToLowerInvariant();
        if (s.StartsWith("hs", StringComparison.Ordinal)
            && int.TryParse(s.AsSpan(2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int number))
        {
            string canonical = $"hs{number:D3}";
            foreach (var p in All)
                if (p.Name == canonical) return p;
        }
        throw new ArgumentException(
            $"Unknown Hock-Schittkowski problem '{name}'; available: {string.Join(", ", All.Select(p => p.Name))}.", nameof(name));
    }
}
