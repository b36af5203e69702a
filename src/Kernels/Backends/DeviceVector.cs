namespace Solvers.Kernels;

/// <summary>A vector of doubles in a backend's memory.</summary>
/// <remarks>Thread safety: belongs to one backend and, like the backend, is not safe for concurrent use.</remarks>
public abstract class DeviceVector : DeviceBuffer<double>
{
    /// <summary>Creates a vector handle.</summary>
    protected DeviceVector(Backend backend, int length) : base(backend, length)
    {
    }
}

/// <summary>A CSR matrix in a backend's memory.</summary>
/// <remarks>Thread safety: belongs to one backend and, like the backend, is not safe for concurrent use.</remarks>
public abstract class DeviceCsr : IDisposable
{
    /// <summary>Creates a matrix handle.</summary>
    protected DeviceCsr(Backend backend, int rows, int columns, int nonZeros, int maxRowLength)
    {
        Backend = backend;
        Rows = rows;
        Columns = columns;
        NonZeros = nonZeros;
        MaxRowLength = maxRowLength;
    }

    /// <summary>The backend that owns the memory.</summary>
    public Backend Backend { get; }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Columns { get; }

    /// <summary>Number of stored entries.</summary>
    public int NonZeros { get; }

    /// <summary>Longest row.</summary>
    public int MaxRowLength { get; }

    /// <summary>Bytes one SpMV must read for the matrix: 8 per value, 4 per column index, 4 per row pointer.</summary>
    public long MatrixBytes => 12L * NonZeros + 4L * (Rows + 1);

    /// <summary>Releases device memory.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases device memory.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}
