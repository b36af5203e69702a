namespace Solvers.Kernels;

/// <summary>
/// BLAS-1 kernel family. Reductions are deterministic: a fixed blocking and a fixed two-level order give
/// the same bits for the same input on the same backend, run after run, whatever the thread count.
/// All vectors must belong to the backend that exposes the family and have equal lengths.
/// </summary>
/// <remarks>Thread safety: as its backend: not safe for concurrent use; give each thread its own backend.</remarks>
public interface IBlasKernels
{
    /// <summary>x'y.</summary>
    double Dot(DeviceVector x, DeviceVector y);

    /// <summary>||x||_2.</summary>
    double Norm2(DeviceVector x);

    /// <summary>y = alpha x + y.</summary>
    void Axpy(double alpha, DeviceVector x, DeviceVector y);

    /// <summary>y = x + beta y (the CG search-direction update p = z + beta p).</summary>
    void Xpay(DeviceVector x, double beta, DeviceVector y);

    /// <summary>w = alpha x + y: the STREAM triad, and a residual-free update (PETSc's VecWAXPY).</summary>
    void Waxpy(double alpha, DeviceVector x, DeviceVector y, DeviceVector w);

    /// <summary>x = alpha x.</summary>
    void Scale(double alpha, DeviceVector x);

    /// <summary>destination = source.</summary>
    void Copy(DeviceVector source, DeviceVector destination);

    /// <summary>Every element of x set to value.</summary>
    void Fill(DeviceVector x, double value);

    /// <summary>z = d .* x (elementwise); z may be x.</summary>
    void PointwiseMultiply(DeviceVector d, DeviceVector x, DeviceVector z);

    /// <summary>z = d .* r (elementwise), returning r'z: the fused Jacobi apply of PCG.</summary>
    double PointwiseMultiplyDot(DeviceVector d, DeviceVector r, DeviceVector z);

    /// <summary>x = 1 ./ x elementwise.</summary>
    void Reciprocal(DeviceVector x);

    /// <summary>
    /// The fused CG update x += alpha p; r -= alpha q, returning the new r'r. One pass over four vectors
    /// (read p, q, x, r; write x, r: 48 bytes per row) instead of three separate kernels.
    /// </summary>
    double CgStepXR(double alpha, DeviceVector p, DeviceVector q, DeviceVector x, DeviceVector r);

    /// <summary>s[slot] = x'y, left in device memory (no synchronisation with the host).</summary>
    void DotInto(DeviceVector x, DeviceVector y, DeviceVector s, int slot);

    /// <summary>z = d .* r and s[slot] = r'z, left in device memory.</summary>
    void PointwiseMultiplyDotInto(DeviceVector d, DeviceVector r, DeviceVector z, DeviceVector s, int slot);

    /// <summary>True when every element of x is finite (no NaN, no infinity).</summary>
    bool AllFinite(DeviceVector x);
}

/// <summary>Sparse kernel family on CSR matrices uploaded to the same backend.</summary>
/// <remarks>Thread safety: as its backend: not safe for concurrent use; give each thread its own backend.</remarks>
public interface ISparseKernels
{
    /// <summary>y = A x.</summary>
    void Multiply(DeviceCsr a, DeviceVector x, DeviceVector y);

    /// <summary>y = A x, returning x'y: the CG product q = A p fused with the curvature p'Ap.</summary>
    double MultiplyDot(DeviceCsr a, DeviceVector x, DeviceVector y);

    /// <summary>r = b - A x, returning r'r.</summary>
    double Residual(DeviceCsr a, DeviceVector b, DeviceVector x, DeviceVector r);

    /// <summary>d = diag(A) (zero where no diagonal entry is stored).</summary>
    void Diagonal(DeviceCsr a, DeviceVector d);
}

/// <summary>Argument checks shared by the kernel families.</summary>
internal static class KernelChecks
{
    public static T Own<T>(Backend backend, DeviceVector v, string name) where T : DeviceVector
    {
        ArgumentNullException.ThrowIfNull(v, name);
        if (v is not T t || !ReferenceEquals(v.Backend, backend))
            throw new ArgumentException($"{name} belongs to backend {v.Backend.Name}, not {backend.Name}.", name);
        return t;
    }

    /// <summary>The single-precision vector as this backend's own type, or an error naming the backend it belongs to.</summary>
    public static T Own<T>(Backend backend, DeviceVectorSingle v, string name) where T : DeviceVectorSingle
    {
        ArgumentNullException.ThrowIfNull(v, name);
        if (v is not T t || !ReferenceEquals(v.Backend, backend))
            throw new ArgumentException($"{name} belongs to backend {v.Backend.Name}, not {backend.Name}.", name);
        return t;
    }

    /// <summary>The matrix as this backend's own type, or an error naming the backend it belongs to.</summary>
    public static T OwnMatrix<T>(Backend backend, DeviceCsr a) where T : DeviceCsr
    {
        ArgumentNullException.ThrowIfNull(a);
        if (a is not T m || !ReferenceEquals(a.Backend, backend))
            throw new ArgumentException($"A belongs to backend {a.Backend.Name}, not {backend.Name}.", nameof(a));
        return m;
    }

    public static void SameLength(DeviceVector a, string nameA, DeviceVector b, string nameB)
    {
        if (a.Length != b.Length)
            throw new ArgumentException($"{nameA} has length {a.Length} but {nameB} has length {b.Length}.", nameB);
    }

    public static void MatrixShapes(DeviceCsr a, DeviceVector x, string nameX, DeviceVector y, string nameY)
    {
        if (x.Length != a.Columns)
            throw new ArgumentException($"A is {a.Rows}x{a.Columns} but {nameX} has length {x.Length}.", nameX);
        if (y.Length != a.Rows)
            throw new ArgumentException($"A is {a.Rows}x{a.Columns} but {nameY} has length {y.Length}.", nameY);
    }
}
