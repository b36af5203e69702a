namespace Solvers.Kernels;

/// <summary>
/// A vector of single-precision floats in a backend's memory: the storage of the float overloads of the kernel
/// families, for data too large to hold in double (half the memory and half the bandwidth of a <see cref="DeviceVector"/>).
/// </summary>
/// <remarks>Thread safety: belongs to one backend and, like the backend, is not safe for concurrent use.</remarks>
public abstract class DeviceVectorSingle : DeviceBuffer<float>
{
    /// <summary>Creates a vector handle.</summary>
    protected DeviceVectorSingle(Backend backend, int length) : base(backend, length)
    {
    }
}
