using System.Globalization;
using Solvers.Sparse;

namespace Solvers.Linear.Multigrid;

/// <summary>A multigrid hierarchy built on the host: operators finest first, prolongators between them.</summary>
internal sealed record HostHierarchy(
    IReadOnlyList<CsrMatrix> Operators, IReadOnlyList<CsrMatrix> Prolongators, IReadOnlyList<CsrMatrix> Restrictors, CsrMatrix? CoarseInverse);

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
        var restrictors = new List<CsrMatrix>();
        var current = a;
        double theta = options.StrengthThreshold;
        while (current.Rows > options.MaxCoarseSize && ops.Count < options.MaxLevels)
        {
            var diag = current.Diagonal();
            var aggregates = Aggregate(current, diag, theta, out int count, out var strong);
            // Coarse operators spread each row over more, smaller entries, so a fixed threshold would call most of
            // them weak and stop coarsening (operator complexity 9 on 3D Poisson); halving it per level, as ML's
            // aggregation threshold schedule does, keeps coarsening while the finest level still sees anisotropy.
            theta *= 0.5;
            if (count == 0 || count > current.Rows / 2) break; // too little coarsening to pay for a level
            var (t, coarseB) = Tentative(aggregates, count, b);
            var p = SmoothProlongator(Filtered(current, strong), t);
            var r = p.Transpose();
            var coarse = r.Multiply(current.Multiply(p));
            prolongators.Add(p);
            restrictors.Add(r);
            ops.Add(coarse);
            current = coarse;
            b = coarseB;
        }
        return new HostHierarchy(ops, prolongators, restrictors, current.Rows <= 4000 ? DenseInverse(current) : null);
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
    /// <remarks><paramref name="strong"/> returns, per stored entry of A, whether it is a strong off-diagonal connection.</remarks>
    internal static int[] Aggregate(CsrMatrix a, double[] diag, double theta, out int count, out bool[] strong)
    {
        int n = a.Rows;
        int[] rp = a.RowPointerArray, ci = a.ColumnIndexArray;
        double[] v = a.ValueArray;
        // Strength of every stored entry, computed once for the three passes.
        var strongEntries = new bool[v.Length];
        strong = strongEntries;
        Parallel.For(0, n, i =>
        {
            for (int k = rp[i]; k < rp[i + 1]; k++)
            {
                int j = ci[k];
                strongEntries[k] = j != i && v[k] != 0 && Math.Abs(v[k]) >= theta * Math.Sqrt(Math.Abs(diag[i] * diag[j]));
            }
        });
        bool Strong(int i, int k) => strongEntries[k];
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
        // Members of each aggregate, grouped by a counting sort so each aggregate is a contiguous slice.
        var start = new int[count + 1];
        foreach (int j in aggregates) start[j + 1]++;
        for (int j = 0; j < count; j++) start[j + 1] += start[j];
        var members = new int[n];
        var fill = (int[])start.Clone();
        for (int i = 0; i < n; i++) members[fill[aggregates[i]]++] = i;
        // q[c * n + slot]: column c of Q on the aggregate's rows (slot = position in members); kept[j]: columns kept.
        var q = new double[(long)k * n];
        var rCoefficients = new double[(long)count * k * k];
        var kept = new int[count];
        Parallel.For(0, count, () => new double[k], (j, _, coefficients) =>
        {
            int lo = start[j], len = start[j + 1] - lo, columns = 0;
            for (int c = 0; c < k; c++)
            {
                var col = q.AsSpan(columns * n + lo, len);
                double original = 0;
                for (int t = 0; t < len; t++) { col[t] = b[c][members[lo + t]]; original += col[t] * col[t]; }
                Array.Clear(coefficients);
                for (int p = 0; p < columns; p++)
                {
                    var qp = q.AsSpan(p * n + lo, len);
                    double r = 0;
                    for (int t = 0; t < len; t++) r += qp[t] * col[t];
                    coefficients[p] = r;
                    for (int t = 0; t < len; t++) col[t] -= r * qp[t];
                }
                double norm = 0;
                for (int t = 0; t < len; t++) norm += col[t] * col[t];
                norm = Math.Sqrt(norm);
                if (norm > 0 && norm > 1e-10 * Math.Max(Math.Sqrt(original), 1e-300))
                {
                    for (int t = 0; t < len; t++) col[t] /= norm;
                    coefficients[columns++] = norm;
                }
                // R[p, c] is the coefficient of Q column p in near-null vector c.
                for (int p = 0; p < k; p++) rCoefficients[((long)j * k + p) * k + c] = coefficients[p];
            }
            kept[j] = columns;
            return coefficients;
        }, _ => { });
        var firstColumn = new int[count + 1];
        for (int j = 0; j < count; j++) firstColumn[j + 1] = firstColumn[j] + kept[j];
        int coarseN = firstColumn[count];
        var coarseB = new double[k][];
        for (int c = 0; c < k; c++) coarseB[c] = new double[coarseN];
        for (int j = 0; j < count; j++)
            for (int p = 0; p < kept[j]; p++)
                for (int c = 0; c < k; c++) coarseB[c][firstColumn[j] + p] = rCoefficients[((long)j * k + p) * k + c];
        var rp = new int[n + 1];
        for (int i = 0; i < n; i++) rp[i + 1] = rp[i] + kept[aggregates[i]];
        var ci = new int[rp[n]];
        var v = new double[rp[n]];
        Parallel.For(0, count, j =>
        {
            for (int s = start[j]; s < start[j + 1]; s++)
            {
                int i = members[s];
                for (int p = 0; p < kept[j]; p++)
                {
                    ci[rp[i] + p] = firstColumn[j] + p;
                    v[rp[i] + p] = q[(long)p * n + s];
                }
            }
        });
        return (CsrMatrix.FromTrustedArrays(n, coarseN, rp, ci, v), coarseB);
    }

    /// <summary>
    /// A with its weak off-diagonal entries moved onto the diagonal (row sums kept, so the constant stays in the
    /// near-null space). Smoothing the prolongator with it keeps P from spreading across weak couplings: on
    /// anisotropic diffusion this halves the operator complexity, as PyAMG's filtered smoothing and ML's drop
    /// tolerance do. Returns A itself when no entry is weak.
    /// </summary>
    internal static CsrMatrix Filtered(CsrMatrix a, bool[] strong)
    {
        int n = a.Rows;
        int[] rp = a.RowPointerArray, ci = a.ColumnIndexArray;
        double[] v = a.ValueArray;
        var keepCount = new int[n + 1];
        Parallel.For(0, n, i =>
        {
            int kept = 0;
            for (int k = rp[i]; k < rp[i + 1]; k++) if (strong[k] || ci[k] == i) kept++;
            keepCount[i + 1] = kept;
        });
        for (int i = 0; i < n; i++) keepCount[i + 1] += keepCount[i];
        if (keepCount[n] == a.NonZeros) return a;
        var fci = new int[keepCount[n]];
        var fv = new double[keepCount[n]];
        Parallel.For(0, n, i =>
        {
            int o = keepCount[i], diagonal = -1;
            double lumped = 0;
            for (int k = rp[i]; k < rp[i + 1]; k++)
            {
                if (ci[k] == i) diagonal = o;
                if (strong[k] || ci[k] == i) { fci[o] = ci[k]; fv[o++] = v[k]; }
                else lumped += v[k];
            }
            // A row with only weak couplings and zero row sum would lose its diagonal: keep the original one there.
            if (diagonal >= 0 && fv[diagonal] + lumped > 0) fv[diagonal] += lumped;
        });
        return CsrMatrix.FromTrustedArrays(n, a.Columns, keepCount, fci, fv);
    }

    /// <summary>P = (I - omega D^-1 A) T with omega = 4 / (3 lambda_max(D^-1 A)), lambda_max from the Gershgorin bound.</summary>
    internal static CsrMatrix SmoothProlongator(CsrMatrix a, CsrMatrix t)
    {
        var diag = a.Diagonal();
        double lambda = ChebyshevPreconditioner.GershgorinBound(a);
        double omega = 4.0 / (3.0 * lambda);
        var at = a.Multiply(t);
        // A T is a fresh product, so its arrays can be rewritten in place.
        int[] rp = at.RowPointerArray, ci = at.ColumnIndexArray;
        double[] v = at.ValueArray;
        int[] trp = t.RowPointerArray, tci = t.ColumnIndexArray;
        double[] tv = t.ValueArray;
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
}
