using Solvers.Sparse;

namespace Solvers.Kernels.Cpu;

/// <summary>A coloring in host memory, for the <see cref="CpuBackend"/>.</summary>
internal sealed class CpuColoring(Backend backend, Coloring coloring) : DeviceColoring(backend, coloring)
{
    public int[] Rows { get; } = (int[])coloring.Rows.Clone();
}

/// <summary>
/// SOR sweeps on the CPU: the multicolor sweep spreads the rows of each color over threads in fixed blocks; the
/// natural-order sweep is sequential by nature and runs on one thread.
/// </summary>
internal sealed class CpuSor(CpuBackend backend) : ISorKernels
{
    // Work per block (rows + nonzeros), as for SpMV: amortises scheduling, balances 2-64 threads. Rows of a color
    // are independent, so the blocking changes only the speed, never the result.
    private const int WorkPerBlock = 32 * 1024;

    private CpuCsr Matrix(DeviceCsr a) => KernelChecks.OwnMatrix<CpuCsr>(backend, a);

    private double[] Data(DeviceVector v, string name) => KernelChecks.Own<CpuVector>(backend, v, name).Data;

    public DeviceColoring UploadColoring(Coloring coloring)
    {
        ArgumentNullException.ThrowIfNull(coloring);
        return new CpuColoring(backend, coloring);
    }

    public void SweepMulticolor(DeviceCsr a, DeviceVector inverseDiagonal, DeviceColoring coloring, DeviceVector b, DeviceVector x,
        double omega, bool backward)
    {
        var m = Matrix(a);
        double[] ds = Data(inverseDiagonal, nameof(inverseDiagonal)), bs = Data(b, nameof(b)), xs = Data(x, nameof(x));
        SorChecks.Shapes(a, inverseDiagonal, b, x);
        var c = SorChecks.Coloring<CpuColoring>(backend, a, coloring);
        SorChecks.Omega(omega);
        if (a.Rows == 0) return;
        double meanRow = (double)a.NonZeros / a.Rows;
        int rowsPerBlock = Math.Max(64, (int)(WorkPerBlock / (1.0 + meanRow)));
        for (int k = 0; k < c.Colors; k++)
        {
            int color = backward ? c.Colors - 1 - k : k;
            int start = c.ColorStart[color], count = c.ColorStart[color + 1] - start;
            int blocks = (count + rowsPerBlock - 1) / rowsPerBlock;
            backend.ForBlocks(blocks, blk =>
            {
                int r0 = start + blk * rowsPerBlock;
                RelaxListed(m, ds, bs, xs, omega, c.Rows, r0, Math.Min(r0 + rowsPerBlock, start + count));
            });
        }
    }

    public void SweepSequential(DeviceCsr a, DeviceVector inverseDiagonal, DeviceVector b, DeviceVector x, double omega, bool backward)
    {
        var m = Matrix(a);
        double[] ds = Data(inverseDiagonal, nameof(inverseDiagonal)), bs = Data(b, nameof(b)), xs = Data(x, nameof(x));
        SorChecks.Shapes(a, inverseDiagonal, b, x);
        SorChecks.Omega(omega);
        RelaxNatural(m, ds, bs, xs, omega, backward);
    }

    /// <summary>Relaxes the rows listed in rows[p0..p1) (independent rows of one color).</summary>
    private static unsafe void RelaxListed(CpuCsr m, double[] d, double[] b, double[] x, double omega, int[] rows, int p0, int p1)
    {
        fixed (int* rp = m.RowPointers, ci = m.ColumnIndices, list = rows)
        fixed (double* v = m.Values, xp = x, bp = b, dp = d)
        {
            for (int p = p0; p < p1; p++)
            {
                int i = list[p];
                xp[i] += omega * dp[i] * (bp[i] - CpuSparse.RowDot(v, ci, xp, rp[i], rp[i + 1]));
            }
        }
    }

    /// <summary>Relaxes every row in natural order (or reversed), each row seeing the rows relaxed before it.</summary>
    private static unsafe void RelaxNatural(CpuCsr m, double[] d, double[] b, double[] x, double omega, bool backward)
    {
        int n = m.Rows;
        fixed (int* rp = m.RowPointers, ci = m.ColumnIndices)
        fixed (double* v = m.Values, xp = x, bp = b, dp = d)
        {
            for (int k = 0; k < n; k++)
            {
                int i = backward ? n - 1 - k : k;
                xp[i] += omega * dp[i] * (bp[i] - CpuSparse.RowDot(v, ci, xp, rp[i], rp[i + 1]));
            }
        }
    }
}
