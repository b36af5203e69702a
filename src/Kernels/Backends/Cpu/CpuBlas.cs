using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Numerics.Tensors;

namespace Solvers.Kernels.Cpu;

/// <summary>BLAS-1 on the CPU: SIMD inside fixed 8192-element blocks, blocks in parallel.</summary>
internal sealed class CpuBlas(CpuBackend backend) : IBlasKernels
{
    /// <summary>Elements per block; fixed so that reduction order never depends on the thread count.</summary>
    internal const int BlockSize = 8192;

    private double[] Data(DeviceVector v, string name) => KernelChecks.Own<CpuVector>(backend, v, name).Data;

    private static int Blocks(int n) => (n + BlockSize - 1) / BlockSize;

    private static (int Start, int Length) Range(int block, int n)
    {
        int start = block * BlockSize;
        return (start, Math.Min(BlockSize, n - start));
    }

    /// <summary>Sums per-block partials in block order: the second level of the deterministic reduction.</summary>
    private double Reduce(int n, Func<int, int, double> blockPartial)
    {
        int blocks = Blocks(n);
        if (blocks == 0) return backend.GlobalSum(0.0);
        var partials = new double[blocks];
        backend.ForBlocks(blocks, b =>
        {
            var (s, len) = Range(b, n);
            partials[b] = blockPartial(s, len);
        });
        double sum = 0;
        foreach (double p in partials) sum += p;
        return backend.GlobalSum(sum);
    }

    private void ForEachBlock(int n, Action<int, int> body)
        => backend.ForBlocks(Blocks(n), b =>
        {
            var (s, len) = Range(b, n);
            body(s, len);
        });

    public double Dot(DeviceVector x, DeviceVector y)
    {
        double[] xs = Data(x, nameof(x)), ys = Data(y, nameof(y));
        KernelChecks.SameLength(x, nameof(x), y, nameof(y));
        return Reduce(xs.Length, (s, len) => TensorPrimitives.Dot(xs.AsSpan(s, len), ys.AsSpan(s, len)));
    }

    public double Norm2(DeviceVector x) => Math.Sqrt(Dot(x, x));

    public void Axpy(double alpha, DeviceVector x, DeviceVector y)
    {
        double[] xs = Data(x, nameof(x)), ys = Data(y, nameof(y));
        KernelChecks.SameLength(x, nameof(x), y, nameof(y));
        ForEachBlock(xs.Length, (s, len) => TensorPrimitives.MultiplyAdd(xs.AsSpan(s, len), alpha, ys.AsSpan(s, len), ys.AsSpan(s, len)));
    }

    public void Xpay(DeviceVector x, double beta, DeviceVector y)
    {
        double[] xs = Data(x, nameof(x)), ys = Data(y, nameof(y));
        KernelChecks.SameLength(x, nameof(x), y, nameof(y));
        ForEachBlock(xs.Length, (s, len) => TensorPrimitives.MultiplyAdd(ys.AsSpan(s, len), beta, xs.AsSpan(s, len), ys.AsSpan(s, len)));
    }

    public void Waxpy(double alpha, DeviceVector x, DeviceVector y, DeviceVector w)
    {
        double[] xs = Data(x, nameof(x)), ys = Data(y, nameof(y)), ws = Data(w, nameof(w));
        KernelChecks.SameLength(x, nameof(x), y, nameof(y));
        KernelChecks.SameLength(x, nameof(x), w, nameof(w));
        ForEachBlock(xs.Length, (s, len) => TensorPrimitives.MultiplyAdd(xs.AsSpan(s, len), alpha, ys.AsSpan(s, len), ws.AsSpan(s, len)));
    }

    public void Scale(double alpha, DeviceVector x)
    {
        double[] xs = Data(x, nameof(x));
        ForEachBlock(xs.Length, (s, len) => TensorPrimitives.Multiply(xs.AsSpan(s, len), alpha, xs.AsSpan(s, len)));
    }

    public void Copy(DeviceVector source, DeviceVector destination)
    {
        double[] src = Data(source, nameof(source)), dst = Data(destination, nameof(destination));
        KernelChecks.SameLength(source, nameof(source), destination, nameof(destination));
        ForEachBlock(src.Length, (s, len) => src.AsSpan(s, len).CopyTo(dst.AsSpan(s, len)));
    }

    public void Fill(DeviceVector x, double value)
    {
        double[] xs = Data(x, nameof(x));
        ForEachBlock(xs.Length, (s, len) => xs.AsSpan(s, len).Fill(value));
    }

    public void PointwiseMultiply(DeviceVector d, DeviceVector x, DeviceVector z)
    {
        double[] ds = Data(d, nameof(d)), xs = Data(x, nameof(x)), zs = Data(z, nameof(z));
        KernelChecks.SameLength(d, nameof(d), x, nameof(x));
        KernelChecks.SameLength(d, nameof(d), z, nameof(z));
        ForEachBlock(ds.Length, (s, len) => TensorPrimitives.Multiply(ds.AsSpan(s, len), xs.AsSpan(s, len), zs.AsSpan(s, len)));
    }

    public void Reciprocal(DeviceVector x)
    {
        double[] xs = Data(x, nameof(x));
        ForEachBlock(xs.Length, (s, len) => TensorPrimitives.Reciprocal(xs.AsSpan(s, len), xs.AsSpan(s, len)));
    }

    public double PointwiseMultiplyDot(DeviceVector d, DeviceVector r, DeviceVector z)
    {
        double[] ds = Data(d, nameof(d)), rs = Data(r, nameof(r)), zs = Data(z, nameof(z));
        KernelChecks.SameLength(d, nameof(d), r, nameof(r));
        KernelChecks.SameLength(d, nameof(d), z, nameof(z));
        return Reduce(ds.Length, (s, len) => MulDotBlock(ds.AsSpan(s, len), rs.AsSpan(s, len), zs.AsSpan(s, len)));
    }

    public double CgStepXR(double alpha, DeviceVector p, DeviceVector q, DeviceVector x, DeviceVector r)
    {
        double[] ps = Data(p, nameof(p)), qs = Data(q, nameof(q)), xs = Data(x, nameof(x)), rs = Data(r, nameof(r));
        KernelChecks.SameLength(p, nameof(p), q, nameof(q));
        KernelChecks.SameLength(p, nameof(p), x, nameof(x));
        KernelChecks.SameLength(p, nameof(p), r, nameof(r));
        return Reduce(ps.Length, (s, len) => CgStepBlock(alpha, ps.AsSpan(s, len), qs.AsSpan(s, len), xs.AsSpan(s, len), rs.AsSpan(s, len)));
    }

    public void DotInto(DeviceVector x, DeviceVector y, DeviceVector s, int slot)
        => Scalar(s, slot, nameof(s)) = Dot(x, y);

    public void PointwiseMultiplyDotInto(DeviceVector d, DeviceVector r, DeviceVector z, DeviceVector s, int slot)
        => Scalar(s, slot, nameof(s)) = PointwiseMultiplyDot(d, r, z);

    /// <summary>A slot of a scalar vector; device scalars are plain memory on the CPU.</summary>
    internal ref double Scalar(DeviceVector s, int slot, string name)
    {
        double[] data = Data(s, name);
        if ((uint)slot >= (uint)data.Length)
            throw new ArgumentOutOfRangeException(nameof(slot), slot, $"{name} has {data.Length} slots.");
        return ref data[slot];
    }

    /// <summary>Runs a two-value block kernel over x-sized blocks and sums each value in block order.</summary>
    internal (double First, double Second) Reduce2(int n, Func<int, int, (double, double)> blockPartials)
    {
        int blocks = Blocks(n);
        var partials = new (double, double)[blocks];
        backend.ForBlocks(blocks, b =>
        {
            var (s, len) = Range(b, n);
            partials[b] = blockPartials(s, len);
        });
        double first = 0, second = 0;
        foreach (var (a, c) in partials)
        {
            first += a;
            second += c;
        }
        return (backend.GlobalSum(first), backend.GlobalSum(second));
    }

    public bool AllFinite(DeviceVector x)
    {
        double[] xs = Data(x, nameof(x));
        // A sum of (v - v) is 0 for finite v and NaN otherwise: one SIMD pass with no branches.
        double bad = Reduce(xs.Length, (s, len) => NonFiniteBlock(xs.AsSpan(s, len)));
        return bad == 0;
    }

    private static double NonFiniteBlock(ReadOnlySpan<double> x)
    {
        int count = 0;
        foreach (double v in x) if (!double.IsFinite(v)) count++;
        return count;
    }

    /// <summary>z = d .* r over one block, returning the block's r'z.</summary>
    internal static double MulDotBlock(ReadOnlySpan<double> d, ReadOnlySpan<double> r, Span<double> z)
    {
        int n = d.Length, i = 0;
        var acc = Vector<double>.Zero;
        if (Vector.IsHardwareAccelerated)
        {
            var dv = MemoryMarshal.Cast<double, Vector<double>>(d);
            var rv = MemoryMarshal.Cast<double, Vector<double>>(r);
            var zv = MemoryMarshal.Cast<double, Vector<double>>(z);
            for (int k = 0; k < dv.Length; k++)
            {
                var rk = rv[k];
                var zk = dv[k] * rk;
                zv[k] = zk;
                acc += rk * zk;
            }
            i = dv.Length * Vector<double>.Count;
        }
        double sum = Vector.Sum(acc);
        for (; i < n; i++)
        {
            double zi = d[i] * r[i];
            z[i] = zi;
            sum += r[i] * zi;
        }
        return sum;
    }

    /// <summary>x += alpha p; r -= alpha q; z = d .* r over one block, returning the block's r'r and r'z.</summary>
    internal static (double RR, double RZ) CgStepJacobiBlock(double alpha, ReadOnlySpan<double> p, ReadOnlySpan<double> q,
        Span<double> x, Span<double> r, ReadOnlySpan<double> d, Span<double> z)
    {
        int n = p.Length, i = 0;
        var accRR = Vector<double>.Zero;
        var accRZ = Vector<double>.Zero;
        if (Vector.IsHardwareAccelerated)
        {
            var a = new Vector<double>(alpha);
            var pv = MemoryMarshal.Cast<double, Vector<double>>(p);
            var qv = MemoryMarshal.Cast<double, Vector<double>>(q);
            var xv = MemoryMarshal.Cast<double, Vector<double>>(x);
            var rv = MemoryMarshal.Cast<double, Vector<double>>(r);
            var dv = MemoryMarshal.Cast<double, Vector<double>>(d);
            var zv = MemoryMarshal.Cast<double, Vector<double>>(z);
            for (int k = 0; k < pv.Length; k++)
            {
                xv[k] = Vector.FusedMultiplyAdd(a, pv[k], xv[k]);
                var rk = Vector.FusedMultiplyAdd(-a, qv[k], rv[k]);
                rv[k] = rk;
                var zk = dv[k] * rk;
                zv[k] = zk;
                accRR = Vector.FusedMultiplyAdd(rk, rk, accRR);
                accRZ = Vector.FusedMultiplyAdd(rk, zk, accRZ);
            }
            i = pv.Length * Vector<double>.Count;
        }
        double rr = Vector.Sum(accRR), rz = Vector.Sum(accRZ);
        for (; i < n; i++)
        {
            x[i] = Math.FusedMultiplyAdd(alpha, p[i], x[i]);
            double ri = Math.FusedMultiplyAdd(-alpha, q[i], r[i]);
            r[i] = ri;
            double zi = d[i] * ri;
            z[i] = zi;
            rr += ri * ri;
            rz += ri * zi;
        }
        return (rr, rz);
    }

    /// <summary>x += alpha p; r -= alpha q over one block, returning the block's new r'r.</summary>
    internal static double CgStepBlock(double alpha, ReadOnlySpan<double> p, ReadOnlySpan<double> q, Span<double> x, Span<double> r)
    {
        int n = p.Length, i = 0;
        var acc = Vector<double>.Zero;
        if (Vector.IsHardwareAccelerated)
        {
            var a = new Vector<double>(alpha);
            var pv = MemoryMarshal.Cast<double, Vector<double>>(p);
            var qv = MemoryMarshal.Cast<double, Vector<double>>(q);
            var xv = MemoryMarshal.Cast<double, Vector<double>>(x);
            var rv = MemoryMarshal.Cast<double, Vector<double>>(r);
            for (int k = 0; k < pv.Length; k++)
            {
                xv[k] = Vector.FusedMultiplyAdd(a, pv[k], xv[k]);
                var rk = Vector.FusedMultiplyAdd(-a, qv[k], rv[k]);
                rv[k] = rk;
                acc = Vector.FusedMultiplyAdd(rk, rk, acc);
            }
            i = pv.Length * Vector<double>.Count;
        }
        double sum = Vector.Sum(acc);
        for (; i < n; i++)
        {
            x[i] = Math.FusedMultiplyAdd(alpha, p[i], x[i]);
            double ri = Math.FusedMultiplyAdd(-alpha, q[i], r[i]);
            r[i] = ri;
            sum += ri * ri;
        }
        return sum;
    }
}
