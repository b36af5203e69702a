using System.Numerics;
using System.Runtime.InteropServices;
using Solvers.Sparse;

namespace Solvers.Kernels.Cpu;

/// <summary>A vector in host memory, for the <see cref="CpuBackend"/>.</summary>
internal sealed class CpuVector : DeviceVector
{
    public CpuVector(Backend backend, int length) : base(backend, length) => Data = new double[length];

    public double[] Data { get; }

    public override void CopyFrom(ReadOnlySpan<double> source)
    {
        CheckLength(source.Length, nameof(source));
        source.CopyTo(Data);
    }

    public override void CopyTo(Span<double> destination)
    {
        CheckLength(destination.Length, nameof(destination));
        Data.CopyTo(destination);
    }
}

/// <summary>A single-precision vector in host memory, for the <see cref="CpuBackend"/>.</summary>
internal sealed class CpuVectorSingle : DeviceVectorSingle
{
    public CpuVectorSingle(Backend backend, int length) : base(backend, length) => Data = new float[length];

    public float[] Data { get; }

    public override void CopyFrom(ReadOnlySpan<float> source)
    {
        CheckLength(source.Length, nameof(source));
        source.CopyTo(Data);
    }

    public override void CopyTo(Span<float> destination)
    {
        CheckLength(destination.Length, nameof(destination));
        Data.CopyTo(destination);
    }
}

/// <summary>A CSR matrix for the <see cref="CpuBackend"/>, with row blocks balanced by work.</summary>
internal sealed class CpuCsr : DeviceCsr
{
    // Work per block (rows + nonzeros): large enough to amortise scheduling, small enough to balance 2-64 threads.
    private const int WorkPerBlock = 32 * 1024;

    public CpuCsr(Backend backend, CsrMatrix m)
        : base(backend, m.Rows, m.Columns, m.NonZeros, m.MaxRowLength)
    {
        RowPointers = m.RowPointers.ToArray();
        ColumnIndices = m.ColumnIndices.ToArray();
        Values = m.Values.ToArray();
        // Block boundaries depend on the matrix alone, never on the thread count, so fused reductions
        // (SpMV + dot) give the same bits on any machine.
        var starts = new List<int> { 0 };
        long work = 0;
        for (int i = 0; i < Rows; i++)
        {
            work += 1 + RowPointers[i + 1] - RowPointers[i];
            if (work >= WorkPerBlock && i + 1 < Rows)
            {
                starts.Add(i + 1);
                work = 0;
            }
        }
        starts.Add(Rows);
        BlockStarts = starts.ToArray();
    }

    public int[] RowPointers { get; }
    public int[] ColumnIndices { get; }
    public double[] Values { get; }
    public int[] BlockStarts { get; }
    public int BlockCount => BlockStarts.Length - 1;
}

/// <summary>
/// The fast CPU backend: <see cref="Vector{T}"/> SIMD within fixed blocks of rows, blocks spread over threads
/// with <see cref="Parallel.For(int,int,ParallelOptions,Action{int})"/>. Reductions sum per-block partials in block order, so
/// results do not depend on the number of threads.
/// </summary>
internal sealed class CpuBackend : Backend
{
    private readonly CpuBlas _blas;
    private readonly CpuSparse _sparse;
    private readonly CpuCg _cg;
    private readonly CpuSor _sor;
    private readonly CpuSketch _sketch;
    private readonly CpuRelu _relu;
    private readonly CpuDense _dense;

    public CpuBackend(BackendOptions options)
    {
        Parallelism = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism };
        Threads = options.MaxDegreeOfParallelism;
        _blas = new CpuBlas(this);
        _sparse = new CpuSparse(this);
        _cg = new CpuCg(this, _blas, _sparse);
        _sor = new CpuSor(this);
        _sketch = new CpuSketch(this);
        _relu = new CpuRelu(this);
        _dense = new CpuDense(this);
    }

    public ParallelOptions Parallelism { get; }
    public int Threads { get; }

    public override BackendKind Kind => BackendKind.Cpu;
    public override string Name => $"cpu({Threads} thread{(Threads == 1 ? "" : "s")}, SIMD {Vector<double>.Count}x f64)";
    public override IBlasKernels Blas => _blas;
    public override ISparseKernels Sparse => _sparse;
    public override ICgKernels Cg => _cg;
    public override ISorKernels Sor => _sor;
    public override ISketchKernels Sketch => _sketch;
    public override IReluKernels Relu => _relu;
    public override IDenseKernels Dense => _dense;

    public override DeviceVector Allocate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new CpuVector(this, length);
    }

    public override DeviceVectorSingle AllocateSingle(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new CpuVectorSingle(this, length);
    }

    public override DeviceCsr Upload(CsrMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        return new CpuCsr(this, matrix);
    }

    public override void Synchronize()
    {
    }

    /// <summary>Runs body over [0, count) blocks, in parallel when there is enough work to pay for the threads.</summary>
    public void ForBlocks(int count, Action<int> body)
    {
        if (count <= 1 || Threads == 1)
        {
            for (int b = 0; b < count; b++) body(b);
        }
        else
        {
            Parallel.For(0, count, Parallelism, body);
        }
    }

    internal static string DescribeProcessor()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("model name", StringComparison.Ordinal))
                    return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return RuntimeInformation.ProcessArchitecture + " processor";
    }
}
