using Solvers.Sparse;

namespace Solvers.Kernels;

/// <summary>Which compute backend to use.</summary>
/// <remarks>Thread safety: an enum; its values are immutable.</remarks>
public enum BackendKind
{
    /// <summary>CUDA when a GPU is present, else <see cref="Cpu"/>; the <c>SOLVERS_BACKEND</c> environment variable overrides.</summary>
    Auto,
    /// <summary>The fast CPU path: SIMD and <see cref="Parallel"/> over row blocks.</summary>
    Cpu,
    /// <summary>The ILGPU kernels on ILGPU's CPU accelerator, which emulates GPU threads: for verification, not speed.</summary>
    IlgpuCpu,
    /// <summary>The ILGPU kernels on an NVIDIA GPU through CUDA.</summary>
    Cuda,
}

/// <summary>Options for creating a <see cref="Backend"/>.</summary>
/// <remarks>Thread safety: immutable (init-only), safe to share between threads.</remarks>
public sealed record BackendOptions
{
    private readonly int _maxDegreeOfParallelism = Environment.ProcessorCount;
    private readonly int _cudaDeviceIndex;
    private readonly int _ilgpuCpuWarpSize = 4;
    private readonly int _ilgpuCpuWarpsPerGroup = 4;

    /// <summary>Threads used by the <see cref="BackendKind.Cpu"/> backend (default: all processors).</summary>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        init => _maxDegreeOfParallelism = value >= 1 ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxDegreeOfParallelism), value, "Need at least one thread.");
    }

    /// <summary>Index of the CUDA device to use (default 0).</summary>
    public int CudaDeviceIndex
    {
        get => _cudaDeviceIndex;
        init => _cudaDeviceIndex = value >= 0 ? value
            : throw new ArgumentOutOfRangeException(nameof(CudaDeviceIndex), value, "Device indices start at 0.");
    }

    /// <summary>
    /// Emulated threads per warp for <see cref="BackendKind.IlgpuCpu"/>. Small values keep emulation cheap on
    /// small machines; any power of two from 2 to 32 exercises the same warp code paths as a GPU.
    /// </summary>
    public int IlgpuCpuWarpSize
    {
        get => _ilgpuCpuWarpSize;
        init => _ilgpuCpuWarpSize = value is >= 2 and <= 32 && (value & (value - 1)) == 0 ? value
            : throw new ArgumentOutOfRangeException(nameof(IlgpuCpuWarpSize), value, "The emulated warp size must be a power of two from 2 to 32.");
    }

    /// <summary>Emulated warps per group for <see cref="BackendKind.IlgpuCpu"/> (1 to 32).</summary>
    public int IlgpuCpuWarpsPerGroup
    {
        get => _ilgpuCpuWarpsPerGroup;
        init => _ilgpuCpuWarpsPerGroup = value is >= 1 and <= 32 ? value
            : throw new ArgumentOutOfRangeException(nameof(IlgpuCpuWarpsPerGroup), value, "Warps per group must be from 1 to 32.");
    }

    /// <summary>How CSR SpMV assigns threads to rows on the ILGPU backend.</summary>
    public SpmvVariant SpmvVariant { get; init; } = SpmvVariant.Auto;
}

/// <summary>How an ILGPU SpMV assigns threads to rows.</summary>
/// <remarks>Thread safety: an enum; its values are immutable.</remarks>
public enum SpmvVariant
{
    /// <summary>Chosen per matrix from its row lengths.</summary>
    Auto,
    /// <summary>One thread per row: best for short, even rows (stencils).</summary>
    Scalar,
    /// <summary>One warp per row, lanes striding over the row and reducing by shuffles: best for long rows.</summary>
    WarpPerRow,
}

/// <summary>A device found on this machine.</summary>
/// <param name="Kind">The backend kind that drives it.</param>
/// <param name="Name">The device name.</param>
/// <param name="Details">Memory, warp size, compute capability and such.</param>
/// <remarks>Thread safety: immutable once created; safe to read from several threads.</remarks>
public sealed record DeviceInfo(BackendKind Kind, string Name, string Details);

/// <summary>
/// A compute backend: owns device memory and exposes the kernel families (<see cref="Blas"/>,
/// <see cref="Sparse"/>). Solvers are written once against these families.
/// </summary>
/// <remarks>
/// Thread safety: a backend and its vectors are not safe for concurrent use; give each thread its own
/// backend (a CUDA backend per thread shares the GPU). Dispose it to release device memory and the accelerator.
/// That is the contract; what holds today: the CPU backend keeps no state between kernel calls (scratch comes from
/// <see cref="System.Buffers.ArrayPool{T}"/> or the call's own arrays), so concurrent kernels writing disjoint vectors
/// happen to work on it, but nothing promises it; an ILGPU backend launches every kernel on its accelerator's
/// default stream and reuses device scratch buffers between calls (the Dense family's partial sums), so concurrent
/// calls can interleave kernels and overwrite each other's partials, and must not happen.
/// </remarks>
public abstract class Backend : IDisposable
{
    /// <summary>The environment variable that overrides <see cref="BackendKind.Auto"/>: cpu, ilgpu-cpu or cuda.</summary>
    public const string EnvironmentVariable = "SOLVERS_BACKEND";

    /// <summary>The kind of this backend.</summary>
    public abstract BackendKind Kind { get; }

    /// <summary>A short name for reports, e.g. "cpu(2 threads)" or "cuda(NVIDIA H200)".</summary>
    public abstract string Name { get; }

    /// <summary>BLAS-1 kernels: dot, norm, axpy, fused CG steps.</summary>
    public abstract IBlasKernels Blas { get; }

    /// <summary>Sparse kernels: CSR SpMV, residual, diagonal.</summary>
    public abstract ISparseKernels Sparse { get; }

    /// <summary>The fused steps of preconditioned CG, with its scalars on the device.</summary>
    public abstract ICgKernels Cg { get; }

    /// <summary>Gauss-Seidel and SOR sweeps: multicolor (parallel, every backend) and natural order (CPU only).</summary>
    public abstract ISorKernels Sor { get; }

    /// <summary>Gaussian sketches applied with their entries regenerated from a seed (the same on every backend).</summary>
    public abstract ISketchKernels Sketch { get; }

    /// <summary>
    /// The masked maps F u and G u of the convex two-layer ReLU network program and their adjoints, the only access
    /// its solvers need to the data and the activation patterns.
    /// </summary>
    public abstract IReluKernels Relu { get; }

    /// <summary>
    /// Products of a tall-skinny row-major k x d matrix (k small, d large) with vectors, and the write of one of its
    /// rows: the dense algebra of M-FAC's gradient window, in double and in float.
    /// </summary>
    public abstract IDenseKernels Dense { get; }

    /// <summary>
    /// How many iterations an iterative solver should run between reads of its device scalars: 1 where a read is
    /// free (the CPU), more where each read is a synchronisation with the device (a GPU), which bounds how late a
    /// solver notices convergence or cancellation.
    /// </summary>
    public virtual int ScalarReadInterval => 1;

    /// <summary>
    /// Bytes of the vectors and matrices this backend has allocated in accelerator memory and not yet freed (for
    /// leak checks such as <c>solvers bench soak</c>); null where vectors are ordinary managed arrays (the CPU
    /// backend), whose memory the GC heap figures already count.
    /// </summary>
    internal virtual long? LiveDeviceBytes => null;

    /// <summary>Allocates a zero-filled vector of the given length.</summary>
    public abstract DeviceVector Allocate(int length);

    /// <summary>Copies host data into a new device vector.</summary>
    public DeviceVector Upload(ReadOnlySpan<double> data)
    {
        var v = Allocate(data.Length);
        v.CopyFrom(data);
        return v;
    }

    /// <summary>Allocates a zero-filled single-precision vector of the given length.</summary>
    public abstract DeviceVectorSingle AllocateSingle(int length);

    /// <summary>Copies host single-precision data into a new device vector.</summary>
    public DeviceVectorSingle Upload(ReadOnlySpan<float> data)
    {
        var v = AllocateSingle(data.Length);
        v.CopyFrom(data);
        return v;
    }

    /// <summary>Copies a CSR matrix to the device.</summary>
    public abstract DeviceCsr Upload(CsrMatrix matrix);

    /// <summary>Waits until all queued kernels have finished.</summary>
    public abstract void Synchronize();

    /// <summary>
    /// The one place where a global sum is formed from this process's partial sums. Every reduction (dot, norm,
    /// all-finite) goes through here so that a distributed backend needs to change only this method.
    /// </summary>
    protected internal virtual double GlobalSum(double localSum) => localSum;

    /// <summary>Creates a backend of the given kind (see <see cref="BackendKind.Auto"/>).</summary>
    /// <exception cref="BackendUnavailableException">The requested kind cannot run here (e.g. CUDA without a GPU).</exception>
    public static Backend Create(BackendKind kind = BackendKind.Auto, BackendOptions? options = null)
    {
        options ??= new BackendOptions();
        if (kind == BackendKind.Auto)
        {
            string? env = Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (!string.IsNullOrWhiteSpace(env)) kind = ParseKind(env, EnvironmentVariable);
        }
        return kind switch
        {
            BackendKind.Cpu => new Cpu.CpuBackend(options),
            BackendKind.IlgpuCpu => Ilgpu.IlgpuBackend.CreateCpu(options),
            BackendKind.Cuda => Ilgpu.IlgpuBackend.CreateCuda(options),
            _ => Ilgpu.IlgpuBackend.CudaAvailable() ? Ilgpu.IlgpuBackend.CreateCuda(options) : new Cpu.CpuBackend(options),
        };
    }

    /// <summary>Parses a backend name: auto, cpu, ilgpu-cpu or cuda (case-insensitive).</summary>
    /// <param name="text">The name.</param>
    /// <param name="source">Where the name came from, for the error message (an option or a variable).</param>
    public static BackendKind ParseKind(string text, string source = "backend")
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToLowerInvariant() switch
        {
            "auto" => BackendKind.Auto,
            "cpu" => BackendKind.Cpu,
            "ilgpu-cpu" or "ilgpucpu" => BackendKind.IlgpuCpu,
            "cuda" or "gpu" => BackendKind.Cuda,
            _ => throw new ArgumentException($"{source}: unknown backend '{text}'; use auto, cpu, ilgpu-cpu or cuda.", nameof(text)),
        };
    }

    /// <summary>Lists the devices this machine offers to each backend kind.</summary>
    public static IReadOnlyList<DeviceInfo> ListDevices()
    {
        var list = new List<DeviceInfo>
        {
            new(BackendKind.Cpu, Cpu.CpuBackend.DescribeProcessor(),
                $"{Environment.ProcessorCount} logical processors, SIMD {System.Numerics.Vector<double>.Count} doubles (Vector<T>), " +
                $"AVX-512: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}"),
        };
        list.AddRange(Ilgpu.IlgpuBackend.ListDevices());
        return list;
    }

    /// <summary>Releases the device memory and accelerator.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases resources.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>The requested backend cannot run on this machine.</summary>
/// <remarks>Thread safety: immutable after construction.</remarks>
public sealed class BackendUnavailableException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public BackendUnavailableException(string message, Exception? inner = null) : base(message, inner) { }
}
