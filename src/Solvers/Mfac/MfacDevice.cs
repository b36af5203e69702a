using System.Numerics;
using System.Runtime.InteropServices;
using Solvers.Kernels;

namespace Solvers.Mfac;

/// <summary>
/// A k x d row-major matrix mirrored on a backend, with the device buffers of its products: the length-d work of
/// <see cref="StaticMfac{T}"/> and <see cref="SlidingMfac{T}"/> when <see cref="MfacOptions.Backend"/> is set.
/// T = double uses <see cref="DeviceVector"/>, T = float <see cref="DeviceVectorSingle"/>; the k-length vectors are
/// handed to the host in double, where the k x k algebra runs.
/// </summary>
internal sealed class MfacDevice<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly IDenseKernels _dense;
    private readonly int _k, _d;
    private readonly DeviceVector? _g, _x, _q, _c, _tmp;
    private readonly DeviceVectorSingle? _gs, _xs, _qs, _cs, _tmps;
    private readonly float[]? _small; // k floats, the float path's staging for q and c

    /// <summary>Allocates a zero k x d matrix and its buffers on <paramref name="backend"/>.</summary>
    public MfacDevice(Backend backend, int k, int d)
    {
        _dense = backend.Dense;
        _k = k;
        _d = d;
        if (typeof(T) == typeof(double))
        {
            _g = backend.Allocate(checked(k * d));
            _x = backend.Allocate(d);
            _q = backend.Allocate(k);
            _c = backend.Allocate(k);
            _tmp = backend.Allocate(d);
        }
        else if (typeof(T) == typeof(float))
        {
            _gs = backend.AllocateSingle(checked(k * d));
            _xs = backend.AllocateSingle(d);
            _qs = backend.AllocateSingle(k);
            _cs = backend.AllocateSingle(k);
            _tmps = backend.AllocateSingle(d);
            _small = new float[k];
        }
        else throw new NotSupportedException($"The device path supports float and double, not {typeof(T).Name}.");
    }

    /// <summary>Copies the whole k x d matrix from the host.</summary>
    public void UploadAll(ReadOnlySpan<T> rows)
    {
        if (_g is not null) _g.CopyFrom(MemoryMarshal.Cast<T, double>(rows));
        else _gs!.CopyFrom(MemoryMarshal.Cast<T, float>(rows));
    }

    /// <summary>Overwrites row <paramref name="row"/> with <paramref name="source"/> (length d).</summary>
    public void SetRow(int row, ReadOnlySpan<T> source)
    {
        if (_g is not null)
        {
            _x!.CopyFrom(MemoryMarshal.Cast<T, double>(source));
            _dense.SetRow(_g, _k, _d, row, _x);
        }
        else
        {
            _xs!.CopyFrom(MemoryMarshal.Cast<T, float>(source));
            _dense.SetRow(_gs!, _k, _d, row, _xs);
        }
    }

    /// <summary>q = G x over all k rows (row index order), downloaded to the host in double.</summary>
    public void RowsTimes(ReadOnlySpan<T> x, Span<double> q)
    {
        if (_g is not null)
        {
            _x!.CopyFrom(MemoryMarshal.Cast<T, double>(x));
            _dense.RowsTimes(_g, _k, _d, _x, _q!);
            _q!.CopyTo(q[.._k]);
        }
        else
        {
            _xs!.CopyFrom(MemoryMarshal.Cast<T, float>(x));
            _dense.RowsTimes(_gs!, _k, _d, _xs, _qs!);
            _qs!.CopyTo(_small);
            for (int i = 0; i < _k; i++) q[i] = _small![i];
        }
    }

    /// <summary>result = x * <paramref name="scale"/> + G' c, c given per row index (k values, rounded to T first as the host path does).</summary>
    public void ScaledPlusTransposeTimes(ReadOnlySpan<double> c, T scale, ReadOnlySpan<T> x, Span<T> result)
    {
        if (_g is not null)
        {
            _c!.CopyFrom(c[.._k]);
            _dense.RowsTransposeTimes(_g, _k, _d, _c, _tmp!);
            _tmp!.CopyTo(MemoryMarshal.Cast<T, double>(result));
        }
        else
        {
            for (int i = 0; i < _k; i++) _small![i] = (float)c[i];
            _cs!.CopyFrom(_small);
            _dense.RowsTransposeTimes(_gs!, _k, _d, _cs, _tmps!);
            _tmps!.CopyTo(MemoryMarshal.Cast<T, float>(result));
        }
        // result = x * scale + tmp, elementwise on the host.
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(x, scale, result, result);
    }

    /// <summary>Frees the device buffers.</summary>
    public void Dispose()
    {
        _g?.Dispose(); _x?.Dispose(); _q?.Dispose(); _c?.Dispose(); _tmp?.Dispose();
        _gs?.Dispose(); _xs?.Dispose(); _qs?.Dispose(); _cs?.Dispose(); _tmps?.Dispose();
    }
}
