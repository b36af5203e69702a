using ILGPU;
using ILGPU.Runtime;

namespace Solvers.Kernels.Ilgpu;

/// <summary>BLAS-1 on an ILGPU accelerator.</summary>
internal sealed class IlgpuBlas(IlgpuBackend backend) : IBlasKernels
{
    private ArrayView<double> View(DeviceVector v, string name) => KernelChecks.Own<IlgpuVector>(backend, v, name).View;

    private KernelConfig ReductionConfig(int n, out int groups)
    {
        groups = backend.ReductionGroups(n);
        return new KernelConfig(groups, backend.GroupSize);
    }

    public double Dot(DeviceVector x, DeviceVector y)
    {
        var xv = View(x, nameof(x));
        var yv = View(y, nameof(y));
        KernelChecks.SameLength(x, nameof(x), y, nameof(y));
        if (x.Length == 0) return backend.GlobalSum(0);
        backend.Kernels.Dot(ReductionConfig(x.Length, out int g), xv, yv, backend.Partials.View, x.Length);
        return backend.SumPartials(g);
    }

    public double Norm2(DeviceVector x) => Math.Sqrt(Dot(x, x));

    public void Axpy(double alpha, DeviceVector x, DeviceVector y)
    {
        var xv = View(x, nameof(x));
        var yv = View(y, nameof(y));
        KernelChecks.SameLength(x, nameof(x), y, nameof(y));
        if (x.Length > 0) backend.Kernels.Axpy(x.Length, alpha, xv, yv);
    }

    public void Xpay(DeviceVector x, double beta, DeviceVector y)
    {
        var xv = View(x, nameof(x));
        var yv = View(y, nameof(y));
        KernelChecks.SameLength(x, nameof(x), y, nameof(y));
        if (x.Length > 0) backend.Kernels.Xpay(x.Length, xv, beta, yv);
    }

    public void Waxpy(double alpha, DeviceVector x, DeviceVector y, DeviceVector w)
    {
        var xv = View(x, nameof(x));
        var yv = View(y, nameof(y));
        var wv = View(w, nameof(w));
        KernelChecks.SameLength(x, nameof(x), y, nameof(y));
        KernelChecks.SameLength(x, nameof(x), w, nameof(w));
        if (x.Length > 0) backend.Kernels.Waxpy(x.Length, alpha, xv, yv, wv);
    }

    public void Scale(double alpha, DeviceVector x)
    {
        var xv = View(x, nameof(x));
        if (x.Length > 0) backend.Kernels.Scale(x.Length, alpha, xv);
    }

    public void Copy(DeviceVector source, DeviceVector destination)
    {
        var s = View(source, nameof(source));
        var d = View(destination, nameof(destination));
        KernelChecks.SameLength(source, nameof(source), destination, nameof(destination));
        if (source.Length > 0) ArrayViewExtensions.CopyTo(s, d);
    }

    public void Fill(DeviceVector x, double value)
    {
        var xv = View(x, nameof(x));
        if (x.Length > 0) backend.Kernels.Fill(x.Length, xv, value);
    }

    public void Reciprocal(DeviceVector x)
    {
        var xv = View(x, nameof(x));
        if (x.Length > 0) backend.Kernels.Reciprocal(x.Length, xv);
    }

    public double PointwiseMultiplyDot(DeviceVector d, DeviceVector r, DeviceVector z)
    {
        var dv = View(d, nameof(d));
        var rv = View(r, nameof(r));
        var zv = View(z, nameof(z));
        KernelChecks.SameLength(d, nameof(d), r, nameof(r));
        KernelChecks.SameLength(d, nameof(d), z, nameof(z));
        if (d.Length == 0) return backend.GlobalSum(0);
        backend.Kernels.MulDot(ReductionConfig(d.Length, out int g), dv, rv, zv, backend.Partials.View, d.Length);
        return backend.SumPartials(g);
    }

    public double CgStepXR(double alpha, DeviceVector p, DeviceVector q, DeviceVector x, DeviceVector r)
    {
        var pv = View(p, nameof(p));
        var qv = View(q, nameof(q));
        var xv = View(x, nameof(x));
        var rv = View(r, nameof(r));
        KernelChecks.SameLength(p, nameof(p), q, nameof(q));
        KernelChecks.SameLength(p, nameof(p), x, nameof(x));
        KernelChecks.SameLength(p, nameof(p), r, nameof(r));
        if (p.Length == 0) return backend.GlobalSum(0);
        backend.Kernels.CgStep(ReductionConfig(p.Length, out int g), alpha, pv, qv, xv, rv, backend.Partials.View, p.Length);
        return backend.SumPartials(g);
    }

    public (double RR, double RZ) CgStepJacobi(double alpha, DeviceVector p, DeviceVector q, DeviceVector x, DeviceVector r, DeviceVector d, DeviceVector z)
    {
        var pv = View(p, nameof(p));
        var qv = View(q, nameof(q));
        var xv = View(x, nameof(x));
        var rv = View(r, nameof(r));
        var dv = View(d, nameof(d));
        var zv = View(z, nameof(z));
        KernelChecks.SameLength(p, nameof(p), q, nameof(q));
        KernelChecks.SameLength(p, nameof(p), x, nameof(x));
        KernelChecks.SameLength(p, nameof(p), r, nameof(r));
        KernelChecks.SameLength(p, nameof(p), d, nameof(d));
        KernelChecks.SameLength(p, nameof(p), z, nameof(z));
        if (p.Length == 0) return (backend.GlobalSum(0), backend.GlobalSum(0));
        backend.Kernels.CgStepJacobi(ReductionConfig(p.Length, out int g), alpha, pv, qv, xv, rv, dv, zv, backend.Partials.View, p.Length);
        return backend.SumPartialPairs(g);
    }

    public bool AllFinite(DeviceVector x)
    {
        var xv = View(x, nameof(x));
        if (x.Length == 0) return true;
        backend.Kernels.NonFinite(ReductionConfig(x.Length, out int g), xv, backend.Partials.View, x.Length);
        return backend.SumPartials(g) == 0;
    }
}

/// <summary>CSR kernels on an ILGPU accelerator.</summary>
internal sealed class IlgpuSparse(IlgpuBackend backend) : ISparseKernels
{
    private IlgpuCsr Matrix(DeviceCsr a)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (a is not IlgpuCsr m || !ReferenceEquals(a.Backend, backend))
            throw new ArgumentException($"A belongs to backend {a.Backend.Name}, not {backend.Name}.", nameof(a));
        return m;
    }

    private ArrayView<double> View(DeviceVector v, string name) => KernelChecks.Own<IlgpuVector>(backend, v, name).View;

    private KernelConfig WarpConfig(int rows)
    {
        int warpsPerGroup = backend.GroupSize / backend.Accelerator.WarpSize;
        int groups = Math.Clamp((rows + warpsPerGroup - 1) / warpsPerGroup, 1, 65535);
        return new KernelConfig(groups, backend.GroupSize);
    }

    public void Multiply(DeviceCsr a, DeviceVector x, DeviceVector y)
    {
        var m = Matrix(a);
        var xv = View(x, nameof(x));
        var yv = View(y, nameof(y));
        KernelChecks.MatrixShapes(a, x, nameof(x), y, nameof(y));
        if (a.Rows == 0) return;
        if (m.Variant == SpmvVariant.WarpPerRow)
            backend.Kernels.SpmvWarp(WarpConfig(a.Rows), m.RowPointers.View, m.Columns_.View, m.Values.View, xv, yv, a.Rows);
        else
            backend.Kernels.SpmvScalar(a.Rows, m.RowPointers.View, m.Columns_.View, m.Values.View, xv, yv);
    }

    public double MultiplyDot(DeviceCsr a, DeviceVector x, DeviceVector y)
    {
        if (a.Rows != a.Columns)
            throw new ArgumentException($"MultiplyDot forms x'Ax and needs a square matrix; A is {a.Rows}x{a.Columns}.", nameof(a));
        Multiply(a, x, y);
        return backend.Blas.Dot(x, y);
    }

    public double Residual(DeviceCsr a, DeviceVector b, DeviceVector x, DeviceVector r)
    {
        var m = Matrix(a);
        var bv = View(b, nameof(b));
        var xv = View(x, nameof(x));
        var rv = View(r, nameof(r));
        KernelChecks.MatrixShapes(a, x, nameof(x), r, nameof(r));
        KernelChecks.SameLength(b, nameof(b), r, nameof(r));
        if (a.Rows == 0) return backend.GlobalSum(0);
        if (m.Variant == SpmvVariant.WarpPerRow)
            backend.Kernels.ResidualWarp(WarpConfig(a.Rows), m.RowPointers.View, m.Columns_.View, m.Values.View, bv, xv, rv, a.Rows);
        else
            backend.Kernels.ResidualScalar(a.Rows, m.RowPointers.View, m.Columns_.View, m.Values.View, bv, xv, rv);
        return backend.Blas.Dot(r, r);
    }

    public void Diagonal(DeviceCsr a, DeviceVector d)
    {
        var m = Matrix(a);
        var dv = View(d, nameof(d));
        int n = Math.Min(a.Rows, a.Columns);
        if (d.Length != n)
            throw new ArgumentException($"A is {a.Rows}x{a.Columns}: its diagonal has length {n}, but d has length {d.Length}.", nameof(d));
        if (n > 0) backend.Kernels.Diagonal(n, m.RowPointers.View, m.Columns_.View, m.Values.View, dv);
    }
}
