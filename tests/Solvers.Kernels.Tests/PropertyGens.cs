using System.Globalization;
using CsCheck;
using Solvers.Sparse;
using Xunit;

namespace Solvers.Kernels.Tests;

/// <summary>Generators and checks shared by the reader and CSR property tests.</summary>
internal static class PropertyGens
{
    public static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Finite doubles of every kind: short decimals, integers, signed zeros, subnormals, extremes, arbitrary bit patterns.</summary>
    public static readonly Gen<double> Finite = Gen.Frequency<double>(
        (4, (IGen<double>)Gen.Double[-10, 10]),
        (3, Gen.Long.Select(BitsToFinite)),
        (2, Gen.Int[-9, 9].Select(i => (double)i)),
        (1, Gen.OneOf(0.0, -0.0, double.Epsilon, -double.Epsilon, double.MaxValue, -double.MaxValue,
            2.2250738585072014E-308, 1e-300, -1e300, 0.1)));

    private static double BitsToFinite(long bits)
    {
        double d = BitConverter.Int64BitsToDouble(bits);
        // An all-ones exponent (Inf/NaN) loses its top bit and becomes an ordinary finite number.
        return double.IsFinite(d) ? d : BitConverter.Int64BitsToDouble(bits & ~(1L << 62));
    }

    /// <summary>Formats <paramref name="v"/> in one of several round-trip-exact styles chosen by <paramref name="style"/>.</summary>
    public static string Num(double v, int style)
    {
        string s = (style & 3) switch
        {
            0 => v.ToString("R", Inv),
            1 => v.ToString("G17", Inv),
            2 => v.ToString("E16", Inv),
            _ => v.ToString("e16", Inv),
        };
        return (style & 4) != 0 && !double.IsNegative(v) ? "+" + s : s;
    }

    public static readonly string[] BadNumberTokens =
        ["abc", "1..2", "NaN", "-Infinity", "Infinity", "1e999", "-1e400", "0x1F", "1,5", "--1", "1e", "+", "٣", "1 2", "\0"];

    public static string[] Lines(string text)
    {
        var lines = new List<string>();
        using var r = new StringReader(text);
        string? s;
        while ((s = r.ReadLine()) is not null) lines.Add(s);
        return lines.ToArray();
    }

    public static string Join(IEnumerable<string> lines) => string.Concat(lines.Select(l => l + "\n"));

    /// <summary>
    /// The exception contract of the readers: a <see cref="MatrixMarketFormatException"/> whose message starts with
    /// "source:line: " for a line that exists in <paramref name="text"/> (line 0 only where <paramref name="lineZeroAllowed"/>).
    /// </summary>
    public static MatrixMarketFormatException CheckFormatError(Exception e, string source, string text, Func<MatrixMarketFormatException, bool> lineZeroAllowed)
    {
        if (e is not MatrixMarketFormatException f)
            throw new Xunit.Sdk.XunitException($"expected MatrixMarketFormatException, got {e.GetType().Name}: {e}");
        Assert.Equal(source, f.SourceName);
        if (f.LineNumber > 0)
        {
            Assert.StartsWith($"{source}:{f.LineNumber}: ", f.Message);
            Assert.InRange(f.LineNumber, 1, Math.Max(1, Lines(text).Length));
        }
        else
        {
            Assert.True(lineZeroAllowed(f), $"an error without a line: {f.Message}");
            Assert.StartsWith($"{source}: ", f.Message);
        }
        Assert.False(string.IsNullOrWhiteSpace(f.Detail));
        return f;
    }

    /// <summary>Runs <paramref name="read"/>; returns the result, or the exception it threw.</summary>
    public static (T? Result, Exception? Error, long Allocated) Attempt<T>(Func<T> read) where T : class
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            var r = read();
            return (r, null, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        catch (Exception e)
        {
            return (null, e, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    /// <summary>A matrix a reader returned passes the public constructor's validation and holds finite values only.</summary>
    public static void CheckValid(CsrMatrix m)
    {
        _ = new CsrMatrix(m.Rows, m.Columns, m.RowPointers, m.ColumnIndices, m.Values);
    }

    /// <summary>Stored entries of <paramref name="m"/> as a (row, column) to value map.</summary>
    public static Dictionary<(int, int), double> Entries(CsrMatrix m)
    {
        var d = new Dictionary<(int, int), double>();
        var rp = m.RowPointers;
        var ci = m.ColumnIndices;
        var v = m.Values;
        for (int i = 0; i < m.Rows; i++)
            for (int k = rp[i]; k < rp[i + 1]; k++) d.Add((i, ci[k]), v[k]);
        return d;
    }

    /// <summary>Same stored pattern and values (compared with ==, so +0 and -0 match).</summary>
    public static void AssertEntries(Dictionary<(int, int), double> expected, CsrMatrix actual)
    {
        var got = Entries(actual);
        var missing = expected.Keys.Where(k => !got.ContainsKey(k)).ToList();
        var extra = got.Keys.Where(k => !expected.ContainsKey(k)).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"pattern differs: missing {string.Join(" ", missing)}, extra {string.Join(" ", extra)}");
        foreach (var (key, value) in expected)
            Assert.True(value == got[key], $"entry {key}: expected {value.ToString("R", Inv)}, got {got[key].ToString("R", Inv)}");
    }

    /// <summary>Bit-for-bit equality of two doubles (so -0 and +0 differ).</summary>
    public static void AssertBits(double expected, double actual, string what)
        => Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual),
            $"{what}: expected {expected.ToString("R", Inv)}, got {actual.ToString("R", Inv)}");
}
