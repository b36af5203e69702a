using Solvers.Cli.Bench;
using Solvers.Relu;
using Spectre.Console;

namespace Solvers.Cli.Commands;

/// <summary>What <c>solvers train-relu</c> was asked to do.</summary>
internal sealed record TrainReluSettings
{
    public required string Data { get; init; }
    public int Patterns { get; init; } = 64;
    public double Beta { get; init; } = 1e-3;
    public ulong Seed { get; init; }
    public double TestFraction { get; init; } = 0.2;
    public string Formulation { get; init; } = "relu";
    public int? PositiveClass { get; init; }
    public int MaxIterations { get; init; } = 5000;
    public double Tolerance { get; init; } = 1e-4;
    public double Rho { get; init; } = 0.1;
    public int AdamSeeds { get; init; } = 5;
    public int AdamEpochs { get; init; } = 5000;
    public double AdamLearningRate { get; init; } = 1e-2;
    public string? Plot { get; init; } = "train-relu.png";
    public bool Json { get; init; }
    /// <summary>Train/test splits with seeds Seed, Seed + 1, ...: one split of a small data set is a noisy accuracy figure.</summary>
    public int Splits { get; init; } = 1;
}

/// <summary><c>solvers train-relu</c>: the convex ReLU network by ADMM against Adam on the same data.</summary>
internal static class TrainReluCommand
{
    public static int Run(TrainReluSettings s, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(s);
        try
        {
            CliHelpers.RequireFile(s.Data, "--data");
            if (!(s.TestFraction >= 0 && s.TestFraction < 1)) throw new CliUsageException($"--test-fraction must be in [0, 1), got {s.TestFraction}");
            if (s.AdamSeeds < 0) throw new CliUsageException($"--adam-seeds must be >= 0, got {s.AdamSeeds}");
            if (s.Splits < 1) throw new CliUsageException($"--splits must be >= 1, got {s.Splits}");
            if (s.AdamEpochs < 1) throw new CliUsageException($"--adam-epochs must be >= 1, got {s.AdamEpochs}");
            var formulation = s.Formulation.ToLowerInvariant() switch
            {
                "relu" => ReluFormulation.Relu,
                "gated" => ReluFormulation.Gated,
                _ => throw new CliUsageException($"--formulation {s.Formulation}: use relu or gated"),
            };
            var options = new ConvexReluOptions
            {
                Patterns = s.Patterns, Beta = s.Beta, Seed = s.Seed, Formulation = formulation, MaxIterations = s.MaxIterations,
                Tolerance = s.Tolerance, Rho = s.Rho, CancellationToken = cancel,
            };
            var (x, y) = ReluTraining.Load(s.Data, s.PositiveClass);
            var split = ReluTraining.Split(Path.GetFileName(s.Data), x, y, s.TestFraction, s.Seed);
            var result = ReluTraining.Run(split, options, s.AdamSeeds, s.AdamEpochs, s.AdamLearningRate, stderr);
            if (s.Splits > 1)
            {
                var summaries = new List<ReluSplitSummary> { ReluSplitSummary.Of(s.Seed, result) };
                for (int k = 1; k < s.Splits; k++)
                {
                    ulong seed = s.Seed + (ulong)k;
                    stderr.WriteLine($"split seed {seed}:");
                    var other = ReluTraining.Split(Path.GetFileName(s.Data), x, y, s.TestFraction, seed);
                    summaries.Add(ReluSplitSummary.Of(seed, ReluTraining.Run(other, options with { Seed = seed }, s.AdamSeeds, s.AdamEpochs, s.AdamLearningRate, stderr)));
                }
                result = result with
                {
                    Splits = summaries,
                    PooledTestAccuracy = ReluSplitSummary.Pooled(summaries, q => q.TestAccuracy),
                    PooledCertifiedTestAccuracy = ReluSplitSummary.Pooled(summaries, q => q.CertifiedTestAccuracy),
                    PooledAdamBestTestAccuracy = ReluSplitSummary.Pooled(summaries, q => q.AdamBestTestAccuracy),
                };
            }
            if (s.Plot is { Length: > 0 } plot)
            {
                string? dir = Path.GetDirectoryName(Path.GetFullPath(plot));
                if (dir is not null) Directory.CreateDirectory(dir);
                result = result with { Plot = ReluTraining.Plot(result, plot) };
            }
            if (s.Json) Comparisons.WriteJson(result, stdout);
            else
            {
                var console = CliHelpers.ConsoleFor(stdout);
                var inv = System.Globalization.CultureInfo.InvariantCulture;
                var t = new Table().AddColumn("").AddColumn(new TableColumn("convex (global optimum over the patterns)").RightAligned())
                    .AddColumn(new TableColumn(Markup.Escape($"Adam, best of {s.AdamSeeds} seeds")).RightAligned());
                t.AddRow("training objective", result.Objective.ToString("G8", inv), result.AdamBestObjective?.ToString("G8", inv) ?? "-");
                t.AddRow("train accuracy", result.TrainAccuracy.ToString("P2", inv), "");
                t.AddRow("test accuracy", result.TestAccuracy.ToString("P2", inv), result.AdamBestTestAccuracy?.ToString("P2", inv) ?? "-");
                t.AddRow("neurons", result.Neurons.ToString(inv), result.AdamWidth.ToString(inv));
                if (result.CertifiedObjective is { } co)
                    t.AddRow("with Adam's patterns added: objective / test accuracy", $"{co.ToString("G8", inv)} / {result.CertifiedTestAccuracy?.ToString("P2", inv)}", "");
                t.AddRow("iterations / epochs", result.Iterations.ToString(inv), result.AdamEpochs.ToString(inv));
                t.AddRow("seconds", result.Seconds.ToString("F3", inv), result.AdamSeconds.ToString("F3", inv));
                console.Write(t);
                if (result.Splits is { } splits)
                {
                    string P(double? v) => v?.ToString("P2", inv) ?? "-";
                    string G(double? v) => v?.ToString("G6", inv) ?? "-";
                    var st = new Table().Title(Markup.Escape($"{splits.Count} train/test splits")).AddColumn("split seed")
                        .AddColumn(new TableColumn("convex objective / test acc.").RightAligned())
                        .AddColumn(new TableColumn("+ Adam's patterns: objective / test acc.").RightAligned())
                        .AddColumn(new TableColumn("Adam best: objective / test acc.").RightAligned());
                    foreach (var q in splits)
                        st.AddRow(q.Seed.ToString(inv), $"{G(q.Objective)} / {P(q.TestAccuracy)}", $"{G(q.CertifiedObjective)} / {P(q.CertifiedTestAccuracy)}", $"{G(q.AdamBestObjective)} / {P(q.AdamBestTestAccuracy)}");
                    st.AddRow("pooled test accuracy", P(result.PooledTestAccuracy), P(result.PooledCertifiedTestAccuracy), P(result.PooledAdamBestTestAccuracy));
                    console.Write(st);
                }
                console.MarkupLine(Markup.Escape($"{result.Status}: {result.Message} Patterns {result.PatternsUsed} of {result.PatternsRequested} sampled; " +
                    $"network objective {result.NetworkObjective:G8} (cone violation {result.MaxConstraintViolation:E1}); linear solver: {result.LinearSolver}."));
                if (result.Plot is not null) console.MarkupLine(Markup.Escape($"training curve: {result.Plot}"));
            }
            stdout.Flush();
            return result.Status == nameof(SolverStatus.Converged) ? ExitCodes.Success : ExitCodes.NotConverged;
        }
        catch (Exception e) when (CliHelpers.TryReportInputError(e, stderr, out int code))
        {
            return code;
        }
    }
}
