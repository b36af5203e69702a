using System.Globalization;

namespace Solvers.Sparse;

/// <summary>A data set read from a LIBSVM file: one row of <see cref="Features"/> and one label per sample.</summary>
/// <param name="Features">The N x d feature matrix (0-based columns; the file's 1-based index j is column j - 1).</param>
/// <param name="Labels">The N labels, as written in the file.</param>
/// <remarks>Thread safety: immutable once created (arrays it holds are not defensive copies); safe to read from several threads.</remarks>
public sealed record LibSvmData(CsrMatrix Features, double[] Labels);

/// <summary>
/// Reads the LIBSVM / SVMlight sparse text format (https://www.csie.ntu.edu.tw/~cjlin/libsvmtools/datasets/):
/// one sample per line, <c>label index:value index:value ...</c>, indices 1-based and strictly ascending.
/// </summary>
/// <remarks>
/// <para>Text after '#' is a comment; blank lines are skipped. Entries with value 0 are kept out of the matrix.
/// Labels and values must be finite: NaN, infinities and numbers that overflow a double are rejected with the line
/// named.
/// Every malformed line raises <see cref="MatrixMarketFormatException"/> (the shared "source:line: detail"
/// format error of this namespace) naming the source and 1-based line; the reader never returns partial data.</para>
/// <para>The number of stored entries and the number of columns are checked against <c>maxEntries</c> as the
/// file is read, before the matrix is built, so a corrupt file cannot exhaust memory.</para>
/// <para>Thread safety: all members are stateless and safe to call concurrently.</para>
/// </remarks>
public static class LibSvm
{
    /// <summary>Default limit on the number of stored entries (and on the number of columns), 10^8.</summary>
    public const long DefaultMaxEntries = MatrixMarket.DefaultMaxEntries;

    /// <summary>Reads a LIBSVM file.</summary>
    /// <param name="path">The file; error messages name it as given.</param>
    /// <param name="features">The number of columns d; indices beyond it are errors. When null, d is the largest index.</param>
    /// <param name="maxEntries">The largest number of stored entries, and of columns, the reader accepts.</param>
    /// <exception cref="MatrixMarketFormatException">The file is malformed or exceeds <paramref name="maxEntries"/>.</exception>
    public static LibSvmData Read(string path, int? features = null, long maxEntries = DefaultMaxEntries)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = new StreamReader(path);
        return Read(reader, path, features, maxEntries);
    }

    /// <summary>Reads LIBSVM text from <paramref name="reader"/>.</summary>
    /// <param name="reader">The text to read.</param>
    /// <param name="sourceName">Name used in error messages (usually the file name).</param>
    /// <param name="features">The number of columns d; indices beyond it are errors. When null, d is the largest index.</param>
    /// <param name="maxEntries">The largest number of stored entries, and of columns, the reader accepts.</param>
    /// <exception cref="MatrixMarketFormatException">The input is malformed or exceeds <paramref name="maxEntries"/>.</exception>
    public static LibSvmData Read(TextReader reader, string sourceName, int? features = null, long maxEntries = DefaultMaxEntries)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);
        if (maxEntries <= 0) throw new ArgumentOutOfRangeException(nameof(maxEntries), maxEntries, "The entry limit must be positive.");
        if (features is < 0) throw new ArgumentOutOfRangeException(nameof(features), features, "The number of features must be non-negative.");
        if (features > maxEntries)
            throw new ArgumentOutOfRangeException(nameof(features), features, $"The number of features exceeds the limit of {maxEntries}.");

        var labels = new List<double>();
        var rowPointers = new List<int> { 0 };
        var columns = new List<int>();
        var values = new List<double>();
        int maxColumn = 0;
        long lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            var text = line.AsSpan();
            int hash = text.IndexOf('#');
            if (hash >= 0) text = text[..hash];
            text = text.Trim();
            if (text.IsEmpty) continue;

            int pos = 0;
            var labelToken = NextToken(text, ref pos);
            if (!double.TryParse(labelToken, NumberStyles.Float, CultureInfo.InvariantCulture, out double label) || !double.IsFinite(label))
                throw Error(sourceName, lineNumber, $"bad label '{labelToken.ToString()}': expected a finite number.");
            int previous = 0;
            while (true)
            {
                var token = NextToken(text, ref pos);
                if (token.IsEmpty) break;
                int colon = token.IndexOf(':');
                if (colon < 0)
                    throw Error(sourceName, lineNumber, $"missing ':' in '{token.ToString()}': expected index:value.");
                var indexText = token[..colon];
                var valueText = token[(colon + 1)..];
                if (!long.TryParse(indexText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long index))
                    throw Error(sourceName, lineNumber, $"bad index '{indexText.ToString()}': expected a positive integer.");
                if (index < 1)
                    throw Error(sourceName, lineNumber, $"bad index {index}: indices are 1-based and must be at least 1.");
                if (index <= previous)
                    throw Error(sourceName, lineNumber, $"bad index {index}: indices must be strictly ascending (after {previous}).");
                if (features is int d && index > d)
                    throw Error(sourceName, lineNumber, $"bad index {index}: beyond the {d} features given.");
                if (index > maxEntries || index > int.MaxValue)
                    throw Error(sourceName, lineNumber, $"index {index} exceeds the limit of {Math.Min(maxEntries, int.MaxValue)} columns.");
                if (!double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
                    throw Error(sourceName, lineNumber, $"bad value '{valueText.ToString()}' at index {index}: expected a finite number.");
                previous = (int)index;
                if (value == 0.0) continue;
                if (values.Count >= maxEntries)
                    throw Error(sourceName, lineNumber, $"more than {maxEntries} stored entries, the limit.");
                columns.Add(previous - 1);
                values.Add(value);
            }
            maxColumn = Math.Max(maxColumn, previous);
            labels.Add(label);
            rowPointers.Add(values.Count);
        }
        int d2 = features ?? maxColumn;
        var matrix = new CsrMatrix(labels.Count, d2, rowPointers.ToArray(), columns.ToArray(), values.ToArray());
        return new LibSvmData(matrix, labels.ToArray());
    }

    private static ReadOnlySpan<char> NextToken(ReadOnlySpan<char> text, ref int pos)
    {
        while (pos < text.Length && char.IsWhiteSpace(text[pos])) pos++;
        int start = pos;
        while (pos < text.Length && !char.IsWhiteSpace(text[pos])) pos++;
        return text[start..pos];
    }

    private static MatrixMarketFormatException Error(string source, long line, string detail) => new(source, line, detail);
}
