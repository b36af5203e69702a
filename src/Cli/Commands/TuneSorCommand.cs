using Solvers.Cli.Bench;
using Solvers.Learning;

namespace Solvers.Cli.Commands;

/// <summary>What <c>solvers tune-sor</c> was asked to do.</summary>
internal sealed record TuneSorSettings
{
    public string Sequence { get; init; } = "shifted-laplacian";
    public int Steps { get; init; } = 1000;
    public string Learner { get; init; } = "tsallis";
    public ulong Seed { get; init; }
    public int? Grid { get; init; }
    public string? Method { get; init; }
    public string[] Compare { get; init; } = [];
    public string? Plot { get; init; } = "tune-sor.png";
    public bool Json { get; init; }
    public bool NoBaselines { get; init; }
}

/// <summary><c>solvers tune-sor</c>: runs <see cref="SorTuning"/> and prints the totals.</summary>
internal static class TuneSorCommand
{
    public static int Run(TuneSorSettings s, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(s);
        try
        {
            string sequence = s.Sequence.Trim().ToLowerInvariant();
            if (sequence is not ("shifted-laplacian" or "shifted-laplacian-low" or "heat"))
                throw new CliUsageException($"--sequence must be shifted-laplacian, shifted-laplacian-low or heat, got '{s.Sequence}'");
            if (s.Steps < 1) throw new CliUsageException($"--steps must be at least 1, got {s.Steps}");
            int grid = s.Grid ?? (sequence == "heat" ? 200 : 10);
            if (grid < 2) throw new CliUsageException($"--grid must be at least 2, got {grid}");
            var method = (s.Method ?? (sequence == "heat" ? "ssor-pcg" : "sor")).Trim().ToLowerInvariant() switch
            {
                "sor" => SequenceMethod.Sor,
                "ssor-pcg" or "ssor" => SequenceMethod.SsorPcg,
                _ => throw new CliUsageException($"--method must be sor or ssor-pcg, got '{s.Method}'"),
            };
            // Fail on a bad learner name before any solve runs.
            SorTuning.CreateLearner(s.Learner, OmegaLearners.DefaultGrid(), s.Seed, 0, 1);
            foreach (string c in s.Compare) SorTuning.CreateLearner(c, OmegaLearners.DefaultGrid(), s.Seed, 0, 1);
            stderr.WriteLine($"tune-sor: {sequence}, {s.Steps} systems, grid {grid}, learner {s.Learner}");
            var result = SorTuning.Run(sequence, s.Steps, s.Learner, s.Seed, method, grid, s.NoBaselines ? null : s.Plot, stderr, s.Compare,
                cancel: cancel, baselines: !s.NoBaselines);
            if (s.Json) Comparisons.WriteJson(result, stdout);
            else
            {
                CliHelpers.ConsoleFor(stdout);
                if (ReferenceEquals(stdout, Console.Out)) SorTuning.Print(result);
                else
                {
                    var saved = Spectre.Console.AnsiConsole.Console;
                    Spectre.Console.AnsiConsole.Console = CliHelpers.ConsoleFor(stdout);
                    try { SorTuning.Print(result); }
                    finally { Spectre.Console.AnsiConsole.Console = saved; }
                }
            }
            stdout.Flush();
            return ExitCodes.Success;
        }
        catch (Exception e) when (CliHelpers.TryReportInputError(e, stderr, out int code))
        {
            return code;
        }
    }
}
