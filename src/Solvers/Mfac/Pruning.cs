namespace Solvers.Mfac;

/// <summary>Writes the gradient of sample (or mini-batch) <paramref name="index"/> of the loss at <paramref name="weights"/>.</summary>
/// <param name="weights">The current weights.</param>
/// <param name="index">Which sample, 0 .. m - 1.</param>
/// <param name="gradient">Where to write it (length d).</param>
/// <remarks>Thread safety: called from the pruning thread only, one call at a time.</remarks>
public delegate void GradientSampler(ReadOnlySpan<double> weights, int index, Span<double> gradient);

/// <summary>Options of <see cref="Pruning.OptimalBrainSurgeon"/>.</summary>
/// <remarks>Thread safety: immutable (init-only), safe to share between threads; arrays it references are read, not copied, so leave them unchanged while a run uses them.</remarks>
public sealed record PruningOptions
{
    private readonly double _sparsity = 0.5;
    private readonly int _steps = 4;

    /// <summary>Fraction of the weights set to zero at the end, in [0, 1).</summary>
    public double TargetSparsity { get => _sparsity; init => _sparsity = value >= 0 && value < 1 ? value : throw new ArgumentOutOfRangeException(nameof(TargetSparsity), value, "TargetSparsity must be in [0, 1)."); }

    /// <summary>Pruning steps (default 4): the sparsity rises linearly to the target, with fresh gradients and a fresh F^-1 each step.</summary>
    public int Steps { get => _steps; init => _steps = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Steps), value, "At least one step."); }

    /// <summary>Gradients m and damping lambda of the Fisher estimate.</summary>
    public MfacOptions Fisher { get; init; } = new() { WindowSize = 64, Lambda = 1e-4 };

    /// <summary>Weights that may not be pruned (e.g. biases), or null for none.</summary>
    public bool[]? Protected { get; init; }

    /// <summary>
    /// Checked before every step (before its gradients are sampled): when it fires,
    /// <see cref="Pruning.OptimalBrainSurgeon"/> throws <see cref="OperationCanceledException"/> and the weights are
    /// left as the last finished step made them (pruned to that step's sparsity, corrected, finite).
    /// </summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Receives a record after every step that pruned weights, on the calling thread.</summary>
    public IProgress<PruningStep>? Progress { get; init; }
}

/// <summary>One finished step of <see cref="Pruning.OptimalBrainSurgeon"/>.</summary>
/// <param name="Step">Step number, 1 to <see cref="PruningOptions.Steps"/>.</param>
/// <param name="Pruned">Weights pruned so far.</param>
/// <param name="Sparsity">Pruned fraction of the prunable (unprotected) weights so far.</param>
/// <remarks>Thread safety: an immutable value.</remarks>
public readonly record struct PruningStep(int Step, int Pruned, double Sparsity);

/// <summary>
/// One-shot pruning with second-order information (optimal brain surgeon) from the M-FAC inverse Fisher, and
/// magnitude pruning as the baseline.
/// </summary>
/// <remarks>
/// Each step scores the remaining weights by rho_k = w_k^2 / (2 [F^-1]_kk), the loss increase of removing weight k
/// alone, removes the lowest-scoring ones, and corrects the others by the OBS update delta w = -F^-1 u with
/// u_q = w_q / [F^-1]_qq on the removed weights: the sum of their single-weight corrections (the M-FAC paper's
/// approximation for removing many weights at once), one matrix-free product.
/// Thread safety: stateless; safe to call from several threads at once.
/// </remarks>
public static class Pruning
{
    /// <summary>Prunes <paramref name="weights"/> in place to the target sparsity; returns the mask of pruned weights.</summary>
    /// <remarks>
    /// Not an iterative solver with a result record: cancellation (<see cref="PruningOptions.CancellationToken"/>)
    /// throws <see cref="OperationCanceledException"/> between steps.
    /// </remarks>
    /// <exception cref="ArgumentException"><see cref="PruningOptions.Protected"/> has the wrong length, or a weight is NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException">The options' token fired; the weights hold the last finished step.</exception>
    public static bool[] OptimalBrainSurgeon(double[] weights, GradientSampler gradients, PruningOptions options)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(gradients);
        ArgumentNullException.ThrowIfNull(options);
        int d = weights.Length, m = options.Fisher.WindowSize;
        CheckWeights(weights);
        var isProtected = options.Protected ?? new bool[d];
        if (isProtected.Length != d) throw new ArgumentException($"Protected has {isProtected.Length} entries but there are {d} weights.", nameof(options));
        var pruned = new bool[d];
        int prunable = isProtected.Count(p => !p);
        var g = new double[(long)m * d];
        var diagonal = new double[d];
        var u = new double[d];
        var correction = new double[d];
        int done = 0;
        for (int step = 1; step <= options.Steps; step++)
        {
            options.CancellationToken.ThrowIfCancellationRequested();
            int target = (int)Math.Round(options.TargetSparsity * prunable * step / options.Steps);
            int count = target - done;
            if (count <= 0) continue;
            for (int i = 0; i < m; i++) gradients(weights, i, g.AsSpan(i * d, d));
            // A block size below d selects the block-diagonal Fisher, the paper's choice for models too large for one block.
            using var built = options.Fisher.BlockSize is int b && b < d
                ? (IDisposable)new BlockDiagonalMfac<double>(g, d, options.Fisher)
                : new StaticMfac<double>(g, d, options.Fisher);
            var fisher = (IInverseFisher<double>)built;
            fisher.InverseDiagonal(diagonal);
            var order = Enumerable.Range(0, d).Where(k => !pruned[k] && !isProtected[k])
                .OrderBy(k => weights[k] * weights[k] / (2 * diagonal[k])).ThenBy(k => k).Take(count).ToArray();
            Array.Clear(u);
            foreach (int q in order) u[q] = weights[q] / diagonal[q];
            fisher.InverseTimes(u, correction);
            for (int k = 0; k < d; k++) weights[k] -= correction[k];
            foreach (int q in order) pruned[q] = true;
            for (int k = 0; k < d; k++) if (pruned[k]) weights[k] = 0;
            done = target;
            options.Progress?.Report(new PruningStep(step, done, prunable > 0 ? (double)done / prunable : 0));
        }
        return pruned;
    }

    // NaN weights used to flow into the gradient sampler (whose error then named 'gradients') or, for magnitude
    // pruning, sort first and be "pruned" silently: name them instead.
    private static void CheckWeights(double[] weights)
    {
        for (int k = 0; k < weights.Length; k++)
            if (!double.IsFinite(weights[k])) throw new ArgumentException($"weights[{k}] is {weights[k]}: pruning needs finite weights.", nameof(weights));
    }

    /// <summary>Sets the smallest-magnitude fraction <paramref name="sparsity"/> of the unprotected weights to zero; returns the mask.</summary>
    public static bool[] Magnitude(double[] weights, double sparsity, bool[]? isProtected = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (!(sparsity >= 0 && sparsity < 1)) throw new ArgumentOutOfRangeException(nameof(sparsity), sparsity, "sparsity must be in [0, 1).");
        CheckWeights(weights);
        isProtected ??= new bool[weights.Length];
        if (isProtected.Length != weights.Length) throw new ArgumentException($"isProtected has {isProtected.Length} entries but there are {weights.Length} weights.", nameof(isProtected));
        int prunable = isProtected.Count(p => !p);
        int count = (int)Math.Round(sparsity * prunable);
        var pruned = new bool[weights.Length];
        foreach (int k in Enumerable.Range(0, weights.Length).Where(k => !isProtected[k]).OrderBy(k => Math.Abs(weights[k])).ThenBy(k => k).Take(count))
        {
            pruned[k] = true;
            weights[k] = 0;
        }
        return pruned;
    }
}
