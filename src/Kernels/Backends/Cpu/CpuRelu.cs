using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace Solvers.Kernels.Cpu;

/// <summary>
/// The ReLU-network maps on the CPU. Both are organised as small dense products vectorised across the 2P outputs
/// of a sample (x_k broadcast one feature at a time against U' or against the coefficient row), because d is
/// typically tens: per-output dot products of that length spend more time in call overhead than in arithmetic.
/// <para>
/// Every output is still one sequential sum over its index (c for the forward, k for the backward) with a separate
/// multiply and add, the order and rounding of the ILGPU kernels' scalar loops: the results are bit-identical to
/// them and to a scalar reference. Threads take fixed blocks of rows (forward) or of output columns j (backward),
/// so the thread count never changes the bits.
/// </para>
/// </summary>
internal sealed class CpuRelu(CpuBackend backend) : IReluKernels
{
    // Multiply-adds per block: big enough to amortise scheduling, small enough to balance threads.
    private const int EntriesPerBlock = 64 * 1024;

    private static readonly int Lanes = Vector<double>.Count;

    private double[] Data(DeviceVector v, string name) => KernelChecks.Own<CpuVector>(backend, v, name).Data;

    /// <summary>dots[j] = sum over c in order of x[c] * ut[c * q + j], four vectors of j at a time in registers.</summary>
    private static void Dots(double[] xs, int offset, int d, double[] ut, int q, double[] dots)
    {
        int j = 0;
        for (; j + 4 * Lanes <= q; j += 4 * Lanes)
        {
            Vector<double> a0 = Vector<double>.Zero, a1 = a0, a2 = a0, a3 = a0;
            for (int c = 0; c < d; c++)
            {
                var xv = new Vector<double>(xs[offset + c]);
                int o = c * q + j;
                a0 += xv * new Vector<double>(ut, o);
                a1 += xv * new Vector<double>(ut, o + Lanes);
                a2 += xv * new Vector<double>(ut, o + 2 * Lanes);
                a3 += xv * new Vector<double>(ut, o + 3 * Lanes);
            }
            a0.CopyTo(dots, j);
            a1.CopyTo(dots, j + Lanes);
            a2.CopyTo(dots, j + 2 * Lanes);
            a3.CopyTo(dots, j + 3 * Lanes);
        }
        for (; j < q; j++)
        {
            double sum = 0.0;
            for (int c = 0; c < d; c++) sum += xs[offset + c] * ut[c * q + j];
            dots[j] = sum;
        }
    }

    /// <summary>yt[c, j] += sum over k in [k0, k1) in order of x[k, c] * a[k, j] for c in [c0, c0 + 4) and j in [j0, j0 + 2 lanes).</summary>
    private static void TransposedProductBlock(double[] xs, int k0, int k1, int d, double[] a, int q, double[] yt, int c0, int j0)
    {
        int cs = Math.Min(4, d - c0);
        if (cs == 4 && j0 + 2 * Lanes <= q)
        {
            var s00 = new Vector<double>(yt, c0 * q + j0);
            var s01 = new Vector<double>(yt, c0 * q + j0 + Lanes);
            var s10 = new Vector<double>(yt, (c0 + 1) * q + j0);
            var s11 = new Vector<double>(yt, (c0 + 1) * q + j0 + Lanes);
            var s20 = new Vector<double>(yt, (c0 + 2) * q + j0);
            var s21 = new Vector<double>(yt, (c0 + 2) * q + j0 + Lanes);
            var s30 = new Vector<double>(yt, (c0 + 3) * q + j0);
            var s31 = new Vector<double>(yt, (c0 + 3) * q + j0 + Lanes);
            for (int k = k0; k < k1; k++)
            {
                var v0 = new Vector<double>(a, k * q + j0);
                var v1 = new Vector<double>(a, k * q + j0 + Lanes);
                int xo = k * d + c0;
                var x0 = new Vector<double>(xs[xo]);
                var x1 = new Vector<double>(xs[xo + 1]);
                var x2 = new Vector<double>(xs[xo + 2]);
                var x3 = new Vector<double>(xs[xo + 3]);
                s00 += x0 * v0; s01 += x0 * v1;
                s10 += x1 * v0; s11 += x1 * v1;
                s20 += x2 * v0; s21 += x2 * v1;
                s30 += x3 * v0; s31 += x3 * v1;
            }
            s00.CopyTo(yt, c0 * q + j0); s01.CopyTo(yt, c0 * q + j0 + Lanes);
            s10.CopyTo(yt, (c0 + 1) * q + j0); s11.CopyTo(yt, (c0 + 1) * q + j0 + Lanes);
            s20.CopyTo(yt, (c0 + 2) * q + j0); s21.CopyTo(yt, (c0 + 2) * q + j0 + Lanes);
            s30.CopyTo(yt, (c0 + 3) * q + j0); s31.CopyTo(yt, (c0 + 3) * q + j0 + Lanes);
            return;
        }
        int j1 = Math.Min(q, j0 + 2 * Lanes);
        for (int c = c0; c < c0 + cs; c++)
            for (int j = j0; j < j1; j++)
            {
                double sum = yt[c * q + j];
                for (int k = k0; k < k1; k++) sum += xs[k * d + c] * a[k * q + j];
                yt[c * q + j] = sum;
            }
    }

    public void MaskedForward(DeviceVector x, int n, int d, DeviceVector masks, int p, DeviceVector u, DeviceVector fu, DeviceVector gu)
    {
        double[] xs = Data(x, nameof(x)), ms = Data(masks, nameof(masks)), us = Data(u, nameof(u));
        double[] fs = Data(fu, nameof(fu)), gs = Data(gu, nameof(gu));
        ReluChecks.Forward(x, n, d, masks, p, u, fu, gu);
        bool wantG = gs.Length > 0;
        int q = 2 * p;
        // U' (d x 2P): row c holds feature c of every u_j, so a sample's 2P dot products accumulate as vectors.
        // Scratch from the shared pool: these run every ADMM iteration, and fresh arrays of n x 2P doubles
        // would hand the GC megabytes per call.
        var ut = ArrayPool<double>.Shared.Rent(Math.Max(1, d * q));
        for (int j = 0; j < q; j++)
            for (int c = 0; c < d; c++) ut[c * q + j] = us[j * d + c];
        int per = Math.Max(1, EntriesPerBlock / Math.Max(1, q * d));
        backend.ForBlocks((n + per - 1) / per, blk =>
        {
            var dots = new double[q];
            int end = Math.Min(n, (blk + 1) * per);
            for (int k = blk * per; k < end; k++)
            {
                Dots(xs, k * d, d, ut, q, dots);
                double s = 0.0;
                for (int i = 0; i < p; i++)
                {
                    double dv = dots[i], dw = dots[p + i];
                    double m = ms[k * p + i];
                    s += m * (dv - dw);
                    if (wantG)
                    {
                        double sign = 2.0 * m - 1.0;
                        gs[k * q + i] = sign * dv;
                        gs[k * q + p + i] = sign * dw;
                    }
                }
                fs[k] = s;
            }
        });
        ArrayPool<double>.Shared.Return(ut);
    }

    public void MaskedBackward(DeviceVector x, int n, int d, DeviceVector masks, int p, DeviceVector r, DeviceVector t, DeviceVector y)
    {
        double[] xs = Data(x, nameof(x)), ms = Data(masks, nameof(masks)), rs = Data(r, nameof(r));
        double[] ts = Data(t, nameof(t)), ys = Data(y, nameof(y));
        ReluChecks.Backward(x, n, d, masks, p, r, t, y);
        if (ys.Length == 0) return;
        bool hasT = ts.Length > 0;
        int q = 2 * p;
        // The coefficients A (n x 2P), then Y' = X'A (d x 2P) as a register-blocked product: each output is the sum
        // over k in order, 4 features x 2 vectors of outputs per block held in registers.
        var coefficients = ArrayPool<double>.Shared.Rent(Math.Max(1, n * q));
        int perRows = Math.Max(1, EntriesPerBlock / Math.Max(1, q));
        backend.ForBlocks((n + perRows - 1) / perRows, blk =>
        {
            int end = Math.Min(n, (blk + 1) * perRows);
            for (int k = blk * perRows; k < end; k++)
                for (int j = 0; j < q; j++)
                {
                    int i = j < p ? j : j - p;
                    double m = ms[k * p + i];
                    double coefficient = m * rs[k];
                    if (j >= p) coefficient = -coefficient;
                    if (hasT) coefficient += (2.0 * m - 1.0) * ts[k * q + j];
                    coefficients[k * q + j] = coefficient;
                }
        });
        var yt = ArrayPool<double>.Shared.Rent(Math.Max(1, d * q));
        Array.Clear(yt, 0, d * q);
        int cBlocks = (d + 3) / 4, jBlocks = (q + 2 * Lanes - 1) / (2 * Lanes);
        // Samples in tiles that keep a tile of A and X in L2 while every feature block passes over it; the tiles
        // are taken in ascending k, so each output is still one sum in k order.
        const int Tile = 256;
        backend.ForBlocks(jBlocks, jb =>
        {
            for (int k0 = 0; k0 < n; k0 += Tile)
                for (int cb = 0; cb < cBlocks; cb++)
                    TransposedProductBlock(xs, k0, Math.Min(n, k0 + Tile), d, coefficients, q, yt, cb * 4, jb * 2 * Lanes);
        });
        for (int j = 0; j < q; j++)
            for (int c = 0; c < d; c++) ys[j * d + c] = yt[c * q + j];
        ArrayPool<double>.Shared.Return(coefficients);
        ArrayPool<double>.Shared.Return(yt);
    }
}
