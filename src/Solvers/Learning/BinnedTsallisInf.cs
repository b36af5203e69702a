namespace Solvers.Learning;

/// <summary>
/// The simple contextual baseline of the Learning-to-Relax paper ("Tsallis-INF-CB"): the context range is cut
/// into <see cref="ContextualOptions.Bins"/> equal-width bins and an independent <see cref="TsallisInf"/> runs
/// in each, so each bin learns its own omega but learns nothing from its neighbours.
/// </summary>
/// <remarks>
/// Each bin keeps its own round count (so its own eta_t = 2 / sqrt(t)), as in the reference code
/// (learners/TsallisINFCB.m). All bins draw from one seeded counter-based stream. Contexts outside
/// [ContextMin, ContextMax] are clamped into the range (so they land in the first or last bin) and counted in
/// <see cref="ClampedContexts"/>, with a message in <see cref="LastWarning"/>, instead of throwing.
/// Thread safety: stateful (Next, then Observe); use an instance from one thread at a time.
/// </remarks>
public sealed class BinnedTsallisInf : IOmegaLearner
{
    internal const string Kind = "binned-tsallis-inf";

    private readonly double[] _grid;
    private readonly ulong _seed;
    private readonly double? _costScale;
    private readonly ContextualOptions _contextual;
    private readonly TsallisCore[] _bins;
    private ulong _counter;
    private int _rounds;
    private int _clamped;
    private string? _warning;
    private int? _pendingBin;
    private int _pendingArm;
    private double _pendingProbability;

    /// <summary>Creates a learner with no history.</summary>
    /// <param name="options">Grid, seed and cost scale.</param>
    /// <param name="contextual">Context range and number of bins (Degree and Exploration are not used).</param>
    /// <exception cref="ArgumentException">ContextMax is not greater than ContextMin.</exception>
    public BinnedTsallisInf(LearnerOptions options, ContextualOptions contextual)
    {
        ArgumentNullException.ThrowIfNull(options);
        LearnerChecks.ValidateRange(contextual, nameof(contextual));
        _grid = options.EffectiveGrid();
        _seed = options.Seed;
        _costScale = options.CostScale;
        _contextual = contextual;
        _bins = new TsallisCore[contextual.Bins];
        for (int b = 0; b < _bins.Length; b++) _bins[b] = new TsallisCore(_grid.Length);
        Grid = Array.AsReadOnly(_grid);
    }

    /// <inheritdoc/>
    public string Name => Kind;

    /// <inheritdoc/>
    public IReadOnlyList<double> Grid { get; }

    /// <inheritdoc/>
    public int Rounds => _rounds;

    /// <summary>How many contexts given to <see cref="Next"/> were outside [ContextMin, ContextMax] and clamped.</summary>
    public int ClampedContexts => _clamped;

    /// <summary>The message of the most recent clamp (null if none yet); it stays until the next clamp replaces it.</summary>
    public string? LastWarning => _warning;

    /// <summary>The bin a (clamped) context falls in: equal widths, the top edge belonging to the last bin.</summary>
    internal int BinOf(double context)
    {
        double u = (context - _contextual.ContextMin) / (_contextual.ContextMax - _contextual.ContextMin);
        return Math.Clamp((int)Math.Floor(u * _bins.Length), 0, _bins.Length - 1);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The context is NaN or infinite.</exception>
    public double Next(double context = double.NaN)
    {
        LearnerChecks.EnsureNotPending(_pendingBin is not null, Name);
        double c = LearnerChecks.ClampContext(context, _contextual, Name, ref _clamped, ref _warning);
        int bin = BinOf(c);
        Span<double> p = _grid.Length <= 256 ? stackalloc double[_grid.Length] : new double[_grid.Length];
        _bins[bin].Distribution(p, _costScale is null ? MeanCost() : 1.0);
        int arm = LearnerChecks.Sample(p, LearnerChecks.Uniform(_seed, ref _counter));
        _pendingBin = bin;
        _pendingArm = arm;
        _pendingProbability = p[arm];
        return _grid[arm];
    }

    /// <inheritdoc/>
    public void Observe(double cost)
    {
        LearnerChecks.EnsurePending(_pendingBin is not null, Name);
        LearnerChecks.ValidateCost(cost, nameof(cost));
        _bins[_pendingBin!.Value].Update(_pendingArm, LearnerChecks.Loss(cost, _costScale), _pendingProbability, cost);
        _pendingBin = null;
        _rounds++;
    }

    // The adaptive scale is the mean cost over all bins: one cost unit for the whole sequence.
    private double MeanCost()
    {
        double sum = 0;
        int rounds = 0;
        foreach (var b in _bins)
        {
            sum += b.CostSum;
            rounds += b.Rounds;
        }
        return rounds > 0 && sum > 0 ? sum / rounds : 1.0;
    }

    /// <inheritdoc/>
    public string ToJson() => LearnerChecks.WriteJson(w =>
    {
        w.WriteString("kind", Kind);
        LearnerChecks.WriteOptions(w, _grid, _seed, _costScale);
        LearnerChecks.WriteContextual(w, _contextual);
        w.WriteNumber("rngCounter", _counter);
        w.WriteNumber("rounds", _rounds);
        w.WriteNumber("clampedContexts", _clamped);
        if (_warning is null) w.WriteNull("lastWarning"); else w.WriteString("lastWarning", _warning);
        w.WriteStartArray("bins");
        foreach (var core in _bins)
        {
            w.WriteStartObject();
            core.Write(w);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        LearnerChecks.WriteNullable(w, "pendingBin", _pendingBin);
        LearnerChecks.WriteNullable(w, "pendingArm", _pendingBin is null ? null : _pendingArm);
        w.WriteNumber("pendingProbability", _pendingBin is null ? 0 : _pendingProbability);
    });

    internal static BinnedTsallisInf Read(JsonFields root)
    {
        var learner = new BinnedTsallisInf(root.Options(), root.Contextual());
        learner._counter = root.ULong("rngCounter");
        learner._rounds = root.Int("rounds");
        learner._clamped = root.Int("clampedContexts");
        learner._warning = root.NullableString("lastWarning");
        var bins = root.Objects("bins", learner._bins.Length);
        long total = 0;
        for (int b = 0; b < bins.Length; b++)
        {
            TsallisCore.Read(bins[b], learner._bins[b]);
            total += learner._bins[b].Rounds;
        }
        if (total != learner._rounds) throw root.Fail("rounds", $"is {learner._rounds} but the bins hold {total} rounds");
        learner._pendingBin = root.NullableInt("pendingBin", 0, learner._bins.Length - 1);
        if (learner._pendingBin is not null)
        {
            learner._pendingArm = root.NullableInt("pendingArm", 0, learner._grid.Length - 1)
                ?? throw root.Fail("pendingArm", "is missing while pendingBin is set");
            double p = root.Double("pendingProbability");
            if (!(p > 0 && p <= 1)) throw root.Fail("pendingProbability", "must be in (0, 1] while an arm is pending");
            learner._pendingProbability = p;
        }
        return learner;
    }
}
