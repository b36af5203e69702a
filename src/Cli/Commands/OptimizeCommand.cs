using System.Text.Json.Serialization;
using Solvers.Cli.Bench;
using Solvers.Optimization;
using Solvers.Optimization.Problems;
using Spectre.Console;

namespace Solvers.Cli.Commands;

/// <summary>What <c>solvers optimize</c> was asked to do.</summary>
internal sealed record OptimizeSettings
{
    public required string Problem { get; init; }
    public string Inner { get; init; } = "gaussian";
    public double Tolerance { get; init; } = 1e-6;
    public int MaxIterations { get; init; } = 1000;
    public bool Sharpen { get; init; }
    public ulong Seed { get; init; }
    public bool Json { get; init; }
}

/// <summary>The summary <c>solvers optimize --json</c> prints.</summary>
internal sealed record OptimizeSummary
{
    [JsonPropertyName("problem")] public required string Problem { get; init; }
    [JsonPropertyName("n")] public required int N { get; init; }
    [JsonPropertyName("m")] public required int M { get; init; }
    [JsonPropertyName("inner")] public required string Inner { get; init; }
    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("message")] public required string Message { get; init; }
    [JsonPropertyName("objective")] public required double? Objective { get; init; }
    [JsonPropertyName("knownOptimalValue")] public double? KnownOptimalValue { get; init; }
    [JsonPropertyName("kktResidual")] public required double? KktResidual { get; init; }
    [JsonPropertyName("iterations")] public required int Iterations { get; init; }
    [JsonPropertyName("innerIterations")] public required long InnerIterations { get; init; }
    [JsonPropertyName("seconds")] public required double Seconds { get; init; }
    [JsonPropertyName("kktHistory")] public required IReadOnlyList<double> KktHistory { get; init; }
    [JsonPropertyName("stepSizes")] public required IReadOnlyList<double> StepSizes { get; init; }
    [JsonPropertyName("innerIterationHistory")] public required IReadOnlyList<int> InnerIterationHistory { get; init; }
    [JsonPropertyName("eta1History")] public required IReadOnlyList<double> Eta1History { get; init; }
    [JsonPropertyName("eta2History")] public required IReadOnlyList<double> Eta2History { get; init; }
}

/// <summary><c>solvers optimize</c>: the sketched Newton method on a shipped problem.</summary>
internal static class OptimizeCommand
{
    /// <summary>hsNN, logreg:PATH or control:N.</summary>
    public static EqualityConstrainedProblem LoadProblem(string spec, ulong seed)
    {
        string s = spec.Trim();
        string lower = s.ToLowerInvariant();
        if (lower.StartsWith("hs", StringComparison.Ordinal)) return HockSchittkowski.Get(lower);
        if (lower.StartsWith("logreg:", StringComparison.Ordinal)) return ConstrainedLogisticRegression.FromFile(s[7..], seed: seed);
        if (lower.StartsWith("control:", StringComparison.Ordinal))
        {
            if (!int.TryParse(lower[8..], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int n) || n < 2)
                throw new CliUsageException($"--problem {spec}: control:N needs an integer N >= 2");
            return new OptimalControl2D(n);
        }
        throw new CliUsageException($"--problem {spec}: use hsNN (e.g. hs28), logreg:PATH (a LIBSVM or CSV file) or control:N");
    }

    /// <summary>gaussian, block:K, kaczmarz or minres.</summary>
    public static SketchedNewtonOptions ParseInner(string spec, SketchedNewtonOptions options)
    {
        string s = spec.Trim().ToLowerInvariant();
        if (s.StartsWith("block", StringComparison.Ordinal))
        {
            int k = 10;
            if (s.Length > 5 && (s[5] != ':' || !int.TryParse(s[6..], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out k) || k < 1))
                throw new CliUsageException($"--inner {spec}: block:K needs an integer K >= 1");
            return options with { Inner = InnerSolver.Block, BlockSize = k };
        }
        return s switch
        {
            "gaussian" => options with { Inner = InnerSolver.Gaussian },
            "kaczmarz" => options with { Inner = InnerSolver.Kaczmarz },
            "minres" => options with { Inner = InnerSolver.Minres },
            _ => throw new CliUsageException($"--inner {spec}: use gaussian, block:K, kaczmarz or minres"),
        };
    }

    public static int Run(OptimizeSettings s, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(s);
        try
        {
            if (!(s.Tolerance > 0)) throw new CliUsageException($"--tol must be positive, got {s.Tolerance}");
            if (s.MaxIterations < 1) throw new CliUsageException($"--max-iterations must be at least 1, got {s.MaxIterations}");
            var problem = LoadProblem(s.Problem, s.Seed);
            var options = ParseInner(s.Inner, new SketchedNewtonOptions
            {
                Tolerance = s.Tolerance, MaxIterations = s.MaxIterations, Sharpening = s.Sharpen, Seed = s.Seed, CancellationToken = cancel,
            });
            var r = new SketchedNewton(options).Solve(problem);
            var summary = new OptimizeSummary
            {
                Problem = problem.Name, N = problem.Dimension, M = problem.ConstraintCount, Inner = s.Inner, Status = r.Status.ToString(),
                Message = r.Message, Objective = CliHelpers.Finite(r.Objective), KnownOptimalValue = problem.KnownOptimalValue,
                KktResidual = CliHelpers.Finite(r.KktResidual), Iterations = r.Iterations, InnerIterations = r.InnerIterations,
                Seconds = r.Elapsed.TotalSeconds, KktHistory = r.History.Select(h => h.KktResidual).ToList(),
                StepSizes = r.History.Skip(1).Select(h => h.StepSize).ToList(), InnerIterationHistory = r.History.Skip(1).Select(h => h.InnerIterations).ToList(),
                Eta1History = r.History.Select(h => h.Eta1).ToList(), Eta2History = r.History.Select(h => h.Eta2).ToList(),
            };
            if (s.Json) Comparisons.WriteJson(summary, stdout);
            else
            {
                var console = CliHelpers.ConsoleFor(stdout);
                var t = new Table().AddColumn("figure").AddColumn(new TableColumn("value").RightAligned());
                t.AddRow("problem", Markup.Escape($"{summary.Problem} (n = {summary.N}, m = {summary.M})"));
                t.AddRow("status", Markup.Escape(summary.Status));
                t.AddRow("objective", Markup.Escape($"{r.Objective:G10}" + (problem.KnownOptimalValue is { } f ? $" (literature {f:G10})" : "")));
                t.AddRow("KKT residual", $"{r.KktResidual:E3}");
                t.AddRow("iterations", r.Iterations.ToString());
                t.AddRow("inner iterations", r.InnerIterations.ToString());
                t.AddRow("seconds", $"{r.Elapsed.TotalSeconds:F3}");
                console.Write(t);
                console.MarkupLine(Markup.Escape(r.Message));
            }
            stdout.Flush();
            return r.Succeeded ? ExitCodes.Success : ExitCodes.NotConverged;
        }
        catch (Exception e) when (CliHelpers.TryReportInputError(e, stderr, out int code))
        {
            return code;
        }
    }
}
