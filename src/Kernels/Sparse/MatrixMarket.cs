using System.Globalization;
using System.Text;

namespace Solvers.Sparse;

/// <summary>
/// Reads and writes the Matrix Market exchange format (https://math.nist.gov/MatrixMarket/formats.html).
/// </summary>
/// <remarks>
/// <para>Reading supports <c>coordinate</c> files with field <c>real</c>, <c>integer</c> or <c>pattern</c> and
/// symmetry <c>general</c>, <c>symmetric</c> or <c>skew-symmetric</c>, and <c>array</c> files with field
/// <c>real</c> or <c>integer</c> and symmetry <c>general</c>, <c>symmetric</c> or <c>skew-symmetric</c>.
/// Symmetric and skew-symmetric files are expanded to full storage; pattern entries read as 1.0; duplicate
/// coordinate entries are summed in file order, as SciPy does (the declared count may still not exceed the number
/// of positions the matrix has). <c>complex</c> and <c>hermitian</c> files are rejected with
/// <see cref="NotSupportedException"/>.</para>
/// <para>Values must be finite: NaN, infinities and numbers that overflow a double (such as <c>1e999</c>) are
/// rejected with the line named, and so are duplicate entries whose sum overflows, because the solvers this
/// library feeds (conjugate gradients on SPD matrices in particular) cannot use them.</para>
/// <para>Every malformed input raises <see cref="MatrixMarketFormatException"/> naming the source and line; the
/// reader never returns a partial matrix. Sizes are checked against <c>maxEntries</c> before anything of the
/// declared size is allocated, and buffers grow only as entries are actually read (the dense storage of an
/// <c>array</c> file is allocated once all its values have been read), so a corrupt or hostile header cannot
/// exhaust memory.</para>
/// <para>Writing produces <c>coordinate real general</c> (or <c>symmetric</c>) matrices and
/// <c>array real general</c> vectors, with 1-based indices and shortest round-trip ("R") invariant-culture values,
/// so a write followed by a read reproduces every value bit for bit.</para>
/// <para>Thread safety: all members are stateless and safe to call concurrently.</para>
/// </remarks>
public static class MatrixMarket
{
    /// <summary>Default limit on the number of entries a reader will hold in memory (10^8, about 1.6 GB of triplets).</summary>
    public const long DefaultMaxEntries = 100_000_000;

    // Buffers start at most this large and grow (doubling) as entries are actually read, so a header that
    // overstates the size costs at most about 1 MB before the file runs out.
    private const int InitialCapacityCap = 1 << 16;

    /// <summary>Reads a sparse matrix from a Matrix Market file.</summary>
    /// <param name="path">The file to read; error messages name it as given.</param>
    /// <param name="maxEntries">Largest number of entries (after symmetric expansion) or rows the reader accepts.</param>
    /// <exception cref="MatrixMarketFormatException">The file is malformed or exceeds <paramref name="maxEntries"/>.</exception>
    /// <exception cref="NotSupportedException">The file is complex or Hermitian.</exception>
    public static CsrMatrix ReadMatrix(string path, long maxEntries = DefaultMaxEntries)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = OpenRead(path);
        return ReadMatrix(reader, path, maxEntries);
    }

    /// <summary>Reads a sparse matrix in Matrix Market format from <paramref name="reader"/>.</summary>
    /// <param name="reader">The text to read, positioned at the banner line.</param>
    /// <param name="sourceName">Name used in error messages (usually the file name).</param>
    /// <param name="maxEntries">Largest number of entries (after symmetric expansion) or rows the reader accepts.</param>
    /// <exception cref="MatrixMarketFormatException">The input is malformed or exceeds <paramref name="maxEntries"/>.</exception>
    /// <exception cref="NotSupportedException">The input is complex or Hermitian.</exception>
    public static CsrMatrix ReadMatrix(TextReader reader, string sourceName, long maxEntries = DefaultMaxEntries)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);
        ValidateMaxEntries(maxEntries);
        var p = new Parser(reader, sourceName, maxEntries);
        p.ReadHeader(expectVector: false);
        if (p.Format == MmFormat.Coordinate)
        {
            p.ReadCoordinate(out var ri, out var ci, out var v, out int count);
            return CsrMatrix.TryFromCoordinates(p.Rows, p.Columns, ri.AsSpan(0, count), ci.AsSpan(0, count), v.AsSpan(0, count),
                    allowNonFinite: false, out int overflow, out double sum)
                ?? throw p.DuplicateOverflow(ri, ci, overflow, sum);
        }
        return DenseColumnMajorToCsr(p.Rows, p.Columns, p.ReadArray());
    }

    /// <summary>
    /// Reads a vector: an <c>array</c> file of shape n x 1 or 1 x n, or a <c>coordinate</c> file of that shape
    /// (entries not listed are zero, duplicates are summed).
    /// </summary>
    /// <param name="path">The file to read; error messages name it as given.</param>
    /// <param name="maxEntries">Largest vector length or number of entries the reader accepts.</param>
    /// <exception cref="MatrixMarketFormatException">The file is malformed, not vector-shaped, or too large.</exception>
    /// <exception cref="NotSupportedException">The file is complex or Hermitian.</exception>
    public static double[] ReadVector(string path, long maxEntries = DefaultMaxEntries)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = OpenRead(path);
        return ReadVector(reader, path, maxEntries);
    }

    /// <summary>Reads a vector (n x 1 or 1 x n, array or coordinate format) from <paramref name="reader"/>.</summary>
    /// <param name="reader">The text to read, positioned at the banner line.</param>
    /// <param name="sourceName">Name used in error messages (usually the file name).</param>
    /// <param name="maxEntries">Largest vector length or number of entries the reader accepts.</param>
    /// <exception cref="MatrixMarketFormatException">The input is malformed, not vector-shaped, or too large.</exception>
    /// <exception cref="NotSupportedException">The input is complex or Hermitian.</exception>
    public static double[] ReadVector(TextReader reader, string sourceName, long maxEntries = DefaultMaxEntries)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);
        ValidateMaxEntries(maxEntries);
        var p = new Parser(reader, sourceName, maxEntries);
        p.ReadHeader(expectVector: true);
        if (p.Format == MmFormat.Array)
        {
            // Column-major storage of an n x 1 or 1 x n array is already the vector in order.
            return p.ReadArray();
        }
        p.ReadCoordinate(out var ri, out var ci, out var v, out int count);
        // n x 1 has length n, 1 x n has length n (so 0 x 1 and 1 x 0 are empty, 1 x 1 has length 1).
        var result = new double[p.Columns == 1 ? p.Rows : p.Columns];
        var index = p.Columns == 1 ? ri : ci;
        for (int k = 0; k < count; k++)
        {
            double sum = result[index[k]] + v[k];
            if (!double.IsFinite(sum)) throw p.DuplicateOverflow(ri, ci, k, sum);
            result[index[k]] = sum;
        }
        return result;
    }

    /// <summary>
    /// Writes <paramref name="a"/> as <c>coordinate real general</c>, or as <c>coordinate real symmetric</c>
    /// (lower triangle only) when <paramref name="symmetric"/> is set.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="a"/> holds a non-finite value, or
    /// <paramref name="symmetric"/> is set and <paramref name="a"/> is not exactly symmetric. Checked before the
    /// file is created, so an existing file is left untouched.</exception>
    public static void WriteMatrix(string path, CsrMatrix a, bool symmetric = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(a);
        CheckWritable(a, symmetric);
        using var writer = OpenWrite(path);
        WriteMatrixCore(writer, a, symmetric);
    }

    /// <summary>Writes <paramref name="a"/> in Matrix Market coordinate format to <paramref name="writer"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="a"/> holds a non-finite value, or
    /// <paramref name="symmetric"/> is set and <paramref name="a"/> is not exactly symmetric.</exception>
    public static void WriteMatrix(TextWriter writer, CsrMatrix a, bool symmetric = false)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(a);
        CheckWritable(a, symmetric);
        WriteMatrixCore(writer, a, symmetric);
    }

    /// <summary>Writes <paramref name="v"/> as an n x 1 <c>array real general</c> file.</summary>
    /// <exception cref="ArgumentException"><paramref name="v"/> holds a non-finite value (checked before the file is created).</exception>
    public static void WriteVector(string path, ReadOnlySpan<double> v)
    {
        ArgumentNullException.ThrowIfNull(path);
        CheckFinite(v);
        using var writer = OpenWrite(path);
        WriteVectorCore(writer, v);
    }

    /// <summary>Writes <paramref name="v"/> as an n x 1 <c>array real general</c> Matrix Market text.</summary>
    /// <exception cref="ArgumentException"><paramref name="v"/> holds a non-finite value.</exception>
    public static void WriteVector(TextWriter writer, ReadOnlySpan<double> v)
    {
        ArgumentNullException.ThrowIfNull(writer);
        CheckFinite(v);
        WriteVectorCore(writer, v);
    }

    private static StreamReader OpenRead(string path)
        => new(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true,
            new FileStreamOptions { Access = FileAccess.Read, Mode = FileMode.Open, Share = FileShare.Read, BufferSize = 1 << 16, Options = FileOptions.SequentialScan });

    private static StreamWriter OpenWrite(string path)
        => new(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 1 << 16);

    private static void ValidateMaxEntries(long maxEntries)
    {
        if (maxEntries < 1)
            throw new ArgumentOutOfRangeException(nameof(maxEntries), maxEntries, "The entry limit must be at least 1.");
    }

    private static void CheckWritable(CsrMatrix a, bool symmetric)
    {
        int bad = a.IndexOfNonFinite();
        if (bad >= 0)
            throw new ArgumentException(
                $"Entry ({a.RowOfEntry(bad)}, {a.ColumnIndices[bad]}) is {a.Values[bad].ToString(CultureInfo.InvariantCulture)}; Matrix Market real files hold finite values only.",
                nameof(a));
        if (symmetric && !a.IsSymmetric())
            throw new ArgumentException($"The {a.Rows}x{a.Columns} matrix is not exactly symmetric; it cannot be written as 'symmetric'.", nameof(a));
    }

    private static void CheckFinite(ReadOnlySpan<double> v)
    {
        for (int i = 0; i < v.Length; i++)
            if (!double.IsFinite(v[i]))
                throw new ArgumentException($"v[{i}] is {v[i].ToString(CultureInfo.InvariantCulture)}; Matrix Market real files hold finite values only.", nameof(v));
    }

    private static void WriteMatrixCore(TextWriter writer, CsrMatrix a, bool symmetric)
    {
        var rp = a.RowPointers;
        var ci = a.ColumnIndices;
        var vals = a.Values;
        int count = a.NonZeros;
        if (symmetric)
        {
            count = 0;
            for (int i = 0; i < a.Rows; i++)
                for (int k = rp[i]; k < rp[i + 1] && ci[k] <= i; k++) count++;
        }
        writer.Write(symmetric ? "%%MatrixMarket matrix coordinate real symmetric\n" : "%%MatrixMarket matrix coordinate real general\n");
        writer.Write(string.Create(CultureInfo.InvariantCulture, $"{a.Rows} {a.Columns} {count}\n"));
        Span<char> buf = stackalloc char[96];
        for (int i = 0; i < a.Rows; i++)
        {
            for (int k = rp[i]; k < rp[i + 1]; k++)
            {
                int j = ci[k];
                if (symmetric && j > i) break;
                int len = 0;
                (i + 1).TryFormat(buf, out int w, default, CultureInfo.InvariantCulture); len += w;
                buf[len++] = ' ';
                (j + 1).TryFormat(buf[len..], out w, default, CultureInfo.InvariantCulture); len += w;
                buf[len++] = ' ';
                vals[k].TryFormat(buf[len..], out w, "R", CultureInfo.InvariantCulture); len += w;
                buf[len++] = '\n';
                writer.Write(buf[..len]);
            }
        }
        writer.Flush();
    }

    private static void WriteVectorCore(TextWriter writer, ReadOnlySpan<double> v)
    {
        writer.Write("%%MatrixMarket matrix array real general\n");
        writer.Write(string.Create(CultureInfo.InvariantCulture, $"{v.Length} 1\n"));
        Span<char> buf = stackalloc char[64];
        foreach (double x in v)
        {
            x.TryFormat(buf, out int w, "R", CultureInfo.InvariantCulture);
            buf[w++] = '\n';
            writer.Write(buf[..w]);
        }
        writer.Flush();
    }

    private static CsrMatrix DenseColumnMajorToCsr(int rows, int columns, double[] dense)
    {
        // Array files are dense; like CsrMatrix.FromDense, exact zeros are not stored.
        int nnz = 0;
        foreach (double x in dense) if (x != 0) nnz++;
        var rp = new int[rows + 1];
        var ci = new int[nnz];
        var v = new double[nnz];
        int k = 0;
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                double x = dense[(long)j * rows + i];
                if (x != 0) { ci[k] = j; v[k] = x; k++; }
            }
            rp[i + 1] = k;
        }
        return new CsrMatrix(rows, columns, rp, ci, v);
    }

    private enum MmFormat { Coordinate, Array }

    private enum MmField { Real, Integer, Pattern }

    private enum MmSymmetry { General, Symmetric, SkewSymmetric }

    private sealed class Parser(TextReader reader, string source, long maxEntries)
    {
        private long _line;
        private long _sizeLine;
        // (entry, line) wherever blank or comment lines precede a coordinate entry, so an entry's line can be recovered.
        private readonly List<(long Entry, long Line)> _gaps = [];
        private long _declaredEntries;
        private MmField _field;
        private MmSymmetry _symmetry;

        public MmFormat Format { get; private set; }
        public int Rows { get; private set; }
        public int Columns { get; private set; }

        private MatrixMarketFormatException Error(string detail) => new(source, _line, detail);

        private MatrixMarketFormatException Error(long line, string detail) => new(source, line, detail);

        /// <summary>Next line that is neither blank nor a comment, or null at the end of the input.</summary>
        private string? NextDataLine()
        {
            string? s;
            while ((s = reader.ReadLine()) is not null)
            {
                _line++;
                var t = s.AsSpan().TrimStart(" \t\r\f\v");
                if (t.Length != 0 && t[0] != '%') return s;
            }
            return null;
        }

        public void ReadHeader(bool expectVector)
        {
            string? banner = reader.ReadLine();
            if (banner is null)
                throw Error(0, "the input is empty; expected a '%%MatrixMarket matrix <format> <field> <symmetry>' banner");
            _line = 1;
            Span<Range> f = stackalloc Range[6];
            var b = banner.AsSpan();
            int n = Split(b, f);
            if (n == 0 || !b[f[0]].Equals("%%MatrixMarket", StringComparison.OrdinalIgnoreCase))
                throw Error($"missing banner: the first line must start with '%%MatrixMarket', found '{Abbreviate(banner)}'");
            if (n != 5)
                throw Error($"the banner has {n} fields; expected '%%MatrixMarket matrix <format> <field> <symmetry>'");
            var obj = b[f[1]];
            if (!obj.Equals("matrix", StringComparison.OrdinalIgnoreCase))
                throw Error($"unknown object '{obj}'; only 'matrix' is supported");

            var format = b[f[2]];
            if (format.Equals("coordinate", StringComparison.OrdinalIgnoreCase)) Format = MmFormat.Coordinate;
            else if (format.Equals("array", StringComparison.OrdinalIgnoreCase)) Format = MmFormat.Array;
            else throw Error($"unknown format '{format}'; expected 'coordinate' or 'array'");

            var field = b[f[3]];
            if (field.Equals("real", StringComparison.OrdinalIgnoreCase)) _field = MmField.Real;
            else if (field.Equals("integer", StringComparison.OrdinalIgnoreCase)) _field = MmField.Integer;
            else if (field.Equals("pattern", StringComparison.OrdinalIgnoreCase)) _field = MmField.Pattern;
            else if (field.Equals("complex", StringComparison.OrdinalIgnoreCase))
                throw new NotSupportedException($"{source}:{_line}: complex Matrix Market files are not supported; only real, integer and pattern fields can be read.");
            else throw Error($"unknown field '{field}'; expected 'real', 'integer' or 'pattern'");

            var symmetry = b[f[4]];
            if (symmetry.Equals("general", StringComparison.OrdinalIgnoreCase)) _symmetry = MmSymmetry.General;
            else if (symmetry.Equals("symmetric", StringComparison.OrdinalIgnoreCase)) _symmetry = MmSymmetry.Symmetric;
            else if (symmetry.Equals("skew-symmetric", StringComparison.OrdinalIgnoreCase)) _symmetry = MmSymmetry.SkewSymmetric;
            else if (symmetry.Equals("hermitian", StringComparison.OrdinalIgnoreCase))
                throw new NotSupportedException($"{source}:{_line}: Hermitian Matrix Market files are not supported; only general, symmetric and skew-symmetric can be read.");
            else throw Error($"unknown symmetry '{symmetry}'; expected 'general', 'symmetric' or 'skew-symmetric'");

            if (_field == MmField.Pattern && Format == MmFormat.Array)
                throw Error("'pattern' is not allowed with the 'array' format");
            if (_field == MmField.Pattern && _symmetry == MmSymmetry.SkewSymmetric)
                throw Error("'pattern' is not allowed with 'skew-symmetric' symmetry");

            ReadSizeLine(expectVector);
        }

        private void ReadSizeLine(bool expectVector)
        {
            string? s = NextDataLine();
            bool coordinate = Format == MmFormat.Coordinate;
            string expected = coordinate ? "'rows columns entries'" : "'rows columns'";
            if (s is null)
                throw Error($"the input ends before the size line {expected}");
            _sizeLine = _line;
            Span<Range> f = stackalloc Range[4];
            var line = s.AsSpan();
            int n = Split(line, f);
            int want = coordinate ? 3 : 2;
            if (n != want)
                throw Error($"size line: expected {want} fields {expected}, found {n}");
            long rows = ParseSize(line[f[0]], "rows");
            long cols = ParseSize(line[f[1]], "columns");
            long entries = coordinate ? ParseSize(line[f[2]], "entries") : 0;

            if (rows >= int.MaxValue || cols >= int.MaxValue)
                throw Error($"size line: {rows} x {cols} exceeds the largest supported dimension {int.MaxValue - 1}");
            if (_symmetry != MmSymmetry.General && rows != cols)
                throw Error($"size line: a {SymmetryName} matrix must be square, but the size is {rows} x {cols}");
            if (expectVector && rows != 1 && cols != 1)
                throw Error($"size line: expected a vector (n x 1 or 1 x n), found {rows} x {cols}");

            // Entries the symmetry allows in the file (duplicates aside): the stored triangle only.
            long allowed = _symmetry switch
            {
                MmSymmetry.Symmetric => rows * (rows + 1) / 2,
                MmSymmetry.SkewSymmetric => rows * (rows - 1) / 2,
                _ => rows * cols,
            };
            long held; // entries held in memory while reading
            if (coordinate)
            {
                if (entries > allowed)
                    throw Error($"size line: {entries} entries declared, but a {rows} x {cols} {SymmetryName} matrix holds at most {allowed}");
                held = _symmetry == MmSymmetry.General ? entries : 2 * entries;
                _declaredEntries = entries;
            }
            else
            {
                held = rows * cols;
                _declaredEntries = allowed;
            }
            long dimension = expectVector ? Math.Max(rows, cols) : rows;
            if (held > maxEntries || dimension > maxEntries)
                throw Error($"size line: {rows} x {cols} with {held} entries exceeds the limit of {maxEntries} entries (raise maxEntries to read it)");
            if (held > Array.MaxLength)
                throw Error($"size line: {held} entries exceed the largest supported array length {Array.MaxLength}");
            Rows = (int)rows;
            Columns = (int)cols;
        }

        private string SymmetryName => _symmetry switch
        {
            MmSymmetry.Symmetric => "symmetric",
            MmSymmetry.SkewSymmetric => "skew-symmetric",
            _ => "general",
        };

        private long ParseSize(ReadOnlySpan<char> token, string what)
        {
            if (!long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
                throw Error($"size line: the number of {what} '{Abbreviate(token)}' is not an integer");
            if (value < 0)
                throw Error($"size line: the number of {what} is negative ({value})");
            return value;
        }

        public void ReadCoordinate(out int[] rowIdx, out int[] colIdx, out double[] vals, out int count)
        {
            bool pattern = _field == MmField.Pattern;
            bool mirror = _symmetry != MmSymmetry.General;
            double mirrorSign = _symmetry == MmSymmetry.SkewSymmetric ? -1.0 : 1.0;
            long limit = mirror ? 2 * _declaredEntries : _declaredEntries;
            int capacity = (int)Math.Min(limit, InitialCapacityCap);
            rowIdx = new int[capacity];
            colIdx = new int[capacity];
            vals = new double[capacity];
            count = 0;
            int want = pattern ? 2 : 3;
            string fieldsText = pattern ? "'row column'" : "'row column value'";
            Span<Range> f = stackalloc Range[4];
            for (long e = 0; e < _declaredEntries; e++)
            {
                long expectedLine = _line + 1;
                string? s = NextDataLine() ?? throw TooFew(e);
                if (_line != expectedLine) _gaps.Add((e, _line));
                var line = s.AsSpan();
                int n = Split(line, f);
                if (n != want)
                    throw Error($"expected {want} fields {fieldsText}, found {n}");
                int r = ParseIndex(line[f[0]], "row", Rows);
                int c = ParseIndex(line[f[1]], "column", Columns);
                double v = pattern ? 1.0 : ParseValue(line[f[2]]);
                if (_symmetry == MmSymmetry.SkewSymmetric && r == c)
                    throw Error($"diagonal entry ({r + 1}, {c + 1}) in a skew-symmetric file; only the strict lower triangle may be stored");
                int needed = mirror && r != c ? count + 2 : count + 1;
                if (needed > rowIdx.Length) Grow(ref rowIdx, ref colIdx, ref vals, needed, limit);
                rowIdx[count] = r; colIdx[count] = c; vals[count] = v; count++;
                if (mirror && r != c)
                {
                    rowIdx[count] = c; colIdx[count] = r; vals[count] = mirrorSign * v; count++;
                }
            }
            CheckNoExtraData();
        }

        public double[] ReadArray()
        {
            // The values are read into a buffer that grows as they arrive; the declared size (bounded by maxEntries in
            // ReadSizeLine) is allocated only once the file has shown it holds every value.
            var values = new double[(int)Math.Min(_declaredEntries, InitialCapacityCap)];
            Span<Range> f = stackalloc Range[2];
            for (long e = 0; e < _declaredEntries; e++)
            {
                string? s = NextDataLine() ?? throw TooFew(e);
                var line = s.AsSpan();
                int n = Split(line, f);
                if (n != 1)
                    throw Error($"expected 1 field 'value', found {n}");
                if (e == values.Length)
                    Array.Resize(ref values, (int)Math.Min(Math.Max(2L * values.Length, 1), _declaredEntries));
                values[e] = ParseValue(line[f[0]]);
            }
            CheckNoExtraData();
            // General files list every entry column-major: the buffer is the dense matrix.
            if (_symmetry == MmSymmetry.General) return values;

            int rows = Rows;
            var dense = new double[(long)rows * Columns];
            int i = 0, j = 0;
            if (_symmetry == MmSymmetry.SkewSymmetric) i = 1;
            for (long e = 0; e < _declaredEntries; e++)
            {
                double v = values[e];
                dense[(long)j * rows + i] = v;
                if (_symmetry != MmSymmetry.General)
                    dense[(long)i * rows + j] = _symmetry == MmSymmetry.SkewSymmetric ? -v : v;
                // Column-major walk; symmetric files hold the lower triangle (i >= j), skew the strict one (i > j).
                if (++i == rows)
                {
                    j++;
                    i = _symmetry switch { MmSymmetry.Symmetric => j, MmSymmetry.SkewSymmetric => j + 1, _ => 0 };
                }
            }
            return dense;
        }

        /// <summary>
        /// The error for duplicate coordinate entries whose sum overflows at <paramref name="triplet"/> (an index
        /// into the triplets <see cref="ReadCoordinate"/> returned: file entries in order, each off-diagonal entry of
        /// a symmetric file followed by its mirror). It names the line of the entry that overflowed.
        /// </summary>
        public MatrixMarketFormatException DuplicateOverflow(int[] rowIdx, int[] colIdx, int triplet, double sum)
        {
            bool mirror = _symmetry != MmSymmetry.General;
            long entry = 0;
            int t = 0;
            while (true)
            {
                int next = mirror && rowIdx[t] != colIdx[t] ? t + 2 : t + 1;
                if (triplet < next) break;
                t = next;
                entry++;
            }
            return Error(LineOfEntry(entry),
                $"entry ({rowIdx[t] + 1}, {colIdx[t] + 1}) brings the sum of the duplicate entries at ({rowIdx[triplet] + 1}, {colIdx[triplet] + 1}) to {sum.ToString(CultureInfo.InvariantCulture)}; values must be finite");
        }

        private long LineOfEntry(long entry)
        {
            long baseEntry = 0, baseLine = _sizeLine + 1;
            foreach (var (e, line) in _gaps)
            {
                if (e > entry) break;
                baseEntry = e;
                baseLine = line;
            }
            return baseLine + (entry - baseEntry);
        }

        private static void Grow(ref int[] r, ref int[] c, ref double[] v, int needed, long limit)
        {
            int size = (int)Math.Min(Math.Max((long)r.Length * 2, needed), limit);
            Array.Resize(ref r, size);
            Array.Resize(ref c, size);
            Array.Resize(ref v, size);
        }

        private MatrixMarketFormatException TooFew(long read)
            => Error($"the input ends after {read} of the {_declaredEntries} entries declared on line {_sizeLine}");

        private void CheckNoExtraData()
        {
            if (NextDataLine() is not null)
                throw Error($"extra data line: line {_sizeLine} declares {_declaredEntries} entries and all have been read");
        }

        private int ParseIndex(ReadOnlySpan<char> token, string what, int size)
        {
            if (!long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
                throw Error($"{what} index '{Abbreviate(token)}' is not an integer");
            if (value < 1 || value > size)
                throw Error(size == 0
                    ? $"{what} index {value} is out of range: the matrix has no {what}s"
                    : $"{what} index {value} is out of range [1, {size}]");
            return (int)(value - 1);
        }

        private double ParseValue(ReadOnlySpan<char> token)
        {
            if (_field == MmField.Integer)
            {
                if (!long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long iv))
                    throw Error($"value '{Abbreviate(token)}' is not an integer (the field is 'integer')");
                return iv;
            }
            if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                throw Error($"value '{Abbreviate(token)}' is not a number");
            if (!double.IsFinite(v))
                throw Error($"value '{Abbreviate(token)}' is not finite; real Matrix Market files must hold finite numbers");
            return v;
        }
    }

    /// <summary>Splits on blanks; returns the number of fields, recording at most <c>fields.Length</c> of them.</summary>
    private static int Split(ReadOnlySpan<char> line, Span<Range> fields)
    {
        int count = 0, i = 0;
        while (true)
        {
            while (i < line.Length && IsBlank(line[i])) i++;
            if (i == line.Length) return count;
            int start = i;
            while (i < line.Length && !IsBlank(line[i])) i++;
            if (count < fields.Length) fields[count] = start..i;
            count++;
        }
    }

    private static bool IsBlank(char c) => c is ' ' or '\t' or '\r' or '\f' or '\v';

    private static string Abbreviate(ReadOnlySpan<char> text)
        => text.Length <= 40 ? text.ToString() : string.Concat(text[..40], "...");
}

/// <summary>
/// A Matrix Market input is malformed. The message has the form <c>source:line: detail</c> (or <c>source: detail</c>
/// when no line applies), e.g. <c>b.mtx:7: expected 3 fields 'row column value', found 2</c>.
/// </summary>
/// <remarks>Thread safety: immutable after construction.</remarks>
public sealed class MatrixMarketFormatException : FormatException
{
    /// <summary>Creates the exception for <paramref name="sourceName"/> at 1-based <paramref name="lineNumber"/> (0 when no line applies).</summary>
    public MatrixMarketFormatException(string sourceName, long lineNumber, string detail)
        : base(lineNumber > 0 ? $"{sourceName}:{lineNumber}: {detail}" : $"{sourceName}: {detail}")
    {
        SourceName = sourceName;
        LineNumber = lineNumber;
        Detail = detail;
    }

    /// <summary>The file name or other source name given to the reader.</summary>
    public string SourceName { get; }

    /// <summary>The 1-based line the problem was found on, or 0 when it concerns no particular line.</summary>
    public long LineNumber { get; }

    /// <summary>The message without the <c>source:line:</c> prefix.</summary>
    public string Detail { get; }
}
