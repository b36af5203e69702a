using System.Globalization;
using MathNet.Numerics.LinearAlgebra.Double;
using MathNet.Numerics.LinearAlgebra.Storage;

namespace Solvers.Sparse;

/// <summary>
/// A sparse matrix in compressed sparse row (CSR) form: double values, 32-bit indices,
/// column indices sorted and unique within each row. Immutable once built: the arrays are
/// validated on construction and never handed out for writing.
/// </summary>
/// <remarks>Thread safety: immutable, safe to share between threads.</remarks>
public sealed class CsrMatrix
{
    private readonly int[] _rowPointers;
    private readonly int[] _columnIndices;
    private readonly double[] _values;

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Columns { get; }

    /// <summary>Number of stored entries.</summary>
    public int NonZeros => _values.Length;

    /// <summary>Row pointers, length <see cref="Rows"/> + 1; row i occupies [RowPointers[i], RowPointers[i+1]).</summary>
    public ReadOnlySpan<int> RowPointers => _rowPointers;

    /// <summary>Column index of each stored entry, sorted within each row.</summary>
    public ReadOnlySpan<int> ColumnIndices => _columnIndices;

    /// <summary>Value of each stored entry.</summary>
    public ReadOnlySpan<double> Values => _values;

    // Builders inside the library read the arrays without the copies the public spans would force on them.
    internal int[] RowPointerArray => _rowPointers;
    internal int[] ColumnIndexArray => _columnIndices;
    internal double[] ValueArray => _values;

    /// <summary>True when the matrix is square.</summary>
    public bool IsSquare => Rows == Columns;

    /// <summary>Length of the longest row (stored entries).</summary>
    public int MaxRowLength { get; }

    /// <summary>
    /// Builds a CSR matrix from its three arrays, which are copied, and validates them: row pointers start at 0,
    /// are monotone and end at the number of values; column indices are in range and strictly increasing in each
    /// row; values are finite unless <paramref name="allowNonFinite"/> is set.
    /// </summary>
    /// <exception cref="ArgumentException">An array is malformed; the message names it and the offending row.</exception>
    public CsrMatrix(int rows, int columns, ReadOnlySpan<int> rowPointers, ReadOnlySpan<int> columnIndices,
        ReadOnlySpan<double> values, bool allowNonFinite = false)
        : this(rows, columns, rowPointers.ToArray(), columnIndices.ToArray(), values.ToArray(), allowNonFinite, validate: true)
    {
    }

    private CsrMatrix(int rows, int columns, int[] rowPointers, int[] columnIndices, double[] values,
        bool allowNonFinite, bool validate)
    {
        if (rows < 0) throw new ArgumentOutOfRangeException(nameof(rows), rows, "The number of rows must be non-negative.");
        if (columns < 0) throw new ArgumentOutOfRangeException(nameof(columns), columns, "The number of columns must be non-negative.");
        if (validate) Validate(rows, columns, rowPointers, columnIndices, values, allowNonFinite);
        Rows = rows;
        Columns = columns;
        _rowPointers = rowPointers;
        _columnIndices = columnIndices;
        _values = values;
        int maxLen = 0;
        for (int i = 0; i < rows; i++) maxLen = Math.Max(maxLen, rowPointers[i + 1] - rowPointers[i]);
        MaxRowLength = maxLen;
    }

    /// <summary>Wraps arrays that the caller guarantees are valid and will not change (internal builders only).</summary>
    internal static CsrMatrix FromTrustedArrays(int rows, int columns, int[] rowPointers, int[] columnIndices, double[] values)
        => new(rows, columns, rowPointers, columnIndices, values, allowNonFinite: true, validate: false);

    private static void Validate(int rows, int columns, int[] rp, int[] ci, double[] v, bool allowNonFinite)
    {
        if (rp.Length != rows + 1)
            throw new ArgumentException($"rowPointers has length {rp.Length}; a {rows}x{columns} CSR matrix needs {rows + 1}.", "rowPointers");
        if (ci.Length != v.Length)
            throw new ArgumentException($"columnIndices has length {ci.Length} but values has length {v.Length}; they must match.", "columnIndices");
        if (rp[0] != 0)
            throw new ArgumentException($"rowPointers[0] is {rp[0]}; it must be 0.", "rowPointers");
        if (rp[rows] != v.Length)
            throw new ArgumentException($"rowPointers[{rows}] is {rp[rows]} but there are {v.Length} values.", "rowPointers");
        for (int i = 0; i < rows; i++)
        {
            int start = rp[i], end = rp[i + 1];
            if (end < start)
                throw new ArgumentException($"rowPointers is not monotone at row {i}: {start} then {end}.", "rowPointers");
            for (int k = start; k < end; k++)
            {
                int c = ci[k];
                if ((uint)c >= (uint)columns)
                    throw new ArgumentException($"Column index {c} in row {i} is out of range [0, {columns}).", "columnIndices");
                if (k > start && c <= ci[k - 1])
                    throw new ArgumentException($"Column indices in row {i} are not strictly increasing ({ci[k - 1]} then {c}).", "columnIndices");
                if (!allowNonFinite && !double.IsFinite(v[k]))
                    throw new ArgumentException($"Entry ({i}, {c}) is {v[k].ToString(CultureInfo.InvariantCulture)}; pass allowNonFinite to store non-finite values.", "values");
            }
        }
    }

    /// <summary>
    /// Builds a CSR matrix from coordinate (COO) triplets; duplicate (row, column) pairs are summed, as in
    /// Matrix Market and SciPy. Duplicates are added in input order (the first value, then each later one), so the
    /// result is the same as accumulating the triplets one by one into a dense matrix. Explicit zeros are stored.
    /// </summary>
    /// <exception cref="ArgumentException">The arrays differ in length, an index is out of range, a value is not
    /// finite, or (unless <paramref name="allowNonFinite"/> is set) duplicates sum to a non-finite value; the message
    /// names the first offending triplet.</exception>
    public static CsrMatrix FromCoordinates(int rows, int columns, ReadOnlySpan<int> rowIndices,
        ReadOnlySpan<int> columnIndices, ReadOnlySpan<double> values, bool allowNonFinite = false)
    {
        var m = TryFromCoordinates(rows, columns, rowIndices, columnIndices, values, allowNonFinite, out int overflow, out double sum);
        if (m is null)
        {
            int r = rowIndices[overflow], c = columnIndices[overflow];
            throw new ArgumentException(
                $"Triplet {overflow} ({r}, {c}) brings the sum of the duplicates at ({r}, {c}) to {sum.ToString(CultureInfo.InvariantCulture)}; pass allowNonFinite to store non-finite values.",
                nameof(values));
        }
        return m;
    }

    /// <summary>
    /// <see cref="FromCoordinates"/>, except that duplicates summing to a non-finite value (only checked when
    /// <paramref name="allowNonFinite"/> is false) return null with the input index of the triplet whose addition
    /// overflowed and the sum it produced. Other invalid input throws as in <see cref="FromCoordinates"/>.
    /// </summary>
    internal static CsrMatrix? TryFromCoordinates(int rows, int columns, ReadOnlySpan<int> rowIndices,
        ReadOnlySpan<int> columnIndices, ReadOnlySpan<double> values, bool allowNonFinite, out int overflowTriplet, out double overflowSum)
    {
        overflowTriplet = -1;
        overflowSum = 0;
        if (rows < 0) throw new ArgumentOutOfRangeException(nameof(rows), rows, "The number of rows must be non-negative.");
        if (columns < 0) throw new ArgumentOutOfRangeException(nameof(columns), columns, "The number of columns must be non-negative.");
        if (rowIndices.Length != columnIndices.Length || rowIndices.Length != values.Length)
            throw new ArgumentException(
                $"rowIndices, columnIndices and values have lengths {rowIndices.Length}, {columnIndices.Length} and {values.Length}; they must be equal.",
                nameof(rowIndices));
        int count = values.Length;
        var rowCounts = new int[rows + 1];
        for (int k = 0; k < count; k++)
        {
            int r = rowIndices[k], c = columnIndices[k];
            if ((uint)r >= (uint)rows)
                throw new ArgumentException($"Triplet {k}: row index {r} is out of range [0, {rows}).", nameof(rowIndices));
            if ((uint)c >= (uint)columns)
                throw new ArgumentException($"Triplet {k}: column index {c} is out of range [0, {columns}).", nameof(columnIndices));
            if (!allowNonFinite && !double.IsFinite(values[k]))
                throw new ArgumentException($"Triplet {k} ({r}, {c}) is {values[k].ToString(CultureInfo.InvariantCulture)}; pass allowNonFinite to store non-finite values.", nameof(values));
            rowCounts[r + 1]++;
        }
        for (int i = 0; i < rows; i++) rowCounts[i + 1] += rowCounts[i];
        var next = (int[])rowCounts.Clone();
        // Sort key (column, input position): unique, so the unstable sort below still keeps duplicates in input
        // order and their sum does not depend on the sort's internals.
        var keys = new long[count];
        var vals = new double[count];
        for (int k = 0; k < count; k++)
        {
            int slot = next[rowIndices[k]]++;
            keys[slot] = ((long)columnIndices[k] << 32) | (uint)k;
            vals[slot] = values[k];
        }
        // Sort each row by column, then sum duplicates in place.
        var cols = new int[count];
        var rp = new int[rows + 1];
        int write = 0;
        for (int i = 0; i < rows; i++)
        {
            int start = rowCounts[i], end = rowCounts[i + 1];
            Array.Sort(keys, vals, start, end - start);
            rp[i] = write;
            for (int k = start; k < end; k++)
            {
                int c = (int)(keys[k] >> 32);
                if (write > rp[i] && cols[write - 1] == c)
                {
                    double sum = vals[write - 1] + vals[k];
                    vals[write - 1] = sum;
                    if (!allowNonFinite && !double.IsFinite(sum))
                    {
                        overflowTriplet = (int)(uint)keys[k];
                        overflowSum = sum;
                        return null;
                    }
                }
                else { cols[write] = c; vals[write] = vals[k]; write++; }
            }
        }
        rp[rows] = write;
        if (write != count)
        {
            Array.Resize(ref cols, write);
            Array.Resize(ref vals, write);
        }
        return new CsrMatrix(rows, columns, rp, cols, vals, allowNonFinite: true, validate: false);
    }

    /// <summary>Builds a CSR matrix from a dense row-major array, keeping entries whose magnitude exceeds <paramref name="dropTolerance"/>.</summary>
    public static CsrMatrix FromDense(double[,] dense, double dropTolerance = 0.0)
    {
        ArgumentNullException.ThrowIfNull(dense);
        if (!(dropTolerance >= 0)) throw new ArgumentOutOfRangeException(nameof(dropTolerance), dropTolerance, "The drop tolerance must be non-negative.");
        int rows = dense.GetLength(0), cols = dense.GetLength(1);
        var rp = new int[rows + 1];
        var ci = new List<int>();
        var v = new List<double>();
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                double a = dense[i, j];
                if (!double.IsFinite(a))
                    throw new ArgumentException($"Entry ({i}, {j}) is {a.ToString(CultureInfo.InvariantCulture)}: CSR matrices hold finite values.", nameof(dense));
                if (Math.Abs(a) > dropTolerance) { ci.Add(j); v.Add(a); }
            }
            rp[i + 1] = v.Count;
        }
        return new CsrMatrix(rows, cols, rp, ci.ToArray(), v.ToArray(), allowNonFinite: false, validate: false);
    }

    /// <summary>Converts a MathNet matrix (sparse or dense) to CSR, keeping its stored non-zeros.</summary>
    public static CsrMatrix FromMathNet(MathNet.Numerics.LinearAlgebra.Matrix<double> matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (matrix.Storage is SparseCompressedRowMatrixStorage<double> s)
        {
            int nnz = s.RowPointers[matrix.RowCount];
            return new CsrMatrix(matrix.RowCount, matrix.ColumnCount, s.RowPointers.AsSpan(0, matrix.RowCount + 1),
                s.ColumnIndices.AsSpan(0, nnz), s.Values.AsSpan(0, nnz));
        }
        var rows = new List<int>();
        var cols = new List<int>();
        var vals = new List<double>();
        foreach (var (i, j, a) in matrix.EnumerateIndexed(MathNet.Numerics.LinearAlgebra.Zeros.AllowSkip))
        {
            rows.Add(i); cols.Add(j); vals.Add(a);
        }
        return FromCoordinates(matrix.RowCount, matrix.ColumnCount, rows.ToArray(), cols.ToArray(), vals.ToArray());
    }

    /// <summary>Converts to a MathNet <see cref="SparseMatrix"/> (a copy).</summary>
    public SparseMatrix ToMathNet()
        => (SparseMatrix)SparseMatrix.Build.SparseFromCompressedSparseRowFormat(Rows, Columns, NonZeros,
            (int[])_rowPointers.Clone(), (int[])_columnIndices.Clone(), (double[])_values.Clone());

    /// <summary>Converts to a dense row-major array (for small matrices and tests).</summary>
    public double[,] ToDense()
    {
        var d = new double[Rows, Columns];
        for (int i = 0; i < Rows; i++)
            for (int k = _rowPointers[i]; k < _rowPointers[i + 1]; k++) d[i, _columnIndices[k]] = _values[k];
        return d;
    }

    /// <summary>The stored value at (row, column), or 0 when the entry is not stored.</summary>
    public double this[int row, int column]
    {
        get
        {
            if ((uint)row >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(row), row, $"Row must be in [0, {Rows}).");
            if ((uint)column >= (uint)Columns) throw new ArgumentOutOfRangeException(nameof(column), column, $"Column must be in [0, {Columns}).");
            int start = _rowPointers[row];
            int k = Array.BinarySearch(_columnIndices, start, _rowPointers[row + 1] - start, column);
            return k >= 0 ? _values[k] : 0.0;
        }
    }

    /// <summary>y = A x on the host (a plain scalar loop: the reference for kernel conformance tests).</summary>
    public void Multiply(ReadOnlySpan<double> x, Span<double> y)
    {
        if (x.Length != Columns) throw new ArgumentException($"x has length {x.Length}; A is {Rows}x{Columns}.", nameof(x));
        if (y.Length != Rows) throw new ArgumentException($"y has length {y.Length}; A is {Rows}x{Columns}.", nameof(y));
        for (int i = 0; i < Rows; i++)
        {
            double s = 0;
            for (int k = _rowPointers[i]; k < _rowPointers[i + 1]; k++) s += _values[k] * x[_columnIndices[k]];
            y[i] = s;
        }
    }

    /// <summary>Returns A x as a new array.</summary>
    public double[] Multiply(ReadOnlySpan<double> x)
    {
        var y = new double[Rows];
        Multiply(x, y);
        return y;
    }

    /// <summary>
    /// The sparse product A B (Gustavson's row-by-row algorithm with a dense accumulator; columns sorted in each
    /// row), in parallel over blocks of rows. Entries that cancel to exactly zero are kept, so the pattern is the
    /// structural product.
    /// </summary>
    /// <exception cref="ArgumentException">The inner dimensions differ.</exception>
    public CsrMatrix Multiply(CsrMatrix b)
    {
        ArgumentNullException.ThrowIfNull(b);
        if (Columns != b.Rows)
            throw new ArgumentException($"A is {Rows}x{Columns} but B is {b.Rows}x{b.Columns}: inner dimensions differ.", nameof(b));
        // Blocks are a function of the size only, so the result does not depend on the thread count.
        int blockRows = Math.Max(256, Rows / 64 + 1);
        int blocks = (Rows + blockRows - 1) / blockRows;
        var blockCols = new int[blocks][];
        var blockVals = new double[blocks][];
        var rowCounts = new int[Rows + 1];
        Parallel.For(0, blocks,
            () => (Marker: Filled(b.Columns, -1), Acc: new double[b.Columns]),
            (blk, _, scratch) =>
            {
                int r0 = blk * blockRows, r1 = Math.Min(Rows, r0 + blockRows);
                // Symbolic pass: the exact size of the block's rows.
                int total = 0;
                for (int i = r0; i < r1; i++)
                {
                    int count = 0;
                    for (int ka = _rowPointers[i]; ka < _rowPointers[i + 1]; ka++)
                    {
                        int k = _columnIndices[ka];
                        for (int kb = b._rowPointers[k]; kb < b._rowPointers[k + 1]; kb++)
                        {
                            int j = b._columnIndices[kb];
                            if (scratch.Marker[j] != i) { scratch.Marker[j] = i; count++; }
                        }
                    }
                    rowCounts[i + 1] = count;
                    total += count;
                }
                var cols = new int[total];
                var vals = new double[total];
                int w = 0;
                for (int i = r0; i < r1; i++)
                {
                    int start = w;
                    for (int ka = _rowPointers[i]; ka < _rowPointers[i + 1]; ka++)
                    {
                        int k = _columnIndices[ka];
                        double aik = _values[ka];
                        for (int kb = b._rowPointers[k]; kb < b._rowPointers[k + 1]; kb++)
                        {
                            int j = b._columnIndices[kb];
                            // The symbolic pass left marker[j] == i; flip to -2 - i on first touch in this pass.
                            if (scratch.Marker[j] != -2 - i)
                            {
                                scratch.Marker[j] = -2 - i;
                                scratch.Acc[j] = 0;
                                cols[w++] = j;
                            }
                            scratch.Acc[j] += aik * b._values[kb];
                        }
                    }
                    cols.AsSpan(start, w - start).Sort();
                    for (int t = start; t < w; t++) vals[t] = scratch.Acc[cols[t]];
                }
                blockCols[blk] = cols;
                blockVals[blk] = vals;
                return scratch;
            },
            _ => { });
        for (int i = 0; i < Rows; i++) rowCounts[i + 1] += rowCounts[i];
        int nnz = rowCounts[Rows];
        var ci = new int[nnz];
        var v = new double[nnz];
        int offset = 0;
        for (int blk = 0; blk < blocks; blk++)
        {
            blockCols[blk].CopyTo(ci, offset);
            blockVals[blk].CopyTo(v, offset);
            offset += blockCols[blk].Length;
        }
        return new CsrMatrix(Rows, b.Columns, rowCounts, ci, v, allowNonFinite: true, validate: false);
    }

    private static int[] Filled(int length, int value)
    {
        var a = new int[length];
        Array.Fill(a, value);
        return a;
    }

    /// <summary>The transpose, as a new CSR matrix.</summary>
    public CsrMatrix Transpose()
    {
        var rp = new int[Columns + 1];
        foreach (int c in _columnIndices) rp[c + 1]++;
        for (int j = 0; j < Columns; j++) rp[j + 1] += rp[j];
        var next = (int[])rp.Clone();
        var ci = new int[NonZeros];
        var v = new double[NonZeros];
        for (int i = 0; i < Rows; i++)
            for (int k = _rowPointers[i]; k < _rowPointers[i + 1]; k++)
            {
                int slot = next[_columnIndices[k]]++;
                ci[slot] = i;
                v[slot] = _values[k];
            }
        return new CsrMatrix(Columns, Rows, rp, ci, v, allowNonFinite: true, validate: false);
    }

    /// <summary>True when the matrix is square and equal to its transpose within <paramref name="relativeTolerance"/> of the largest entry.</summary>
    public bool IsSymmetric(double relativeTolerance = 0.0)
    {
        if (!IsSquare) return false;
        var t = Transpose();
        double scale = 0;
        foreach (double a in _values) scale = Math.Max(scale, Math.Abs(a));
        double tol = relativeTolerance * scale;
        if (!t._rowPointers.AsSpan().SequenceEqual(_rowPointers) || !t._columnIndices.AsSpan().SequenceEqual(_columnIndices))
        {
            // Patterns differ; fall back to entry-wise comparison through lookups (explicit zeros may differ).
            for (int i = 0; i < Rows; i++)
                for (int k = _rowPointers[i]; k < _rowPointers[i + 1]; k++)
                    if (Math.Abs(_values[k] - this[_columnIndices[k], i]) > tol) return false;
            return true;
        }
        for (int k = 0; k < NonZeros; k++)
            if (Math.Abs(_values[k] - t._values[k]) > tol) return false;
        return true;
    }

    /// <summary>The main diagonal (zeros where not stored).</summary>
    public double[] Diagonal()
    {
        int n = Math.Min(Rows, Columns);
        var d = new double[n];
        for (int i = 0; i < n; i++)
        {
            int start = _rowPointers[i];
            int k = Array.BinarySearch(_columnIndices, start, _rowPointers[i + 1] - start, i);
            if (k >= 0) d[i] = _values[k];
        }
        return d;
    }

    /// <summary>Index of the first non-finite value, or -1 when all values are finite.</summary>
    public int IndexOfNonFinite()
    {
        for (int k = 0; k < _values.Length; k++) if (!double.IsFinite(_values[k])) return k;
        return -1;
    }

    /// <summary>The row that holds stored entry <paramref name="entryIndex"/>.</summary>
    public int RowOfEntry(int entryIndex)
    {
        if ((uint)entryIndex >= (uint)NonZeros)
            throw new ArgumentOutOfRangeException(nameof(entryIndex), entryIndex, $"Entry index must be in [0, {NonZeros}).");
        // The largest i with RowPointers[i] <= entryIndex is never an empty row, so it owns the entry.
        int lo = 0, hi = Rows - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) >>> 1;
            if (_rowPointers[mid] <= entryIndex) lo = mid; else hi = mid - 1;
        }
        return lo;
    }

    /// <inheritdoc/>
    public override string ToString() => $"CsrMatrix {Rows}x{Columns}, {NonZeros} stored entries";
}
