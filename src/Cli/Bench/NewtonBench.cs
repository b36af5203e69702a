using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Solvers.Optimization;
using Solvers.Optimization.Problems;
using Spectre.Console;

namespace Solvers.Cli.Bench;

/// <summary>What <c>solvers bench newton</c> measures.</summary>
internal sealed record NewtonBenchSettings
{
    /// <summary>Inner solvers of the Hock-Schittkowski table (CLI spellings: minres, gaussian, block:K, kaczmarz).</summary>
    public IReadOnlyList<string> Inners { get; init; } = ["minres", "gaussian", "block:10", "kaczmarz"];

    /// <summary>Grid sizes N of the optimal-control rows.</summary>
    public IReadOnlyList<int> ControlSizes { get; init; } = [32, 64, 128];

    /// <summary>The fixed tight inner tolerance the adaptive accuracy is compared with.</summary>
    public double TightInnerTolerance { get; init; } = 1e-10;

    /// <summary>Inner-iteration cap of the sketching solvers on the optimal-control problem (they cannot reach its accuracy).</summary>
    public int ControlSketchCap { get; init; } = 10_000;

    /// <summary>Data files for the constrained logistic regression rows (LIBSVM or CSV).</summary>
    public IReadOnlyList<string> LogRegFiles { get; init; } = [];

    /// <summary>Problem of the local-convergence runs (hsNN, logreg:PATH or control:N).</summary>
    public string ConvergenceProblem { get; init; } = "hs077";

    /// <summary>JSON written by bench/optimization/hs_peers.py, merged into the side-by-side table; null to skip.</summary>
    public string? PeersJson { get; init; }

    /// <summary>Directory for the PNG plot; null for none.</summary>
    public string? PlotDirectory { get; init; }

    /// <summary>Seed of the sketches and of the logistic regression constraints.</summary>
    public ulong Seed { get; init; }
}

/// <summary>One problem solved with one inner solver.</summary>
internal sealed record NewtonRun
{
    [JsonPropertyName("problem")] public required string Problem { get; init; }
    [JsonPropertyName("n")] public required int N { get; init; }
    [JsonPropertyName("m")] public required int M { get; init; }
    [JsonPropertyName("inner")] public required string Inner { get; init; }
    [JsonPropertyName("accuracy")] public required string Accuracy { get; init; }
    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("success")] public required bool Success { get; init; }
    [JsonPropertyName("objective")] public required double? Objective { get; init; }
    [JsonPropertyName("knownOptimalValue")] public double? KnownOptimalValue { get; init; }
    [JsonPropertyName("kktResidual")] public required double? KktResidual { get; init; }
    [JsonPropertyName("iterations")] public required int Iterations { get; init; }
    [JsonPropertyName("innerIterations")] public required long InnerIterations { get; init; }
    [JsonPropertyName("seconds")] public required double Seconds { get; init; }
    [JsonPropertyName("message")] public required string Message { get; init; }
}

/// <summary>One solver's line in the Hock-Schittkowski summary (ours or a peer's).</summary>
internal sealed record HsSummary(
    [property: JsonPropertyName("solver")] string Solver,
    [property: JsonPropertyName("solved")] int Solved,
    [property: JsonPropertyName("problems")] int Problems,
    [property: JsonPropertyName("medianIterations")] double MedianIterations,
    [property: JsonPropertyName("innerIterations")] long? InnerIterations,
    [property: JsonPropertyName("seconds")] double Seconds);

/// <summary>A local-convergence run: the KKT residual per Newton iteration and the ratios of successive ones.</summary>
internal sealed record ConvergenceRun(
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("kktHistory")] IReadOnlyList<double> KktHistory,
    [property: JsonPropertyName("ratios")] IReadOnlyList<double> Ratios);

/// <summary>Everything <c>solvers bench newton</c> measured.</summary>
internal sealed record NewtonBenchResult
{
    [JsonPropertyName("hockSchittkowski")] public required IReadOnlyList<NewtonRun> HockSchittkowski { get; init; }
    [JsonPropertyName("hsSummary")] public required IReadOnlyList<HsSummary> HsSummary { get; init; }
    [JsonPropertyName("peerRows")] public required IReadOnlyList<PeerRow> PeerRows { get; init; }
    [JsonPropertyName("convergenceProblem")] public required string ConvergenceProblem { get; init; }
    [JsonPropertyName("convergence")] public required IReadOnlyList<ConvergenceRun> Convergence { get; init; }
    [JsonPropertyName("control")] public required IReadOnlyList<NewtonRun> Control { get; init; }
    [JsonPropertyName("logisticRegression")] public required IReadOnlyList<NewtonRun> LogisticRegression { get; init; }
    [JsonPropertyName("plot")] public string? Plot { get; init; }
}

/// <summary>A peer's result on one Hock-Schittkowski problem, read from hs_peers.py's JSON.</summary>
internal sealed record PeerRow(
    [property: JsonPropertyName("problem")] string Problem,
    [property: JsonPropertyName("solver")] string Solver,
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("iterations")] int Iterations,
    [property: JsonPropertyName("seconds")] double Seconds);

/// <summary>
/// <c>solvers bench newton</c>: the sketched Newton method on the Hock-Schittkowski set (side by side with SciPy and
/// IPOPT when their JSON is given), its local convergence with and without sharpening, the optimal-control problem
/// with adaptive against fixed tight inner accuracy, and constrained logistic regression on real data.
/// </summary>
internal static class NewtonBench
{
    /// <summary>Runs every part; progress lines go to <paramref name="log"/>.</summary>
    public static NewtonBenchResult Run(NewtonBenchSettings s, TextWriter log, CancellationToken cancel)
    {
        var hs = new List<NewtonRun>();
        foreach (string inner in s.Inners)
        {
            foreach (var problem in HockSchittkowski.All)
            {
                cancel.ThrowIfCancellationRequested();
                var options = Commands.OptimizeCommand.ParseInner(inner, new SketchedNewtonOptions { Seed = s.Seed, CancellationToken = cancel });
                // Tiny problems: MINRES solves are timed as the best of three, so that the first call's JIT is not
                // timed; the sketching solvers run long enough for one run to be representative.
                int repeats = options.Inner == InnerSolver.Minres ? 3 : 1;
                var runs = Enumerable.Range(0, repeats).Select(_ => Solve(problem, options, inner, "adaptive")).ToList();
                var best = runs.MinBy(r => r.Seconds)!;
                hs.Add(best);
                log.WriteLine($"  {problem.Name} {inner}: {best.Status}, {best.Iterations} its, {best.InnerIterations} inner");
            }
        }
        var peers = s.PeersJson is null ? [] : ReadPeers(s.PeersJson);
        var summary = s.Inners.Select(inner => Summarise($"sketched Newton ({inner})", hs.Where(r => r.Inner == inner).ToList())).ToList();
        foreach (var solver in peers.Select(p => p.Solver).Distinct())
        {
            var rows = peers.Where(p => p.Solver == solver).ToList();
            summary.Add(new HsSummary(solver, rows.Count(r => r.Success), rows.Count, Median(rows.Select(r => (double)r.Iterations)), null, rows.Sum(r => r.Seconds)));
        }

        var convergence = Convergence(s, log, cancel, out string convergenceName);
        string? plot = null;
        if (s.PlotDirectory is { } dir)
        {
            Directory.CreateDirectory(dir);
            plot = PlotConvergence(convergence, convergenceName, Path.Combine(dir, "newton-local-convergence.png"));
            log.WriteLine($"  wrote {plot}");
        }

        var control = new List<NewtonRun>();
        foreach (int n in s.ControlSizes)
        {
            var problem = new OptimalControl2D(n);
            foreach (var (label, options) in new (string, SketchedNewtonOptions)[]
                     {
                         ("adaptive", new SketchedNewtonOptions { Inner = InnerSolver.Minres, Seed = s.Seed, CancellationToken = cancel }),
                         ($"fixed {s.TightInnerTolerance:G2}", new SketchedNewtonOptions { Inner = InnerSolver.Minres, FixedInnerTolerance = s.TightInnerTolerance, Seed = s.Seed, CancellationToken = cancel }),
                     })
            {
                var r = Solve(problem, options, "minres", label);
                control.Add(r);
                log.WriteLine($"  control N = {n} minres {label}: {r.Status}, {r.InnerIterations} inner, {r.Seconds:F2} s");
            }
        }
        if (s.ControlSizes.Count > 0)
        {
            // The sketching inner solvers on the smallest grid, capped: they show why MINRES is the default here.
            int n = s.ControlSizes.Min();
            foreach (string inner in new[] { "gaussian" })
            {
                var options = Commands.OptimizeCommand.ParseInner(inner, new SketchedNewtonOptions { Seed = s.Seed, MaxInnerIterations = s.ControlSketchCap, MaxIterations = 20, CancellationToken = cancel });
                var r = Solve(new OptimalControl2D(n), options, inner, $"adaptive, cap {s.ControlSketchCap}");
                control.Add(r);
                log.WriteLine($"  control N = {n} {inner}: {r.Status}, KKT {r.KktResidual:E2}, {r.InnerIterations} inner, {r.Seconds:F2} s");
            }
        }

        var logreg = new List<NewtonRun>();
        foreach (string file in s.LogRegFiles)
        {
            var problem = ConstrainedLogisticRegression.FromFile(file, seed: s.Seed);
            foreach (var (inner, fixedTolerance) in new (string, double?)[] { ("minres", null), ("minres", s.TightInnerTolerance), ("gaussian", null), ("block:10", null) })
            {
                var options = Commands.OptimizeCommand.ParseInner(inner, new SketchedNewtonOptions { Seed = s.Seed, FixedInnerTolerance = fixedTolerance, CancellationToken = cancel });
                var r = Solve(problem, options, inner, fixedTolerance is { } t ? $"fixed {t:G2}" : "adaptive");
                logreg.Add(r);
                log.WriteLine($"  {problem.Name} {inner} {r.Accuracy}: {r.Status}, {r.Iterations} its, {r.InnerIterations} inner, {r.Seconds:F2} s");
            }
        }

        return new NewtonBenchResult
        {
            HockSchittkowski = hs, HsSummary = summary, PeerRows = peers, ConvergenceProblem = convergenceName, Convergence = convergence,
            Control = control, LogisticRegression = logreg, Plot = plot,
        };
    }

    private static NewtonRun Solve(EqualityConstrainedProblem problem, SketchedNewtonOptions options, string inner, string accuracy)
    {
        var r = new SketchedNewton(options).Solve(problem);
        bool success = r.Succeeded && (problem.KnownOptimalValue is not { } fStar || r.Objective <= fStar + 1e-6 * Math.Max(1, Math.Abs(fStar)));
        return new NewtonRun
        {
            Problem = problem.Name, N = problem.Dimension, M = problem.ConstraintCount, Inner = inner, Accuracy = accuracy, Status = r.Status.ToString(),
            Success = success, Objective = Commands.CliHelpers.Finite(r.Objective), KnownOptimalValue = problem.KnownOptimalValue,
            KktResidual = Commands.CliHelpers.Finite(r.KktResidual), Iterations = r.Iterations, InnerIterations = r.InnerIterations,
            Seconds = r.Elapsed.TotalSeconds, Message = r.Message,
        };
    }

    private static IReadOnlyList<ConvergenceRun> Convergence(NewtonBenchSettings s, TextWriter log, CancellationToken cancel, out string name)
    {
        var problem = Commands.OptimizeCommand.LoadProblem(s.ConvergenceProblem, s.Seed);
        name = problem.Name;
        var runs = new List<ConvergenceRun>();
        // The paper's adaptive accuracy is so tight that its linear rate is hard to see; a loose fixed inner
        // accuracy (0.1) shows the linear-against-superlinear contrast the sharpening is for.
        foreach (var (label, options) in new (string, SketchedNewtonOptions)[]
                 {
                     ("Gaussian sketch, adaptive", new SketchedNewtonOptions { Inner = InnerSolver.Gaussian }),
                     ("Gaussian sketch, adaptive + sharpening", new SketchedNewtonOptions { Inner = InnerSolver.Gaussian, Sharpening = true }),
                     ("MINRES, inner accuracy 0.1", new SketchedNewtonOptions { Inner = InnerSolver.Minres, FixedInnerTolerance = 0.1 }),
                     ("MINRES, inner accuracy 0.1 + sharpening", new SketchedNewtonOptions { Inner = InnerSolver.Minres, FixedInnerTolerance = 0.1, Sharpening = true }),
                 })
        {
            var r = new SketchedNewton(options with { Tolerance = 1e-10, Seed = s.Seed, CancellationToken = cancel }).Solve(problem);
            var kkt = r.History.Select(h => h.KktResidual).ToList();
            var ratios = kkt.Zip(kkt.Skip(1), (a, b) => b / a).ToList();
            runs.Add(new ConvergenceRun(label, r.Status.ToString(), kkt, ratios));
            log.WriteLine($"  convergence {name}, {label}: {r.Status}, {r.Iterations} its, last ratios {string.Join(" ", ratios.TakeLast(4).Select(x => x.ToString("E1", System.Globalization.CultureInfo.InvariantCulture)))}");
        }
        return runs;
    }

    private static string PlotConvergence(IReadOnlyList<ConvergenceRun> runs, string problem, string path)
    {
        var plot = new ScottPlot.Plot();
        foreach (var run in runs)
        {
            var points = run.KktHistory.Select((v, i) => (i, v)).Where(p => p.v > 0).ToList();
            var line = plot.Add.Scatter(points.Select(p => (double)p.i).ToArray(), points.Select(p => Math.Log10(p.v)).ToArray());
            line.LegendText = run.Label;
            line.LineWidth = 2;
            line.MarkerSize = 6;
        }
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => $"1e{y:N0}",
        };
        plot.Title($"Sketched Newton local convergence on {problem}");
        plot.XLabel("Newton iteration");
        plot.YLabel("KKT residual ||(grad_x L, c)||");
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        plot.SavePng(path, 900, 560);
        return path;
    }

    private static HsSummary Summarise(string solver, IReadOnlyList<NewtonRun> rows)
        => new(solver, rows.Count(r => r.Success), rows.Count, Median(rows.Select(r => (double)r.Iterations)), rows.Sum(r => r.InnerIterations), rows.Sum(r => r.Seconds));

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        if (v.Length == 0) return double.NaN;
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    /// <summary>Reads bench/optimization/hs_peers.py's JSON: problems[].results[solver].{success, iterations, seconds}.</summary>
    internal static IReadOnlyList<PeerRow> ReadPeers(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var rows = new List<PeerRow>();
        foreach (var p in doc.RootElement.GetProperty("problems").EnumerateArray())
        {
            string name = p.GetProperty("problem").GetString()!;
            foreach (var r in p.GetProperty("results").EnumerateObject())
                rows.Add(new PeerRow(name, r.Name, r.Value.GetProperty("success").GetBoolean(), r.Value.GetProperty("iterations").GetInt32(), r.Value.GetProperty("seconds").GetDouble()));
        }
        return rows;
    }

    /// <summary>Prints the tables.</summary>
    public static void PrintTables(NewtonBenchResult r)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var problems = r.HockSchittkowski.Select(x => x.Problem).Distinct().ToList();
        var inners = r.HockSchittkowski.Select(x => x.Inner).Distinct().ToList();
        var peerSolvers = r.PeerRows.Select(p => p.Solver).Distinct().ToList();
        var side = new Table().Title("Hock-Schittkowski: ok / Newton its / inner its (ours), ok / its (peers)").AddColumn("problem");
        foreach (var i in inners) side.AddColumn(new TableColumn(Markup.Escape(i)).RightAligned());
        foreach (var p in peerSolvers) side.AddColumn(new TableColumn(Markup.Escape(p)).RightAligned());
        foreach (var name in problems)
        {
            var cells = new List<string> { name };
            foreach (var i in inners)
            {
                var x = r.HockSchittkowski.First(h => h.Problem == name && h.Inner == i);
                cells.Add($"{(x.Success ? "ok" : x.Status)} / {x.Iterations} / {x.InnerIterations}");
            }
            foreach (var p in peerSolvers)
            {
                var x = r.PeerRows.FirstOrDefault(h => h.Problem == name && h.Solver == p);
                cells.Add(x is null ? "-" : $"{(x.Success ? "ok" : "FAIL")} / {x.Iterations}");
            }
            side.AddRow(cells.Select(Markup.Escape).ToArray());
        }
        AnsiConsole.Write(side);

        var sum = new Table().Title("Hock-Schittkowski summary (success: converged, f <= f* + 1e-6 max(1, |f*|), KKT <= 1e-6)")
            .AddColumn("solver").AddColumn(new TableColumn("solved").RightAligned()).AddColumn(new TableColumn("median its").RightAligned())
            .AddColumn(new TableColumn("inner its").RightAligned()).AddColumn(new TableColumn("total s").RightAligned());
        foreach (var s in r.HsSummary)
            sum.AddRow(Markup.Escape(s.Solver), $"{s.Solved}/{s.Problems}", s.MedianIterations.ToString("G4", inv), s.InnerIterations?.ToString(inv) ?? "-", s.Seconds.ToString("F3", inv));
        AnsiConsole.Write(sum);

        var conv = new Table().Title($"Local convergence on {Markup.Escape(r.ConvergenceProblem)}: KKT residual ratios of successive iterations")
            .AddColumn("run").AddColumn("status").AddColumn(new TableColumn("its").RightAligned()).AddColumn("last ratios");
        foreach (var c in r.Convergence)
            conv.AddRow(Markup.Escape(c.Label), c.Status, (c.KktHistory.Count - 1).ToString(inv),
                string.Join("  ", c.Ratios.TakeLast(5).Select(x => x.ToString("E1", inv))));
        AnsiConsole.Write(conv);

        AnsiConsole.Write(RunTable("Optimal control (min 1/2||w - w_t||^2 + alpha/2||z||^2 s.t. -Laplace w = z, n = 2N^2)", r.Control));
        if (r.LogisticRegression.Count > 0) AnsiConsole.Write(RunTable("Constrained logistic regression (5 random linear constraints + ||x||^2 = 1)", r.LogisticRegression));
        if (r.Plot is not null) AnsiConsole.MarkupLine($"plot: {Markup.Escape(r.Plot)}");
    }

    private static Table RunTable(string title, IEnumerable<NewtonRun> rows)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var t = new Table().Title(Markup.Escape(title)).AddColumn("problem").AddColumn("inner").AddColumn("accuracy").AddColumn("status")
            .AddColumn(new TableColumn("f").RightAligned()).AddColumn(new TableColumn("KKT").RightAligned()).AddColumn(new TableColumn("Newton its").RightAligned())
            .AddColumn(new TableColumn("inner its").RightAligned()).AddColumn(new TableColumn("s").RightAligned());
        foreach (var x in rows)
            t.AddRow(Markup.Escape(x.Problem), Markup.Escape(x.Inner), Markup.Escape(x.Accuracy), x.Status, x.Objective?.ToString("G8", inv) ?? "-",
                x.KktResidual?.ToString("E2", inv) ?? "-", x.Iterations.ToString(inv), x.InnerIterations.ToString(inv), x.Seconds.ToString("F3", inv));
        return t;
    }
}

/// <summary>Default data of <c>solvers bench newton</c>.</summary>
internal static class NewtonBenchDefaults
{
    /// <summary>The full path of ../shared/data/datasets/<paramref name="file"/>, searched upward from the working directory, or null.</summary>
    public static string? SharedDataSet(string file)
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            string data = Path.Combine(dir.FullName, "..", "shared", "data", "datasets");
            if (Directory.Exists(data))
            {
                string path = Path.GetFullPath(Path.Combine(data, file));
                return File.Exists(path) ? path : null;
            }
        }
        return null;
    }

    /// <summary>heart_scale and breast_cancer.csv from ../shared/data, those present.</summary>
    public static string[] SharedDataSets()
        => new[] { "heart_scale", "breast_cancer.csv" }.Select(SharedDataSet).OfType<string>().ToArray();

    /// <summary>The local-convergence problem: logistic regression on heart_scale as in the paper when the data is present, else HS77.</summary>
    public static string ConvergenceProblem()
        => SharedDataSet("heart_scale") is { } heart ? "logreg:" + heart : "hs077";
}
