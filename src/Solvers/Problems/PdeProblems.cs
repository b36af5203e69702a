using System.Globalization;
using Solvers.Sparse;

namespace Solvers.Problems;

/// <summary>
/// Finite-difference model problems on the unit square or cube with homogeneous Dirichlet boundary conditions
/// eliminated: the unknowns are the interior grid points only, so every matrix is symmetric positive definite.
/// </summary>
/// <remarks>
/// <para>Grids have n interior points per direction with spacing h = 1/(n+1); interior point (i, j) sits at
/// x = (j+1)h, y = (i+1)h and has unknown index i*n + j (row-major, x varying fastest). In 3D, point (i, j, l)
/// has index (i*n + j)*n + l. Matrices are scaled by h^2 (the 2D Poisson stencil is 4 on the diagonal and -1 for
/// each neighbour), so entries do not depend on h except through a variable coefficient.</para>
/// <para>Rows are written directly in CSR order with sorted columns, so building is linear in the number of
/// stored entries (10^6 unknowns take a few tens of milliseconds).</para>
/// <para>Thread safety: all members are stateless and safe to call concurrently (the coefficient callback of
/// <see cref="VariableCoefficient2D(int, Func{double, double, double})"/> is called on the calling thread).</para>
/// </remarks>
public static class PdeProblems
{
    /// <summary>The problem specifications <see cref="Parse"/> accepts, for help texts.</summary>
    public static IReadOnlyList<string> SpecForms { get; } =
        ["poisson2d:N", "poisson3d:N", "anisotropic2d:N,eps", "variable2d:N"];

    /// <summary>5-point Laplacian on an n x n interior grid: n^2 unknowns, 5n^2 - 4n stored entries.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is below 1, or the matrix would not fit in 32-bit indices.</exception>
    public static CsrMatrix Poisson2D(int n) => Stencil2D(n, 1.0, 1.0, nameof(n));

    /// <summary>
    /// Anisotropic operator -u_xx - epsilon*u_yy on an n x n interior grid: diagonal 2 + 2*epsilon, -1 for the
    /// x-neighbours (indices i*n + j ± 1) and -epsilon for the y-neighbours (indices (i ± 1)*n + j).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is below 1, the matrix would not fit in
    /// 32-bit indices, or <paramref name="epsilon"/> is not positive and finite.</exception>
    public static CsrMatrix Anisotropic2D(int n, double epsilon)
    {
        if (!(epsilon > 0) || !double.IsFinite(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "The anisotropy epsilon must be positive and finite.");
        return Stencil2D(n, 1.0, epsilon, nameof(n));
    }

    /// <summary>7-point Laplacian on an n x n x n interior grid: n^3 unknowns, diagonal 6, 7n^3 - 6n^2 stored entries.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is below 1, or the matrix would not fit in 32-bit indices.</exception>
    public static CsrMatrix Poisson3D(int n)
    {
        long nn = CheckSize(n, nameof(n), dims: 3, stencil: 7);
        int n2 = n * n;
        int unknowns = (int)nn;
        var rp = new int[unknowns + 1];
        var ci = new int[7L * nn - 6L * n2];
        var v = new double[ci.Length];
        int k = 0, row = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int l = 0; l < n; l++, row++)
                {
                    if (i > 0) { ci[k] = row - n2; v[k++] = -1; }
                    if (j > 0) { ci[k] = row - n; v[k++] = -1; }
                    if (l > 0) { ci[k] = row - 1; v[k++] = -1; }
                    ci[k] = row; v[k++] = 6;
                    if (l < n - 1) { ci[k] = row + 1; v[k++] = -1; }
                    if (j < n - 1) { ci[k] = row + n; v[k++] = -1; }
                    if (i < n - 1) { ci[k] = row + n2; v[k++] = -1; }
                    rp[row + 1] = k;
                }
        // Built row by row in order with sorted columns: valid by construction, so skip the copy and re-check.
        return CsrMatrix.FromTrustedArrays(unknowns, unknowns, rp, ci, v);
    }

    /// <summary>
    /// The default coefficient field of <see cref="VariableCoefficient2D(int)"/>:
    /// k(x, y) = 1 + 0.9 sin(2πx) sin(2πy), smooth and between 0.1 and 1.9, so the problem is well posed but its
    /// coefficient varies by a factor of 19.
    /// </summary>
    public static double DefaultCoefficient(double x, double y)
        => 1.0 + 0.9 * Math.Sin(2 * Math.PI * x) * Math.Sin(2 * Math.PI * y);

    /// <summary>
    /// -div(k grad u) on an n x n interior grid with the coefficient <see cref="DefaultCoefficient"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is below 1, or the matrix would not fit in 32-bit indices.</exception>
    public static CsrMatrix VariableCoefficient2D(int n) => VariableCoefficient2D(n, DefaultCoefficient);

    /// <summary>
    /// -div(k grad u) on an n x n interior grid, scaled by h^2, with k evaluated once per grid edge at the edge
    /// midpoint: the entry coupling two neighbours is -k(midpoint), and the diagonal is the sum of k over the
    /// point's four edges (edges to the boundary included), so the matrix is symmetric and weakly diagonally dominant.
    /// </summary>
    /// <param name="n">Interior points per direction.</param>
    /// <param name="k">The coefficient k(x, y) for x, y in (0, 1); it must be positive and finite at every edge midpoint.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is below 1, or the matrix would not fit in 32-bit indices.</exception>
    /// <exception cref="ArgumentException"><paramref name="k"/> is not positive and finite at some midpoint; the message names it.</exception>
    public static CsrMatrix VariableCoefficient2D(int n, Func<double, double, double> k)
    {
        ArgumentNullException.ThrowIfNull(k);
        long nn = CheckSize(n, nameof(n), dims: 2, stencil: 5);
        double denom = n + 1;
        // Each edge coefficient is evaluated once and shared by both rows it couples, which keeps the matrix
        // exactly symmetric (recomputing x + h/2 and x' - h/2 from each side could round differently).
        // kx[i*(n+1) + e]: edge between x-points e-1 and e of grid row i; e = 0 and e = n touch the boundary.
        var kx = new double[(long)n * (n + 1)];
        var ky = new double[(long)(n + 1) * n]; // ky[e*n + j]: edge between grid rows e-1 and e in column j.
        for (int i = 0; i < n; i++)
        {
            double y = (i + 1) / denom;
            for (int e = 0; e <= n; e++) kx[i * (n + 1) + e] = Coefficient(k, (e + 0.5) / denom, y);
        }
        for (int e = 0; e <= n; e++)
        {
            double y = (e + 0.5) / denom;
            for (int j = 0; j < n; j++) ky[e * n + j] = Coefficient(k, (j + 1) / denom, y);
        }

        int unknowns = (int)nn;
        var rp = new int[unknowns + 1];
        var ci = new int[5L * nn - 4L * n];
        var v = new double[ci.Length];
        int p = 0, row = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++, row++)
            {
                double west = kx[i * (n + 1) + j], east = kx[i * (n + 1) + j + 1];
                double south = ky[i * n + j], north = ky[(i + 1) * n + j];
                if (i > 0) { ci[p] = row - n; v[p++] = -south; }
                if (j > 0) { ci[p] = row - 1; v[p++] = -west; }
                ci[p] = row; v[p++] = west + east + south + north;
                if (j < n - 1) { ci[p] = row + 1; v[p++] = -east; }
                if (i < n - 1) { ci[p] = row + n; v[p++] = -north; }
                rp[row + 1] = p;
            }
        // Built row by row in order with sorted columns: valid by construction, so skip the copy and re-check.
        return CsrMatrix.FromTrustedArrays(unknowns, unknowns, rp, ci, v);
    }

    /// <summary>
    /// Builds the problem named by <paramref name="spec"/> (case-insensitive, surrounding blanks ignored):
    /// <c>poisson2d:N</c>, <c>poisson3d:N</c>, <c>anisotropic2d:N,eps</c> or <c>variable2d:N</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The specification is malformed or its sizes are out of range; the
    /// message quotes it and lists the accepted forms.</exception>
    public static CsrMatrix Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string s = spec.Trim();
        int colon = s.IndexOf(':');
        if (colon < 0) throw BadSpec(spec, "missing ':' after the problem name");
        string name = s[..colon].Trim().ToLowerInvariant();
        string[] args = s[(colon + 1)..].Split(',');
        try
        {
            switch (name)
            {
                case "poisson2d":
                    return Poisson2D(ParseN(spec, args, 1));
                case "poisson3d":
                    return Poisson3D(ParseN(spec, args, 1));
                case "variable2d":
                    return VariableCoefficient2D(ParseN(spec, args, 1));
                case "anisotropic2d":
                    int n = ParseN(spec, args, 2);
                    if (!double.TryParse(args[1].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double eps)
                        || !(eps > 0) || !double.IsFinite(eps))
                        throw BadSpec(spec, $"eps '{args[1].Trim()}' is not a positive number");
                    return Anisotropic2D(n, eps);
                default:
                    throw BadSpec(spec, $"unknown problem '{name}'");
            }
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ArgumentException($"Problem spec '{spec}': {e.Message}", nameof(spec), e);
        }
    }

    private static int ParseN(string spec, string[] args, int count)
    {
        if (args.Length != count)
            throw BadSpec(spec, $"expected {count} comma-separated parameter{(count == 1 ? "" : "s")} after ':', found {args.Length}");
        string t = args[0].Trim();
        if (!int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1)
            throw BadSpec(spec, $"N '{t}' is not a positive integer");
        return n;
    }

    private static ArgumentException BadSpec(string spec, string why)
        => new($"Problem spec '{spec}' is invalid: {why}. Accepted forms: {string.Join(", ", SpecForms)}.", nameof(spec));

    private static double Coefficient(Func<double, double, double> k, double x, double y)
    {
        double value = k(x, y);
        if (!(value > 0) || !double.IsFinite(value))
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The coefficient must be positive and finite, but k({x:R}, {y:R}) = {value:R}."),
                nameof(k));
        return value;
    }

    private static CsrMatrix Stencil2D(int n, double xWeight, double yWeight, string paramName)
    {
        long nn = CheckSize(n, paramName, dims: 2, stencil: 5);
        int unknowns = (int)nn;
        var rp = new int[unknowns + 1];
        var ci = new int[5L * nn - 4L * n];
        var v = new double[ci.Length];
        double diag = 2 * xWeight + 2 * yWeight;
        int p = 0, row = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++, row++)
            {
                if (i > 0) { ci[p] = row - n; v[p++] = -yWeight; }
                if (j > 0) { ci[p] = row - 1; v[p++] = -xWeight; }
                ci[p] = row; v[p++] = diag;
                if (j < n - 1) { ci[p] = row + 1; v[p++] = -xWeight; }
                if (i < n - 1) { ci[p] = row + n; v[p++] = -yWeight; }
                rp[row + 1] = p;
            }
        // Built row by row in order with sorted columns: valid by construction, so skip the copy and re-check.
        return CsrMatrix.FromTrustedArrays(unknowns, unknowns, rp, ci, v);
    }

    /// <summary>Checks n and returns the number of unknowns, rejecting grids whose unknowns or entries overflow int32 arrays.</summary>
    private static long CheckSize(int n, string paramName, int dims, int stencil)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(paramName, n, "The grid must have at least 1 interior point per direction.");
        long unknowns = dims == 2 ? (long)n * n : (long)n * n * n;
        // Points on a boundary face lack the neighbour across it: 2D loses 4n links, 3D loses 6n^2.
        long entries = dims == 2 ? stencil * unknowns - 4L * n : stencil * unknowns - 6L * n * n;
        if (unknowns >= int.MaxValue || entries > Array.MaxLength)
            throw new ArgumentOutOfRangeException(paramName, n,
                $"A {dims}D grid with n = {n} has {unknowns} unknowns and {entries} stored entries; CSR matrices are limited to {int.MaxValue - 1} rows and {Array.MaxLength} entries.");
        return unknowns;
    }
}
