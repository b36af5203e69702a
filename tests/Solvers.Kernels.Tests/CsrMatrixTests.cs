using MathNet.Numerics.LinearAlgebra.Double;
using Solvers.Sparse;
using Xunit;

namespace Solvers.Kernels.Tests;

/// <summary>CSR construction, validation and conversions against hand-built dense matrices.</summary>
public sealed class CsrMatrixTests
{
    private static readonly double[,] Dense =
    {
        { 4, 0, 1, 0 },
        { 0, 0, 0, 0 },
        { 2, 3, 0, 5 },
    };

    [Fact]
    public void From_dense_stores_the_non_zeros_in_row_order()
    {
        var a = CsrMatrix.FromDense(Dense);
        Assert.Equal(3, a.Rows);
        Assert.Equal(4, a.Columns);
        Assert.Equal(new[] { 0, 2, 2, 5 }, a.RowPointers.ToArray());
        Assert.Equal(new[] { 0, 2, 0, 1, 3 }, a.ColumnIndices.ToArray());
        Assert.Equal(new[] { 4.0, 1, 2, 3, 5 }, a.Values.ToArray());
        Assert.Equal(3, a.MaxRowLength);
        Assert.Equal(Dense, a.ToDense());
        Assert.Equal(5.0, a[2, 3]);
        Assert.Equal(0.0, a[1, 1]);
    }

    [Fact]
    public void From_coordinates_sorts_rows_and_sums_duplicates()
    {
        // Unsorted triplets with (2,0) given twice: 1.5 + 0.5 = 2, as Matrix Market and SciPy do.
        var a = CsrMatrix.FromCoordinates(3, 4,
            new[] { 2, 0, 2, 2, 0, 2 },
            new[] { 3, 2, 0, 1, 0, 0 },
            new[] { 5.0, 1, 1.5, 3, 4, 0.5 });
        Assert.Equal(Dense, a.ToDense());
        Assert.Equal(5, a.NonZeros);
    }

    [Fact]
    public void MathNet_round_trip_and_multiply_agree_with_dense()
    {
        var a = CsrMatrix.FromDense(Dense);
        var m = a.ToMathNet();
        Assert.Equal(Dense, m.ToArray());
        var back = CsrMatrix.FromMathNet(m);
        Assert.Equal(a.RowPointers.ToArray(), back.RowPointers.ToArray());
        Assert.Equal(a.Values.ToArray(), back.Values.ToArray());
        var fromDenseMathNet = CsrMatrix.FromMathNet(DenseMatrix.OfArray(Dense));
        Assert.Equal(Dense, fromDenseMathNet.ToDense());

        var x = new[] { 1.0, -2, 3, 0.5 };
        // By hand: row 0 = 4 + 3 = 7, row 1 = 0, row 2 = 2 - 6 + 2.5 = -1.5.
        Assert.Equal(new[] { 7.0, 0, -1.5 }, a.Multiply(x));
    }

    [Fact]
    public void Transpose_symmetry_diagonal_and_row_lookup()
    {
        var a = CsrMatrix.FromDense(Dense);
        var t = a.Transpose();
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 4; j++)
                Assert.Equal(Dense[i, j], t[j, i]);
        Assert.False(a.IsSymmetric());
        var s = CsrMatrix.FromDense(new double[,] { { 2, -1 }, { -1, 2 } });
        Assert.True(s.IsSymmetric());
        Assert.Equal(new[] { 4.0, 0, 0 }, a.Diagonal());
        Assert.Equal(0, a.RowOfEntry(1));
        Assert.Equal(2, a.RowOfEntry(2)); // row 1 is empty
        Assert.Equal(2, a.RowOfEntry(4));
    }

    [Fact]
    public void Invalid_arrays_are_rejected_with_the_row_named()
    {
        var e1 = Assert.Throws<ArgumentException>(() => new CsrMatrix(3, 2, new[] { 0, 2, 1, 2 }, new[] { 0, 1 }, new[] { 1.0, 2 }));
        Assert.Contains("monotone", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => new CsrMatrix(2, 2, new[] { 0, 2, 2 }, new[] { 1, 0 }, new[] { 1.0, 2 }));
        Assert.Contains("row 0", e2.Message);
        Assert.Contains("increasing", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => new CsrMatrix(2, 2, new[] { 0, 1, 2 }, new[] { 0, 2 }, new[] { 1.0, 2 }));
        Assert.Contains("row 1", e3.Message);
        Assert.Contains("out of range", e3.Message);
        var e4 = Assert.Throws<ArgumentException>(() => new CsrMatrix(2, 2, new[] { 0, 1, 2 }, new[] { 0, 1 }, new[] { 1.0, double.NaN }));
        Assert.Contains("(1, 1)", e4.Message);
        var ok = new CsrMatrix(2, 2, new[] { 0, 1, 2 }, new[] { 0, 1 }, new[] { 1.0, double.NaN }, allowNonFinite: true);
        Assert.Equal(1, ok.IndexOfNonFinite());
        Assert.Throws<ArgumentException>(() => new CsrMatrix(2, 2, new[] { 0, 1 }, new[] { 0 }, new[] { 1.0 }));
        Assert.Throws<ArgumentException>(() => CsrMatrix.FromCoordinates(2, 2, new[] { 0, 2 }, new[] { 0, 0 }, new[] { 1.0, 1 }));
        Assert.Throws<ArgumentException>(() => CsrMatrix.FromCoordinates(2, 2, new[] { 0 }, new[] { 0, 1 }, new[] { 1.0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => CsrMatrix.FromDense(Dense, dropTolerance: -1));
    }

    [Theory]
    [InlineData(30, 40, 25, 0.1)]
    [InlineData(700, 300, 500, 0.01)]
    public void Sparse_product_matches_the_dense_product(int m, int k, int n, double density)
    {
        var rng = new Random(m + k + n);
        double[,] Random(int r, int c)
        {
            var d = new double[r, c];
            for (int i = 0; i < r; i++)
                for (int j = 0; j < c; j++)
                    if (rng.NextDouble() < density) d[i, j] = rng.NextDouble() * 2 - 1;
            return d;
        }
        double[,] a = Random(m, k), b = Random(k, n);
        var product = CsrMatrix.FromDense(a).Multiply(CsrMatrix.FromDense(b));
        var expected = DenseMatrix.OfArray(a) * DenseMatrix.OfArray(b);
        Assert.Equal(m, product.Rows);
        Assert.Equal(n, product.Columns);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                Assert.Equal(expected[i, j], product[i, j], 1e-12);
        var e = Assert.Throws<ArgumentException>(() => CsrMatrix.FromDense(a).Multiply(CsrMatrix.FromDense(a)));
        Assert.Contains("inner dimensions", e.Message);
    }

    [Fact]
    public void Empty_matrices_are_valid()
    {
        var a = new CsrMatrix(0, 0, new[] { 0 }, Array.Empty<int>(), Array.Empty<double>());
        Assert.Equal(0, a.NonZeros);
        var b = CsrMatrix.FromCoordinates(3, 3, Array.Empty<int>(), Array.Empty<int>(), Array.Empty<double>());
        Assert.Equal(new[] { 0, 0, 0, 0 }, b.RowPointers.ToArray());
        Assert.Equal(new double[3], b.Multiply(new double[3]));
    }
}
