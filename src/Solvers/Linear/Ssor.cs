using Solvers.Kernels;
using Solvers.Sparse;

namespace Solvers.Linear;

/// <summary>
/// Symmetric successive over-relaxation as a CG preconditioner:
/// M = (D + omega L) D^-1 (D + omega U) / (omega (2 - omega)), SPD for SPD A and 0 &lt; omega &lt; 2.
/// In the natural row order the sweeps are sequential and run on host arrays (the CPU backend's default); in the
/// multicolor order (the default elsewhere) a forward sweep over the colors and a backward one run as device
/// kernels, one launch per color, so SSOR-PCG runs on GPUs. The two orders are different preconditioners.
/// </summary>
/// <remarks>Thread safety: an immutable strategy; one instance may serve several solves at once, each Setup returning its own AppliedPreconditioner.</remarks>
public sealed class Ssor : HostMatrixPreconditioner
{
    /// <summary>Creates SSOR with relaxation <paramref name="omega"/> in (0, 2) (default 1, symmetric Gauss-Seidel).</summary>
    public Ssor(double omega = 1.0, SorOrdering ordering = SorOrdering.Auto)
    {
        if (!(omega > 0 && omega < 2))
            throw new ArgumentOutOfRangeException(nameof(omega), omega, "SSOR needs 0 < omega < 2.");
        Omega = omega;
        Ordering = ordering;
    }

    /// <summary>The relaxation parameter.</summary>
    public double Omega { get; }

    /// <summary>The row ordering of the sweeps (Auto: natural on the CPU backend, multicolor elsewhere).</summary>
    public SorOrdering Ordering { get; }

    /// <inheritdoc/>
    public override string Name => $"ssor({Omega:G3})";

    /// <summary>Prepares the sweeps for <paramref name="a"/>.</summary>
    /// <exception cref="PreconditionerSetupException">A diagonal entry is not positive (so A is not SPD); the message names it.</exception>
    protected override AppliedPreconditioner SetupSquare(Backend backend, CsrMatrix a)
    {
        var d = a.Diagonal();
        for (int i = 0; i < d.Length; i++)
            if (!(d[i] > 0))
                throw new PreconditionerSetupException(SolverStatus.IndefiniteMatrix,
                    $"SSOR: diagonal entry A[{i},{i}] = {d[i]:G6} is not positive, so A is not SPD.");
        var ordering = Ordering == SorOrdering.Auto ? (backend.Kind == BackendKind.Cpu ? SorOrdering.Natural : SorOrdering.Multicolor) : Ordering;
        return ordering == SorOrdering.Natural ? new Applied(backend, a, d, Omega) : new MulticolorApplied(backend, a, d, Omega);
    }

    /// <summary>
    /// z = M^-1 r by a forward multicolor sweep from z = 0 and a backward one, both on the device: one symmetric
    /// SOR step from zero applies M^-1 = omega (2 - omega) (D + omega U)^-1 D (D + omega L)^-1 exactly, the same
    /// operator as the natural-order version up to the row order.
    /// </summary>
    private sealed class MulticolorApplied : AppliedPreconditioner
    {
        private readonly Backend _backend;
        private readonly DeviceCsr _a;
        private readonly DeviceVector _inverseDiagonal;
        private readonly DeviceColoring _coloring;
        private readonly double _omega;

        public MulticolorApplied(Backend backend, CsrMatrix a, double[] d, double omega)
        {
            _backend = backend;
            _omega = omega;
            _a = backend.Upload(a);
            try
            {
                _inverseDiagonal = backend.Upload(d);
                backend.Blas.Reciprocal(_inverseDiagonal);
                _coloring = backend.Sor.UploadColoring(GraphColoring.Greedy(a));
            }
            catch
            {
                _a.Dispose();
                _inverseDiagonal?.Dispose();
                throw;
            }
        }

        public override long BytesPerApply(int n) => 2 * (_a.MatrixBytes + 24L * n);

        public override void Apply(DeviceVector r, DeviceVector z, DeviceVector scalars, int slot)
        {
            _backend.Blas.Fill(z, 0);
            _backend.Sor.SweepMulticolor(_a, _inverseDiagonal, _coloring, r, z, _omega, backward: false);
            _backend.Sor.SweepMulticolor(_a, _inverseDiagonal, _coloring, r, z, _omega, backward: true);
            _backend.Blas.DotInto(r, z, scalars, slot);
        }

        protected override void Dispose(bool disposing)
        {
            if (!disposing) return;
            _coloring.Dispose();
            _inverseDiagonal.Dispose();
            _a.Dispose();
        }
    }

    private sealed class Applied : HostPreconditioner
    {
        private readonly int[] _rp;
        private readonly int[] _ci;
        private readonly double[] _omegaV;
        private readonly int[] _diagonalIndex;
        private readonly double[] _d;
        private readonly double[] _inverseD;
        private readonly double _scale;

        public Applied(Backend backend, CsrMatrix a, double[] d, double omega) : base(backend, a.Rows)
        {
            _rp = a.RowPointers.ToArray();
            _ci = a.ColumnIndices.ToArray();
            // omega folded into the values, and the diagonal's position per row (columns are sorted, and d > 0
            // was checked, so it is stored): the sweeps then loop over the strict halves without comparisons.
            _omegaV = a.Values.ToArray();
            for (int k = 0; k < _omegaV.Length; k++) _omegaV[k] *= omega;
            _diagonalIndex = new int[a.Rows];
            for (int i = 0; i < a.Rows; i++)
            {
                int k = _rp[i];
                while (_ci[k] < i) k++;
                _diagonalIndex[i] = k;
            }
            _d = d;
            _inverseD = d.Select(x => 1 / x).ToArray();
            _scale = omega * (2 - omega);
        }

        public override long BytesPerApply(int n) => SweepBytes(n, _omegaV.Length);

        protected override void Solve(ReadOnlySpan<double> r, Span<double> z)
        {
            int n = _d.Length;
            int[] rp = _rp, ci = _ci, di = _diagonalIndex;
            double[] ov = _omegaV, d = _d, inv = _inverseD;
            // Forward: (D + omega L) y = r, y kept in z. Backward: (D + omega U) z = c D y with c = omega (2 - omega),
            // which is c (D + omega U)^-1 D y because the solve is linear: M^-1 r in two passes instead of four.
            for (int i = 0; i < n; i++)
            {
                double s = r[i];
                for (int k = rp[i]; k < di[i]; k++) s -= ov[k] * z[ci[k]];
                z[i] = s * inv[i];
            }
            double c = _scale;
            for (int i = n - 1; i >= 0; i--)
            {
                double s = c * d[i] * z[i];
                for (int k = di[i] + 1; k < rp[i + 1]; k++) s -= ov[k] * z[ci[k]];
                z[i] = s * inv[i];
            }
        }
    }
}
