using System.Text.Json;
using Solvers.Learning;
using Xunit;
using Xunit.Abstractions;

namespace Solvers.Tests;

/// <summary>
/// The omega learners: the Tsallis-INF normaliser against a bisection written here, regret on synthetic bandits
/// with known means, ChebCB against the per-context optimum, determinism, save/restore and input checks.
/// </summary>
public sealed class LearningTests(ITestOutputHelper output)
{
    // ---------- Tsallis-INF normaliser ----------

    /// <summary>Independent reference: bisection on sum_i 4 / (eta (L_i - x))^2 = 1 over x &lt; min L.</summary>
    private static double[] BisectionProbabilities(double[] losses, double eta)
    {
        double minL = losses.Min();
        double Excess(double x) => losses.Sum(l => 4.0 / Math.Pow(eta * (l - x), 2)) - 1.0;
        double lo = minL - 1e6, hi = minL - 1e-9;
        Assert.True(Excess(lo) < 0 && Excess(hi) > 0);
        for (int i = 0; i < 300; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (Excess(mid) < 0) lo = mid; else hi = mid;
        }
        double xs = 0.5 * (lo + hi);
        return losses.Select(l => 4.0 / Math.Pow(eta * (l - xs), 2)).ToArray();
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-1000.0)]
    [InlineData(1000.0)]
    [InlineData(3.0)]
    public void Normaliser_gives_uniform_distribution_for_equal_estimates(double warmStart)
    {
        var losses = Enumerable.Repeat(3.7, 20).ToArray();
        double eta = 2.0 / Math.Sqrt(50);
        var p = new double[20];
        double x = TsallisCore.Probabilities(losses, eta, warmStart, p);
        Assert.All(p, pi => Assert.Equal(0.05, pi, 1e-13));
        // Closed form: 20 * 4 / (eta (L - x))^2 = 1, so x = L - 2 sqrt(20) / eta.
        Assert.Equal(3.7 - 2 * Math.Sqrt(20) / eta, x, 1e-9);
    }

    [Theory]
    [InlineData(0.3, 2.1, 7)]
    [InlineData(0.0, 0.5, 1)]
    [InlineData(40.0, 12.0, 300)]
    [InlineData(5.0, 5.0 + 1e-9, 10)]
    public void Normaliser_matches_bisection_for_two_arms(double l1, double l2, int round)
    {
        double eta = 2.0 / Math.Sqrt(round);
        var losses = new[] { l1, l2 };
        var expected = BisectionProbabilities(losses, eta);
        var p = new double[2];
        TsallisCore.Probabilities(losses, eta, double.NaN, p);
        Assert.Equal(expected[0], p[0], 1e-10);
        Assert.Equal(expected[1], p[1], 1e-10);
        Assert.Equal(1.0, p[0] + p[1], 1e-15);
        // The arm with the smaller estimate is the likelier one.
        if (l1 < l2) Assert.True(p[0] > p[1]);
    }

    [Fact]
    public void Normaliser_matches_bisection_for_spread_estimates_from_any_warm_start()
    {
        var rng = new Random(3);
        for (int trial = 0; trial < 20; trial++)
        {
            int k = 2 + rng.Next(30);
            var losses = Enumerable.Range(0, k).Select(_ => rng.NextDouble() * 200 * rng.NextDouble()).ToArray();
            double eta = 2.0 / Math.Sqrt(1 + rng.Next(5000));
            var expected = BisectionProbabilities(losses, eta);
            foreach (double warm in new[] { double.NaN, -1e7, losses.Min() - 1e-3, losses.Max() + 5 })
            {
                var p = new double[k];
                TsallisCore.Probabilities(losses, eta, warm, p);
                for (int i = 0; i < k; i++) Assert.Equal(expected[i], p[i], 1e-10);
            }
        }
    }

    // ---------- Tsallis-INF on a stochastic bandit ----------

    [Fact]
    public void TsallisInf_has_small_regret_on_a_stochastic_bandit()
    {
        const int K = 20, T = 3000, Best = 13;
        const double CostScale = 100;
        // Bernoulli losses: the best arm has mean 0.25, the others 0.5 and up, growing away from it.
        var mean = Enumerable.Range(0, K).Select(i => i == Best ? 0.25 : 0.5 + 0.02 * Math.Abs(i - Best)).ToArray();
        var learner = new TsallisInf(new LearnerOptions { Seed = 11, CostScale = CostScale });
        var grid = learner.Grid;
        var rng = new Random(2024);
        double pseudoRegret = 0, learnerLoss = 0;
        var armLoss = new double[K];
        var lateCounts = new int[K];
        for (int t = 0; t < T; t++)
        {
            var losses = mean.Select(m => rng.NextDouble() < m ? 1.0 : 0.0).ToArray();
            int arm = IndexOf(grid, learner.Next());
            learner.Observe(losses[arm] * CostScale);
            pseudoRegret += mean[arm] - mean[Best];
            learnerLoss += losses[arm];
            for (int i = 0; i < K; i++) armLoss[i] += losses[i];
            if (t >= 2 * T / 3) lateCounts[arm]++;
        }
        double realisedRegret = learnerLoss - armLoss.Min();
        double uniformRegret = T * (mean.Average() - mean[Best]);
        double theoremBound = 4 * Math.Sqrt(K * T) + 1; // Zimmert and Seldin, Theorem 1
        output.WriteLine($"pseudo-regret {pseudoRegret:F1}, realised {realisedRegret:F1}, uniform {uniformRegret:F1}, bound {theoremBound:F1}, late plays of best {lateCounts[Best]}");
        Assert.Equal(T, learner.Rounds);
        Assert.True(pseudoRegret < theoremBound, $"pseudo-regret {pseudoRegret} >= 4 sqrt(KT) + 1 = {theoremBound}");
        // Over seeds 0..7 the pseudo-regret is 210 to 370, against about 1050 for uniform play.
        Assert.True(pseudoRegret < 0.45 * uniformRegret, $"pseudo-regret {pseudoRegret} is not well below uniform play's {uniformRegret}");
        Assert.True(realisedRegret < theoremBound, $"realised regret {realisedRegret}");
        Assert.Equal(Best, Array.IndexOf(lateCounts, lateCounts.Max()));
        Assert.True(lateCounts[Best] > T / 3 / 2, $"best arm only {lateCounts[Best]} of the last {T / 3} plays");
    }

    private static int IndexOf(IReadOnlyList<double> grid, double omega)
    {
        for (int i = 0; i < grid.Count; i++) if (grid[i] == omega) return i;
        throw new Xunit.Sdk.XunitException($"omega {omega} is not on the grid");
    }

    /// <summary>A smooth SOR-like cost curve with its minimum at 1.7, as a deterministic feedback source.</summary>
    private static double SmoothCost(double omega) => 100 + 400 * (omega - 1.7) * (omega - 1.7);

    /// <summary>
    /// Runs (Next, Observe) steps with a deterministic cost of omega, plus (when asked) a term in the context so
    /// that contextual statistics differ between contexts.
    /// </summary>
    private static double[] Run(IOmegaLearner learner, int steps, Func<int, double>? context = null, bool contextInCost = true)
    {
        var omegas = new double[steps];
        for (int t = 0; t < steps; t++)
        {
            double c = context?.Invoke(learner.Rounds) ?? double.NaN;
            omegas[t] = learner.Next(c);
            learner.Observe(SmoothCost(omegas[t]) + (contextInCost && !double.IsNaN(c) ? 10 * c : 0));
        }
        return omegas;
    }

    [Fact]
    public void Same_seed_gives_same_omegas_and_different_seeds_differ()
    {
        var options = new LearnerOptions { Seed = 42, CostScale = 1000 };
        var a = Run(new TsallisInf(options), 500);
        var b = Run(new TsallisInf(options), 500);
        var c = Run(new TsallisInf(options with { Seed = 43 }), 500);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Func<int, double> ctx = t => (t * 0.37) % 1.0;
        var contextual = new ContextualOptions();
        Assert.Equal(Run(new ChebCb(options, contextual), 300, ctx), Run(new ChebCb(options, contextual), 300, ctx));
        Assert.NotEqual(Run(new ChebCb(options, contextual), 300, ctx), Run(new ChebCb(options with { Seed = 7 }, contextual), 300, ctx));
        Assert.Equal(Run(new BinnedTsallisInf(options, contextual), 300, ctx), Run(new BinnedTsallisInf(options, contextual), 300, ctx));
        Assert.NotEqual(Run(new BinnedTsallisInf(options, contextual), 300, ctx), Run(new BinnedTsallisInf(options with { Seed = 7 }, contextual), 300, ctx));
    }

    // ---------- ChebCB on a contextual problem ----------

    /// <summary>The best omega moves smoothly from 1.2 to 1.9 as the context goes from 0 to 1.</summary>
    private static double BestOmega(double c) => 1.55 - 0.35 * Math.Cos(Math.PI * c);

    private static double ContextCost(double omega, double c) => 100 + 400 * Math.Pow(omega - BestOmega(c), 2);

    private (double Learner, double PerContext, double BestFixed) RunContextual(IOmegaLearner learner, int seed)
    {
        const int T = 3000, Tail = 1000;
        var rng = new Random(seed);
        var grid = learner.Grid;
        double learnerCost = 0, optimum = 0;
        var fixedCost = new double[grid.Count];
        for (int t = 0; t < T; t++)
        {
            double c = rng.NextDouble();
            double omega = learner.Next(c);
            double cost = ContextCost(omega, c);
            learner.Observe(cost);
            if (t < T - Tail) continue;
            learnerCost += cost;
            optimum += grid.Min(w => ContextCost(w, c));
            for (int i = 0; i < grid.Count; i++) fixedCost[i] += ContextCost(grid[i], c);
        }
        var result = (learnerCost / Tail, optimum / Tail, fixedCost.Min() / Tail);
        output.WriteLine($"{learner.Name}: last-{Tail} mean cost {result.Item1:F2}, per-context optimum {result.Item2:F2}, best fixed {result.Item3:F2}");
        return result;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ChebCb_approaches_the_per_context_optimum(int seed)
    {
        var learner = new ChebCb(new LearnerOptions { Seed = (ulong)seed, CostScale = 1000 }, new ContextualOptions { ContextMin = 0, ContextMax = 1 });
        var (mean, optimum, bestFixed) = RunContextual(learner, seed);
        // The per-context optimum is about 100.1 and the best fixed omega about 124.5 here; over seeds 1..8 ChebCB's
        // tail mean is 100.3 to 100.6.
        Assert.True(mean <= optimum + 3.0, $"ChebCB {mean:F2} is not within 3 of the per-context optimum {optimum:F2}");
        Assert.True(mean <= bestFixed - 15.0, $"ChebCB {mean:F2} is not clearly below the best fixed arm {bestFixed:F2}");
        Assert.Equal(0, learner.ClampedContexts);
        Assert.Null(learner.LastWarning);
    }

    [Fact]
    public void BinnedTsallisInf_learns_a_separate_omega_per_bin()
    {
        // Two bins, two recurring contexts whose best omegas lie at opposite ends of the grid: each bin must find
        // its own, which no single fixed omega can match.
        const int T = 3000;
        var learner = new BinnedTsallisInf(new LearnerOptions { Seed = 5, CostScale = 500 }, new ContextualOptions { ContextMin = 0, ContextMax = 1, Bins = 2 });
        var grid = learner.Grid;
        var contexts = new[] { 0.1, 0.9 };
        var late = new int[2, grid.Count];
        double lateCost = 0;
        var rng = new Random(9);
        for (int t = 0; t < T; t++)
        {
            int which = rng.Next(2);
            double omega = learner.Next(contexts[which]);
            double cost = ContextCost(omega, contexts[which]);
            learner.Observe(cost);
            if (t < 2 * T / 3) continue;
            late[which, IndexOf(grid, omega)]++;
            lateCost += cost;
        }
        double bestFixed = grid.Min(w => 0.5 * (ContextCost(w, 0.1) + ContextCost(w, 0.9)));
        var meanOmegas = new double[2];
        for (int b = 0; b < 2; b++)
        {
            double meanOmega = Enumerable.Range(0, grid.Count).Sum(i => late[b, i] * grid[i]) / Enumerable.Range(0, grid.Count).Sum(i => late[b, i]);
            meanOmegas[b] = meanOmega;
            output.WriteLine($"bin {b}: mean omega {meanOmega:F3}, best {BestOmega(contexts[b]):F3}");
            // Near the optimum the cost is flat (omega 0.1 off costs 4 of 500) and Tsallis-INF still explores, so
            // the margin is loose; a bin that learnt nothing would average about 1.475.
            Assert.True(Math.Abs(meanOmega - BestOmega(contexts[b])) <= 0.2, $"bin {b} plays omega {meanOmega:F3} on average, best is {BestOmega(contexts[b]):F3}");
        }
        Assert.True(meanOmegas[1] - meanOmegas[0] > 0.3, "the two bins did not separate");
        lateCost /= T / 3;
        output.WriteLine($"late mean cost {lateCost:F2}, best fixed {bestFixed:F2}");
        Assert.True(lateCost < bestFixed - 20, $"binned {lateCost:F2} vs best fixed {bestFixed:F2}");
    }

    [Fact]
    public void FixedOmega_always_returns_its_omega()
    {
        var learner = new FixedOmega(1.5);
        Assert.Equal("fixed(1.5)", learner.Name);
        Assert.Equal(new[] { 1.5 }, learner.Grid);
        Assert.All(Run(learner, 10), w => Assert.Equal(1.5, w));
        Assert.Equal(10, learner.Rounds);
    }

    // ---------- save and restore ----------

    public static TheoryData<string> Kinds => new() { "tsallis-inf", "chebcb", "binned-tsallis-inf", "fixed" };

    private static IOmegaLearner Make(string kind, ulong seed) => kind switch
    {
        "tsallis-inf" => new TsallisInf(new LearnerOptions { Seed = seed, CostScale = 500 }),
        "chebcb" => new ChebCb(new LearnerOptions { Seed = seed, CostScale = 500, Grid = OmegaLearners.DefaultGrid(12, 1.1, 1.9) },
            new ContextualOptions { ContextMin = -0.15, ContextMax = 0.45, Degree = 4 }),
        "binned-tsallis-inf" => new BinnedTsallisInf(new LearnerOptions { Seed = seed, CostScale = 500 },
            new ContextualOptions { ContextMin = -0.15, ContextMax = 0.45, Bins = 4 }),
        _ => new FixedOmega(1.25),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Json_round_trip_continues_identically(string kind)
    {
        // Contexts partly outside the range so that the clamp counter is saved too.
        Func<int, double> ctx = t => -0.2 + 0.7 * ((t * 0.618034) % 1.0);
        foreach (bool pending in new[] { false, true })
        {
            var original = Make(kind, 99);
            Run(original, 137, ctx);
            if (pending) original.Next(ctx(original.Rounds));
            string json = original.ToJson();
            var restored = OmegaLearners.FromJson(json);
            Assert.IsType(original.GetType(), restored);
            Assert.Equal(original.Name, restored.Name);
            Assert.Equal(original.Grid, restored.Grid);
            Assert.Equal(original.Rounds, restored.Rounds);
            Assert.Equal(json, restored.ToJson());
            if (pending)
            {
                original.Observe(321);
                restored.Observe(321);
            }
            Assert.Equal(Run(original, 100, ctx), Run(restored, 100, ctx));
            Assert.Equal(original.ToJson(), restored.ToJson());
        }
    }

    [Fact]
    public void Json_is_camel_case_with_kind_options_and_rng_counter()
    {
        var learner = new TsallisInf(new LearnerOptions { Seed = 8, CostScale = 250 });
        Run(learner, 5);
        using var doc = JsonDocument.Parse(learner.ToJson());
        var root = doc.RootElement;
        Assert.Equal("tsallis-inf", root.GetProperty("kind").GetString());
        Assert.Equal(250, root.GetProperty("options").GetProperty("costScale").GetDouble());
        Assert.Equal(8UL, root.GetProperty("options").GetProperty("seed").GetUInt64());
        Assert.Equal(5UL, root.GetProperty("rngCounter").GetUInt64());
        Assert.Equal(20, root.GetProperty("lossEstimates").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("pendingArm").ValueKind);
    }

    // ---------- contexts out of range ----------

    [Fact]
    public void Out_of_range_contexts_are_clamped_counted_and_behave_like_the_boundary()
    {
        var options = new LearnerOptions { Seed = 4, CostScale = 1000 };
        var range = new ContextualOptions { ContextMin = 0, ContextMax = 1 };
        var outside = new ChebCb(options, range);
        var boundary = new ChebCb(options, range);
        var a = Run(outside, 200, t => t % 2 == 0 ? 1.5 : -3, contextInCost: false);
        var b = Run(boundary, 200, t => t % 2 == 0 ? 1.0 : 0.0, contextInCost: false);
        Assert.Equal(200, outside.ClampedContexts);
        Assert.Equal(0, boundary.ClampedContexts);
        Assert.Null(boundary.LastWarning);
        Assert.Contains("-3", outside.LastWarning);
        Assert.Equal(a, b);

        var binned = new BinnedTsallisInf(options, range);
        binned.Next(0.5);
        binned.Observe(1);
        Assert.Equal(0, binned.ClampedContexts);
        binned.Next(7.25);
        Assert.Equal(1, binned.ClampedContexts);
        Assert.Contains("7.25", binned.LastWarning);
    }

    [Fact]
    public void Bins_are_equal_width_with_the_top_edge_in_the_last_bin()
    {
        var binned = new BinnedTsallisInf(new LearnerOptions(), new ContextualOptions { ContextMin = -1, ContextMax = 4, Bins = 5 });
        Assert.Equal(0, binned.BinOf(-1));
        Assert.Equal(0, binned.BinOf(-0.001));
        Assert.Equal(1, binned.BinOf(0.0));
        Assert.Equal(3, binned.BinOf(2.999));
        Assert.Equal(4, binned.BinOf(4));
    }

    // ---------- grids and options ----------

    [Fact]
    public void Default_grid_is_the_papers_linspace()
    {
        var grid = OmegaLearners.DefaultGrid();
        Assert.Equal(20, grid.Length);
        for (int i = 0; i < 20; i++) Assert.Equal(1.0 + 0.05 * i, grid[i], 1e-14);
        Assert.Equal(1.95, grid[^1]);
        Assert.Equal(new[] { 1.5 }, OmegaLearners.DefaultGrid(1, 1.5, 1.9));
        Assert.Equal(grid, new TsallisInf(new LearnerOptions()).Grid);
        Assert.Throws<ArgumentOutOfRangeException>("count", () => OmegaLearners.DefaultGrid(0));
        Assert.Throws<ArgumentOutOfRangeException>("max", () => OmegaLearners.DefaultGrid(5, 1, 2));
        Assert.Throws<ArgumentException>("max", () => OmegaLearners.DefaultGrid(5, 1.5, 1.2));
    }

    [Fact]
    public void Grid_is_copied_and_read_only()
    {
        var values = new[] { 1.1, 1.4, 1.7 };
        var options = new LearnerOptions { Grid = values };
        values[0] = 1.9;
        Assert.Equal(1.1, options.Grid![0]);
        var learner = new TsallisInf(options);
        Assert.False(learner.Grid is double[]);
    }

    // ---------- bad input ----------

    [Fact]
    public void Bad_grids_and_options_are_rejected_naming_the_property()
    {
        var empty = Assert.Throws<ArgumentException>("Grid", () => new LearnerOptions { Grid = [] });
        Assert.Contains("empty", empty.Message);
        var outside = Assert.Throws<ArgumentException>("Grid", () => new LearnerOptions { Grid = [1.0, 1.5, 2.0] });
        Assert.Contains("value 2", outside.Message);
        Assert.Throws<ArgumentException>("Grid", () => new LearnerOptions { Grid = [0.0, 1.0] });
        Assert.Throws<ArgumentException>("Grid", () => new LearnerOptions { Grid = [1.0, double.NaN] });
        var unsorted = Assert.Throws<ArgumentException>("Grid", () => new LearnerOptions { Grid = [1.2, 1.1] });
        Assert.Contains("ascending", unsorted.Message);
        Assert.Throws<ArgumentException>("Grid", () => new LearnerOptions { Grid = [1.2, 1.2] });
        Assert.Throws<ArgumentOutOfRangeException>("CostScale", () => new LearnerOptions { CostScale = 0 });
        Assert.Throws<ArgumentOutOfRangeException>("CostScale", () => new LearnerOptions { CostScale = -3 });
        Assert.Throws<ArgumentOutOfRangeException>("CostScale", () => new LearnerOptions { CostScale = double.PositiveInfinity });
        Assert.Throws<ArgumentOutOfRangeException>("Degree", () => new ContextualOptions { Degree = -1 });
        Assert.Throws<ArgumentOutOfRangeException>("Bins", () => new ContextualOptions { Bins = 0 });
        Assert.Throws<ArgumentOutOfRangeException>("Exploration", () => new ContextualOptions { Exploration = 0 });
        Assert.Throws<ArgumentOutOfRangeException>("ContextMin", () => new ContextualOptions { ContextMin = double.NaN });
        var order = Assert.Throws<ArgumentException>("contextual", () => new ChebCb(new LearnerOptions(), new ContextualOptions { ContextMin = 2, ContextMax = 1 }));
        Assert.Contains("ContextMax", order.Message);
        Assert.Throws<ArgumentException>("contextual", () => new BinnedTsallisInf(new LearnerOptions(), new ContextualOptions { ContextMin = 1, ContextMax = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>("omega", () => new FixedOmega(2.0));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Calls_out_of_order_and_bad_costs_are_rejected_without_changing_state(string kind)
    {
        var learner = Make(kind, 1);
        var observeFirst = Assert.Throws<InvalidOperationException>(() => learner.Observe(1));
        Assert.Contains("Next", observeFirst.Message);
        learner.Next(0.1);
        string before = learner.ToJson();
        var twice = Assert.Throws<InvalidOperationException>(() => learner.Next(0.1));
        Assert.Contains("Observe", twice.Message);
        foreach (double bad in new[] { -1.0, double.NaN, double.PositiveInfinity })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>("cost", () => learner.Observe(bad));
            Assert.Contains("cost", e.Message);
        }
        Assert.Equal(before, learner.ToJson());
        learner.Observe(0);
        Assert.Equal(1, learner.Rounds);
    }

    [Theory]
    [InlineData("chebcb")]
    [InlineData("binned-tsallis-inf")]
    public void Contextual_learners_need_a_finite_context(string kind)
    {
        var learner = Make(kind, 1);
        foreach (double bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
            Assert.Throws<ArgumentException>("context", () => learner.Next(bad));
        Assert.Throws<ArgumentException>("context", () => learner.Next());
        learner.Next(0.2);
    }

    [Fact]
    public void FromJson_names_the_bad_field()
    {
        var learner = new TsallisInf(new LearnerOptions { Seed = 3 });
        Run(learner, 3);
        var good = JsonDocument.Parse(learner.ToJson()).RootElement;

        string Edit(string field, object? value)
        {
            var dict = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(good.GetRawText())!;
            var copy = dict.ToDictionary(p => p.Key, p => (object?)p.Value);
            if (value is null) copy.Remove(field); else copy[field] = value;
            return JsonSerializer.Serialize(copy);
        }

        void Fails(string json, string mention)
        {
            var e = Assert.Throws<ArgumentException>("json", () => OmegaLearners.FromJson(json));
            Assert.Contains(mention, e.Message);
        }

        Fails(Edit("kind", null), "'kind'");
        Fails(Edit("kind", "sarsa"), "'kind'");
        Fails(Edit("lossEstimates", new[] { 1.0, 2.0 }), "'lossEstimates'");
        Fails(Edit("rngCounter", -1), "'rngCounter'");
        Fails(Edit("plays", Enumerable.Repeat(5, 20).ToArray()), "'plays'");
        Fails(Edit("pendingArm", 20), "'pendingArm'");
        Fails(Edit("options", new { grid = new[] { 1.5, 1.2 }, seed = 1, costScale = 1 }), "'options.grid'");
        Fails(Edit("options", new { grid = new[] { 1.2, 1.5 }, seed = 1, costScale = 0 }), "'options.costScale'");
        Fails(Edit("options", new { grid = new[] { 1.2, 1.5 }, seed = 1, costScale = "big" }), "'options.costScale'");
        Fails("{ not json", "Invalid learner JSON");
        Fails("[1, 2]", "root");

        var binned = Make("binned-tsallis-inf", 2);
        Run(binned, 20, t => 0.01 * t);
        string text = binned.ToJson().Replace("\"contextMax\":0.45", "\"contextMax\":-0.5");
        Fails(text, "'contextual.contextMax'");
        var cheb = Make("chebcb", 2);
        Run(cheb, 20, t => 0.01 * t);
        Fails(cheb.ToJson().Replace("\"xty\":[[", "\"xty\":[[\"a\","), "'xty[0]");
    }
}
