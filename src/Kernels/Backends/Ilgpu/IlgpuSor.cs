using ILGPU;
using ILGPU.Runtime;
using Solvers.Sparse;

namespace Solvers.Kernels.Ilgpu;

/// <summary>A coloring in ILGPU accelerator memory: the grouped row list; the color starts stay on the host.</summary>
internal sealed class IlgpuColoring : DeviceColoring
{
    public IlgpuColoring(IlgpuBackend backend, Coloring coloring) : base(backend, coloring)
    {
        Rows = backend.Accelerator.Allocate1D<int>(Math.Max(coloring.RowCount, 1));
        if (coloring.RowCount > 0) Rows.View.AsContiguous().SubView(0, coloring.RowCount).CopyFromCPU(coloring.Rows);
    }

    public MemoryBuffer1D<int, Stride1D.Dense> Rows { get; }

    /// <summary>The rows of one color.</summary>
    public ArrayView<int> ColorRows(int color)
        => Rows.View.AsContiguous().SubView(ColorStart[color], ColorStart[color + 1] - ColorStart[color]);

    protected override void Dispose(bool disposing)
    {
        if (disposing) Rows.Dispose();
    }
}

/// <summary>SOR on an ILGPU accelerator: multicolor only, one thread per row of a color, one launch per color.</summary>
internal sealed class IlgpuSor(IlgpuBackend backend) : ISorKernels
{
    private IlgpuCsr Matrix(DeviceCsr a) => KernelChecks.OwnMatrix<IlgpuCsr>(backend, a);

    private ArrayView<double> View(DeviceVector v, string name) => KernelChecks.Own<IlgpuVector>(backend, v, name).View;

    public DeviceColoring UploadColoring(Coloring coloring)
    {
        ArgumentNullException.ThrowIfNull(coloring);
        return new IlgpuColoring(backend, coloring);
    }

    public void SweepMulticolor(DeviceCsr a, DeviceVector inverseDiagonal, DeviceColoring coloring, DeviceVector b, DeviceVector x,
        double omega, bool backward)
    {
        var m = Matrix(a);
        var dv = View(inverseDiagonal, nameof(inverseDiagonal));
        var bv = View(b, nameof(b));
        var xv = View(x, nameof(x));
        SorChecks.Shapes(a, inverseDiagonal, b, x);
        var c = SorChecks.Coloring<IlgpuColoring>(backend, a, coloring);
        SorChecks.Omega(omega);
        // Launches on one stream run in order, so each color sees the previous colors' updates.
        for (int k = 0; k < c.Colors; k++)
        {
            int color = backward ? c.Colors - 1 - k : k;
            int count = c.ColorStart[color + 1] - c.ColorStart[color];
            if (count == 0) continue;
            backend.Kernels.SorColor(count, m.RowPointers.View, m.Columns_.View, m.Values.View, dv, c.ColorRows(color), bv, xv, omega);
        }
    }

    public void SweepSequential(DeviceCsr a, DeviceVector inverseDiagonal, DeviceVector b, DeviceVector x, double omega, bool backward)
        => throw new NotSupportedException(
            $"A natural-order SOR sweep is sequential and is not offered on the {backend.Name} backend; " +
            "use the multicolor ordering instead (GraphColoring.Greedy or RedBlack, UploadColoring, SweepMulticolor).");
}
