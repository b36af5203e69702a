using Solvers.Sketching;
using Solvers.Sparse;

namespace Solvers.Optimization.Problems;

/// <summary>
/// Logistic regression with equality constraints, the benchmark of Hong, Na, Mahoney and Kolar, "Constrained
/// Optimization via Exact Augmented Lagrangian and Randomized Iterative Sketching" (ICML 2023):
/// min f(x) = (1/N) sum_i log(1 + exp(-y_i a_i'x)) s.t. A x = b and ||x||^2 = 1.
/// </summary>
/// <remarks>
/// <para>As in the authors' code (github.com/IlgeeHong/AdaSketch-Newton, ConstrainedLogisticRegression), A and b
/// have independent standard normal entries and the starting point is the all-ones vector (infeasible for the
/// norm constraint unless d = 1). Their experiments use 10 linear constraints; the default here is 5. The normal
/// variates come from <see cref="CounterRandom.Gaussian"/>, so a seed reproduces A and b on any machine.</para>
/// <para>m = linear constraints + 1: rows 0..m-2 are A x - b, the last row is ||x||^2 - 1. The Lagrangian
/// Hessian is (1/N) sum_i s_i (1 - s_i) a_i a_i' + 2 lambda_last I with s_i = sigmoid(y_i a_i'x), formed sparsely
/// as W'W with W = diag(sqrt(w)) A, so it is d x d and as dense as the features' column co-occurrence.</para>
/// <para>Thread safety: immutable after construction.</para>
/// </remarks>
public sealed class ConstrainedLogisticRegression : EqualityConstrainedProblem
{
    private readonly CsrMatrix _features;
    private readonly double[] _labels;
    private readonly double[] _a; // linear constraint matrix, row-major, mLin x d
    private readonly double[] _b;
    private readonly int _mLin;
    private readonly string _name;

    /// <summary>Creates the problem from sparse features (N x d) and labels in {-1, +1}.</summary>
    /// <param name="features">The N x d feature matrix, one sample per row.</param>
    /// <param name="labels">The N labels, each -1 or +1.</param>
    /// <param name="linearConstraints">The number of random linear constraints (rows of A), at least 0.</param>
    /// <param name="seed">Seed of A and b.</param>
    /// <param name="name">A name for reports; "logreg" when null.</param>
    /// <exception cref="ArgumentException">The sizes disagree, a label is not +-1, or there are no samples.</exception>
    public ConstrainedLogisticRegression(CsrMatrix features, double[] labels, int linearConstraints = 5, ulong seed = 0, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        if (features.Rows == 0) throw new ArgumentException("The feature matrix has no samples.", nameof(features));
        // A matrix built with allowNonFinite used to pass and surface only as a NaN objective inside the solver.
        int bad = features.IndexOfNonFinite();
        if (bad >= 0)
            throw new ArgumentException($"features[{features.RowOfEntry(bad)}, {features.ColumnIndices[bad]}] is {features.Values[bad]}: features must be finite.", nameof(features));
        if (labels.Length != features.Rows)
            throw new ArgumentException($"labels has length {labels.Length} but features has {features.Rows} rows.", nameof(labels));
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] != 1.0 && labels[i] != -1.0)
                throw new ArgumentException($"labels[{i}] is {labels[i]}; labels must be -1 or +1.", nameof(labels));
        if (linearConstraints < 0)
            throw new ArgumentOutOfRangeException(nameof(linearConstraints), linearConstraints, "The number of linear constraints must be non-negative.");
        _features = features;
        _labels = (double[])labels.Clone();
        _mLin = linearConstraints;
        int d = features.Columns;
        _a = new double[(long)_mLin * d];
        _b = new double[_mLin];
        // Entry k of A is variate k of the stream and b follows it, so A does not depend on how b is drawn.
        for (int k = 0; k < _a.Length; k++) _a[k] = CounterRandom.Gaussian(seed, (ulong)k);
        for (int k = 0; k < _mLin; k++) _b[k] = CounterRandom.Gaussian(seed, (ulong)(_a.Length + k));
        _name = name ?? "logreg";
    }

    // FromDense rejects NaN too, but names its own parameter ('dense'); the caller passed 'features'.
    private static double[,] CheckedDense(double[,]? features)
    {
        ArgumentNullException.ThrowIfNull(features);
        for (int i = 0; i < features.GetLength(0); i++)
            for (int j = 0; j < features.GetLength(1); j++)
                if (!double.IsFinite(features[i, j]))
                    throw new ArgumentException($"features[{i}, {j}] is {features[i, j]}: features must be finite.", nameof(features));
        return features;
    }

    /// <summary>Creates the problem from dense features (N x d, one sample per row) and labels in {-1, +1}.</summary>
    /// <param name="features">The N x d feature matrix.</param>
    /// <param name="labels">The N labels, each -1 or +1.</param>
    /// <param name="linearConstraints">The number of random linear constraints.</param>
    /// <param name="seed">Seed of A and b.</param>
    /// <param name="name">A name for reports; "logreg" when null.</param>
    public ConstrainedLogisticRegression(double[,] features, double[] labels, int linearConstraints = 5, ulong seed = 0, string? name = null)
        : this(CsrMatrix.FromDense(CheckedDense(features)), labels, linearConstraints, seed, name)
    {
    }

    /// <summary>
    /// Reads a LIBSVM file (<see cref="LibSvm"/>) and builds the problem. Binary labels other than +-1 (e.g. 0/1
    /// or 1/2) are mapped to -1 for the smaller and +1 for the larger value.
    /// </summary>
    /// <param name="path">The LIBSVM file.</param>
    /// <param name="linearConstraints">The number of random linear constraints.</param>
    /// <param name="seed">Seed of A and b.</param>
    /// <exception cref="ArgumentException">The file does not hold exactly two distinct labels.</exception>
    /// <exception cref="MatrixMarketFormatException">The file is malformed.</exception>
    public static ConstrainedLogisticRegression FromLibSvm(string path, int linearConstraints = 5, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(path);
        var data = LibSvm.Read(path);
        var distinct = data.Labels.Distinct().Order().ToArray();
        if (distinct.Length != 2)
            throw new ArgumentException($"{path} has {distinct.Length} distinct labels; binary logistic regression needs exactly 2.", nameof(path));
        var labels = data.Labels.Select(v => v == distinct[0] ? -1.0 : 1.0).ToArray();
        return new ConstrainedLogisticRegression(data.Features, labels, linearConstraints, seed,
            $"logreg({Path.GetFileNameWithoutExtension(path)})");
    }

    /// <summary>
    /// Reads a data set and builds the problem: CSV (<see cref="Csv"/>, label in the last column) when the path ends
    /// in ".csv" or ".csv.gz", LIBSVM (<see cref="FromLibSvm"/>) otherwise.
    /// </summary>
    /// <remarks>
    /// <para>CSV labels must take exactly two distinct values; the smaller becomes -1 and the larger +1. With
    /// <paramref name="standardize"/>, every CSV feature column is z-scored: its mean is subtracted and it is divided
    /// by its population standard deviation (1/N), so it has mean 0 and standard deviation 1; a constant column
    /// becomes all zeros. The dense features are then stored as a <see cref="CsrMatrix"/>.</para>
    /// <para>LIBSVM files are used as is and <paramref name="standardize"/> is ignored for them: those data sets usually
    /// come scaled already, and centring would destroy their sparsity.</para>
    /// </remarks>
    /// <param name="path">The data file.</param>
    /// <param name="linearConstraints">The number of random linear constraints.</param>
    /// <param name="seed">Seed of A and b.</param>
    /// <param name="standardize">Whether to z-score the feature columns of a CSV file.</param>
    /// <exception cref="ArgumentException">The file does not hold exactly two distinct labels.</exception>
    /// <exception cref="MatrixMarketFormatException">The file is malformed.</exception>
    public static ConstrainedLogisticRegression FromFile(string path, int linearConstraints = 5, ulong seed = 0, bool standardize = true)
    {
        ArgumentNullException.ThrowIfNull(path);
        string? stem = CsvStem(path);
        if (stem is null) return FromLibSvm(path, linearConstraints, seed);

        var data = Csv.Read(path);
        var distinct = data.Labels.Distinct().Order().ToArray();
        if (distinct.Length != 2)
            throw new ArgumentException($"{path} has {distinct.Length} distinct labels; binary logistic regression needs exactly 2.", nameof(path));
        var labels = data.Labels.Select(v => v == distinct[0] ? -1.0 : 1.0).ToArray();
        var features = data.Features;
        if (standardize) Standardize(features);
        return new ConstrainedLogisticRegression(features, labels, linearConstraints, seed, $"logreg({stem})");
    }

    /// <summary>The file name without ".csv" / ".csv.gz" when the path names a CSV file, otherwise null.</summary>
    private static string? CsvStem(string path)
    {
        string file = Path.GetFileName(path);
        foreach (string ext in (ReadOnlySpan<string>)[".csv", ".csv.gz"])
            if (file.EndsWith(ext, StringComparison.OrdinalIgnoreCase)) return file[..^ext.Length];
        return null;
    }

    /// <summary>Z-scores the columns of <paramref name="x"/> in place (population standard deviation); constant columns become 0.</summary>
    private static void Standardize(double[,] x)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        for (int j = 0; j < d; j++)
        {
            bool constant = true;
            double sum = 0;
            for (int i = 0; i < n; i++)
            {
                sum += x[i, j];
                constant &= x[i, j] == x[0, j];
            }
            double mean = sum / n;
            double ss = 0;
            for (int i = 0; i < n; i++)
            {
                double t = x[i, j] - mean;
                ss += t * t;
            }
            double sd = Math.Sqrt(ss / n);
            // An exactly constant column would otherwise divide rounding noise by a tiny deviation.
            double scale = constant || !(sd > 0) ? 0.0 : 1.0 / sd;
            for (int i = 0; i < n; i++) x[i, j] = constant ? 0.0 : (x[i, j] - mean) * scale;
        }
    }

    /// <inheritdoc/>
    public override string Name => _name;

    /// <inheritdoc/>
    public override int Dimension => _features.Columns;

    /// <inheritdoc/>
    public override int ConstraintCount => _mLin + 1;

    /// <summary>The number of samples N.</summary>
    public int SampleCount => _features.Rows;

    /// <inheritdoc/>
    public override bool HasGradient => true;

    /// <inheritdoc/>
    public override bool HasJacobian => true;

    /// <inheritdoc/>
    public override bool HasHessian => true;

    /// <inheritdoc/>
    public override double[] StartingPoint()
    {
        var x0 = new double[Dimension];
        Array.Fill(x0, 1.0);
        return x0;
    }

    /// <inheritdoc/>
    public override double Objective(ReadOnlySpan<double> x)
    {
        CheckX(x);
        var z = _features.Multiply(x);
        double s = 0;
        for (int i = 0; i < z.Length; i++) s += Softplus(-_labels[i] * z[i]);
        return s / z.Length;
    }

    /// <inheritdoc/>
    public override void Constraints(ReadOnlySpan<double> x, Span<double> c)
    {
        CheckX(x);
        CheckLength(c.Length, ConstraintCount, nameof(c));
        int d = Dimension;
        for (int k = 0; k < _mLin; k++)
        {
            double s = -_b[k];
            var row = _a.AsSpan(k * d, d);
            for (int j = 0; j < d; j++) s += row[j] * x[j];
            c[k] = s;
        }
        double nrm = 0;
        for (int j = 0; j < d; j++) nrm += x[j] * x[j];
        c[_mLin] = nrm - 1;
    }

    /// <inheritdoc/>
    public override void Gradient(ReadOnlySpan<double> x, Span<double> g)
    {
        CheckX(x);
        CheckLength(g.Length, Dimension, nameof(g));
        var z = _features.Multiply(x);
        int n = z.Length;
        // d/dz log(1 + exp(-y z)) = -y sigmoid(-y z); the weights are then spread back through A'.
        var w = new double[n];
        for (int i = 0; i < n; i++) w[i] = -_labels[i] * Sigmoid(-_labels[i] * z[i]) / n;
        g.Clear();
        var rp = _features.RowPointers;
        var ci = _features.ColumnIndices;
        var v = _features.Values;
        for (int i = 0; i < n; i++)
            for (int k = rp[i]; k < rp[i + 1]; k++) g[ci[k]] += w[i] * v[k];
    }

    /// <inheritdoc/>
    public override CsrMatrix Jacobian(ReadOnlySpan<double> x)
    {
        CheckX(x);
        int d = Dimension, m = ConstraintCount;
        var rp = new int[m + 1];
        var ci = new List<int>(m * d);
        var vals = new List<double>(m * d);
        for (int k = 0; k < m; k++)
        {
            for (int j = 0; j < d; j++)
            {
                double value = k < _mLin ? _a[k * d + j] : 2 * x[j];
                if (value == 0.0) continue;
                ci.Add(j);
                vals.Add(value);
            }
            rp[k + 1] = vals.Count;
        }
        return new CsrMatrix(m, d, rp, ci.ToArray(), vals.ToArray());
    }

    /// <inheritdoc/>
    public override CsrMatrix LagrangianHessian(ReadOnlySpan<double> x, ReadOnlySpan<double> lambda)
    {
        CheckX(x);
        CheckLength(lambda.Length, ConstraintCount, nameof(lambda));
        var z = _features.Multiply(x);
        int n = z.Length, d = Dimension;
        var rp = _features.RowPointers;
        var ci = _features.ColumnIndices;
        var v = _features.Values;
        var scaled = new double[v.Length];
        for (int i = 0; i < n; i++)
        {
            double s = Sigmoid(_labels[i] * z[i]);
            // s (1 - s) is the same for both labels; its square root scales the rows of W = diag(sqrt w) A.
            double r = Math.Sqrt(s * (1 - s) / n);
            for (int k = rp[i]; k < rp[i + 1]; k++) scaled[k] = r * v[k];
        }
        var w = new CsrMatrix(n, d, rp, ci, scaled);
        var h = w.Transpose().Multiply(w);
        double shift = 2 * lambda[_mLin];
        if (shift == 0) return h;
        var hr = h.RowPointers;
        var hc = h.ColumnIndices;
        var hv = h.Values;
        var rows = new int[hv.Length + d];
        var cols = new int[hv.Length + d];
        var vals = new double[hv.Length + d];
        for (int i = 0; i < d; i++)
            for (int k = hr[i]; k < hr[i + 1]; k++) { rows[k] = i; cols[k] = hc[k]; vals[k] = hv[k]; }
        for (int i = 0; i < d; i++) { rows[hv.Length + i] = i; cols[hv.Length + i] = i; vals[hv.Length + i] = shift; }
        return CsrMatrix.FromCoordinates(d, d, rows, cols, vals);
    }

    /// <summary>log(1 + exp(t)) without overflow for large t or loss of digits for very negative t.</summary>
    internal static double Softplus(double t) => t > 0 ? t + Math.Log(1 + Math.Exp(-t)) : Math.Log(1 + Math.Exp(t));

    /// <summary>1 / (1 + exp(-t)) evaluated on the side where exp cannot overflow.</summary>
    internal static double Sigmoid(double t)
    {
        if (t >= 0) return 1 / (1 + Math.Exp(-t));
        double e = Math.Exp(t);
        return e / (1 + e);
    }

    private void CheckX(ReadOnlySpan<double> x) => CheckLength(x.Length, Dimension, nameof(x));

    private void CheckLength(int actual, int expected, string argument)
    {
        if (actual != expected)
            throw new ArgumentException($"{argument} has length {actual} but problem {Name} needs {expected}.", argument);
    }
}
