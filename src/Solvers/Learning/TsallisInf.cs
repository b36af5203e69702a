using System.Text.Json;

namespace Solvers.Learning;

/// <summary>
/// Tsallis-INF with the 1/2-Tsallis entropy (Zimmert and Seldin, JMLR 2021): a multi-armed bandit that is
/// optimal both against adversarial cost sequences (pseudo-regret at most 4 sqrt(K T) + 1) and, up to
/// constants, on stochastic ones, without knowing which it faces. This is the learner the Learning-to-Relax
/// paper uses to pick omega without context.
/// </summary>
/// <remarks>
/// Round t (1-based) plays arm i with probability p_i = 4 / (eta_t (L_i - x))^2, eta_t = 2 / sqrt(t), where
/// L_i is the cumulative importance-weighted loss estimate and x the normaliser that makes the p_i sum to 1.
/// Following the reference code (learners/TsallisINF.m of mkhodak/learning-to-relax) the estimator is the
/// standard importance-weighted one, L_i += loss / p_i for the played arm. With the default adaptive
/// normalisation (<see cref="LearnerOptions.CostScale"/> null) the estimates hold raw costs and are divided by
/// the mean cost observed so far when the distribution is formed, as the reference does; with a fixed scale
/// they hold the clipped losses cost / scale.
/// Thread safety: stateful (Next, then Observe); use an instance from one thread at a time.
/// </remarks>
public sealed class TsallisInf : IOmegaLearner
{
    internal const string Kind = "tsallis-inf";

    private readonly double[] _grid;
    private readonly ulong _seed;
    private readonly double? _costScale;
    private readonly TsallisCore _core;
    private ulong _counter;
    private int? _pendingArm;
    private double _pendingProbability;

    /// <summary>Creates a learner with no history.</summary>
    /// <param name="options">Grid, seed and cost scale.</param>
    public TsallisInf(LearnerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _grid = options.EffectiveGrid();
        _seed = options.Seed;
        _costScale = options.CostScale;
        _core = new TsallisCore(_grid.Length);
        Grid = Array.AsReadOnly(_grid);
    }

    /// <inheritdoc/>
    public string Name => Kind;

    /// <inheritdoc/>
    public IReadOnlyList<double> Grid { get; }

    /// <inheritdoc/>
    public int Rounds => _core.Rounds;

    /// <inheritdoc/>
    /// <remarks>The context is ignored: this learner is not contextual.</remarks>
    public double Next(double context = double.NaN)
    {
        LearnerChecks.EnsureNotPending(_pendingArm is not null, Name);
        Span<double> p = _grid.Length <= 256 ? stackalloc double[_grid.Length] : new double[_grid.Length];
        _core.Distribution(p, _costScale is null ? _core.MeanCost : 1.0);
        int arm = LearnerChecks.Sample(p, LearnerChecks.Uniform(_seed, ref _counter));
        _pendingArm = arm;
        _pendingProbability = p[arm];
        return _grid[arm];
    }

    /// <inheritdoc/>
    public void Observe(double cost)
    {
        LearnerChecks.EnsurePending(_pendingArm is not null, Name);
        LearnerChecks.ValidateCost(cost, nameof(cost));
        _core.Update(_pendingArm!.Value, LearnerChecks.Loss(cost, _costScale), _pendingProbability, cost);
        _pendingArm = null;
    }

    /// <inheritdoc/>
    public string ToJson() => LearnerChecks.WriteJson(w =>
    {
        w.WriteString("kind", Kind);
        LearnerChecks.WriteOptions(w, _grid, _seed, _costScale);
        w.WriteNumber("rngCounter", _counter);
        _core.Write(w);
        LearnerChecks.WriteNullable(w, "pendingArm", _pendingArm);
        w.WriteNumber("pendingProbability", _pendingArm is null ? 0 : _pendingProbability);
    });

    internal static TsallisInf Read(JsonFields root)
    {
        var learner = new TsallisInf(root.Options());
        learner._counter = root.ULong("rngCounter");
        TsallisCore.Read(root, learner._core);
        learner._pendingArm = root.NullableInt("pendingArm", 0, learner._grid.Length - 1);
        if (learner._pendingArm is not null)
        {
            double p = root.Double("pendingProbability");
            if (!(p > 0 && p <= 1)) throw root.Fail("pendingProbability", "must be in (0, 1] while an arm is pending");
            learner._pendingProbability = p;
        }
        return learner;
    }
}

/// <summary>
/// The statistics and the sampling distribution of one Tsallis-INF instance, without a random stream, so that
/// <see cref="BinnedTsallisInf"/> can run one per context bin from a single stream.
/// </summary>
internal sealed class TsallisCore
{
    private const int MaxNewtonSteps = 100;
    private const double Tolerance = 1e-12;

    internal TsallisCore(int arms)
    {
        LossEstimates = new double[arms];
        Plays = new int[arms];
    }

    /// <summary>Cumulative importance-weighted loss estimates L_i.</summary>
    internal double[] LossEstimates { get; }

    /// <summary>How often each arm was played and observed (diagnostics; the algorithm does not use it).</summary>
    internal int[] Plays { get; }

    internal int Rounds { get; private set; }

    /// <summary>The last normaliser x, NaN before the first round: a warm start for the next Newton solve.</summary>
    internal double Normaliser { get; private set; } = double.NaN;

    /// <summary>eta_t = 2 / sqrt(t) for the coming round t = Rounds + 1 (the anytime schedule of the reference code).</summary>
    internal double Eta => 2.0 / Math.Sqrt(Rounds + 1);

    /// <summary>Sum of the raw costs observed, for the adaptive normalisation.</summary>
    internal double CostSum { get; private set; }

    /// <summary>The mean raw cost so far (1 before the first round, or when every cost was 0).</summary>
    internal double MeanCost => Rounds > 0 && CostSum > 0 ? CostSum / Rounds : 1.0;

    /// <summary>
    /// The distribution of L / divisor: dividing the estimates by s is the same as dividing eta by s, with the
    /// normaliser staying in the units of L, so the warm start carries over when s changes.
    /// </summary>
    internal void Distribution(Span<double> p, double divisor = 1.0) => Normaliser = Probabilities(LossEstimates, Eta / divisor, Normaliser, p);

    internal void Update(int arm, double loss, double probability, double cost)
    {
        CostSum += cost;
        LossEstimates[arm] += loss / probability;
        Plays[arm]++;
        Rounds++;
    }

    /// <summary>
    /// Writes p_i = 4 / (eta (L_i - x))^2 with the normaliser x that makes them sum to 1, and returns x.
    /// f(x) = sum p_i - 1 is increasing and convex on x &lt; min L, and the root lies in
    /// [min L - 2 sqrt(K) / eta, min L - 2 / eta] (at the left end every p_i &lt;= 1/K, at the right end the best
    /// arm alone has p = 1). Newton's method is kept inside that shrinking bracket, falling back to bisection
    /// when a step would leave it, so a poor warm start cannot jump past min L where f has a pole.
    /// </summary>
    internal static double Probabilities(ReadOnlySpan<double> lossEstimates, double eta, double warmStart, Span<double> p)
    {
        int k = lossEstimates.Length;
        if (p.Length != k) throw new ArgumentException($"p has {p.Length} entries but there are {k} loss estimates.", nameof(p));
        if (!(eta > 0) || !double.IsFinite(eta)) throw new ArgumentOutOfRangeException(nameof(eta), eta, "eta must be finite and > 0.");
        double minLoss = double.PositiveInfinity;
        foreach (double l in lossEstimates) minLoss = Math.Min(minLoss, l);
        double lo = minLoss - 2.0 * Math.Sqrt(k) / eta, hi = minLoss - 2.0 / eta;
        double x = double.IsFinite(warmStart) ? Math.Clamp(warmStart, lo, hi) : hi;
        for (int step = 0; step < MaxNewtonSteps; step++)
        {
            double sum = 0, slope = 0;
            foreach (double l in lossEstimates)
            {
                double gap = l - x, q = 4.0 / (eta * gap * (eta * gap));
                sum += q;
                slope += 2.0 * q / gap;
            }
            double f = sum - 1.0;
            if (Math.Abs(f) <= Tolerance) break;
            if (f < 0) lo = x; else hi = x;
            double next = x - f / slope;
            if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
            if (next == x) break;
            x = next;
        }
        double total = 0;
        for (int i = 0; i < k; i++)
        {
            double gap = eta * (lossEstimates[i] - x);
            p[i] = 4.0 / (gap * gap);
            total += p[i];
        }
        for (int i = 0; i < k; i++) p[i] /= total;
        return x;
    }

    internal void Write(Utf8JsonWriter w)
    {
        w.WriteNumber("rounds", Rounds);
        LearnerChecks.WriteArray(w, "lossEstimates", LossEstimates);
        LearnerChecks.WriteArray(w, "plays", Plays);
        if (double.IsFinite(Normaliser)) w.WriteNumber("normaliser", Normaliser); else w.WriteNull("normaliser");
        w.WriteNumber("costSum", CostSum);
    }

    internal static void Read(JsonFields fields, TsallisCore core)
    {
        core.Rounds = fields.Int("rounds");
        var losses = fields.Doubles("lossEstimates", core.LossEstimates.Length);
        if (losses.Any(l => l < 0)) throw fields.Fail("lossEstimates", "holds a negative loss estimate");
        losses.CopyTo(core.LossEstimates, 0);
        var plays = fields.Ints("plays", core.Plays.Length);
        if (plays.Sum(v => (long)v) != core.Rounds)
            throw fields.Fail("plays", $"sums to {plays.Sum(v => (long)v)}, not to rounds ({core.Rounds})");
        plays.CopyTo(core.Plays, 0);
        core.Normaliser = fields.NullableDouble("normaliser") ?? double.NaN;
        double costSum = fields.Double("costSum");
        if (!(costSum >= 0)) throw fields.Fail("costSum", "must be finite and >= 0");
        core.CostSum = costSum;
    }
}
