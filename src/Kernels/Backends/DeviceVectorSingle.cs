namespace Solvers.Kernels;

/// <summary>
/// A vector of single-precision floats in a backend's memory: the storage of the float overloads of the kernel
/// families, for data too large to hold in double (half the memory and half the bandwidth of a <see cref="DeviceVector"/>).
/// </summary>
public abstract class DeviceVectorSingle : IDisposable
{
    /// <summary>Creates a vector handle.</summary>
    protected DeviceVectorSingle(Backend backend, int length)
    {
        Backend = backend;
        Length = length;
    }

    /// <summary>The backend that owns the memory.</summary>
    public Backend Backend { get; }

    /// <summary>Number of elements.</summary>
    public int Length { get; }

    /// <summary>Copies host data into this vector; lengths must match.</summary>
    public abstract void CopyFrom(ReadOnlySpan<float> source);

    /// <summary>Copies this vector to host memory; lengths must match.</summary>
    public abstract void CopyTo(Span<float> destination);

    /// <summary>Downloads the vector into a new array.</summary>
    public float[] ToArray()
    {
        var a = new float[Length];
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
