using System.Diagnostics;
using System.Text.Json.Serialization;
using Solvers.Kernels;
using Solvers.Learning;
using Solvers.Linear;
using Spectre.Console;

namespace Solvers.Cli.Bench;

/// <summary>Total cost of one way of choosing omega over a sequence.</summary>
public sealed record OmegaPolicyTotal(
    [property: JsonPropertyName("policy")] string Policy,
    [property: JsonPropertyName("totalIterations")] long TotalIterations,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("meanOmega")] double MeanOmega);

/// <summary>The result of <c>solvers tune-sor</c>.</summary>
public sealed record SorTuningResult
{
    [JsonPropertyName("sequence")] public required string Sequence { get; init; }
    [JsonPropertyName("method")] public required string Method { get; init; }
    [JsonPropertyName("steps")] public required int Steps { get; init; }
    [JsonPropertyName("unknowns")] public required int Unknowns { get; init; }
    [JsonPropertyName("seed")] public required ulong Seed { get; init; }
    [JsonPropertyName("learner")] public required string Learner { get; init; }
    [JsonPropertyName("totalIterations")] public required long TotalIterations { get; init; }
    [JsonPropertyName("learnerSeconds")] public required double LearnerSeconds { get; init; }
    [JsonPropertyName("bestFixedOmega")] public required double BestFixedOmega { get; init; }
    [JsonPropertyName("bestFixedTotalIterations")] public required long BestFixedTotalIterations { get; init; }
    [JsonPropertyName("instanceOptimalTotalIterations")] public required long InstanceOptimalTotalIterations { get; init; }
    [JsonPropertyName("gaussSeidelTotalIterations")] public required long GaussSeidelTotalIterations { get; init; }
    /// <summary>The best grid omega on each system, summed: what a learner restricted to the grid could reach at best.</summary>
    [JsonPropertyName("instanceOptimalOnGridTotalIterations")] public required long InstanceOptimalOnGridTotalIterations { get; init; }
    [JsonPropertyName("overBestFixed")] public double OverBestFixed => (double)TotalIterations / BestFixedTotalIterations;
    [JsonPropertyName("overInstanceOptimal")] public double OverInstanceOptimal => (double)TotalIterations / InstanceOptimalTotalIterations;
    [JsonPropertyName("youngOmegaTotalIterations")] public long? YoungOmegaTotalIterations { get; init; }
    [JsonPropertyName("others")] public IReadOnlyList<OmegaPolicyTotal> Others { get; init; } = [];
    [JsonPropertyName("plot")] public string? Plot { get; init; }
    /// <summary>True when the per-system baselines were skipped (<c>--no-baselines</c>): their totals are then 0.</summary>
    [JsonPropertyName("baselinesSkipped")] public bool BaselinesSkipped { get; init; }
    [JsonPropertyName("wallClock")] public IReadOnlyList<OmegaPolicyTotal> WallClock { get; init; } = [];
}

/// <summary>
/// Runs a learner over a sequence of systems and evaluates it against the baselines of "Learning to Relax":
/// every fixed omega of the grid on every instance (hence Gauss-Seidel and the best fixed omega in hindsight),
/// and the instance-optimal omega from a search per instance. Baselines are solved on the same systems the
/// learner meets (for the heat equation: along the learner's own trajectory).
/// </summary>
public static class SorTuning
{
    /// <summary>Runs the experiment; <paramref name="extraLearners"/> are also run and reported under <c>others</c>.</summary>
    public static SorTuningResult Run(string sequence, int steps, string learnerSpec, ulong seed, SequenceMethod method, int gridN,
        string? plotPath, TextWriter log, IReadOnlyList<string>? extraLearners = null, BackendKind backendKind = BackendKind.Cpu,
        CancellationToken cancel = default, bool baselines = true)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "At least one step is needed.");
        using var backend = Backend.Create(backendKind, backendKind == BackendKind.Cpu ? new BackendOptions { MaxDegreeOfParallelism = 1 } : new BackendOptions());
        var options = new SequenceSolverOptions { Method = method };
        var grid = OmegaLearners.DefaultGrid();
        bool heat = sequence == "heat";
        var (cMin, cMax) = heat ? (HeatEquation2D.ContextMin, HeatEquation2D.ContextMax) : (SystemSequences.ShiftMin, SystemSequences.ShiftMax);
        var learners = new List<string> { learnerSpec };
        if (extraLearners is not null) learners.AddRange(extraLearners.Where(l => l != learnerSpec));

        // The systems, once: for the heat equation the main learner's trajectory defines them.
        var table = new List<double[]>(); // iterations of each grid omega on each instance
        var instanceOptimal = new List<double>();
        var young = new List<double>();
        var perLearner = new Dictionary<string, (List<double> Costs, List<double> Omegas, double Seconds)>();
        var variance = sequence.EndsWith("-low", StringComparison.Ordinal) ? ShiftVariance.Low : ShiftVariance.High;
        var instances = heat ? null : SystemSequences.ShiftedLaplacian(steps, variance, gridN, seed).ToList();
        int unknowns = heat ? gridN * gridN : gridN * gridN;

        // The heat run covers one period of kappa(t): dt = 1 / steps.
        double dt = 1.0 / steps;
        var pde = heat ? new HeatEquation2D(gridN, dt) : null;
        var solvers = learners.ToDictionary(l => l, l => new SequenceSolver(CreateLearner(l, grid, seed, cMin, cMax), options, backend));
        try
        {
            for (int t = 0; t < steps; t++)
            {
                cancel.ThrowIfCancellationRequested();
                var inst = heat ? pde!.NextSystem() : instances![t];
                foreach (var (name, solver) in solvers)
                {
                    var clock = Stopwatch.StartNew();
                    var step = solver.Solve(inst);
                    var (costs, omegas, seconds) = perLearner.TryGetValue(name, out var acc) ? acc : ([], [], 0);
                    costs.Add(step.Iterations);
                    omegas.Add(step.Omega);
                    perLearner[name] = (costs, omegas, seconds + clock.Elapsed.TotalSeconds);
                    if (heat && name == learnerSpec) pde!.Advance(step.Solution);
                }
                if (!baselines) continue;
                double Cost(double w)
                {
                    var r = SequenceSolver.SolveWith(backend, options, inst.Matrix, inst.RightHandSide, w, inst.InitialGuess);
                    return r.Status == SolverStatus.Converged ? r.Iterations : options.MaxIterations;
                }
                var row = grid.Select(Cost).ToArray();
                table.Add(row);
                instanceOptimal.Add(SorParameters.InstanceOptimal(Cost, knownGrid: grid, knownCosts: row).Cost);
                if (!heat) young.Add(Cost(SorParameters.OptimalOmega(inst.Matrix)));
                if ((t + 1) % Math.Max(1, steps / 10) == 0) log.WriteLine($"  step {t + 1}/{steps}");
            }
        }
        finally
        {
            foreach (var s in solvers.Values) s.Dispose();
        }

        // Heat equation: wall time of whole trajectories, each on its own simulation, against plain and Jacobi CG.
        var wall = new List<OmegaPolicyTotal>();
        if (heat)
        {
            wall.Add(Trajectory($"SSOR-PCG, learned omega ({learnerSpec})", gridN, steps, dt, backend, options,
                CreateLearner(learnerSpec, grid, seed, cMin, cMax), null));
            foreach (var (name, pre) in new (string, IPreconditioner)[] { ("CG, no preconditioner", Preconditioners.None), ("Jacobi-PCG", Preconditioners.Jacobi) })
                wall.Add(Trajectory(name, gridN, steps, dt, backend, options, null, pre));
            foreach (var o in wall) log.WriteLine($"  {o.Policy}: {o.TotalIterations} iterations, {o.Seconds:F2} s");
        }

        if (!baselines)
        {
            var learnerOnly = perLearner[learnerSpec];
            return new SorTuningResult
            {
                Sequence = sequence, Method = method == SequenceMethod.Sor ? "sor" : "ssor-pcg", Steps = steps, Unknowns = unknowns, Seed = seed,
                Learner = learnerSpec, TotalIterations = (long)learnerOnly.Costs.Sum(), LearnerSeconds = learnerOnly.Seconds,
                BestFixedOmega = double.NaN, BestFixedTotalIterations = 0, InstanceOptimalTotalIterations = 0, GaussSeidelTotalIterations = 0,
                InstanceOptimalOnGridTotalIterations = 0, BaselinesSkipped = true,
                Others = learners.Skip(1).Select(l => new OmegaPolicyTotal(l, (long)perLearner[l].Costs.Sum(), perLearner[l].Seconds, perLearner[l].Omegas.Average())).ToList(),
                WallClock = wall,
            };
        }
        var armTotals = Enumerable.Range(0, grid.Length).Select(k => table.Sum(r => r[k])).ToArray();
        int best = Array.IndexOf(armTotals, armTotals.Min());
        var main = perLearner[learnerSpec];
        string? plot = plotPath is null ? null : SorTuningPlot.Cumulative(plotPath, sequence, learners.Select(l => (l, perLearner[l].Costs)).ToList(),
            table.Select(r => r[best]).ToList(), grid[best], table.Select(r => r[0]).ToList(), instanceOptimal);
        return new SorTuningResult
        {
            Sequence = sequence, Method = method == SequenceMethod.Sor ? "sor" : "ssor-pcg", Steps = steps, Unknowns = unknowns, Seed = seed,
            Learner = learnerSpec, TotalIterations = (long)main.Costs.Sum(), LearnerSeconds = main.Seconds,
            BestFixedOmega = grid[best], BestFixedTotalIterations = (long)armTotals[best],
            InstanceOptimalTotalIterations = (long)instanceOptimal.Sum(), GaussSeidelTotalIterations = (long)armTotals[0],
            InstanceOptimalOnGridTotalIterations = (long)table.Sum(row => row.Min()),
            YoungOmegaTotalIterations = heat ? null : (long)young.Sum(),
            Others = learners.Skip(1).Select(l => new OmegaPolicyTotal(l, (long)perLearner[l].Costs.Sum(), perLearner[l].Seconds, perLearner[l].Omegas.Average())).ToList(),
            Plot = plot,
            WallClock = wall,
        };
    }

    // One run of the heat equation, its own simulation, with a learned-omega SSOR-PCG or a CG per step:
    // total iterations and seconds of the solves.
    private static OmegaPolicyTotal Trajectory(string name, int gridN, int steps, double dt, Backend backend, SequenceSolverOptions options,
        IOmegaLearner? learner, IPreconditioner? preconditioner)
    {
        var pde = new HeatEquation2D(gridN, dt);
        using var loop = learner is null ? null : new SequenceSolver(learner, options, backend);
        long iterations = 0;
        double seconds = 0;
        for (int t = 0; t < steps; t++)
        {
            var inst = pde.NextSystem();
            var clock = Stopwatch.StartNew();
            double[] x;
            if (loop is not null)
            {
                var step = loop.Solve(inst);
                iterations += step.Iterations;
                x = step.Solution;
            }
            else
            {
                using var cg = new ConjugateGradient(new CgOptions
                {
                    Tolerance = options.Tolerance, MaxIterations = options.MaxIterations, Preconditioner = preconditioner!,
                    InitialGuess = inst.InitialGuess, RecordHistory = false,
                }, backend);
                var r = cg.Solve(inst.Matrix, inst.RightHandSide);
                iterations += r.Iterations;
                x = r.Solution;
            }
            seconds += clock.Elapsed.TotalSeconds;
            pde.Advance(x);
        }
        return new OmegaPolicyTotal(name, iterations, seconds, double.NaN);
    }

    /// <summary>tsallis, chebcb, binned, or fixed:OMEGA.</summary>
    public static IOmegaLearner CreateLearner(string spec, double[] grid, ulong seed, double contextMin, double contextMax)
    {
        // Adaptive loss normalisation (CostScale null), as the paper's reference code.
        var options = new LearnerOptions { Grid = grid, Seed = seed };
        var contextual = new ContextualOptions { ContextMin = contextMin, ContextMax = contextMax };
        string key = spec.Trim().ToLowerInvariant();
        if (key.StartsWith("fixed:", StringComparison.Ordinal))
        {
            if (!double.TryParse(key[6..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double w) || !(w > 0 && w < 2))
                throw new ArgumentException($"--learner {spec}: the fixed omega must be a number in (0, 2).", nameof(spec));
            return new FixedOmega(w);
        }
        return key switch
        {
            "tsallis" or "tsallis-inf" => new TsallisInf(options),
            "chebcb" => new ChebCb(options, contextual),
            "binned" or "binned-tsallis" => new BinnedTsallisInf(options, contextual),
            _ => throw new ArgumentException($"Unknown learner '{spec}'; use tsallis, chebcb, binned or fixed:OMEGA.", nameof(spec)),
        };
    }

    /// <summary>Prints the totals as a table.</summary>
    public static void Print(SorTuningResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var t = new Table().Title($"{Markup.Escape(r.Sequence)}, {r.Steps} systems of {r.Unknowns} unknowns, {r.Method}, seed {r.Seed}")
            .AddColumns("omega policy", "total iterations", "over best fixed", "over instance-optimal");
        void Row(string name, long total) => t.AddRow(Markup.Escape(name), total.ToString("N0"),
            ((double)total / r.BestFixedTotalIterations).ToString("F3"), ((double)total / r.InstanceOptimalTotalIterations).ToString("F3"));
        if (r.BaselinesSkipped)
        {
            t = new Table().Title($"{Markup.Escape(r.Sequence)}, {r.Steps} systems, baselines skipped").AddColumns("omega policy", "total iterations");
            t.AddRow(Markup.Escape($"learner: {r.Learner}"), r.TotalIterations.ToString("N0"));
            foreach (var o in r.Others) t.AddRow(Markup.Escape($"learner: {o.Policy}"), o.TotalIterations.ToString("N0"));
        }
        else
        {
        Row($"learner: {r.Learner}", r.TotalIterations);
        foreach (var o in r.Others) Row($"learner: {o.Policy}", o.TotalIterations);
        Row($"best fixed omega in hindsight ({r.BestFixedOmega:F3})", r.BestFixedTotalIterations);
        Row("instance-optimal omega (search per system)", r.InstanceOptimalTotalIterations);
        Row("best grid omega per system", r.InstanceOptimalOnGridTotalIterations);
        if (r.YoungOmegaTotalIterations is long y) Row("Young's omega* per system (power iteration)", y);
        Row("Gauss-Seidel (omega = 1)", r.GaussSeidelTotalIterations);
        }
        AnsiConsole.Write(t);
        if (r.WallClock.Count > 0)
        {
            var w = new Table().Title("Whole simulations, wall time of the solves").AddColumns("solver", "total iterations", "seconds");
            foreach (var o in r.WallClock) w.AddRow(Markup.Escape(o.Policy), o.TotalIterations.ToString("N0"), o.Seconds.ToString("F2"));
            AnsiConsole.Write(w);
        }
        if (r.Plot is not null) AnsiConsole.MarkupLine($"plot: {Markup.Escape(r.Plot)}");
    }
}

/// <summary>The cumulative-iterations plot of <c>solvers tune-sor</c>.</summary>
internal static class SorTuningPlot
{
    public static string Cumulative(string path, string sequence, IReadOnlyList<(string Name, List<double> Costs)> learners,
        IReadOnlyList<double> bestFixed, double bestOmega, IReadOnlyList<double> gaussSeidel, IReadOnlyList<double> instanceOptimal)
    {
        var plot = new ScottPlot.Plot();
        void Line(string label, IReadOnlyList<double> costs)
        {
            var xs = Enumerable.Range(1, costs.Count).Select(i => (double)i).ToArray();
            double sum = 0;
            var ys = costs.Select(c => sum += c).ToArray();
            var s = plot.Add.ScatterLine(xs, ys);
            s.LegendText = $"{label}: {sum:N0}";
            s.LineWidth = 2;
        }
        foreach (var (name, costs) in learners) Line(name, costs);
        Line($"best fixed omega = {bestOmega:F2}", bestFixed);
        Line("instance-optimal", instanceOptimal);
        Line("Gauss-Seidel (omega = 1)", gaussSeidel);
        plot.Title($"Cumulative iterations, {sequence}");
        plot.XLabel("system t");
        plot.YLabel("total iterations so far");
        plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        plot.SavePng(path, 900, 560);
        return path;
    }
}
