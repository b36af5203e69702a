namespace Solvers.Learning;

/// <summary>
/// ChebCB, the contextual bandit of the Learning-to-Relax paper for a scalar context c (e.g. a diagonal shift or
/// a diffusion coefficient): each arm's loss is modelled as a Chebyshev series in c, fitted online by regularised
/// least squares, and arms are drawn by inverse-gap weighting (SquareCB, Foster and Rakhlin 2020), so that an arm
/// predicted to be worse by a gap g is played with probability 1 / (K + gamma g).
/// </summary>
/// <remarks>
/// <para>The context is mapped to [-1, 1] by x = 2 (c - ContextMin) / (ContextMax - ContextMin) - 1 and the features
/// are T_0(x)..T_Degree(x). Each arm keeps X'X and X'y of the rounds it was played; its coefficients solve
/// (X'X + lambda I) theta = X'y with lambda = 1. The ridge term pulls an arm with little data towards a
/// predicted loss of 0, the smallest possible, so unexplored arms look attractive and get tried; predictions
/// are clipped to [0, 1], the range of the losses. (The reference code instead fits unregularised least
/// squares under box constraints on the coefficients.)</para>
/// <para>gamma follows the reference code (learners/ChebCB.m of mkhodak/learning-to-relax) unless
/// <see cref="ContextualOptions.Exploration"/> fixes it: after t rounds, gamma = 2 t sqrt(K t / (R + 2 alpha^2 t)),
/// where R is the running sum of squared errors of the prediction for the played arm (made before its loss was
/// seen) and alpha = (pi + (2/pi) ln(2m + 1)) / (2 (m + 1)) (max loss - min loss), m = Degree + 1, bounds the
/// error of truncating a Lipschitz loss to m Chebyshev terms. gamma is 0 (uniform play) before the first round.</para>
/// <para>Contexts outside [ContextMin, ContextMax] are clamped into the range and counted in
/// <see cref="ClampedContexts"/>, with a message in <see cref="LastWarning"/>, instead of throwing: a time loop
/// should not stop because a coefficient drifted slightly past the caller's guess.</para>
/// <para>Thread safety: stateful (Next, then Observe); use an instance from one thread at a time.</para>
/// </remarks>
public sealed class ChebCb : IOmegaLearner
{
    internal const string Kind = "chebcb";
    internal const double Ridge = 1.0;

    /// <summary>Caps gamma when the model has fitted every loss exactly (R = alpha = 0), where the schedule is infinite.</summary>
    private const double MaxGamma = 1e12;

    private readonly double[] _grid;
    private readonly ulong _seed;
    private readonly double? _costScale;
    private readonly ContextualOptions _contextual;
    private readonly int _terms;
    private readonly double[][] _gram;   // per arm, X'X row-major (terms x terms), without the ridge
    private readonly double[][] _xty;    // per arm, X'y
    private readonly double[][] _theta;  // per arm, the current fit
    private readonly int[] _plays;
    private ulong _counter;
    private int _rounds;
    private double _squaredError;
    private double _minLoss = double.NaN, _maxLoss = double.NaN;
    private int _clamped;
    private string? _warning;
    private int? _pendingArm;
    private double _pendingContext;
    private double _pendingPrediction;

    /// <summary>Creates a learner with no history.</summary>
    /// <param name="options">Grid, seed and cost scale.</param>
    /// <param name="contextual">Context range, Chebyshev degree and optional fixed gamma (Bins is not used).</param>
    /// <exception cref="ArgumentException">ContextMax is not greater than ContextMin.</exception>
    public ChebCb(LearnerOptions options, ContextualOptions contextual)
    {
        ArgumentNullException.ThrowIfNull(options);
        LearnerChecks.ValidateRange(contextual, nameof(contextual));
        _grid = options.EffectiveGrid();
        _seed = options.Seed;
        _costScale = options.CostScale;
        _contextual = contextual;
        _terms = contextual.Degree + 1;
        int k = _grid.Length;
        _gram = new double[k][];
        _xty = new double[k][];
        _theta = new double[k][];
        for (int a = 0; a < k; a++)
        {
            _gram[a] = new double[_terms * _terms];
            _xty[a] = new double[_terms];
            _theta[a] = new double[_terms];
        }
        _plays = new int[k];
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

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The context is NaN or infinite.</exception>
    public double Next(double context = double.NaN)
    {
        LearnerChecks.EnsureNotPending(_pendingArm is not null, Name);
        double c = LearnerChecks.ClampContext(context, _contextual, Name, ref _clamped, ref _warning);
        int k = _grid.Length;
        Span<double> phi = stackalloc double[_terms];
        Features(c, phi);
        Span<double> yhat = k <= 256 ? stackalloc double[k] : new double[k];
        double divisor = Divisor;
        int best = 0;
        for (int a = 0; a < k; a++)
        {
            yhat[a] = Predict(a, phi, divisor);
            if (yhat[a] < yhat[best]) best = a;
        }
        double gamma = Gamma();
        Span<double> p = k <= 256 ? stackalloc double[k] : new double[k];
        double others = 0;
        for (int a = 0; a < k; a++)
        {
            if (a == best) continue;
            p[a] = 1.0 / (k + gamma * (yhat[a] - yhat[best]));
            others += p[a];
        }
        p[best] = Math.Max(0.0, 1.0 - others);
        int arm = LearnerChecks.Sample(p, LearnerChecks.Uniform(_seed, ref _counter));
        _pendingArm = arm;
        _pendingContext = c;
        // Kept in the units of the stored losses (raw costs when adaptive), like the squared error it feeds.
        _pendingPrediction = yhat[arm] * divisor;
        return _grid[arm];
    }

    /// <inheritdoc/>
    public void Observe(double cost)
    {
        LearnerChecks.EnsurePending(_pendingArm is not null, Name);
        LearnerChecks.ValidateCost(cost, nameof(cost));
        int arm = _pendingArm!.Value;
        double loss = LearnerChecks.Loss(cost, _costScale);
        Span<double> phi = stackalloc double[_terms];
        Features(_pendingContext, phi);
        var gram = _gram[arm];
        var xty = _xty[arm];
        for (int i = 0; i < _terms; i++)
        {
            xty[i] += phi[i] * loss;
            for (int j = 0; j < _terms; j++) gram[i * _terms + j] += phi[i] * phi[j];
        }
        _plays[arm]++;
        Refit(arm);
        double error = _pendingPrediction - loss;
        _squaredError += error * error;
        _minLoss = _rounds == 0 ? loss : Math.Min(_minLoss, loss);
        _maxLoss = _rounds == 0 ? loss : Math.Max(_maxLoss, loss);
        _rounds++;
        _pendingArm = null;
    }

    /// <summary>The inverse-gap-weighting parameter for the coming round.</summary>
    internal double Gamma()
    {
        if (_contextual.Exploration is { } fixedGamma) return fixedGamma;
        if (_rounds == 0) return 0.0;
        double t = _rounds, m = _terms;
        double d = Divisor;
        double alpha = (Math.PI + 2.0 / Math.PI * Math.Log(2.0 * m + 1.0)) / (2.0 * (m + 1.0)) * (_maxLoss - _minLoss) / d;
        double denominator = _squaredError / (d * d) + 2.0 * alpha * alpha * t;
        if (!(denominator > 0)) return MaxGamma;
        return Math.Min(MaxGamma, 2.0 * t * Math.Sqrt(_grid.Length * t / denominator));
    }

    /// <summary>T_0..T_Degree at the context mapped to [-1, 1], by the three-term recurrence.</summary>
    private void Features(double context, Span<double> phi)
    {
        double x = 2.0 * (context - _contextual.ContextMin) / (_contextual.ContextMax - _contextual.ContextMin) - 1.0;
        x = Math.Clamp(x, -1.0, 1.0);
        phi[0] = 1.0;
        if (phi.Length > 1) phi[1] = x;
        for (int j = 2; j < phi.Length; j++) phi[j] = 2.0 * x * phi[j - 1] - phi[j - 2];
    }

    /// <summary>
    /// What stored losses are divided by to predict in [0, 1]: 1 with a fixed cost scale (the losses are already
    /// scaled), the largest cost so far when adaptive, as the reference code scales its regression targets. Ridge
    /// least squares is linear in its targets, so dividing the fit of raw costs equals fitting scaled costs.
    /// </summary>
    private double Divisor => _costScale is null && _rounds > 0 && _maxLoss > 0 ? _maxLoss : 1.0;

    private double Predict(int arm, ReadOnlySpan<double> phi, double divisor)
    {
        var theta = _theta[arm];
        double y = 0;
        for (int j = 0; j < phi.Length; j++) y += theta[j] * phi[j];
        return Math.Clamp(y / divisor, 0.0, 1.0);
    }

    /// <summary>theta = (X'X + lambda I)^-1 X'y by Cholesky; the matrix is SPD because lambda &gt; 0.</summary>
    private void Refit(int arm)
    {
        int n = _terms;
        var g = _gram[arm];
        Span<double> l = stackalloc double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double s = g[i * n + j] + (i == j ? Ridge : 0.0);
                for (int q = 0; q < j; q++) s -= l[i * n + q] * l[j * n + q];
                l[i * n + j] = i == j ? Math.Sqrt(s) : s / l[j * n + j];
            }
        }
        var theta = _theta[arm];
        var b = _xty[arm];
        for (int i = 0; i < n; i++)
        {
            double s = b[i];
            for (int q = 0; q < i; q++) s -= l[i * n + q] * theta[q];
            theta[i] = s / l[i * n + i];
        }
        for (int i = n - 1; i >= 0; i--)
        {
            double s = theta[i];
            for (int q = i + 1; q < n; q++) s -= l[q * n + i] * theta[q];
            theta[i] = s / l[i * n + i];
        }
    }

    /// <inheritdoc/>
    public string ToJson() => LearnerChecks.WriteJson(w =>
    {
        w.WriteString("kind", Kind);
        LearnerChecks.WriteOptions(w, _grid, _seed, _costScale);
        LearnerChecks.WriteContextual(w, _contextual);
        w.WriteNumber("rngCounter", _counter);
        w.WriteNumber("rounds", _rounds);
        w.WriteNumber("squaredError", _squaredError);
        if (_rounds == 0) { w.WriteNull("minLoss"); w.WriteNull("maxLoss"); }
        else { w.WriteNumber("minLoss", _minLoss); w.WriteNumber("maxLoss", _maxLoss); }
        w.WriteNumber("clampedContexts", _clamped);
        if (_warning is null) w.WriteNull("lastWarning"); else w.WriteString("lastWarning", _warning);
        LearnerChecks.WriteArray(w, "plays", _plays);
        w.WriteStartArray("gram");
        foreach (var g in _gram) { w.WriteStartArray(); foreach (var v in g) w.WriteNumberValue(v); w.WriteEndArray(); }
        w.WriteEndArray();
        w.WriteStartArray("xty");
        foreach (var b in _xty) { w.WriteStartArray(); foreach (var v in b) w.WriteNumberValue(v); w.WriteEndArray(); }
        w.WriteEndArray();
        LearnerChecks.WriteNullable(w, "pendingArm", _pendingArm);
        w.WriteNumber("pendingContext", _pendingArm is null ? 0 : _pendingContext);
        w.WriteNumber("pendingPrediction", _pendingArm is null ? 0 : _pendingPrediction);
    });

    internal static ChebCb Read(JsonFields root)
    {
        var learner = new ChebCb(root.Options(), root.Contextual());
        int k = learner._grid.Length, n = learner._terms;
        learner._counter = root.ULong("rngCounter");
        learner._rounds = root.Int("rounds");
        learner._squaredError = root.Double("squaredError");
        if (learner._squaredError < 0) throw root.Fail("squaredError", "must be >= 0");
        if (learner._rounds > 0)
        {
            learner._minLoss = root.Double("minLoss");
            learner._maxLoss = root.Double("maxLoss");
            if (!(learner._minLoss >= 0 && learner._minLoss <= learner._maxLoss && learner._maxLoss <= 1))
                throw root.Fail("maxLoss", "and minLoss must satisfy 0 <= minLoss <= maxLoss <= 1");
        }
        learner._clamped = root.Int("clampedContexts");
        learner._warning = root.NullableString("lastWarning");
        var plays = root.Ints("plays", k);
        if (plays.Sum(v => (long)v) != learner._rounds)
            throw root.Fail("plays", $"sums to {plays.Sum(v => (long)v)}, not to rounds ({learner._rounds})");
        plays.CopyTo(learner._plays, 0);
        var gram = root.DoubleRows("gram", k, n * n);
        var xty = root.DoubleRows("xty", k, n);
        for (int a = 0; a < k; a++)
        {
            for (int i = 0; i < n; i++)
                if (!(gram[a][i * n + i] >= 0)) throw root.Fail($"gram[{a}]", "has a negative diagonal entry");
            gram[a].CopyTo(learner._gram[a], 0);
            xty[a].CopyTo(learner._xty[a], 0);
            learner.Refit(a);
            if (!learner._theta[a].All(double.IsFinite)) throw root.Fail($"gram[{a}]", "is not positive semidefinite");
        }
        learner._pendingArm = root.NullableInt("pendingArm", 0, k - 1);
        if (learner._pendingArm is not null)
        {
            double c = root.Double("pendingContext");
            if (c < learner._contextual.ContextMin || c > learner._contextual.ContextMax)
                throw root.Fail("pendingContext", "lies outside [contextMin, contextMax]");
            learner._pendingContext = c;
            learner._pendingPrediction = root.Double("pendingPrediction");
        }
        return learner;
    }
}
