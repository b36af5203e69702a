using Solvers.Sparse;

namespace Solvers.Sketching;

/// <summary>A matrix-free linear operator K (Rows by Columns): products with K and K'.</summary>
/// <remarks>Thread safety: the randomized solvers call an operator from one thread; an instance shared by concurrent solves must be thread-safe (CsrOperator is).</remarks>
public interface ILinearOperator
{
    /// <summary>Number of rows of K (the length of K x).</summary>
    int Rows { get; }

    /// <summary>Number of columns of K (the length of x).</summary>
    int Columns { get; }

    /// <summary>y = K x; y has length <see cref="Rows"/> and is overwritten.</summary>
    void Apply(ReadOnlySpan<double> x, Span<double> y);

    /// <summary>x = K' y; x has length <see cref="Columns"/> and is overwritten.</summary>
    void ApplyTranspose(ReadOnlySpan<double> y, Span<double> x);
}

/// <summary>One sparse row: its column indices and values, of equal length.</summary>
/// <remarks>Thread safety: a read-only view on the stack of one thread; it cannot be shared.</remarks>
public readonly ref struct SparseRow
{
    /// <summary>Wraps a row.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public SparseRow(ReadOnlySpan<int> indices, ReadOnlySpan<double> values)
    {
        if (indices.Length != values.Length)
            throw new ArgumentException($"A sparse row has {indices.Length} indices but {values.Length} values.", nameof(values));
        Indices = indices;
        Values = values;
    }

    /// <summary>The column of each stored entry.</summary>
    public ReadOnlySpan<int> Indices { get; }

    /// <summary>The stored values.</summary>
    public ReadOnlySpan<double> Values { get; }

    /// <summary>The row's dot product with x.</summary>
    public double Dot(ReadOnlySpan<double> x)
    {
        double s = 0;
        for (int p = 0; p < Indices.Length; p++) s += Values[p] * x[Indices[p]];
        return s;
    }
}

/// <summary>An operator whose rows can be read one at a time: what Kaczmarz methods need.</summary>
/// <remarks>Thread safety: as ILinearOperator: called from the solving thread only.</remarks>
public interface IRowAccess : ILinearOperator
{
    /// <summary>Row i of K, 0 &lt;= i &lt; <see cref="ILinearOperator.Rows"/>.</summary>
    SparseRow GetRow(int i);

    /// <summary>||k_i||^2, the squared Euclidean norm of row i.</summary>
    double RowNormSquared(int i);
}

/// <summary>A <see cref="CsrMatrix"/> as an <see cref="ILinearOperator"/> with row access; row norms are computed once.</summary>
/// <remarks>Thread safety: immutable (a view of an immutable CsrMatrix); safe to share between threads.</remarks>
public sealed class CsrOperator : IRowAccess
{
    private readonly int[] _rowPointers, _columns;
    private readonly double[] _values, _rowNormsSquared;

    /// <summary>Wraps a matrix (not copied: it is immutable).</summary>
    public CsrOperator(CsrMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        Matrix = matrix;
        _rowPointers = matrix.RowPointerArray;
        _columns = matrix.ColumnIndexArray;
        _values = matrix.ValueArray;
        _rowNormsSquared = new double[matrix.Rows];
        for (int i = 0; i < matrix.Rows; i++)
        {
            double s = 0;
            for (int p = _rowPointers[i]; p < _rowPointers[i + 1]; p++) s += _values[p] * _values[p];
            _rowNormsSquared[i] = s;
        }
    }

    /// <summary>The wrapped matrix.</summary>
    public CsrMatrix Matrix { get; }

    /// <inheritdoc/>
    public int Rows => Matrix.Rows;

    /// <inheritdoc/>
    public int Columns => Matrix.Columns;

    /// <inheritdoc/>
    public void Apply(ReadOnlySpan<double> x, Span<double> y)
    {
        Check(x.Length, nameof(x), Columns);
        Check(y.Length, nameof(y), Rows);
        Matrix.Multiply(x, y);
    }

    /// <inheritdoc/>
    public void ApplyTranspose(ReadOnlySpan<double> y, Span<double> x)
    {
        Check(y.Length, nameof(y), Rows);
        Check(x.Length, nameof(x), Columns);
        x.Clear();
        for (int i = 0; i < Rows; i++)
        {
            double yi = y[i];
            if (yi == 0) continue;
            for (int p = _rowPointers[i]; p < _rowPointers[i + 1]; p++) x[_columns[p]] += _values[p] * yi;
        }
    }

    /// <inheritdoc/>
    public SparseRow GetRow(int i)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(i);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(i, Rows);
        int start = _rowPointers[i], length = _rowPointers[i + 1] - start;
        return new SparseRow(_columns.AsSpan(start, length), _values.AsSpan(start, length));
    }

    /// <inheritdoc/>
    public double RowNormSquared(int i) => _rowNormsSquared[i];

    private void Check(int length, string name, int expected)
    {
        if (length != expected)
            throw new ArgumentException($"K is {Rows}x{Columns} but {name} has length {length}; expected {expected}.", name);
    }
}
