using System.Diagnostics;
using System.Text.Json.Serialization;
using Solvers.Kernels;
using Solvers.Linear;
using Solvers.Linear.Multigrid;
using Solvers.Sparse;
using Spectre.Console;

namespace Solvers.Cli.Bench;

/// <summary>AMG-PCG on one problem: iterations, times and hierarchy.</summary>
public sealed record AmgScalingRow
{
    [JsonPropertyName("problem")] public required string Problem { get; init; }
    [JsonPropertyName("family")] public required string Family { get; init; }
    [JsonPropertyName("n")] public required int N { get; init; }
    [JsonPropertyName("nnz")] public required int Nnz { get; init; }
    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("iterations")] public required int Iterations { get; init; }
    [JsonPropertyName("vCycleIterations")] public int? VCycleIterations { get; init; }
    [JsonPropertyName("setupSeconds")] public required double SetupSeconds { get; init; }
    [JsonPropertyName("solveSeconds")] public required double SolveSeconds { get; init; }
    [JsonPropertyName("relativeResidual")] public required double? RelativeResidual { get; init; }
    [JsonPropertyName("levels")] public required IReadOnlyList<int> Levels { get; init; }
    [JsonPropertyName("operatorComplexity")] public required double OperatorComplexity { get; init; }
    [JsonPropertyName("gridComplexity")] public required double GridComplexity { get; init; }
}

/// <summary>Iteration growth over one problem family: the largest problem's count over the smallest's.</summary>
public sealed record AmgFamilyGrowth(
    [property: JsonPropertyName("family")] string Family,
    [property: JsonPropertyName("smallest")] string Smallest,
    [property: JsonPropertyName("largest")] string Largest,
    [property: JsonPropertyName("iterationRatio")] double IterationRatio,
    [property: JsonPropertyName("vCycleIterationRatio")] double? VCycleIterationRatio);

/// <summary>Time to solution of AMG-PCG against Jacobi-PCG and MathNet on one problem, in one run.</summary>
public sealed record AmgTimeComparison
{
    [JsonPropertyName("problem")] public required string Problem { get; init; }
    [JsonPropertyName("amgIterations")] public required int AmgIterations { get; init; }
    [JsonPropertyName("amgSetupSeconds")] public required double AmgSetupSeconds { get; init; }
    [JsonPropertyName("amgSolveSeconds")] public required double AmgSolveSeconds { get; init; }
    [JsonPropertyName("amgSeconds")] public double AmgSeconds => AmgSetupSeconds + AmgSolveSeconds;
    [JsonPropertyName("jacobiIterations")] public required int JacobiIterations { get; init; }
    [JsonPropertyName("jacobiSeconds")] public required double JacobiSeconds { get; init; }
    [JsonPropertyName("speedupOverJacobi")] public double SpeedupOverJacobi => JacobiSeconds / AmgSeconds;
    [JsonPropertyName("mathnetSolver")] public string? MathNetSolver { get; init; }
    [JsonPropertyName("mathnetSeconds")] public double? MathNetSeconds { get; init; }
    [JsonPropertyName("mathnetIterations")] public int? MathNetIterations { get; init; }
    [JsonPropertyName("speedupOverMathNet")] public double? SpeedupOverMathNet => MathNetSeconds / AmgSeconds;
    [JsonPropertyName("mathnetRuns")] public IReadOnlyList<MathNetRun> MathNetRuns { get; init; } = [];
}

/// <summary>The result of <c>solvers bench amg</c>.</summary>
public sealed record AmgBenchResult
{
    [JsonPropertyName("backend")] public required string Backend { get; init; }
    [JsonPropertyName("threads")] public required int Threads { get; init; }
    [JsonPropertyName("tolerance")] public required double Tolerance { get; init; }
    [JsonPropertyName("amgOptions")] public required string AmgOptions { get; init; }
    [JsonPropertyName("scaling")] public required IReadOnlyList<AmgScalingRow> Scaling { get; init; }
    [JsonPropertyName("growth")] public required IReadOnlyList<AmgFamilyGrowth> Growth { get; init; }
    [JsonPropertyName("comparison")] public AmgTimeComparison? Comparison { get; init; }
    [JsonPropertyName("plots")] public IReadOnlyList<string> Plots { get; init; } = [];
}

/// <summary>What <c>solvers bench amg</c> measures.</summary>
public sealed record AmgBenchSettings
{
    /// <summary>The issue's scaling problems: 2D Poisson 256^2 to 2048^2, 3D Poisson 32^3 to 128^3, anisotropic eps = 0.01.</summary>
    public static readonly IReadOnlyList<string> DefaultProblems =
    [
        "poisson2d:256", "poisson2d:512", "poisson2d:1024", "poisson2d:2048",
        "poisson3d:32", "poisson3d:64", "poisson3d:128",
        "anisotropic2d:256,0.01", "anisotropic2d:512,0.01", "anisotropic2d:1024,0.01", "anisotropic2d:2048,0.01",
    ];

    public IReadOnlyList<string> Problems { get; init; } = DefaultProblems;
    public string? CompareProblem { get; init; } = "poisson2d:1024";
    public int Threads { get; init; } = 2;
    public double Tolerance { get; init; } = 1e-8;
    public AmgOptions Options { get; init; } = new();
    public string OptionsText { get; init; } = "defaults";
    public bool RunMathNet { get; init; } = true;
    public IReadOnlyList<string> MathNetSolvers { get; init; } = ["BiCgStab", "GpBiCg"];
    public TimeSpan MathNetBudget { get; init; } = TimeSpan.FromSeconds(300);
    public string? PlotDirectory { get; init; }
    public string HistoryProblem { get; init; } = "variable2d:256";
    public IReadOnlyList<int> PlotSizes { get; init; } = [64, 128, 256, 512, 1024];
    public BackendKind Backend { get; init; } = BackendKind.Cpu;
}

/// <summary>
/// <c>solvers bench amg</c>: AMG-PCG iteration counts over mesh sizes, time to solution against Jacobi-PCG and
/// MathNet on one problem, and the residual-history and scaling plots.
/// </summary>
public static class AmgBench
{
    /// <summary>Runs every measurement of <paramref name="s"/>, logging progress to <paramref name="log"/>.</summary>
    public static AmgBenchResult Run(AmgBenchSettings s, TextWriter log, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(log);
        using var backend = Comparisons.CreateBackend(s.Backend, s.Threads);
        // JIT and thread-pool warm-up on a small problem, so the first timed solve is not penalised.
        Solve(backend, Problems.PdeProblems.Poisson2D(64), new AmgPreconditioner(s.Options), s.Tolerance);
        var rows = new List<AmgScalingRow>();
        foreach (string spec in s.Problems)
        {
            cancel.ThrowIfCancellationRequested();
            var a = Commands.CliHelpers.LoadProblem(spec, out string name);
            rows.Add(MeasureAmg(backend, a, name, s, log));
        }
        var growth = rows.GroupBy(r => r.Family).Where(g => g.Count() > 1).Select(g =>
        {
            var small = g.MinBy(r => r.N)!;
            var large = g.MaxBy(r => r.N)!;
            double? vRatio = small.VCycleIterations is int vs && large.VCycleIterations is int vl ? (double)vl / vs : null;
            return new AmgFamilyGrowth(g.Key, small.Problem, large.Problem, (double)large.Iterations / small.Iterations, vRatio);
        }).ToList();

        AmgTimeComparison? comparison = null;
        if (s.CompareProblem is { } cp)
        {
            cancel.ThrowIfCancellationRequested();
            var a = Commands.CliHelpers.LoadProblem(cp, out string name);
            comparison = Compare(backend, a, name, s, log);
        }
        var plots = new List<string>();
        if (s.PlotDirectory is { } dir)
        {
            cancel.ThrowIfCancellationRequested();
            Directory.CreateDirectory(dir);
            var history = Commands.CliHelpers.LoadProblem(s.HistoryProblem, out string historyName);
            plots.Add(AmgPlots.ResidualHistories(backend, history, historyName, s.Options, s.Tolerance,
                Path.Combine(dir, "amg-residual-history.png"), log));
            plots.Add(AmgPlots.IterationsVersusSize(backend, s.PlotSizes, s.Options, s.Tolerance,
                Path.Combine(dir, "amg-iterations-vs-size.png"), log));
        }
        return new AmgBenchResult
        {
            Backend = backend.Name, Threads = s.Threads, Tolerance = s.Tolerance, AmgOptions = s.OptionsText,
            Scaling = rows, Growth = growth, Comparison = comparison, Plots = plots,
        };
    }

    internal static LinearSolveResult Solve(Backend backend, CsrMatrix a, IPreconditioner preconditioner, double tolerance, bool history = false)
    {
        var b = a.Multiply(Enumerable.Repeat(1.0, a.Columns).ToArray());
        using var cg = new ConjugateGradient(new CgOptions { Tolerance = tolerance, Preconditioner = preconditioner, RecordHistory = history }, backend);
        return cg.Solve(a, b);
    }

    private static string Family(string name)
    {
        int colon = name.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0) return name;
        string kind = name[..colon];
        int comma = name.IndexOf(',', StringComparison.Ordinal);
        return comma < 0 ? kind : kind + name[comma..];
    }

    private static AmgScalingRow MeasureAmg(Backend backend, CsrMatrix a, string name, AmgBenchSettings s, TextWriter log)
    {
        log.WriteLine($"AMG-PCG {name}: n = {a.Rows}, nnz = {a.NonZeros}");
        LinearSolveResult? best = null;
        AmgHierarchyInfo? info = null;
        // Two solves, keeping the faster: the machines here are shared and drift within minutes.
        for (int rep = 0; rep < 2; rep++)
        {
            var amg = new AmgPreconditioner(s.Options);
            var r = Solve(backend, a, amg, s.Tolerance);
            if (best is null || r.Elapsed + r.SetupElapsed < best.Elapsed + best.SetupElapsed) (best, info) = (r, amg.LastHierarchy);
        }
        int? vIterations = null;
        if (s.Options.CycleIndex == 2)
            vIterations = Solve(backend, a, new AmgPreconditioner(s.Options with { CycleIndex = 1 }), s.Tolerance).Iterations;
        log.WriteLine($"  {best!.Status}, {best.Iterations} iterations (V-cycle {vIterations?.ToString() ?? "-"}), setup {best.SetupElapsed.TotalSeconds:F3} s, " +
            $"solve {best.Elapsed.TotalSeconds:F3} s, operator complexity {info?.OperatorComplexity:F2}");
        return new AmgScalingRow
        {
            Problem = name, Family = Family(name), N = a.Rows, Nnz = a.NonZeros, Status = best.Status.ToString(), Iterations = best.Iterations,
            VCycleIterations = vIterations, SetupSeconds = best.SetupElapsed.TotalSeconds, SolveSeconds = best.Elapsed.TotalSeconds,
            RelativeResidual = Commands.CliHelpers.Finite(best.RelativeResidual),
            Levels = info?.Levels.Select(l => l.Rows).ToList() ?? [], OperatorComplexity = info?.OperatorComplexity ?? 0,
            GridComplexity = info?.GridComplexity ?? 0,
        };
    }

    private static AmgTimeComparison Compare(Backend backend, CsrMatrix a, string name, AmgBenchSettings s, TextWriter log)
    {
        log.WriteLine($"Time to solution on {name}: AMG-PCG against Jacobi-PCG{(s.RunMathNet ? " and MathNet" : "")}");
        LinearSolveResult? amg = null, jacobi = null;
        // Alternate the two, keeping the best total of each, so drift on the shared host hits both alike.
        for (int rep = 0; rep < 2; rep++)
        {
            var ra = Solve(backend, a, new AmgPreconditioner(s.Options), s.Tolerance);
            if (amg is null || ra.Elapsed + ra.SetupElapsed < amg.Elapsed + amg.SetupElapsed) amg = ra;
            var rj = Solve(backend, a, Preconditioners.Jacobi, s.Tolerance);
            if (jacobi is null || rj.Elapsed + rj.SetupElapsed < jacobi.Elapsed + jacobi.SetupElapsed) jacobi = rj;
        }
        log.WriteLine($"  AMG {amg!.Iterations} its, {(amg.Elapsed + amg.SetupElapsed).TotalSeconds:F3} s; Jacobi {jacobi!.Iterations} its, {(jacobi.Elapsed + jacobi.SetupElapsed).TotalSeconds:F3} s");
        var runs = new List<MathNetRun>();
        if (s.RunMathNet)
        {
            var b = a.Multiply(Enumerable.Repeat(1.0, a.Columns).ToArray());
            foreach (string solver in s.MathNetSolvers)
            {
                log.WriteLine($"  MathNet {solver} + Diagonal (budget {s.MathNetBudget.TotalSeconds:F0} s)...");
                var run = MathNetBaseline.Run(solver, a, b, s.Tolerance, maxIterations: Math.Max(10 * jacobi.Iterations, 1000), timeBudget: s.MathNetBudget);
                log.WriteLine($"    {run.Status}, {run.Iterations} iterations, {run.Seconds:F3} s, relative residual {run.RelativeResidual:E2}");
                runs.Add(run);
            }
        }
        var fastest = runs.Where(r => r.Converged).OrderBy(r => r.Seconds).FirstOrDefault();
        return new AmgTimeComparison
        {
            Problem = name, AmgIterations = amg.Iterations, AmgSetupSeconds = amg.SetupElapsed.TotalSeconds, AmgSolveSeconds = amg.Elapsed.TotalSeconds,
            JacobiIterations = jacobi.Iterations, JacobiSeconds = (jacobi.Elapsed + jacobi.SetupElapsed).TotalSeconds,
            MathNetSolver = fastest?.Solver, MathNetSeconds = fastest?.Seconds, MathNetIterations = fastest?.Iterations, MathNetRuns = runs,
        };
    }

    /// <summary>Prints the scaling table, the growth ratios and the comparison.</summary>
    public static void PrintTables(AmgBenchResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var t = new Table().Title($"AMG-PCG to {r.Tolerance:G2}, {r.Backend}, {r.Threads} threads, options: {Markup.Escape(r.AmgOptions)}")
            .AddColumns("problem", "unknowns", "iterations", "V-cycle its", "setup s", "solve s", "levels", "op. complexity");
        foreach (var row in r.Scaling)
            t.AddRow(Markup.Escape(row.Problem), row.N.ToString("N0"), row.Iterations.ToString(), row.VCycleIterations?.ToString() ?? "-",
                row.SetupSeconds.ToString("F3"), row.SolveSeconds.ToString("F3"), row.Levels.Count.ToString(), row.OperatorComplexity.ToString("F2"));
        AnsiConsole.Write(t);
        if (r.Growth.Count > 0)
        {
            var g = new Table().Title("Iteration growth, largest over smallest (target <= 1.3)").AddColumns("family", "from", "to", "ratio", "V-cycle ratio");
            foreach (var x in r.Growth)
                g.AddRow(Markup.Escape(x.Family), Markup.Escape(x.Smallest), Markup.Escape(x.Largest), x.IterationRatio.ToString("F2"), x.VCycleIterationRatio?.ToString("F2") ?? "-");
            AnsiConsole.Write(g);
        }
        if (r.Comparison is { } c)
        {
            var ct = new Table().Title($"Time to solution, {Markup.Escape(c.Problem)} (setup included)").AddColumns("solver", "iterations", "seconds", "AMG-PCG faster by");
            ct.AddRow("AMG-PCG", c.AmgIterations.ToString(), $"{c.AmgSeconds:F3} ({c.AmgSetupSeconds:F3} setup)", "");
            ct.AddRow("Jacobi-PCG", c.JacobiIterations.ToString(), c.JacobiSeconds.ToString("F3"), $"{c.SpeedupOverJacobi:F1}x");
            foreach (var m in c.MathNetRuns)
                ct.AddRow(Markup.Escape($"MathNet {m.Solver} + Diagonal ({m.Status})"), m.Iterations.ToString(), m.Seconds.ToString("F3"),
                    m.Converged ? $"{m.Seconds / c.AmgSeconds:F1}x" : "did not converge");
            AnsiConsole.Write(ct);
        }
        foreach (string p in r.Plots) AnsiConsole.MarkupLine($"plot: {Markup.Escape(p)}");
    }
}
