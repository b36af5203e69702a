namespace Solvers.Linear.Multigrid;

/// <summary>The smoother of the multigrid cycle.</summary>
/// <remarks>Thread safety: an enum; its values are immutable.</remarks>
public enum AmgSmoother
{
    /// <summary>Chebyshev polynomial in D^-1 A on [lambda_max/30, 1.1 lambda_max] (SpMVs only).</summary>
    Chebyshev,
    /// <summary>Damped Jacobi, x += omega D^-1 (b - A x) with omega = 4 / (3 lambda_max) (the default).</summary>
    Jacobi,
}

/// <summary>Options of smoothed-aggregation algebraic multigrid. Validated when set.</summary>
/// <remarks>Thread safety: immutable (init-only), safe to share between threads; arrays it references are read, not copied, so leave them unchanged while a run uses them.</remarks>
public sealed record AmgOptions
{
    private readonly double _strengthThreshold = 0.08;
    private readonly int _maxCoarseSize = 500;
    private readonly int _maxLevels = 12;
    private readonly int _smootherDegree = 2;

    /// <summary>
    /// Connection i-j is strong when |a_ij| &gt;= theta sqrt(|a_ii a_jj|) (default 0.08); only strong connections
    /// join aggregates, which is what lets anisotropic problems coarsen along the strong direction.
    /// </summary>
    public double StrengthThreshold
    {
        get => _strengthThreshold;
        init => _strengthThreshold = value is >= 0 and < 1 ? value
            : throw new ArgumentOutOfRangeException(nameof(StrengthThreshold), value, "The strength threshold must be in [0, 1).");
    }

    /// <summary>Stop coarsening at this many unknowns (default 500); the coarsest level is solved exactly.</summary>
    public int MaxCoarseSize
    {
        get => _maxCoarseSize;
        init => _maxCoarseSize = value is >= 1 and <= 4000 ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxCoarseSize), value, "The coarsest size must be from 1 to 4000 (it is factored densely).");
    }

    private int _cycleIndex = 2;

    /// <summary>At most this many levels, the finest included (default 12).</summary>
    public int MaxLevels
    {
        get => _maxLevels;
        init => _maxLevels = value is >= 1 and <= 50 ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxLevels), value, "The number of levels must be from 1 to 50.");
    }

    /// <summary>
    /// Coarse corrections per level: 2 for a W-cycle (default), 1 for a V-cycle. The W-cycle costs about 1.5x a
    /// V-cycle when each level has a sixth of the unknowns of the one above, and keeps the iteration count flat
    /// with the mesh (8 on 2D Poisson from 256^2 to 2048^2, where the V-cycle goes from 11 to 15): the faster of
    /// the two on CPUs. On GPUs the W-cycle's extra coarse-level launches cost latency; try the V-cycle there.
    /// </summary>
    public int CycleIndex
    {
        get => _cycleIndex;
        init => _cycleIndex = value is 1 or 2 ? value
            : throw new ArgumentOutOfRangeException(nameof(CycleIndex), value, "The cycle index must be 1 (V-cycle) or 2 (W-cycle).");
    }

    /// <summary>
    /// The smoother (default damped Jacobi: with the W-cycle it needed the fewest iterations and the least time on
    /// 2D/3D Poisson and anisotropic diffusion; Chebyshev is the choice for wider spectra of D^-1 A).
    /// </summary>
    public AmgSmoother Smoother { get; init; } = AmgSmoother.Jacobi;

    /// <summary>Chebyshev degree, or Jacobi sweeps, before and after each coarse correction (default 2).</summary>
    public int SmootherDegree
    {
        get => _smootherDegree;
        init => _smootherDegree = value is >= 1 and <= 20 ? value
            : throw new ArgumentOutOfRangeException(nameof(SmootherDegree), value, "The smoother degree must be from 1 to 20.");
    }

    /// <summary>
    /// Near-null space of A: the vectors the coarse spaces must represent exactly (each of length n). Null means
    /// the constant vector, right for scalar diffusion; pass rigid body modes for elasticity.
    /// </summary>
    public IReadOnlyList<double[]>? NearNullSpace { get; init; }

    /// <summary>The keys <see cref="Parse"/> accepts.</summary>
    public const string Keys = "cycle=v|w, smoother=jacobi|chebyshev, degree=N, theta=X, coarse=N, levels=N";

    /// <summary>
    /// Options from a comma-separated list of key=value pairs (see <see cref="Keys"/>), starting from the
    /// defaults; e.g. <c>cycle=v,smoother=chebyshev,degree=3</c>. Empty gives the defaults.
    /// </summary>
    /// <exception cref="ArgumentException">A key is unknown or a value invalid; the message names it.</exception>
    public static AmgOptions Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var options = new AmgOptions();
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        foreach (string part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            string key = eq < 0 ? part : part[..eq].Trim().ToLowerInvariant();
            string value = eq < 0 ? "" : part[(eq + 1)..].Trim().ToLowerInvariant();
            try
            {
                options = key switch
                {
                    "cycle" => options with { CycleIndex = value switch { "v" => 1, "w" => 2, _ => throw new FormatException($"cycle must be v or w, not '{value}'.") } },
                    "smoother" => options with
                    {
                        Smoother = value switch
                        {
                            "jacobi" => AmgSmoother.Jacobi,
                            "chebyshev" => AmgSmoother.Chebyshev,
                            _ => throw new FormatException($"smoother must be jacobi or chebyshev, not '{value}'."),
                        },
                    },
                    "degree" => options with { SmootherDegree = int.Parse(value, inv) },
                    "theta" => options with { StrengthThreshold = double.Parse(value, System.Globalization.NumberStyles.Float, inv) },
                    "coarse" => options with { MaxCoarseSize = int.Parse(value, inv) },
                    "levels" => options with { MaxLevels = int.Parse(value, inv) },
                    _ => throw new FormatException($"unknown key '{key}'."),
                };
            }
            catch (Exception e) when (e is FormatException or OverflowException or ArgumentOutOfRangeException)
            {
                throw new ArgumentException($"AMG options '{spec}', at '{part}': {e.Message} Keys: {Keys}.", nameof(spec), e);
            }
        }
        return options;
    }
}

/// <summary>One level of an AMG hierarchy.</summary>
/// <param name="Rows">Unknowns.</param>
/// <param name="NonZeros">Stored entries of the level's operator.</param>
/// <remarks>Thread safety: immutable once created; safe to read from several threads.</remarks>
public sealed record AmgLevelInfo(int Rows, long NonZeros);

/// <summary>Statistics of an AMG hierarchy, as hypre and AmgX print them.</summary>
/// <param name="Levels">Sizes, finest first.</param>
/// <param name="OperatorComplexity">Sum of the levels' nonzeros over the finest level's.</param>
/// <param name="GridComplexity">Sum of the levels' unknowns over the finest level's.</param>
/// <param name="SetupSeconds">Time to build the hierarchy (host) and upload it.</param>
/// <remarks>Thread safety: immutable once created (arrays it holds are not defensive copies); safe to read from several threads.</remarks>
public sealed record AmgHierarchyInfo(IReadOnlyList<AmgLevelInfo> Levels, double OperatorComplexity, double GridComplexity, double SetupSeconds);
