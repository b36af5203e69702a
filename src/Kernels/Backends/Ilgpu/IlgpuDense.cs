using ILGPU;
using ILGPU.Runtime;

namespace Solvers.Kernels.Ilgpu;

/// <summary>
/// The tall-skinny dense products on an ILGPU accelerator. G x is a two-pass reduction through a k x parts buffer
/// of partial sums (see <see cref="IlgpuKernels.DenseRowsTimesPartials"/>), with parts a function of k and d only,
/// so the result is deterministic on a device; G' c is one thread per column and the row write one thread per element,
/// so neither needs atomics. The partials buffer is kept between calls and grown on demand, because an allocation per
/// product would cost more than the product on a GPU.
/// </summary>
internal sealed class IlgpuDense(IlgpuBackend backend) : IDenseKernels, IDisposable
{
    // Threads of the first pass: enough to keep a GPU's memory system busy when k is small.
    private const int TargetThreads = 1 << 18;

    // Parts per row at most, which bounds the serial second pass (one thread per row) when k is tiny.
    private const int MaxParts = 16 * 1024;

    private MemoryBuffer1D<double, Stride1D.Dense>? _partials;
    private MemoryBuffer1D<float, Stride1D.Dense>? _partialsSingle;

    private ArrayView<double> View(DeviceVector v, string name) => KernelChecks.Own<IlgpuVector>(backend, v, name).View;

    private ArrayView<float> View(DeviceVectorSingle v, string name) => KernelChecks.Own<IlgpuVectorSingle>(backend, v, name).View;

    /// <summary>Parts per row of the first pass of G x (d &gt; 0): a function of k and d only.</summary>
    internal static int Parts(int k, int d) => Math.Min(d, Math.Clamp(TargetThreads / Math.Max(k, 1), 1, MaxParts));

    private static ArrayView<T> Scratch<T>(ref MemoryBuffer1D<T, Stride1D.Dense>? buffer, Accelerator accelerator, long length)
        where T : unmanaged
    {
        if (buffer is null || buffer.Length < length)
        {
            // Earlier launches may still read the old buffer; disposal waits for them on the same stream.
            accelerator.Synchronize();
            buffer?.Dispose();
            buffer = accelerator.Allocate1D<T>(length);
        }
        return buffer.View.AsContiguous().SubView(0, length);
    }

    public void RowsTimes(DeviceVector g, int k, int d, DeviceVector x, DeviceVector y)
    {
        var gv = View(g, nameof(g));
        var xv = View(x, nameof(x));
        var yv = View(y, nameof(y));
        DenseChecks.RowsTimes(g.Length, k, d, x.Length, y.Length);
        RowsTimes(gv, xv, yv, k, d, ref _partials, backend.Kernels.DenseRowsTimesPartials, backend.Kernels.DenseRowsTimesFinish);
    }

    public void RowsTimes(DeviceVectorSingle g, int k, int d, DeviceVectorSingle x, DeviceVectorSingle y)
    {
        var gv = View(g, nameof(g));
        var xv = View(x, nameof(x));
        var yv = View(y, nameof(y));
        DenseChecks.RowsTimes(g.Length, k, d, x.Length, y.Length);
        RowsTimes(gv, xv, yv, k, d, ref _partialsSingle, backend.Kernels.DenseRowsTimesPartialsSingle, backend.Kernels.DenseRowsTimesFinishSingle);
    }

    /// <summary>y = G x in two launches (partial dots per part of each row, then their sum), in either precision.</summary>
    private void RowsTimes<T>(ArrayView<T> gv, ArrayView<T> xv, ArrayView<T> yv, int k, int d, ref MemoryBuffer1D<T, Stride1D.Dense>? partials,
        Action<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, int, int> partialsKernel, Action<Index1D, ArrayView<T>, ArrayView<T>, int> finishKernel)
        where T : unmanaged
    {
        if (k == 0) return;
        if (d == 0)
        {
            yv.MemSetToZero();
            return;
        }
        int parts = Parts(k, d);
        var pv = Scratch(ref partials, backend.Accelerator, (long)k * parts);
        partialsKernel(k * parts, gv, xv, pv, d, parts);
        finishKernel(k, pv, yv, parts);
    }

    public void RowsTransposeTimes(DeviceVector g, int k, int d, DeviceVector c, DeviceVector x)
    {
        var gv = View(g, nameof(g));
        var cv = View(c, nameof(c));
        var xv = View(x, nameof(x));
        DenseChecks.RowsTransposeTimes(g.Length, k, d, c.Length, x.Length);
        if (d > 0) backend.Kernels.DenseRowsTransposeTimes(d, gv, cv, xv, k, d);
    }

    public void RowsTransposeTimes(DeviceVectorSingle g, int k, int d, DeviceVectorSingle c, DeviceVectorSingle x)
    {
        var gv = View(g, nameof(g));
        var cv = View(c, nameof(c));
        var xv = View(x, nameof(x));
        DenseChecks.RowsTransposeTimes(g.Length, k, d, c.Length, x.Length);
        if (d > 0) backend.Kernels.DenseRowsTransposeTimesSingle(d, gv, cv, xv, k, d);
    }

    public void SetRow(DeviceVector g, int k, int d, int row, DeviceVector source)
    {
        var gv = View(g, nameof(g));
        var sv = View(source, nameof(source));
        DenseChecks.SetRow(g.Length, k, d, row, source.Length);
        if (d > 0) backend.Kernels.DenseSetRow(d, gv, sv, row * d);
    }

    public void SetRow(DeviceVectorSingle g, int k, int d, int row, DeviceVectorSingle source)
    {
        var gv = View(g, nameof(g));
        var sv = View(source, nameof(source));
        DenseChecks.SetRow(g.Length, k, d, row, source.Length);
        if (d > 0) backend.Kernels.DenseSetRowSingle(d, gv, sv, row * d);
    }

    public void Dispose()
    {
        _partials?.Dispose();
        _partialsSingle?.Dispose();
    }
}
