namespace Solvers.Kernels;

/// <summary>
/// Products of a row-major k x d matrix G (<c>g[i*d + j]</c>) with vectors, for k small (the gradients of M-FAC's
/// window, 1 to about a thousand) and d large (the model dimension, up to about 10^7), and the write of one row.
/// Every operation has a double overload (<see cref="DeviceVector"/>) and a float overload
/// (<see cref="DeviceVectorSingle"/>) in which G and the vectors share the precision; the float overloads also
/// accumulate in float, so a caller that needs the k x k algebra in double forms it on the host from their results.
/// Results are deterministic: the summation order depends on k and d only, never on the thread count.
/// All vectors must belong to the backend that exposes the family.
/// </summary>
/// <remarks>Thread safety: as its backend: not safe for concurrent use; give each thread its own backend.</remarks>
public interface IDenseKernels
{
    /// <summary>
    /// y = G x: <c>y_i</c> is the dot product of row i with x. Each dot product is formed as partial sums over fixed
    /// chunks of the row that are then added in chunk order (the chunking differs between backends).
    /// </summary>
    /// <param name="g">The matrix, length k * d.</param>
    /// <param name="k">The number of rows.</param>
    /// <param name="d">The number of columns.</param>
    /// <param name="x">The vector, length d.</param>
    /// <param name="y">The output, length k (overwritten; zero when d is 0).</param>
    /// <exception cref="ArgumentException">
    /// A size is negative, a vector has the wrong length (the message names it with its length and the expected one),
    /// or a vector belongs to another backend.
    /// </exception>
    void RowsTimes(DeviceVector g, int k, int d, DeviceVector x, DeviceVector y);

    /// <inheritdoc cref="RowsTimes(DeviceVector, int, int, DeviceVector, DeviceVector)"/>
    /// <remarks>Accumulates in float.</remarks>
    void RowsTimes(DeviceVectorSingle g, int k, int d, DeviceVectorSingle x, DeviceVectorSingle y);

    /// <summary>
    /// x = G' c: <c>x_j = sum_i c_i g[i*d + j]</c>, one sequential sum over i = 0..k-1 per column on every backend
    /// (a GPU may contract its multiply-adds into FMAs).
    /// </summary>
    /// <param name="g">The matrix, length k * d.</param>
    /// <param name="k">The number of rows.</param>
    /// <param name="d">The number of columns.</param>
    /// <param name="c">The coefficients, length k.</param>
    /// <param name="x">The output, length d (overwritten; zero when k is 0).</param>
    /// <exception cref="ArgumentException">
    /// A size is negative, a vector has the wrong length (the message names it with its length and the expected one),
    /// or a vector belongs to another backend.
    /// </exception>
    void RowsTransposeTimes(DeviceVector g, int k, int d, DeviceVector c, DeviceVector x);

    /// <inheritdoc cref="RowsTransposeTimes(DeviceVector, int, int, DeviceVector, DeviceVector)"/>
    /// <remarks>Accumulates in float.</remarks>
    void RowsTransposeTimes(DeviceVectorSingle g, int k, int d, DeviceVectorSingle c, DeviceVectorSingle x);

    /// <summary>Copies <paramref name="source"/> into row <paramref name="row"/> of G, leaving the other rows as they are.</summary>
    /// <param name="g">The matrix, length k * d.</param>
    /// <param name="k">The number of rows.</param>
    /// <param name="d">The number of columns.</param>
    /// <param name="row">The row to overwrite, 0 &lt;= row &lt; k.</param>
    /// <param name="source">The new row, length d.</param>
    /// <exception cref="ArgumentException">
    /// A size is negative, the row is out of range, a vector has the wrong length (the message names it with its
    /// length and the expected one), or a vector belongs to another backend.
    /// </exception>
    void SetRow(DeviceVector g, int k, int d, int row, DeviceVector source);

    /// <inheritdoc cref="SetRow(DeviceVector, int, int, int, DeviceVector)"/>
    void SetRow(DeviceVectorSingle g, int k, int d, int row, DeviceVectorSingle source);
}

/// <summary>Argument checks of the dense kernels, shared by every backend and both precisions so that errors read the same.</summary>
internal static class DenseChecks
{
    /// <summary>Checks the sizes and the lengths of G x.</summary>
    public static void RowsTimes(int gLength, int k, int d, int xLength, int yLength)
    {
        Matrix(gLength, k, d);
        Length(xLength, "x", d, $"a {k}x{d} G");
        Length(yLength, "y", k, $"a {k}x{d} G");
    }

    /// <summary>Checks the sizes and the lengths of G' c.</summary>
    public static void RowsTransposeTimes(int gLength, int k, int d, int cLength, int xLength)
    {
        Matrix(gLength, k, d);
        Length(cLength, "c", k, $"a {k}x{d} G");
        Length(xLength, "x", d, $"a {k}x{d} G");
    }

    /// <summary>Checks the sizes, the row and the lengths of a row write.</summary>
    public static void SetRow(int gLength, int k, int d, int row, int sourceLength)
    {
        Matrix(gLength, k, d);
        if (row < 0 || row >= k)
            throw new ArgumentOutOfRangeException(nameof(row), row, $"row must be in [0, {k}) for a {k}x{d} G.");
        Length(sourceLength, "source", d, $"a {k}x{d} G");
    }

    private static void Matrix(int gLength, int k, int d)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(d);
        Length(gLength, "g", (long)k * d, $"a {k}x{d} G");
    }

    // Expected lengths are formed in 64 bits: a product past int.MaxValue can never match, and must not wrap into a match.
    private static void Length(int actual, string name, long expected, string shape)
    {
        if (actual != expected)
            throw new ArgumentException($"{name} has length {actual} but {shape} needs length {expected}.", name);
    }
}
