using Solvers.Kernels;
using Solvers.Sparse;
using Xunit;

namespace Solvers.Kernels.Tests;

/// <summary>Test matrices for SOR and coloring, built by hand (the PDE helpers live in the solver layer).</summary>
internal static class SorMatrices
{
    /// <summary>The 5-point Laplacian on an nx-by-ny grid, natural (x fastest) order, diagonal 4 (+ a shift).</summary>
    public static CsrMatrix Poisson2D(int nx, int ny, double shift = 0.0)
    {
        var ri = new List<int>(); var ci = new List<int>(); var v = new List<double>();
        for (int y = 0; y < ny; y++)
            for (int x = 0; x < nx; x++)
            {
                int i = x + nx * y;
                void Add(int j, double value) { ri.Add(i); ci.Add(j); v.Add(value); }
                if (y > 0) Add(i - nx, -1);
                if (x > 0) Add(i - 1, -1);
                Add(i, 4 + shift);
                if (x < nx - 1) Add(i + 1, -1);
                if (y < ny - 1) Add(i + nx, -1);
            }
        return CsrMatrix.FromCoordinates(nx * ny, nx * ny, ri.ToArray(), ci.ToArray(), v.ToArray());
    }

    /// <summary>The 7-point Laplacian on an nx-by-ny-by-nz grid, natural order.</summary>
    public static CsrMatrix Poisson3D(int nx, int ny, int nz)
    {
        var ri = new List<int>(); var ci = new List<int>(); var v = new List<double>();
        for (int z = 0; z < nz; z++)
            for (int y = 0; y < ny; y++)
                for (int x = 0; x < nx; x++)
                {
                    int i = x + nx * (y + ny * z);
                    void Add(int j, double value) { ri.Add(i); ci.Add(j); v.Add(value); }
                    if (z > 0) Add(i - nx * ny, -1);
                    if (y > 0) Add(i - nx, -1);
                    if (x > 0) Add(i - 1, -1);
                    Add(i, 6);
                    if (x < nx - 1) Add(i + 1, -1);
                    if (y < ny - 1) Add(i + nx, -1);
                    if (z < nz - 1) Add(i + nx * ny, -1);
                }
        int n = nx * ny * nz;
        return CsrMatrix.FromCoordinates(n, n, ri.ToArray(), ci.ToArray(), v.ToArray());
    }

    /// <summary>A random symmetric, strictly diagonally dominant matrix: each pair joined with probability p.</summary>
    public static CsrMatrix RandomSymmetric(int n, double p, int seed)
    {
        var rng = new Random(seed);
        var ri = new List<int>(); var ci = new List<int>(); var v = new List<double>();
        var rowAbs = new double[n];
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                if (rng.NextDouble() >= p) continue;
                double value = rng.NextDouble() * 2 - 1;
                ri.Add(i); ci.Add(j); v.Add(value);
                ri.Add(j); ci.Add(i); v.Add(value);
                rowAbs[i] += Math.Abs(value);
                rowAbs[j] += Math.Abs(value);
            }
        for (int i = 0; i < n; i++) { ri.Add(i); ci.Add(i); v.Add(1.0 + rowAbs[i]); }
        return CsrMatrix.FromCoordinates(n, n, ri.ToArray(), ci.ToArray(), v.ToArray());
    }

    /// <summary>A graph from an edge list, with a unit diagonal (a_ij = a_ji = -0.25 on each edge).</summary>
    public static CsrMatrix FromEdges(int n, params (int I, int J)[] edges)
    {
        var ri = new List<int>(); var ci = new List<int>(); var v = new List<double>();
        foreach (var (i, j) in edges) { ri.Add(i); ci.Add(j); v.Add(-0.25); ri.Add(j); ci.Add(i); v.Add(-0.25); }
        for (int i = 0; i < n; i++) { ri.Add(i); ci.Add(i); v.Add(1.0); }
        return CsrMatrix.FromCoordinates(n, n, ri.ToArray(), ci.ToArray(), v.ToArray());
    }
}

/// <summary>
/// SOR sweeps against a plain sequential reference: the multicolor sweep must equal sequential SOR visiting the rows
/// in the coloring's order (reversed when backward), and, off the CPU backend, the CPU backend's own sweep.
/// </summary>
public abstract class SorKernelTests
{
    private const double Tolerance = 1e-13;

    private readonly BackendFixture _fixture;

    protected SorKernelTests(BackendFixture fixture) => _fixture = fixture;

    /// <summary>The backend under test; skips the test when it is unavailable.</summary>
    protected Backend B => _fixture.Require();

    /// <summary>Matrix and coloring cases; small, since the ILGPU CPU accelerator emulates GPU threads.</summary>
    public static readonly string[] Cases = ["poisson2d-7x6", "poisson2d-7x6-redblack", "poisson3d-4x3x3", "random-sym-60", "size-1", "size-31"];

    public static TheoryData<string, double, bool> SweepCases()
    {
        var data = new TheoryData<string, double, bool>();
        foreach (string c in Cases)
            foreach (double omega in new[] { 1.0, 1.7 })
                foreach (bool backward in new[] { false, true })
                    data.Add(c, omega, backward);
        return data;
    }

    internal static (CsrMatrix A, Coloring Coloring) MakeCase(string name)
    {
        var a = name switch
        {
            "poisson2d-7x6" or "poisson2d-7x6-redblack" => SorMatrices.Poisson2D(7, 6),
            "poisson3d-4x3x3" => SorMatrices.Poisson3D(4, 3, 3),
            "random-sym-60" => SorMatrices.RandomSymmetric(60, 0.12, 60),
            "size-1" => CsrMatrix.FromDense(new double[,] { { 3.0 } }),
            "size-31" => SorMatrices.RandomSymmetric(31, 0.2, 31),
            _ => throw new ArgumentException(name, nameof(name)),
        };
        var coloring = name.EndsWith("-redblack", StringComparison.Ordinal) ? GraphColoring.RedBlack(a) : GraphColoring.Greedy(a);
        Assert.True(coloring.IsValidFor(a));
        if (name.StartsWith("poisson", StringComparison.Ordinal)) Assert.Equal(2, coloring.Colors);
        if (name.StartsWith("random", StringComparison.Ordinal) || name == "size-31")
            Assert.True(coloring.Colors > 2, $"{name}: expected more than 2 greedy colors, got {coloring.Colors}");
        return (a, coloring);
    }

    private static double[] Random(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
    }

    /// <summary>Plain sequential SOR: visit the rows in the given order, each using the current x.</summary>
    private static void ReferenceSweep(CsrMatrix a, double[] b, double[] x, double omega, IEnumerable<int> order)
    {
        var diag = a.Diagonal();
        foreach (int i in order)
        {
            double s = 0;
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++) s += a.Values[k] * x[a.ColumnIndices[k]];
            x[i] += omega * (1.0 / diag[i]) * (b[i] - s);
        }
    }

    /// <summary>Two multicolor sweeps on a backend, the inverse diagonal formed on the device as a solver would.</summary>
    private static double[] DeviceSweeps(Backend backend, CsrMatrix a, Coloring coloring, double[] b, double[] x0, double omega, bool backward)
    {
        using var da = backend.Upload(a);
        using var dd = backend.Allocate(a.Rows);
        backend.Sparse.Diagonal(da, dd);
        backend.Blas.Reciprocal(dd);
        using var dc = backend.Sor.UploadColoring(coloring);
        Assert.Equal(coloring.Colors, dc.Colors);
        Assert.Equal(a.Rows, dc.RowCount);
        using var db = backend.Upload(b);
        using var dx = backend.Upload(x0);
        backend.Sor.SweepMulticolor(da, dd, dc, db, dx, omega, backward);
        backend.Sor.SweepMulticolor(da, dd, dc, db, dx, omega, backward);
        return dx.ToArray();
    }

    private static void CloseVectors(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance * Math.Max(1.0, Math.Abs(expected[i])),
                $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }

    [SkippableTheory]
    [MemberData(nameof(SweepCases))]
    public void Multicolor_sweep_equals_sequential_sor_in_the_coloring_order(string name, double omega, bool backward)
    {
        var (a, coloring) = MakeCase(name);
        double[] b = Random(a.Rows, 1), x0 = Random(a.Rows, 2);
        var order = backward ? Enumerable.Reverse(coloring.Rows).ToArray() : coloring.Rows;
        var expected = (double[])x0.Clone();
        ReferenceSweep(a, b, expected, omega, order);
        ReferenceSweep(a, b, expected, omega, order);

        var actual = DeviceSweeps(B, a, coloring, b, x0, omega, backward);
        CloseVectors(expected, actual, $"{B.Kind} multicolor vs reference");
        if (B.Kind != BackendKind.Cpu)
        {
            using var cpu = Backend.Create(BackendKind.Cpu, new BackendOptions { MaxDegreeOfParallelism = 2 });
            CloseVectors(DeviceSweeps(cpu, a, coloring, b, x0, omega, backward), actual, $"{B.Kind} multicolor vs Cpu multicolor");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(SweepCases))]
    public void Sequential_sweep_equals_sor_in_natural_order_on_cpu_and_is_refused_elsewhere(string name, double omega, bool backward)
    {
        var (a, _) = MakeCase(name);
        double[] b = Random(a.Rows, 3), x0 = Random(a.Rows, 4);
        using var da = B.Upload(a);
        using var dd = B.Allocate(a.Rows);
        B.Sparse.Diagonal(da, dd);
        B.Blas.Reciprocal(dd);
        using var db = B.Upload(b);
        using var dx = B.Upload(x0);
        if (B.Kind != BackendKind.Cpu)
        {
            var e = Assert.Throws<NotSupportedException>(() => B.Sor.SweepSequential(da, dd, db, dx, omega, backward));
            Assert.Contains("multicolor", e.Message, StringComparison.Ordinal);
            return;
        }
        var order = backward ? Enumerable.Range(0, a.Rows).Reverse().ToArray() : Enumerable.Range(0, a.Rows).ToArray();
        var expected = (double[])x0.Clone();
        ReferenceSweep(a, b, expected, omega, order);
        ReferenceSweep(a, b, expected, omega, order);
        B.Sor.SweepSequential(da, dd, db, dx, omega, backward);
        B.Sor.SweepSequential(da, dd, db, dx, omega, backward);
        CloseVectors(expected, dx.ToArray(), "sequential vs reference");
    }

    [SkippableFact]
    public void Symmetric_multicolor_sweeps_converge_on_poisson()
    {
        // Forward then backward Gauss-Seidel (SSOR, omega 1) reduces the residual of the 5-point Poisson problem.
        var a = SorMatrices.Poisson2D(6, 5);
        var coloring = GraphColoring.RedBlack(a);
        using var da = B.Upload(a);
        using var dd = B.Allocate(a.Rows);
        B.Sparse.Diagonal(da, dd);
        B.Blas.Reciprocal(dd);
        using var dc = B.Sor.UploadColoring(coloring);
        using var db = B.Upload(Enumerable.Repeat(1.0, a.Rows).ToArray());
        using var dx = B.Allocate(a.Rows);
        using var dr = B.Allocate(a.Rows);
        double r0 = B.Sparse.Residual(da, db, dx, dr);
        for (int k = 0; k < 60; k++)
        {
            B.Sor.SweepMulticolor(da, dd, dc, db, dx, 1.0, backward: false);
            B.Sor.SweepMulticolor(da, dd, dc, db, dx, 1.0, backward: true);
        }
        double r = B.Sparse.Residual(da, db, dx, dr);
        Assert.True(r < 1e-8 * r0, $"r'r went from {r0} to {r} in 60 symmetric sweeps");
    }

    [SkippableFact]
    public void Bad_arguments_are_reported_with_names_and_sizes()
    {
        var a = SorMatrices.Poisson2D(3, 2);
        using var da = B.Upload(a);
        using var d6 = B.Upload(Enumerable.Repeat(0.25, 6).ToArray());
        using var b6 = B.Allocate(6);
        using var x6 = B.Allocate(6);
        using var v5 = B.Allocate(5);
        using var dc = B.Sor.UploadColoring(GraphColoring.Greedy(a));

        foreach (double omega in new[] { 0.0, 2.0, -0.5, 2.5, double.NaN })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => B.Sor.SweepMulticolor(da, d6, dc, b6, x6, omega, false));
            Assert.Equal("omega", e.ParamName);
            Assert.Contains("0 < omega < 2", e.Message, StringComparison.Ordinal);
            if (B.Kind == BackendKind.Cpu)
                Assert.Equal("omega", Assert.Throws<ArgumentOutOfRangeException>(() => B.Sor.SweepSequential(da, d6, b6, x6, omega, false)).ParamName);
        }

        void Shape(string param, Action sweep)
        {
            var e = Assert.Throws<ArgumentException>(sweep);
            Assert.Equal(param, e.ParamName);
            Assert.Contains("6x6", e.Message, StringComparison.Ordinal);
            Assert.Contains("length 5", e.Message, StringComparison.Ordinal);
        }
        Shape("x", () => B.Sor.SweepMulticolor(da, d6, dc, b6, v5, 1.0, false));
        Shape("b", () => B.Sor.SweepMulticolor(da, d6, dc, v5, x6, 1.0, false));
        Shape("inverseDiagonal", () => B.Sor.SweepMulticolor(da, v5, dc, b6, x6, 1.0, false));
        if (B.Kind == BackendKind.Cpu)
        {
            Shape("x", () => B.Sor.SweepSequential(da, d6, b6, v5, 1.0, false));
            Shape("b", () => B.Sor.SweepSequential(da, d6, v5, x6, 1.0, false));
            Shape("inverseDiagonal", () => B.Sor.SweepSequential(da, v5, b6, x6, 1.0, true));
        }

        using var dc5 = B.Sor.UploadColoring(GraphColoring.Greedy(SorMatrices.Poisson2D(5, 1)));
        var ec = Assert.Throws<ArgumentException>(() => B.Sor.SweepMulticolor(da, d6, dc5, b6, x6, 1.0, false));
        Assert.Equal("coloring", ec.ParamName);
        Assert.Contains("5 rows", ec.Message, StringComparison.Ordinal);
        Assert.Contains("6 rows", ec.Message, StringComparison.Ordinal);

        using var rect = B.Upload(CsrMatrix.FromDense(new double[,] { { 1, 0, 0, 0, 0, 0 } }));
        var er = Assert.Throws<ArgumentException>(() => B.Sor.SweepMulticolor(rect, d6, dc, b6, x6, 1.0, false));
        Assert.Equal("a", er.ParamName);
        Assert.Contains("1x6", er.Message, StringComparison.Ordinal);

        using var other = Backend.Create(BackendKind.Cpu);
        using var foreign = other.Sor.UploadColoring(GraphColoring.Greedy(a));
        var ef = Assert.Throws<ArgumentException>(() => B.Sor.SweepMulticolor(da, d6, foreign, b6, x6, 1.0, false));
        Assert.Equal("coloring", ef.ParamName);
        using var foreignX = other.Allocate(6);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => B.Sor.SweepMulticolor(da, d6, dc, b6, foreignX, 1.0, false)).ParamName);
    }
}

public sealed class CpuSorKernelTests(CpuFixture f) : SorKernelTests(f), IClassFixture<CpuFixture>;

/// <summary>The ILGPU kernels on the CPU accelerator (a small emulated device), checked against the Cpu backend too.</summary>
public sealed class IlgpuCpuSorKernelTests(IlgpuCpuFixture f) : SorKernelTests(f), IClassFixture<IlgpuCpuFixture>;

/// <summary>The same suite on a CUDA GPU; skipped, with the reason, where there is none.</summary>
public sealed class CudaSorKernelTests(CudaFixture f) : SorKernelTests(f), IClassFixture<CudaFixture>;

/// <summary>Properties of <see cref="GraphColoring"/>: validity, red-black on stencils, bipartiteness errors.</summary>
public sealed class GraphColoringTests
{
    private static void AssertWellFormed(Coloring c)
    {
        Assert.Equal(c.Colors + 1, c.ColorStart.Length);
        Assert.Equal(0, c.ColorStart[0]);
        Assert.Equal(c.RowCount, c.ColorStart[c.Colors]);
        Assert.Equal(Enumerable.Range(0, c.RowCount), c.Rows.Order());
        for (int color = 0; color < c.Colors; color++)
        {
            for (int p = c.ColorStart[color]; p < c.ColorStart[color + 1]; p++)
            {
                Assert.Equal(color, c.ColorOf[c.Rows[p]]);
                if (p > c.ColorStart[color]) Assert.True(c.Rows[p - 1] < c.Rows[p], "rows ascend within a color");
            }
        }
    }

    [Theory]
    [InlineData(8, 8)]
    [InlineData(7, 5)]
    [InlineData(1, 9)]
    [InlineData(13, 1)]
    public void Greedy_colors_the_5_point_stencil_red_black(int nx, int ny)
    {
        var a = SorMatrices.Poisson2D(nx, ny);
        var c = GraphColoring.Greedy(a);
        Assert.Equal(2, c.Colors);
        Assert.True(c.IsValidFor(a));
        AssertWellFormed(c);
        for (int y = 0; y < ny; y++)
            for (int x = 0; x < nx; x++)
                Assert.Equal((x + y) % 2, c.ColorOf[x + nx * y]);
        Assert.Equal(c.ColorOf, GraphColoring.RedBlack(a).ColorOf);
    }

    [Theory]
    [InlineData(4, 3, 5)]
    [InlineData(5, 5, 5)]
    public void Greedy_colors_the_7_point_stencil_red_black(int nx, int ny, int nz)
    {
        var a = SorMatrices.Poisson3D(nx, ny, nz);
        var c = GraphColoring.Greedy(a);
        Assert.Equal(2, c.Colors);
        Assert.True(c.IsValidFor(a));
        AssertWellFormed(c);
        Assert.Equal(c.ColorOf, GraphColoring.RedBlack(a).ColorOf);
    }

    [Theory]
    [InlineData(200, 0.03, 1)]
    [InlineData(500, 0.01, 2)]
    [InlineData(60, 0.3, 3)]
    public void Greedy_on_a_random_graph_is_valid(int n, double p, int seed)
    {
        var a = SorMatrices.RandomSymmetric(n, p, seed);
        var c = GraphColoring.Greedy(a);
        Assert.True(c.IsValidFor(a));
        Assert.True(c.Colors > 2);
        Assert.True(c.Colors <= a.MaxRowLength, "first fit uses at most max degree + 1 colors");
        AssertWellFormed(c);
    }

    [Fact]
    public void Greedy_uses_the_symmetrised_pattern_of_a_nonsymmetric_matrix()
    {
        // Only the upper triangle is stored: a_01, a_12, a_02. The coloring must still separate every pair.
        var a = CsrMatrix.FromDense(new double[,] { { 2, 1, 1 }, { 0, 2, 1 }, { 0, 0, 2 } });
        var c = GraphColoring.Greedy(a);
        Assert.Equal(3, c.Colors);
        Assert.True(c.IsValidFor(a));
        Assert.True(c.IsValidFor(a.Transpose()));
    }

    [Fact]
    public void Edgeless_and_empty_graphs()
    {
        var diag = CsrMatrix.FromDense(new double[,] { { 1, 0 }, { 0, 2 } });
        Assert.Equal(1, GraphColoring.Greedy(diag).Colors);
        Assert.Equal(1, GraphColoring.RedBlack(diag).Colors);
        var empty = CsrMatrix.FromCoordinates(0, 0, [], [], []);
        var c = GraphColoring.Greedy(empty);
        Assert.Equal(0, c.Colors);
        Assert.Equal(new[] { 0 }, c.ColorStart);
        Assert.True(c.IsValidFor(empty));
    }

    [Fact]
    public void RedBlack_accepts_an_even_cycle_and_a_forest()
    {
        var cycle = SorMatrices.FromEdges(6, (0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 0));
        var c = GraphColoring.RedBlack(cycle);
        Assert.Equal(2, c.Colors);
        Assert.True(c.IsValidFor(cycle));
        var forest = SorMatrices.FromEdges(7, (0, 3), (3, 5), (1, 6), (6, 2));
        var f = GraphColoring.RedBlack(forest);
        Assert.True(f.IsValidFor(forest));
        Assert.Equal(0, f.ColorOf[0]);
        Assert.Equal(0, f.ColorOf[1]);
        Assert.Equal(0, f.ColorOf[4]);
    }

    [Fact]
    public void RedBlack_rejects_a_triangle_and_names_the_row()
    {
        var triangle = SorMatrices.FromEdges(4, (0, 1), (1, 3), (3, 0));
        var e = Assert.Throws<ArgumentException>(() => GraphColoring.RedBlack(triangle));
        Assert.Equal("a", e.ParamName);
        Assert.Contains("not bipartite", e.Message, StringComparison.Ordinal);
        Assert.Contains("row 3", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, GraphColoring.Greedy(triangle).Colors);
    }

    [Fact]
    public void Invalid_inputs_and_colorings_are_caught()
    {
        var rect = CsrMatrix.FromDense(new double[,] { { 1, 2, 3 } });
        Assert.Contains("1x3", Assert.Throws<ArgumentException>(() => GraphColoring.Greedy(rect)).Message, StringComparison.Ordinal);
        Assert.Contains("1x3", Assert.Throws<ArgumentException>(() => GraphColoring.RedBlack(rect)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Coloring([0, -1]));

        var a = SorMatrices.Poisson2D(3, 3);
        Assert.False(new Coloring(new int[9]).IsValidFor(a), "one color for a connected graph");
        Assert.False(GraphColoring.Greedy(a).IsValidFor(SorMatrices.Poisson2D(4, 3)), "wrong size");
        Assert.True(new Coloring(Enumerable.Range(0, 9).ToArray()).IsValidFor(a), "one color per row is always valid");

        // An empty middle color is allowed and stays empty.
        var gap = new Coloring([0, 2, 0]);
        Assert.Equal(3, gap.Colors);
        Assert.Equal(0, gap.CountOf(1));
        Assert.Equal(new[] { 0, 2, 1 }, gap.Rows);
    }
}
