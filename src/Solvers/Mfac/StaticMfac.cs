using System.Numerics;

namespace Solvers.Mfac;

/// <summary>
/// The inverse of the damped empirical Fisher F = lambda I + (1/m) sum_i g_i g_i' of m fixed gradients of
/// dimension d, applied matrix-free (M-FAC, Frantar, Kurtic and Alistarh, NeurIPS 2021, static algorithm).
/// Construction costs O(d m^2 + m^3): the Gram matrix G G', the recursive Sherman-Morrison coefficients in double,
/// and the mixed rows U = W G with F^-1 = I/lambda - U' U, which replace the gradients (same m x d storage).
/// Products then cost O(d m) and a diagonal entry O(m). Immutable, so safe to share between threads on the host
/// path; with <see cref="MfacOptions.Backend"/> set, U is also uploaded once and the products run on the backend's
/// Dense kernels, which (like the backend) are not safe for concurrent use. Dispose to free device buffers when
/// Backend is set (a no-op otherwise).
/// </summary>
/// <typeparam name="T">Storage and vector type, float or double; the m x m work is always in double.</typeparam>
public sealed class StaticMfac<T> : IInverseFisher<T>, IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _mixed;
    private readonly int[] _order;
    private readonly double _invLambda;
    private readonly MfacDevice<T>? _device; // U mirrored on Options.Backend, or null for the host path

    /// <summary>Builds the inverse from m = <see cref="MfacOptions.WindowSize"/> gradients.</summary>
    /// <param name="gradients">The gradients, row-major m x d: row i is g_i. Copied; not kept.</param>
    /// <param name="dimension">d, the length of each gradient.</param>
    /// <param name="options">Lambda and m.</param>
    /// <exception cref="ArgumentException">The length is not m d, or an entry is NaN or infinite (the row and entry are named).</exception>
    public StaticMfac(ReadOnlySpan<T> gradients, int dimension, MfacOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        options.RequireSingleBlock(dimension, "StaticMfac<T>");
        int m = options.WindowSize;
        MfacCore.CheckGradients(gradients, m, dimension);

        Dimension = dimension;
        Options = options;
        _invLambda = 1 / options.Lambda;
        _order = MfacCore.Identity(m);
        var g = gradients.ToArray();
        var gram = MfacTiles.Gram(g, _order, m, dimension);
        var w = MfacCore.Coefficients(gram, m, options.Lambda, m);
        // U overwrites the copy of G block by block: the setup holds one m x d buffer, not two.
        MfacTiles.Mix(w, g, _order, m, dimension, _invLambda, g, Span<T>.Empty);
        _mixed = g;
        if (options.Backend is { } backend)
        {
            _device = new MfacDevice<T>(backend, m, dimension);
            try { _device.UploadAll(_mixed); }
            catch { _device.Dispose(); throw; }
        }
    }

    /// <summary>d, the length of the gradients and of the vectors multiplied.</summary>
    public int Dimension { get; }

    /// <summary>The options it was built with.</summary>
    public MfacOptions Options { get; }

    /// <summary>
    /// result = F^-1 x in O(d m): q = U x, then result = x / lambda - U' q. result may not overlap x. With a backend,
    /// U x and U' q run on it and the final x / lambda + ... on the host.
    /// </summary>
    /// <exception cref="ArgumentException">x or result does not have length d, or x holds NaN or infinity.</exception>
    public void InverseTimes(ReadOnlySpan<T> x, Span<T> result)
    {
        CheckLength(x.Length, nameof(x));
        CheckLength(result.Length, nameof(result));
        // NaN or infinity in x used to come back as a NaN product without a word; the O(d) scan is small next to the O(d m) product.
        int bad = MfacCore.FirstNonFinite(x);
        if (bad >= 0) throw new ArgumentException($"x[{bad}] is {x[bad]}: F^-1 x needs a finite x.", nameof(x));
        int m = Options.WindowSize;
        Span<double> q = m <= 256 ? stackalloc double[m] : new double[m];
        if (_device is not null)
        {
            _device.RowsTimes(x, q);
            for (int i = 0; i < m; i++) q[i] = -q[i];
            _device.ScaledPlusTransposeTimes(q, T.CreateTruncating(_invLambda), x, result);
            return;
        }
        MfacCore.RowDots(_mixed, _order, m, Dimension, x, q);
        MfacCore.Combine(_mixed, _order, m, Dimension, _invLambda, q, x, result);
    }

    /// <summary>[F^-1]_kk = 1/lambda - sum_i U_ik^2 in O(m) (m strided reads of column k).</summary>
    /// <exception cref="ArgumentOutOfRangeException">k is outside [0, d).</exception>
    public T InverseDiagonalEntry(int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(k, Dimension);
        double sum = 0;
        for (int i = 0, at = k; i < Options.WindowSize; i++, at += Dimension)
        {
            double u = double.CreateTruncating(_mixed[at]);
            sum += u * u;
        }
        return T.CreateTruncating(_invLambda - sum);
    }

    /// <summary>The whole diagonal of F^-1 in O(d m).</summary>
    /// <exception cref="ArgumentException">result does not have length d.</exception>
    public void InverseDiagonal(Span<T> result)
    {
        CheckLength(result.Length, nameof(result));
        MfacCore.DiagonalFromMixed(_mixed, Options.WindowSize, Dimension, _invLambda, result);
    }

    /// <summary>Frees the device buffers when <see cref="MfacOptions.Backend"/> is set; a no-op on the host path.</summary>
    public void Dispose() => _device?.Dispose();

    private void CheckLength(int length, string name)
    {
        if (length != Dimension) throw new ArgumentException($"Expected length d = {Dimension}, got {length}.", name);
    }
}
