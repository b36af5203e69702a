using System.Globalization;
using Solvers.Sparse;
using Solvers.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace Solvers.Kernels.Tests;

public class MatrixMarketTests(ITestOutputHelper output)
{
    private const string Source = "b.mtx";

    private static CsrMatrix Read(string text, long maxEntries = MatrixMarket.DefaultMaxEntries)
        => MatrixMarket.ReadMatrix(new StringReader(text), Source, maxEntries);

    private static double[] ReadVec(string text) => MatrixMarket.ReadVector(new StringReader(text), Source);

    private static CsrMatrix RandomMatrix(Random rng, int rows, int cols, double density)
    {
        var ri = new List<int>();
        var ci = new List<int>();
        var v = new List<double>();
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                if (rng.NextDouble() < density)
                {
                    ri.Add(i); ci.Add(j);
                    // Spread exponents widely so the test exercises round-trip formatting, not just short decimals.
                    v.Add((rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-300, 300)));
                }
        return CsrMatrix.FromCoordinates(rows, cols, ri.ToArray(), ci.ToArray(), v.ToArray());
    }

    private static void AssertSameMatrix(CsrMatrix expected, CsrMatrix actual)
    {
        Assert.Equal(expected.Rows, actual.Rows);
        Assert.Equal(expected.Columns, actual.Columns);
        Assert.Equal(expected.RowPointers.ToArray(), actual.RowPointers.ToArray());
        Assert.Equal(expected.ColumnIndices.ToArray(), actual.ColumnIndices.ToArray());
        var ev = expected.Values;
        var av = actual.Values;
        for (int k = 0; k < ev.Length; k++)
            Assert.Equal(BitConverter.DoubleToInt64Bits(ev[k]), BitConverter.DoubleToInt64Bits(av[k]));
    }

    private static void AssertDense(double[,] expected, CsrMatrix actual)
    {
        Assert.Equal(expected.GetLength(0), actual.Rows);
        Assert.Equal(expected.GetLength(1), actual.Columns);
        Assert.Equal(expected, actual.ToDense());
    }

    [Theory]
    [InlineData(1, 7, 5, 0.3)]
    [InlineData(2, 40, 40, 0.1)]
    [InlineData(3, 13, 60, 0.05)]
    [InlineData(4, 60, 3, 0.5)]
    [InlineData(5, 5, 5, 0.0)]
    public void RoundTripReproducesEveryEntryExactly(int seed, int rows, int cols, double density)
    {
        var a = RandomMatrix(new Random(seed), rows, cols, density);
        var sw = new StringWriter();
        MatrixMarket.WriteMatrix(sw, a);
        Assert.StartsWith("%%MatrixMarket matrix coordinate real general\n", sw.ToString());
        AssertSameMatrix(a, Read(sw.ToString()));
    }

    [Fact]
    public void RoundTripKeepsExtremeValuesAndNegativeZero()
    {
        double[] vals = [double.Epsilon, double.MaxValue, -double.MinValue, -0.0, 0.1, 1.0 / 3.0, -2.5e-308, 123456789012345678.0];
        int n = vals.Length;
        var rows = Enumerable.Range(0, n).ToArray();
        var cols = Enumerable.Range(0, n).Select(i => n - 1 - i).ToArray();
        var a = CsrMatrix.FromCoordinates(n, n, rows, cols, vals);
        var sw = new StringWriter();
        MatrixMarket.WriteMatrix(sw, a);
        AssertSameMatrix(a, Read(sw.ToString()));
    }

    [Fact]
    public void PathOverloadsRoundTripMatrixAndVector()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mm-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var a = RandomMatrix(new Random(11), 30, 20, 0.2);
            string pa = Path.Combine(dir, "a.mtx");
            MatrixMarket.WriteMatrix(pa, a);
            AssertSameMatrix(a, MatrixMarket.ReadMatrix(pa));

            double[] v = [1.5, -0.0, 1e-300, 7, -3.25];
            string pv = Path.Combine(dir, "v.mtx");
            MatrixMarket.WriteVector(pv, v);
            Assert.Equal("%%MatrixMarket matrix array real general\n5 1\n1.5\n-0\n1E-300\n7\n-3.25\n", File.ReadAllText(pv));
            var back = MatrixMarket.ReadVector(pv);
            Assert.Equal(v.Select(BitConverter.DoubleToInt64Bits), back.Select(BitConverter.DoubleToInt64Bits));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void WriteSymmetricStoresLowerTriangleAndReadsBackFull()
    {
        var a = CsrMatrix.FromDense(new double[,] { { 4, -1, 0 }, { -1, 4, 2 }, { 0, 2, 5 } });
        var sw = new StringWriter();
        MatrixMarket.WriteMatrix(sw, a, symmetric: true);
        Assert.Equal("%%MatrixMarket matrix coordinate real symmetric\n3 3 5\n1 1 4\n2 1 -1\n2 2 4\n3 2 2\n3 3 5\n", sw.ToString());
        AssertSameMatrix(a, Read(sw.ToString()));
    }

    [Fact]
    public void WriteRejectsAsymmetricMatrixAsSymmetricAndNonFiniteValues()
    {
        var a = CsrMatrix.FromDense(new double[,] { { 1, 2 }, { 3, 4 } });
        Assert.Throws<ArgumentException>(() => MatrixMarket.WriteMatrix(new StringWriter(), a, symmetric: true));
        var nan = CsrMatrix.FromCoordinates(2, 2, [1], [0], [double.NaN], allowNonFinite: true);
        var ex = Assert.Throws<ArgumentException>(() => MatrixMarket.WriteMatrix(new StringWriter(), nan));
        Assert.Contains("(1, 0)", ex.Message);
        Assert.Throws<ArgumentException>(() => MatrixMarket.WriteVector(new StringWriter(), [1.0, double.PositiveInfinity]));
    }

    [Fact]
    public void SymmetricFileIsExpandedToFullStorage()
    {
        const string text = """
            %%MatrixMarket matrix coordinate real symmetric
            % a comment
            3 3 4
            1 1 2.0
            2 1 -1.5

            3 2 4
            % comment between entries
            3 3 5e-1
            """;
        var a = Read(text);
        AssertDense(new double[,] { { 2, -1.5, 0 }, { -1.5, 0, 4 }, { 0, 4, 0.5 } }, a);
        Assert.Equal(6, a.NonZeros);
    }

    [Fact]
    public void SkewSymmetricFileIsMirroredWithNegatedSign()
    {
        const string text = "%%MatrixMarket matrix coordinate real skew-symmetric\n3 3 2\n2 1 3\n3 1 -2\n";
        AssertDense(new double[,] { { 0, -3, 2 }, { 3, 0, 0 }, { -2, 0, 0 } }, Read(text));
    }

    [Fact]
    public void PatternEntriesReadAsOne()
    {
        AssertDense(new double[,] { { 1, 0, 1 }, { 0, 1, 0 } },
            Read("%%MatrixMarket matrix coordinate pattern general\n2 3 3\n1 1\n1 3\n2 2\n"));
        AssertDense(new double[,] { { 1, 1 }, { 1, 0 } },
            Read("%%MatrixMarket matrix coordinate pattern symmetric\n2 2 2\n1 1\n2 1\n"));
    }

    [Fact]
    public void IntegerFieldAndDuplicatesAreSummed()
    {
        var a = Read("%%MatrixMarket matrix coordinate integer general\n2 2 3\n1 1 2\n2 2 -7\n1 1 3\n");
        AssertDense(new double[,] { { 5, 0 }, { 0, -7 } }, a);
        Assert.Equal(2, a.NonZeros);
    }

    [Fact]
    public void HeaderKeywordsAreCaseInsensitiveAndCrLfIsAccepted()
    {
        var a = Read("%%matrixmarket MATRIX Coordinate REAL General\r\n%c\r\n2 2 1\r\n2 1 -4.5\r\n\r\n");
        AssertDense(new double[,] { { 0, 0 }, { -4.5, 0 } }, a);
    }

    [Fact]
    public void ArrayGeneralIsColumnMajorAndZerosAreNotStored()
    {
        var a = Read("%%MatrixMarket matrix array real general\n2 3\n1\n4\n2\n0\n3\n6\n");
        AssertDense(new double[,] { { 1, 2, 3 }, { 4, 0, 6 } }, a);
        Assert.Equal(5, a.NonZeros);
    }

    [Fact]
    public void ArraySymmetricHoldsLowerTriangleColumnByColumn()
    {
        // Columns of the lower triangle: (1,1) (2,1) (3,1) | (2,2) (3,2) | (3,3).
        var a = Read("%%MatrixMarket matrix array integer symmetric\n3 3\n1\n2\n3\n4\n5\n6\n");
        AssertDense(new double[,] { { 1, 2, 3 }, { 2, 4, 5 }, { 3, 5, 6 } }, a);
    }

    [Fact]
    public void ArraySkewSymmetricHoldsStrictLowerTriangle()
    {
        var a = Read("%%MatrixMarket matrix array real skew-symmetric\n3 3\n1\n2\n3\n");
        AssertDense(new double[,] { { 0, -1, -2 }, { 1, 0, -3 }, { 2, 3, 0 } }, a);
    }

    [Fact]
    public void ReadVectorAcceptsArrayColumnRowAndCoordinate()
    {
        Assert.Equal([1.5, -2, 3e10], ReadVec("%%MatrixMarket matrix array real general\n3 1\n1.5\n-2\n3e10\n"));
        Assert.Equal([1, 2], ReadVec("%%MatrixMarket matrix array real general\n1 2\n1\n2\n"));
        Assert.Equal([0, 2.5, 0, -1], ReadVec("%%MatrixMarket matrix coordinate real general\n4 1 2\n4 1 -1\n2 1 2.5\n"));
        Assert.Equal([0, 0, 7], ReadVec("%%MatrixMarket matrix coordinate integer general\n1 3 2\n1 3 3\n1 3 4\n"));
    }

    // ---- errors -------------------------------------------------------------------------------------------

    private static MatrixMarketFormatException AssertError(string text, long line, string fragment,
        long maxEntries = MatrixMarket.DefaultMaxEntries, bool vector = false)
    {
        var ex = Assert.Throws<MatrixMarketFormatException>(() =>
        {
            if (vector) ReadVec(text);
            else Read(text, maxEntries);
        });
        Assert.Equal(Source, ex.SourceName);
        Assert.Equal(line, ex.LineNumber);
        Assert.StartsWith(line > 0 ? $"{Source}:{line}: " : $"{Source}: ", ex.Message);
        Assert.Contains(fragment, ex.Message);
        return ex;
    }

    private const string Gen = "%%MatrixMarket matrix coordinate real general\n";

    [Fact]
    public void EmptyInputHasNoLine() => AssertError("", 0, "empty");

    [Theory]
    [InlineData("3 3 1\n1 1 1\n", "'%%MatrixMarket'")]
    [InlineData("%MatrixMarket matrix coordinate real general\n", "'%%MatrixMarket'")]
    [InlineData("%%MatrixMarket matrix coordinate real\n", "has 4 fields")]
    [InlineData("%%MatrixMarket vector coordinate real general\n", "'vector'")]
    [InlineData("%%MatrixMarket matrix sparse real general\n", "unknown format 'sparse'")]
    [InlineData("%%MatrixMarket matrix coordinate double general\n", "unknown field 'double'")]
    [InlineData("%%MatrixMarket matrix coordinate real diagonal\n", "unknown symmetry 'diagonal'")]
    [InlineData("%%MatrixMarket matrix array pattern general\n", "'pattern'")]
    public void BadBannerIsReportedOnLineOne(string text, string fragment) => AssertError(text, 1, fragment);

    [Theory]
    [InlineData("%%MatrixMarket matrix coordinate complex general\n2 2 1\n1 1 1 0\n", "complex")]
    [InlineData("%%MatrixMarket matrix coordinate real hermitian\n2 2 1\n1 1 1\n", "Hermitian")]
    public void ComplexAndHermitianAreNotSupported(string text, string fragment)
    {
        var ex = Assert.Throws<NotSupportedException>(() => Read(text));
        Assert.StartsWith("b.mtx:1: ", ex.Message);
        Assert.Contains(fragment, ex.Message);
    }

    [Theory]
    [InlineData(Gen + "% c\n3 3\n", 3, "expected 3 fields 'rows columns entries', found 2")]
    [InlineData(Gen + "3 x 1\n", 2, "'x' is not an integer")]
    [InlineData(Gen + "-3 3 1\n", 2, "number of rows is negative (-3)")]
    [InlineData(Gen + "3 -1 1\n", 2, "number of columns is negative (-1)")]
    [InlineData(Gen + "2 2 5\n", 2, "5 entries declared, but a 2 x 2 general matrix holds at most 4")]
    [InlineData("%%MatrixMarket matrix coordinate real symmetric\n2 2 4\n", 2, "holds at most 3")]
    [InlineData("%%MatrixMarket matrix coordinate real skew-symmetric\n3 3 4\n", 2, "holds at most 3")]
    [InlineData("%%MatrixMarket matrix coordinate real symmetric\n2 3 1\n", 2, "must be square")]
    [InlineData("%%MatrixMarket matrix array real general\n3 3 9\n", 2, "expected 2 fields 'rows columns', found 3")]
    [InlineData(Gen + "% only comments\n", 2, "ends before the size line")]
    [InlineData(Gen + "3000000000 3 1\n", 2, "largest supported dimension")]
    public void BadSizeLine(string text, long line, string fragment) => AssertError(text, line, fragment);

    [Fact]
    public void DeclaredSizesOverTheLimitAreRejectedBeforeReading()
    {
        AssertError(Gen + "1000 1000 50\n", 2, "exceeds the limit of 10 entries", maxEntries: 10);
        AssertError("%%MatrixMarket matrix coordinate real symmetric\n100 100 6\n", 2, "12 entries exceeds the limit of 10", maxEntries: 10);
        AssertError(Gen + "1000 1 0\n", 2, "exceeds the limit", maxEntries: 10);
        AssertError("%%MatrixMarket matrix array real general\n4 4\n", 2, "16 entries exceeds the limit", maxEntries: 10);
        AssertError(Gen + "2000000000 2000000000 1000000000000\n", 2, "exceeds the limit of 100000000");
    }

    [Fact]
    public void HugeDeclaredCountWithinLimitOnShortFileReportsTooFewEntries()
        => AssertError(Gen + "100000 100000 99000000\n1 1 1\n", 3, "ends after 1 of the 99000000 entries declared on line 2");

    [Theory]
    [InlineData(Gen + "3 3 2\n4 1 1.0\n", 3, "row index 4 is out of range [1, 3]")]
    [InlineData(Gen + "3 3 2\n1 1 1\n1 0 1.0\n", 4, "column index 0 is out of range [1, 3]")]
    [InlineData(Gen + "3 5 2\n1 6 1.0\n", 3, "column index 6 is out of range [1, 5]")]
    [InlineData(Gen + "0 3 0\n1 1 1\n", 3, "extra data line")]
    [InlineData(Gen + "3 3 1\n1 1.5 1\n", 3, "column index '1.5' is not an integer")]
    [InlineData(Gen + "3 3 1\n\n% c\n2 3\n", 5, "expected 3 fields 'row column value', found 2")]
    [InlineData(Gen + "3 3 1\n2 3 1 4\n", 3, "expected 3 fields 'row column value', found 4")]
    [InlineData("%%MatrixMarket matrix coordinate pattern general\n3 3 1\n2 3 1\n", 3, "expected 2 fields 'row column', found 3")]
    [InlineData(Gen + "3 3 1\n2 3 abc\n", 3, "value 'abc' is not a number")]
    [InlineData(Gen + "3 3 1\n2 3 1,5\n", 3, "value '1,5' is not a number")]
    [InlineData(Gen + "3 3 1\n2 3 NaN\n", 3, "value 'NaN' is not finite")]
    [InlineData(Gen + "3 3 1\n2 3 -Infinity\n", 3, "value '-Infinity' is not finite")]
    [InlineData(Gen + "3 3 1\n2 3 1e999\n", 3, "value '1e999' is not finite")]
    [InlineData("%%MatrixMarket matrix coordinate integer general\n3 3 1\n2 3 1.5\n", 3, "value '1.5' is not an integer")]
    [InlineData("%%MatrixMarket matrix coordinate real skew-symmetric\n3 3 2\n2 1 1\n2 2 1\n", 4, "diagonal entry (2, 2)")]
    [InlineData("%%MatrixMarket matrix array real general\n2 1\n1 2\n", 3, "expected 1 field 'value', found 2")]
    [InlineData("%%MatrixMarket matrix array real general\n2 1\n1\nNaN\n", 4, "value 'NaN' is not finite")]
    public void BadEntryLine(string text, long line, string fragment) => AssertError(text, line, fragment);

    [Theory]
    [InlineData(Gen + "3 3 3\n1 1 1\n2 2 2\n% trailing comment\n", 5, "ends after 2 of the 3 entries declared on line 2")]
    [InlineData(Gen + "% c\n3 3 3\n1 1 1\n", 4, "ends after 1 of the 3 entries declared on line 3")]
    [InlineData(Gen + "3 3 2\n", 2, "ends after 0 of the 2 entries")]
    [InlineData("%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n", 5, "ends after 3 of the 4 entries")]
    [InlineData("%%MatrixMarket matrix array real symmetric\n2 2\n1\n2\n", 4, "ends after 2 of the 3 entries")]
    public void TooFewEntriesNamesTheLastLine(string text, long line, string fragment) => AssertError(text, line, fragment);

    [Theory]
    [InlineData(Gen + "3 3 1\n1 1 1\n% c\n2 2 2\n", 5, "extra data line: line 2 declares 1 entries")]
    [InlineData("%%MatrixMarket matrix array real general\n2 1\n1\n2\n3\n", 5, "extra data line")]
    public void TooManyEntriesNamesTheFirstExtraLine(string text, long line, string fragment) => AssertError(text, line, fragment);

    [Fact]
    public void ReadVectorRejectsNonVectorShape()
        => AssertError("%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n4\n", 2, "expected a vector (n x 1 or 1 x n), found 2 x 2", vector: true);

    [Fact]
    public void PathOverloadNamesTheFileInErrors()
    {
        string path = Path.Combine(Path.GetTempPath(), $"bad-{Guid.NewGuid():N}.mtx");
        File.WriteAllText(path, Gen + "2 2 1\n1 1 oops\n");
        try
        {
            var ex = Assert.Throws<MatrixMarketFormatException>(() => MatrixMarket.ReadMatrix(path));
            Assert.Equal(path, ex.SourceName);
            Assert.Equal(3, ex.LineNumber);
            Assert.StartsWith($"{path}:3: value 'oops'", ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void LargeGeneratedFileRoundTrips()
    {
        // 2D Laplacian pattern, big enough to cross buffer boundaries and several growth steps of the reader.
        int n = 120, size = n * n;
        var ri = new List<int>();
        var ci = new List<int>();
        var v = new List<double>();
        for (int i = 0; i < size; i++)
        {
            ri.Add(i); ci.Add(i); v.Add(4 + i * 1e-7);
            if (i + 1 < size) { ri.Add(i); ci.Add(i + 1); v.Add(-1.0 / (i + 3)); }
            if (i + n < size) { ri.Add(i + n); ci.Add(i); v.Add(-Math.PI * i); }
        }
        var a = CsrMatrix.FromCoordinates(size, size, ri.ToArray(), ci.ToArray(), v.ToArray());
        var sw = new StringWriter(CultureInfo.InvariantCulture);
        MatrixMarket.WriteMatrix(sw, a);
        AssertSameMatrix(a, Read(sw.ToString()));
    }

    // ---- real files -------------------------------------------------------------------------------------

    [Theory]
    [InlineData("1138_bus", 1138, 4054, true)]
    [InlineData("494_bus", 494, 1666, true)]
    [InlineData("lund_a", 147, 2449, true)]
    [InlineData("LFAT5", 14, 46, true)]
    [InlineData("gr_30_30", 900, 7744, false)]
    [InlineData("Trefethen_500", 500, 8478, false)]
    [InlineData("zenios", 2873, 27191, true)] // 15032 stored entries (2873 diagonal, 14375 explicit zeros kept)
    [InlineData("hangGlider_2", 1647, 14754, true)] // 7834 stored entries, 914 of them diagonal
    public void ReadsSharedMatrices(string name, int n, int nnz, bool symmetricFile)
    {
        string? dir = TestData.FindMatrices();
        if (dir is null)
        {
            output.WriteLine($"Skipped: no ../shared/data/matrices next to the checkout, so {name}.mtx cannot be read.");
            return;
        }
        string path = Path.Combine(dir, name + ".mtx");
        if (!File.Exists(path))
        {
            output.WriteLine($"Skipped: {path} is absent.");
            return;
        }
        var a = MatrixMarket.ReadMatrix(path);
        Assert.Equal(n, a.Rows);
        Assert.Equal(n, a.Columns);
        Assert.Equal(nnz, a.NonZeros);
        if (symmetricFile) Assert.True(a.IsSymmetric());
    }

    [Fact]
    public void Lfat5EntriesMatchTheFile()
    {
        string? dir = TestData.FindMatrices();
        string? path = dir is null ? null : Path.Combine(dir, "LFAT5.mtx");
        if (path is null || !File.Exists(path))
        {
            output.WriteLine("Skipped: LFAT5.mtx is not available.");
            return;
        }
        var a = MatrixMarket.ReadMatrix(path);
        // The file's first entries are "1 1 1.57088" and "4 1 -94.2528" (lower triangle, mirrored on read).
        Assert.Equal(1.57088, a[0, 0]);
        Assert.Equal(-94.2528, a[3, 0]);
        Assert.Equal(-94.2528, a[0, 3]);
    }
}
