using System.Numerics;

namespace Solvers.Mfac;

/// <summary>
/// The inverse of the damped empirical Fisher F = lambda I + (1/n) sum_i g_i g_i' over the last n &lt;= m pushed
/// gradients (M-FAC, Frantar, Kurtic and Alistarh, NeurIPS 2021, sliding-window algorithm), applied matrix-free.
/// The gradients sit in a ring buffer with their Gram matrix G G' kept up to date, so a push costs one new
/// row of it (O(d m)) plus the O(m^3) recursion redone in ring order, oldest first, and a product O(d m + m^2).
/// Not thread-safe: a push must not overlap any other call. With <see cref="MfacOptions.Backend"/> set, the ring
/// buffer is mirrored slot for slot on the backend and the length-d products run on its Dense kernels; dispose to
/// free device buffers when Backend is set (a no-op otherwise).
/// </summary>
/// <typeparam name="T">Storage and vector type, float or double; the m x m work is always in double.</typeparam>
public sealed class SlidingMfac<T> : IInverseFisher<T>, IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _rows;
    private readonly double[] _gram; // indexed by ring slot, not by age
    private readonly double _invLambda;
    private readonly MfacDevice<T>? _device; // the ring buffer mirrored on Options.Backend (m x d, by slot), or null
    private int[] _order = [];       // slots from oldest to newest: the recursion order
    private double[] _w = [];        // W for the gradients in _order, Count x Count
    private int _head;               // slot the next push overwrites

    /// <summary>An empty window (F = lambda I until the first push).</summary>
    /// <param name="dimension">d, the length of each gradient.</param>
    /// <param name="options">Lambda and the window size m.</param>
    public SlidingMfac(int dimension, MfacOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        options.RequireSingleBlock(dimension, "SlidingMfac<T>");
        Dimension = dimension;
        Options = options;
        _invLambda = 1 / options.Lambda;
        _rows = new T[(long)options.WindowSize * dimension];
        _gram = new double[options.WindowSize * options.WindowSize];
        if (options.Backend is { } backend) _device = new MfacDevice<T>(backend, options.WindowSize, dimension);
    }

    /// <summary>d, the length of the gradients and of the vectors multiplied.</summary>
    public int Dimension { get; }

    /// <summary>The options it was built with.</summary>
    public MfacOptions Options { get; }

    /// <summary>Gradients held: the pushes so far up to m; F averages over these, with 1/Count in place of 1/m.</summary>
    public int Count { get; private set; }

    /// <summary>Successful pushes since construction; the index a rejected gradient is reported under.</summary>
    public long Pushes { get; private set; }

    /// <summary>
    /// Adds a gradient, dropping the oldest once m are held: O(d m) for its Gram row and O(m^3) for the recursion.
    /// The gradient is copied.
    /// </summary>
    /// <exception cref="ArgumentException">The length is not d, or an entry is NaN or infinite; nothing changes.</exception>
    public void Push(ReadOnlySpan<T> gradient)
    {
        if (gradient.Length != Dimension)
            throw new ArgumentException($"Gradient {Pushes} has length {gradient.Length}, expected d = {Dimension}.", nameof(gradient));
        int bad = MfacCore.FirstNonFinite(gradient);
        if (bad >= 0)
            throw new ArgumentException($"Gradient {Pushes} has the non-finite entry {gradient[bad]} at index {bad}; the window is unchanged.", nameof(gradient));

        int m = Options.WindowSize, d = Dimension, slot = _head;
        _device?.SetRow(slot, gradient);
        gradient.CopyTo(new Span<T>(_rows, slot * d, d));
        // Every other slot in use stays in the window: when full, the overwritten slot was the only one to leave.
        int used = Math.Max(Count, slot + 1);
        var dots = new double[used];
        MfacCore.RowDots(_rows, MfacCore.Identity(used), used, d, new ReadOnlySpan<T>(_rows, slot * d, d), dots);
        for (int j = 0; j < used; j++) _gram[slot * m + j] = _gram[j * m + slot] = dots[j];

        _head = (slot + 1) % m;
        Count = Math.Min(Count + 1, m);
        Pushes++;

        int n = Count;
        var order = new int[n];
        int oldest = n < m ? 0 : _head;
        for (int t = 0; t < n; t++) order[t] = (oldest + t) % m;
        var gram = new double[n * n];
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++) gram[a * n + b] = _gram[order[a] * m + order[b]];
        _w = MfacCore.Coefficients(gram, n, Options.Lambda, n);
        _order = order;
    }

    /// <summary>result = F^-1 x in O(d n + n^2): q = G x, c = W' W q, result = x / lambda - G' c. result may not overlap x.</summary>
    /// <exception cref="ArgumentException">x or result does not have length d, or x holds NaN or infinity.</exception>
    public void InverseTimes(ReadOnlySpan<T> x, Span<T> result)
    {
        CheckLength(x.Length, nameof(x));
        CheckLength(result.Length, nameof(result));
        // NaN or infinity in x used to come back as a NaN product without a word; the O(d) scan is small next to the O(d m) product.
        int bad = MfacCore.FirstNonFinite(x);
        if (bad >= 0) throw new ArgumentException($"x[{bad}] is {x[bad]}: F^-1 x needs a finite x.", nameof(x));
        int n = Count;
        var q = new double[n];
        var y = new double[n];
        if (_device is not null)
        {
            // The device holds all m slots (unused ones zero): G x comes back by slot, reordered to ring order here,
            // and the coefficients go back by slot, zero for the unused ones.
            int m = Options.WindowSize;
            var bySlot = new double[m];
            _device.RowsTimes(x, bySlot);
            for (int t = 0; t < n; t++) q[t] = bySlot[_order[t]];
            MfacCore.Lower(_w, n, q, y);
            MfacCore.LowerTransposed(_w, n, y, q);
            Array.Clear(bySlot);
            for (int t = 0; t < n; t++) bySlot[_order[t]] = -q[t];
            _device.ScaledPlusTransposeTimes(bySlot, T.CreateTruncating(_invLambda), x, result);
            return;
        }
        MfacCore.RowDots(_rows, _order, n, Dimension, x, q);
        MfacCore.Lower(_w, n, q, y);
        MfacCore.LowerTransposed(_w, n, y, q);
        MfacCore.Combine(_rows, _order, n, Dimension, _invLambda, q, x, result);
    }

    /// <summary>[F^-1]_kk = 1/lambda - ||W g^(k)||^2 with g^(k) column k of G: O(n^2), as the mixed rows W G are not kept.</summary>
    /// <exception cref="ArgumentOutOfRangeException">k is outside [0, d).</exception>
    public T InverseDiagonalEntry(int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(k, Dimension);
        int n = Count;
        var column = new double[n];
        var y = new double[n];
        for (int t = 0; t < n; t++) column[t] = double.CreateTruncating(_rows[(long)_order[t] * Dimension + k]);
        MfacCore.Lower(_w, n, column, y);
        double sum = 0;
        foreach (double v in y) sum += v * v;
        return T.CreateTruncating(_invLambda - sum);
    }

    /// <summary>
    /// The whole diagonal of F^-1 in O(d n^2): W G is formed block by block and squared, never stored, since keeping
    /// it up to date would cost O(d m^2) per push.
    /// </summary>
    /// <exception cref="ArgumentException">result does not have length d.</exception>
    public void InverseDiagonal(Span<T> result)
    {
        CheckLength(result.Length, nameof(result));
        if (Count == 0) result.Fill(T.CreateTruncating(_invLambda));
        else MfacTiles.Mix(_w, _rows, _order, Count, Dimension, _invLambda, null, result);
    }

    /// <summary>Frees the device buffers when <see cref="MfacOptions.Backend"/> is set; a no-op on the host path.</summary>
    public void Dispose() => _device?.Dispose();

    private void CheckLength(int length, string name)
    {
        if (length != Dimension) throw new ArgumentException($"Expected length d = {Dimension}, got {length}.", name);
    }
}
