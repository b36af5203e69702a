using Xunit;

namespace Solvers.Kernels.Tests;

/// <summary>
/// The ReLU-network maps against a plain scalar reference that sums in the kernels' documented order, and, off the CPU
/// backend, against the CPU backend. The backward is one ordered sum per entry everywhere, so it must match exactly
/// (up to FMA contraction on a GPU); the CPU forward uses SIMD dot products, so the forward is held to 1e-12 relative
/// to the sum of absolute terms.
/// </summary>
public abstract class ReluKernelTests
{
    private readonly BackendFixture _fixture;

    protected ReluKernelTests(BackendFixture fixture) => _fixture = fixture;

    protected Backend B => _fixture.Require();

    public static TheoryData<int, int, int> Shapes() => new()
    {
        { 0, 3, 2 }, { 1, 1, 1 }, { 7, 3, 2 }, { 37, 5, 4 }, { 5, 0, 3 }, { 4, 6, 0 }, { 9, 1500, 2 },
    };

    private sealed record Problem(int N, int D, int P, double[] X, double[] Masks, double[] U, double[] R, double[] T);

    private static Problem Make(int n, int d, int p, int seed)
    {
        var rng = new Random(seed);
        double[] Uniform(int len) => Enumerable.Range(0, len).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var x = Uniform(n * d);
        var masks = Enumerable.Range(0, n * p).Select(_ => (double)rng.Next(2)).ToArray();
        return new Problem(n, d, p, x, masks, Uniform(2 * p * d), Uniform(n), Uniform(n * 2 * p));
    }

    /// <summary>F u, G u and, per output, the sum of absolute terms that bounds its rounding error.</summary>
    private static (double[] Fu, double[] Gu, double[] FuScale, double[] GuScale) Forward(Problem q)
    {
        int n = q.N, d = q.D, p = q.P;
        double[] fu = new double[n], gu = new double[n * 2 * p], fs = new double[n], gs = new double[n * 2 * p];
        for (int k = 0; k < n; k++)
        {
            double s = 0.0;
            for (int i = 0; i < p; i++)
            {
                double dv = 0.0, dw = 0.0, av = 0.0, aw = 0.0;
                for (int c = 0; c < d; c++)
                {
                    dv += q.X[k * d + c] * q.U[i * d + c];
                    dw += q.X[k * d + c] * q.U[(p + i) * d + c];
                    av += Math.Abs(q.X[k * d + c] * q.U[i * d + c]);
                    aw += Math.Abs(q.X[k * d + c] * q.U[(p + i) * d + c]);
                }
                double m = q.Masks[k * p + i];
                s += m * (dv - dw);
                fs[k] += m * (av + aw);
                gu[k * 2 * p + i] = (2 * m - 1) * dv;
                gu[k * 2 * p + p + i] = (2 * m - 1) * dw;
                gs[k * 2 * p + i] = av;
                gs[k * 2 * p + p + i] = aw;
            }
            fu[k] = s;
        }
        return (fu, gu, fs, gs);
    }

    /// <summary>y = F' r (+ G' t), every entry summed over k in order with the coefficient formed as the kernels do.</summary>
    private static double[] Backward(Problem q, bool withT)
    {
        int n = q.N, d = q.D, p = q.P;
        var y = new double[2 * p * d];
        for (int j = 0; j < 2 * p; j++)
        {
            int i = j < p ? j : j - p;
            for (int c = 0; c < d; c++)
            {
                double s = 0.0;
                for (int k = 0; k < n; k++)
                {
                    double m = q.Masks[k * p + i];
                    double a = m * q.R[k];
                    if (j >= p) a = -a;
                    if (withT) a += (2 * m - 1) * q.T[k * 2 * p + j];
                    s += a * q.X[k * d + c];
                }
                y[j * d + c] = s;
            }
        }
        return y;
    }

    private static void Close(double[] expected, double[] actual, double[]? scale, double relative, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double bound = scale is null ? 0.0 : relative * scale[i];
            Assert.True(Math.Abs(expected[i] - actual[i]) <= bound, $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (bound {bound:R})");
        }
    }

    private static (double[] Fu, double[] Gu, double[] FuOnly) RunForward(Backend backend, Problem q)
    {
        using var x = backend.Upload(q.X);
        using var m = backend.Upload(q.Masks);
        using var u = backend.Upload(q.U);
        using var fu = backend.Allocate(q.N);
        using var gu = backend.Allocate(q.N * 2 * q.P);
        using var fu2 = backend.Allocate(q.N);
        using var none = backend.Allocate(0);
        backend.Relu.MaskedForward(x, q.N, q.D, m, q.P, u, fu, gu);
        backend.Relu.MaskedForward(x, q.N, q.D, m, q.P, u, fu2, none);
        return (fu.ToArray(), gu.ToArray(), fu2.ToArray());
    }

    private static (double[] WithT, double[] WithoutT) RunBackward(Backend backend, Problem q)
    {
        using var x = backend.Upload(q.X);
        using var m = backend.Upload(q.Masks);
        using var r = backend.Upload(q.R);
        using var t = backend.Upload(q.T);
        using var none = backend.Allocate(0);
        using var y = backend.Allocate(2 * q.P * q.D);
        using var y2 = backend.Upload(Enumerable.Repeat(7.0, 2 * q.P * q.D).ToArray());
        backend.Relu.MaskedBackward(x, q.N, q.D, m, q.P, r, t, y);
        // y2 starts non-zero: the kernel must overwrite, not accumulate (n = 0 included).
        backend.Relu.MaskedBackward(x, q.N, q.D, m, q.P, r, none, y2);
        return (y.ToArray(), y2.ToArray());
    }

    // The GPU may contract a * x + s into one FMA, which the CPU never does: a few ulp of the sum of absolute terms.
    // Elsewhere the order and the terms are the same, so the bound is zero.
    private double[]? BackwardScale(Problem q, bool withT)
    {
        if (B.Kind != BackendKind.Cuda) return null;
        int n = q.N, d = q.D, p = q.P;
        var scale = new double[2 * p * d];
        for (int j = 0; j < 2 * p; j++)
            for (int c = 0; c < d; c++)
                for (int k = 0; k < n; k++)
                {
                    double a = q.Masks[k * p + (j < p ? j : j - p)] * Math.Abs(q.R[k]) + (withT ? Math.Abs(q.T[k * 2 * p + j]) : 0);
                    scale[j * d + c] += a * Math.Abs(q.X[k * d + c]);
                }
        return scale;
    }

    [SkippableTheory]
    [MemberData(nameof(Shapes))]
    public void Forward_matches_the_scalar_reference(int n, int d, int p)
    {
        var q = Make(n, d, p, 17 + n + d + p);
        var (fu, gu, fs, gs) = Forward(q);
        var (afu, agu, afu2) = RunForward(B, q);
        Close(fu, afu, fs, 1e-12, $"{B.Kind} F u");
        Close(gu, agu, gs, 1e-12, $"{B.Kind} G u");
        // Skipping G u changes nothing in F u.
        Assert.Equal(afu, afu2);
        if (B.Kind != BackendKind.Cpu)
        {
            using var cpu = Backend.Create(BackendKind.Cpu, new BackendOptions { MaxDegreeOfParallelism = 2 });
            var (cfu, cgu, _) = RunForward(cpu, q);
            Close(cfu, afu, fs, 1e-12, $"{B.Kind} vs Cpu F u");
            Close(cgu, agu, gs, 1e-12, $"{B.Kind} vs Cpu G u");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Shapes))]
    public void Backward_matches_the_scalar_reference_in_its_summation_order(int n, int d, int p)
    {
        var q = Make(n, d, p, 29 + n + d + p);
        var (y, y2) = RunBackward(B, q);
        Close(Backward(q, true), y, BackwardScale(q, true), 1e-14, $"{B.Kind} F' r + G' t");
        Close(Backward(q, false), y2, BackwardScale(q, false), 1e-14, $"{B.Kind} F' r");
        if (B.Kind != BackendKind.Cpu)
        {
            using var cpu = Backend.Create(BackendKind.Cpu, new BackendOptions { MaxDegreeOfParallelism = 2 });
            var (cy, cy2) = RunBackward(cpu, q);
            Close(cy, y, BackwardScale(q, true), 1e-14, $"{B.Kind} vs Cpu F' r + G' t");
            Close(cy2, y2, BackwardScale(q, false), 1e-14, $"{B.Kind} vs Cpu F' r");
        }
    }

    [SkippableFact]
    public void Backward_is_the_adjoint_of_forward()
    {
        // <F u, r> + <G u, t> = <u, F' r + G' t>: ties the two maps' index conventions to each other.
        var q = Make(23, 4, 3, 5);
        var (fu, gu, _) = RunForward(B, q);
        var (y, _) = RunBackward(B, q);
        double lhs = fu.Zip(q.R, (a, b) => a * b).Sum() + gu.Zip(q.T, (a, b) => a * b).Sum();
        double rhs = q.U.Zip(y, (a, b) => a * b).Sum();
        Assert.True(Math.Abs(lhs - rhs) <= 1e-12 * (1 + Math.Abs(lhs)), $"{lhs:R} vs {rhs:R}");
    }

    [SkippableFact]
    public void Wrong_lengths_are_rejected_by_name_with_both_lengths()
    {
        const int n = 4, d = 3, p = 2;
        using var x = B.Allocate(n * d);
        using var m = B.Allocate(n * p);
        using var u = B.Allocate(2 * p * d);
        using var fu = B.Allocate(n);
        using var gu = B.Allocate(n * 2 * p);
        using var r = B.Allocate(n);
        using var t = B.Allocate(n * 2 * p);
        using var y = B.Allocate(2 * p * d);
        using var bad = B.Allocate(5);

        void Rejects(string name, int length, Action call)
        {
            var e = Assert.Throws<ArgumentException>(call);
            Assert.Equal(name, e.ParamName);
            Assert.Contains("length 5", e.Message, StringComparison.Ordinal);
            Assert.Contains($"length {length}", e.Message.Replace("length 5", "", StringComparison.Ordinal), StringComparison.Ordinal);
        }

        Rejects("x", n * d, () => B.Relu.MaskedForward(bad, n, d, m, p, u, fu, gu));
        Rejects("masks", n * p, () => B.Relu.MaskedForward(x, n, d, bad, p, u, fu, gu));
        Rejects("u", 2 * p * d, () => B.Relu.MaskedForward(x, n, d, m, p, bad, fu, gu));
        Rejects("fu", n, () => B.Relu.MaskedForward(x, n, d, m, p, u, bad, gu));
        Rejects("gu", n * 2 * p, () => B.Relu.MaskedForward(x, n, d, m, p, u, fu, bad));
        Rejects("x", n * d, () => B.Relu.MaskedBackward(bad, n, d, m, p, r, t, y));
        Rejects("masks", n * p, () => B.Relu.MaskedBackward(x, n, d, bad, p, r, t, y));
        Rejects("r", n, () => B.Relu.MaskedBackward(x, n, d, m, p, bad, t, y));
        Rejects("t", n * 2 * p, () => B.Relu.MaskedBackward(x, n, d, m, p, r, bad, y));
        Rejects("y", 2 * p * d, () => B.Relu.MaskedBackward(x, n, d, m, p, r, t, bad));

        Assert.Equal("n", Assert.ThrowsAny<ArgumentException>(() => B.Relu.MaskedForward(x, -1, d, m, p, u, fu, gu)).ParamName);
        Assert.Equal("d", Assert.ThrowsAny<ArgumentException>(() => B.Relu.MaskedForward(x, n, -1, m, p, u, fu, gu)).ParamName);
        Assert.Equal("p", Assert.ThrowsAny<ArgumentException>(() => B.Relu.MaskedBackward(x, n, d, m, -1, r, t, y)).ParamName);
    }

    [SkippableFact]
    public void Foreign_vectors_are_rejected_by_name()
    {
        using var other = Backend.Create(B.Kind == BackendKind.Cpu ? BackendKind.IlgpuCpu : BackendKind.Cpu);
        using var x = B.Allocate(2);
        using var m = B.Allocate(2);
        using var u = B.Allocate(2);
        using var fu = B.Allocate(2);
        using var none = B.Allocate(0);
        using var fm = other.Allocate(2);
        using var fnone = other.Allocate(0);
        Assert.Equal("masks", Assert.Throws<ArgumentException>(() => B.Relu.MaskedForward(x, 2, 1, fm, 1, u, fu, none)).ParamName);
        Assert.Equal("gu", Assert.Throws<ArgumentException>(() => B.Relu.MaskedForward(x, 2, 1, m, 1, u, fu, fnone)).ParamName);
        Assert.Equal("t", Assert.Throws<ArgumentException>(() => B.Relu.MaskedBackward(x, 2, 1, m, 1, fu, fnone, u)).ParamName);
    }
}

public sealed class CpuReluKernelTests(CpuFixture f) : ReluKernelTests(f), IClassFixture<CpuFixture>;

/// <summary>The ILGPU kernels on the CPU accelerator, checked against the Cpu backend too.</summary>
public sealed class IlgpuCpuReluKernelTests(IlgpuCpuFixture f) : ReluKernelTests(f), IClassFixture<IlgpuCpuFixture>;

/// <summary>The same suite on a CUDA GPU; skipped, with the reason, where there is none.</summary>
public sealed class CudaReluKernelTests(CudaFixture f) : ReluKernelTests(f), IClassFixture<CudaFixture>;
