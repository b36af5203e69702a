using Solvers.Cli.Bench;
using Spectre.Console;

namespace Solvers.Cli.Commands;

/// <summary>Which measurement <c>solvers bench</c> runs.</summary>
internal enum BenchKind
{
    /// <summary>CSR SpMV bandwidth against STREAM and MathNet.</summary>
    Spmv,
    /// <summary>Jacobi-PCG against MathNet's iterative solvers and the memory-traffic lower bound.</summary>
    Cg,
    /// <summary>The STREAM triad bandwidth alone.</summary>
    Stream,
    /// <summary>SOR sweep throughput (natural and multicolor) against STREAM.</summary>
    Sor,
}

/// <summary>What <c>solvers bench</c> was asked to do.</summary>
internal sealed record BenchSettings
{
    public required BenchKind Kind { get; init; }

    /// <summary>Problem spec or .mtx file; null for the default (poisson2d:1000 for spmv, poisson2d:512 for cg).</summary>
    public string? Problem { get; init; }

    public int Threads { get; init; } = 2;

    public double Tolerance { get; init; } = 1e-8;

    public bool NoMathNet { get; init; }

    public bool Json { get; init; }
}

/// <summary>What <c>solvers bench amg</c> was asked to do (the command-line values, before validation).</summary>
internal sealed record AmgBenchArguments
{
    public string[]? Problems { get; init; }
    public string Compare { get; init; } = "poisson2d:1024";
    public string AmgOptions { get; init; } = "";
    public int Threads { get; init; } = 2;
    public double Tolerance { get; init; } = 1e-8;
    public bool NoMathNet { get; init; }
    public double MathNetBudget { get; init; } = 300;
    public string? PlotDirectory { get; init; }
    public string HistoryProblem { get; init; } = "variable2d:256";
    public int[] PlotSizes { get; init; } = [];
    public string Backend { get; init; } = "cpu";
    public bool Json { get; init; }
}

/// <summary><c>solvers bench spmv|cg|stream|amg</c>: wires the options to <see cref="Comparisons"/> and <see cref="AmgBench"/>.</summary>
internal static class BenchCommand
{
    public const string DefaultSpmvProblem = "poisson2d:1000";
    public const string DefaultCgProblem = "poisson2d:512";

    /// <summary>Runs the benchmark; returns 0, 1 when the CG benchmark did not converge, 2 on bad input.</summary>
    /// <remarks>Progress lines go to <paramref name="stderr"/>, so stdout holds only the table or the JSON.</remarks>
    public static int Run(BenchSettings s, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(s);
        try
        {
            if (s.Threads < 1) throw new CliUsageException($"--threads must be at least 1, got {s.Threads}");
            if (!(s.Tolerance >= 0) || !double.IsFinite(s.Tolerance))
                throw new CliUsageException($"--tol must be a non-negative number, got {s.Tolerance}");
            object result;
            int exit = ExitCodes.Success;
            switch (s.Kind)
            {
                case BenchKind.Spmv:
                {
                    var a = CliHelpers.LoadProblem(s.Problem ?? DefaultSpmvProblem, out string name);
                    result = Comparisons.RunSpmv(a, name, s.Threads, stderr);
                    break;
                }
                case BenchKind.Cg:
                {
                    var a = CliHelpers.LoadProblem(s.Problem ?? DefaultCgProblem, out string name);
                    if (!a.IsSquare) throw new CliUsageException($"{name}: A is {a.Rows}x{a.Columns}; CG needs a square matrix");
                    var r = Comparisons.RunCg(a, name, s.Threads, s.Tolerance, !s.NoMathNet, stderr);
                    if (r.CgStatus != nameof(SolverStatus.Converged)) exit = ExitCodes.NotConverged;
                    result = r;
                    break;
                }
                case BenchKind.Sor:
                {
                    var a = CliHelpers.LoadProblem(s.Problem ?? DefaultSpmvProblem, out string name);
                    if (!a.IsSquare) throw new CliUsageException($"{name}: A is {a.Rows}x{a.Columns}; SOR needs a square matrix");
                    result = Comparisons.RunSor(a, name, s.Threads, stderr);
                    break;
                }
                default:
                    result = new StreamResult(s.Threads, Comparisons.StreamTriadGBps(s.Threads, stderr));
                    break;
            }

            if (s.Json) Comparisons.WriteJson(result, stdout);
            else WithConsole(stdout, () => Comparisons.PrintTable(result));
            stdout.Flush();
            return exit;
        }
        catch (Exception e) when (CliHelpers.TryReportInputError(e, stderr, out int code))
        {
            return code;
        }
    }

    /// <summary><c>solvers bench amg</c>; returns 0, 1 when a solve did not converge, 2 on bad input.</summary>
    public static int RunAmg(AmgBenchArguments args, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(args);
        var (problems, compare, amgOptions, threads, tolerance, noMathNet, mathnetBudget, plotDirectory, backendName, json) =
            (args.Problems, args.Compare, args.AmgOptions, args.Threads, args.Tolerance, args.NoMathNet, args.MathNetBudget, args.PlotDirectory, args.Backend, args.Json);
        try
        {
            if (args.PlotSizes.Any(n => n < 2)) throw new CliUsageException($"--plot-sizes must be at least 2, got {string.Join(" ", args.PlotSizes)}");
            if (threads < 1) throw new CliUsageException($"--threads must be at least 1, got {threads}");
            if (!(tolerance > 0) || !double.IsFinite(tolerance)) throw new CliUsageException($"--tol must be a positive number, got {tolerance}");
            if (!(mathnetBudget > 0)) throw new CliUsageException($"--mathnet-budget must be positive, got {mathnetBudget}");
            var settings = new AmgBenchSettings
            {
                Problems = problems is { Length: > 0 } ? problems.SelectMany(x => x.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList() : AmgBenchSettings.DefaultProblems,
                CompareProblem = compare.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : compare,
                Threads = threads,
                Tolerance = tolerance,
                Options = Solvers.Linear.Multigrid.AmgOptions.Parse(amgOptions),
                OptionsText = amgOptions.Length == 0 ? "defaults (" + Describe(new Solvers.Linear.Multigrid.AmgOptions()) + ")" : amgOptions,
                RunMathNet = !noMathNet,
                MathNetBudget = TimeSpan.FromSeconds(mathnetBudget),
                PlotDirectory = plotDirectory,
                HistoryProblem = args.HistoryProblem,
                PlotSizes = args.PlotSizes.Length > 0 ? args.PlotSizes : [64, 128, 256, 512, 1024],
                Backend = Solvers.Kernels.Backend.ParseKind(backendName),
            };
            var result = AmgBench.Run(settings, stderr, cancel);
            if (json) Comparisons.WriteJson(result, stdout);
            else WithConsole(stdout, () => AmgBench.PrintTables(result));
            stdout.Flush();
            bool allConverged = result.Scaling.All(r => r.Status == nameof(SolverStatus.Converged));
            return allConverged ? ExitCodes.Success : ExitCodes.NotConverged;
        }
        catch (Exception e) when (CliHelpers.TryReportInputError(e, stderr, out int code))
        {
            return code;
        }
    }

    /// <summary><c>solvers bench newton</c>; returns 0, 1 when a Hock-Schittkowski solve with MINRES failed, 2 on bad input.</summary>
    public static int RunNewton(NewtonBenchSettings settings, bool json, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        try
        {
            foreach (var inner in settings.Inners) OptimizeCommand.ParseInner(inner, new Solvers.Optimization.SketchedNewtonOptions());
            if (settings.ControlSizes.Any(n => n < 2)) throw new CliUsageException($"--control sizes must be at least 2, got {string.Join(" ", settings.ControlSizes)}");
            if (settings.PeersJson is { } peers && !File.Exists(peers)) throw new CliUsageException($"--peers {peers}: no such file (bench/optimization/run-peers.sh writes it)");
            foreach (var f in settings.LogRegFiles)
                if (!File.Exists(f)) throw new CliUsageException($"--logreg {f}: no such file");
            var result = NewtonBench.Run(settings, stderr, cancel);
            if (json) Comparisons.WriteJson(result, stdout);
            else WithConsole(stdout, () => NewtonBench.PrintTables(result));
            stdout.Flush();
            bool minresOk = result.HockSchittkowski.Where(r => r.Inner == "minres").All(r => r.Success || r.Status == nameof(SolverStatus.Singular));
            return minresOk ? ExitCodes.Success : ExitCodes.NotConverged;
        }
        catch (Exception e) when (CliHelpers.TryReportInputError(e, stderr, out int code))
        {
            return code;
        }
    }

    /// <summary>
    /// <c>solvers bench soak</c>; returns 0 when the memory growth stayed within the bound and every solve converged,
    /// 1 otherwise, 2 on bad input.
    /// </summary>
    public static int RunSoak(int count, int warmUp, double boundMiB, string backendName, int? threads, bool json, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        try
        {
            if (count < 1) throw new CliUsageException($"--count must be at least 1, got {count}");
            if (warmUp < 0) throw new CliUsageException($"--warm-up must be at least 0, got {warmUp}");
            if (!(boundMiB > 0) || !double.IsFinite(boundMiB)) throw new CliUsageException($"--bound-mb must be a positive number, got {boundMiB}");
            if (threads is < 1) throw new CliUsageException($"--threads must be at least 1, got {threads}");
            var settings = new SoakSettings
            {
                Count = count, WarmUp = warmUp, BoundMiB = boundMiB, Threads = threads,
                Backend = Solvers.Kernels.Backend.ParseKind(backendName, "--backend"),
            };
            var result = SoakBench.Run(settings, stderr, cancel);
            if (json) Comparisons.WriteJson(result, stdout);
            else WithConsole(stdout, () => SoakBench.PrintTables(result));
            stdout.Flush();
            foreach (var f in result.Failures.Take(10)) stderr.WriteLine($"soak: {f}");
            return result.WithinBound && result.Failures.Count == 0 ? ExitCodes.Success : ExitCodes.NotConverged;
        }
        catch (Exception e) when (CliHelpers.TryReportInputError(e, stderr, out int code))
        {
            return code;
        }
    }

    private static string Describe(Solvers.Linear.Multigrid.AmgOptions o)
        => $"cycle={(o.CycleIndex == 1 ? "v" : "w")},smoother={o.Smoother.ToString().ToLowerInvariant()},degree={o.SmootherDegree},theta={o.StrengthThreshold},coarse={o.MaxCoarseSize}";

    /// <summary>The result of <c>bench stream</c>.</summary>
    internal sealed record StreamResult(
        [property: System.Text.Json.Serialization.JsonPropertyName("threads")] int Threads,
        [property: System.Text.Json.Serialization.JsonPropertyName("streamGBps")] double StreamGBps);

    // Comparisons.PrintTable writes to AnsiConsole; point that at stdout for the call when stdout is not the console.
    private static void WithConsole(TextWriter stdout, Action action)
    {
        if (ReferenceEquals(stdout, Console.Out))
        {
            CliHelpers.ConsoleFor(stdout); // widens the console when output is redirected
            action();
            return;
        }
        var saved = AnsiConsole.Console;
        AnsiConsole.Console = CliHelpers.ConsoleFor(stdout);
        try
        {
            action();
        }
        finally
        {
            AnsiConsole.Console = saved;
        }
    }
}
