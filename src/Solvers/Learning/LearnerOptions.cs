namespace Solvers.Learning;

/// <summary>
/// Options shared by the bandit learners. Immutable; each value is validated when set, so a bad grid fails
/// where it is written rather than at the first round.
/// </summary>
/// <remarks>Thread safety: immutable (init-only), safe to share between threads; arrays it references are read, not copied, so leave them unchanged while a run uses them.</remarks>
public sealed record LearnerOptions
{
    private readonly IReadOnlyList<double>? _grid;
    private readonly double? _costScale;

    /// <summary>
    /// The omegas to choose from: non-empty, strictly ascending, each in (0, 2) where SOR can converge.
    /// Null (the default) means <see cref="OmegaLearners.DefaultGrid"/>(), the 20-point grid of the paper.
    /// The values are copied, so later changes to the caller's list have no effect.
    /// </summary>
    public IReadOnlyList<double>? Grid
    {
        get => _grid;
        init => _grid = value is null ? null : Array.AsReadOnly(LearnerChecks.ValidateGrid(value, nameof(Grid)));
    }

    /// <summary>Seed of the counter-based random stream; the same seed and costs give the same omegas.</summary>
    public ulong Seed { get; init; }

    /// <summary>
    /// How costs become losses. Null (the default) normalises adaptively, as the paper's reference code does:
    /// Tsallis-INF divides its cumulative estimates by the mean cost observed so far, ChebCB its regression
    /// targets by the largest cost so far. A value turns costs into losses cost / CostScale clipped to [0, 1],
    /// the bounded losses the regret guarantees assume; then set it near the largest cost you expect (the
    /// regret is in its units, so a scale far above the typical cost, such as the iteration cap, makes every
    /// omega look alike). On the shifted-Laplacian sequence the adaptive form needed 1.17x the best fixed
    /// omega's iterations after 5000 systems, the best fixed scale 1.41x. Must be finite and &gt; 0 when set.
    /// </summary>
    public double? CostScale
    {
        get => _costScale;
        init => _costScale = value is null || (value > 0 && double.IsFinite(value.Value)) ? value
            : throw new ArgumentOutOfRangeException(nameof(CostScale), value, "CostScale must be finite and > 0 (costs are divided by it to get losses in [0, 1]), or null for adaptive normalisation.");
    }

    /// <summary>The grid in force: <see cref="Grid"/>, or the default grid when it is null.</summary>
    internal double[] EffectiveGrid() => _grid is null ? OmegaLearners.DefaultGrid() : [.. _grid];
}

/// <summary>
/// Options of the contextual learners (<see cref="ChebCb"/>, <see cref="BinnedTsallisInf"/>): the range the
/// scalar context is expected in, and the model size. Validated when set; the range order
/// (ContextMin &lt; ContextMax) is checked by the learner's constructor because it involves two properties.
/// </summary>
/// <remarks>Thread safety: immutable (init-only), safe to share between threads.</remarks>
public sealed record ContextualOptions
{
    private readonly double _contextMin;
    private readonly double _contextMax = 1.0;
    private readonly int _degree = 5;
    private readonly int _bins = 5;
    private readonly double? _exploration;

    /// <summary>Lower end of the expected context range (default 0). Contexts below it are clamped and counted.</summary>
    public double ContextMin
    {
        get => _contextMin;
        init => _contextMin = double.IsFinite(value) ? value
            : throw new ArgumentOutOfRangeException(nameof(ContextMin), value, "ContextMin must be finite.");
    }

    /// <summary>Upper end of the expected context range (default 1). Contexts above it are clamped and counted.</summary>
    public double ContextMax
    {
        get => _contextMax;
        init => _contextMax = double.IsFinite(value) ? value
            : throw new ArgumentOutOfRangeException(nameof(ContextMax), value, "ContextMax must be finite.");
    }

    /// <summary>
    /// Highest Chebyshev polynomial degree of the ChebCB loss model (features T_0..T_Degree), 0 to 30.
    /// Default 5: the paper's experiments use 6 Chebyshev terms (m = 6 in the reference scripts).
    /// </summary>
    public int Degree
    {
        get => _degree;
        init => _degree = value is >= 0 and <= 30 ? value
            : throw new ArgumentOutOfRangeException(nameof(Degree), value, "Degree must be in [0, 30].");
    }

    /// <summary>
    /// Number of equal-width context bins of <see cref="BinnedTsallisInf"/>, 1 to 100000. Default 5, as in the
    /// paper's shifted-Laplacian experiment (its heat-equation experiment uses 6).
    /// </summary>
    public int Bins
    {
        get => _bins;
        init => _bins = value is >= 1 and <= 100_000 ? value
            : throw new ArgumentOutOfRangeException(nameof(Bins), value, "Bins must be in [1, 100000].");
    }

    /// <summary>
    /// The inverse-gap-weighting parameter gamma of ChebCB, held fixed when set (finite, &gt; 0). Null (the
    /// default) uses the reference code's schedule, which grows roughly linearly in the round t:
    /// gamma_t = 2 t sqrt(K t / (R_t + 2 alpha^2 t)), R_t the running squared prediction error and alpha a
    /// Chebyshev truncation-error term.
    /// </summary>
    public double? Exploration
    {
        get => _exploration;
        init => _exploration = value is null || (value > 0 && double.IsFinite(value.Value)) ? value
            : throw new ArgumentOutOfRangeException(nameof(Exploration), value, "Exploration must be null or finite and > 0.");
    }
}
