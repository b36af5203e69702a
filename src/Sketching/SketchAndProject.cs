namespace Solvers.Sketching;

/// <summary>
/// Gaussian sketch-and-project (Gower and Richtarik, "Randomized iterative methods for linear systems", 2015) for
/// K z = b, matrix-free: each iteration draws a Gaussian k-by-m sketch S and projects z onto {z : S K z = S b},
/// z += K'S' (S K K'S')^-1 S (b - K z). Block size 1 is a random projection onto one hyperplane; larger blocks cost k
/// products with K' per iteration and converge in fewer iterations. Like Kaczmarz, it converges to the solution of a
/// consistent system nearest the initial guess, whether K is definite, indefinite (KKT) or rectangular.
/// </summary>
/// <remarks>Thread safety: stateless; safe to call from several threads at once.</remarks>
public static class SketchAndProject
{
    /// <summary>Solves K z = b.</summary>
    /// <param name="k">The operator (m by n).</param>
    /// <param name="b">The right-hand side, length m.</param>
    /// <param name="blockSize">Rows k of each sketch, 1 &lt;= k &lt;= m.</param>
    /// <param name="options">Tolerance, limits, seed, warm start. Sketch entry (j, i) at iteration t is
    /// <see cref="CounterRandom.Gaussian"/>(seed, (t k + j) m + i).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="blockSize"/> is not in [1, m].</exception>
    /// <exception cref="ArgumentException">Sizes do not match or b is not finite.</exception>
    public static RandomizedSolveResult Solve(ILinearOperator k, ReadOnlySpan<double> b, int blockSize = 1,
        RandomizedSolverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(k);
        options ??= new RandomizedSolverOptions();
        if (blockSize < 1 || blockSize > k.Rows)
            throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize,
                $"The block size must be from 1 to K's {k.Rows} rows; got {blockSize}.");
        var (bs, z) = ResidualMonitor.Prepare(k, b, options);
        int m = k.Rows, n = k.Columns, kb = blockSize;
        ulong seed = options.Seed;
        var s = new double[m];
        var w = new double[kb][];
        for (int j = 0; j < kb; j++) w[j] = new double[n];
        var c = new double[kb];
        var gram = new double[kb * kb];
        var chol = new double[kb * kb];
        int regularized = 0;

        var monitor = new ResidualMonitor(k, bs, options);
        return monitor.Run(z, options.CheckInterval ?? Math.Max(1, 8 / kb), it =>
        {
            // w_j = K' s_j and c_j = s_j'(b - K z) = s_j'b - w_j'z: one product with K' per sketch row, none with K.
            for (int j = 0; j < kb; j++)
            {
                ulong row = ((ulong)it * (ulong)kb + (ulong)j) * (ulong)m;
                double sb = 0;
                for (int i = 0; i < m; i++)
                {
                    s[i] = CounterRandom.Gaussian(seed, row + (ulong)i);
                    sb += s[i] * bs[i];
                }
                k.ApplyTranspose(s, w[j]);
                c[j] = sb - Dot(w[j], z);
            }
            if (kb == 1)
            {
                double ww = Dot(w[0], w[0]);
                // s in the null space of K': the projection is the identity.
                if (!(ww > 0)) return;
                Axpy(c[0] / ww, w[0], z);
                return;
            }
            for (int a = 0; a < kb; a++)
                for (int e = 0; e <= a; e++) gram[a * kb + e] = gram[e * kb + a] = Dot(w[a], w[e]);
            if (!SolveSpd(gram, chol, c, kb)) regularized++;
            for (int j = 0; j < kb; j++) Axpy(c[j], w[j], z);
        }, () => regularized);
    }

    /// <summary>
    /// Solves G x = c in place (c becomes x) by Cholesky; when G is singular or nearly so, retries with G + delta I,
    /// delta growing from 1e-12 trace(G)/k, which gives the projection onto the sketch's range up to that shift.
    /// Returns false when a shift was needed.
    /// </summary>
    internal static bool SolveSpd(double[] g, double[] l, double[] c, int k)
    {
        double trace = 0;
        for (int i = 0; i < k; i++) trace += g[i * k + i];
        double scale = trace > 0 && double.IsFinite(trace) ? trace / k : 1.0;
        double shift = 0;
        for (int attempt = 0; ; attempt++)
        {
            if (Cholesky(g, l, k, shift, 1e-14 * scale))
            {
                // Forward then backward substitution with L and L'.
                for (int i = 0; i < k; i++)
                {
                    double v = c[i];
                    for (int p = 0; p < i; p++) v -= l[i * k + p] * c[p];
                    c[i] = v / l[i * k + i];
                }
                for (int i = k - 1; i >= 0; i--)
                {
                    double v = c[i];
                    for (int p = i + 1; p < k; p++) v -= l[p * k + i] * c[p];
                    c[i] = v / l[i * k + i];
                }
                return attempt == 0;
            }
            // Past a shift of the matrix's own size something is not finite: give up on this step.
            if (shift > scale)
            {
                Array.Clear(c, 0, k);
                return false;
            }
            shift = shift == 0 ? 1e-12 * scale : shift * 100;
        }
    }

    /// <summary>L L' = G + shift I; false when a pivot is at most <paramref name="minPivot"/> (numerically singular).</summary>
    private static bool Cholesky(double[] g, double[] l, int k, double shift, double minPivot)
    {
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double v = g[i * k + j] + (i == j ? shift : 0);
                for (int p = 0; p < j; p++) v -= l[i * k + p] * l[j * k + p];
                if (i == j)
                {
                    if (!(v > minPivot)) return false;
                    l[i * k + i] = Math.Sqrt(v);
                }
                else l[i * k + j] = v / l[j * k + j];
            }
        }
        return true;
    }

    private static double Dot(double[] x, double[] y)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += x[i] * y[i];
        return s;
    }

    private static void Axpy(double a, double[] x, double[] y)
    {
        for (int i = 0; i < x.Length; i++) y[i] += a * x[i];
    }
}
