using Solvers.Sparse;
using Xunit;

namespace Solvers.Kernels.Tests;

/// <summary>Plain regression tests for the bugs the property tests found, each with its (hand-reduced) counterexample.</summary>
public sealed class ReaderRegressionTests
{
    private const string Source = "r.mtx";

    private static long Allocated(Action action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    // Found by FromCoordinates_equals_the_dense_accumulation_of_the_triplets: two finite duplicates that sum past
    // double.MaxValue were stored as -Infinity although allowNonFinite was false.
    [Fact]
    public void FromCoordinates_rejects_duplicates_that_overflow()
    {
        int[] r = [0, 0, 0], c = [0, 0, 0];
        double[] v = [0.1, -1.7976931348623157E+308, -1E+300];
        var e = Assert.Throws<ArgumentException>(() => CsrMatrix.FromCoordinates(1, 1, r, c, v));
        Assert.Equal("values", e.ParamName);
        Assert.Contains("Triplet 2 (0, 0)", e.Message);
        Assert.Contains("to -Infinity", e.Message);
        // With allowNonFinite the overflowed sum is stored, as documented.
        Assert.Equal(double.NegativeInfinity, CsrMatrix.FromCoordinates(1, 1, r, c, v, allowNonFinite: true)[0, 0]);
    }

    // Found by the same property: with more than 16 duplicates in a row the unstable sort reordered them, so the sum
    // differed from adding the triplets in input order in the last bit (4.764477499054866 instead of ...864).
    [Fact]
    public void FromCoordinates_sums_duplicates_in_input_order()
    {
        double[] v =
        [
            0, 0, 7.875928593963142, -1.1733132955330592, 5.5365E-320, -0.37209302325581395, 0, 8.353999999999999E-36,
            5.298E-56, 0.208955223880597, 1, 5, 0.225, 6.0421203217E-313, 9.288874335789851E-265, 3.5523E-320, 0, 0, -8,
        ];
        double expected = v[0];
        for (int k = 1; k < v.Length; k++) expected += v[k];
        Assert.Equal(4.764477499054864, expected);
        var zeros = new int[v.Length];
        var m = CsrMatrix.FromCoordinates(1, 1, zeros, zeros, v);
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(m[0, 0]));
    }

    // Found by Corrupt_files_read_or_fail_with_a_format_error_naming_the_line (LyingSize): an array header allocated
    // rows x columns doubles (9000 x 9000: 648 MB) before reading a single value of a 200-byte file.
    [Fact]
    public void Array_header_overstating_the_size_fails_without_allocating_it()
    {
        const string text = "%%MatrixMarket matrix array integer symmetric\n% comment line 1\n9000 9000\n-1000000000000000\n-7\n0\n";
        MatrixMarketFormatException? e = null;
        long bytes = Allocated(() => e = Assert.Throws<MatrixMarketFormatException>(() => MatrixMarket.ReadMatrix(new StringReader(text), Source)));
        Assert.Equal(6, e!.LineNumber);
        Assert.Contains("ends after 3 of the 40504500 entries declared on line 3", e.Message);
        Assert.True(bytes < 4_000_000, $"allocated {bytes} bytes");
    }

    // The coordinate reader reserved min(declared, 4M) triplets (64 MB) up front; it now grows from 64K as entries arrive.
    [Fact]
    public void Coordinate_header_overstating_the_count_fails_without_allocating_it()
    {
        const string text = "%%MatrixMarket matrix coordinate real general\n100000 100000 99000000\n1 1 1\n";
        MatrixMarketFormatException? e = null;
        long bytes = Allocated(() => e = Assert.Throws<MatrixMarketFormatException>(() => MatrixMarket.ReadMatrix(new StringReader(text), Source)));
        Assert.Equal(3, e!.LineNumber);
        Assert.True(bytes < 4_000_000, $"allocated {bytes} bytes");
    }

    // Found by Formatted_files_read_back_to_the_test_accumulation: the sum of duplicate file entries that overflows
    // must be a format error naming the entry's line (comment lines in between included), not a stored infinity.
    [Fact]
    public void Duplicate_entries_that_overflow_are_a_format_error_on_the_entry_line()
    {
        var e = Assert.Throws<MatrixMarketFormatException>(() => MatrixMarket.ReadMatrix(new StringReader(
            "%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 -1.7976931348623157E+308\n% c\n\n1 1 -1e300\n"), Source));
        Assert.Equal(6, e.LineNumber);
        Assert.Contains("entry (1, 1) brings the sum of the duplicate entries at (1, 1) to -Infinity", e.Message);

        // A symmetric file: the mirror of line 3 and the entry on line 4 overflow at (1, 2).
        e = Assert.Throws<MatrixMarketFormatException>(() => MatrixMarket.ReadMatrix(new StringReader(
            "%%MatrixMarket matrix coordinate real symmetric\n2 2 2\n2 1 1e308\n1 2 1e308\n"), Source));
        Assert.Equal(4, e.LineNumber);
        Assert.Contains("at (1, 2) to Infinity", e.Message);

        e = Assert.Throws<MatrixMarketFormatException>(() => MatrixMarket.ReadVector(new StringReader(
            "%%MatrixMarket matrix coordinate real general\n3 1 3\n2 1 1e308\n1 1 1\n2 1 1e308\n"), Source));
        Assert.Equal(5, e.LineNumber);
    }

    // Found by Formatted_files_read_back_to_the_test_accumulation: a 0 x 1 (or 1 x 0) coordinate file read as a
    // vector of length 1, while the same shape in array format read as length 0.
    [Fact]
    public void Empty_coordinate_vector_has_length_zero()
    {
        Assert.Empty(MatrixMarket.ReadVector(new StringReader("%%MatrixMarket matrix coordinate real general\n0 1 0\n"), Source));
        Assert.Empty(MatrixMarket.ReadVector(new StringReader("%%MatrixMarket matrix coordinate real general\n1 0 0\n"), Source));
        Assert.Empty(MatrixMarket.ReadVector(new StringReader("%%MatrixMarket matrix array real general\n0 1\n"), Source));
        Assert.Equal([0.0], MatrixMarket.ReadVector(new StringReader("%%MatrixMarket matrix coordinate real general\n1 1 0\n"), Source));
    }
}
