using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Solvers.Sparse;

/// <summary>A data set read from a CSV file: one row of <see cref="Features"/> and one label per sample.</summary>
/// <param name="Features">The N x d dense feature matrix: every column of the file except the label column, in file order.</param>
/// <param name="Labels">The N labels, as written in the file.</param>
/// <param name="Header">The fields of the header line (trimmed, as written), or null when the file has none.</param>
/// <remarks>Thread safety: immutable once created (arrays it holds are not defensive copies); safe to read from several threads.</remarks>
public sealed record CsvData(double[,] Features, double[] Labels, string[]? Header);

/// <summary>
/// Reads numeric comma-separated data sets: one sample per line, every field a number, one field the label.
/// </summary>
/// <remarks>
/// <para>Fields are separated by ',' and trimmed of surrounding whitespace; blank lines are skipped. Quoting is not
/// supported. The first non-blank line is a header when any of its fields does not parse as a number (invariant
/// culture); its field count need not match the data. Every data row must have as many fields as the first data
/// row, at least two (one label, one feature). Values must be finite. Paths ending in ".gz" are decompressed.</para>
/// <para>Every malformed line raises <see cref="MatrixMarketFormatException"/> (the shared "source:line: detail"
/// format error of this namespace) naming the source and 1-based line; the reader never returns partial data.</para>
/// <para>The number of values read (N times the number of fields per row) is checked against <c>maxEntries</c> as the
/// file is read, before the matrix is built, so a corrupt file cannot exhaust memory.</para>
/// <para>Thread safety: all members are stateless and safe to call concurrently.</para>
/// </remarks>
public static class Csv
{
    /// <summary>Default limit on the number of values read (features and labels together), 10^8.</summary>
    public const long DefaultMaxEntries = MatrixMarket.DefaultMaxEntries;

    /// <summary>Reads a CSV file, decompressing it first when the path ends in ".gz".</summary>
    /// <param name="path">The file; error messages name it as given.</param>
    /// <param name="labelColumn">The 0-based column holding the label, or -1 for the last column.</param>
    /// <param name="maxEntries">The largest number of values (features and labels together) the reader accepts.</param>
    /// <exception cref="MatrixMarketFormatException">The file is malformed, has no data rows, or exceeds <paramref name="maxEntries"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="labelColumn"/> is below -1 or <paramref name="maxEntries"/> is not positive.</exception>
    public static CsvData Read(string path, int labelColumn = -1, long maxEntries = DefaultMaxEntries)
    {
        ArgumentNullException.ThrowIfNull(path);
        ValidateArguments(labelColumn, maxEntries);
        var file = new FileStream(path, new FileStreamOptions
        {
            Access = FileAccess.Read, Mode = FileMode.Open, Share = FileShare.Read, BufferSize = 1 << 16, Options = FileOptions.SequentialScan,
        });
        Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        try
        {
            return Read(reader, path, labelColumn, maxEntries);
        }
        catch (InvalidDataException e)
        {
            // A corrupt gzip stream surfaces here; report it in this namespace's format error.
            throw new MatrixMarketFormatException(path, 0, $"corrupt gzip data: {e.Message}");
        }
    }

    /// <summary>Reads CSV text from <paramref name="reader"/>.</summary>
    /// <param name="reader">The text to read.</param>
    /// <param name="sourceName">Name used in error messages (usually the file name).</param>
    /// <param name="labelColumn">The 0-based column holding the label, or -1 for the last column.</param>
    /// <param name="maxEntries">The largest number of values (features and labels together) the reader accepts.</param>
    /// <exception cref="MatrixMarketFormatException">The input is malformed, has no data rows, or exceeds <paramref name="maxEntries"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="labelColumn"/> is below -1 or <paramref name="maxEntries"/> is not positive.</exception>
    public static CsvData Read(TextReader reader, string sourceName, int labelColumn = -1, long maxEntries = DefaultMaxEntries)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);
        ValidateArguments(labelColumn, maxEntries);

        string[]? header = null;
        bool firstLine = true;
        int fieldCount = -1;   // fields per data row, fixed by the first data row
        int label = -1;        // resolved label column
        var values = new List<double>(); // all fields of all data rows, row-major
        var row = new List<double>();
        long lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            var text = line.AsSpan().Trim();
            if (text.IsEmpty) continue;

            if (firstLine)
            {
                firstLine = false;
                if (!AllNumeric(text))
                {
                    header = SplitHeader(text);
                    continue;
                }
            }

            row.Clear();
            int column = 0;
            int pos = 0;
            while (true)
            {
                int comma = text[pos..].IndexOf(',');
                var field = (comma < 0 ? text[pos..] : text.Slice(pos, comma)).Trim();
                column++;
                if (fieldCount > 0 && column > fieldCount)
                    throw Error(sourceName, lineNumber, $"expected {fieldCount} fields but found {CountFields(text)}.");
                if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                    throw Error(sourceName, lineNumber, $"bad number '{field.ToString()}' in column {column}.");
                if (!double.IsFinite(value))
                    throw Error(sourceName, lineNumber, $"non-finite value '{field.ToString()}' in column {column}.");
                if (values.Count + (long)row.Count >= maxEntries)
                    throw Error(sourceName, lineNumber, $"more than {maxEntries} values, the limit.");
                row.Add(value);
                if (comma < 0) break;
                pos += comma + 1;
            }

            if (fieldCount < 0)
            {
                fieldCount = row.Count;
                if (fieldCount < 2)
                    throw Error(sourceName, lineNumber, $"a data row needs at least 2 fields (features and a label) but has {fieldCount}.");
                label = labelColumn < 0 ? fieldCount - 1 : labelColumn;
                if (label >= fieldCount)
                    throw Error(sourceName, lineNumber, $"label column {labelColumn} (0-based) is beyond the {fieldCount} fields of the data.");
            }
            else if (row.Count != fieldCount)
            {
                throw Error(sourceName, lineNumber, $"expected {fieldCount} fields but found {row.Count}.");
            }
            values.AddRange(row);
        }
        if (fieldCount < 0)
            throw new MatrixMarketFormatException(sourceName, 0, "no data rows.");

        int n = values.Count / fieldCount, d = fieldCount - 1;
        var features = new double[n, d];
        var labels = new double[n];
        for (int i = 0; i < n; i++)
        {
            int offset = i * fieldCount;
            for (int j = 0, c = 0; j < fieldCount; j++)
            {
                if (j == label) labels[i] = values[offset + j];
                else features[i, c++] = values[offset + j];
            }
        }
        return new CsvData(features, labels, header);
    }

    private static void ValidateArguments(int labelColumn, long maxEntries)
    {
        if (labelColumn < -1)
            throw new ArgumentOutOfRangeException(nameof(labelColumn), labelColumn, "The label column must be -1 (last) or a 0-based column index.");
        if (maxEntries <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxEntries), maxEntries, "The entry limit must be positive.");
    }

    private static bool AllNumeric(ReadOnlySpan<char> text)
    {
        foreach (var range in text.Split(','))
        {
            if (!double.TryParse(text[range].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out _)) return false;
        }
        return true;
    }

    private static string[] SplitHeader(ReadOnlySpan<char> text)
    {
        var fields = new List<string>();
        foreach (var range in text.Split(',')) fields.Add(text[range].Trim().ToString());
        return fields.ToArray();
    }

    private static int CountFields(ReadOnlySpan<char> text) => text.Count(',') + 1;

    private static MatrixMarketFormatException Error(string source, long line, string detail) => new(source, line, detail);
}
