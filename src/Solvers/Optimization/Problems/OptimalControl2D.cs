using Solvers.Sparse;

namespace Solvers.Optimization.Problems;

/// <summary>
/// A discretised linear-quadratic elliptic optimal control problem on the unit square (the "PDE" benchmark of
/// Hong, Na, Mahoney and Kolar, ICML 2023, in the style of Troeltzsch, <i>Optimal Control of Partial Differential
/// Equations</i>, AMS 2010): min 1/2 ||w - w_target||^2 + alpha/2 ||z||^2 s.t. -Laplace_h w = z, where -Laplace_h
/// = P / h^2 with P the 5-point matrix (diagonal 4) on an N x N interior grid with zero Dirichlet boundary values,
/// h = 1/(N + 1). The constraints are stated multiplied by h^2, P w - h^2 z = 0: the same feasible set and
/// minimiser, but a Jacobian with entries of order one, so the KKT systems stay well conditioned as N grows
/// (with the 1/h^2 form their condition number grew like N^4 and MINRES stalled before the accuracy the
/// method asks for at N = 12).
/// </summary>
/// <remarks>
/// <para>Variables x = [w; z] (n = 2N^2, state then control, each in row-major grid order), m = N^2 constraints.
/// The target is w_target(s, t) = sin(pi s) sin(pi t); the default regularisation alpha = 1e-4 is a common choice
/// in that literature; the starting point is zero.</para>
/// <para>The problem is a quadratic program: the Jacobian [P, -h^2 I] and the Hessian diag(I, alpha I) are
/// constant and built once, sparsely (about 6 m and n entries), so N = 128 (n = 32768) costs milliseconds.</para>
/// <para>Thread safety: immutable after construction.</para>
/// </remarks>
public sealed class OptimalControl2D : EqualityConstrainedProblem
{
    /// <summary>The default Tikhonov weight alpha of the control.</summary>
    public const double DefaultAlpha = 1e-4;

    private readonly double[] _target;
    private readonly CsrMatrix _jacobian;
    private readonly CsrMatrix _hessian;

    /// <summary>Creates the problem on an N x N interior grid.</summary>
    /// <param name="gridSize">N, the interior points per side (at least 1).</param>
    /// <param name="alpha">The control weight (positive).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="gridSize"/> or <paramref name="alpha"/> is out of range.</exception>
    public OptimalControl2D(int gridSize, double alpha = DefaultAlpha)
    {
        if (gridSize < 1 || gridSize > 4096)
            throw new ArgumentOutOfRangeException(nameof(gridSize), gridSize, "The grid size must be between 1 and 4096.");
        if (!(alpha > 0) || !double.IsFinite(alpha))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be positive and finite.");
        GridSize = gridSize;
        Alpha = alpha;
        int nn = gridSize * gridSize;
        double h = 1.0 / (gridSize + 1);
        Spacing = h;
        _target = new double[nn];
        for (int r = 0; r < gridSize; r++)
            for (int s = 0; s < gridSize; s++)
                _target[r * gridSize + s] = Math.Sin(Math.PI * (r + 1) * h) * Math.Sin(Math.PI * (s + 1) * h);
        _jacobian = BuildJacobian(gridSize, h);
        var rp = new int[2 * nn + 1];
        var ci = new int[2 * nn];
        var v = new double[2 * nn];
        for (int i = 0; i < 2 * nn; i++)
        {
            rp[i + 1] = i + 1;
            ci[i] = i;
            v[i] = i < nn ? 1.0 : alpha;
        }
        _hessian = new CsrMatrix(2 * nn, 2 * nn, rp, ci, v);
    }

    /// <summary>N, the interior grid points per side.</summary>
    public int GridSize { get; }

    /// <summary>The control weight alpha.</summary>
    public double Alpha { get; }

    /// <summary>The mesh width h = 1/(N + 1).</summary>
    public double Spacing { get; }

    /// <summary>The target state w_target (a copy, row-major grid order).</summary>
    public double[] Target() => (double[])_target.Clone();

    /// <inheritdoc/>
    public override string Name => $"optcontrol2d-N{GridSize}";

    /// <inheritdoc/>
    public override int Dimension => 2 * GridSize * GridSize;

    /// <inheritdoc/>
    public override int ConstraintCount => GridSize * GridSize;

    /// <inheritdoc/>
    public override bool HasGradient => true;

    /// <inheritdoc/>
    public override bool HasJacobian => true;

    /// <inheritdoc/>
    public override bool HasHessian => true;

    /// <inheritdoc/>
    public override double[] StartingPoint() => new double[Dimension];

    /// <inheritdoc/>
    public override double Objective(ReadOnlySpan<double> x)
    {
        CheckLength(x.Length, Dimension, nameof(x));
        int nn = ConstraintCount;
        double sw = 0, sz = 0;
        for (int i = 0; i < nn; i++)
        {
            double e = x[i] - _target[i];
            sw += e * e;
            sz += x[nn + i] * x[nn + i];
        }
        return 0.5 * sw + 0.5 * Alpha * sz;
    }

    /// <inheritdoc/>
    public override void Constraints(ReadOnlySpan<double> x, Span<double> c)
    {
        CheckLength(x.Length, Dimension, nameof(x));
        CheckLength(c.Length, ConstraintCount, nameof(c));
        _jacobian.Multiply(x, c);
    }

    /// <inheritdoc/>
    public override void Gradient(ReadOnlySpan<double> x, Span<double> g)
    {
        CheckLength(x.Length, Dimension, nameof(x));
        CheckLength(g.Length, Dimension, nameof(g));
        int nn = ConstraintCount;
        for (int i = 0; i < nn; i++)
        {
            g[i] = x[i] - _target[i];
            g[nn + i] = Alpha * x[nn + i];
        }
    }

    /// <inheritdoc/>
    public override CsrMatrix Jacobian(ReadOnlySpan<double> x)
    {
        CheckLength(x.Length, Dimension, nameof(x));
        return _jacobian;
    }

    /// <inheritdoc/>
    public override CsrMatrix LagrangianHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> lambda)
    {
        CheckLength(x.Length, Dimension, nameof(x));
        CheckLength(lambda.Length, ConstraintCount, nameof(lambda));
        return _hessian;
    }

    // Row i = (r, s): neighbours (r-1, s), (r, s-1), itself, (r, s+1), (r+1, s), then the control column nn + i,
    // which is already ascending column order.
    private static CsrMatrix BuildJacobian(int n, double h)
    {
        int nn = n * n;
        const double inv = 1.0;
        var rp = new int[nn + 1];
        var ci = new int[6 * nn];
        var v = new double[6 * nn];
        int k = 0;
        for (int r = 0; r < n; r++)
            for (int s = 0; s < n; s++)
            {
                int i = r * n + s;
                if (r > 0) { ci[k] = i - n; v[k++] = -inv; }
                if (s > 0) { ci[k] = i - 1; v[k++] = -inv; }
                ci[k] = i; v[k++] = 4 * inv;
                if (s < n - 1) { ci[k] = i + 1; v[k++] = -inv; }
                if (r < n - 1) { ci[k] = i + n; v[k++] = -inv; }
                ci[k] = nn + i; v[k++] = -h * h;
                rp[i + 1] = k;
            }
        return new CsrMatrix(nn, 2 * nn, rp, ci.AsSpan(0, k), v.AsSpan(0, k));
    }

    private void CheckLength(int actual, int expected, string argument)
    {
        if (actual != expected)
            throw new ArgumentException($"{argument} has length {actual} but problem {Name} needs {expected}.", argument);
    }
}
