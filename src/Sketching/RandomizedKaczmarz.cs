namespace Solvers.Sketching;

/// <summary>How randomized Kaczmarz picks its rows.</summary>
/// <remarks>Thread safety: an enum; its values are immutable.</remarks>
public enum KaczmarzSampling
{
    /// <summary>Rows with probability proportional to ||k_i||^2 (Strohmer and Vershynin): linear convergence in expectation at rate 1 - sigma_min^2 / ||K||_F^2.</summary>
    RowNorm,
    /// <summary>Every row equally likely; rows of zero norm are drawn but skipped.</summary>
    Uniform,
}

/// <summary>
/// Randomized Kaczmarz for K z = b: each iteration projects z onto the hyperplane of one random row,
/// z += (b_i - k_i'z) / ||k_i||^2 k_i. For a consistent system it converges to the solution nearest the initial guess
/// (so it also solves symmetric indefinite systems such as KKT systems, and non-square consistent ones); for an
/// inconsistent one it stalls at a level set by the residual.
/// </summary>
/// <remarks>Thread safety: stateless; safe to call from several threads at once.</remarks>
public static class RandomizedKaczmarz
{
    /// <summary>Solves K z = b.</summary>
    /// <param name="k">The operator with row access, e.g. a <see cref="CsrOperator"/>.</param>
    /// <param name="b">The right-hand side, length K's rows.</param>
    /// <param name="options">Tolerance, limits, seed (row i at iteration t is drawn from counter t), warm start.</param>
    /// <param name="sampling">The row distribution.</param>
    /// <exception cref="ArgumentException">Sizes do not match, b is not finite, or K has no nonzero row.</exception>
    public static RandomizedSolveResult Solve(IRowAccess k, ReadOnlySpan<double> b, RandomizedSolverOptions? options = null,
        KaczmarzSampling sampling = KaczmarzSampling.RowNorm)
    {
        ArgumentNullException.ThrowIfNull(k);
        options ??= new RandomizedSolverOptions();
        var (bs, z) = ResidualMonitor.Prepare(k, b, options);
        int m = k.Rows;
        var norms = new double[m];
        var cumulative = new double[m + 1];
        for (int i = 0; i < m; i++)
        {
            norms[i] = k.RowNormSquared(i);
            if (!(norms[i] >= 0) || !double.IsFinite(norms[i]))
                throw new ArgumentException($"Row {i} of K has squared norm {norms[i]}: not finite.", nameof(k));
            cumulative[i + 1] = cumulative[i] + norms[i];
        }
        double total = cumulative[m];
        if (total == 0) throw new ArgumentException($"K ({k.Rows}x{k.Columns}) has no nonzero row.", nameof(k));

        ulong seed = options.Seed;
        var monitor = new ResidualMonitor(k, bs, options);
        return monitor.Run(z, options.CheckInterval ?? m, it =>
        {
            int i = sampling == KaczmarzSampling.Uniform
                ? CounterRandom.Below(seed, (ulong)it, m)
                : Sketches.SampleCumulative(cumulative, CounterRandom.Uniform(seed, (ulong)it) * total);
            if (norms[i] == 0) return;
            var row = k.GetRow(i);
            double step = (bs[i] - row.Dot(z)) / norms[i];
            var idx = row.Indices;
            var val = row.Values;
            for (int p = 0; p < idx.Length; p++) z[idx[p]] += step * val[p];
        }, () => 0);
    }
}
