using Solvers.Kernels;
using Solvers.Sparse;
using Xunit;

namespace Solvers.Kernels.Tests;

/// <summary>
/// Creates one backend per test class and disposes it. A backend that cannot run here (CUDA without a GPU)
/// leaves <see cref="Backend"/> null and every test of the class reports itself skipped with the reason.
/// </summary>
public abstract class BackendFixture : IDisposable
{
    protected BackendFixture(BackendKind kind, BackendOptions? options = null)
    {
        try
        {
            Backend = Backend.Create(kind, options);
        }
        catch (BackendUnavailableException e)
        {
            SkipReason = $"{kind} backend unavailable on this machine: {e.Message}";
        }
    }

    public Backend? Backend { get; }

    public string? SkipReason { get; }

    /// <summary>The backend, or a skip of the calling test when there is none.</summary>
    public Backend Require()
    {
        Skip.If(Backend is null, SkipReason);
        return Backend!;
    }

    public void Dispose()
    {
        Backend?.Dispose();
        GC.SuppressFinalize(this);
    }
}

public sealed class CpuFixture() : BackendFixture(BackendKind.Cpu, new BackendOptions { MaxDegreeOfParallelism = 2 });

public sealed class IlgpuCpuFixture() : BackendFixture(BackendKind.IlgpuCpu);

public sealed class IlgpuCpuWarpFixture() : BackendFixture(BackendKind.IlgpuCpu, new BackendOptions { SpmvVariant = SpmvVariant.WarpPerRow });

public sealed class CudaFixture() : BackendFixture(BackendKind.Cuda);

public sealed class CudaWarpFixture() : BackendFixture(BackendKind.Cuda, new BackendOptions { SpmvVariant = SpmvVariant.WarpPerRow });

/// <summary>
/// Every kernel against a plain scalar reference on awkward sizes: 1, 31, 597 (not a multiple of any warp or
/// SIMD width), 10007 (prime, spans several CPU blocks), plus matrices with empty rows and one dense row.
/// Tolerance: 1e-12 relative to the sum of absolute terms for reductions (different summation orders),
/// exact for elementwise kernels without FMA contraction differences beyond 2 ulp.
/// </summary>
public abstract class KernelConformanceTests
{
    private const double ReductionTolerance = 1e-12;
    private const double ElementTolerance = 1e-14;

    private readonly BackendFixture _fixture;

    protected KernelConformanceTests(BackendFixture fixture) => _fixture = fixture;

    /// <summary>The backend under test; skips the test when it is unavailable.</summary>
    protected Backend B => _fixture.Require();

    /// <summary>Vector sizes; the ILGPU CPU accelerator emulates threads, so its subclass may trim the largest.</summary>
    public static TheoryData<int> Sizes => new() { 0, 1, 31, 597, 10007 };

    protected static double[] Random(int n, int seed, double lo = -1, double hi = 1)
    {
        var rng = new Random(seed);
        var a = new double[n];
        for (int i = 0; i < n; i++) a[i] = lo + (hi - lo) * rng.NextDouble();
        return a;
    }

    private static void Close(double expected, double actual, double scale, double tol, string what)
        => Assert.True(Math.Abs(expected - actual) <= tol * Math.Max(scale, 1e-300),
            $"{what}: expected {expected:R}, got {actual:R} (scale {scale:R})");

    private static void CloseVectors(double[] expected, double[] actual, double tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * Math.Max(1.0, Math.Abs(expected[i])),
                $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }

    [SkippableTheory]
    [MemberData(nameof(Sizes))]
    public void Dot_and_norm_match_scalar_reference(int n)
    {
        double[] x = Random(n, 1), y = Random(n, 2);
        double expected = 0, scale = 0, nn = 0;
        for (int i = 0; i < n; i++) { expected += x[i] * y[i]; scale += Math.Abs(x[i] * y[i]); nn += x[i] * x[i]; }
        using var dx = B.Upload(x);
        using var dy = B.Upload(y);
        Close(expected, B.Blas.Dot(dx, dy), scale, ReductionTolerance, "dot");
        Close(Math.Sqrt(nn), B.Blas.Norm2(dx), Math.Sqrt(nn), ReductionTolerance, "norm2");
    }

    [SkippableTheory]
    [MemberData(nameof(Sizes))]
    public void Reductions_are_deterministic(int n)
    {
        double[] x = Random(n, 3), y = Random(n, 4);
        using var dx = B.Upload(x);
        using var dy = B.Upload(y);
        double first = B.Blas.Dot(dx, dy);
        for (int k = 0; k < 3; k++) Assert.Equal(BitConverter.DoubleToInt64Bits(first), BitConverter.DoubleToInt64Bits(B.Blas.Dot(dx, dy)));
    }

    [SkippableTheory]
    [MemberData(nameof(Sizes))]
    public void Elementwise_kernels_match_scalar_reference(int n)
    {
        double[] x = Random(n, 5), y = Random(n, 6);
        const double alpha = 0.37, beta = -1.25;
        using var dx = B.Upload(x);
        using var dy = B.Upload(y);

        B.Blas.Axpy(alpha, dx, dy);
        CloseVectors(y.Select((v, i) => v + alpha * x[i]).ToArray(), dy.ToArray(), ElementTolerance, "axpy");

        dy.CopyFrom(y);
        B.Blas.Xpay(dx, beta, dy);
        CloseVectors(y.Select((v, i) => x[i] + beta * v).ToArray(), dy.ToArray(), ElementTolerance, "xpay");

        dy.CopyFrom(y);
        using var dw = B.Allocate(n);
        B.Blas.Waxpy(alpha, dx, dy, dw);
        CloseVectors(y.Select((v, i) => alpha * x[i] + v).ToArray(), dw.ToArray(), ElementTolerance, "waxpy");
        CloseVectors(y, dy.ToArray(), 0, "waxpy leaves y");

        B.Blas.Scale(alpha, dy);
        CloseVectors(y.Select(v => alpha * v).ToArray(), dy.ToArray(), ElementTolerance, "scale");

        B.Blas.Copy(dx, dy);
        Assert.Equal(x, dy.ToArray());

        B.Blas.Fill(dy, 2.5);
        Assert.All(dy.ToArray(), v => Assert.Equal(2.5, v));

        var pos = Random(n, 7, 0.5, 2.0);
        using var dp = B.Upload(pos);
        B.Blas.PointwiseMultiply(dp, dx, dw);
        CloseVectors(x.Select((v, i) => pos[i] * v).ToArray(), dw.ToArray(), ElementTolerance, "pointwise multiply");
        B.Blas.Reciprocal(dp);
        CloseVectors(pos.Select(v => 1.0 / v).ToArray(), dp.ToArray(), ElementTolerance, "reciprocal");
    }

    [SkippableTheory]
    [MemberData(nameof(Sizes))]
    public void Fused_cg_kernels_match_scalar_reference(int n)
    {
        double[] p = Random(n, 8), q = Random(n, 9), x = Random(n, 10), r = Random(n, 11), d = Random(n, 12, 0.1, 3);
        const double alpha = 0.731;
        var xe = new double[n];
        var re = new double[n];
        double rr = 0, rrScale = 0;
        for (int i = 0; i < n; i++)
        {
            xe[i] = x[i] + alpha * p[i];
            re[i] = r[i] - alpha * q[i];
            rr += re[i] * re[i];
            rrScale += re[i] * re[i];
        }
        using var dp = B.Upload(p);
        using var dq = B.Upload(q);
        using var dx = B.Upload(x);
        using var dr = B.Upload(r);
        Close(rr, B.Blas.CgStepXR(alpha, dp, dq, dx, dr), rrScale, ReductionTolerance, "cg step r'r");
        CloseVectors(xe, dx.ToArray(), ElementTolerance, "cg step x");
        CloseVectors(re, dr.ToArray(), ElementTolerance, "cg step r");

        using var dd = B.Upload(d);
        using var dz = B.Allocate(n);
        double rz = 0, rzScale = 0;
        var ze = new double[n];
        for (int i = 0; i < n; i++) { ze[i] = d[i] * re[i]; rz += re[i] * ze[i]; rzScale += Math.Abs(re[i] * ze[i]); }
        Close(rz, B.Blas.PointwiseMultiplyDot(dd, dr, dz), rzScale, ReductionTolerance, "jacobi r'z");
        CloseVectors(ze, dz.ToArray(), ElementTolerance, "jacobi z");

        using var ds = B.Allocate(8);
        B.Blas.PointwiseMultiplyDotInto(dd, dr, dz, ds, 3);
        B.Blas.DotInto(dr, dr, ds, 5);
        var sc = ds.ToArray();
        Close(rz, sc[3], rzScale, ReductionTolerance, "jacobi r'z into a device scalar");
        Close(rr, sc[5], rrScale, ReductionTolerance, "r'r into a device scalar");
        Assert.Equal(0.0, sc[4]);
    }

    [SkippableTheory]
    [MemberData(nameof(Sizes))]
    public void AllFinite_detects_nan_and_infinity(int n)
    {
        var x = Random(n, 13);
        using var dx = B.Upload(x);
        Assert.True(B.Blas.AllFinite(dx));
        if (n == 0) return;
        foreach (double bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            var y = (double[])x.Clone();
            y[n - 1] = bad;
            dx.CopyFrom(y);
            Assert.False(B.Blas.AllFinite(dx), $"{bad} at the last index was not detected");
        }
        // Large but finite values must not be mistaken for overflow.
        dx.CopyFrom(Enumerable.Repeat(1e308, n).ToArray());
        Assert.True(B.Blas.AllFinite(dx));
    }

    /// <summary>Random sparse matrices of awkward shapes: empty rows, one dense row, rectangular.</summary>
    public static TheoryData<string> MatrixCases => new() { "random-597", "random-10007", "empty-rows-31", "dense-row-597", "one-row", "tall-1x1", "rect-40x31", "long-rows-300" };

    internal static CsrMatrix MakeMatrix(string kind)
    {
        var rng = new Random(kind.GetHashCode(StringComparison.Ordinal) & 0x7fff);
        (int rows, int cols, Func<int, int> rowLen) = kind switch
        {
            "random-597" => (597, 597, (Func<int, int>)(_ => rng.Next(0, 9))),
            "random-10007" => (10007, 10007, _ => rng.Next(0, 12)),
            "empty-rows-31" => (31, 31, i => i % 3 == 0 ? 0 : rng.Next(1, 5)),
            "dense-row-597" => (597, 597, i => i == 17 ? 597 : rng.Next(1, 4)),
            "one-row" => (1, 50, _ => 20),
            "tall-1x1" => (1, 1, _ => 1),
            "rect-40x31" => (40, 31, _ => rng.Next(0, 6)),
            "long-rows-300" => (300, 300, _ => rng.Next(40, 120)),
            _ => throw new ArgumentException(kind),
        };
        var ri = new List<int>();
        var ci = new List<int>();
        var v = new List<double>();
        for (int i = 0; i < rows; i++)
        {
            int len = Math.Min(rowLen(i), cols);
            var chosen = len == cols ? Enumerable.Range(0, cols) : Enumerable.Range(0, len).Select(_ => rng.Next(cols)).Distinct();
            foreach (int c in chosen) { ri.Add(i); ci.Add(c); v.Add(rng.NextDouble() * 2 - 1); }
            if (i < cols && rows == cols && len > 0) { ri.Add(i); ci.Add(i); v.Add(4.0); }
        }
        return CsrMatrix.FromCoordinates(rows, cols, ri.ToArray(), ci.ToArray(), v.ToArray());
    }

    [SkippableTheory]
    [MemberData(nameof(MatrixCases))]
    public void Sparse_kernels_match_scalar_reference(string kind)
    {
        var a = MakeMatrix(kind);
        var x = Random(a.Columns, 21);
        var b = Random(a.Rows, 22);
        var ye = new double[a.Rows];
        var scale = new double[a.Rows];
        var vals = a.Values;
        for (int i = 0; i < a.Rows; i++)
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
            {
                ye[i] += vals[k] * x[a.ColumnIndices[k]];
                scale[i] += Math.Abs(vals[k] * x[a.ColumnIndices[k]]);
            }

        using var da = B.Upload(a);
        using var dx = B.Upload(x);
        using var dy = B.Allocate(a.Rows);
        B.Sparse.Multiply(da, dx, dy);
        var y = dy.ToArray();
        for (int i = 0; i < a.Rows; i++)
            Assert.True(Math.Abs(ye[i] - y[i]) <= 1e-13 * Math.Max(1, scale[i]), $"spmv row {i}: {ye[i]:R} vs {y[i]:R}");

        using var db = B.Upload(b);
        using var dr = B.Allocate(a.Rows);
        double rr = B.Sparse.Residual(da, db, dx, dr);
        var r = dr.ToArray();
        double rre = 0, rrBound = 0;
        for (int i = 0; i < a.Rows; i++)
        {
            double ri = b[i] - ye[i];
            rre += ri * ri;
            double delta = 1e-13 * Math.Max(1, scale[i] + Math.Abs(b[i]));
            Assert.True(Math.Abs(ri - r[i]) <= delta, $"residual row {i}");
            // What the allowed error delta in r_i does to r_i^2: when b nearly cancels Ax, r'r is tiny and a bound
            // relative to r'r alone would demand more accuracy than r_i itself has.
            rrBound += 2 * Math.Abs(ri) * delta + delta * delta;
        }
        Assert.True(Math.Abs(rre - rr) <= 1e-12 * rre + rrBound, $"residual r'r: expected {rre:R}, got {rr:R} (allowed {1e-12 * rre + rrBound:R})");

        if (a.IsSquare)
        {
            double xy = 0, xyScale = 0;
            for (int i = 0; i < a.Rows; i++) { xy += x[i] * ye[i]; xyScale += Math.Abs(x[i]) * scale[i]; }
            Close(xy, B.Sparse.MultiplyDot(da, dx, dy), xyScale, 1e-12, "x'Ax");
        }

        int nd = Math.Min(a.Rows, a.Columns);
        using var dd = B.Allocate(nd);
        B.Sparse.Diagonal(da, dd);
        Assert.Equal(a.Diagonal(), dd.ToArray());
    }

    /// <summary>Tridiagonal [-1, 2.5, -1]: SPD for every n, so p'Ap > 0.</summary>
    private static CsrMatrix Laplacian1D(int n)
    {
        var ri = new List<int>(); var ci = new List<int>(); var v = new List<double>();
        for (int i = 0; i < n; i++)
        {
            if (i > 0) { ri.Add(i); ci.Add(i - 1); v.Add(-1); }
            ri.Add(i); ci.Add(i); v.Add(2.5);
            if (i < n - 1) { ri.Add(i); ci.Add(i + 1); v.Add(-1); }
        }
        return CsrMatrix.FromCoordinates(n, n, ri.ToArray(), ci.ToArray(), v.ToArray());
    }

    /// <summary>One CG iteration through the device-scalar steps against a scalar reference of the same formulas.</summary>
    [SkippableTheory]
    [MemberData(nameof(Sizes))]
    public void Cg_steps_match_scalar_reference(int n)
    {
        if (n == 0) return;
        var a = Laplacian1D(n);
        double[] p = Random(n, 30), x = Random(n, 31), r = Random(n, 32), d = Random(n, 33, 0.2, 2), zOld = Random(n, 34);
        const double rzPrev = 3.5;
        // Reference: q = A p, pq = p'q, alpha = rzPrev / pq, update, z = d .* r, rz, beta, p = z + beta p.
        var q = a.Multiply(p);
        double pq = 0;
        for (int i = 0; i < n; i++) pq += p[i] * q[i];
        Assert.True(pq > 0);
        double alpha = rzPrev / pq, rr = 0, rz = 0;
        var xe = new double[n]; var re = new double[n]; var ze = new double[n];
        for (int i = 0; i < n; i++)
        {
            xe[i] = x[i] + alpha * p[i];
            re[i] = r[i] - alpha * q[i];
            ze[i] = d[i] * re[i];
            rr += re[i] * re[i];
            rz += re[i] * ze[i];
        }
        double beta = rz / rzPrev;
        var pe = ze.Select((zi, i) => zi + beta * p[i]).ToArray();

        using var da = B.Upload(a);
        using var dp = B.Upload(p);
        using var dq = B.Allocate(n);
        using var dx = B.Upload(x);
        using var dr = B.Upload(r);
        using var dd = B.Upload(d);
        using var dz = B.Upload(zOld);
        var s0 = new double[CgScalars.Length];
        s0[CgScalars.RzSlot(0)] = rzPrev;
        s0[CgScalars.RR] = 1.0;
        using var ds = B.Upload(s0);
        B.Cg.Step1(da, dp, dq, ds);
        B.Cg.Step2Jacobi(dp, dq, dx, dr, dd, dz, ds, 1);
        B.Cg.Step3(dz, dp, ds, 1);
        var sc = ds.ToArray();
        Assert.Equal(0.0, sc[CgScalars.Flag]);
        Close(pq, sc[CgScalars.PQ], Math.Abs(pq), ReductionTolerance * 10, "p'Ap");
        Close(rr, sc[CgScalars.RR], rr, 1e-10, "r'r");
        Close(rz, sc[CgScalars.RzSlot(1)], rz, 1e-10, "r'z");
        CloseVectors(xe, dx.ToArray(), 1e-10, "x");
        CloseVectors(re, dr.ToArray(), 1e-10, "r");
        CloseVectors(ze, dz.ToArray(), 1e-10, "z");
        CloseVectors(pe, dp.ToArray(), 1e-9, "p");

        // Plain step 2 with M = I writes r'r into the r'z slot of the iteration too.
        dx.CopyFrom(x); dr.CopyFrom(r); dp.CopyFrom(p);
        ds.CopyFrom(s0);
        B.Cg.Step1(da, dp, dq, ds);
        B.Cg.Step2(dp, dq, dx, dr, ds, 1, identityPreconditioner: true);
        sc = ds.ToArray();
        Close(rr, sc[CgScalars.RR], rr, 1e-10, "r'r (identity)");
        Assert.Equal(sc[CgScalars.RR], sc[CgScalars.RzSlot(1)]);
    }

    [SkippableFact]
    public void Cg_steps_stop_on_indefinite_curvature_and_leave_the_iterate_alone()
    {
        // A = diag(1, -1), p = (0, 1): p'Ap = -1.
        var a = CsrMatrix.FromDense(new double[,] { { 1, 0 }, { 0, -1 } });
        using var da = B.Upload(a);
        using var dp = B.Upload(new[] { 0.0, 1.0 });
        using var dq = B.Allocate(2);
        using var dx = B.Upload(new[] { 5.0, 6.0 });
        using var dr = B.Upload(new[] { 7.0, 8.0 });
        using var dz = B.Upload(new[] { 1.0, 1.0 });
        var s0 = new double[CgScalars.Length];
        s0[CgScalars.RzSlot(3)] = 2.0;
        s0[CgScalars.RR] = 1.0;
        using var ds = B.Upload(s0);
        B.Cg.Step1(da, dp, dq, ds);
        B.Cg.Step2(dp, dq, dx, dr, ds, 4, identityPreconditioner: false);
        B.Cg.Step3(dz, dp, ds, 4);
        // Later steps queued after the failure change nothing either.
        B.Cg.Step1(da, dp, dq, ds);
        B.Cg.Step2(dp, dq, dx, dr, ds, 5, identityPreconditioner: false);
        B.Cg.Step3(dz, dp, ds, 5);
        var sc = ds.ToArray();
        Assert.Equal(CgScalars.Indefinite, sc[CgScalars.Flag]);
        Assert.Equal(3.0, sc[CgScalars.FlagIteration]);
        Assert.Equal(-1.0, sc[CgScalars.FlagValue]);
        Assert.Equal(new[] { 5.0, 6.0 }, dx.ToArray());
        Assert.Equal(new[] { 7.0, 8.0 }, dr.ToArray());
        Assert.Equal(new[] { 0.0, 1.0 }, dp.ToArray());
    }

    [SkippableFact]
    public void Cg_step3_reports_breakdown_when_rz_is_not_positive()
    {
        using var dz = B.Upload(new[] { 1.0, 2.0 });
        using var dp = B.Upload(new[] { 3.0, 4.0 });
        var s0 = new double[CgScalars.Length];
        s0[CgScalars.RR] = 1.0;
        s0[CgScalars.RzSlot(1)] = 2.0;
        s0[CgScalars.RzSlot(2)] = -0.5;
        using var ds = B.Upload(s0);
        B.Cg.Step3(dz, dp, ds, 2);
        var sc = ds.ToArray();
        Assert.Equal(CgScalars.Breakdown, sc[CgScalars.Flag]);
        Assert.Equal(2.0, sc[CgScalars.FlagIteration]);
        Assert.Equal(new[] { 3.0, 4.0 }, dp.ToArray());
    }

    [SkippableFact]
    public void Shape_and_ownership_errors_name_the_argument()
    {
        using var x = B.Allocate(3);
        using var y = B.Allocate(4);
        var e = Assert.Throws<ArgumentException>(() => B.Blas.Dot(x, y));
        Assert.Contains("3", e.Message);
        Assert.Contains("4", e.Message);
        using var a = B.Upload(CsrMatrix.FromDense(new double[,] { { 1, 2 }, { 3, 4 } }));
        var e2 = Assert.Throws<ArgumentException>(() => B.Sparse.Multiply(a, x, y));
        Assert.Equal("x", e2.ParamName);
        Assert.Contains("2x2", e2.Message);
        using var other = Backend.Create(BackendKind.Cpu);
        using var foreign = other.Allocate(3);
        if (B.Kind != BackendKind.Cpu || !ReferenceEquals(other, B))
        {
            var e3 = Assert.Throws<ArgumentException>(() => B.Blas.Axpy(1.0, foreign, x));
            Assert.Equal("x", e3.ParamName);
        }
    }
}

public sealed class CpuKernelConformanceTests(CpuFixture f) : KernelConformanceTests(f), IClassFixture<CpuFixture>;

public sealed class IlgpuCpuKernelConformanceTests(IlgpuCpuFixture f) : KernelConformanceTests(f), IClassFixture<IlgpuCpuFixture>;

/// <summary>The warp-per-row SpMV forced on every matrix, so both ILGPU variants are checked whatever Auto picks.</summary>
public sealed class IlgpuCpuWarpSpmvConformanceTests(IlgpuCpuWarpFixture f) : KernelConformanceTests(f), IClassFixture<IlgpuCpuWarpFixture>;

/// <summary>The same suite on a CUDA GPU; skipped, with the reason, where there is none.</summary>
public sealed class CudaKernelConformanceTests(CudaFixture f) : KernelConformanceTests(f), IClassFixture<CudaFixture>;

/// <summary>The warp-per-row SpMV on a CUDA GPU; skipped where there is none.</summary>
public sealed class CudaWarpSpmvConformanceTests(CudaWarpFixture f) : KernelConformanceTests(f), IClassFixture<CudaWarpFixture>;
