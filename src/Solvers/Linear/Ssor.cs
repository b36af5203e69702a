using Solvers.Kernels;
using Solvers.Sparse;

namespace Solvers.Linear;

/// <summary>
/// Symmetric successive over-relaxation as a CG preconditioner:
/// M = (D + omega L) D^-1 (D + omega U) / (omega (2 - omega)), SPD for SPD A and 0 &lt; omega &lt; 2.
/// A CPU preconditioner: its sweeps are sequential (natural row order).
/// </summary>
public sealed class Ssor : HostMatrixPreconditioner
{
    /// <summary>Creates SSOR with relaxation <paramref name="omega"/> in (0, 2) (default 1, symmetric Gauss-Seidel).</summary>
    public Ssor(double omega = 1.0)
    {
        if (!(omega > 0 && omega < 2))
            throw new ArgumentOutOfRangeException(nameof(omega), omega, "SSOR needs 0 < omega < 2.");
        Omega = omega;
    }

    /// <summary>The relaxation parameter.</summary>
    public double Omega { get; }

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
        return new Applied(backend, a, d, Omega);
    }

    private sealed class Applied(Backend backend, CsrMatrix a, double[] d, double omega) : HostPreconditioner(backend, a.Rows)
    {
        private readonly int[] _rp = a.RowPointers.ToArray();
        private readonly int[] _ci = a.ColumnIndices.ToArray();
        private readonly double[] _v = a.Values.ToArray();

        public override long BytesPerApply(int n) => SweepBytes(n, _v.Length);

        protected override void Solve(ReadOnlySpan<double> r, Span<double> z)
        {
            int n = d.Length;
            // (D + omega L) y = r, then (D + omega U) z = D y, then scale by omega (2 - omega).
            for (int i = 0; i < n; i++)
            {
                double s = r[i];
                for (int k = _rp[i]; k < _rp[i + 1] && _ci[k] < i; k++) s -= omega * _v[k] * z[_ci[k]];
                z[i] = s / d[i];
            }
            for (int i = 0; i < n; i++) z[i] *= d[i];
            for (int i = n - 1; i >= 0; i--)
            {
                double s = z[i];
                for (int k = _rp[i + 1] - 1; k >= _rp[i] && _ci[k] > i; k--) s -= omega * _v[k] * z[_ci[k]];
                z[i] = s / d[i];
            }
            double scale = omega * (2 - omega);
            for (int i = 0; i < n; i++) z[i] *= scale;
        }
    }
}
