using System.Globalization;
using Solvers.Kernels;
using Solvers.Sparse;

namespace Solvers.Linear;

/// <summary>Options of the IC(0) preconditioner.</summary>
/// <remarks>Thread safety: immutable (init-only), safe to share between threads.</remarks>
public sealed record IncompleteCholeskyOptions
{
    private readonly double _diagonalShift;
    private readonly int _maxShiftRetries = 10;

    /// <summary>Factor A + shift * max|a_ii| * I instead of A (default 0).</summary>
    public double DiagonalShift
    {
        get => _diagonalShift;
        init => _diagonalShift = value >= 0 && double.IsFinite(value) ? value
            : throw new ArgumentOutOfRangeException(nameof(DiagonalShift), value, "The diagonal shift must be finite and non-negative.");
    }

    /// <summary>
    /// On a non-positive pivot, retry with the shift raised (to 1e-3 of the largest diagonal entry, then doubled)
    /// up to <see cref="MaxShiftRetries"/> times, as PETSc's -pc_factor_shift_type positive_definite does (default false:
    /// report the failing row).
    /// </summary>
    public bool AutoShift { get; init; }

    /// <summary>Retries allowed by <see cref="AutoShift"/> (default 10).</summary>
    public int MaxShiftRetries
    {
        get => _maxShiftRetries;
        init => _maxShiftRetries = value >= 0 ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxShiftRetries), value, "The number of retries must be non-negative.");
    }
}

/// <summary>
/// Incomplete Cholesky with zero fill, IC(0): A ~ L L' with L on the lower pattern of A. A CPU preconditioner
/// (its triangular solves are sequential).
/// </summary>
/// <remarks>Thread safety: an immutable strategy; one instance may serve several solves at once, each Setup returning its own AppliedPreconditioner.</remarks>
public sealed class IncompleteCholesky(IncompleteCholeskyOptions? options = null) : HostMatrixPreconditioner
{
    /// <summary>The options.</summary>
    public IncompleteCholeskyOptions Options { get; } = options ?? new IncompleteCholeskyOptions();

    /// <inheritdoc/>
    public override string Name => "ic0";

    /// <summary>The shift (relative to the largest diagonal entry) used by the last successful setup (0 when none was needed).</summary>
    public double LastShift { get; private set; }

    /// <summary>Factors <paramref name="a"/> (full symmetric storage; only the lower triangle is read).</summary>
    /// <exception cref="PreconditionerSetupException">A pivot is not positive (the message names the row) and no shift rescued it.</exception>
    protected override AppliedPreconditioner SetupSquare(Backend backend, CsrMatrix a)
    {
        var (rp, ci, v, diag) = LowerTriangle(a);
        double maxDiag = 0;
        foreach (double d in a.Diagonal()) maxDiag = Math.Max(maxDiag, Math.Abs(d));
        double shift = Options.DiagonalShift * maxDiag;
        int retries = Options.AutoShift ? Options.MaxShiftRetries : 0;
        for (int attempt = 0; ; attempt++)
        {
            var l = (double[])v.Clone();
            int badRow = Factor(rp, ci, l, diag, shift, out double pivot);
            if (badRow < 0)
            {
                LastShift = maxDiag > 0 ? shift / maxDiag : 0;
                return new Applied(backend, a.Rows, rp, ci, l, diag);
            }
            if (attempt >= retries)
                throw new PreconditionerSetupException(SolverStatus.IndefiniteMatrix, string.Format(CultureInfo.InvariantCulture,
                    "IC(0): pivot {0:G6} <= 0 at row {1} (diagonal shift {2:G3}): A is not positive definite, or IC(0) breaks down on it; " +
                    "set IncompleteCholeskyOptions.AutoShift or DiagonalShift.", pivot, badRow, shift));
            shift = shift == 0 ? 1e-3 * maxDiag : 2 * shift;
        }
    }

    /// <summary>The strictly lower triangle in CSR plus the position of each row's diagonal (appended last in its row).</summary>
    private static (int[] Rp, int[] Ci, double[] V, int[] Diag) LowerTriangle(CsrMatrix a)
    {
        int n = a.Rows;
        var rp = new int[n + 1];
        var ci = new List<int>(a.NonZeros / 2 + n);
        var v = new List<double>(a.NonZeros / 2 + n);
        var diag = new int[n];
        for (int i = 0; i < n; i++)
        {
            double aii = 0;
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
            {
                int j = a.ColumnIndices[k];
                if (j < i) { ci.Add(j); v.Add(a.Values[k]); }
                else if (j == i) aii = a.Values[k];
            }
            diag[i] = ci.Count;
            ci.Add(i);
            v.Add(aii);
            rp[i + 1] = ci.Count;
        }
        return (rp, ci.ToArray(), v.ToArray(), diag);
    }

    /// <summary>Row-oriented IC(0) in place; returns the first row with a non-positive pivot, or -1.</summary>
    private static int Factor(int[] rp, int[] ci, double[] l, int[] diag, double shift, out double pivot)
    {
        int n = diag.Length;
        pivot = 0;
        for (int i = 0; i < n; i++)
        {
            for (int p = rp[i]; p < diag[i]; p++)
            {
                int k = ci[p];
                // l_ik = (a_ik - sum_{j<k} l_ij l_kj) / l_kk, the sum over the common pattern of rows i and k.
                double s = l[p];
                int qi = rp[i], qk = rp[k];
                while (qi < p && qk < diag[k])
                {
                    int ji = ci[qi], jk = ci[qk];
                    if (ji == jk) { s -= l[qi] * l[qk]; qi++; qk++; }
                    else if (ji < jk) qi++;
                    else qk++;
                }
                l[p] = s / l[diag[k]];
            }
            double d = l[diag[i]] + shift;
            for (int p = rp[i]; p < diag[i]; p++) d -= l[p] * l[p];
            if (!(d > 0) || !double.IsFinite(d))
            {
                pivot = d;
                return i;
            }
            l[diag[i]] = Math.Sqrt(d);
        }
        return -1;
    }

    private sealed class Applied(Backend backend, int size, int[] rp, int[] ci, double[] l, int[] diag) : HostPreconditioner(backend, size)
    {
        public override long BytesPerApply(int n) => SweepBytes(n, 2L * l.Length);

        protected override void Solve(ReadOnlySpan<double> r, Span<double> z)
        {
            int n = diag.Length;
            // L y = r, forward by rows; then L' z = y, backward by columns of L' (rows of L).
            for (int i = 0; i < n; i++)
            {
                double s = r[i];
                for (int p = rp[i]; p < diag[i]; p++) s -= l[p] * z[ci[p]];
                z[i] = s / l[diag[i]];
            }
            for (int i = n - 1; i >= 0; i--)
            {
                double zi = z[i] / l[diag[i]];
                z[i] = zi;
                for (int p = rp[i]; p < diag[i]; p++) z[ci[p]] -= l[p] * zi;
            }
        }
    }
}
