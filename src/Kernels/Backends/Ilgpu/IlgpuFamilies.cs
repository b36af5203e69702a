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

    public void PointwiseMultiply(DeviceVector d, DeviceVector x, DeviceVector z)
    {
        var dv = View(d, nameof(d));
        var xv = View(x, nameof(x));
        var zv = View(z, nameof(z));
        KernelChecks.SameLength(d, nameof(d), x, nameof(x));
        KernelChecks.SameLength(d, nameof(d), z, nameof(z));
        if (d.Length > 0) backend.Kernels.PointwiseMultiply(d.Length, dv, xv, zv);
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

    public void DotInto(DeviceVector x, DeviceVector y, DeviceVector s, int slot)
    {
        var xv = View(x, nameof(x));
        var yv = View(y, nameof(y));
        var sv = View(s, nameof(s));
        KernelChecks.SameLength(x, nameof(x), y, nameof(y));
        backend.Kernels.Dot(ReductionConfig(x.Length, out int g), xv, yv, backend.Partials.View, x.Length);
        backend.FinalizeInto(g, sv, slot);
    }

    public void PointwiseMultiplyDotInto(DeviceVector d, DeviceVector r, DeviceVector z, DeviceVector s, int slot)
    {
        var dv = View(d, nameof(d));
        var rv = View(r, nameof(r));
        var zv = View(z, nameof(z));
        var sv = View(s, nameof(s));
        KernelChecks.SameLength(d, nameof(d), r, nameof(r));
        KernelChecks.SameLength(d, nameof(d), z, nameof(z));
        backend.Kernels.MulDot(ReductionConfig(d.Length, out int g), dv, rv, zv, backend.Partials.View, d.Length);
        backend.FinalizeInto(g, sv, slot);
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
    internal IlgpuCsr Matrix(DeviceCsr a) => KernelChecks.OwnMatrix<IlgpuCsr>(backend, a);

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

/// <summary>CG steps on an ILGPU accelerator: no host synchronisation inside an iteration.</summary>
internal sealed class IlgpuCg(IlgpuBackend backend, IlgpuSparse sparse) : ICgKernels
{
    private ArrayView<double> View(DeviceVector v, string name) => KernelChecks.Own<IlgpuVector>(backend, v, name).View;

    private ArrayView<double> Scalars(DeviceVector s)
    {
        var view = View(s, nameof(s));
        if (s.Length < CgScalars.Length)
            throw new ArgumentException($"s has {s.Length} slots; CG needs {CgScalars.Length}.", nameof(s));
        return view;
    }

    private static void SameLengths(DeviceVector p, params (DeviceVector V, string Name)[] others)
    {
        foreach (var (v, name) in others) KernelChecks.SameLength(p, nameof(p), v, name);
    }

    public void Step1(DeviceCsr a, DeviceVector p, DeviceVector q, DeviceVector s)
    {
        var sv = Scalars(s);
        var m = sparse.Matrix(a);
        var pv = View(p, nameof(p));
        var qv = View(q, nameof(q));
        KernelChecks.MatrixShapes(a, p, nameof(p), q, nameof(q));
        if (a.Rows == 0) return;
        int g;
        if (m.Variant == SpmvVariant.WarpPerRow)
        {
            sparse.Multiply(a, p, q);
            g = backend.ReductionGroups(a.Rows);
            backend.Kernels.Dot(new KernelConfig(g, backend.GroupSize), pv, qv, backend.Partials.View, a.Rows);
        }
        else
        {
            g = backend.ReductionGroups(a.Rows);
            backend.Kernels.SpmvDot(new KernelConfig(g, backend.GroupSize), m.RowPointers.View, m.Columns_.View, m.Values.View,
                pv, qv, backend.Partials.View, a.Rows);
        }
        backend.FinalizeInto(g, sv, CgScalars.PQ, skipIfStopped: true);
    }

    public void Step2(DeviceVector p, DeviceVector q, DeviceVector x, DeviceVector r, DeviceVector s, int iteration, bool identityPreconditioner)
    {
        var sv = Scalars(s);
        SameLengths(p, (q, nameof(q)), (x, nameof(x)), (r, nameof(r)));
        if (p.Length == 0) return;
        int g = backend.ReductionGroups(p.Length);
        backend.Kernels.CgStep2(new KernelConfig(g, backend.GroupSize), View(p, nameof(p)), View(q, nameof(q)), View(x, nameof(x)),
            View(r, nameof(r)), sv, iteration, backend.Partials.View, p.Length);
        backend.FinalizeInto(g, sv, CgScalars.RR, CgScalars.RzSlot(iteration), identityPreconditioner ? 1 : 0, skipIfStopped: true);
    }

    public void Step2Jacobi(DeviceVector p, DeviceVector q, DeviceVector x, DeviceVector r, DeviceVector inverseDiagonal, DeviceVector z,
        DeviceVector s, int iteration)
    {
        var sv = Scalars(s);
        SameLengths(p, (q, nameof(q)), (x, nameof(x)), (r, nameof(r)), (inverseDiagonal, nameof(inverseDiagonal)), (z, nameof(z)));
        if (p.Length == 0) return;
        int g = backend.ReductionGroups(p.Length);
        backend.Kernels.CgStep2Jacobi(new KernelConfig(g, backend.GroupSize), View(p, nameof(p)), View(q, nameof(q)), View(x, nameof(x)),
            View(r, nameof(r)), View(inverseDiagonal, nameof(inverseDiagonal)), View(z, nameof(z)), sv, iteration, backend.Partials.View, p.Length);
        backend.FinalizeInto(g, sv, CgScalars.RR, CgScalars.RzSlot(iteration), mode: 2, skipIfStopped: true);
    }

    public void Step3(DeviceVector z, DeviceVector p, DeviceVector s, int iteration)
    {
        var sv = Scalars(s);
        KernelChecks.SameLength(z, nameof(z), p, nameof(p));
        if (p.Length == 0) return;
        backend.Kernels.CgStep3(p.Length, View(z, nameof(z)), View(p, nameof(p)), sv, iteration);
    }
}
