using Solvers.Sparse;

namespace Solvers.Kernels;

/// <summary>
/// A <see cref="Coloring"/> in a backend's memory: the rows grouped by color, and where each color starts.
/// Made by <see cref="ISorKernels.UploadColoring"/>; dispose it to release device memory.
/// </summary>
/// <remarks>Thread safety: belongs to one backend and, like the backend, is not safe for concurrent use.</remarks>
public abstract class DeviceColoring : IDisposable
{
    /// <summary>Creates a coloring handle, keeping a host copy of the color starts (they size the launches).</summary>
    protected DeviceColoring(Backend backend, Coloring coloring)
    {
        ArgumentNullException.ThrowIfNull(coloring);
        Backend = backend;
        RowCount = coloring.RowCount;
        Colors = coloring.Colors;
        ColorStart = (int[])coloring.ColorStart.Clone();
    }

    /// <summary>The backend that owns the memory.</summary>
    public Backend Backend { get; }

    /// <summary>Number of rows colored (must equal the matrix's rows).</summary>
    public int RowCount { get; }

    /// <summary>Number of colors, i.e. kernel launches per sweep.</summary>
    public int Colors { get; }

    /// <summary>Host copy of where each color starts in the grouped row list; length <see cref="Colors"/> + 1.</summary>
    internal int[] ColorStart { get; }

    /// <summary>Releases device memory.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases device memory.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>
/// Gauss-Seidel and SOR sweeps: x_i &lt;- x_i + omega * inverseDiagonal_i * (b_i - sum_j a_ij x_j), the sum over the
/// whole row with the current x (diagonal included). The inverse diagonal is passed in so that it is formed once
/// per matrix: <see cref="ISparseKernels.Diagonal"/> then <see cref="IBlasKernels.Reciprocal"/>.
/// All vectors belong to the backend and have the matrix's size; the matrix is square.
/// </summary>
/// <remarks>Thread safety: as its backend: not safe for concurrent use; give each thread its own backend.</remarks>
public interface ISorKernels
{
    /// <summary>Copies a coloring to the device; it must be valid for the matrices it is used with (<see cref="Coloring.IsValidFor"/>).</summary>
    DeviceColoring UploadColoring(Coloring coloring);

    /// <summary>
    /// One SOR sweep in the multicolor ordering: color by color (last color first when <paramref name="backward"/>),
    /// all rows of a color in parallel, one kernel launch per color. Rows of one color share no stored entry, so the
    /// result equals sequential SOR visiting the rows in <see cref="Coloring.Rows"/> order (reversed when backward).
    /// </summary>
    /// <param name="a">The square matrix.</param>
    /// <param name="inverseDiagonal">1 / a_ii for each row.</param>
    /// <param name="coloring">A coloring valid for <paramref name="a"/>; an invalid one races between rows.</param>
    /// <param name="b">The right-hand side.</param>
    /// <param name="x">The iterate, updated in place.</param>
    /// <param name="omega">The relaxation factor, 0 &lt; omega &lt; 2 (1: Gauss-Seidel).</param>
    /// <param name="backward">Visit the colors in reverse order (the second half of a symmetric sweep).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="omega"/> is not in (0, 2).</exception>
    /// <exception cref="ArgumentException">A size does not match the matrix, or an argument belongs to another backend.</exception>
    void SweepMulticolor(DeviceCsr a, DeviceVector inverseDiagonal, DeviceColoring coloring, DeviceVector b, DeviceVector x, double omega, bool backward);

    /// <summary>
    /// One classic SOR sweep in natural order (rows 0 to n-1, or n-1 to 0 when <paramref name="backward"/>), each
    /// row using the rows updated before it: inherently sequential, so single-threaded, and available on the CPU
    /// backend only.
    /// </summary>
    /// <param name="a">The square matrix.</param>
    /// <param name="inverseDiagonal">1 / a_ii for each row.</param>
    /// <param name="b">The right-hand side.</param>
    /// <param name="x">The iterate, updated in place.</param>
    /// <param name="omega">The relaxation factor, 0 &lt; omega &lt; 2 (1: Gauss-Seidel).</param>
    /// <param name="backward">Visit the rows from last to first.</param>
    /// <exception cref="NotSupportedException">On a GPU (ILGPU) backend: use <see cref="SweepMulticolor"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="omega"/> is not in (0, 2).</exception>
    /// <exception cref="ArgumentException">A size does not match the matrix, or an argument belongs to another backend.</exception>
    void SweepSequential(DeviceCsr a, DeviceVector inverseDiagonal, DeviceVector b, DeviceVector x, double omega, bool backward);
}

/// <summary>Argument checks of the SOR kernels.</summary>
internal static class SorChecks
{
    public static void Omega(double omega)
    {
        if (!(omega > 0.0 && omega < 2.0))
            throw new ArgumentOutOfRangeException(nameof(omega), omega,
                $"SOR converges only for 0 < omega < 2; got omega = {omega}.");
    }

    /// <summary>A square, inverse diagonal, b and x all of the matrix's size.</summary>
    public static void Shapes(DeviceCsr a, DeviceVector inverseDiagonal, DeviceVector b, DeviceVector x)
    {
        if (a.Rows != a.Columns)
            throw new ArgumentException($"SOR needs a square matrix; A is {a.Rows}x{a.Columns}.", nameof(a));
        Length(a, inverseDiagonal, nameof(inverseDiagonal));
        Length(a, b, nameof(b));
        Length(a, x, nameof(x));
    }

    private static void Length(DeviceCsr a, DeviceVector v, string name)
    {
        if (v.Length != a.Rows)
            throw new ArgumentException($"A is {a.Rows}x{a.Columns} but {name} has length {v.Length}.", name);
    }

    public static T Coloring<T>(Backend backend, DeviceCsr a, DeviceColoring coloring) where T : DeviceColoring
    {
        ArgumentNullException.ThrowIfNull(coloring);
        if (coloring is not T t || !ReferenceEquals(coloring.Backend, backend))
            throw new ArgumentException($"coloring belongs to backend {coloring.Backend.Name}, not {backend.Name}.", nameof(coloring));
        if (coloring.RowCount != a.Rows)
            throw new ArgumentException($"coloring covers {coloring.RowCount} rows but A has {a.Rows} rows.", nameof(coloring));
        return t;
    }
}
