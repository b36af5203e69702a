using System.Globalization;
using Solvers.Sparse;

namespace Solvers.Linear.Multigrid;

/// <summary>A multigrid hierarchy built on the host: operators finest first, prolongators between them.</summary>
internal sealed record HostHierarchy(IReadOnlyList<CsrMatrix> Operators, IReadOnlyList<CsrMatrix> Prolongators, CsrMatrix? CoarseInverse);

/// <summary>
/// Smoothed-aggregation setup (Vanek, Mandel, Brezina 1996; the steps follow PyAMG's smoothed_aggregation_solver):
/// symmetric strength of connection, standard aggregation, tentative prolongator from the near-null space by a
/// QR per aggregate, Jacobi smoothing of the prolongator, Galerkin coarse operators R A P with R = P'.
/// </summary>
internal static class SmoothedAggregation
{
    public static HostHierarchy Build(CsrMatrix a, AmgOptions options)
    {
        int n = a.Rows;
        double[][] b = NearNullSpace(options, n);
        var ops = new List<CsrMatrix> { a };
        var prolongators = new List<CsrMatrix>();
        var current = a;
        double theta = options.StrengthThreshold;
        while (current.Rows > options.MaxCoarseSize && ops.Count < options.MaxLevels)
        {
            var diag = current.Diagonal();
            var aggregates = Aggregate(current, diag, theta, out int count);
            // Coarse operators spread each row over more, smaller entries, so a fixed threshold would call most of
            // them weak and stop coarsening (operator complexity 9 on 3D Poisson); halving it per level, as ML's
            // aggregation threshold schedule does, keeps coarsening while the finest level still sees anisotropy.
            theta *= 0.5;
            if (count == 0 || count > current.Rows / 2) break; // too little coarsening to pay for a level
            var (t, coarseB) = Tentative(aggregates, count, b);
            var p = SmoothProlongator(current, diag, t);
            var coarse = p.Transpose().Multiply(current.Multiply(p));
            prolongators.Add(p);
            ops.Add(coarse);
            current = coarse;
            b = coarseB;
        }
        return new HostHierarchy(ops, prolongators, current.Rows <= 4000 ? DenseInverse(current) : null);
    }

    private static double[][] NearNullSpace(AmgOptions options, int n)
    {
        if (options.NearNullSpace is not { } given)
            return [Enumerable.Repeat(1.0, n).ToArray()];
        if (given.Count == 0)
            throw new ArgumentException("AmgOptions.NearNullSpace is empty; give at least one vector or leave it null for the constant.", nameof(options));
        for (int k = 0; k < given.Count; k++)
        {
            if (given[k] is null || given[k].Length != n)
                throw new ArgumentException(
                    $"AmgOptions.NearNullSpace[{k}] has length {given[k]?.Length.ToString(CultureInfo.InvariantCulture) ?? "null"}; A has {n} rows.", nameof(options));
            if (given[k].Any(v => !double.IsFinite(v)))
                throw new ArgumentException($"AmgOptions.NearNullSpace[{k}] holds NaN or infinity.", nameof(options));
        }
        return given.Select(v => (double[])v.Clone()).ToArray();
    }

    /// <summary>
    /// Standard aggregation: a root whose strong neighbours are all free forms an aggregate with them; leftovers
    /// join a neighbouring aggregate; what is still left forms aggregates of its own.
    /// </summary>
    internal static int[] Aggregate(CsrMatrix a, double[] diag, double theta, out int count)
    {
        int n = a.Rows;
        int[] rp = a.RowPointers.ToArray(), ci = a.ColumnIndices.ToArray();
        double[] v = a.Values.ToArray();
        // Strength of every stored entry, computed once for the three passes.
        var strong = new bool[v.Length];
        Parallel.For(0, n, i =>
        {
            for (int k = rp[i]; k < rp[i + 1]; k++)
            {
                int j = ci[k];
                strong[k] = j != i && v[k] != 0 && Math.Abs(v[k]) >= theta * Math.Sqrt(Math.Abs(diag[i] * diag[j]));
            }
        });
        bool Strong(int i, int k) => strong[k];
        var agg = new int[n];
        Array.Fill(agg, -1);
        count = 0;
        for (int i = 0; i < n; i++)
        {
            if (agg[i] >= 0) continue;
            bool free = true, any = false;
            for (int k = rp[i]; k < rp[i + 1] && free; k++)
                if (Strong(i, k)) { any = true; free = agg[ci[k]] < 0; }
            if (!free) continue;
            if (!any) continue; // isolated: pass 3
            agg[i] = count;
            for (int k = rp[i]; k < rp[i + 1]; k++)
                if (Strong(i, k)) agg[ci[k]] = count;
            count++;
        }
        var afterFirst = (int[])agg.Clone();
        for (int i = 0; i < n; i++)
        {
            if (agg[i] >= 0) continue;
            for (int k = rp[i]; k < rp[i + 1]; k++)
                if (Strong(i, k) && afterFirst[ci[k]] >= 0) { agg[i] = afterFirst[ci[k]]; break; }
        }
        for (int i = 0; i < n; i++)
        {
            if (agg[i] >= 0) continue;
            agg[i] = count;
            for (int k = rp[i]; k < rp[i + 1]; k++)
                if (Strong(i, k) && agg[ci[k]] < 0) agg[ci[k]] = count;
            count++;
        }
        return agg;
    }

    /// <summary>
    /// Tentative prolongator: for each aggregate, the near-null vectors restricted to it, orthonormalised
    /// (modified Gram-Schmidt, Q), with the coefficients (R) as the coarse near-null space. A vector that adds
    /// nothing new on an aggregate (too small an aggregate, or a dependent vector) gets no coarse unknown there,
    /// so the coarse operator stays nonsingular.
    /// </summary>
    internal static (CsrMatrix T, double[][] CoarseB) Tentative(int[] aggregates, int count, double[][] b)
    {
        int n = aggregates.Length, k = b.Length;
        var members = new List<int>[count];
        for (int j = 0; j < count; j++) members[j] = [];
        for (int i = 0; i < n; i++) members[aggregates[i]].Add(i);
        // Per aggregate: the kept orthonormal columns (values on the aggregate's rows) and their R rows.
        var firstColumn = new int[count + 1];
        var qs = new List<double[]>[count];
        var rs = new List<double[]>[count];
        for (int j = 0; j < count; j++)
        {
            var rows = members[j];
            qs[j] = [];
            rs[j] = [];
            var rFull = new double[k][];
            for (int c = 0; c < k; c++)
            {
                var col = rows.Select(i => b[c][i]).ToArray();
                double original = Norm(col);
                var coefficients = new double[k];
                for (int q = 0; q < qs[j].Count; q++)
                {
                    double r = Dot(qs[j][q], col);
                    coefficients[q] = r;
                    for (int t = 0; t < col.Length; t++) col[t] -= r * qs[j][q][t];
                }
                double norm = Norm(col);
                if (norm > 1e-10 * Math.Max(original, 1e-300) && norm > 0)
                {
                    for (int t = 0; t < col.Length; t++) col[t] /= norm;
                    coefficients[qs[j].Count] = norm;
                    qs[j].Add(col);
                }
                rFull[c] = coefficients;
            }
            // R row q holds the coefficient of column q in each near-null vector c.
            for (int q = 0; q < qs[j].Count; q++) rs[j].Add(Enumerable.Range(0, k).Select(c => rFull[c][q]).ToArray());
            firstColumn[j + 1] = firstColumn[j] + qs[j].Count;
        }
        int coarseN = firstColumn[count];
        var coarseB = new double[k][];
        for (int c = 0; c < k; c++) coarseB[c] = new double[coarseN];
        for (int j = 0; j < count; j++)
            for (int q = 0; q < rs[j].Count; q++)
                for (int c = 0; c < k; c++) coarseB[c][firstColumn[j] + q] = rs[j][q][c];
        var position = new int[n];
        for (int j = 0; j < count; j++)
            for (int t = 0; t < members[j].Count; t++) position[members[j][t]] = t;
        var rp = new int[n + 1];
        for (int i = 0; i < n; i++) rp[i + 1] = rp[i] + qs[aggregates[i]].Count;
        var ci = new int[rp[n]];
        var v = new double[rp[n]];
        for (int i = 0; i < n; i++)
        {
            int j = aggregates[i];
            for (int q = 0; q < qs[j].Count; q++)
            {
                ci[rp[i] + q] = firstColumn[j] + q;
                v[rp[i] + q] = qs[j][q][position[i]];
            }
        }
        return (CsrMatrix.FromTrustedArrays(n, coarseN, rp, ci, v), coarseB);
    }

    /// <summary>P = (I - omega D^-1 A) T with omega = 4 / (3 lambda_max(D^-1 A)), lambda_max from the Gershgorin bound.</summary>
    internal static CsrMatrix SmoothProlongator(CsrMatrix a, double[] diag, CsrMatrix t)
    {
        double lambda = ChebyshevPreconditioner.GershgorinBound(a);
        double omega = 4.0 / (3.0 * lambda);
        var at = a.Multiply(t);
        var rp = at.RowPointers.ToArray();
        var ci = at.ColumnIndices.ToArray();
        var v = at.Values.ToArray();
        int[] trp = t.RowPointers.ToArray(), tci = t.ColumnIndices.ToArray();
        double[] tv = t.Values.ToArray();
        Parallel.For(0, a.Rows, i =>
        {
            double scale = omega / diag[i];
            for (int k = rp[i]; k < rp[i + 1]; k++)
            {
                // A row of T has at most one entry per near-null vector: a scan beats a search.
                double tij = 0;
                for (int q = trp[i]; q < trp[i + 1]; q++)
                    if (tci[q] == ci[k]) { tij = tv[q]; break; }
                v[k] = tij - scale * v[k];
            }
        });
        return CsrMatrix.FromTrustedArrays(at.Rows, at.Columns, rp, ci, v);
    }

    /// <summary>The inverse of the (small, SPD) coarsest operator by dense Cholesky, stored as a dense CSR matrix for SpMV.</summary>
    internal static CsrMatrix DenseInverse(CsrMatrix a)
    {
        int n = a.Rows;
        var l = a.ToDense();
        for (int j = 0; j < n; j++)
        {
            double d = l[j, j];
            for (int k = 0; k < j; k++) d -= l[j, k] * l[j, k];
            if (!(d > 0))
                throw new PreconditionerSetupException(SolverStatus.IndefiniteMatrix,
                    $"AMG: the coarsest operator ({n} unknowns) is not positive definite (Cholesky pivot {d:G6} at row {j}): A is not SPD.");
            l[j, j] = Math.Sqrt(d);
            for (int i = j + 1; i < n; i++)
            {
                double s = l[i, j];
                for (int k = 0; k < j; k++) s -= l[i, k] * l[j, k];
                l[i, j] = s / l[j, j];
            }
        }
        var inv = new double[n, n];
        var col = new double[n];
        for (int c = 0; c < n; c++)
        {
            Array.Clear(col);
            col[c] = 1;
            for (int i = 0; i < n; i++)
            {
                double s = col[i];
                for (int k = 0; k < i; k++) s -= l[i, k] * col[k];
                col[i] = s / l[i, i];
            }
            for (int i = n - 1; i >= 0; i--)
            {
                double s = col[i];
                for (int k = i + 1; k < n; k++) s -= l[k, i] * col[k];
                col[i] = s / l[i, i];
            }
            for (int i = 0; i < n; i++) inv[i, c] = col[i];
        }
        return CsrMatrix.FromDense(inv);
    }

    private static double Dot(double[] x, double[] y)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += x[i] * y[i];
        return s;
    }

    private static double Norm(double[] x) => Math.Sqrt(Dot(x, x));
}
