using Solvers.Kernels;
using Solvers.Sparse;

namespace Solvers.Sketching;

/// <summary>
/// A random k-by-n sketch S, fixed by its seed: its entries come from <see cref="CounterRandom"/> keyed by
/// (seed, entry index), so the same seed gives the same S on every backend and in every process. Every sketch made by
/// <see cref="Sketches"/> satisfies E[S'S] = I (for row-norm sampling, on the rows of nonzero norm).
/// </summary>
/// <remarks>
/// Thread safety: the host methods may be called concurrently; the device methods may not, since a sketch stored as a
/// sparse matrix caches its upload to the last backend it was applied on. Dispose the sketch to release that upload.
/// </remarks>
public abstract class SketchOperator : IDisposable
{
    /// <summary>Checks and records the shape.</summary>
    private protected SketchOperator(int rows, int columns, ulong seed)
    {
        if (rows <= 0) throw new ArgumentOutOfRangeException("k", rows, $"A sketch needs at least one row; got k = {rows}.");
        if (columns <= 0) throw new ArgumentOutOfRangeException("n", columns, $"A sketch needs at least one column; got n = {columns}.");
        Rows = rows;
        Columns = columns;
        Seed = seed;
    }

    /// <summary>k, the sketch size (the length of S x).</summary>
    public int Rows { get; }

    /// <summary>n, the length of the vectors sketched.</summary>
    public int Columns { get; }

    /// <summary>The seed that fixes the entries.</summary>
    public ulong Seed { get; }

    /// <summary>y = S x on a backend.</summary>
    /// <param name="backend">The backend that owns both vectors.</param>
    /// <param name="x">Length <see cref="Columns"/>.</param>
    /// <param name="y">Length <see cref="Rows"/>; overwritten.</param>
    /// <exception cref="ArgumentException">A length does not match, or a vector belongs to another backend.</exception>
    public void Apply(Backend backend, DeviceVector x, DeviceVector y)
    {
        CheckDevice(backend, x, nameof(x), Columns, y, nameof(y), Rows);
        ApplyDevice(backend, x, y, transpose: false);
    }

    /// <summary>x = S' y on a backend.</summary>
    /// <param name="backend">The backend that owns both vectors.</param>
    /// <param name="y">Length <see cref="Rows"/>.</param>
    /// <param name="x">Length <see cref="Columns"/>; overwritten.</param>
    /// <exception cref="ArgumentException">A length does not match, or a vector belongs to another backend.</exception>
    public void ApplyTranspose(Backend backend, DeviceVector y, DeviceVector x)
    {
        CheckDevice(backend, y, nameof(y), Rows, x, nameof(x), Columns);
        ApplyDevice(backend, y, x, transpose: true);
    }

    /// <summary>y = S x on the host.</summary>
    /// <param name="x">Length <see cref="Columns"/>.</param>
    /// <param name="y">Length <see cref="Rows"/>; overwritten.</param>
    public void Apply(ReadOnlySpan<double> x, Span<double> y)
    {
        CheckLength(x.Length, nameof(x), Columns);
        CheckLength(y.Length, nameof(y), Rows);
        ApplyHost(x, y, transpose: false);
    }

    /// <summary>x = S' y on the host.</summary>
    /// <param name="y">Length <see cref="Rows"/>.</param>
    /// <param name="x">Length <see cref="Columns"/>; overwritten.</param>
    public void ApplyTranspose(ReadOnlySpan<double> y, Span<double> x)
    {
        CheckLength(y.Length, nameof(y), Rows);
        CheckLength(x.Length, nameof(x), Columns);
        ApplyHost(y, x, transpose: true);
    }

    /// <summary>The sketched matrix S A (k by A's columns), formed on the host; A must have <see cref="Columns"/> rows.</summary>
    /// <exception cref="ArgumentException">A has a different number of rows than S has columns.</exception>
    public abstract double[,] Apply(CsrMatrix a);

    /// <summary>S as a dense k-by-n array (for tests and small problems).</summary>
    public abstract double[,] ToDense();

    /// <summary>The device part of <see cref="Apply(Backend, DeviceVector, DeviceVector)"/>, arguments checked.</summary>
    private protected abstract void ApplyDevice(Backend backend, DeviceVector input, DeviceVector output, bool transpose);

    /// <summary>The host part of <see cref="Apply(ReadOnlySpan{double}, Span{double})"/>, arguments checked.</summary>
    private protected abstract void ApplyHost(ReadOnlySpan<double> input, Span<double> output, bool transpose);

    private protected void CheckMatrix(CsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (a.Rows != Columns)
            throw new ArgumentException($"S is {Rows}x{Columns} but A is {a.Rows}x{a.Columns}: S A needs A to have {Columns} rows.", nameof(a));
    }

    private void CheckLength(int length, string name, int expected)
    {
        if (length != expected)
            throw new ArgumentException($"S is {Rows}x{Columns} but {name} has length {length}; expected {expected}.", name);
    }

    private void CheckDevice(Backend backend, DeviceVector input, string inputName, int inputLength,
        DeviceVector output, string outputName, int outputLength)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(input, inputName);
        ArgumentNullException.ThrowIfNull(output, outputName);
        if (!ReferenceEquals(input.Backend, backend))
            throw new ArgumentException($"{inputName} belongs to backend {input.Backend.Name}, not {backend.Name}.", inputName);
        if (!ReferenceEquals(output.Backend, backend))
            throw new ArgumentException($"{outputName} belongs to backend {output.Backend.Name}, not {backend.Name}.", outputName);
        CheckLength(input.Length, inputName, inputLength);
        CheckLength(output.Length, outputName, outputLength);
    }

    /// <summary>Releases any device copy of the sketch.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases any device copy of the sketch.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <inheritdoc/>
    public override string ToString() => $"{GetType().Name} {Rows}x{Columns}, seed {Seed}";
}

/// <summary>
/// A dense Gaussian sketch with entries N(0, 1/k): entry (i, j) is <see cref="CounterRandom.Gaussian"/>(seed, i n + j)
/// / sqrt(k). Nothing is stored: each application regenerates the entries it needs (on a device, in the kernels of
/// <see cref="ISketchKernels"/>).
/// </summary>
/// <remarks>Thread safety: as SketchOperator: the host methods may be called concurrently, the device methods not.</remarks>
public sealed class GaussianSketch : SketchOperator
{
    internal GaussianSketch(int k, int n, ulong seed) : base(k, n, seed)
    {
        if ((ulong)k * (ulong)n > 1UL << 62)
            throw new ArgumentException($"A {k}x{n} Gaussian sketch has more entries than the generator's counters allow (2^62).", nameof(k));
        Scale = 1.0 / Math.Sqrt(k);
    }

    /// <summary>The factor 1/sqrt(k) applied to the standard normal draws.</summary>
    public double Scale { get; }

    /// <summary>Entry (i, j) of S.</summary>
    public double this[int i, int j] => Scale * CounterRandom.Gaussian(Seed, (ulong)i * (ulong)Columns + (ulong)j);

    private protected override void ApplyDevice(Backend backend, DeviceVector input, DeviceVector output, bool transpose)
    {
        if (transpose) backend.Sketch.GaussianApplyTranspose(Seed, Scale, input, output);
        else backend.Sketch.GaussianApply(Seed, Scale, input, output);
    }

    private protected override void ApplyHost(ReadOnlySpan<double> input, Span<double> output, bool transpose)
    {
        // The same sums in the same order as the device kernels, so host and device agree to the last bits of log/cos.
        int k = Rows, n = Columns;
        if (!transpose)
        {
            for (int i = 0; i < k; i++)
            {
                double s = 0.0;
                ulong row = (ulong)i * (ulong)n;
                for (int j = 0; j < n; j++) s += CounterRandom.Gaussian(Seed, row + (ulong)j) * input[j];
                output[i] = Scale * s;
            }
        }
        else
        {
            for (int j = 0; j < n; j++)
            {
                double s = 0.0;
                for (int i = 0; i < k; i++) s += CounterRandom.Gaussian(Seed, (ulong)i * (ulong)n + (ulong)j) * input[i];
                output[j] = Scale * s;
            }
        }
    }

    /// <inheritdoc/>
    public override double[,] Apply(CsrMatrix a)
    {
        CheckMatrix(a);
        int k = Rows, n = Columns;
        var result = new double[k, a.Columns];
        var rp = a.RowPointerArray;
        var ci = a.ColumnIndexArray;
        var v = a.ValueArray;
        // Row i of S A is sum_r S_ir A_r: rows of the result are independent, so they are spread over threads.
        Parallel.For(0, k, i =>
        {
            ulong row = (ulong)i * (ulong)n;
            for (int r = 0; r < n; r++)
            {
                int end = rp[r + 1];
                if (rp[r] == end) continue;
                double g = Scale * CounterRandom.Gaussian(Seed, row + (ulong)r);
                for (int p = rp[r]; p < end; p++) result[i, ci[p]] += g * v[p];
            }
        });
        return result;
    }

    /// <inheritdoc/>
    public override double[,] ToDense()
    {
        var d = new double[Rows, Columns];
        for (int i = 0; i < Rows; i++)
            for (int j = 0; j < Columns; j++) d[i, j] = this[i, j];
        return d;
    }
}

/// <summary>
/// A sketch stored as a sparse k-by-n matrix built on the host from the counter-based generator: sparse sign
/// (CountSketch / SJLT) and row sampling. On a device it is applied as a CSR product with <see cref="ISparseKernels"/>.
/// </summary>
/// <remarks>Thread safety: immutable; its host methods may be called from several threads at once.</remarks>
public sealed class SparseSketch : SketchOperator
{
    private Backend? _backend;
    private DeviceCsr? _device, _deviceTranspose;

    internal SparseSketch(CsrMatrix matrix, ulong seed) : base(matrix.Rows, matrix.Columns, seed)
    {
        Matrix = matrix;
        Transpose = matrix.Transpose();
    }

    /// <summary>S as a CSR matrix.</summary>
    public CsrMatrix Matrix { get; }

    /// <summary>S' as a CSR matrix (kept so that S' y is a row-parallel product too).</summary>
    internal CsrMatrix Transpose { get; }

    /// <summary>S A as a sparse matrix, formed on the host.</summary>
    /// <exception cref="ArgumentException">A has a different number of rows than S has columns.</exception>
    public CsrMatrix ApplySparse(CsrMatrix a)
    {
        CheckMatrix(a);
        return Matrix.Multiply(a);
    }

    /// <inheritdoc/>
    public override double[,] Apply(CsrMatrix a) => ApplySparse(a).ToDense();

    /// <inheritdoc/>
    public override double[,] ToDense() => Matrix.ToDense();

    private protected override void ApplyDevice(Backend backend, DeviceVector input, DeviceVector output, bool transpose)
    {
        if (!ReferenceEquals(_backend, backend))
        {
            ReleaseDevice();
            _device = backend.Upload(Matrix);
            _deviceTranspose = backend.Upload(Transpose);
            _backend = backend;
        }
        backend.Sparse.Multiply(transpose ? _deviceTranspose! : _device!, input, output);
    }

    private protected override void ApplyHost(ReadOnlySpan<double> input, Span<double> output, bool transpose)
        => (transpose ? Transpose : Matrix).Multiply(input, output);

    private void ReleaseDevice()
    {
        _device?.Dispose();
        _deviceTranspose?.Dispose();
        _device = _deviceTranspose = null;
        _backend = null;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) ReleaseDevice();
    }
}

/// <summary>Factories of the sketches; all satisfy E[S'S] = I.</summary>
/// <remarks>Thread safety: stateless; safe to call from several threads at once.</remarks>
public static class Sketches
{
    /// <summary>A dense k-by-n Gaussian sketch, entries N(0, 1/k).</summary>
    /// <exception cref="ArgumentOutOfRangeException">k or n is not positive.</exception>
    public static GaussianSketch Gaussian(int k, int n, ulong seed) => new(k, n, seed);

    /// <summary>
    /// A sparse sign sketch (CountSketch for s = 1, SJLT for larger s): each column holds s nonzeros of value
    /// ±1/sqrt(s) in s distinct rows. Column j uses counters 2 (j s + t) (row, by Floyd's sampling without
    /// replacement) and 2 (j s + t) + 1 (sign), t &lt; s.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">k or n is not positive, or s is not in [1, k].</exception>
    public static SparseSketch SparseSign(int k, int n, int s, ulong seed)
    {
        CheckShape(k, n);
        if (s < 1 || s > k)
            throw new ArgumentOutOfRangeException(nameof(s), s, $"A sparse sign sketch with k = {k} rows needs 1 <= s <= k nonzeros per column; got s = {s}.");
        if ((long)n * s > int.MaxValue)
            throw new ArgumentException($"A {k}x{n} sparse sign sketch with s = {s} would store more than 2^31 entries.", nameof(s));
        var rows = new int[n * s];
        var cols = new int[n * s];
        var vals = new double[n * s];
        double value = 1.0 / Math.Sqrt(s);
        Parallel.For(0, n, j =>
        {
            int baseIndex = j * s;
            // Floyd: for t = k - s .. k - 1 draw r in [0, t]; take r unless already chosen, else t. Gives s distinct
            // rows, every s-subset equally likely, in exactly s draws (no rejection loop to vary between backends).
            for (int q = 0; q < s; q++)
            {
                int t = k - s + q;
                ulong c = 2 * (ulong)(baseIndex + q);
                int r = CounterRandom.Below(seed, c, t + 1);
                for (int p = 0; p < q; p++)
                    if (rows[baseIndex + p] == r) { r = t; break; }
                rows[baseIndex + q] = r;
                cols[baseIndex + q] = j;
                vals[baseIndex + q] = CounterRandom.Rademacher(seed, c + 1) * value;
            }
        });
        return new SparseSketch(CsrMatrix.FromCoordinates(k, n, rows, cols, vals), seed);
    }

    /// <summary>
    /// Uniform row sampling with replacement: row r of S is sqrt(n/k) e_i with i = <see cref="CounterRandom.Below"/>(seed, r, n).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">k or n is not positive.</exception>
    public static SparseSketch UniformRows(int k, int n, ulong seed)
    {
        CheckShape(k, n);
        var picks = new int[k];
        for (int r = 0; r < k; r++) picks[r] = CounterRandom.Below(seed, (ulong)r, n);
        return Sampling(k, n, picks, Enumerable.Repeat(Math.Sqrt((double)n / k), k).ToArray(), seed);
    }

    /// <summary>
    /// Row-norm (importance) sampling for the rows of A, with replacement: row i of A is drawn with probability
    /// p_i = ||a_i||^2 / ||A||_F^2 (inverse CDF of <see cref="CounterRandom.Uniform"/>(seed, r)) and scaled by
    /// 1/sqrt(k p_i), so E[S'S] = I on the rows of nonzero norm and E[(S A)'(S A)] = A'A. S is k by A's rows.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">k is not positive.</exception>
    /// <exception cref="ArgumentException">A has no rows, no nonzero entry, or a non-finite entry.</exception>
    public static SparseSketch RowNorm(int k, CsrMatrix a, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(a);
        CheckShape(k, a.Rows);
        var cumulative = RowNormCumulative(a, nameof(a));
        double total = cumulative[^1];
        var picks = new int[k];
        var scales = new double[k];
        for (int r = 0; r < k; r++)
        {
            int i = SampleCumulative(cumulative, CounterRandom.Uniform(seed, (ulong)r) * total);
            picks[r] = i;
            double p = (cumulative[i + 1] - cumulative[i]) / total;
            scales[r] = 1.0 / Math.Sqrt(k * p);
        }
        return Sampling(k, a.Rows, picks, scales, seed);
    }

    /// <summary>Prefix sums of the squared row norms (length rows + 1), checked to be finite and not all zero.</summary>
    internal static double[] RowNormCumulative(CsrMatrix a, string name)
    {
        var rp = a.RowPointerArray;
        var v = a.ValueArray;
        var cumulative = new double[a.Rows + 1];
        for (int i = 0; i < a.Rows; i++)
        {
            double s = 0;
            for (int p = rp[i]; p < rp[i + 1]; p++) s += v[p] * v[p];
            cumulative[i + 1] = cumulative[i] + s;
        }
        double total = cumulative[^1];
        if (!double.IsFinite(total))
            throw new ArgumentException($"A ({a.Rows}x{a.Columns}) has a non-finite entry or overflowing row norms.", name);
        if (total == 0)
            throw new ArgumentException($"A ({a.Rows}x{a.Columns}) has no nonzero entry: row-norm sampling has nothing to draw.", name);
        return cumulative;
    }

    /// <summary>The row i with cumulative[i] &lt;= target &lt; cumulative[i + 1], skipping rows of zero weight.</summary>
    internal static int SampleCumulative(double[] cumulative, double target)
    {
        int lo = 0, hi = cumulative.Length - 2;
        while (lo < hi)
        {
            int mid = (lo + hi) >> 1;
            if (cumulative[mid + 1] <= target) lo = mid + 1;
            else hi = mid;
        }
        // Rounding can land on a zero-weight row at the end; step back to the last row with weight.
        while (lo > 0 && cumulative[lo + 1] == cumulative[lo]) lo--;
        return lo;
    }

    private static SparseSketch Sampling(int k, int n, int[] picks, double[] scales, ulong seed)
    {
        var rowPointers = new int[k + 1];
        for (int r = 0; r < k; r++) rowPointers[r + 1] = r + 1;
        return new SparseSketch(new CsrMatrix(k, n, rowPointers, picks, scales), seed);
    }

    private static void CheckShape(int k, int n)
    {
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), k, $"A sketch needs at least one row; got k = {k}.");
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, $"A sketch needs at least one column; got n = {n}.");
    }
}
