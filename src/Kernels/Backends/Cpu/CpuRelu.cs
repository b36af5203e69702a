using System.Numerics.Tensors;

namespace Solvers.Kernels.Cpu;

/// <summary>
/// The ReLU-network maps on the CPU, spread over threads in fixed blocks of outputs, so the thread count never changes
/// the bits.
/// <para>
/// Forward: each dot product x_k . u_j is a SIMD <c>TensorPrimitives.Dot</c>,
/// whose lane-wise partial sums differ from the ILGPU kernels' sequential sum over c in the last bits; SIMD is chosen
/// because the forward is the hot loop of every iteration, and the tests hold it to 1e-12 relative instead of exactness.
/// </para>
/// <para>
/// Backward: entry (j, c) is the sequential sum over k = 0..n-1 of coefficient(j, k) * x[k*d + c], the order of the
/// ILGPU kernel. The loop runs k outermost and adds coefficient * x_k into a cache-resident stretch of y_j with a
/// non-fused multiply-add, which performs exactly those additions in that order: bit-identical to a scalar loop.
/// </para>
/// </summary>
internal sealed class CpuRelu(CpuBackend backend) : IReluKernels
{
    // Multiply-adds per block: big enough to amortise scheduling, small enough to balance threads.
    private const int EntriesPerBlock = 64 * 1024;

    // Backward tiles split y's rows into column stretches this long, which stay in L1 while the k loop streams X.
    private const int ColumnChunk = 1024;

    private double[] Data(DeviceVector v, string name) => KernelChecks.Own<CpuVector>(backend, v, name).Data;

    public void MaskedForward(DeviceVector x, int n, int d, DeviceVector masks, int p, DeviceVector u, DeviceVector fu, DeviceVector gu)
    {
        double[] xs = Data(x, nameof(x)), ms = Data(masks, nameof(masks)), us = Data(u, nameof(u));
        double[] fs = Data(fu, nameof(fu)), gs = Data(gu, nameof(gu));
        ReluChecks.Forward(x, n, d, masks, p, u, fu, gu);
        bool wantG = gs.Length > 0;
        int per = Math.Max(1, EntriesPerBlock / Math.Max(1, 2 * p * d));
        backend.ForBlocks((n + per - 1) / per, blk =>
        {
            int end = Math.Min(n, (blk + 1) * per);
            for (int k = blk * per; k < end; k++)
            {
                var xk = new ReadOnlySpan<double>(xs, k * d, d);
                double s = 0.0;
                for (int i = 0; i < p; i++)
                {
                    double dv = TensorPrimitives.Dot(xk, new ReadOnlySpan<double>(us, i * d, d));
                    double dw = TensorPrimitives.Dot(xk, new ReadOnlySpan<double>(us, (p + i) * d, d));
                    double m = ms[k * p + i];
                    s += m * (dv - dw);
                    if (wantG)
                    {
                        double sign = 2.0 * m - 1.0;
                        gs[k * 2 * p + i] = sign * dv;
                        gs[k * 2 * p + p + i] = sign * dw;
                    }
                }
                fs[k] = s;
            }
        });
    }

    public void MaskedBackward(DeviceVector x, int n, int d, DeviceVector masks, int p, DeviceVector r, DeviceVector t, DeviceVector y)
    {
        double[] xs = Data(x, nameof(x)), ms = Data(masks, nameof(masks)), rs = Data(r, nameof(r));
        double[] ts = Data(t, nameof(t)), ys = Data(y, nameof(y));
        ReluChecks.Backward(x, n, d, masks, p, r, t, y);
        if (ys.Length == 0) return;
        bool hasT = ts.Length > 0;
        int rows = 2 * p;
        int chunks = (d + ColumnChunk - 1) / ColumnChunk;
        int width = Math.Min(d, ColumnChunk);
        int per = Math.Max(1, EntriesPerBlock / Math.Max(1, n * width));
        int rowBlocks = (rows + per - 1) / per;
        backend.ForBlocks(rowBlocks * chunks, blk =>
        {
            int c0 = blk % chunks * ColumnChunk, len = Math.Min(ColumnChunk, d - c0);
            int j0 = blk / chunks * per, j1 = Math.Min(rows, j0 + per);
            for (int j = j0; j < j1; j++)
            {
                var yj = new Span<double>(ys, j * d + c0, len);
                yj.Clear();
                int i = j < p ? j : j - p;
                for (int k = 0; k < n; k++)
                {
                    double m = ms[k * p + i];
                    double a = m * rs[k];
                    if (j >= p) a = -a;
                    if (hasT) a += (2.0 * m - 1.0) * ts[k * rows + j];
                    // y_j[c] = a * x[k, c] + y_j[c], one rounding per product and per sum, as the kernel does.
                    TensorPrimitives.MultiplyAdd(new ReadOnlySpan<double>(xs, k * d + c0, len), a, yj, yj);
                }
            }
        });
    }
}
