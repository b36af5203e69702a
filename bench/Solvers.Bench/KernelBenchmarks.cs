using BenchmarkDotNet.Attributes;
using Solvers.Kernels;
using Solvers.Problems;
using Solvers.Sparse;

namespace Solvers.Bench;

/// <summary>
/// Micro-benchmarks of the CPU kernel families on 2D Poisson (the same operator as the CG figures).
/// Run: dotnet run -c Release --project bench/Solvers.Bench -- --filter '*' --job short --inProcess
/// </summary>
[MemoryDiagnoser]
public class KernelBenchmarks
{
    private Backend _backend = null!;
    private DeviceCsr _a = null!;
    private DeviceVector _x = null!, _y = null!, _z = null!, _w = null!, _d = null!, _v = null!, _s = null!;
    private readonly double[] _s0 = [1, 1, 1e-12, 1e-12, 0, 0, 0, 0];

    /// <summary>Grid side: 512 (262k unknowns, cache-resident on large-L3 machines) and 1000 (10^6 unknowns).</summary>
    [Params(512, 1000)]
    public int N { get; set; }

    /// <summary>CPU threads of the backend.</summary>
    [Params(2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _backend = Backend.Create(BackendKind.Cpu, new BackendOptions { MaxDegreeOfParallelism = Threads });
        CsrMatrix a = PdeProblems.Poisson2D(N);
        _a = _backend.Upload(a);
        int n = a.Rows;
        _x = _backend.Upload(Enumerable.Range(0, n).Select(i => Math.Sin(i)).ToArray());
        _y = _backend.Upload(Enumerable.Range(0, n).Select(i => Math.Cos(i)).ToArray());
        _z = _backend.Allocate(n);
        _w = _backend.Allocate(n);
        _v = _backend.Allocate(n);
        _s = _backend.Upload(_s0);
        _d = _backend.Upload(Enumerable.Repeat(0.25, n).ToArray());
    }

    [GlobalCleanup]
    public void Cleanup() => _backend.Dispose();

    [Benchmark(Description = "SpMV y = Ax")]
    public void Spmv() => _backend.Sparse.Multiply(_a, _x, _z);

    [Benchmark(Description = "SpMV+dot q = Ap, p'q")]
    public double SpmvDot() => _backend.Sparse.MultiplyDot(_a, _x, _z);

    [Benchmark(Description = "residual r = b - Ax, r'r")]
    public double Residual() => _backend.Sparse.Residual(_a, _y, _x, _z);

    [Benchmark(Description = "dot x'y")]
    public double Dot() => _backend.Blas.Dot(_x, _y);

    [Benchmark(Description = "axpy y += a x")]
    public void Axpy() => _backend.Blas.Axpy(1e-9, _x, _y);

    [Benchmark(Description = "triad w = a x + y")]
    public void Waxpy() => _backend.Blas.Waxpy(0.5, _x, _y, _w);

    [Benchmark(Description = "fused CG x/r update, r'r")]
    public double CgStep() => _backend.Blas.CgStepXR(1e-12, _x, _y, _w, _z);

    [Benchmark(Description = "CG step 2 fused with Jacobi (device scalars)")]
    public void CgStep2Jacobi()
    {
        // Reset the scalars each call so the step never stops: p'Ap = 1, previous r'r = 1, r'z = 1e-12.
        _s.CopyFrom(_s0);
        _backend.Cg.Step2Jacobi(_x, _y, _w, _z, _d, _v, _s, 1);
    }

    [Benchmark(Description = "fused Jacobi z = d.*r, r'z")]
    public double Jacobi() => _backend.Blas.PointwiseMultiplyDot(_d, _y, _z);

    [Benchmark(Description = "p = z + beta p")]
    public void Xpay() => _backend.Blas.Xpay(_x, 0.5, _w);
}
