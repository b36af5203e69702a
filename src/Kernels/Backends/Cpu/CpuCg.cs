namespace Solvers.Kernels.Cpu;

/// <summary>CG steps on the CPU: the same flag logic as the GPU kernels, with the scalars in host memory.</summary>
internal sealed class CpuCg(CpuBackend backend, CpuBlas blas, CpuSparse sparse) : ICgKernels
{
    private double[] Scalars(DeviceVector s)
    {
        double[] data = KernelChecks.Own<CpuVector>(backend, s, nameof(s)).Data;
        if (data.Length < CgScalars.Length)
            throw new ArgumentException($"s has {data.Length} slots; CG needs {CgScalars.Length}.", nameof(s));
        return data;
    }

    private double[] Data(DeviceVector v, string name) => KernelChecks.Own<CpuVector>(backend, v, name).Data;

    public void Step1(DeviceCsr a, DeviceVector p, DeviceVector q, DeviceVector s)
    {
        double[] sc = Scalars(s);
        if (sc[CgScalars.Flag] != 0) return;
        sc[CgScalars.PQ] = sparse.MultiplyDot(a, p, q);
    }

    /// <summary>Raises the flag (first cause wins) and returns true when the step must not run.</summary>
    private static bool Stop(double[] sc, double code, int completed, double value)
    {
        if (code == 0) return false;
        if (sc[CgScalars.Flag] == 0)
        {
            sc[CgScalars.Flag] = code;
            sc[CgScalars.FlagIteration] = completed;
            sc[CgScalars.FlagValue] = value;
        }
        return true;
    }

    public void Step2(DeviceVector p, DeviceVector q, DeviceVector x, DeviceVector r, DeviceVector s, int iteration, bool identityPreconditioner)
    {
        double[] sc = Scalars(s);
        double pq = sc[CgScalars.PQ];
        if (Stop(sc, CgScalars.Step2Stop(sc[CgScalars.Flag], pq, sc[CgScalars.RR]), iteration - 1, pq)) return;
        double alpha = sc[CgScalars.RzSlot(iteration - 1)] / pq;
        double rr = blas.CgStepXR(alpha, p, q, x, r);
        sc[CgScalars.RR] = rr;
        if (identityPreconditioner) sc[CgScalars.RzSlot(iteration)] = rr;
    }

    public void Step2Jacobi(DeviceVector p, DeviceVector q, DeviceVector x, DeviceVector r, DeviceVector inverseDiagonal, DeviceVector z,
        DeviceVector s, int iteration)
    {
        double[] sc = Scalars(s);
        double[] ps = Data(p, nameof(p)), qs = Data(q, nameof(q)), xs = Data(x, nameof(x)), rs = Data(r, nameof(r)),
            ds = Data(inverseDiagonal, nameof(inverseDiagonal)), zs = Data(z, nameof(z));
        KernelChecks.SameLength(p, nameof(p), q, nameof(q));
        KernelChecks.SameLength(p, nameof(p), x, nameof(x));
        KernelChecks.SameLength(p, nameof(p), r, nameof(r));
        KernelChecks.SameLength(p, nameof(p), inverseDiagonal, nameof(inverseDiagonal));
        KernelChecks.SameLength(p, nameof(p), z, nameof(z));
        double pq = sc[CgScalars.PQ];
        if (Stop(sc, CgScalars.Step2Stop(sc[CgScalars.Flag], pq, sc[CgScalars.RR]), iteration - 1, pq)) return;
        double alpha = sc[CgScalars.RzSlot(iteration - 1)] / pq;
        var (rr, rz) = blas.Reduce2(ps.Length, (st, len) => CpuBlas.CgStepJacobiBlock(alpha, ps.AsSpan(st, len), qs.AsSpan(st, len),
            xs.AsSpan(st, len), rs.AsSpan(st, len), ds.AsSpan(st, len), zs.AsSpan(st, len)));
        sc[CgScalars.RR] = rr;
        sc[CgScalars.RzSlot(iteration)] = rz;
    }

    public void Step3(DeviceVector z, DeviceVector p, DeviceVector s, int iteration)
    {
        double[] sc = Scalars(s);
        double rzNew = sc[CgScalars.RzSlot(iteration)];
        if (Stop(sc, CgScalars.Step3Stop(sc[CgScalars.Flag], sc[CgScalars.RR], rzNew), iteration, rzNew)) return;
        blas.Xpay(z, rzNew / sc[CgScalars.RzSlot(iteration - 1)], p);
    }
}
