namespace Solvers.Optimization.Problems;

// Formulations, starting points, optima x* and values f* are those of Hock & Schittkowski (1981), as also coded in
// CUTEst's HS*.SIF files; each x* and f* is re-verified by the tests (Newton refinement of the KKT system from the
// published x* reproduces f* to 1e-6 relative). Problems whose original statement has bounds say so; their bounds
// are inactive at x* and are omitted.

/// <summary>HS6 (Hock and Schittkowski 1981): min (1 - x1)^2 s.t. 10(x2 - x1^2) = 0; x0 = (-1.2, 1), x* = (1, 1), f* = 0.</summary>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed class Hs006 : HockSchittkowskiProblem
{
    /// <inheritdoc/>
    public override string Name => "hs006";
    /// <inheritdoc/>
    public override int Dimension => 2;
    /// <inheritdoc/>
    public override int ConstraintCount => 1;
    /// <inheritdoc/>
    public override double? KnownOptimalValue => 0.0;
    /// <inheritdoc/>
    public override double[] StartingPoint() => [-1.2, 1.0];
    /// <inheritdoc/>
    public override double[] KnownSolution() => [1.0, 1.0];
    /// <inheritdoc/>
    public override double Objective(ReadOnlySpan<double> x) => (1 - x[0]) * (1 - x[0]);
    /// <inheritdoc/>
    public override void Constraints(ReadOnlySpan<double> x, Span<double> c) => c[0] = 10 * (x[1] - x[0] * x[0]);
    /// <inheritdoc/>
    protected override void FillGradient(ReadOnlySpan<double> x, Span<double> g) => g[0] = -2 * (1 - x[0]);
    /// <inheritdoc/>
    protected override void FillJacobian(ReadOnlySpan<double> x, double[,] j) { j[0, 0] = -20 * x[0]; j[0, 1] = 10; }
    /// <inheritdoc/>
    protected override void FillHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> l, double[,] h) => h[0, 0] = 2 - 20 * l[0];
}

/// <summary>HS7 (Hock and Schittkowski 1981): min ln(1 + x1^2) - x2 s.t. (1 + x1^2)^2 + x2^2 - 4 = 0; x0 = (2, 2), x* = (0, sqrt 3), f* = -sqrt 3.</summary>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed class Hs007 : HockSchittkowskiProblem
{
    /// <inheritdoc/>
    public override string Name => "hs007";
    /// <inheritdoc/>
    public override int Dimension => 2;
    /// <inheritdoc/>
    public override int ConstraintCount => 1;
    /// <inheritdoc/>
    public override double? KnownOptimalValue => -Math.Sqrt(3);
    /// <inheritdoc/>
    public override double[] StartingPoint() => [2.0, 2.0];
    /// <inheritdoc/>
    public override double[] KnownSolution() => [0.0, Math.Sqrt(3)];
    /// <inheritdoc/>
    public override double Objective(ReadOnlySpan<double> x) => Math.Log(1 + x[0] * x[0]) - x[1];
    /// <inheritdoc/>
    public override void Constraints(ReadOnlySpan<double> x, Span<double> c)
    {
        double u = 1 + x[0] * x[0];
        c[0] = u * u + x[1] * x[1] - 4;
    }
    /// <inheritdoc/>
    protected override void FillGradient(ReadOnlySpan<double> x, Span<double> g)
    {
        g[0] = 2 * x[0] / (1 + x[0] * x[0]);
        g[1] = -1;
    }
    /// <inheritdoc/>
    protected override void FillJacobian(ReadOnlySpan<double> x, double[,] j)
    {
        j[0, 0] = 4 * x[0] * (1 + x[0] * x[0]);
        j[0, 1] = 2 * x[1];
    }
    /// <inheritdoc/>
    protected override void FillHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> l, double[,] h)
    {
        double u = 1 + x[0] * x[0];
        h[0, 0] = 2 * (1 - x[0] * x[0]) / (u * u) + l[0] * (4 + 12 * x[0] * x[0]);
        h[1, 1] = 2 * l[0];
    }
}

/// <summary>
/// HS8 (Hock and Schittkowski 1981): min -1 s.t. x1^2 + x2^2 - 25 = 0, x1 x2 - 9 = 0 (equality constraints only,
/// no bounds; a feasibility problem with four solutions); x0 = (2, 1), x* = ((sqrt 43 + sqrt 7)/2, (sqrt 43 - sqrt 7)/2), f* = -1.
/// </summary>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed class Hs008 : HockSchittkowskiProblem
{
    /// <inheritdoc/>
    public override string Name => "hs008";
    /// <inheritdoc/>
    public override int Dimension => 2;
    /// <inheritdoc/>
    public override int ConstraintCount => 2;
    /// <inheritdoc/>
    public override double? KnownOptimalValue => -1.0;
    /// <inheritdoc/>
    public override double[] StartingPoint() => [2.0, 1.0];
    /// <inheritdoc/>
    public override double[] KnownSolution() => [(Math.Sqrt(43) + Math.Sqrt(7)) / 2, (Math.Sqrt(43) - Math.Sqrt(7)) / 2];
    /// <inheritdoc/>
    public override double Objective(ReadOnlySpan<double> x) => -1.0;
    /// <inheritdoc/>
    public override void Constraints(ReadOnlySpan<double> x, Span<double> c)
    {
        c[0] = x[0] * x[0] + x[1] * x[1] - 25;
        c[1] = x[0] * x[1] - 9;
    }
    /// <inheritdoc/>
    protected override void FillGradient(ReadOnlySpan<double> x, Span<double> g) { }
    /// <inheritdoc/>
    protected override void FillJacobian(ReadOnlySpan<double> x, double[,] j)
    {
        j[0, 0] = 2 * x[0]; j[0, 1] = 2 * x[1];
        j[1, 0] = x[1]; j[1, 1] = x[0];
    }
    /// <inheritdoc/>
    protected override void FillHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> l, double[,] h)
    {
        h[0, 0] = 2 * l[0]; h[1, 1] = 2 * l[0]; h[0, 1] = l[1];
    }
}

/// <summary>HS26 (Hock and Schittkowski 1981): min (x1 - x2)^2 + (x2 - x3)^4 s.t. (1 + x2^2) x1 + x3^4 - 3 = 0; x0 = (-2.6, 2, 2), x* = (1, 1, 1), f* = 0.</summary>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed class Hs026 : HockSchittkowskiProblem
{
    /// <inheritdoc/>
    public override string Name => "hs026";
    /// <inheritdoc/>
    public override int Dimension => 3;
    /// <inheritdoc/>
    public override int ConstraintCount => 1;
    /// <inheritdoc/>
    public override double? KnownOptimalValue => 0.0;
    /// <inheritdoc/>
    public override double[] StartingPoint() => [-2.6, 2.0, 2.0];
    /// <inheritdoc/>
    public override double[] KnownSolution() => [1.0, 1.0, 1.0];
    /// <inheritdoc/>
    public override double Objective(ReadOnlySpan<double> x) => Math.Pow(x[0] - x[1], 2) + Math.Pow(x[1] - x[2], 4);
    /// <inheritdoc/>
    public override void Constraints(ReadOnlySpan<double> x, Span<double> c) => c[0] = (1 + x[1] * x[1]) * x[0] + Math.Pow(x[2], 4) - 3;
    /// <inheritdoc/>
    protected override void FillGradient(ReadOnlySpan<double> x, Span<double> g)
    {
        double a = x[0] - x[1], b = x[1] - x[2];
        g[0] = 2 * a; g[1] = -2 * a + 4 * b * b * b; g[2] = -4 * b * b * b;
    }
    /// <inheritdoc/>
    protected override void FillJacobian(ReadOnlySpan<double> x, double[,] j)
    {
        j[0, 0] = 1 + x[1] * x[1]; j[0, 1] = 2 * x[0] * x[1]; j[0, 2] = 4 * Math.Pow(x[2], 3);
    }
    /// <inheritdoc/>
    protected override void FillHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> l, double[,] h)
    {
        double b2 = 12 * Math.Pow(x[1] - x[2], 2);
        h[0, 0] = 2; h[0, 1] = -2 + 2 * l[0] * x[1];
        h[1, 1] = 2 + b2 + 2 * l[0] * x[0]; h[1, 2] = -b2;
        h[2, 2] = b2 + 12 * l[0] * x[2] * x[2];
    }
}

/// <summary>HS27 (Hock and Schittkowski 1981): min 0.01 (x1 - 1)^2 + (x2 - x1^2)^2 s.t. x1 + x3^2 + 1 = 0; x0 = (2, 2, 2), x* = (-1, 1, 0), f* = 0.04.</summary>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed class Hs027 : HockSchittkowskiProblem
{
    /// <inheritdoc/>
    public override string Name => "hs027";
    /// <inheritdoc/>
    public override int Dimension => 3;
    /// <inheritdoc/>
    public override int ConstraintCount => 1;
    /// <inheritdoc/>
    public override double? KnownOptimalValue => 0.04;
    /// <inheritdoc/>
    public override double[] StartingPoint() => [2.0, 2.0, 2.0];
    /// <inheritdoc/>
    public override double[] KnownSolution() => [-1.0, 1.0, 0.0];
    /// <inheritdoc/>
    public override double Objective(ReadOnlySpan<double> x) => 0.01 * Math.Pow(x[0] - 1, 2) + Math.Pow(x[1] - x[0] * x[0], 2);
    /// <inheritdoc/>
    public override void Constraints(ReadOnlySpan<double> x, Span<double> c) => c[0] = x[0] + x[2] * x[2] + 1;
    /// <inheritdoc/>
    protected override void FillGradient(ReadOnlySpan<double> x, Span<double> g)
    {
        double r = x[1] - x[0] * x[0];
        g[0] = 0.02 * (x[0] - 1) - 4 * x[0] * r; g[1] = 2 * r;
    }
    /// <inheritdoc/>
    protected override void FillJacobian(ReadOnlySpan<double> x, double[,] j) { j[0, 0] = 1; j[0, 2] = 2 * x[2]; }
    /// <inheritdoc/>
    protected override void FillHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> l, double[,] h)
    {
        h[0, 0] = 0.02 - 4 * x[1] + 12 * x[0] * x[0]; h[0, 1] = -4 * x[0]; h[1, 1] = 2; h[2, 2] = 2 * l[0];
    }
}

/// <summary>HS28 (Hock and Schittkowski 1981): min (x1 + x2)^2 + (x2 + x3)^2 s.t. x1 + 2 x2 + 3 x3 - 1 = 0; x0 = (-4, 1, 1), x* = (1/2, -1/2, 1/2), f* = 0.</summary>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed class Hs028 : HockSchittkowskiProblem
{
    /// <inheritdoc/>
    public override string Name => "hs028";
    /// <inheritdoc/>
    public override int Dimension => 3;
    /// <inheritdoc/>
    public override int ConstraintCount => 1;
    /// <inheritdoc/>
    public override double? KnownOptimalValue => 0.0;
    /// <inheritdoc/>
    public override double[] StartingPoint() => [-4.0, 1.0, 1.0];
    /// <inheritdoc/>
    public override double[] KnownSolution() => [0.5, -0.5, 0.5];
    /// <inheritdoc/>
    public override double Objective(ReadOnlySpan<double> x) => Math.Pow(x[0] + x[1], 2) + Math.Pow(x[1] + x[2], 2);
    /// <inheritdoc/>
    public override void Constraints(ReadOnlySpan<double> x, Span<double> c) => c[0] = x[0] + 2 * x[1] + 3 * x[2] - 1;
    /// <inheritdoc/>
    protected override void FillGradient(ReadOnlySpan<double> x, Span<double> g)
    {
        double a = x[0] + x[1], b = x[1] + x[2];
        g[0] = 2 * a; g[1] = 2 * a + 2 * b; g[2] = 2 * b;
    }
    /// <inheritdoc/>
    protected override void FillJacobian(ReadOnlySpan<double> x, double[,] j) { j[0, 0] = 1; j[0, 1] = 2; j[0, 2] = 3; }
    /// <inheritdoc/>
    protected override void FillHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> l, double[,] h)
    {
        h[0, 0] = 2; h[0, 1] = 2; h[1, 1] = 4; h[1, 2] = 2; h[2, 2] = 2;
    }
}

/// <summary>HS39 (Hock and Schittkowski 1981): min -x1 s.t. x2 - x1^3 - x3^2 = 0, x1^2 - x2 - x4^2 = 0; x0 = (2, 2, 2, 2), x* = (1, 1, 0, 0), f* = -1.</summary>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed class Hs039 : HockSchittkowskiProblem
{
    /// <inheritdoc/>
    public override string Name => "hs039";
    /// <inheritdoc/>
    public override int Dimension => 4;
    /// <inheritdoc/>
    public override int ConstraintCount => 2;
    /// <inheritdoc/>
    public override double? KnownOptimalValue => -1.0;
    /// <inheritdoc/>
    public override double[] StartingPoint() => [2.0, 2.0, 2.0, 2.0];
    /// <inheritdoc/>
    public override double[] KnownSolution() => [1.0, 1.0, 0.0, 0.0];
    /// <inheritdoc/>
    public override double Objective(ReadOnlySpan<double> x) => -x[0];
    /// <inheritdoc/>
    public override void Constraints(ReadOnlySpan<double> x, Span<double> c)
    {
        c[0] = x[1] - x[0] * x[0] * x[0] - x[2] * x[2];
        c[1] = x[0] * x[0] - x[1] - x[3] * x[3];
    }
    /// <inheritdoc/>
    protected override void FillGradient(ReadOnlySpan<double> x, Span<double> g) => g[0] = -1;
    /// <inheritdoc/>
    protected override void FillJacobian(ReadOnlySpan<double> x, double[,] j)
    {
        j[0, 0] = -3 * x[0] * x[0]; j[0, 1] = 1; j[0, 2] = -2 * x[2];
        j[1, 0] = 2 * x[0]; j[1, 1] = -1; j[1, 3] = -2 * x[3];
    }
    /// <inheritdoc/>
    protected override void FillHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> l, double[,] h)
    {
        h[0, 0] = -6 * x[0] * l[0] + 2 * l[1]; h[2, 2] = -2 * l[0]; h[3, 3] = -2 * l[1];
    }
}

/// <summary>
/// HS40 (Hock and Schittkowski 1981): min -x1 x2 x3 x4 s.t. x1^3 + x2^2 - 1 = 0, x1^2 x4 - x3 = 0, x4^2 - x2 = 0;
/// x0 = (0.8, 0.8, 0.8, 0.8), x* = (2^(-1/3), 2^(-1/2), 2^(-11/12), 2^(-1/4)), f* = -0.25.
/// </summary>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed class Hs040 : HockSchittkowskiProblem
{
    /// <inheritdoc/>
    public override string Name => "hs040";
    /// <inheritdoc/>
    public override int Dimension => 4;
    /// <inheritdoc/>
    public override int ConstraintCount => 3;
    /// <inheritdoc/>
    public override double? KnownOptimalValue => -0.25;
    /// <inheritdoc/>
    public override double[] StartingPoint() => [0.8, 0.8, 0.8, 0.8];
    /// <inheritdoc/>
    public override double[] KnownSolution() => [Math.Pow(2, -1.0 / 3), Math.Pow(2, -0.5), Math.Pow(2, -11.0 / 12), Math.Pow(2, -0.25)];
    /// <inheritdoc/>
    public override double Objective(ReadOnlySpan<double> x) => -x[0] * x[1] * x[2] * x[3];
    /// <inheritdoc/>
    public override void Constraints(ReadOnlySpan<double> x, Span<double> c)
    {
        c[0] = x[0] * x[0] * x[0] + x[1] * x[1] - 1;
        c[1] = x[0] * x[0] * x[3] - x[2];
        c[2] = x[3] * x[3] - x[1];
    }
    /// <inheritdoc/>
    protected override void FillGradient(ReadOnlySpan<double> x, Span<double> g)
    {
        g[0] = -x[1] * x[2] * x[3]; g[1] = -x[0] * x[2] * x[3]; g[2] = -x[0] * x[1] * x[3]; g[3] = -x[0] * x[1] * x[2];
    }
    /// <inheritdoc/>
    protected override void FillJacobian(ReadOnlySpan<double> x, double[,] j)
    {
        j[0, 0] = 3 * x[0] * x[0]; j[0, 1] = 2 * x[1];
        j[1, 0] = 2 * x[0] * x[3]; j[1, 2] = -1; j[1, 3] = x[0] * x[0];
        j[2, 1] = -1; j[2, 3] = 2 * x[3];
    }
    /// <inheritdoc/>
    protected override void FillHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> l, double[,] h)
    {
        h[0, 1] = -x[2] * x[3]; h[0, 2] = -x[1] * x[3]; h[0, 3] = -x[1] * x[2] + 2 * x[0] * l[1];
        h[1, 2] = -x[0] * x[3]; h[1, 3] = -x[0] * x[2]; h[2, 3] = -x[0] * x[1];
        h[0, 0] = 6 * x[0] * l[0] + 2 * x[3] * l[1]; h[1, 1] = 2 * l[0]; h[3, 3] = 2 * l[2];
    }
}

/// <summary>
/// HS42 (Hock and Schittkowski 1981, as in CUTEst HS42): min sum_i (x_i - i)^2 s.t. x1 - 2 = 0, x3^2 + x4^2 - 2 = 0;
/// x0 = (1, 1, 1, 1), x* = (2, 2, 0.6 sqrt 2, 0.8 sqrt 2), f* = 28 - 10 sqrt 2.
/// </summary>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed class Hs042 : HockSchittkowskiProblem
{
    /// <inheritdoc/>
    public override string Name => "hs042";
    /// <inheritdoc/>
    public override int Dimension => 4;
    /// <inheritdoc/>
    public override int ConstraintCount => 2;
    /// <inheritdoc/>
    public override double? KnownOptimalValue => 28 - 10 * Math.Sqrt(2);
    /// <inheritdoc/>
    public override double[] StartingPoint() => [1.0, 1.0, 1.0, 1.0];
    /// <inheritdoc/>
    public override double[] KnownSolution() => [2.0, 2.0, 0.6 * Math.Sqrt(2), 0.8 * Math.Sqrt(2)];
    /// <inheritdoc/>
    public override double Objective(ReadOnlySpan<double> x)
    {
        double s = 0;
        for (int i = 0; i < 4; i++) s += (x[i] - (i + 1)) * (x[i] - (i + 1));
        return s;
    }
    /// <inheritdoc/>
    public override void Constraints(ReadOnlySpan<double> x, Span<double> c)
    {
        c[0] = x[0] - 2;
        c[1] = x[2] * x[2] + x[3] * x[3] - 2;
    }
    /// <inheritdoc/>
    protected override void FillGradient(ReadOnlySpan<double> x, Span<double> g)
    {
        for (int i = 0; i < 4; i++) g[i] = 2 * (x[i] - (i + 1));
    }
    /// <inheritdoc/>
    protected override void FillJacobian(ReadOnlySpan<double> x, double[,] j) { j[0, 0] = 1; j[1, 2] = 2 * x[2]; j[1, 3] = 2 * x[3]; }
    /// <inheritdoc/>
    protected override void FillHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> l, double[,] h)
    {
        h[0, 0] = 2; h[1, 1] = 2; h[2, 2] = 2 + 2 * l[1]; h[3, 3] = 2 + 2 * l[1];
    }
}

/// <summary>Shared pieces of HS46, HS49 and HS77, whose objectives and constraints overlap.</summary>
internal static class HsParts
{
    // (x1 - x2)^2 + (x3 - 1)^2 + (x4 - 1)^4 + (x5 - 1)^6, the objective of HS46 and HS49.
    public static double F46(ReadOnlySpan<double> x)
        => Math.Pow(x[0] - x[1], 2) + Math.Pow(x[2] - 1, 2) + Math.Pow(x[3] - 1, 4) + Math.Pow(x[4] - 1, 6);

    public static void G46(ReadOnlySpan<double> x, Span<double> g)
    {
        g[0] = 2 * (x[0] - x[1]); g[1] = -2 * (x[0] - x[1]); g[2] = 2 * (x[2] - 1);
        g[3] = 4 * Math.Pow(x[3] - 1, 3); g[4] = 6 * Math.Pow(x[4] - 1, 5);
    }

    public static void H46(ReadOnlySpan<double> x, double[,] h)
    {
        h[0, 0] += 2; h[0, 1] += -2; h[1, 1] += 2; h[2, 2] += 2;
        h[3, 3] += 12 * Math.Pow(x[3] - 1, 2); h[4, 4] += 30 * Math.Pow(x[4] - 1, 4);
    }

    // x1^2 x4 + sin(x4 - x5) (row r of the Jacobian, weight l in the Hessian): constraint 1 of HS46 and HS77.
    public static double C1(ReadOnlySpan<double> x) => x[0] * x[0] * x[3] + Math.Sin(x[3] - x[4]);

    public static void J1(ReadOnlySpan<double> x, double[,] j, int r)
    {
        double cs = Math.Cos(x[3] - x[4]);
        j[r, 0] = 2 * x[0] * x[3]; j[r, 3] = x[0] * x[0] + cs; j[r, 4] = -cs;
    }

    public static void H1(ReadOnlySpan<double> x, double l, double[,] h)
    {
        double sn = Math.Sin(x[3] - x[4]);
        h[0, 0] += 2 * x[3] * l; h[0, 3] += 2 * x[0] * l;
        h[3, 3] -= sn * l; h[3, 4] += sn * l; h[4, 4] -= sn * l;
    }

    // x2 + x3^4 x4^2: constraint 2 of HS46 and HS77.
    public static double C2(ReadOnlySpan<double> x) => x[1] + Math.Pow(x[2], 4) * x[3] * x[3];

    public static void J2(ReadOnlySpan<double> x, double[,] j, int r)
    {
        j[r, 1] = 1; j[r, 2] = 4 * Math.Pow(x[2], 3) * x[3] * x[3]; j[r, 3] = 2 * Math.Pow(x[2], 4) * x[3];
    }

    public static void H2(ReadOnlySpan<double> x, double l, double[,] h)
    {
        h[2, 2] += 12 * x[2] * x[2] * x[3] * x[3] * l; h[2, 3] += 8 * Math.Pow(x[2], 3) * x[3] * l; h[3, 3] += 2 * Math.Pow(x[2], 4) * l;
    }

    // x1 + x2^2 + x3^3, x2 - x3^2 + x4 and x1 x5: the constraint bodies of HS47 and HS79.
    public static void C47(ReadOnlySpan<double> x, Span<double> c)
    {
        c[0] = x[0] + x[1] * x[1] + x[2] * x[2] * x[2];
        c[1] = x[1] - x[2] * x[2] + x[3];
        c[2] = x[0] * x[4];
    }

    public static void J47(ReadOnlySpan<double> x, double[,] j)
    {
        j[0, 0] = 1; j[0, 1] = 2 * x[1]; j[0, 2] = 3 * x[2] * x[2];
        j[1, 1] = 1; j[1, 2] = -2 * x[2]; j[1, 3] = 1;
        j[2, 0] = x[4]; j[2, 4] = x[0];
    }

    public static void H47(ReadOnlySpan<double> x, ReadOnlySpan<double> l, double[,] h)
    {
        h[1, 1] += 2 * l[0]; h[2, 2] += 6 * x[2] * l[0] - 2 * l[1]; h[0, 4] += l[2];
    }
}

/// <summary>
/// HS46 (Hock and Schittkowski 1981): min (x1 - x2)^2 + (x3 - 1)^2 + (x4 - 1)^4 + (x5 - 1)^6 s.t.
/// x1^2 x4 + sin(x4 - x5) - 1 = 0, x2 + x3^4 x4^2 - 2 = 0; x0 = (sqrt 2 / 2, 1.75, 0.5, 2, 2), x* = (1, 1, 1, 1, 1), f* = 0.
/// </summary>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed class Hs046 : HockSchittkowskiProblem
{
    /// <inheritdoc/>
    public override string Name => "hs046";
    /// <inheritdoc/>
    public override int Dimension => 5;
    /// <inheritdoc/>
    public override int ConstraintCount => 2;
    /// <inheritdoc/>
    public override double? KnownOptimalValue => 0.0;
    /// <inheritdoc/>
    public override double[] StartingPoint() => [0.5 * Math.Sqrt(2), 1.75, 0.5, 2.0, 2.0];
    /// <inheritdoc/>
    public override double[] KnownSolution() => [1.0, 1.0, 1.0, 1.0, 1.0];
    /// <inheritdoc/>
    public override double Objective(ReadOnlySpan<double> x) => HsParts.F46(x);
    /// <inheritdoc/>
    public override void Constraints(ReadOnlySpan<double> x, Span<double> c) { c[0] = HsParts.C1(x) - 1; c[1] = HsParts.C2(x) - 2; }
    /// <inheritdoc/>
    protected override void FillGradient(ReadOnlySpan<double> x, Span<double> g) => HsParts.G46(x, g);
    /// <inheritdoc/>
    protected override void FillJacobian(ReadOnlySpan<double> x, double[,] j) { HsParts.J1(x, j, 0); HsParts.J2(x, j, 1); }
    /// <inheritdoc/>
    protected override void FillHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> l, double[,] h)
    {
        HsParts.H46(x, h); HsParts.H1(x, l[0], h); HsParts.H2(x, l[1], h);
    }
}

/// <summary>
/// HS47 (Hock and Schittkowski 1981): min (x1 - x2)^2 + (x2 - x3)^3 + (x3 - x4)^4 + (x4 - x5)^4 s.t.
/// x1 + x2^2 + x3^3 - 3 = 0, x2 - x3^2 + x4 - 1 = 0, x1 x5 - 1 = 0; x0 = (2, sqrt 2, -1, 2 - sqrt 2, 0.5),
/// x* = (1, 1, 1, 1, 1), f* = 0.
/// </summary>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed class Hs047 : HockSchittkowskiProblem
{
    /// <inheritdoc/>
    public override string Name => "hs047";
    /// <inheritdoc/>
    public override int Dimension => 5;
    /// <inheritdoc/>
    public override int ConstraintCount => 3;
    /// <inheritdoc/>
    public override double? KnownOptimalValue => 0.0;
    /// <inheritdoc/>
    public override double[] StartingPoint() => [2.0, Math.Sqrt(2), -1.0, 2 - Math.Sqrt(2), 0.5];
    /// <inheritdoc/>
    public override double[] KnownSolution() => [1.0, 1.0, 1.0, 1.0, 1.0];
    /// <inheritdoc/>
    public override double Objective(ReadOnlySpan<double> x)
        => Math.Pow(x[0] - x[1], 2) + Math.Pow(x[1] - x[2], 3) + Math.Pow(x[2] - x[3], 4) + Math.Pow(x[3] - x[4], 4);
    /// <inheritdoc/>
    public override void Constraints(ReadOnlySpan<double> x, Span<double> c)
    {
        HsParts.C47(x, c);
        c[0] -= 3; c[1] -= 1; c[2] -= 1;
    }
    /// <inheritdoc/>
    protected override void FillGradient(ReadOnlySpan<double> x, Span<double> g)
    {
        double a = x[0] - x[1], b = x[1] - x[2], e = x[2] - x[3], d = x[3] - x[4];
        g[0] = 2 * a; g[1] = -2 * a + 3 * b * b; g[2] = -3 * b * b + 4 * e * e * e;
        g[3] = -4 * e * e * e + 4 * d * d * d; g[4] = -4 * d * d * d;
    }
    /// <inheritdoc/>
    protected override void FillJacobian(ReadOnlySpan<double> x, double[,] j) => HsParts.J47(x, j);
    /// <inheritdoc/>
    protected override void FillHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> l, double[,] h)
    {
        double b = x[1] - x[2], e2 = 12 * Math.Pow(x[2] - x[3], 2), d2 = 12 * Math.Pow(x[3] - x[4], 2);
        h[0, 0] = 2; h[0, 1] = -2; h[1, 1] = 2 + 6 * b; h[1, 2] = -6 * b;
        h[2, 2] = 6 * b + e2; h[2, 3] = -e2; h[3, 3] = e2 + d2; h[3, 4] = -d2; h[4, 4] = d2;
        HsParts.H47(x, l, h);
    }
}

/// <summary>
/// HS48 (Hock and Schittkowski 1981): min (x1 - 1)^2 + (x2 - x3)^2 + (x4 - x5)^2 s.t. x1 + ... + x5 - 5 = 0,
/// x3 - 2 (x4 + x5) + 3 = 0; x0 = (3, 5, -3, 2, -2), x* = (1, 1, 1, 1, 1), f* = 0.
/// </summary>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed class Hs048 : HockSchittkowskiProblem
{
    /// <inheritdoc/>
    public override string Name => "hs048";
    /// <inheritdoc/>
    public override int Dimension => 5;
    /// <inheritdoc/>
    public override int ConstraintCount => 2;
    /// <inheritdoc/>
    public override double? KnownOptimalValue => 0.0;
    /// <inheritdoc/>
    public override double[] StartingPoint() => [3.0, 5.0, -3.0, 2.0, -2.0];
    /// <inheritdoc/>
    public override double[] KnownSolution() => [1.0, 1.0, 1.0, 1.0, 1.0];
    /// <inheritdoc/>
    public override double Objective(ReadOnlySpan<double> x)
        => Math.Pow(x[0] - 1, 2) + Math.Pow(x[1] - x[2], 2) + Math.Pow(x[3] - x[4], 2);
    /// <inheritdoc/>
    public override void Constraints(ReadOnlySpan<double> x, Span<double> c)
    {
        c[0] = x[0] + x[1] + x[2] + x[3] + x[4] - 5;
        c[1] = x[2] - 2 * (x[3] + x[4]) + 3;
    }
    /// <inheritdoc/>
    protected override void FillGradient(ReadOnlySpan<double> x, Span<double> g)
    {
        g[0] = 2 * (x[0] - 1); g[1] = 2 * (x[1] - x[2]); g[2] = -g[1]; g[3] = 2 * (x[3] - x[4]); g[4] = -g[3];
    }
    /// <inheritdoc/>
    protected override void FillJacobian(ReadOnlySpan<double> x, double[,] j)
    {
        for (int k = 0; k < 5; k++) j[0, k] = 1;
        j[1, 2] = 1; j[1, 3] = -2; j[1, 4] = -2;
    }
    /// <inheritdoc/>
    protected override void FillHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> l, double[,] h)
    {
        h[0, 0] = 2; h[1, 1] = 2; h[1, 2] = -2; h[2, 2] = 2; h[3, 3] = 2; h[3, 4] = -2; h[4, 4] = 2;
    }
}

/// <summary>
/// HS49 (Hock and Schittkowski 1981): min (x1 - x2)^2 + (x3 - 1)^2 + (x4 - 1)^4 + (x5 - 1)^6 s.t.
/// x1 + x2 + x3 + 4 x4 - 7 = 0, x3 + 5 x5 - 6 = 0; x0 = (10, 7, 2, -3, 0.8), x* = (1, 1, 1, 1, 1), f* = 0.
/// </summary>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed class Hs049 : HockSchittkowskiProblem
{
    /// <inheritdoc/>
    public override string Name => "hs049";
    /// <inheritdoc/>
    public override int Dimension => 5;
    /// <inheritdoc/>
    public override int ConstraintCount => 2;
    /// <inheritdoc/>
    public override double? KnownOptimalValue => 0.0;
    /// <inheritdoc/>
    public override double[] StartingPoint() => [10.0, 7.0, 2.0, -3.0, 0.8];
    /// <inheritdoc/>
    public override double[] KnownSolution() => [1.0, 1.0, 1.0, 1.0, 1.0];
    /// <inheritdoc/>
    public override double Objective(ReadOnlySpan<double> x) => HsParts.F46(x);
    /// <inheritdoc/>
    public override void Constraints(ReadOnlySpan<double> x, Span<double> c)
    {
        c[0] = x[0] + x[1] + x[2] + 4 * x[3] - 7;
        c[1] = x[2] + 5 * x[4] - 6;
    }
    /// <inheritdoc/>
    protected override void FillGradient(ReadOnlySpan<double> x, Span<double> g) => HsParts.G46(x, g);
    /// <inheritdoc/>
    protected override void FillJacobian(ReadOnlySpan<double> x, double[,] j)
    {
        j[0, 0] = 1; j[0, 1] = 1; j[0, 2] = 1; j[0, 3] = 4; j[1, 2] = 1; j[1, 4] = 5;
    }
    /// <inheritdoc/>
    protected override void FillHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> l, double[,] h) => HsParts.H46(x, h);
}

/// <summary>
/// HS50 (Hock and Schittkowski 1981): min (x1 - x2)^2 + (x2 - x3)^2 + (x3 - x4)^4 + (x4 - x5)^2 s.t.
/// x1 + 2 x2 + 3 x3 - 6 = 0, x2 + 2 x3 + 3 x4 - 6 = 0, x3 + 2 x4 + 3 x5 - 6 = 0; x0 = (35, -31, 11, 5, -5),
/// x* = (1, 1, 1, 1, 1), f* = 0.
/// </summary>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed class Hs050 : HockSchittkowskiProblem
{
    /// <inheritdoc/>
    public override string Name => "hs050";
    /// <inheritdoc/>
    public override int Dimension => 5;
    /// <inheritdoc/>
    public override int ConstraintCount => 3;
    /// <inheritdoc/>
    public override double? KnownOptimalValue => 0.0;
    /// <inheritdoc/>
    public override double[] StartingPoint() => [35.0, -31.0, 11.0, 5.0, -5.0];
    /// <inheritdoc/>
    public override double[] KnownSolution() => [1.0, 1.0, 1.0, 1.0, 1.0];
    /// <inheritdoc/>
    public override double Objective(ReadOnlySpan<double> x)
        => Math.Pow(x[0] - x[1], 2) + Math.Pow(x[1] - x[2], 2) + Math.Pow(x[2] - x[3], 4) + Math.Pow(x[3] - x[4], 2);
    /// <inheritdoc/>
    public override void Constraints(ReadOnlySpan<double> x, Span<double> c)
    {
        for (int i = 0; i < 3; i++) c[i] = x[i] + 2 * x[i + 1] + 3 * x[i + 2] - 6;
    }
    /// <inheritdoc/>
    protected override void FillGradient(ReadOnlySpan<double> x, Span<double> g)
    {
        double a = x[0] - x[1], b = x[1] - x[2], e = x[2] - x[3], d = x[3] - x[4];
        g[0] = 2 * a; g[1] = -2 * a + 2 * b; g[2] = -2 * b + 4 * e * e * e; g[3] = -4 * e * e * e + 2 * d; g[4] = -2 * d;
    }
    /// <inheritdoc/>
    protected override void FillJacobian(ReadOnlySpan<double> x, double[,] j)
    {
        for (int i = 0; i < 3; i++) { j[i, i] = 1; j[i, i + 1] = 2; j[i, i + 2] = 3; }
    }
    /// <inheritdoc/>
    protected override void FillHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> l, double[,] h)
    {
        double e2 = 12 * Math.Pow(x[2] - x[3], 2);
        h[0, 0] = 2; h[0, 1] = -2; h[1, 1] = 4; h[1, 2] = -2; h[2, 2] = 2 + e2; h[2, 3] = -e2;
        h[3, 3] = e2 + 2; h[3, 4] = -2; h[4, 4] = 2;
    }
}

/// <summary>Shared constraints of HS51 and HS52: x1 + 3 x2 - r = 0, x3 + x4 - 2 x5 = 0, x2 - x5 = 0.</summary>
internal static class Hs51Constraints
{
    public static void C(ReadOnlySpan<double> x, Span<double> c, double r)
    {
        c[0] = x[0] + 3 * x[1] - r; c[1] = x[2] + x[3] - 2 * x[4]; c[2] = x[1] - x[4];
    }

    public static void J(double[,] j)
    {
        j[0, 0] = 1; j[0, 1] = 3; j[1, 2] = 1; j[1, 3] = 1; j[1, 4] = -2; j[2, 1] = 1; j[2, 4] = -1;
    }
}

/// <summary>
/// HS51 (Hock and Schittkowski 1981): min (x1 - x2)^2 + (x2 + x3 - 2)^2 + (x4 - 1)^2 + (x5 - 1)^2 s.t.
/// x1 + 3 x2 - 4 = 0, x3 + x4 - 2 x5 = 0, x2 - x5 = 0; x0 = (2.5, 0.5, 2, -1, 0.5), x* = (1, 1, 1, 1, 1), f* = 0.
/// </summary>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed class Hs051 : HockSchittkowskiProblem
{
    /// <inheritdoc/>
    public override string Name => "hs051";
    /// <inheritdoc/>
    public override int Dimension => 5;
    /// <inheritdoc/>
    public override int ConstraintCount => 3;
    /// <inheritdoc/>
    public override double? KnownOptimalValue => 0.0;
    /// <inheritdoc/>
    public override double[] StartingPoint() => [2.5, 0.5, 2.0, -1.0, 0.5];
    /// <inheritdoc/>
    public override double[] KnownSolution() => [1.0, 1.0, 1.0, 1.0, 1.0];
    /// <inheritdoc/>
    public override double Objective(ReadOnlySpan<double> x)
        => Math.Pow(x[0] - x[1], 2) + Math.Pow(x[1] + x[2] - 2, 2) + Math.Pow(x[3] - 1, 2) + Math.Pow(x[4] - 1, 2);
    /// <inheritdoc/>
    public override void Constraints(ReadOnlySpan<double> x, Span<double> c) => Hs51Constraints.C(x, c, 4);
    /// <inheritdoc/>
    protected override void FillGradient(ReadOnlySpan<double> x, Span<double> g)
    {
        double a = x[0] - x[1], b = x[1] + x[2] - 2;
        g[0] = 2 * a; g[1] = -2 * a + 2 * b; g[2] = 2 * b; g[3] = 2 * (x[3] - 1); g[4] = 2 * (x[4] - 1);
    }
    /// <inheritdoc/>
    protected override void FillJacobian(ReadOnlySpan<double> x, double[,] j) => Hs51Constraints.J(j);
    /// <inheritdoc/>
    protected override void FillHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> l, double[,] h)
    {
        h[0, 0] = 2; h[0, 1] = -2; h[1, 1] = 4; h[1, 2] = 2; h[2, 2] = 2; h[3, 3] = 2; h[4, 4] = 2;
    }
}

/// <summary>
/// HS52 (Hock and Schittkowski 1981): min (4 x1 - x2)^2 + (x2 + x3 - 2)^2 + (x4 - 1)^2 + (x5 - 1)^2 s.t.
/// x1 + 3 x2 = 0, x3 + x4 - 2 x5 = 0, x2 - x5 = 0; x0 = (2, 2, 2, 2, 2),
/// x* = (-33, 11, 180, -158, 11) / 349, f* = 1859/349.
/// </summary>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed class Hs052 : HockSchittkowskiProblem
{
    /// <inheritdoc/>
    public override string Name => "hs052";
    /// <inheritdoc/>
    public override int Dimension => 5;
    /// <inheritdoc/>
    public override int ConstraintCount => 3;
    /// <inheritdoc/>
    public override double? KnownOptimalValue => 1859.0 / 349.0;
    /// <inheritdoc/>
    public override double[] StartingPoint() => [2.0, 2.0, 2.0, 2.0, 2.0];
    /// <inheritdoc/>
    public override double[] KnownSolution() => [-33.0 / 349, 11.0 / 349, 180.0 / 349, -158.0 / 349, 11.0 / 349];
    /// <inheritdoc/>
    public override double Objective(ReadOnlySpan<double> x)
        => Math.Pow(4 * x[0] - x[1], 2) + Math.Pow(x[1] + x[2] - 2, 2) + Math.Pow(x[3] - 1, 2) + Math.Pow(x[4] - 1, 2);
    /// <inheritdoc/>
    public override void Constraints(ReadOnlySpan<double> x, Span<double> c) => Hs51Constraints.C(x, c, 0);
    /// <inheritdoc/>
    protected override void FillGradient(ReadOnlySpan<double> x, Span<double> g)
    {
        double a = 4 * x[0] - x[1], b = x[1] + x[2] - 2;
        g[0] = 8 * a; g[1] = -2 * a + 2 * b; g[2] = 2 * b; g[3] = 2 * (x[3] - 1); g[4] = 2 * (x[4] - 1);
    }
    /// <inheritdoc/>
    protected override void FillJacobian(ReadOnlySpan<double> x, double[,] j) => Hs51Constraints.J(j);
    /// <inheritdoc/>
    protected override void FillHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> l, double[,] h)
    {
        h[0, 0] = 32; h[0, 1] = -8; h[1, 1] = 4; h[1, 2] = 2; h[2, 2] = 2; h[3, 3] = 2; h[4, 4] = 2;
    }
}

/// <summary>
/// HS56 (Hock and Schittkowski 1981): min -x1 x2 x3 s.t. x1 - 4.2 sin^2 x4 = 0, x2 - 4.2 sin^2 x5 = 0,
/// x3 - 4.2 sin^2 x6 = 0, x1 + 2 x2 + 2 x3 - 7.2 sin^2 x7 = 0; x0 = (1, 1, 1, a, a, a, b) with
/// a = asin sqrt(1/4.2), b = asin sqrt(5/7.2); x* = (2.4, 1.2, 1.2, asin sqrt(4/7), asin sqrt(2/7), asin sqrt(2/7), pi/2),
/// f* = -3.456. The original bounds x1, x2, x3 &gt;= 0 are inactive at x* and omitted.
/// </summary>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed class Hs056 : HockSchittkowskiProblem
{
    /// <inheritdoc/>
    public override string Name => "hs056";
    /// <inheritdoc/>
    public override int Dimension => 7;
    /// <inheritdoc/>
    public override int ConstraintCount => 4;
    /// <inheritdoc/>
    public override double? KnownOptimalValue => -3.456;
    /// <inheritdoc/>
    public override double[] StartingPoint()
    {
        double a = Math.Asin(Math.Sqrt(1 / 4.2)), b = Math.Asin(Math.Sqrt(5 / 7.2));
        return [1.0, 1.0, 1.0, a, a, a, b];
    }
    /// <inheritdoc/>
    public override double[] KnownSolution()
    {
        double p = Math.Asin(Math.Sqrt(4.0 / 7)), q = Math.Asin(Math.Sqrt(2.0 / 7));
        return [2.4, 1.2, 1.2, p, q, q, Math.PI / 2];
    }
    /// <inheritdoc/>
    public override double Objective(ReadOnlySpan<double> x) => -x[0] * x[1] * x[2];
    /// <inheritdoc/>
    public override void Constraints(ReadOnlySpan<double> x, Span<double> c)
    {
        for (int i = 0; i < 3; i++) c[i] = x[i] - 4.2 * Math.Pow(Math.Sin(x[i + 3]), 2);
        c[3] = x[0] + 2 * x[1] + 2 * x[2] - 7.2 * Math.Pow(Math.Sin(x[6]), 2);
    }
    /// <inheritdoc/>
    protected override void FillGradient(ReadOnlySpan<double> x, Span<double> g)
    {
        g[0] = -x[1] * x[2]; g[1] = -x[0] * x[2]; g[2] = -x[0] * x[1];
    }
    /// <inheritdoc/>
    protected override void FillJacobian(ReadOnlySpan<double> x, double[,] j)
    {
        // d/dt sin^2 t = sin 2t.
        for (int i = 0; i < 3; i++) { j[i, i] = 1; j[i, i + 3] = -4.2 * Math.Sin(2 * x[i + 3]); }
        j[3, 0] = 1; j[3, 1] = 2; j[3, 2] = 2; j[3, 6] = -7.2 * Math.Sin(2 * x[6]);
    }
    /// <inheritdoc/>
    protected override void FillHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> l, double[,] h)
    {
        h[0, 1] = -x[2]; h[0, 2] = -x[1]; h[1, 2] = -x[0];
        for (int i = 0; i < 3; i++) h[i + 3, i + 3] = -8.4 * Math.Cos(2 * x[i + 3]) * l[i];
        h[6, 6] = -14.4 * Math.Cos(2 * x[6]) * l[3];
    }
}

/// <summary>
/// HS61 (Hock and Schittkowski 1981): min 4 x1^2 + 2 x2^2 + 2 x3^2 - 33 x1 + 16 x2 - 24 x3 s.t.
/// 3 x1 - 2 x2^2 - 7 = 0, 4 x1 - x3^2 - 11 = 0; x0 = (0, 0, 0), x* = (5.32677015, -2.11899863, 3.21046423) as published
/// (KnownSolution gives the KKT point refined by Newton's method, to ten digits),
/// f* = -143.6461422.
/// </summary>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed class Hs061 : HockSchittkowskiProblem
{
    /// <inheritdoc/>
    public override string Name => "hs061";
    /// <inheritdoc/>
    public override int Dimension => 3;
    /// <inheritdoc/>
    public override int ConstraintCount => 2;
    /// <inheritdoc/>
    public override double? KnownOptimalValue => -143.6461422;
    /// <inheritdoc/>
    public override double[] StartingPoint() => [0.0, 0.0, 0.0];
    /// <inheritdoc/>
    public override double[] KnownSolution() => [5.326770136, -2.118998632, 3.210464225];
    /// <inheritdoc/>
    public override double Objective(ReadOnlySpan<double> x)
        => 4 * x[0] * x[0] + 2 * x[1] * x[1] + 2 * x[2] * x[2] - 33 * x[0] + 16 * x[1] - 24 * x[2];
    /// <inheritdoc/>
    public override void Constraints(ReadOnlySpan<double> x, Span<double> c)
    {
        c[0] = 3 * x[0] - 2 * x[1] * x[1] - 7;
        c[1] = 4 * x[0] - x[2] * x[2] - 11;
    }
    /// <inheritdoc/>
    protected override void FillGradient(ReadOnlySpan<double> x, Span<double> g)
    {
        g[0] = 8 * x[0] - 33; g[1] = 4 * x[1] + 16; g[2] = 4 * x[2] - 24;
    }
    /// <inheritdoc/>
    protected override void FillJacobian(ReadOnlySpan<double> x, double[,] j)
    {
        j[0, 0] = 3; j[0, 1] = -4 * x[1]; j[1, 0] = 4; j[1, 2] = -2 * x[2];
    }
    /// <inheritdoc/>
    protected override void FillHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> l, double[,] h)
    {
        h[0, 0] = 8; h[1, 1] = 4 - 4 * l[0]; h[2, 2] = 4 - 2 * l[1];
    }
}

/// <summary>
/// HS77 (Hock and Schittkowski 1981): min (x1 - 1)^2 + (x1 - x2)^2 + (x3 - 1)^2 + (x4 - 1)^4 + (x5 - 1)^6 s.t.
/// x1^2 x4 + sin(x4 - x5) - 2 sqrt 2 = 0, x2 + x3^4 x4^2 - 8 - sqrt 2 = 0; x0 = (2, 2, 2, 2, 2),
/// x* = (1.166172, 1.182111, 1.380257, 1.506036, 0.6109203), f* = 0.24150513.
/// </summary>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed class Hs077 : HockSchittkowskiProblem
{
    /// <inheritdoc/>
    public override string Name => "hs077";
    /// <inheritdoc/>
    public override int Dimension => 5;
    /// <inheritdoc/>
    public override int ConstraintCount => 2;
    /// <inheritdoc/>
    public override double? KnownOptimalValue => 0.24150513;
    /// <inheritdoc/>
    public override double[] StartingPoint() => [2.0, 2.0, 2.0, 2.0, 2.0];
    /// <inheritdoc/>
    public override double[] KnownSolution() => [1.166172, 1.182111, 1.380257, 1.506036, 0.6109203];
    /// <inheritdoc/>
    public override double Objective(ReadOnlySpan<double> x)
        => Math.Pow(x[0] - 1, 2) + Math.Pow(x[0] - x[1], 2) + Math.Pow(x[2] - 1, 2) + Math.Pow(x[3] - 1, 4) + Math.Pow(x[4] - 1, 6);
    /// <inheritdoc/>
    public override void Constraints(ReadOnlySpan<double> x, Span<double> c)
    {
        c[0] = HsParts.C1(x) - 2 * Math.Sqrt(2);
        c[1] = HsParts.C2(x) - 8 - Math.Sqrt(2);
    }
    /// <inheritdoc/>
    protected override void FillGradient(ReadOnlySpan<double> x, Span<double> g)
    {
        g[0] = 2 * (x[0] - 1) + 2 * (x[0] - x[1]); g[1] = -2 * (x[0] - x[1]); g[2] = 2 * (x[2] - 1);
        g[3] = 4 * Math.Pow(x[3] - 1, 3); g[4] = 6 * Math.Pow(x[4] - 1, 5);
    }
    /// <inheritdoc/>
    protected override void FillJacobian(ReadOnlySpan<double> x, double[,] j) { HsParts.J1(x, j, 0); HsParts.J2(x, j, 1); }
    /// <inheritdoc/>
    protected override void FillHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> l, double[,] h)
    {
        h[0, 0] = 4; h[0, 1] = -2; h[1, 1] = 2; h[2, 2] = 2;
        h[3, 3] = 12 * Math.Pow(x[3] - 1, 2); h[4, 4] = 30 * Math.Pow(x[4] - 1, 4);
        HsParts.H1(x, l[0], h); HsParts.H2(x, l[1], h);
    }
}

/// <summary>
/// HS78 (Hock and Schittkowski 1981): min x1 x2 x3 x4 x5 s.t. sum x_i^2 - 10 = 0, x2 x3 - 5 x4 x5 = 0,
/// x1^3 + x2^3 + 1 = 0; x0 = (-2, 1.5, 2, -1, -1), x* = (-1.717143, 1.595709, 1.827247, -0.7636413, -0.7636450),
/// f* = -2.91970041.
/// </summary>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed class Hs078 : HockSchittkowskiProblem
{
    /// <inheritdoc/>
    public override string Name => "hs078";
    /// <inheritdoc/>
    public override int Dimension => 5;
    /// <inheritdoc/>
    public override int ConstraintCount => 3;
    /// <inheritdoc/>
    public override double? KnownOptimalValue => -2.91970041;
    /// <inheritdoc/>
    public override double[] StartingPoint() => [-2.0, 1.5, 2.0, -1.0, -1.0];
    /// <inheritdoc/>
    public override double[] KnownSolution() => [-1.717143, 1.595709, 1.827247, -0.7636413, -0.7636450];
    /// <inheritdoc/>
    public override double Objective(ReadOnlySpan<double> x) => x[0] * x[1] * x[2] * x[3] * x[4];
    /// <inheritdoc/>
    public override void Constraints(ReadOnlySpan<double> x, Span<double> c)
    {
        double s = 0;
        for (int i = 0; i < 5; i++) s += x[i] * x[i];
        c[0] = s - 10;
        c[1] = x[1] * x[2] - 5 * x[3] * x[4];
        c[2] = x[0] * x[0] * x[0] + x[1] * x[1] * x[1] + 1;
    }
    /// <inheritdoc/>
    protected override void FillGradient(ReadOnlySpan<double> x, Span<double> g)
    {
        for (int i = 0; i < 5; i++)
        {
            double p = 1;
            for (int k = 0; k < 5; k++) if (k != i) p *= x[k];
            g[i] = p;
        }
    }
    /// <inheritdoc/>
    protected override void FillJacobian(ReadOnlySpan<double> x, double[,] j)
    {
        for (int i = 0; i < 5; i++) j[0, i] = 2 * x[i];
        j[1, 1] = x[2]; j[1, 2] = x[1]; j[1, 3] = -5 * x[4]; j[1, 4] = -5 * x[3];
        j[2, 0] = 3 * x[0] * x[0]; j[2, 1] = 3 * x[1] * x[1];
    }
    /// <inheritdoc/>
    protected override void FillHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> l, double[,] h)
    {
        for (int i = 0; i < 5; i++)
            for (int k = i + 1; k < 5; k++)
            {
                double p = 1;
                for (int r = 0; r < 5; r++) if (r != i && r != k) p *= x[r];
                h[i, k] = p;
            }
        for (int i = 0; i < 5; i++) h[i, i] = 2 * l[0];
        h[1, 2] += l[1]; h[3, 4] += -5 * l[1];
        h[0, 0] += 6 * x[0] * l[2]; h[1, 1] += 6 * x[1] * l[2];
    }
}

/// <summary>
/// HS79 (Hock and Schittkowski 1981): min (x1 - 1)^2 + (x1 - x2)^2 + (x2 - x3)^2 + (x3 - x4)^4 + (x4 - x5)^4 s.t.
/// x1 + x2^2 + x3^3 - 2 - 3 sqrt 2 = 0, x2 - x3^2 + x4 + 2 - 2 sqrt 2 = 0, x1 x5 - 2 = 0; x0 = (2, 2, 2, 2, 2),
/// x* = (1.191127, 1.362603, 1.472818, 1.635017, 1.679081), f* = 0.0787768209.
/// </summary>
/// <remarks>Thread safety: immutable; safe to share between threads.</remarks>
public sealed class Hs079 : HockSchittkowskiProblem
{
    /// <inheritdoc/>
    public override string Name => "hs079";
    /// <inheritdoc/>
    public override int Dimension => 5;
    /// <inheritdoc/>
    public override int ConstraintCount => 3;
    /// <inheritdoc/>
    public override double? KnownOptimalValue => 0.0787768209;
    /// <inheritdoc/>
    public override double[] StartingPoint() => [2.0, 2.0, 2.0, 2.0, 2.0];
    /// <inheritdoc/>
    public override double[] KnownSolution() => [1.191127, 1.362603, 1.472818, 1.635017, 1.679081];
    /// <inheritdoc/>
    public override double Objective(ReadOnlySpan<double> x)
        => Math.Pow(x[0] - 1, 2) + Math.Pow(x[0] - x[1], 2) + Math.Pow(x[1] - x[2], 2) + Math.Pow(x[2] - x[3], 4) + Math.Pow(x[3] - x[4], 4);
    /// <inheritdoc/>
    public override void Constraints(ReadOnlySpan<double> x, Span<double> c)
    {
        HsParts.C47(x, c);
        c[0] -= 2 + 3 * Math.Sqrt(2); c[1] += 2 - 2 * Math.Sqrt(2); c[2] -= 2;
    }
    /// <inheritdoc/>
    protected override void FillGradient(ReadOnlySpan<double> x, Span<double> g)
    {
        double a = x[0] - x[1], b = x[1] - x[2], e = x[2] - x[3], d = x[3] - x[4];
        g[0] = 2 * (x[0] - 1) + 2 * a; g[1] = -2 * a + 2 * b; g[2] = -2 * b + 4 * e * e * e;
        g[3] = -4 * e * e * e + 4 * d * d * d; g[4] = -4 * d * d * d;
    }
    /// <inheritdoc/>
    protected override void FillJacobian(ReadOnlySpan<double> x, double[,] j) => HsParts.J47(x, j);
    /// <inheritdoc/>
    protected override void FillHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> l, double[,] h)
    {
        double e2 = 12 * Math.Pow(x[2] - x[3], 2), d2 = 12 * Math.Pow(x[3] - x[4], 2);
        h[0, 0] = 4; h[0, 1] = -2; h[1, 1] = 4; h[1, 2] = -2; h[2, 2] = 2 + e2; h[2, 3] = -e2;
        h[3, 3] = e2 + d2; h[3, 4] = -d2; h[4, 4] = d2;
        HsParts.H47(x, l, h);
    }
}
