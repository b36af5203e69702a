using Xunit;

namespace Solvers.Kernels.Tests;

/// <summary>
/// Gaussian sketch kernels against a dense reference built from the same generator, and, off the CPU backend, against
/// the CPU backend's kernels (same sums in the same order: equal up to the math library's last bits).
/// </summary>
public abstract class SketchKernelTests
{
    private readonly BackendFixture _fixture;

    protected SketchKernelTests(BackendFixture fixture) => _fixture = fixture;

    protected Backend B => _fixture.Require();

    public static TheoryData<int, int> Shapes() => new() { { 1, 1 }, { 3, 17 }, { 8, 5 }, { 13, 40 } };

    private static double[] Random(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
    }

    private static double[,] Dense(ulong seed, double scale, int k, int n)
    {
        var s = new double[k, n];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < n; j++) s[i, j] = scale * SketchRandom.Gaussian(seed, (ulong)(i * n + j));
        return s;
    }

    private static void Close(double[] expected, double[] actual, double bound, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= bound, $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }

    private static (double[] Y, double[] X) Run(Backend backend, ulong seed, double scale, double[] x, double[] y)
    {
        using var dx = backend.Upload(x);
        using var dy = backend.Allocate(y.Length);
        backend.Sketch.GaussianApply(seed, scale, dx, dy);
        using var dy2 = backend.Upload(y);
        using var dx2 = backend.Allocate(x.Length);
        backend.Sketch.GaussianApplyTranspose(seed, scale, dy2, dx2);
        return (dy.ToArray(), dx2.ToArray());
    }

    [SkippableTheory]
    [MemberData(nameof(Shapes))]
    public void Gaussian_apply_and_transpose_match_the_dense_sketch(int k, int n)
    {
        const ulong seed = 12345;
        double scale = 1 / Math.Sqrt(k);
        double[] x = Random(n, 1), y = Random(k, 2);
        var s = Dense(seed, scale, k, n);
        var sx = new double[k];
        var sty = new double[n];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < n; j++) { sx[i] += s[i, j] * x[j]; sty[j] += s[i, j] * y[i]; }

        var (dy, dx) = Run(B, seed, scale, x, y);
        // Sums of up to 40 terms of size ~3 each: rounding differences stay far below 1e-13.
        Close(sx, dy, 1e-13, $"{B.Kind} S x");
        Close(sty, dx, 1e-13, $"{B.Kind} S' y");
        if (B.Kind != BackendKind.Cpu)
        {
            using var cpu = Backend.Create(BackendKind.Cpu, new BackendOptions { MaxDegreeOfParallelism = 2 });
            var (cy, cx) = Run(cpu, seed, scale, x, y);
            // Same order of the same terms: only log/cos of the device's math library can differ, in the last bits.
            Close(cy, dy, 1e-14, $"{B.Kind} vs Cpu S x");
            Close(cx, dx, 1e-14, $"{B.Kind} vs Cpu S' y");
        }
    }

    [SkippableFact]
    public void Different_seeds_give_different_sketches_and_the_same_seed_the_same()
    {
        double[] x = Random(6, 3), y = Random(4, 4);
        var (a, _) = Run(B, 1, 0.5, x, y);
        var (b, _) = Run(B, 1, 0.5, x, y);
        var (c, _) = Run(B, 2, 0.5, x, y);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [SkippableFact]
    public void Foreign_vectors_are_rejected_by_name()
    {
        using var other = Backend.Create(B.Kind == BackendKind.Cpu ? BackendKind.IlgpuCpu : BackendKind.Cpu);
        using var x = B.Allocate(3);
        using var y = B.Allocate(2);
        using var fx = other.Allocate(3);
        using var fy = other.Allocate(2);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => B.Sketch.GaussianApply(1, 1, fx, y)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => B.Sketch.GaussianApply(1, 1, x, fy)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => B.Sketch.GaussianApplyTranspose(1, 1, fy, x)).ParamName);
    }
}

public sealed class CpuSketchKernelTests(CpuFixture f) : SketchKernelTests(f), IClassFixture<CpuFixture>;

/// <summary>The ILGPU kernels on the CPU accelerator, checked against the Cpu backend too.</summary>
public sealed class IlgpuCpuSketchKernelTests(IlgpuCpuFixture f) : SketchKernelTests(f), IClassFixture<IlgpuCpuFixture>;

/// <summary>The same suite on a CUDA GPU; skipped, with the reason, where there is none.</summary>
public sealed class CudaSketchKernelTests(CudaFixture f) : SketchKernelTests(f), IClassFixture<CudaFixture>;
