using Solvers.Kernels;
using Solvers.Sketching;
using Solvers.Sparse;
using Xunit;

namespace Solvers.Sketching.Tests;

/// <summary>Small matrices shared by the sketching tests.</summary>
internal static class TestMatrices
{
    /// <summary>A sparse matrix with rows of clearly different norms and no zero row.</summary>
    public static CsrMatrix Weighted(int rows, int cols, int seed)
    {
        var rng = new Random(seed);
        var d = new double[rows, cols];
        for (int i = 0; i < rows; i++)
        {
            d[i, i % cols] = 1 + i;
            for (int j = 0; j < cols; j++)
                if (rng.NextDouble() < 0.3) d[i, j] = rng.NextDouble() * 2 - 1;
        }
        return CsrMatrix.FromDense(d);
    }

    public static double[] Random(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
    }

    public static double[] Multiply(double[,] s, double[] x)
    {
        var y = new double[s.GetLength(0)];
        for (int i = 0; i < y.Length; i++)
            for (int j = 0; j < x.Length; j++) y[i] += s[i, j] * x[j];
        return y;
    }

    public static double[] MultiplyTranspose(double[,] s, double[] y)
    {
        var x = new double[s.GetLength(1)];
        for (int i = 0; i < y.Length; i++)
            for (int j = 0; j < x.Length; j++) x[j] += s[i, j] * y[i];
        return x;
    }

    public static void Close(double[] expected, double[] actual, double tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * Math.Max(1, Math.Abs(expected[i])),
                $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }
}

/// <summary>
/// E[S'S] = I for every sketch, checked by averaging S'S over M fixed seeds. The bound on each entry is six standard
/// deviations of the average (the variance of one S'S entry is stated per sketch), so a correct sketch fails with
/// probability below 1e-7 over all entries, and the fixed seeds make the outcome deterministic.
/// </summary>
public sealed class SketchStatisticsTests
{
    private const int M = 20_000;
    private const int K = 4;
    private const int N = 6;

    private static double[,] AverageGram(Func<ulong, SketchOperator> make, int n)
    {
        var sum = new double[n, n];
        for (ulong seed = 1; seed <= M; seed++)
        {
            using var op = make(seed);
            var s = op.ToDense();
            for (int i = 0; i < s.GetLength(0); i++)
                for (int a = 0; a < n; a++)
                {
                    double sa = s[i, a];
                    if (sa == 0) continue;
                    for (int b = 0; b < n; b++) sum[a, b] += sa * s[i, b];
                }
        }
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++) sum[a, b] /= M;
        return sum;
    }

    private static void NearIdentity(double[,] g, Func<int, int, double> sigma, string what)
    {
        for (int a = 0; a < g.GetLength(0); a++)
            for (int b = 0; b < g.GetLength(1); b++)
            {
                double expected = a == b ? 1 : 0, bound = 6 * sigma(a, b) + 1e-12;
                Assert.True(Math.Abs(g[a, b] - expected) <= bound, $"{what}: E[S'S][{a},{b}] ~ {g[a, b]:R}, expected {expected} +- {bound:G3}");
            }
    }

    [Fact]
    public void Gaussian_gram_has_identity_mean()
    {
        // Diagonal: sum of k terms g^2/k, variance 2/k; off-diagonal: variance 1/k.
        var g = AverageGram(seed => Sketches.Gaussian(K, N, seed), N);
        NearIdentity(g, (a, b) => Math.Sqrt((a == b ? 2.0 : 1.0) / K / M), "gaussian");
    }

    [Fact]
    public void Sparse_sign_gram_has_exact_unit_diagonal_and_zero_mean_off_diagonal()
    {
        // Diagonal: s entries of 1/s each, exactly 1. Off-diagonal: (number of shared rows, mean s^2/k) signs of 1/s,
        // variance 1/k.
        var g = AverageGram(seed => Sketches.SparseSign(K, N, 2, seed), N);
        NearIdentity(g, (a, b) => a == b ? 0 : Math.Sqrt(1.0 / K / M), "sparse sign");
    }

    [Fact]
    public void Uniform_row_sampling_gram_has_identity_mean()
    {
        // Diagonal: (n/k) Binomial(k, 1/n), variance (n - 1)/k; off-diagonal exactly 0.
        var g = AverageGram(seed => Sketches.UniformRows(K, N, seed), N);
        NearIdentity(g, (a, b) => a == b ? Math.Sqrt((N - 1.0) / K / M) : 0, "uniform rows");
    }

    [Fact]
    public void Row_norm_sampling_gram_has_identity_mean_and_preserves_the_normal_matrix()
    {
        var a = TestMatrices.Weighted(N, 3, 5);
        var rowNorm = new double[N];
        double total = 0;
        for (int i = 0; i < N; i++)
        {
            for (int p = a.RowPointers[i]; p < a.RowPointers[i + 1]; p++) rowNorm[i] += a.Values[p] * a.Values[p];
            total += rowNorm[i];
        }
        // Diagonal: Binomial(k, p_i) / (k p_i), variance (1 - p_i) / (k p_i); off-diagonal exactly 0.
        var g = AverageGram(seed => Sketches.RowNorm(K, a, seed), N);
        NearIdentity(g, (i, j) => i == j ? Math.Sqrt((1 - rowNorm[i] / total) / (K * rowNorm[i] / total) / M) : 0, "row norm");
    }

    [Fact]
    public void Gaussian_entries_have_mean_zero_and_variance_one_over_k()
    {
        const int k = 200, n = 500;
        var s = Sketches.Gaussian(k, n, 99).ToDense();
        double sum = 0, sumSq = 0;
        foreach (double v in s) { sum += v; sumSq += v * v; }
        double count = k * n, mean = sum / count, variance = sumSq / count - mean * mean;
        // Mean: standard error sqrt(1/(k count)); variance: relative standard error sqrt(2/count).
        Assert.InRange(mean, -6 * Math.Sqrt(1 / (k * count)), 6 * Math.Sqrt(1 / (k * count)));
        Assert.InRange(variance * k, 1 - 6 * Math.Sqrt(2 / count), 1 + 6 * Math.Sqrt(2 / count));
    }
}

/// <summary>Applications of each sketch, on the host and on the Cpu and ILGPU-CPU backends, against ToDense().</summary>
public sealed class SketchApplyTests
{
    public static TheoryData<string> Kinds() => new() { "gaussian", "sparse-sign", "uniform", "row-norm" };

    private static SketchOperator Make(string kind, ulong seed) => kind switch
    {
        "gaussian" => Sketches.Gaussian(5, 12, seed),
        "sparse-sign" => Sketches.SparseSign(5, 12, 3, seed),
        "uniform" => Sketches.UniformRows(5, 12, seed),
        _ => Sketches.RowNorm(5, TestMatrices.Weighted(12, 4, 8), seed),
    };

    private static (double[] Y, double[] X) OnDevice(Backend backend, SketchOperator s, double[] x, double[] y)
    {
        using var dx = backend.Upload(x);
        using var dy = backend.Allocate(s.Rows);
        s.Apply(backend, dx, dy);
        using var dy2 = backend.Upload(y);
        using var dx2 = backend.Allocate(s.Columns);
        s.ApplyTranspose(backend, dy2, dx2);
        return (dy.ToArray(), dx2.ToArray());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Host_and_device_products_match_the_dense_sketch_on_cpu_and_ilgpu_cpu(string kind)
    {
        using var s = Make(kind, 77);
        var dense = s.ToDense();
        double[] x = TestMatrices.Random(s.Columns, 1), y = TestMatrices.Random(s.Rows, 2);
        var sx = TestMatrices.Multiply(dense, x);
        var sty = TestMatrices.MultiplyTranspose(dense, y);

        var hy = new double[s.Rows];
        var hx = new double[s.Columns];
        s.Apply(x, hy);
        s.ApplyTranspose(y, hx);
        TestMatrices.Close(sx, hy, 1e-13, $"{kind} host S x");
        TestMatrices.Close(sty, hx, 1e-13, $"{kind} host S' y");

        using var cpu = Backend.Create(BackendKind.Cpu, new BackendOptions { MaxDegreeOfParallelism = 2 });
        using var ilgpu = Backend.Create(BackendKind.IlgpuCpu);
        var (cy, cx) = OnDevice(cpu, s, x, y);
        var (iy, ix) = OnDevice(ilgpu, s, x, y);
        TestMatrices.Close(sx, cy, 1e-13, $"{kind} cpu S x");
        TestMatrices.Close(sty, cx, 1e-13, $"{kind} cpu S' y");
        // Same seed, same entries, same summation order on both backends.
        TestMatrices.Close(cy, iy, 1e-15, $"{kind} ilgpu-cpu vs cpu S x");
        TestMatrices.Close(cx, ix, 1e-15, $"{kind} ilgpu-cpu vs cpu S' y");
        // The host copy on the first backend is replaced when the sketch moves to another; apply on cpu again.
        var (cy2, _) = OnDevice(cpu, s, x, y);
        Assert.Equal(cy, cy2);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Sketching_a_matrix_equals_the_dense_product(string kind)
    {
        using var s = Make(kind, 3);
        var a = TestMatrices.Weighted(12, 7, 4);
        var sa = s.Apply(a);
        var dense = s.ToDense();
        var ad = a.ToDense();
        for (int i = 0; i < s.Rows; i++)
            for (int j = 0; j < a.Columns; j++)
            {
                double e = 0;
                for (int r = 0; r < s.Columns; r++) e += dense[i, r] * ad[r, j];
                Assert.True(Math.Abs(e - sa[i, j]) <= 1e-12, $"{kind} (S A)[{i},{j}]: expected {e}, got {sa[i, j]}");
            }
    }

    [Fact]
    public void Same_seed_same_sketch_and_different_seed_different_sketch()
    {
        foreach (var kind in new[] { "gaussian", "sparse-sign", "uniform", "row-norm" })
        {
            using var a = Make(kind, 5);
            using var b = Make(kind, 5);
            using var c = Make(kind, 6);
            Assert.Equal(a.ToDense(), b.ToDense());
            Assert.NotEqual(a.ToDense(), c.ToDense());
        }
    }

    [Fact]
    public void Sparse_sign_columns_have_s_distinct_rows_of_value_plus_minus_one_over_root_s()
    {
        using var s = Sketches.SparseSign(7, 50, 4, 11);
        var d = s.ToDense();
        for (int j = 0; j < 50; j++)
        {
            int nz = 0;
            for (int i = 0; i < 7; i++)
                if (d[i, j] != 0) { nz++; Assert.Equal(0.5, Math.Abs(d[i, j])); }
            Assert.Equal(4, nz);
        }
        // s = k fills every row of each column.
        using var full = Sketches.SparseSign(3, 10, 3, 1);
        Assert.Equal(30, full.Matrix.NonZeros);
    }

    [Fact]
    public void Bad_arguments_are_rejected_with_their_names_and_sizes()
    {
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => Sketches.Gaussian(0, 5, 1)).ParamName);
        Assert.Equal("n", Assert.Throws<ArgumentOutOfRangeException>(() => Sketches.Gaussian(3, -1, 1)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => Sketches.UniformRows(-2, 5, 1)).ParamName);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Sketches.SparseSign(3, 5, 4, 1));
        Assert.Equal("s", e.ParamName);
        Assert.Contains("k = 3", e.Message, StringComparison.Ordinal);
        Assert.Equal("s", Assert.Throws<ArgumentOutOfRangeException>(() => Sketches.SparseSign(3, 5, 0, 1)).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentException>(() => Sketches.RowNorm(2, new CsrMatrix(3, 3, new int[4], [], []), 1)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => Sketches.RowNorm(0, TestMatrices.Weighted(3, 3, 1), 1)).ParamName);

        using var s = Sketches.Gaussian(3, 5, 1);
        var ex = Assert.Throws<ArgumentException>(() => s.Apply(new double[4], new double[3]));
        Assert.Equal("x", ex.ParamName);
        Assert.Contains("3x5", ex.Message, StringComparison.Ordinal);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => s.Apply(new double[5], new double[2])).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => s.ApplyTranspose(new double[3], new double[6])).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentException>(() => s.Apply(TestMatrices.Weighted(4, 2, 1))).ParamName);

        using var cpu = Backend.Create(BackendKind.Cpu);
        using var other = Backend.Create(BackendKind.Cpu);
        using var x = cpu.Allocate(5);
        using var y = cpu.Allocate(3);
        using var y4 = cpu.Allocate(4);
        using var foreign = other.Allocate(5);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => s.Apply(cpu, x, y4)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => s.Apply(cpu, foreign, y)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => s.ApplyTranspose(cpu, y, foreign)).ParamName);
    }
}
