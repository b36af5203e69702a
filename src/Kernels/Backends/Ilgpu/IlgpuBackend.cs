using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using Solvers.Sparse;

namespace Solvers.Kernels.Ilgpu;

/// <summary>
/// Accelerator memory of one device vector, whatever its element type: the buffer, its view of the vector's length
/// (a buffer is never empty, so a zero-length vector still owns one element), the copies and the live-byte count.
/// </summary>
internal sealed class IlgpuStorage<T> : IDisposable where T : unmanaged
{
    private readonly IlgpuBackend _backend;
    private bool _disposed;

    public IlgpuStorage(IlgpuBackend backend, int length)
    {
        _backend = backend;
        Buffer = backend.Accelerator.Allocate1D<T>(Math.Max(length, 1));
        backend.TrackLiveBytes(Buffer.LengthInBytes);
        View = Buffer.View.AsContiguous().SubView(0, length);
        if (length > 0) View.MemSetToZero();
    }

    public MemoryBuffer1D<T, Stride1D.Dense> Buffer { get; }
    public ArrayView<T> View { get; }

    public void CopyFrom(ReadOnlySpan<T> source)
    {
        if (View.Length > 0) View.CopyFromCPU(source);
    }

    public void CopyTo(Span<T> destination)
    {
        if (View.Length == 0) return;
        _backend.Synchronize();
        View.CopyToCPU(destination);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Buffer.Dispose();
        _backend.TrackLiveBytes(-Buffer.LengthInBytes);
    }
}

/// <summary>A vector in ILGPU accelerator memory.</summary>
internal sealed class IlgpuVector : DeviceVector
{
    private readonly IlgpuStorage<double> _storage;

    public IlgpuVector(IlgpuBackend backend, int length) : base(backend, length) => _storage = new IlgpuStorage<double>(backend, length);

    public MemoryBuffer1D<double, Stride1D.Dense> Buffer => _storage.Buffer;
    public ArrayView<double> View => _storage.View;

    public override void CopyFrom(ReadOnlySpan<double> source)
    {
        CheckLength(source.Length, nameof(source));
        _storage.CopyFrom(source);
    }

    public override void CopyTo(Span<double> destination)
    {
        CheckLength(destination.Length, nameof(destination));
        _storage.CopyTo(destination);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _storage.Dispose();
    }
}

/// <summary>A single-precision vector in ILGPU accelerator memory.</summary>
internal sealed class IlgpuVectorSingle : DeviceVectorSingle
{
    private readonly IlgpuStorage<float> _storage;

    public IlgpuVectorSingle(IlgpuBackend backend, int length) : base(backend, length) => _storage = new IlgpuStorage<float>(backend, length);

    public MemoryBuffer1D<float, Stride1D.Dense> Buffer => _storage.Buffer;
    public ArrayView<float> View => _storage.View;

    public override void CopyFrom(ReadOnlySpan<float> source)
    {
        CheckLength(source.Length, nameof(source));
        _storage.CopyFrom(source);
    }

    public override void CopyTo(Span<float> destination)
    {
        CheckLength(destination.Length, nameof(destination));
        _storage.CopyTo(destination);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _storage.Dispose();
    }
}

/// <summary>A CSR matrix in ILGPU accelerator memory, with the SpMV variant chosen for its row lengths.</summary>
internal sealed class IlgpuCsr : DeviceCsr
{
    public IlgpuCsr(IlgpuBackend backend, CsrMatrix m, SpmvVariant variant)
        : base(backend, m.Rows, m.Columns, m.NonZeros, m.MaxRowLength)
    {
        var acc = backend.Accelerator;
        RowPointers = acc.Allocate1D<int>(m.Rows + 1);
        RowPointers.View.AsContiguous().CopyFromCPU(m.RowPointers);
        Columns_ = acc.Allocate1D<int>(Math.Max(m.NonZeros, 1));
        Values = acc.Allocate1D<double>(Math.Max(m.NonZeros, 1));
        if (m.NonZeros > 0)
        {
            Columns_.View.AsContiguous().SubView(0, m.NonZeros).CopyFromCPU(m.ColumnIndices);
            Values.View.AsContiguous().SubView(0, m.NonZeros).CopyFromCPU(m.Values);
        }
        Variant = variant != SpmvVariant.Auto ? variant : Choose(m);
        backend.TrackLiveBytes(Bytes);
    }

    private bool _disposed;

    private long Bytes => RowPointers.LengthInBytes + Columns_.LengthInBytes + Values.LengthInBytes;

    /// <summary>
    /// A warp per row pays off when rows are long enough to keep most lanes busy, or when one very long row
    /// would leave a single thread working while the rest of the grid idles.
    /// </summary>
    internal static SpmvVariant Choose(CsrMatrix m)
    {
        double mean = m.Rows == 0 ? 0 : (double)m.NonZeros / m.Rows;
        return mean >= 16 || m.MaxRowLength >= 1024 ? SpmvVariant.WarpPerRow : SpmvVariant.Scalar;
    }

    public MemoryBuffer1D<int, Stride1D.Dense> RowPointers { get; }
    public MemoryBuffer1D<int, Stride1D.Dense> Columns_ { get; }
    public MemoryBuffer1D<double, Stride1D.Dense> Values { get; }
    public SpmvVariant Variant { get; }

    protected override void Dispose(bool disposing)
    {
        if (!disposing || _disposed) return;
        _disposed = true;
        RowPointers.Dispose();
        Columns_.Dispose();
        Values.Dispose();
        ((IlgpuBackend)Backend).TrackLiveBytes(-Bytes);
    }
}

/// <summary>
/// The ILGPU backend: the handwritten kernels of <see cref="IlgpuKernels"/> on a CUDA GPU, or on ILGPU's CPU
/// accelerator (emulated GPU threads, for verification). Kernels are compiled once per accelerator, when the
/// backend is created, and kept as typed delegates.
/// </summary>
internal sealed class IlgpuBackend : Backend
{
    private readonly Context _context;
    private readonly BackendKind _kind;
    private readonly IlgpuBlas _blas;
    private readonly IlgpuSparse _sparse;
    private readonly IlgpuCg _cg;
    private readonly IlgpuSor _sor;
    private readonly IlgpuSketch _sketch;
    private readonly IlgpuRelu _relu;
    private readonly IlgpuDense _dense;
    private readonly BackendOptions _options;

    private IlgpuBackend(Context context, Accelerator accelerator, BackendKind kind, BackendOptions options)
    {
        _context = context;
        Accelerator = accelerator;
        _kind = kind;
        _options = options;
        GroupSize = Math.Min(256, accelerator.MaxNumThreadsPerGroup) / accelerator.WarpSize * accelerator.WarpSize;
        if (GroupSize / accelerator.WarpSize > IlgpuKernels.MaxWarpsPerGroup)
            GroupSize = IlgpuKernels.MaxWarpsPerGroup * accelerator.WarpSize;
        // Enough groups to fill the device once; the reduction partials stay small enough to sum on the host.
        MaxGroups = Math.Max(1, Math.Min(4096,
            accelerator.NumMultiprocessors * Math.Max(1, accelerator.MaxNumThreadsPerMultiprocessor / GroupSize)));
        Kernels = new KernelSet(accelerator);
        // Two partials per group: fused kernels reduce two values at once.
        Partials = accelerator.Allocate1D<double>(2 * MaxGroups);
        _blas = new IlgpuBlas(this);
        _sparse = new IlgpuSparse(this);
        _cg = new IlgpuCg(this, _sparse);
        _sor = new IlgpuSor(this);
        _sketch = new IlgpuSketch(this);
        _relu = new IlgpuRelu(this);
        _dense = new IlgpuDense(this);
    }

    public Accelerator Accelerator { get; }

    private long _liveBytes;

    /// <summary>Adds (or, negative, removes) the bytes of a vector or matrix allocated on the accelerator.</summary>
    internal void TrackLiveBytes(long delta) => Interlocked.Add(ref _liveBytes, delta);

    /// <inheritdoc/>
    internal override long? LiveDeviceBytes => Interlocked.Read(ref _liveBytes);
    public KernelSet Kernels { get; }
    public int GroupSize { get; }
    public int MaxGroups { get; }
    public MemoryBuffer1D<double, Stride1D.Dense> Partials { get; }

    public override BackendKind Kind => _kind;
    public override string Name => _kind == BackendKind.Cuda ? $"cuda({Accelerator.Name})" : $"ilgpu-cpu(warp {Accelerator.WarpSize}, group {GroupSize})";
    public override IBlasKernels Blas => _blas;
    public override ISparseKernels Sparse => _sparse;
    public override ICgKernels Cg => _cg;
    public override ISorKernels Sor => _sor;
    public override ISketchKernels Sketch => _sketch;
    public override IReluKernels Relu => _relu;
    public override IDenseKernels Dense => _dense;

    // A read of device scalars is a synchronisation. The emulator reads more often than a GPU, but not every
    // iteration, so that CPU-only CI exercises the deferred convergence test too.
    public override int ScalarReadInterval => _kind == BackendKind.Cuda ? 8 : 3;

    public override DeviceVector Allocate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new IlgpuVector(this, length);
    }

    public override DeviceVectorSingle AllocateSingle(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new IlgpuVectorSingle(this, length);
    }

    public override DeviceCsr Upload(CsrMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        return new IlgpuCsr(this, matrix, _options.SpmvVariant);
    }

    public override void Synchronize() => Accelerator.Synchronize();

    /// <summary>Sums reduction partials on the device into scalar slots (see <see cref="IlgpuKernels.FinalizeScalars"/>).</summary>
    public void FinalizeInto(int groups, ArrayView<double> scalars, int slotA, int slotB = 0, int mode = 0, bool skipIfStopped = false)
        => Kernels.Finalize(new KernelConfig(1, GroupSize), Partials.View, groups, scalars, slotA, slotB, mode, skipIfStopped ? 1 : 0);

    /// <summary>Number of groups for a reduction over n elements: a function of n and the device only.</summary>
    public int ReductionGroups(int n) => Math.Clamp((n + GroupSize - 1) / GroupSize, 1, MaxGroups);

    /// <summary>Sums the first <paramref name="groups"/> partials on the host, in order.</summary>
    public double SumPartials(int groups)
    {
        Span<double> host = groups <= 512 ? stackalloc double[groups] : new double[groups];
        Accelerator.Synchronize();
        Partials.View.AsContiguous().SubView(0, groups).CopyToCPU(host);
        double s = 0;
        foreach (double p in host) s += p;
        return GlobalSum(s);
    }

    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        Partials.Dispose();
        _dense.Dispose();
        Accelerator.Dispose();
        _context.Dispose();
    }

    /// <summary>Builds the ILGPU context every backend uses: algorithms enabled so math intrinsics compile for PTX.</summary>
    internal static Context CreateContext(Action<Context.Builder> devices)
        => Context.Create(b =>
        {
            devices(b);
            b.EnableAlgorithms();
        });

    public static IlgpuBackend CreateCpu(BackendOptions options)
    {
        var device = new CPUDevice(options.IlgpuCpuWarpSize, options.IlgpuCpuWarpsPerGroup, 1);
        var context = CreateContext(b => b.CPU(device));
        try
        {
            var acc = context.GetCPUDevice(0).CreateCPUAccelerator(context, CPUAcceleratorMode.Parallel);
            return new IlgpuBackend(context, acc, BackendKind.IlgpuCpu, options);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    public static IlgpuBackend CreateCuda(BackendOptions options)
    {
        Context context;
        try
        {
            context = CreateContext(b => b.Cuda());
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or NotSupportedException or InvalidOperationException)
        {
            throw new BackendUnavailableException($"CUDA backend requested but the CUDA driver could not be loaded: {e.Message}", e);
        }
        var devices = context.GetCudaDevices();
        if (devices.Count == 0)
        {
            context.Dispose();
            throw new BackendUnavailableException(
                "CUDA backend requested but no CUDA device was found (no NVIDIA GPU or driver). Use --backend cpu or unset SOLVERS_BACKEND.");
        }
        if (options.CudaDeviceIndex >= devices.Count)
        {
            context.Dispose();
            throw new BackendUnavailableException($"CUDA device {options.CudaDeviceIndex} requested but only {devices.Count} found.");
        }
        try
        {
            var acc = devices[options.CudaDeviceIndex].CreateAccelerator(context);
            return new IlgpuBackend(context, acc, BackendKind.Cuda, options);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            context.Dispose();
            throw new BackendUnavailableException($"The CUDA device could not be opened: {e.Message}", e);
        }
    }

    public static bool CudaAvailable()
    {
        try
        {
            using var context = Context.Create(b => b.Cuda());
            return context.GetCudaDevices().Count > 0;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or NotSupportedException or InvalidOperationException)
        {
            return false;
        }
    }

    public static new IEnumerable<DeviceInfo> ListDevices()
    {
        var list = new List<DeviceInfo>();
        try
        {
            using var context = Context.Create(b => b.Cuda());
            foreach (var d in context.GetCudaDevices())
                list.Add(new DeviceInfo(BackendKind.Cuda, d.Name,
                    $"{d.MemorySize / (1 << 20)} MiB, {d.NumMultiprocessors} SMs, arch {d.Architecture}, warp {d.WarpSize}"));
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or NotSupportedException or InvalidOperationException)
        {
            // No driver: the list simply has no CUDA entry.
        }
        list.Add(new DeviceInfo(BackendKind.IlgpuCpu, "ILGPU CPU accelerator",
            "emulates GPU warps and groups on CPU threads; for verifying kernels, not for speed"));
        return list;
    }

    /// <summary>The compiled kernels of one accelerator.</summary>
    internal sealed class KernelSet(Accelerator a)
    {
        public readonly Action<Index1D, double, ArrayView<double>, ArrayView<double>> Axpy =
            a.LoadAutoGroupedStreamKernel<Index1D, double, ArrayView<double>, ArrayView<double>>(IlgpuKernels.Axpy);
        public readonly Action<Index1D, ArrayView<double>, double, ArrayView<double>> Xpay =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, double, ArrayView<double>>(IlgpuKernels.Xpay);
        public readonly Action<Index1D, double, ArrayView<double>, ArrayView<double>, ArrayView<double>> Waxpy =
            a.LoadAutoGroupedStreamKernel<Index1D, double, ArrayView<double>, ArrayView<double>, ArrayView<double>>(IlgpuKernels.Waxpy);
        public readonly Action<Index1D, double, ArrayView<double>> Scale =
            a.LoadAutoGroupedStreamKernel<Index1D, double, ArrayView<double>>(IlgpuKernels.Scale);
        public readonly Action<Index1D, ArrayView<double>, double> Fill =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, double>(IlgpuKernels.Fill);
        public readonly Action<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>> PointwiseMultiply =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>>(IlgpuKernels.PointwiseMultiply);
        public readonly Action<Index1D, ArrayView<double>> Reciprocal =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>>(IlgpuKernels.Reciprocal);
        public readonly Action<KernelConfig, ArrayView<double>, ArrayView<double>, ArrayView<double>, int> Dot =
            a.LoadStreamKernel<ArrayView<double>, ArrayView<double>, ArrayView<double>, int>(IlgpuKernels.DotPartials);
        public readonly Action<KernelConfig, double, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int> CgStep =
            a.LoadStreamKernel<double, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int>(IlgpuKernels.CgStepPartials);
        public readonly Action<KernelConfig, ArrayView<double>, int, ArrayView<double>, int, int, int, int> Finalize =
            a.LoadStreamKernel<ArrayView<double>, int, ArrayView<double>, int, int, int, int>(IlgpuKernels.FinalizeScalars);
        public readonly Action<KernelConfig, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, ArrayView<double>, int> CgStep2 =
            a.LoadStreamKernel<ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, ArrayView<double>, int>(IlgpuKernels.CgStep2Partials);
        public readonly Action<KernelConfig, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, ArrayView<double>, int> CgStep2Jacobi =
            a.LoadStreamKernel<ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, ArrayView<double>, int>(IlgpuKernels.CgStep2JacobiPartials);
        public readonly Action<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, int> CgStep3 =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, int>(IlgpuKernels.CgStep3);
        public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int> SpmvDot =
            a.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int>(IlgpuKernels.SpmvDotPartials);
        public readonly Action<KernelConfig, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int> MulDot =
            a.LoadStreamKernel<ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int>(IlgpuKernels.MulDotPartials);
        public readonly Action<KernelConfig, ArrayView<double>, ArrayView<double>, int> NonFinite =
            a.LoadStreamKernel<ArrayView<double>, ArrayView<double>, int>(IlgpuKernels.NonFinitePartials);
        public readonly Action<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>> SpmvScalar =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>>(IlgpuKernels.SpmvScalar);
        public readonly Action<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>> ResidualScalar =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>>(IlgpuKernels.ResidualScalar);
        public readonly Action<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>> Diagonal =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>>(IlgpuKernels.Diagonal);
        public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int> SpmvWarp =
            a.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int>(IlgpuKernels.SpmvWarp);
        public readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int> ResidualWarp =
            a.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int>(IlgpuKernels.ResidualWarp);
        public readonly Action<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<int>, ArrayView<double>, ArrayView<double>, double> SorColor =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<int>, ArrayView<double>, ArrayView<double>, double>(IlgpuKernels.SorColor);
        public readonly Action<Index1D, ulong, double, ArrayView<double>, ArrayView<double>, int> GaussianSketchApply =
            a.LoadAutoGroupedStreamKernel<Index1D, ulong, double, ArrayView<double>, ArrayView<double>, int>(IlgpuKernels.GaussianSketchApply);
        public readonly Action<Index1D, ulong, double, ArrayView<double>, ArrayView<double>, int> GaussianSketchApplyTranspose =
            a.LoadAutoGroupedStreamKernel<Index1D, ulong, double, ArrayView<double>, ArrayView<double>, int>(IlgpuKernels.GaussianSketchApplyTranspose);
        public readonly Action<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, int> ReluMaskedForward =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, int>(IlgpuKernels.ReluMaskedForward);
        public readonly Action<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, int, int> ReluMaskedBackward =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, int, int>(IlgpuKernels.ReluMaskedBackward);
        public readonly Action<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, int> DenseRowsTimesPartials =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, int>(IlgpuKernels.DenseRowsTimesPartials);
        public readonly Action<Index1D, ArrayView<double>, ArrayView<double>, int> DenseRowsTimesFinish =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, int>(IlgpuKernels.DenseRowsTimesFinish);
        public readonly Action<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, int> DenseRowsTransposeTimes =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, int>(IlgpuKernels.DenseRowsTransposeTimes);
        public readonly Action<Index1D, ArrayView<double>, ArrayView<double>, int> DenseSetRow =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, int>(IlgpuKernels.DenseSetRow);
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> DenseRowsTimesPartialsSingle =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(IlgpuKernels.DenseRowsTimesPartialsSingle);
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int> DenseRowsTimesFinishSingle =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(IlgpuKernels.DenseRowsTimesFinishSingle);
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> DenseRowsTransposeTimesSingle =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(IlgpuKernels.DenseRowsTransposeTimesSingle);
        public readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int> DenseSetRowSingle =
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(IlgpuKernels.DenseSetRowSingle);
    }
}
