using Solvers.Sparse;
using Solvers.TestSupport;
using Xunit;

namespace Solvers.Kernels.Tests;

public class LibSvmTests
{
    private const string Source = "tiny.svm";

    private static LibSvmData Read(string text, int? features = null, long maxEntries = LibSvm.DefaultMaxEntries)
        => LibSvm.Read(new StringReader(text), Source, features, maxEntries);

    [Fact]
    public void ReadsSmallFileWithCommentsAndBlankLines()
    {
        const string text = "# header comment\n+1 1:0.5 3:-2 # trailing\n\n-1 2:1e-3\t4:7\n1\n";
        var data = Read(text);
        Assert.Equal(new[] { 1.0, -1.0, 1.0 }, data.Labels);
        Assert.Equal(3, data.Features.Rows);
        Assert.Equal(4, data.Features.Columns);
        Assert.Equal(0.5, data.Features[0, 0]);
        Assert.Equal(-2.0, data.Features[0, 2]);
        Assert.Equal(1e-3, data.Features[1, 1]);
        Assert.Equal(7.0, data.Features[1, 3]);
        Assert.Equal(4, data.Features.NonZeros);
    }

    [Fact]
    public void FeatureCountWidensTheMatrixAndZerosAreNotStored()
    {
        var data = Read("2 1:0 2:3\n", features: 10);
        Assert.Equal(10, data.Features.Columns);
        Assert.Equal(1, data.Features.NonZeros);
        Assert.Equal(2.0, data.Labels[0]);
    }

    [Theory]
    [InlineData("1 1:1\nabc 1:2\n", 2, "bad label")]
    [InlineData("1 1:1\nNaN 1:2\n", 2, "bad label")]
    [InlineData("1 0:1\n", 1, "bad index")]
    [InlineData("1 -3:1\n", 1, "bad index")]
    [InlineData("1 x:1\n", 1, "bad index")]
    [InlineData("1 1:1\n1 3:1 2:1\n", 2, "ascending")]
    [InlineData("1 2:1 2:1\n", 1, "ascending")]
    [InlineData("1 1:1\n\n1 6:1\n", 3, "beyond the 5 features")]
    [InlineData("1 1:nan\n", 1, "bad value")]
    [InlineData("1 1:abc\n", 1, "bad value")]
    [InlineData("1 1:\n", 1, "bad value")]
    [InlineData("1 1:2 3\n", 1, "missing ':'")]
    public void MalformedInputNamesSourceAndLine(string text, int line, string detail)
    {
        var e = Assert.Throws<MatrixMarketFormatException>(() => Read(text, features: 5));
        Assert.Equal(Source, e.SourceName);
        Assert.Equal(line, e.LineNumber);
        Assert.Contains($"{Source}:{line}:", e.Message);
        Assert.Contains(detail, e.Message);
    }

    [Fact]
    public void SizeLimitIsEnforcedWhileReading()
    {
        var e = Assert.Throws<MatrixMarketFormatException>(() => Read("1 1:1 2:1\n1 1:1 2:1\n", maxEntries: 3));
        Assert.Equal(2, e.LineNumber);
        Assert.Contains("limit", e.Message);
        var wide = Assert.Throws<MatrixMarketFormatException>(() => Read("1 1000000:1\n", maxEntries: 1000));
        Assert.Contains("limit", wide.Message);
    }

    [SkippableFact]
    public void ReadsHeartScaleWhenPresent()
    {
        string? data = TestData.FindSharedData();
        string? path = data is null ? null : Path.Combine(data, "datasets", "heart_scale");
        Skip.If(path is null || !File.Exists(path), "../shared/data/datasets/heart_scale not found; LIBSVM reader not tested on it.");
        var d = LibSvm.Read(path!);
        Assert.Equal(270, d.Features.Rows);
        Assert.Equal(13, d.Features.Columns);
        // The file has 120 positive and 150 negative samples (the shared README has the two counts swapped).
        Assert.Equal(120, d.Labels.Count(v => v == 1));
        Assert.Equal(150, d.Labels.Count(v => v == -1));
    }
}
