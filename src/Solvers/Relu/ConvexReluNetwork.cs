using Solvers.Kernels;

namespace Solvers.Relu;

/// <summary>A trained network and the report of its training.</summary>
/// <param name="Network">The network recovered from the convex solution.</param>
/// <param name="Report">How the training went.</param>
/// <remarks>Thread safety: immutable once created; safe to read from several threads.</remarks>
public sealed record ConvexReluFit(ConvexReluNetwork Network, ConvexReluReport Report);

/// <summary>
/// Feature standardization fitted on training data: x -> (x - mean) / scale, then an optional constant 1 column.
/// A constant column gets scale 1, so it is centred to 0 rather than divided by zero.
/// </summary>
/// <param name="Means">Column means (zeros when not standardizing).</param>
/// <param name="Scales">Column standard deviations (ones when not standardizing, and for constant columns).</param>
/// <param name="Intercept">Whether a constant 1 column is appended.</param>
/// <remarks>Thread safety: immutable once fitted (its arrays are not defensive copies); Transform may be called from several threads at once.</remarks>
public sealed record FeatureScaling(double[] Means, double[] Scales, bool Intercept)
{
    /// <summary>Raw features per sample.</summary>
    public int InputFeatures => Means.Length;

    /// <summary>Features the network sees (inputs plus the intercept column).</summary>
    public int NetworkFeatures => Means.Length + (Intercept ? 1 : 0);

    /// <summary>Fits the scaling on <paramref name="x"/>.</summary>
    public static FeatureScaling Fit(double[,] x, bool standardize, bool intercept)
    {
        ArgumentNullException.ThrowIfNull(x);
        int n = x.GetLength(0), d = x.GetLength(1);
        var means = new double[d];
        var scales = new double[d];
        for (int c = 0; c < d; c++)
        {
            scales[c] = 1;
            if (!standardize || n == 0) continue;
            double mean = 0;
            for (int k = 0; k < n; k++) mean += x[k, c];
            mean /= n;
            double var = 0;
            bool constant = true;
            for (int k = 0; k < n; k++)
            {
                double e = x[k, c] - mean;
                var += e * e;
                constant &= x[k, c] == x[0, c];
            }
            means[c] = mean;
            scales[c] = constant ? 1 : Math.Sqrt(var / n);
        }
        return new FeatureScaling(means, scales, intercept);
    }

    /// <summary>The transformed features, n x <see cref="NetworkFeatures"/> row-major.</summary>
    /// <exception cref="ArgumentException">The column count differs from the fitted one.</exception>
    public double[] Transform(double[,] x)
    {
        ArgumentNullException.ThrowIfNull(x);
        int n = x.GetLength(0), d = x.GetLength(1), dOut = NetworkFeatures;
        if (d != InputFeatures) throw new ArgumentException($"x has {d} features per sample but the network was trained on {InputFeatures}.", nameof(x));
        var result = new double[n * dOut];
        for (int k = 0; k < n; k++)
        {
            for (int c = 0; c < d; c++) result[k * dOut + c] = (x[k, c] - Means[c]) / Scales[c];
            if (Intercept) result[k * dOut + d] = 1;
        }
        return result;
    }
}

/// <summary>
/// A two-layer ReLU network f(x) = sum_j alpha_j max(0, x'u_j) trained to global optimality (over the sampled
/// activation patterns) through the convex program of Pilanci and Ergen,
/// min 1/2||sum_i D_i X (v_i - w_i) - y||^2 + beta sum_i (||v_i||_2 + ||w_i||_2)
/// s.t. (2 D_i - I) X v_i &gt;= 0, (2 D_i - I) X w_i &gt;= 0, with the ADMM of Bai, Gautam and Sojoudi, "Efficient
/// Global Optimization of Two-layer ReLU Networks: Quadratic-time Algorithms and Adversarial Training" (2022).
/// </summary>
/// <remarks>
/// <para>Each nonzero v_i gives a neuron u = v_i / sqrt(||v_i||) with output weight sqrt(||v_i||), each nonzero w_i
/// one with -sqrt(||w_i||); the network's objective 1/2||f(X) - y||^2 + beta/2 sum_j (||u_j||^2 + alpha_j^2) then
/// equals the convex objective wherever the cone constraints hold, which certifies that no network of the same
/// patterns does better. Binary classification uses labels +-1 and the sign of f; regression the value of f;
/// <see cref="OneVsRestReluClassifier"/> handles several classes.</para>
/// <para>Thread safety: a fitted network is immutable; <see cref="Predict"/> may be called concurrently.</para>
/// </remarks>
public sealed class ConvexReluNetwork
{
    private ConvexReluNetwork(ReluFormulation formulation, FeatureScaling scaling, double[,] firstLayer, double[] secondLayer, double[,]? gates,
        ActivationPatterns patterns, ReluState state)
    {
        Formulation = formulation;
        Scaling = scaling;
        FirstLayer = firstLayer;
        SecondLayer = secondLayer;
        Gates = gates;
        Patterns = patterns;
        State = state;
    }

    /// <summary>The program the network came from.</summary>
    public ReluFormulation Formulation { get; }

    /// <summary>The feature scaling applied before the first layer.</summary>
    public FeatureScaling Scaling { get; }

    /// <summary>First-layer weights u_j, one row per neuron (m x network features).</summary>
    public double[,] FirstLayer { get; }

    /// <summary>Second-layer weights alpha_j.</summary>
    public double[] SecondLayer { get; }

    /// <summary>For a gated network, the gate h_j of each neuron (m x network features); null for a ReLU network.</summary>
    public double[,]? Gates { get; }

    /// <summary>Neurons m.</summary>
    public int Neurons => SecondLayer.Length;

    internal ActivationPatterns Patterns { get; }

    internal ReluState State { get; }

    /// <summary>Trains the network on <paramref name="x"/> (n x d) and targets <paramref name="y"/> (labels +-1 for classification).</summary>
    /// <exception cref="ArgumentException">The sizes disagree, or x or y holds NaN or infinity (the message names the row and column).</exception>
    public static ConvexReluFit Fit(double[,] x, double[] y, ConvexReluOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var o = options ?? new ConvexReluOptions();
        int n = x.GetLength(0), dIn = x.GetLength(1);
        if (n != y.Length) throw new ArgumentException($"x has {n} rows (samples) but y has {y.Length} entries.", nameof(y));
        if (n == 0) throw new ArgumentException("x has no samples.", nameof(x));
        if (dIn == 0) throw new ArgumentException("x has no features.", nameof(x));
        for (int k = 0; k < n; k++)
        {
            if (!double.IsFinite(y[k])) throw new ArgumentException($"y[{k}] is {y[k]}.", nameof(y));
            for (int c = 0; c < dIn; c++)
                if (!double.IsFinite(x[k, c])) throw new ArgumentException($"x[{k}, {c}] (row {k}, column {c}) is {x[k, c]}.", nameof(x));
        }

        var scaling = o.WarmStart?.Scaling ?? FeatureScaling.Fit(x, o.Standardize, o.FitIntercept);
        var xt = scaling.Transform(x);
        int d = scaling.NetworkFeatures;
        var x2 = new double[n, d];
        for (int k = 0; k < n; k++)
            for (int c = 0; c < d; c++) x2[k, c] = xt[k * d + c];
        var patterns = o.WarmStart?.Patterns ?? ActivationPatterns.Sample(x2, o.Patterns, o.Seed, scaling.Intercept ? d - 1 : null, o.ExtraGates);
        if (patterns.Samples != n && patterns.Count > 0)
            throw new ArgumentException($"The warm start was fitted on {patterns.Samples} samples, not {n}.", nameof(options));
        if (o.WarmStart is { } ws && ws.Formulation != o.Formulation)
            throw new ArgumentException($"The warm start is a {ws.Formulation} network but Formulation is {o.Formulation}.", nameof(options));
        int p = patterns.Count;

        var backend = o.Backend ?? Backend.Create(BackendKind.Cpu);
        try
        {
            using var op = new MaskedOperator(backend, xt, n, d, patterns.Masks, p);
            var result = o.Formulation == ReluFormulation.Relu
                ? ConvexReluSolver.Admm(op, xt, y, o, o.WarmStart?.State)
                : ConvexReluSolver.Fista(op, y, o, o.WarmStart?.State);
            var z = result.State.Z;

            // Convex objective and cone violation at the returned (group-sparse) variables.
            Array.Copy(z, op.U, z.Length);
            op.Forward(withG: true);
            double loss = 0;
            for (int k = 0; k < n; k++) loss += (op.Fu[k] - y[k]) * (op.Fu[k] - y[k]);
            int groups = o.Formulation == ReluFormulation.Relu ? 2 * p : p;
            double convex = 0.5 * loss + o.Beta * ConvexReluSolver.GroupNormSum(z, groups, d);
            double violation = 0;
            if (o.Formulation == ReluFormulation.Relu)
                foreach (double g in op.Gu) violation = Math.Max(violation, -g);

            var network = Recover(o.Formulation, scaling, patterns, result.State, d, p);
            var fx = network.PredictTransformed(xt, n);
            double netLoss = 0;
            for (int k = 0; k < n; k++) netLoss += (fx[k] - y[k]) * (fx[k] - y[k]);
            double decay = 0;
            for (int j = 0; j < network.Neurons; j++)
            {
                decay += network.SecondLayer[j] * network.SecondLayer[j];
                for (int c = 0; c < d; c++) decay += network.FirstLayer[j, c] * network.FirstLayer[j, c];
            }
            double netObjective = o.Formulation == ReluFormulation.Relu ? 0.5 * netLoss + o.Beta / 2 * decay : convex;

            var report = new ConvexReluReport
            {
                Status = result.Status, Message = result.Message, Iterations = result.Iterations, ConvexObjective = convex,
                NetworkObjective = netObjective, MaxConstraintViolation = violation, PatternsRequested = patterns.Requested,
                PatternsUsed = p, Neurons = network.Neurons, LinearSolver = result.LinearSolver, History = result.History,
                SetupElapsed = result.SetupElapsed, Elapsed = result.Elapsed, Backend = backend.Name,
            };
            return new ConvexReluFit(network, report);
        }
        finally
        {
            if (o.Backend is null) backend.Dispose();
        }
    }

    private static ConvexReluNetwork Recover(ReluFormulation formulation, FeatureScaling scaling, ActivationPatterns patterns, ReluState state, int d, int p)
    {
        var z = state.Z;
        var rows = new List<double[]>();
        var alphas = new List<double>();
        var gates = new List<double[]>();
        int groups = formulation == ReluFormulation.Relu ? 2 * p : p;
        for (int g = 0; g < groups; g++)
        {
            var block = z.AsSpan(g * d, d);
            double norm = 0;
            foreach (double v in block) norm += v * v;
            norm = Math.Sqrt(norm);
            if (norm == 0) continue;
            if (formulation == ReluFormulation.Relu)
            {
                double root = Math.Sqrt(norm);
                rows.Add(block.ToArray().Select(v => v / root).ToArray());
                alphas.Add(g < p ? root : -root);
            }
            else
            {
                rows.Add(block.ToArray());
                alphas.Add(1);
                gates.Add(Enumerable.Range(0, d).Select(c => patterns.Gates[g, c]).ToArray());
            }
        }
        var first = new double[rows.Count, d];
        for (int j = 0; j < rows.Count; j++)
            for (int c = 0; c < d; c++) first[j, c] = rows[j][c];
        double[,]? gateArray = null;
        if (formulation == ReluFormulation.Gated)
        {
            gateArray = new double[gates.Count, d];
            for (int j = 0; j < gates.Count; j++)
                for (int c = 0; c < d; c++) gateArray[j, c] = gates[j][c];
        }
        return new ConvexReluNetwork(formulation, scaling, first, alphas.ToArray(), gateArray, patterns, state);
    }

    private double[] PredictTransformed(double[] xt, int n)
    {
        int d = Scaling.NetworkFeatures;
        var f = new double[n];
        for (int k = 0; k < n; k++)
        {
            var row = xt.AsSpan(k * d, d);
            double s = 0;
            for (int j = 0; j < Neurons; j++)
            {
                double a = 0;
                for (int c = 0; c < d; c++) a += row[c] * FirstLayer[j, c];
                if (Gates is { } g)
                {
                    double gate = 0;
                    for (int c = 0; c < d; c++) gate += row[c] * g[j, c];
                    s += gate >= 0 ? SecondLayer[j] * a : 0;
                }
                else s += SecondLayer[j] * Math.Max(0, a);
            }
            f[k] = s;
        }
        return f;
    }

    /// <summary>The network's outputs f(x) for each row of <paramref name="x"/> (raw features; the fitted scaling is applied).</summary>
    public double[] Predict(double[,] x) => PredictTransformed(Scaling.Transform(x), x.GetLength(0));

    /// <summary>Fraction of rows where sign(f(x)) equals sign(y) (labels +-1).</summary>
    public double Accuracy(double[,] x, double[] y)
    {
        ArgumentNullException.ThrowIfNull(y);
        var f = Predict(x);
        if (f.Length != y.Length) throw new ArgumentException($"x has {f.Length} rows but y has {y.Length} entries.", nameof(y));
        if (f.Length == 0) return double.NaN;
        int right = 0;
        for (int k = 0; k < f.Length; k++) if ((f[k] >= 0) == (y[k] >= 0)) right++;
        return (double)right / f.Length;
    }

    /// <summary>The squared loss 1/2||f(x) - y||^2.</summary>
    public double Loss(double[,] x, double[] y)
    {
        ArgumentNullException.ThrowIfNull(y);
        var f = Predict(x);
        if (f.Length != y.Length) throw new ArgumentException($"x has {f.Length} rows but y has {y.Length} entries.", nameof(y));
        double s = 0;
        for (int k = 0; k < f.Length; k++) s += (f[k] - y[k]) * (f[k] - y[k]);
        return 0.5 * s;
    }
}

/// <summary>Several classes by one-vs-rest: one <see cref="ConvexReluNetwork"/> per class, the class of the largest output wins.</summary>
/// <param name="Classes">The class labels, in the order of <paramref name="Networks"/>.</param>
/// <param name="Networks">One network per class, trained on +1 for the class and -1 for the rest.</param>
/// <param name="Reports">The training reports, in the same order.</param>
/// <remarks>Thread safety: immutable once fitted; Predict may be called from several threads at once.</remarks>
public sealed record OneVsRestReluClassifier(int[] Classes, ConvexReluNetwork[] Networks, ConvexReluReport[] Reports)
{
    /// <summary>Trains one network per distinct label.</summary>
    /// <exception cref="ArgumentException">Fewer than two classes, or the sizes disagree.</exception>
    public static OneVsRestReluClassifier Fit(double[,] x, int[] labels, ConvexReluOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var classes = labels.Distinct().Order().ToArray();
        if (classes.Length < 2) throw new ArgumentException($"labels hold {classes.Length} distinct class(es); one-vs-rest needs at least 2.", nameof(labels));
        var fits = classes.Select(c => ConvexReluNetwork.Fit(x, labels.Select(l => l == c ? 1.0 : -1.0).ToArray(), options)).ToArray();
        return new OneVsRestReluClassifier(classes, fits.Select(f => f.Network).ToArray(), fits.Select(f => f.Report).ToArray());
    }

    /// <summary>The predicted class of each row.</summary>
    public int[] Predict(double[,] x)
    {
        var outputs = Networks.Select(nw => nw.Predict(x)).ToArray();
        int n = x.GetLength(0);
        var result = new int[n];
        for (int k = 0; k < n; k++)
        {
            int best = 0;
            for (int c = 1; c < Classes.Length; c++) if (outputs[c][k] > outputs[best][k]) best = c;
            result[k] = Classes[best];
        }
        return result;
    }

    /// <summary>Fraction of rows predicted right.</summary>
    public double Accuracy(double[,] x, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var p = Predict(x);
        if (p.Length != labels.Length) throw new ArgumentException($"x has {p.Length} rows but labels has {labels.Length} entries.", nameof(labels));
        return p.Length == 0 ? double.NaN : (double)p.Where((c, k) => c == labels[k]).Count() / p.Length;
    }
}
