using System.Diagnostics;

namespace Solvers.Relu;

/// <summary>Options of <see cref="AdamReluTrainer"/>. Validated when set, so a bad value fails where it is written.</summary>
/// <remarks>Thread safety: immutable (init-only), safe to share between threads.</remarks>
public sealed record AdamReluOptions
{
    private readonly int _width;
    private readonly double _beta;
    private readonly int _epochs = 2000;
    private readonly double _learningRate = 1e-2;

    /// <summary>Number of hidden neurons m (&gt; 0).</summary>
    public required int Width
    {
        get => _width;
        init => _width = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(Width), value, "Width must be > 0 (the number of hidden neurons).");
    }

    /// <summary>
    /// Weight decay beta (&gt;= 0, finite, default 0): the objective adds (beta/2) sum_j (||u_j||^2 + alpha_j^2).
    /// The same beta in the convex program gives the same optimal value.
    /// </summary>
    public double Beta
    {
        get => _beta;
        init => _beta = value >= 0 && double.IsFinite(value) ? value
            : throw new ArgumentOutOfRangeException(nameof(Beta), value, "Beta must be finite and >= 0 (it is a weight-decay coefficient).");
    }

    /// <summary>
    /// Full-batch Adam steps (default 2000, &gt;= 0). Zero returns the seeded initial network, which lets a caller
    /// evaluate the starting point of a run without training.
    /// </summary>
    public int Epochs
    {
        get => _epochs;
        init => _epochs = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(Epochs), value, "Epochs must be >= 0.");
    }

    /// <summary>
    /// Adam step size (default 1e-2, finite and &gt; 0). Adam divides by the gradient's running RMS, so the step is
    /// about this size per coordinate whatever the scale of the loss; 1e-2 suits weights of order 1/sqrt(d), the
    /// initial scale, and moves them by their own size in about a hundred steps.
    /// </summary>
    public double LearningRate
    {
        get => _learningRate;
        init => _learningRate = value > 0 && double.IsFinite(value) ? value
            : throw new ArgumentOutOfRangeException(nameof(LearningRate), value, "LearningRate must be finite and > 0.");
    }

    /// <summary>
    /// Seed of the initialisation; the same seed and data give the same network bit for bit. It seeds
    /// <see cref="Random"/> with its low 32 bits folded with its high 32 bits (seeds below 2^31 give the
    /// same networks as the former int seed).
    /// </summary>
    public ulong Seed { get; init; }

    /// <summary>Checked before every epoch; the result then has status Cancelled and the last network.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>
    /// Receives a record after every epoch, on the training thread: <see cref="ReluIteration.Objective"/> is the
    /// regularised objective; the residual fields are 0 (Adam has no residuals).
    /// </summary>
    public IProgress<ReluIteration>? Progress { get; init; }
}

/// <summary>The outcome of <see cref="AdamReluTrainer.Train"/>.</summary>
/// <remarks>Thread safety: immutable once created (arrays it holds are not defensive copies); safe to read from several threads.</remarks>
public sealed record AdamReluResult
{
    /// <summary>First-layer weights u_j as rows (m x d).</summary>
    public required double[,] FirstLayer { get; init; }

    /// <summary>Second-layer weights alpha_j (length m).</summary>
    public required double[] SecondLayer { get; init; }

    /// <summary>The regularised objective at the returned network.</summary>
    public required double Objective { get; init; }

    /// <summary>The objective after each epoch (entry e after e + 1 steps); empty when no epoch ran.</summary>
    public required IReadOnlyList<double> History { get; init; }

    /// <summary>Epochs run; fewer than asked when cancelled or when the objective stopped being finite.</summary>
    public required int Epochs { get; init; }

    /// <summary>
    /// How the run ended: MaxIterations when every epoch ran (Adam has no stopping test here), Cancelled, or
    /// NonFinite when the objective overflowed (a learning rate far too large); the last finite network is returned.
    /// </summary>
    public required SolverStatus Status { get; init; }

    /// <summary>Wall time of the run.</summary>
    public required TimeSpan Elapsed { get; init; }
}

/// <summary>
/// Baseline for the convex ReLU program: trains the nonconvex two-layer network f(x) = sum_j alpha_j max(0, x . u_j)
/// (no biases; append a ones column to X for them) by full-batch Adam on
/// L(u, alpha) = 1/2 ||f(X) - y||^2 + (beta/2) sum_j (||u_j||^2 + alpha_j^2).
/// </summary>
/// <remarks>
/// Pilanci and Ergen (2020) show that when the width m is at least the number of neurons of a convex solution,
/// this nonconvex problem has the same optimal value as the convex program
/// min 1/2 || sum_i D_i X (v_i - w_i) - y ||^2 + beta sum_i (||v_i|| + ||w_i||) subject to (2 D_i - I) X v_i &gt;= 0,
/// (2 D_i - I) X w_i &gt;= 0, taken over all activation patterns D_i = diag(1[X g &gt;= 0]). Weight decay makes the
/// scale of each neuron balance (||u_j|| = |alpha_j|), which turns the squared penalty into the group norm. Adam
/// only finds a stationary point, so its objective is an upper bound on that value; with the patterns the trained
/// network uses as masks, the convex program's value is never above it. Initialisation: u ~ N(0, 1/d) and
/// alpha ~ N(0, 1/m) from <see cref="Random"/> with the seed, through Box-Muller. Adam: beta1 = 0.9, beta2 = 0.999,
/// eps = 1e-8 (Kingma and Ba's defaults). The ReLU derivative at 0 is taken as 0.
/// Thread safety: stateless; safe to call from several threads at once.
/// </remarks>
public static class AdamReluTrainer
{
    private const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;

    // Below this many multiply-adds per pass the work is too small for Parallel.For to pay for its scheduling.
    private const long ParallelThreshold = 1L << 17;

    /// <summary>Trains the network on (x, y); x is n x d, y has length n.</summary>
    /// <exception cref="ArgumentException">x and y disagree in size, or hold NaN or infinity (the message names the entry).</exception>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static AdamReluResult Train(double[,] x, double[] y, AdamReluOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        CheckData(x, y);
        var clock = Stopwatch.StartNew();
        int d = x.GetLength(1), m = options.Width;

        var rng = new Random(unchecked((int)(uint)(options.Seed ^ (options.Seed >> 32))));
        var first = new double[m, d];
        var second = new double[m];
        double firstScale = 1.0 / Math.Sqrt(d), secondScale = 1.0 / Math.Sqrt(m);
        for (int j = 0; j < m; j++)
            for (int c = 0; c < d; c++) first[j, c] = firstScale * Gaussian(rng);
        for (int j = 0; j < m; j++) second[j] = secondScale * Gaussian(rng);

        var gFirst = new double[m, d];
        var gSecond = new double[m];
        var mFirst = new double[m, d]; var vFirst = new double[m, d];
        var mSecond = new double[m]; var vSecond = new double[m];
        var lastFirst = new double[m, d];
        var lastSecond = new double[m];
        var work = new Workspace(x.GetLength(0), m);

        double objective = Gradient(x, y, first, second, options.Beta, gFirst, gSecond, work);
        var history = new List<double>(options.Epochs);
        var status = SolverStatus.MaxIterations;
        double lr = options.LearningRate, pow1 = 1, pow2 = 1;
        int epochs = 0;
        if (!double.IsFinite(objective)) status = SolverStatus.NonFinite;

        while (status == SolverStatus.MaxIterations && epochs < options.Epochs)
        {
            if (options.CancellationToken.IsCancellationRequested)
            {
                status = SolverStatus.Cancelled;
                break;
            }
            Array.Copy(first, lastFirst, first.Length);
            Array.Copy(second, lastSecond, second.Length);
            pow1 *= Beta1;
            pow2 *= Beta2;
            double c1 = 1 / (1 - pow1), c2 = 1 / (1 - pow2);
            for (int j = 0; j < m; j++)
            {
                for (int c = 0; c < d; c++) first[j, c] -= AdamStep(ref mFirst[j, c], ref vFirst[j, c], gFirst[j, c], lr, c1, c2);
                second[j] -= AdamStep(ref mSecond[j], ref vSecond[j], gSecond[j], lr, c1, c2);
            }
            double next = Gradient(x, y, first, second, options.Beta, gFirst, gSecond, work);
            if (!double.IsFinite(next))
            {
                // Hand back the last network whose objective was finite rather than one full of overflow.
                Array.Copy(lastFirst, first, first.Length);
                Array.Copy(lastSecond, second, second.Length);
                status = SolverStatus.NonFinite;
                break;
            }
            objective = next;
            history.Add(objective);
            epochs++;
            options.Progress?.Report(new ReluIteration(epochs, objective, 0, 0, clock.Elapsed));
        }

        return new AdamReluResult
        {
            FirstLayer = first,
            SecondLayer = second,
            Objective = objective,
            History = history.AsReadOnly(),
            Epochs = epochs,
            Status = status,
            Elapsed = clock.Elapsed,
        };
    }

    /// <summary>
    /// The regularised objective 1/2 ||f(X) - y||^2 + (beta/2) sum_j (||u_j||^2 + alpha_j^2) of the network with
    /// first-layer rows u_j (m x d) and second-layer weights alpha_j (length m).
    /// </summary>
    /// <exception cref="ArgumentException">Sizes disagree, the data hold NaN or infinity, or beta is negative or not finite.</exception>
    public static double Objective(double[,] x, double[] y, double[,] firstLayer, double[] secondLayer, double beta)
    {
        CheckData(x, y);
        CheckNetwork(x, firstLayer, secondLayer);
        CheckBeta(beta);
        var prediction = Predict(x, firstLayer, secondLayer);
        double loss = 0;
        for (int k = 0; k < y.Length; k++) loss += 0.5 * (prediction[k] - y[k]) * (prediction[k] - y[k]);
        return loss + 0.5 * beta * SquaredWeights(firstLayer, secondLayer);
    }

    /// <summary>The network's outputs f(x_k) = sum_j alpha_j max(0, x_k . u_j) for each row x_k of x.</summary>
    /// <exception cref="ArgumentException">The network's sizes do not match x or each other.</exception>
    public static double[] Predict(double[,] x, double[,] firstLayer, double[] secondLayer)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckNetwork(x, firstLayer, secondLayer);
        int n = x.GetLength(0), d = x.GetLength(1), m = secondLayer.Length;
        var prediction = new double[n];
        void Row(int k)
        {
            double f = 0;
            for (int j = 0; j < m; j++)
            {
                double h = 0;
                for (int c = 0; c < d; c++) h += x[k, c] * firstLayer[j, c];
                if (h > 0) f += secondLayer[j] * h;
            }
            prediction[k] = f;
        }
        if ((long)n * d * m >= ParallelThreshold) Parallel.For(0, n, Row);
        else for (int k = 0; k < n; k++) Row(k);
        return prediction;
    }

    /// <summary>Scratch of <see cref="Gradient"/>: pre-activations (n x m) and residuals (n).</summary>
    internal sealed class Workspace(int n, int m)
    {
        /// <summary>x_k . u_j for every sample k and neuron j.</summary>
        public double[,] PreActivation { get; } = new double[n, m];

        /// <summary>f(x_k) - y_k.</summary>
        public double[] Residual { get; } = new double[n];
    }

    /// <summary>
    /// The objective and, in gradFirst (m x d) and gradSecond (m), its gradient:
    /// dL/dalpha_j = sum_k r_k max(0, x_k . u_j) + beta alpha_j and
    /// dL/du_j = alpha_j sum_k r_k 1[x_k . u_j &gt; 0] x_k + beta u_j, with r = f(X) - y. Sizes are not checked.
    /// </summary>
    internal static double Gradient(double[,] x, double[] y, double[,] firstLayer, double[] secondLayer, double beta,
        double[,] gradFirst, double[] gradSecond, Workspace? work = null)
    {
        int n = x.GetLength(0), d = x.GetLength(1), m = secondLayer.Length;
        work ??= new Workspace(n, m);
        var h = work.PreActivation;
        var r = work.Residual;
        bool parallel = (long)n * d * m >= ParallelThreshold;

        // Each output is written by one thread in a fixed order, so results do not depend on the scheduling.
        void Sample(int k)
        {
            double f = 0;
            for (int j = 0; j < m; j++)
            {
                double a = 0;
                for (int c = 0; c < d; c++) a += x[k, c] * firstLayer[j, c];
                h[k, j] = a;
                if (a > 0) f += secondLayer[j] * a;
            }
            r[k] = f - y[k];
        }
        if (parallel) Parallel.For(0, n, Sample);
        else for (int k = 0; k < n; k++) Sample(k);

        void Neuron(int j)
        {
            double ga = 0;
            for (int c = 0; c < d; c++) gradFirst[j, c] = 0;
            for (int k = 0; k < n; k++)
            {
                double a = h[k, j];
                if (a <= 0) continue;
                ga += r[k] * a;
                double s = secondLayer[j] * r[k];
                for (int c = 0; c < d; c++) gradFirst[j, c] += s * x[k, c];
            }
            gradSecond[j] = ga + beta * secondLayer[j];
            for (int c = 0; c < d; c++) gradFirst[j, c] += beta * firstLayer[j, c];
        }
        if (parallel) Parallel.For(0, m, Neuron);
        else for (int j = 0; j < m; j++) Neuron(j);

        double loss = 0;
        for (int k = 0; k < n; k++) loss += 0.5 * r[k] * r[k];
        return loss + 0.5 * beta * SquaredWeights(firstLayer, secondLayer);
    }

    private static double AdamStep(ref double mean, ref double second, double g, double lr, double c1, double c2)
    {
        mean = Beta1 * mean + (1 - Beta1) * g;
        second = Beta2 * second + (1 - Beta2) * g * g;
        return lr * (mean * c1) / (Math.Sqrt(second * c2) + Epsilon);
    }

    private static double SquaredWeights(double[,] firstLayer, double[] secondLayer)
    {
        double s = 0;
        foreach (double u in firstLayer) s += u * u;
        foreach (double a in secondLayer) s += a * a;
        return s;
    }

    /// <summary>A standard normal draw by Box-Muller; 1 - NextDouble() lies in (0, 1], so the logarithm is finite.</summary>
    private static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private static void CheckData(double[,] x, double[] y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        int n = x.GetLength(0), d = x.GetLength(1);
        if (n != y.Length) throw new ArgumentException($"x has {n} rows but y has {y.Length} entries; they must match.", nameof(y));
        if (n == 0 || d == 0) throw new ArgumentException($"x is {n} x {d}; it needs at least one row and one column.", nameof(x));
        for (int k = 0; k < n; k++)
        {
            for (int c = 0; c < d; c++)
                if (!double.IsFinite(x[k, c])) throw new ArgumentException($"x[{k}, {c}] (row {k}, column {c}) is {x[k, c]}; the data must be finite.", nameof(x));
            if (!double.IsFinite(y[k])) throw new ArgumentException($"y[{k}] (row {k}) is {y[k]}; the data must be finite.", nameof(y));
        }
    }

    private static void CheckNetwork(double[,] x, double[,] firstLayer, double[] secondLayer)
    {
        ArgumentNullException.ThrowIfNull(firstLayer);
        ArgumentNullException.ThrowIfNull(secondLayer);
        if (firstLayer.GetLength(1) != x.GetLength(1))
            throw new ArgumentException($"firstLayer has {firstLayer.GetLength(1)} columns but x has {x.GetLength(1)}; they must match.", nameof(firstLayer));
        if (firstLayer.GetLength(0) != secondLayer.Length)
            throw new ArgumentException($"firstLayer has {firstLayer.GetLength(0)} rows (neurons) but secondLayer has {secondLayer.Length} entries; they must match.", nameof(secondLayer));
    }

    private static void CheckBeta(double beta)
    {
        if (!(beta >= 0) || !double.IsFinite(beta))
            throw new ArgumentOutOfRangeException(nameof(beta), beta, "beta must be finite and >= 0 (it is a weight-decay coefficient).");
    }
}
