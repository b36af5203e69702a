namespace Solvers.Linear.Multigrid;

/// <summary>The smoother of the multigrid V-cycle.</summary>
public enum AmgSmoother
{
    /// <summary>Chebyshev polynomial in D^-1 A on [lambda_max/30, 1.1 lambda_max] (SpMVs only; the default).</summary>
    Chebyshev,
    /// <summary>Damped Jacobi, x += omega D^-1 (b - A x) with omega = 4 / (3 lambda_max).</summary>
    Jacobi,
}

/// <summary>Options of smoothed-aggregation algebraic multigrid. Validated when set.</summary>
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

    /// <summary>At most this many levels, the finest included (default 12).</summary>
    public int MaxLevels
    {
        get => _maxLevels;
        init => _maxLevels = value is >= 1 and <= 50 ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxLevels), value, "The number of levels must be from 1 to 50.");
    }

    /// <summary>The smoother (default Chebyshev).</summary>
    public AmgSmoother Smoother { get; init; } = AmgSmoother.Chebyshev;

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
}

/// <summary>One level of an AMG hierarchy.</summary>
/// <param name="Rows">Unknowns.</param>
/// <param name="NonZeros">Stored entries of the level's operator.</param>
public sealed record AmgLevelInfo(int Rows, long NonZeros);

/// <summary>Statistics of an AMG hierarchy, as hypre and AmgX print them.</summary>
/// <param name="Levels">Sizes, finest first.</param>
/// <param name="OperatorComplexity">Sum of the levels' nonzeros over the finest level's.</param>
/// <param name="GridComplexity">Sum of the levels' unknowns over the finest level's.</param>
/// <param name="SetupSeconds">Time to build the hierarchy (host) and upload it.</param>
public sealed record AmgHierarchyInfo(IReadOnlyList<AmgLevelInfo> Levels, double OperatorComplexity, double GridComplexity, double SetupSeconds);
