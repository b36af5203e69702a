using Xunit;

namespace Solvers.Kernels.Tests;

/// <summary>
/// The tall-skinny dense products against a scalar reference in double, in both precisions. G x sums in chunks
/// whose partials are added in order, a different order from the reference's, so it is held to a bound relative to
/// the sum of absolute terms: 1e-12 in double, 1e-5 in float (which accumulates in float). G' c sums over i in
/// the reference's order, held to the same bounds because a GPU may contract its multiply-adds into FMAs.
/// </summary>
public abstract class DenseKernelTests
{
    private const double DoubleTolerance = 1e-12;
    private const double SingleTolerance = 1e-5;

    private readonly BackendFixture _fixture;

    protected DenseKernelTests(BackendFixture fixture) => _fixture = fixture;

    protected Backend B => _fixture.Require();

    public static TheoryData<int, int> Shapes() => new()
    {
        { 1, 1 }, { 3, 100 }, { 5, 1000 }, { 8, 70001 }, { 0, 7 }, { 4, 0 },
    };

    private sealed record Problem(int K, int D, double[] G, double[] X, double[] C);

    // Values are rounded to float so that both precisions multiply the same numbers and the reference is exact input.
    private static Problem Make(int k, int d, int seed)
    {
        var rng = new Random(seed);
        double[] Uniform(int len) => Enumerable.Range(0, len).Select(_ => (double)(float)(rng.NextDouble() * 2 - 1)).ToArray();
        return new Problem(k, d, Uniform(k * d), Uniform(d), Uniform(k));
    }

    private static float[] Single(double[] v) => v.Select(a => (float)a).ToArray();

    private static double[] Double(float[] v) => v.Select(a => (double)a).ToArray();

    /// <summary>G x and, per row, the sum of absolute terms that bounds its rounding error.</summary>
    private static (double[] Y, double[] Scale) Times(Problem q)
    {
        double[] y = new double[q.K], scale = new double[q.K];
        for (int i = 0; i < q.K; i++)
            for (int j = 0; j < q.D; j++)
            {
                double t = q.G[i * q.D + j] * q.X[j];
                y[i] += t;
                scale[i] += Math.Abs(t);
            }
        return (y, scale);
    }

    /// <summary>G' c summed over i in order, and the sums of absolute terms.</summary>
    private static (double[] X, double[] Scale) TransposeTimes(Problem q)
    {
        double[] x = new double[q.D], scale = new double[q.D];
        for (int j = 0; j < q.D; j++)
            for (int i = 0; i < q.K; i++)
            {
                double t = q.C[i] * q.G[i * q.D + j];
                x[j] += t;
                scale[j] += Math.Abs(t);
            }
        return (x, scale);
    }

    private static void Close(double[] expected, double[] actual, double[] scale, double relative, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double bound = relative * scale[i];
            Assert.True(Math.Abs(expected[i] - actual[i]) <= bound, $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (bound {bound:R})");
        }
    }

    private static (double[] Y, double[] X) RunDouble(Backend backend, Problem q)
    {
        using var g = backend.Upload(q.G);
        using var x = backend.Upload(q.X);
        using var c = backend.Upload(q.C);
        // The outputs start non-zero: the kernels must overwrite, not accumulate (k = 0 and d = 0 included).
        using var y = backend.Upload(Enumerable.Repeat(7.0, q.K).ToArray());
        using var gtc = backend.Upload(Enumerable.Repeat(7.0, q.D).ToArray());
        backend.Dense.RowsTimes(g, q.K, q.D, x, y);
        backend.Dense.RowsTransposeTimes(g, q.K, q.D, c, gtc);
        return (y.ToArray(), gtc.ToArray());
    }

    private static (double[] Y, double[] X) RunSingle(Backend backend, Problem q)
    {
        using var g = backend.Upload(Single(q.G));
        using var x = backend.Upload(Single(q.X));
        using var c = backend.Upload(Single(q.C));
        using var y = backend.Upload(Enumerable.Repeat(7.0f, q.K).ToArray());
        using var gtc = backend.Upload(Enumerable.Repeat(7.0f, q.D).ToArray());
        backend.Dense.RowsTimes(g, q.K, q.D, x, y);
        backend.Dense.RowsTransposeTimes(g, q.K, q.D, c, gtc);
        return (Double(y.ToArray()), Double(gtc.ToArray()));
    }

    [SkippableTheory]
    [MemberData(nameof(Shapes))]
    public void Double_products_match_the_scalar_reference(int k, int d)
    {
        var q = Make(k, d, 11 + k + d);
        var (y, ys) = Times(q);
        var (x, xs) = TransposeTimes(q);
        var (ay, ax) = RunDouble(B, q);
        Close(y, ay, ys, DoubleTolerance, $"{B.Kind} G x");
        Close(x, ax, xs, DoubleTolerance, $"{B.Kind} G' c");
        // Same input, same bits: the summation order depends on k and d only.
        var (by, bx) = RunDouble(B, q);
        Assert.Equal(ay, by);
        Assert.Equal(ax, bx);
    }

    [SkippableTheory]
    [MemberData(nameof(Shapes))]
    public void Single_products_match_the_scalar_reference(int k, int d)
    {
        var q = Make(k, d, 13 + k + d);
        var (y, ys) = Times(q);
        var (x, xs) = TransposeTimes(q);
        var (ay, ax) = RunSingle(B, q);
        Close(y, ay, ys, SingleTolerance, $"{B.Kind} float G x");
        Close(x, ax, xs, SingleTolerance, $"{B.Kind} float G' c");
        var (by, bx) = RunSingle(B, q);
        Assert.Equal(ay, by);
        Assert.Equal(ax, bx);
    }

    [SkippableFact]
    public void SetRow_writes_one_row_and_leaves_the_others()
    {
        const int k = 3, d = 1000;
        var q = Make(k, d, 3);
        var row = Make(1, d, 4).X;
        var expected = (double[])q.G.Clone();
        Array.Copy(row, 0, expected, 1 * d, d);

        using var g = B.Upload(q.G);
        using var source = B.Upload(row);
        B.Dense.SetRow(g, k, d, 1, source);
        Assert.Equal(expected, g.ToArray());

        using var gs = B.Upload(Single(q.G));
        using var sources = B.Upload(Single(row));
        B.Dense.SetRow(gs, k, d, 1, sources);
        Assert.Equal(Single(expected), gs.ToArray());

        // The last row and a single-row matrix: the ring buffer's edges.
        B.Dense.SetRow(g, k, d, k - 1, source);
        Assert.Equal(row, g.ToArray()[((k - 1) * d)..]);
        using var one = B.Allocate(d);
        B.Dense.SetRow(one, 1, d, 0, source);
        Assert.Equal(row, one.ToArray());
    }

    [SkippableFact]
    public void Wrong_sizes_are_rejected_by_name_with_the_sizes()
    {
        const int k = 3, d = 4;
        using var g = B.Allocate(k * d);
        using var x = B.Allocate(d);
        using var y = B.Allocate(k);
        using var bad = B.Allocate(5);
        using var gs = B.AllocateSingle(k * d);
        using var xs = B.AllocateSingle(d);
        using var ys = B.AllocateSingle(k);
        using var bads = B.AllocateSingle(5);

        void Rejects(string name, int length, Action call)
        {
            var e = Assert.Throws<ArgumentException>(call);
            Assert.Equal(name, e.ParamName);
            Assert.Contains("length 5", e.Message, StringComparison.Ordinal);
            Assert.Contains($"length {length}", e.Message.Replace("length 5", "", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.Contains($"{k}x{d}", e.Message, StringComparison.Ordinal);
        }

        Rejects("g", k * d, () => B.Dense.RowsTimes(bad, k, d, x, y));
        Rejects("x", d, () => B.Dense.RowsTimes(g, k, d, bad, y));
        Rejects("y", k, () => B.Dense.RowsTimes(g, k, d, x, bad));
        Rejects("g", k * d, () => B.Dense.RowsTransposeTimes(bad, k, d, y, x));
        Rejects("c", k, () => B.Dense.RowsTransposeTimes(g, k, d, bad, x));
        Rejects("x", d, () => B.Dense.RowsTransposeTimes(g, k, d, y, bad));
        Rejects("g", k * d, () => B.Dense.SetRow(bad, k, d, 0, x));
        Rejects("source", d, () => B.Dense.SetRow(g, k, d, 0, bad));

        Rejects("g", k * d, () => B.Dense.RowsTimes(bads, k, d, xs, ys));
        Rejects("x", d, () => B.Dense.RowsTimes(gs, k, d, bads, ys));
        Rejects("y", k, () => B.Dense.RowsTimes(gs, k, d, xs, bads));
        Rejects("c", k, () => B.Dense.RowsTransposeTimes(gs, k, d, bads, xs));
        Rejects("x", d, () => B.Dense.RowsTransposeTimes(gs, k, d, ys, bads));
        Rejects("source", d, () => B.Dense.SetRow(gs, k, d, 0, bads));

        foreach (int row in new[] { -1, k })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => B.Dense.SetRow(g, k, d, row, x));
            Assert.Equal("row", e.ParamName);
            Assert.Contains($"{k}x{d}", e.Message, StringComparison.Ordinal);
            Assert.Equal("row", Assert.Throws<ArgumentOutOfRangeException>(() => B.Dense.SetRow(gs, k, d, row, xs)).ParamName);
        }
        Assert.Equal("k", Assert.ThrowsAny<ArgumentException>(() => B.Dense.RowsTimes(g, -1, d, x, y)).ParamName);
        Assert.Equal("d", Assert.ThrowsAny<ArgumentException>(() => B.Dense.RowsTransposeTimes(gs, k, -1, ys, xs)).ParamName);
    }

    [SkippableFact]
    public void Foreign_vectors_are_rejected_by_name()
    {
        using var other = Backend.Create(B.Kind == BackendKind.Cpu ? BackendKind.IlgpuCpu : BackendKind.Cpu);
        using var g = B.Allocate(4);
        using var x = B.Allocate(2);
        using var y = B.Allocate(2);
        using var fx = other.Allocate(2);
        using var gs = B.AllocateSingle(4);
        using var xs = B.AllocateSingle(2);
        using var fys = other.AllocateSingle(2);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => B.Dense.RowsTimes(g, 2, 2, fx, y)).ParamName);
        Assert.Equal("c", Assert.Throws<ArgumentException>(() => B.Dense.RowsTransposeTimes(g, 2, 2, fx, x)).ParamName);
        Assert.Equal("source", Assert.Throws<ArgumentException>(() => B.Dense.SetRow(g, 2, 2, 0, fx)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => B.Dense.RowsTimes(gs, 2, 2, xs, fys)).ParamName);
    }

    [SkippableFact]
    public void Single_vectors_round_trip()
    {
        float[] data = [1.5f, -2.25f, float.MaxValue, float.Epsilon];
        using var v = B.Upload(data);
        Assert.Equal(data.Length, v.Length);
        Assert.Same(B, v.Backend);
        Assert.Equal(data, v.ToArray());
        using var z = B.AllocateSingle(3);
        Assert.Equal(new float[3], z.ToArray());
        using var empty = B.AllocateSingle(0);
        Assert.Empty(empty.ToArray());
        Assert.Equal("source", Assert.Throws<ArgumentException>(() => z.CopyFrom(data)).ParamName);
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => B.AllocateSingle(-1));
    }
}

/// <summary>The CPU backend, plus the independence of its bits from the thread count.</summary>
public sealed class CpuDenseKernelTests(CpuFixture f) : DenseKernelTests(f), IClassFixture<CpuFixture>
{
    [Fact]
    public void Cpu_results_do_not_depend_on_the_thread_count()
    {
        const int k = 3, d = 100_003;
        var rng = new Random(9);
        double[] g = Enumerable.Range(0, k * d).Select(_ => rng.NextDouble() - 0.5).ToArray();
        double[] x = Enumerable.Range(0, d).Select(_ => rng.NextDouble() - 0.5).ToArray();
        double[] c = [0.5, -1.25, 3.0];

        (double[], double[], float[]) Run(int threads)
        {
            using var b = Backend.Create(BackendKind.Cpu, new BackendOptions { MaxDegreeOfParallelism = threads });
            using var gv = b.Upload(g);
            using var xv = b.Upload(x);
            using var cv = b.Upload(c);
            using var y = b.Allocate(k);
            using var gtc = b.Allocate(d);
            b.Dense.RowsTimes(gv, k, d, xv, y);
            b.Dense.RowsTransposeTimes(gv, k, d, cv, gtc);
            using var gs = b.Upload(g.Select(a => (float)a).ToArray());
            using var xs = b.Upload(x.Select(a => (float)a).ToArray());
            using var ys = b.AllocateSingle(k);
            b.Dense.RowsTimes(gs, k, d, xs, ys);
            return (y.ToArray(), gtc.ToArray(), ys.ToArray());
        }

        var one = Run(1);
        var many = Run(7);
        Assert.Equal(one.Item1, many.Item1);
        Assert.Equal(one.Item2, many.Item2);
        Assert.Equal(one.Item3, many.Item3);
    }
}

/// <summary>The ILGPU kernels on the CPU accelerator.</summary>
public sealed class IlgpuCpuDenseKernelTests(IlgpuCpuFixture f) : DenseKernelTests(f), IClassFixture<IlgpuCpuFixture>;

/// <summary>The same suite on a CUDA GPU; skipped, with the reason, where there is none.</summary>
public sealed class CudaDenseKernelTests(CudaFixture f) : DenseKernelTests(f), IClassFixture<CudaFixture>;
