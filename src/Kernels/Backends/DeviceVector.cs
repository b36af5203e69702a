namespace Solvers.Kernels;

/// <summary>A vector of doubles in a backend's memory.</summary>
public abstract class DeviceVector : IDisposable
{
    /// <summary>Creates a vector handle.</summary>
    protected DeviceVector(Backend backend, int length)
    {
        Backend = backend;
        Length = length;
    }

    /// <summary>The backend that owns the memory.</summary>
    public Backend Backend { get; }

    /// <summary>Number of elements.</summary>
    public int Length { get; }

    /// <summary>Copies host data into this vector; lengths must match.</summary>
    public abstract void CopyFrom(ReadOnlySpan<double> source);

    /// <summary>Copies this vector to host memory; lengths must match.</summary>
    public abstract void CopyTo(Span<double> destination);

    /// <summary>Downloads the vector into a new array.</summary>
    public double[] ToArray()
    {
        var a = new double[Length];
        CopyTo(a);
        return a;
    }

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

    /// <summary>Throws when <paramref name="length"/> differs from <see cref="Length"/>.</summary>
    protected void CheckLength(int length, string argument)
    {
        if (length != Length)
            throw new ArgumentException($"{argument} has length {length}; the device vector has length {Length}.", argument);
    }
}

/// <summary>A CSR matrix in a backend's memory.</summary>
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
