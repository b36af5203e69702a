using Solvers.Sparse;

namespace Solvers.Optimization;

/// <summary>A scalar function of a vector, e.g. an objective f(x).</summary>
/// <param name="x">The point, length n.</param>
/// <remarks>Thread safety: called from the solving thread only; a function shared by concurrent solves must be thread-safe.</remarks>
public delegate double ScalarFunction(ReadOnlySpan<double> x);

/// <summary>A vector function of a vector, e.g. constraints c(x), writing its value to <paramref name="y"/>.</summary>
/// <param name="x">The point, length n.</param>
/// <param name="y">Receives the value, length m.</param>
/// <remarks>Thread safety: called from the solving thread only; a function shared by concurrent solves must be thread-safe.</remarks>
public delegate void VectorFunction(ReadOnlySpan<double> x, Span<double> y);

/// <summary>
/// Finite-difference approximations of gradients, Jacobians and Lagrangian Hessians, the fallbacks of
/// <see cref="EqualityConstrainedProblem"/> and the reference of <see cref="DerivativeChecker"/>.
/// </summary>
/// <remarks>
/// <para>Steps are relative, h_i = s * max(1, |x_i|), and the step actually taken is recomputed as
/// (x_i + h) - (x_i - h) so that the rounding of x_i + h does not bias the quotient.</para>
/// <para>Gradient and Jacobian use central differences with s = cbrt(eps), which balances the O(h^2)
/// truncation error against the O(eps/h) rounding error (both about eps^(2/3) relative).</para>
/// <para>Thread safety: stateless; concurrent calls are safe if the functions they call are.</para>
/// </remarks>
public static class FiniteDifferences
{
    private static readonly double CentralScale = Math.Cbrt(Eps);

    // Machine epsilon (2^-52), not double.Epsilon (the smallest subnormal).
    private const double Eps = 2.220446049250313e-16;

    // When the Lagrangian gradient is itself a central-difference approximation its noise is about eps^(2/3), so
    // differencing it again with a cbrt(eps) step would leave only a few digits; cbrt(eps^(2/3)) balances that
    // noise against the O(h^2) truncation error instead.
    private static readonly double NoisyGradientScale = Math.Cbrt(Math.Pow(Eps, 2.0 / 3.0));

    /// <summary>Central-difference gradient of <paramref name="f"/> at <paramref name="x"/>.</summary>
    /// <param name="f">The function.</param>
    /// <param name="x">The point, length n.</param>
    /// <param name="g">Receives the gradient, length n.</param>
    /// <exception cref="ArgumentException"><paramref name="g"/> and <paramref name="x"/> differ in length.</exception>
    public static void Gradient(ScalarFunction f, ReadOnlySpan<double> x, Span<double> g)
    {
        ArgumentNullException.ThrowIfNull(f);
        if (g.Length != x.Length)
            throw new ArgumentException($"g has length {g.Length} but x has length {x.Length}; they must be equal.", nameof(g));
        var work = x.ToArray();
        for (int i = 0; i < work.Length; i++)
        {
            double xi = work[i];
            double h = CentralScale * Math.Max(1.0, Math.Abs(xi));
            work[i] = xi + h;
            double fp = f(work);
            double up = work[i];
            work[i] = xi - h;
            double fm = f(work);
            double step = up - work[i];
            work[i] = xi;
            g[i] = (fp - fm) / step;
        }
    }

    /// <summary>
    /// Central-difference Jacobian of <paramref name="c"/> at <paramref name="x"/>: m x n, exact zeros dropped.
    /// Costs 2n evaluations of <paramref name="c"/>.
    /// </summary>
    /// <param name="c">The vector function.</param>
    /// <param name="x">The point, length n.</param>
    /// <param name="m">The length of c(x).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="m"/> is negative.</exception>
    public static CsrMatrix Jacobian(VectorFunction c, ReadOnlySpan<double> x, int m)
    {
        ArgumentNullException.ThrowIfNull(c);
        if (m < 0) throw new ArgumentOutOfRangeException(nameof(m), m, "The number of constraints must be non-negative.");
        int n = x.Length;
        var work = x.ToArray();
        var cp = new double[m];
        var cm = new double[m];
        var rows = new List<int>();
        var cols = new List<int>();
        var vals = new List<double>();
        for (int j = 0; j < n; j++)
        {
            double xj = work[j];
            double h = CentralScale * Math.Max(1.0, Math.Abs(xj));
            work[j] = xj + h;
            c(work, cp);
            double up = work[j];
            work[j] = xj - h;
            c(work, cm);
            double step = up - work[j];
            work[j] = xj;
            for (int i = 0; i < m; i++)
            {
                double d = (cp[i] - cm[i]) / step;
                if (d != 0.0) { rows.Add(i); cols.Add(j); vals.Add(d); }
            }
        }
        return CsrMatrix.FromCoordinates(m, n, rows.ToArray(), cols.ToArray(), vals.ToArray(), allowNonFinite: true);
    }

    /// <summary>
    /// The Hessian of the Lagrangian f(x) + lambda'c(x), by central differences of its gradient
    /// grad f(x) + G(x)'lambda (from <see cref="EqualityConstrainedProblem.Gradient"/> and
    /// <see cref="EqualityConstrainedProblem.Jacobian"/>), symmetrised as (H + H')/2, exact zeros dropped.
    /// </summary>
    /// <remarks>
    /// The step is cbrt(eps) * max(1, |x_j|) when the problem supplies its gradient and Jacobian, and larger
    /// (eps^(2/9)) when those are themselves difference approximations, whose noise would otherwise dominate.
    /// Costs 2n gradient and Jacobian evaluations; never calls <see cref="EqualityConstrainedProblem.LagrangianHessian"/>.
    /// </remarks>
    /// <param name="p">The problem.</param>
    /// <param name="x">The point, length n.</param>
    /// <param name="lambda">The multipliers, length m.</param>
    /// <exception cref="ArgumentException">A length does not match the problem.</exception>
    public static CsrMatrix LagrangianHessian(EqualityConstrainedProblem p, ReadOnlySpan<double> x, ReadOnlySpan<double> lambda)
    {
        ArgumentNullException.ThrowIfNull(p);
        CheckLengths(p, x, lambda);
        int n = x.Length;
        double scale = p.HasGradient && p.HasJacobian ? CentralScale : NoisyGradientScale;
        var work = x.ToArray();
        var gp = new double[n];
        var gm = new double[n];
        var rows = new List<int>();
        var cols = new List<int>();
        var vals = new List<double>();
        for (int j = 0; j < n; j++)
        {
            double xj = work[j];
            double h = scale * Math.Max(1.0, Math.Abs(xj));
            work[j] = xj + h;
            LagrangianGradient(p, work, lambda, gp);
            double up = work[j];
            work[j] = xj - h;
            LagrangianGradient(p, work, lambda, gm);
            double step = up - work[j];
            work[j] = xj;
            for (int i = 0; i < n; i++)
            {
                double d = 0.5 * (gp[i] - gm[i]) / step;
                if (d == 0.0) continue;
                // Column j of the difference matrix enters both (i, j) and (j, i) at half weight; the coordinate
                // builder sums duplicates, which yields (H + H')/2.
                rows.Add(i); cols.Add(j); vals.Add(d);
                rows.Add(j); cols.Add(i); vals.Add(d);
            }
        }
        return CsrMatrix.FromCoordinates(n, n, rows.ToArray(), cols.ToArray(), vals.ToArray(), allowNonFinite: true);
    }

    /// <summary>
    /// The product of the Lagrangian Hessian with <paramref name="v"/>, by one central directional difference of
    /// the Lagrangian gradient (two gradient and Jacobian evaluations).
    /// </summary>
    /// <param name="p">The problem.</param>
    /// <param name="x">The point, length n.</param>
    /// <param name="lambda">The multipliers, length m.</param>
    /// <param name="v">The direction, length n.</param>
    /// <param name="hv">Receives the product, length n.</param>
    /// <exception cref="ArgumentException">A length does not match the problem.</exception>
    public static void HessianVectorProduct(EqualityConstrainedProblem p, ReadOnlySpan<double> x, ReadOnlySpan<double> lambda,
        ReadOnlySpan<double> v, Span<double> hv)
    {
        ArgumentNullException.ThrowIfNull(p);
        CheckLengths(p, x, lambda);
        int n = x.Length;
        if (v.Length != n)
            throw new ArgumentException($"v has length {v.Length} but problem {p.Name} has dimension {n}.", nameof(v));
        if (hv.Length != n)
            throw new ArgumentException($"hv has length {hv.Length} but problem {p.Name} has dimension {n}.", nameof(hv));
        double vNorm = 0, xNorm = 0;
        for (int i = 0; i < n; i++) { vNorm += v[i] * v[i]; xNorm += x[i] * x[i]; }
        vNorm = Math.Sqrt(vNorm);
        xNorm = Math.Sqrt(xNorm);
        if (vNorm == 0) { hv.Clear(); return; }
        double scale = p.HasGradient && p.HasJacobian ? CentralScale : NoisyGradientScale;
        // The step is measured along the unit direction v/|v| so that it is relative to |x| whatever |v| is.
        double t = scale * Math.Max(1.0, xNorm) / vNorm;
        var xp = new double[n];
        var xm = new double[n];
        for (int i = 0; i < n; i++) { xp[i] = x[i] + t * v[i]; xm[i] = x[i] - t * v[i]; }
        var gp = new double[n];
        var gm = new double[n];
        LagrangianGradient(p, xp, lambda, gp);
        LagrangianGradient(p, xm, lambda, gm);
        for (int i = 0; i < n; i++) hv[i] = (gp[i] - gm[i]) / (2 * t);
    }

    /// <summary>grad f(x) + G(x)'lambda, from the problem's gradient and Jacobian (supplied or approximated).</summary>
    internal static void LagrangianGradient(EqualityConstrainedProblem p, ReadOnlySpan<double> x, ReadOnlySpan<double> lambda, Span<double> g)
    {
        p.Gradient(x, g);
        if (lambda.Length == 0) return;
        var jac = p.Jacobian(x);
        var rp = jac.RowPointers;
        var ci = jac.ColumnIndices;
        var v = jac.Values;
        for (int i = 0; i < jac.Rows; i++)
        {
            double li = lambda[i];
            if (li == 0) continue;
            for (int k = rp[i]; k < rp[i + 1]; k++) g[ci[k]] += li * v[k];
        }
    }

    private static void CheckLengths(EqualityConstrainedProblem p, ReadOnlySpan<double> x, ReadOnlySpan<double> lambda)
    {
        if (x.Length != p.Dimension)
            throw new ArgumentException($"x has length {x.Length} but problem {p.Name} has dimension {p.Dimension}.", nameof(x));
        if (lambda.Length != p.ConstraintCount)
            throw new ArgumentException(
                $"lambda has length {lambda.Length} but problem {p.Name} has {p.ConstraintCount} constraints.", nameof(lambda));
    }
}
