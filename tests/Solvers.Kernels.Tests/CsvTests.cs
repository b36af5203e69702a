using System.IO.Compression;
using Solvers.Sparse;
using Solvers.TestSupport;
using Xunit;

namespace Solvers.Kernels.Tests;

public class CsvTests
{
    private const string Source = "tiny.csv";

    private static CsvData Read(string text, int labelColumn = -1, long maxEntries = Csv.DefaultMaxEntries)
        => Csv.Read(new StringReader(text), Source, labelColumn, maxEntries);

    [Fact]
    public void ReadsSmallFileWithBlankLinesAndWhitespace()
    {
        const string text = "\n1, 2.5 ,-3e-2,0\n\n  \t\n4,5,6,1\r\n-0.5,+7,1E3,0\n";
        var data = Read(text);
        Assert.Null(data.Header);
        Assert.Equal(3, data.Features.GetLength(0));
        Assert.Equal(3, data.Features.GetLength(1));
        Assert.Equal(new[] { 0.0, 1.0, 0.0 }, data.Labels);
        Assert.Equal(new double[,] { { 1, 2.5, -3e-2 }, { 4, 5, 6 }, { -0.5, 7, 1000 } }, data.Features);
    }

    [Fact]
    public void NonNumericFirstLineIsAHeader()
    {
        var data = Read(" a , b,label\n1,2,3\n4,5,6\n");
        Assert.Equal(new[] { "a", "b", "label" }, data.Header);
        Assert.Equal(new double[,] { { 1, 2 }, { 4, 5 } }, data.Features);
        Assert.Equal(new[] { 3.0, 6.0 }, data.Labels);

        // One non-numeric field is enough, and the header's field count need not match the data.
        var mixed = Read("10,2,x\n1,2,3,4\n");
        Assert.Equal(new[] { "10", "2", "x" }, mixed.Header);
        Assert.Equal(1, mixed.Features.GetLength(0));
        Assert.Equal(3, mixed.Features.GetLength(1));
        Assert.Equal(4.0, mixed.Labels[0]);
    }

    [Fact]
    public void AllNumericFirstLineIsData()
    {
        var data = Read("1,2\n3,4\n");
        Assert.Null(data.Header);
        Assert.Equal(new[] { 2.0, 4.0 }, data.Labels);
    }

    [Fact]
    public void LabelColumnCanBeChosen()
    {
        const string text = "7,1,2\n8,3,4\n";
        var first = Read(text, labelColumn: 0);
        Assert.Equal(new[] { 7.0, 8.0 }, first.Labels);
        Assert.Equal(new double[,] { { 1, 2 }, { 3, 4 } }, first.Features);

        var middle = Read(text, labelColumn: 1);
        Assert.Equal(new[] { 1.0, 3.0 }, middle.Labels);
        Assert.Equal(new double[,] { { 7, 2 }, { 8, 4 } }, middle.Features);

        var last = Read(text, labelColumn: 2);
        Assert.Equal(new[] { 2.0, 4.0 }, last.Labels);
        Assert.Equal(new double[,] { { 7, 1 }, { 8, 3 } }, last.Features);

        Assert.Throws<ArgumentOutOfRangeException>(() => Read(text, labelColumn: -2));
    }

    [Theory]
    [InlineData("1,2,3\n4,5\n", 2, "expected 3 fields but found 2", -1)]
    [InlineData("1,2,3\n4,5,6,7\n", 2, "expected 3 fields but found 4", -1)]
    [InlineData("h1,h2\n\n1,2,3\n4,5,6,7,8\n", 4, "expected 3 fields but found 5", -1)]
    [InlineData("1,2,3\n4,abc,6\n", 2, "bad number 'abc' in column 2", -1)]
    [InlineData("1,2,3\n4,5,\n", 2, "bad number '' in column 3", -1)]
    [InlineData("1,2,3\n\n4,5,NaN\n", 3, "non-finite value 'NaN' in column 3", -1)]
    [InlineData("1,2,3\n-Infinity,5,6\n", 2, "non-finite value '-Infinity' in column 1", -1)]
    [InlineData("1,2,3\n1e400,5,6\n", 2, "non-finite value '1e400' in column 1", -1)]
    [InlineData("NaN,1,2\n", 1, "non-finite value 'NaN' in column 1", -1)]
    [InlineData("x\n5\n", 2, "at least 2 fields", -1)]
    [InlineData("1,2,3\n", 1, "label column 3", 3)]
    public void MalformedInputNamesSourceAndLine(string text, int line, string detail, int labelColumn)
    {
        var e = Assert.Throws<MatrixMarketFormatException>(() => Read(text, labelColumn));
        Assert.Equal(Source, e.SourceName);
        Assert.Equal(line, e.LineNumber);
        Assert.Contains($"{Source}:{line}:", e.Message);
        Assert.Contains(detail, e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n  \n")]
    [InlineData("a,b,c\n\n")]
    public void InputWithoutDataRowsIsAnError(string text)
    {
        var e = Assert.Throws<MatrixMarketFormatException>(() => Read(text));
        Assert.Equal(Source, e.SourceName);
        Assert.StartsWith(Source, e.Message);
        Assert.Contains("no data rows", e.Message);
    }

    [Fact]
    public void SizeLimitIsEnforcedWhileReading()
    {
        Assert.Equal(2, Read("1,2\n3,4\n", maxEntries: 4).Labels.Length);
        var e = Assert.Throws<MatrixMarketFormatException>(() => Read("1,2\n3,4\n5,6\n", maxEntries: 5));
        Assert.Equal(3, e.LineNumber);
        Assert.Contains($"{Source}:3:", e.Message);
        Assert.Contains("limit", e.Message);
        // A single over-long row is stopped while it is parsed.
        var wide = Assert.Throws<MatrixMarketFormatException>(() => Read(string.Join(",", Enumerable.Repeat("1", 1000)), maxEntries: 10));
        Assert.Equal(1, wide.LineNumber);
        Assert.Contains("limit", wide.Message);
    }

    [Fact]
    public void GzipRoundTrip()
    {
        string dir = Path.Combine(Path.GetTempPath(), "csvtest-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string path = Path.Combine(dir, "small.csv.gz");
            using (var file = File.Create(path))
            using (var gz = new GZipStream(file, CompressionLevel.Optimal))
            using (var writer = new StreamWriter(gz))
                writer.Write("f1,f2,y\n0.25,-1,1\n3,4.5,0\n");
            var data = Csv.Read(path);
            Assert.Equal(new[] { "f1", "f2", "y" }, data.Header);
            Assert.Equal(new double[,] { { 0.25, -1 }, { 3, 4.5 } }, data.Features);
            Assert.Equal(new[] { 1.0, 0.0 }, data.Labels);

            // Errors in a compressed file name the path and the line of the decompressed text.
            string bad = Path.Combine(dir, "bad.csv.gz");
            using (var file = File.Create(bad))
            using (var gz = new GZipStream(file, CompressionLevel.Optimal))
            using (var writer = new StreamWriter(gz))
                writer.Write("1,2\n3\n");
            var e = Assert.Throws<MatrixMarketFormatException>(() => Csv.Read(bad));
            Assert.Equal(bad, e.SourceName);
            Assert.Equal(2, e.LineNumber);

            // The same text uncompressed reads the same.
            string plain = Path.Combine(dir, "small.csv");
            File.WriteAllText(plain, "f1,f2,y\n0.25,-1,1\n3,4.5,0\n");
            Assert.Equal(data.Features, Csv.Read(plain).Features);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [SkippableFact]
    public void ReadsBreastCancerWhenPresent()
    {
        string? data = TestData.FindSharedData();
        string? path = data is null ? null : Path.Combine(data, "datasets", "breast_cancer.csv");
        Skip.If(path is null || !File.Exists(path), "../shared/data/datasets/breast_cancer.csv not found; CSV reader not tested on it.");
        var d = Csv.Read(path!);
        Assert.Equal(new[] { "569", "30", "malignant", "benign" }, d.Header);
        Assert.Equal(569, d.Features.GetLength(0));
        Assert.Equal(30, d.Features.GetLength(1));
        Assert.Equal(569, d.Labels.Length);
        Assert.Equal(212, d.Labels.Count(v => v == 0));
        Assert.Equal(357, d.Labels.Count(v => v == 1));
        Assert.Equal(17.99, d.Features[0, 0]);
        Assert.Equal(0.1189, d.Features[0, 29]);
    }

    [SkippableFact]
    public void ReadsDigitsWhenPresent()
    {
        string? data = TestData.FindSharedData();
        string? path = data is null ? null : Path.Combine(data, "datasets", "digits.csv.gz");
        Skip.If(path is null || !File.Exists(path), "../shared/data/datasets/digits.csv.gz not found; CSV reader not tested on it.");
        var d = Csv.Read(path!);
        Assert.Null(d.Header);
        Assert.Equal(1797, d.Features.GetLength(0));
        Assert.Equal(64, d.Features.GetLength(1));
        Assert.Equal(Enumerable.Range(0, 10).Select(v => (double)v), d.Labels.Distinct().Order());
        Assert.Equal(178, d.Labels.Count(v => v == 0));
        Assert.Equal(5.0, d.Features[0, 2]);
    }
}
