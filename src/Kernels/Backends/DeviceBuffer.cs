namespace Solvers.Kernels;

/// <summary>
/// A vector of <typeparamref name="T"/> in a backend's memory: what <see cref="DeviceVector"/> (double) and
/// <see cref="DeviceVectorSingle"/> (float) share. The kernel families take the concrete types, so a float vector can
/// never reach a double kernel.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
/// <remarks>Thread safety: belongs to one backend and, like the backend, is not safe for concurrent use.</remarks>
public abstract class DeviceBuffer<T> : IDisposable where T : unmanaged
{
    /// <summary>Creates a vector handle.</summary>
    protected DeviceBuffer(Backend backend, int length)
    {
        Backend = backend;
        Length = length;
    }

    /// <summary>The backend that owns the memory.</summary>
    public Backend Backend { get; }

    /// <summary>Number of elements.</summary>
    public int Length { get; }

    /// <summary>Copies host data into this vector; lengths must match.</summary>
    public abstract void CopyFrom(ReadOnlySpan<T> source);

    /// <summary>Copies this vector to host memory; lengths must match.</summary>
    public abstract void CopyTo(Span<T> destination);

    /// <summary>Downloads the vector into a new array.</summary>
    public T[] ToArray()
    {
        var a = new T[Length];
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
