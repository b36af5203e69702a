using System.Globalization;
using Solvers.Sparse;

namespace Solvers.Optimization;

/// <summary>The worst disagreement between one supplied derivative and its finite-difference approximation.</summary>
/// <param name="Derivative">"gradient", "jacobian" or "hessian".</param>
/// <param name="Row">The index into the gradient, or the row of the matrix; -1 when the derivative is empty.</param>
/// <param name="Column">The column of the matrix; -1 for the gradient or an empty derivative.</param>
/// <param name="Supplied">The supplied value at the worst entry.</param>
/// <param name="FiniteDifference">The finite-difference value at the worst entry.</param>
/// <param name="RelativeError">|supplied - fd| / max(1, |fd|) at the worst entry.</param>
/// <remarks>Thread safety: immutable once created; safe to read from several threads.</remarks>
public sealed record DerivativeMismatch(string Derivative, int Row, int Column, double Supplied, double FiniteDifference,
    double RelativeError)
{
    /// <summary>E.g. "gradient[3]: supplied 2.5, finite differences 1.75 (relative error 0.43)".</summary>
    public override string ToString()
    {
        var ic = CultureInfo.InvariantCulture;
        string where = Row < 0 ? "" : Column < 0 ? $"[{Row}]" : $"[{Row}, {Column}]";
        return string.Format(ic, "{0}{1}: supplied {2:G6}, finite differences {3:G6} (relative error {4:G2})",
            Derivative, where, Supplied, FiniteDifference, RelativeError);
    }
}

/// <summary>
/// What <see cref="DerivativeChecker.Check"/> found: for each derivative the problem supplies, the worst entry;
/// null for derivatives left to finite differences (nothing to check).
/// </summary>
/// <param name="ProblemName">The problem's <see cref="EqualityConstrainedProblem.Name"/>.</param>
/// <param name="Tolerance">The largest relative error accepted.</param>
/// <param name="Gradient">The worst gradient entry, or null when the gradient is not supplied.</param>
/// <param name="Jacobian">The worst Jacobian entry, or null when the Jacobian is not supplied.</param>
/// <param name="Hessian">The worst Lagrangian Hessian entry (at lambda = ones), or null when not supplied.</param>
/// <remarks>Thread safety: immutable once created (arrays it holds are not defensive copies); safe to read from several threads.</remarks>
public sealed record DerivativeReport(string ProblemName, double Tolerance, DerivativeMismatch? Gradient,
    DerivativeMismatch? Jacobian, DerivativeMismatch? Hessian)
{
    /// <summary>True when every checked derivative agrees with finite differences within <see cref="Tolerance"/>.</summary>
    public bool Passed => Ok(Gradient) && Ok(Jacobian) && Ok(Hessian);

    /// <summary>The checked derivative with the largest relative error, or null when nothing was checked.</summary>
    public DerivativeMismatch? Worst =>
        new[] { Gradient, Jacobian, Hessian }.Where(d => d is not null).MaxBy(d => d!.RelativeError);

    private bool Ok(DerivativeMismatch? d) => d is null || d.RelativeError <= Tolerance;

    /// <summary>A one-line summary naming the worst entry, e.g. "hs028: FAILED, gradient[3]: supplied 2.5, ...".</summary>
    public override string ToString()
    {
        var worst = Worst;
        if (worst is null) return $"{ProblemName}: no supplied derivatives to check";
        string verdict = Passed ? "passed" : "FAILED";
        return string.Create(CultureInfo.InvariantCulture, $"{ProblemName}: {verdict} (tolerance {Tolerance:G2}), worst {worst}");
    }
}

/// <summary>
/// Compares the derivatives a problem supplies (<see cref="EqualityConstrainedProblem.HasGradient"/>,
/// <see cref="EqualityConstrainedProblem.HasJacobian"/>, <see cref="EqualityConstrainedProblem.HasHessian"/>)
/// with <see cref="FiniteDifferences"/>, and checks that the problem's sizes are consistent.
/// </summary>
/// <remarks>
/// Errors are relative to max(1, |fd|), so entries near zero are compared absolutely. The finite-difference
/// Hessian differences the problem's own gradient and Jacobian, so a wrong gradient also shows up there: read
/// the gradient line first. Costs O(n) evaluations and forms no dense matrix; meant for small and medium problems.
/// Thread safety: stateless; safe to call from several threads at once.
/// </remarks>
public static class DerivativeChecker
{
    /// <summary>Checks the supplied derivatives of <paramref name="p"/> at <paramref name="x"/>.</summary>
    /// <param name="p">The problem.</param>
    /// <param name="x">The point, length n.</param>
    /// <param name="tolerance">The largest relative error accepted.</param>
    /// <exception cref="ArgumentException">A size is inconsistent: x, the starting point, c or the Jacobian do not
    /// match the problem's Dimension and ConstraintCount (the message names the problem and the sizes).</exception>
    public static DerivativeReport Check(EqualityConstrainedProblem p, ReadOnlySpan<double> x, double tolerance = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (!(tolerance > 0)) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The tolerance must be positive.");
        int n = p.Dimension, m = p.ConstraintCount;
        if (x.Length != n)
            throw new ArgumentException($"Problem {p.Name}: x has length {x.Length} but Dimension is {n}.", nameof(x));
        int x0Length = p.StartingPoint().Length;
        if (x0Length != n)
            throw new ArgumentException($"Problem {p.Name}: StartingPoint() has length {x0Length} but Dimension is {n}.", nameof(p));

        var c = new double[m];
        try { p.Constraints(x, c); }
        catch (IndexOutOfRangeException e)
        {
            throw new ArgumentException($"Problem {p.Name}: Constraints wrote outside c of length ConstraintCount = {m}.", nameof(p), e);
        }

        DerivativeMismatch? gradient = null, jacobian = null, hessian = null;
        if (p.HasGradient)
        {
            var gs = new double[n];
            try { p.Gradient(x, gs); }
            catch (IndexOutOfRangeException e)
            {
                throw new ArgumentException($"Problem {p.Name}: Gradient wrote outside g of length Dimension = {n}.", nameof(p), e);
            }
            var gf = new double[n];
            FiniteDifferences.Gradient(p.Objective, x, gf);
            gradient = new DerivativeMismatch("gradient", -1, -1, 0, 0, 0);
            for (int i = 0; i < n; i++)
            {
                double err = RelativeError(gs[i], gf[i]);
                if (err > gradient.RelativeError || gradient.Row < 0)
                    gradient = new DerivativeMismatch("gradient", i, -1, gs[i], gf[i], err);
            }
        }
        if (p.HasJacobian)
        {
            var js = p.Jacobian(x);
            CheckShape(p, "Jacobian", js, m, n);
            var jf = FiniteDifferences.Jacobian(p.Constraints, x, m);
            jacobian = Compare("jacobian", js, jf);
        }
        if (p.HasHessian)
        {
            var lambda = new double[m];
            Array.Fill(lambda, 1.0);
            var hs = p.LagrangianHessian(x, lambda);
            CheckShape(p, "LagrangianHessian", hs, n, n);
            var hf = FiniteDifferences.LagrangianHessian(p, x, lambda);
            hessian = Compare("hessian", hs, hf);
        }
        return new DerivativeReport(p.Name, tolerance, gradient, jacobian, hessian);
    }

    private static void CheckShape(EqualityConstrainedProblem p, string what, CsrMatrix a, int rows, int columns)
    {
        if (a.Rows != rows || a.Columns != columns)
            throw new ArgumentException(
                $"Problem {p.Name}: {what} is {a.Rows} x {a.Columns} but must be {rows} x {columns} (ConstraintCount x Dimension for the Jacobian, Dimension x Dimension for the Hessian).",
                nameof(p));
    }

    private static double RelativeError(double supplied, double fd)
    {
        double err = Math.Abs(supplied - fd) / Math.Max(1.0, Math.Abs(fd));
        // A NaN must fail the check, and NaN compares false with everything.
        return double.IsNaN(err) ? double.PositiveInfinity : err;
    }

    // Merges the sorted column lists of each row, so entries stored in only one matrix compare against zero.
    private static DerivativeMismatch Compare(string name, CsrMatrix s, CsrMatrix f)
    {
        var worst = new DerivativeMismatch(name, -1, -1, 0, 0, 0);
        var srp = s.RowPointers; var sci = s.ColumnIndices; var sv = s.Values;
        var frp = f.RowPointers; var fci = f.ColumnIndices; var fv = f.Values;
        for (int i = 0; i < s.Rows; i++)
        {
            int a = srp[i], aEnd = srp[i + 1], b = frp[i], bEnd = frp[i + 1];
            while (a < aEnd || b < bEnd)
            {
                int ca = a < aEnd ? sci[a] : int.MaxValue;
                int cb = b < bEnd ? fci[b] : int.MaxValue;
                int col = Math.Min(ca, cb);
                double vs = ca == col ? sv[a++] : 0.0;
                double vf = cb == col ? fv[b++] : 0.0;
                double err = RelativeError(vs, vf);
                if (err > worst.RelativeError || worst.Row < 0) worst = new DerivativeMismatch(name, i, col, vs, vf, err);
            }
        }
        return worst;
    }
}
