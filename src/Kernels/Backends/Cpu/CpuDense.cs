using System.Numerics;
using System.Numerics.Tensors;

namespace Solvers.Kernels.Cpu;

/// <summary>
/// The tall-skinny dense products on the CPU. G x splits every row into fixed chunks of <see cref="Chunk"/> columns,
/// takes a SIMD dot product per chunk and adds a row's partials in chunk order; G' c runs over fixed blocks of columns
/// and, per block, adds c_i times row i for i in order, a separate multiply and add per term, which is the order and
/// rounding of the scalar reference and of the ILGPU kernel. The chunks and blocks depend on k and d only, so the
/// thread count never changes the bits.
/// </summary>
internal sealed class CpuDense(CpuBackend backend) : IDenseKernels
{
    // Columns per dot-product chunk: long enough for the SIMD loop to dominate the call, short enough that one
    // row of d = 10^7 still spreads over hundreds of tasks.
    private const int Chunk = 32 * 1024;

    // Columns per G' c block: the block of x stays in L1/L2 while all k rows stream past it.
    private const int ColumnBlock = 4 * 1024;

    // Elements per task for row copies.
    private const int CopyBlock = 256 * 1024;

    private double[] Data(DeviceVector v, string name) => KernelChecks.Own<CpuVector>(backend, v, name).Data;

    private float[] Data(DeviceVectorSingle v, string name) => KernelChecks.Own<CpuVectorSingle>(backend, v, name).Data;

    public void RowsTimes(DeviceVector g, int k, int d, DeviceVector x, DeviceVector y)
    {
        double[] gs = Data(g, nameof(g)), xs = Data(x, nameof(x)), ys = Data(y, nameof(y));
        DenseChecks.RowsTimes(g.Length, k, d, x.Length, y.Length);
        RowsTimes<double>(gs, k, d, xs, ys);
    }

    public void RowsTimes(DeviceVectorSingle g, int k, int d, DeviceVectorSingle x, DeviceVectorSingle y)
    {
        float[] gs = Data(g, nameof(g)), xs = Data(x, nameof(x)), ys = Data(y, nameof(y));
        DenseChecks.RowsTimes(g.Length, k, d, x.Length, y.Length);
        RowsTimes<float>(gs, k, d, xs, ys);
    }

    public void RowsTransposeTimes(DeviceVector g, int k, int d, DeviceVector c, DeviceVector x)
    {
        double[] gs = Data(g, nameof(g)), cs = Data(c, nameof(c)), xs = Data(x, nameof(x));
        DenseChecks.RowsTransposeTimes(g.Length, k, d, c.Length, x.Length);
        RowsTransposeTimes<double>(gs, k, d, cs, xs);
    }

    public void RowsTransposeTimes(DeviceVectorSingle g, int k, int d, DeviceVectorSingle c, DeviceVectorSingle x)
    {
        float[] gs = Data(g, nameof(g)), cs = Data(c, nameof(c)), xs = Data(x, nameof(x));
        DenseChecks.RowsTransposeTimes(g.Length, k, d, c.Length, x.Length);
        RowsTransposeTimes<float>(gs, k, d, cs, xs);
    }

    public void SetRow(DeviceVector g, int k, int d, int row, DeviceVector source)
    {
        double[] gs = Data(g, nameof(g)), ss = Data(source, nameof(source));
        DenseChecks.SetRow(g.Length, k, d, row, source.Length);
        SetRow<double>(gs, d, row, ss);
    }

    public void SetRow(DeviceVectorSingle g, int k, int d, int row, DeviceVectorSingle source)
    {
        float[] gs = Data(g, nameof(g)), ss = Data(source, nameof(source));
        DenseChecks.SetRow(g.Length, k, d, row, source.Length);
        SetRow<float>(gs, d, row, ss);
    }

    private void RowsTimes<T>(T[] g, int k, int d, T[] x, T[] y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int chunks = (d + Chunk - 1) / Chunk;
        if (chunks == 0)
        {
            Array.Clear(y);
            return;
        }
        var partials = new T[k * chunks];
        // Short rows are grouped so that each task still covers about a chunk of work.
        int perTask = Math.Max(1, Chunk / Math.Min(d, Chunk));
        int items = k * chunks;
        backend.ForBlocks((items + perTask - 1) / perTask, blk =>
        {
            int end = Math.Min(items, (blk + 1) * perTask);
            for (int item = blk * perTask; item < end; item++)
            {
                int i = item / chunks, j0 = (item - i * chunks) * Chunk;
                int length = Math.Min(Chunk, d - j0);
                partials[item] = TensorPrimitives.Dot<T>(g.AsSpan(i * d + j0, length), x.AsSpan(j0, length));
            }
        });
        for (int i = 0; i < k; i++)
        {
            T s = partials[i * chunks];
            for (int c = 1; c < chunks; c++) s += partials[i * chunks + c];
            y[i] = s;
        }
    }

    private void RowsTransposeTimes<T>(T[] g, int k, int d, T[] c, T[] x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        backend.ForBlocks((d + ColumnBlock - 1) / ColumnBlock, blk =>
        {
            int j0 = blk * ColumnBlock, length = Math.Min(ColumnBlock, d - j0);
            var xb = x.AsSpan(j0, length);
            xb.Clear();
            // MultiplyAdd rounds the product and the sum separately (unlike FusedMultiplyAdd), as the scalar loop does.
            for (int i = 0; i < k; i++) TensorPrimitives.MultiplyAdd<T>(g.AsSpan(i * d + j0, length), c[i], xb, xb);
        });
    }

    private void SetRow<T>(T[] g, int d, int row, T[] source)
    {
        backend.ForBlocks((d + CopyBlock - 1) / CopyBlock, blk =>
        {
            int j0 = blk * CopyBlock, length = Math.Min(CopyBlock, d - j0);
            source.AsSpan(j0, length).CopyTo(g.AsSpan(row * d + j0, length));
        });
    }
}
