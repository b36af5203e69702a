namespace Solvers.Kernels.Cpu;

/// <summary>
/// Gaussian sketches on the CPU: entries regenerated on the fly, outputs spread over threads in fixed blocks. Each
/// output entry is one sequential sum in index order, as in the ILGPU kernels, so the blocking never changes the bits.
/// </summary>
internal sealed class CpuSketch(CpuBackend backend) : ISketchKernels
{
    // Generating an entry (two hashes, a log, a cosine) dwarfs the multiply-add, so blocks are sized in entries.
    private const int EntriesPerBlock = 16 * 1024;

    private double[] Data(DeviceVector v, string name) => KernelChecks.Own<CpuVector>(backend, v, name).Data;

    public void GaussianApply(ulong seed, double scale, DeviceVector x, DeviceVector y)
    {
        double[] xs = Data(x, nameof(x)), ys = Data(y, nameof(y));
        int k = ys.Length, n = xs.Length;
        SketchChecks.Size(k, n);
        int per = Math.Max(1, EntriesPerBlock / Math.Max(1, n));
        backend.ForBlocks((k + per - 1) / per, blk =>
        {
            int end = Math.Min(k, (blk + 1) * per);
            for (int i = blk * per; i < end; i++)
            {
                double s = 0.0;
                ulong row = (ulong)i * (ulong)n;
                for (int j = 0; j < n; j++) s += SketchRandom.Gaussian(seed, row + (ulong)j) * xs[j];
                ys[i] = scale * s;
            }
        });
    }

    public void GaussianApplyTranspose(ulong seed, double scale, DeviceVector y, DeviceVector x)
    {
        double[] ys = Data(y, nameof(y)), xs = Data(x, nameof(x));
        int k = ys.Length, n = xs.Length;
        SketchChecks.Size(k, n);
        int per = Math.Max(1, EntriesPerBlock / Math.Max(1, k));
        backend.ForBlocks((n + per - 1) / per, blk =>
        {
            int end = Math.Min(n, (blk + 1) * per);
            for (int j = blk * per; j < end; j++)
            {
                double s = 0.0;
                for (int i = 0; i < k; i++) s += SketchRandom.Gaussian(seed, (ulong)i * (ulong)n + (ulong)j) * ys[i];
                xs[j] = scale * s;
            }
        });
    }
}
