using ILGPU;

namespace Solvers.Kernels.Ilgpu;

/// <summary>
/// The ReLU-network maps on an ILGPU accelerator: the forward runs one thread per sample row (its 2P dot products
/// share the row's loads), the backward one thread per output entry, so neither needs atomics or a reduction.
/// </summary>
internal sealed class IlgpuRelu(IlgpuBackend backend) : IReluKernels
{
    private ArrayView<double> View(DeviceVector v, string name) => KernelChecks.Own<IlgpuVector>(backend, v, name).View;

    public void MaskedForward(DeviceVector x, int n, int d, DeviceVector masks, int p, DeviceVector u, DeviceVector fu, DeviceVector gu)
    {
        var xv = View(x, nameof(x));
        var mv = View(masks, nameof(masks));
        var uv = View(u, nameof(u));
        var fv = View(fu, nameof(fu));
        var gv = View(gu, nameof(gu));
        ReluChecks.Forward(x, n, d, masks, p, u, fu, gu);
        if (n > 0) backend.Kernels.ReluMaskedForward(n, xv, mv, uv, fv, gv, d, p);
    }

    public void MaskedBackward(DeviceVector x, int n, int d, DeviceVector masks, int p, DeviceVector r, DeviceVector t, DeviceVector y)
    {
        var xv = View(x, nameof(x));
        var mv = View(masks, nameof(masks));
        var rv = View(r, nameof(r));
        var tv = View(t, nameof(t));
        var yv = View(y, nameof(y));
        ReluChecks.Backward(x, n, d, masks, p, r, t, y);
        if (y.Length > 0) backend.Kernels.ReluMaskedBackward(y.Length, xv, mv, rv, tv, yv, n, d, p);
    }
}
