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
    [JsonPropertyName("overBestFixed")] public double OverBestFixed => (double)TotalIterations / BestFixedTotalIterations;
    [JsonPropertyName("overInstanceOptimal")] public double OverInstanceOptimal => (double)TotalIterations / InstanceOptimalTotalIterations;
    [JsonPropertyName("youngOmegaTotalIterations")] public long? YoungOmegaTotalIterations { get; init; }
    [JsonPropertyName("others")] public IReadOnlyList<OmegaPolicyTotal> Others { get; init; } = [];
    [JsonPropertyName("plot")] public string? Plot { get; init; }
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
        CancellationToken cancel = default)
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
        var instances = heat ? null : SystemSequences.ShiftedLaplacian(steps, ShiftVariance.High, gridN, seed).ToList();
        int unknowns = heat ? gridN * gridN : gridN * gridN;

        var pde = heat ? new HeatEquation2D(gridN, dt: 0.005) : null;
        // The first system calibrates the losses' scale (1.5x its Gauss-Seidel cost), the same for every learner.
        double scale = SequenceSolver.CalibrateCostScale(heat ? pde!.NextSystem() : instances![0], options, backend);
        log.WriteLine($"  cost scale {scale:F0} iterations");
        var solvers = learners.ToDictionary(l => l, l => new SequenceSolver(CreateLearner(l, grid, seed, cMin, cMax, scale), options, backend));
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
            YoungOmegaTotalIterations = heat ? null : (long)young.Sum(),
            Others = learners.Skip(1).Select(l => new OmegaPolicyTotal(l, (long)perLearner[l].Costs.Sum(), perLearner[l].Seconds, perLearner[l].Omegas.Average())).ToList(),
            Plot = plot,
        };
    }

    /// <summary>tsallis, chebcb, binned, or fixed:OMEGA.</summary>
    public static IOmegaLearner CreateLearner(string spec, double[] grid, ulong seed, double contextMin, double contextMax, double costScale)
    {
        var options = new LearnerOptions { Grid = grid, Seed = seed, CostScale = costScale };
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
        Row($"learner: {r.Learner}", r.TotalIterations);
        foreach (var o in r.Others) Row($"learner: {o.Policy}", o.TotalIterations);
        Row($"best fixed omega in hindsight ({r.BestFixedOmega:F3})", r.BestFixedTotalIterations);
        Row("instance-optimal omega (search per system)", r.InstanceOptimalTotalIterations);
        if (r.YoungOmegaTotalIterations is long y) Row("Young's omega* per system (power iteration)", y);
        Row("Gauss-Seidel (omega = 1)", r.GaussSeidelTotalIterations);
        AnsiConsole.Write(t);
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
