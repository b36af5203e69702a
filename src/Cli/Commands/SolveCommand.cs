using Solvers.Kernels;
using Solvers.Linear;
using Solvers.Sparse;
using Spectre.Console;

namespace Solvers.Cli.Commands;

/// <summary>What <c>solvers solve</c> was asked to do.</summary>
internal sealed record SolveSettings
{
    /// <summary>A Matrix Market file holding A; exactly one of this and <see cref="Problem"/>.</summary>
    public string? MatrixPath { get; init; }

    /// <summary>A generated problem: poisson2d:N, poisson3d:N, anisotropic2d:N,eps or variable2d:N.</summary>
    public string? Problem { get; init; }

    /// <summary>A Matrix Market vector holding b; when null, b = A * ones.</summary>
    public string? RhsPath { get; init; }

    /// <summary>Relative tolerance on ||b - Ax|| / ||b||.</summary>
    public double Tolerance { get; init; } = 1e-8;

    /// <summary>Iteration limit; null for the solver's default (10 n).</summary>
    public int? MaxIterations { get; init; }

    /// <summary>Preconditioner name: none or jacobi.</summary>
    public string Preconditioner { get; init; } = "jacobi";

    /// <summary>Backend name: auto, cpu, ilgpu-cpu or cuda.</summary>
    public string Backend { get; init; } = "auto";

    /// <summary>CPU threads; null for all processors.</summary>
    public int? Threads { get; init; }

    /// <summary>Where to write x (Matrix Market array), or null.</summary>
    public string? OutPath { get; init; }

    /// <summary>Print one JSON object instead of the table, and no progress.</summary>
    public bool Json { get; init; }
}

/// <summary>The summary of a solve, as <c>--json</c> prints it (camelCase).</summary>
internal sealed record SolveSummary
{
    /// <summary>The summary of a CG result on <paramref name="a"/>; with <paramref name="onesReference"/> (b = A ones) it reports the error against ones.</summary>
    public static SolveSummary From(LinearSolveResult result, double tolerance, string source, CsrMatrix a, bool onesReference) => new()
    {
        Status = result.Status,
        Converged = result.Succeeded,
        Iterations = result.Iterations,
        RelativeResidual = CliHelpers.Finite(result.RelativeResidual),
        Tolerance = tolerance,
        Seconds = result.Elapsed.TotalSeconds,
        SetupSeconds = result.SetupElapsed.TotalSeconds,
        Gbps = CliHelpers.Finite(CliHelpers.GigabytesPerSecond(result.BytesPerIteration, result.Iterations, result.Elapsed)),
        BytesPerIteration = result.BytesPerIteration,
        Backend = result.Backend,
        Preconditioner = result.Preconditioner,
        Source = source,
        N = a.Rows,
        Nnz = a.NonZeros,
        ErrorVsOnes = onesReference ? CliHelpers.Finite(CliHelpers.MaxErrorVsOnes(result.Solution)) : null,
        Message = result.Message,
    };

    public required SolverStatus Status { get; init; }
    public required bool Converged { get; init; }
    public required int Iterations { get; init; }
    /// <summary>||b - Ax|| / ||b|| recomputed from x (null when not finite).</summary>
    public required double? RelativeResidual { get; init; }
    public required double Tolerance { get; init; }
    public required double Seconds { get; init; }
    public required double SetupSeconds { get; init; }
    /// <summary>Memory-traffic rate, BytesPerIteration * Iterations / Seconds / 1e9 (null when no iteration ran).</summary>
    public required double? Gbps { get; init; }
    public required long BytesPerIteration { get; init; }
    public required string Backend { get; init; }
    public required string Preconditioner { get; init; }
    public required string Source { get; init; }
    public required int N { get; init; }
    public required long Nnz { get; init; }
    /// <summary>max |x_i - 1| when b = A * ones; null when a right-hand side was given.</summary>
    public required double? ErrorVsOnes { get; init; }
    public required string Message { get; init; }
    public string? Out { get; init; }
    /// <summary>AMG hierarchy levels (finest first), when the preconditioner is AMG.</summary>
    public IReadOnlyList<Solvers.Linear.Multigrid.AmgLevelInfo>? Levels { get; init; }
    /// <summary>AMG operator complexity, when the preconditioner is AMG.</summary>
    public double? OperatorComplexity { get; init; }
    /// <summary>AMG grid complexity, when the preconditioner is AMG.</summary>
    public double? GridComplexity { get; init; }

    /// <summary>Adds the AMG hierarchy statistics when <paramref name="preconditioner"/> built one.</summary>
    public SolveSummary WithHierarchy(IPreconditioner preconditioner)
        => preconditioner is Solvers.Linear.Multigrid.AmgPreconditioner { LastHierarchy: { } h }
            ? this with { Levels = h.Levels, OperatorComplexity = h.OperatorComplexity, GridComplexity = h.GridComplexity }
            : this;
}

/// <summary><c>solvers solve</c>: loads or generates A, solves A x = b by CG, prints a summary.</summary>
internal static class SolveCommand
{
    /// <summary>Runs the command; returns the exit code (0 converged, 1 not converged, 2 bad input).</summary>
    public static int Run(SolveSettings s, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(s);
        try
        {
            return RunCore(s, stdout, stderr, cancellationToken);
        }
        catch (Exception e) when (CliHelpers.TryReportInputError(e, stderr, out int code))
        {
            return code;
        }
    }

    private static int RunCore(SolveSettings s, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        // Validate everything cheap before reading or generating a possibly large matrix.
        if (s.MatrixPath is { } m && m.StartsWith('-') && !File.Exists(m))
            throw new CliUsageException($"unrecognized option '{m}' (see 'solvers solve --help')");
        if (s.MatrixPath is null == s.Problem is null)
            throw new CliUsageException(s.MatrixPath is null
                ? "give a matrix file (solvers solve A.mtx) or --problem (e.g. --problem poisson2d:100)"
                : "give either a matrix file or --problem, not both");
        if (!(s.Tolerance >= 0) || !double.IsFinite(s.Tolerance))
            throw new CliUsageException($"--tol must be a non-negative number, got {s.Tolerance}");
        if (s.MaxIterations is < 0)
            throw new CliUsageException($"--maxit must be non-negative, got {s.MaxIterations}");
        var preconditioner = Preconditioners.Parse(s.Preconditioner);
        Backend.ParseKind(s.Backend, "--backend");
        if (s.Threads is < 1) throw new CliUsageException($"--threads must be at least 1, got {s.Threads}");
        if (s.RhsPath is not null) CliHelpers.RequireFile(s.RhsPath, "right-hand side");
        if (s.OutPath is not null && Directory.Exists(s.OutPath))
            throw new CliUsageException($"{s.OutPath}: --out names a directory, not a file");

        string source;
        CsrMatrix a;
        if (s.MatrixPath is not null)
        {
            a = CliHelpers.ReadMatrixFile(s.MatrixPath);
            source = s.MatrixPath;
        }
        else
        {
            a = CliHelpers.LoadProblem(s.Problem!, out source);
        }
        if (!a.IsSquare)
            throw new CliUsageException($"{source}: A is {a.Rows}x{a.Columns}; CG needs a square matrix");

        double[] b;
        if (s.RhsPath is not null)
        {
            b = MatrixMarket.ReadVector(s.RhsPath);
            if (b.Length != a.Rows)
                throw new CliUsageException($"{s.RhsPath}: b has length {b.Length} but A has {a.Rows} rows");
        }
        else
        {
            b = a.Multiply(Enumerable.Repeat(1.0, a.Columns).ToArray());
        }

        using var backend = CliHelpers.CreateBackend(s.Backend, s.Threads);
        var console = CliHelpers.ConsoleFor(stdout);
        bool live = !s.Json && CliHelpers.IsInteractiveTerminal(stdout);
        double bNorm = Norm2(b);
        var result = LiveProgress.Run(console, live, "CG", bNorm, progress =>
        {
            var options = new CgOptions
            {
                Tolerance = s.Tolerance,
                MaxIterations = s.MaxIterations,
                Preconditioner = preconditioner,
                Progress = progress,
                RecordHistory = false,
                CancellationToken = cancellationToken,
            };
            using var cg = new ConjugateGradient(options, backend);
            return cg.Solve(a, b);
        });

        if (s.OutPath is not null) MatrixMarket.WriteVector(s.OutPath, result.Solution);

        var summary = SolveSummary.From(result, s.Tolerance, source, a, onesReference: s.RhsPath is null).WithHierarchy(preconditioner) with { Out = s.OutPath };

        if (s.Json) CliHelpers.WriteJson(stdout, summary);
        else PrintSummary(console, summary);
        return result.Succeeded ? ExitCodes.Success : ExitCodes.NotConverged;
    }

    private static double Norm2(ReadOnlySpan<double> v)
    {
        double s = 0;
        foreach (double x in v) s += x * x;
        return Math.Sqrt(s);
    }

    /// <summary>Prints the human-readable summary of a solve.</summary>
    internal static void PrintSummary(IAnsiConsole console, SolveSummary r)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
        void Row(string k, string v) => grid.AddRow(new Text(k, new Style(decoration: Decoration.Bold)), new Markup(v));
        string color = r.Converged ? "green" : "red";
        Row("status", $"[{color}]{r.Status}[/]");
        Row("message", Markup.Escape(r.Message));
        Row("problem", Markup.Escape($"{r.Source}: n = {CliHelpers.N(r.N)}, nnz = {CliHelpers.N(r.Nnz)}"));
        Row("iterations", CliHelpers.N(r.Iterations));
        Row("relative residual", $"{CliHelpers.F(r.RelativeResidual ?? double.NaN, "0.000E+00")} (true, ||b - Ax|| / ||b||; tolerance {CliHelpers.F(r.Tolerance, "G3")})");
        if (r.ErrorVsOnes is { } e) Row("error vs ones", $"{CliHelpers.F(e, "0.000E+00")} (max |x_i - 1|; b = A * ones)");
        Row("solve time", $"{CliHelpers.F(r.Seconds, "F3")} s");
        Row("setup time", $"{CliHelpers.F(r.SetupSeconds, "F3")} s");
        Row("bandwidth", r.Gbps is { } g ? $"{CliHelpers.F(g, "F1")} GB/s ({CliHelpers.N(r.BytesPerIteration)} bytes/iteration, traffic lower bound)" : "n/a");
        Row("backend", Markup.Escape(r.Backend));
        Row("preconditioner", Markup.Escape(r.Preconditioner));
        if (r.Out is not null) Row("solution", Markup.Escape($"written to {r.Out}"));
        console.Write(grid);
        if (r.Levels is { } levels)
        {
            var table = new Table().Title("AMG hierarchy").AddColumn("level").AddColumn(new TableColumn("rows").RightAligned())
                .AddColumn(new TableColumn("nonzeros").RightAligned()).AddColumn(new TableColumn("nnz/row").RightAligned());
            for (int l = 0; l < levels.Count; l++)
                table.AddRow(l.ToString(System.Globalization.CultureInfo.InvariantCulture), CliHelpers.N(levels[l].Rows), CliHelpers.N(levels[l].NonZeros),
                    CliHelpers.F(levels[l].NonZeros / (double)Math.Max(1, levels[l].Rows), "F1"));
            table.Caption($"operator complexity {CliHelpers.F(r.OperatorComplexity ?? 0, "F3")}, grid complexity {CliHelpers.F(r.GridComplexity ?? 0, "F3")}");
            console.Write(table);
        }
    }
}
