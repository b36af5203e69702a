using Solvers.Sparse;

namespace Solvers.Linear;

/// <summary>
/// Reference values for the SOR relaxation parameter: Young's optimum for consistently ordered matrices, from
/// the spectral radius of the Jacobi iteration, and an instance-optimal search (for evaluation).
/// </summary>
/// <remarks>Thread safety: stateless; safe to call from several threads at once.</remarks>
public static class SorParameters
{
    /// <summary>
    /// Spectral radius beta of the Jacobi iteration matrix I - D^-1 A, estimated by power iteration on the
    /// similar symmetric matrix I - D^-1/2 A D^-1/2 (no dense eigendecomposition): the norm ratio of the last
    /// step, which approaches beta from below.
    /// </summary>
    /// <exception cref="ArgumentException">A is not square, has a non-positive diagonal entry, or a NaN or infinite entry (named).</exception>
    public static double JacobiSpectralRadius(CsrMatrix a, int iterations = 200, ulong seed = 1)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        if (!a.IsSquare) throw new ArgumentException($"A is {a.Rows}x{a.Columns}: the Jacobi iteration needs a square matrix.", nameof(a));
        // A NaN or infinite off-diagonal entry used to come back as a NaN spectral radius, silently.
        int bad = a.IndexOfNonFinite();
        if (bad >= 0) throw new ArgumentException($"A[{a.RowOfEntry(bad)},{a.ColumnIndices[bad]}] is {a.Values[bad]}: the Jacobi spectral radius needs finite entries.", nameof(a));
        int n = a.Rows;
        var d = a.Diagonal();
        var s = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (!(d[i] > 0)) throw new ArgumentException($"A[{i},{i}] = {d[i]} is not positive: the symmetric Jacobi scaling needs a positive diagonal.", nameof(a));
            s[i] = 1 / Math.Sqrt(d[i]);
        }
        var v = new double[n];
        var w = new double[n];
        for (int i = 0; i < n; i++) v[i] = Sketching.CounterRandom.Uniform(seed, (ulong)i) + 0.5;
        Normalize(v);
        double beta = 0;
        var rp = a.RowPointers;
        var ci = a.ColumnIndices;
        var vals = a.Values;
        for (int k = 0; k < iterations; k++)
        {
            // w = (I - S A S) v with S = D^-1/2.
            for (int i = 0; i < n; i++)
            {
                double sum = 0;
                for (int p = rp[i]; p < rp[i + 1]; p++) sum += vals[p] * s[ci[p]] * v[ci[p]];
                w[i] = v[i] - s[i] * sum;
            }
            beta = Normalize(w);
            if (beta == 0) return 0;
            (v, w) = (w, v);
        }
        return beta;
    }

    /// <summary>Young's optimal omega for a consistently ordered matrix whose Jacobi spectral radius is <paramref name="beta"/> in [0, 1).</summary>
    public static double OptimalOmega(double beta)
    {
        if (!(beta >= 0 && beta < 1)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "The Jacobi spectral radius must be in [0, 1) for SOR to converge.");
        double t = beta / (1 + Math.Sqrt(1 - beta * beta));
        return 1 + t * t;
    }

    /// <summary>Young's optimal omega of <paramref name="a"/>, with beta estimated by <see cref="JacobiSpectralRadius"/>.</summary>
    public static double OptimalOmega(CsrMatrix a, int iterations = 200) => OptimalOmega(Math.Min(JacobiSpectralRadius(a, iterations), 1 - 1e-12));

    /// <summary>
    /// The omega in [<paramref name="lower"/>, <paramref name="upper"/>] that minimises <paramref name="cost"/>
    /// (e.g. the iteration count of a solve): the best point of an even grid, then a golden-section search on the
    /// grid cells next to it. Costs are integers with plateaus, so the result is one minimiser, not the only one.
    /// For evaluation only: it runs the solve about <paramref name="gridPoints"/> + 2 * <paramref name="refinements"/> times.
    /// </summary>
    public static (double Omega, double Cost) InstanceOptimal(Func<double, double> cost, double lower = 1.0, double upper = 1.95,
        int gridPoints = 20, int refinements = 8, IReadOnlyList<double>? knownGrid = null, IReadOnlyList<double>? knownCosts = null)
    {
        ArgumentNullException.ThrowIfNull(cost);
        // NaN is not ordered, so one NaN cost made the grid minimum NaN and came back as the "optimal" cost; an
        // infinite cost (a solve that failed) is an ordinary worst value and stays allowed.
        var user = cost;
        cost = omega =>
        {
            double c = user(omega);
            return !double.IsNaN(c) ? c : throw new ArgumentException($"The cost at omega = {omega} is NaN; costs must be numbers (+infinity for a failed solve).", nameof(cost));
        };
        if (!(lower > 0 && upper < 2 && lower < upper)) throw new ArgumentOutOfRangeException(nameof(lower), $"Need 0 < lower < upper < 2; got [{lower}, {upper}].");
        ArgumentOutOfRangeException.ThrowIfLessThan(gridPoints, 2);
        double[] grid;
        double[] costs;
        if (knownGrid is not null && knownCosts is not null)
        {
            if (knownGrid.Count != knownCosts.Count) throw new ArgumentException($"knownGrid has {knownGrid.Count} points but knownCosts {knownCosts.Count}.", nameof(knownCosts));
            grid = [.. knownGrid];
            costs = [.. knownCosts];
            int nan = Array.FindIndex(costs, double.IsNaN);
            if (nan >= 0) throw new ArgumentException($"knownCosts[{nan}] is NaN.", nameof(knownCosts));
        }
        else
        {
            grid = Enumerable.Range(0, gridPoints).Select(i => lower + (upper - lower) * i / (gridPoints - 1)).ToArray();
            costs = grid.Select(cost).ToArray();
        }
        int best = Array.IndexOf(costs, costs.Min());
        double bestOmega = grid[best], bestCost = costs[best];
        double lo = grid[Math.Max(0, best - 1)], hi = grid[Math.Min(grid.Length - 1, best + 1)];
        const double invPhi = 0.6180339887498949;
        double x1 = hi - invPhi * (hi - lo), x2 = lo + invPhi * (hi - lo);
        double f1 = cost(x1), f2 = cost(x2);
        for (int k = 0; k < refinements; k++)
        {
            if (f1 < bestCost) (bestOmega, bestCost) = (x1, f1);
            if (f2 < bestCost) (bestOmega, bestCost) = (x2, f2);
            if (f1 <= f2)
            {
                hi = x2; x2 = x1; f2 = f1;
                x1 = hi - invPhi * (hi - lo); f1 = cost(x1);
            }
            else
            {
                lo = x1; x1 = x2; f1 = f2;
                x2 = lo + invPhi * (hi - lo); f2 = cost(x2);
            }
        }
        if (f1 < bestCost) (bestOmega, bestCost) = (x1, f1);
        if (f2 < bestCost) (bestOmega, bestCost) = (x2, f2);
        return (bestOmega, bestCost);
    }

    private static double Normalize(double[] v)
    {
        double s = 0;
        foreach (double x in v) s += x * x;
        s = Math.Sqrt(s);
        if (s > 0) for (int i = 0; i < v.Length; i++) v[i] /= s;
        return s;
    }
}
