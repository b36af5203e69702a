using ILGPU;

namespace Solvers.Kernels.Ilgpu;

/// <summary>Gaussian sketches on an ILGPU accelerator: one thread per output entry, entries regenerated in registers.</summary>
internal sealed class IlgpuSketch(IlgpuBackend backend) : ISketchKernels
{
    private ArrayView<double> View(DeviceVector v, string name) => KernelChecks.Own<IlgpuVector>(backend, v, name).View;

    public void GaussianApply(ulong seed, double scale, DeviceVector x, DeviceVector y)
    {
        var xv = View(x, nameof(x));
        var yv = View(y, nameof(y));
        SketchChecks.Size(y.Length, x.Length);
        if (y.Length > 0) backend.Kernels.GaussianSketchApply(y.Length, seed, scale, xv, yv, x.Length);
    }

    public void GaussianApplyTranspose(ulong seed, double scale, DeviceVector y, DeviceVector x)
    {
        var yv = View(y, nameof(y));
        var xv = View(x, nameof(x));
        SketchChecks.Size(y.Length, x.Length);
        if (x.Length > 0) backend.Kernels.GaussianSketchApplyTranspose(x.Length, seed, scale, yv, xv, y.Length);
    }
}
