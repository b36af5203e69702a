using Solvers.Cli.Bench;
using Solvers.Linear;
using Solvers.Problems;
using Spectre.Console;

namespace Solvers.Cli.Commands;

/// <summary>What <c>solvers demo</c> was asked to do.</summary>
internal sealed record DemoSettings
{
    /// <summary>Grid points per direction: the problem has Size^2 unknowns (default 1000: 10^6 unknowns).</summary>
    public int Size { get; init; } = 1000;

    /// <summary>Iteration cap of the MathNet baseline, so the demo ends in a minute or two on small machines.</summary>
    public int MathNetMaxIterations { get; init; } = DemoCommand.DefaultMathNetMaxIterations;

    /// <summary>Skip the MathNet baseline.</summary>
    public bool NoMathNet { get; init; }

    /// <summary>Backend name (default auto, which honours SOLVERS_BACKEND).</summary>
    public string Backend { get; init; } = "auto";

    /// <summary>CPU threads; null for all processors.</summary>
    public int? Threads { get; init; }
}

/// <summary>
/// <c>solvers demo</c>: 2D Poisson with 10^6 unknowns, b = A * ones, Jacobi-PCG to 1e-8, then MathNet.Numerics
/// on the same system (capped), side by side.
/// </summary>
internal static class DemoCommand
{
    public const double Tolerance = 1e-8;

    /// <summary>
    /// Default cap of the MathNet baseline. On 2 cores MathNet's BiCGStab takes about 0.14 s per iteration at 10^6
    /// unknowns and needs about 1,430 iterations to reach 1e-8 (over 3 minutes); 500 keeps the whole demo near a minute
    /// and a half, and the output then compares at equal accuracy.
    /// </summary>
    public const int DefaultMathNetMaxIterations = 500;

    /// <summary>Runs the demo; returns 0 when our solve converged, 1 when not, 2 on bad input.</summary>
    public static int Run(DemoSettings s, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(s);
        try
        {
            return RunCore(s, stdout, cancellationToken);
        }
        catch (Exception e) when (CliHelpers.TryReportInputError(e, stderr, out int code))
        {
            return code;
        }
    }

    private static int RunCore(DemoSettings s, TextWriter stdout, CancellationToken cancellationToken)
    {
        if (s.Size < 1) throw new CliUsageException($"--size must be at least 1, got {s.Size}");
        if (s.MathNetMaxIterations < 1)
            throw new CliUsageException($"--mathnet-max-iterations must be at least 1, got {s.MathNetMaxIterations}");
        var console = CliHelpers.ConsoleFor(stdout);
        bool live = CliHelpers.IsInteractiveTerminal(stdout);

        var a = PdeProblems.Poisson2D(s.Size);
        var b = a.Multiply(Enumerable.Repeat(1.0, a.Columns).ToArray());
        double bNorm = Math.Sqrt(b.Sum(v => v * v));
        using var backend = CliHelpers.CreateBackend(s.Backend, s.Threads);

        console.MarkupLine($"[bold]2D Poisson[/], {s.Size} x {s.Size} grid: n = {CliHelpers.N(a.Rows)} unknowns, nnz = {CliHelpers.N(a.NonZeros)}.");
        console.MarkupLine("b = A * ones, so the exact solution is x = ones.");
        console.MarkupLine(Markup.Escape($"Jacobi-preconditioned CG to relative residual {Tolerance:G1} on {backend.Name}..."));

        var result = LiveProgress.Run(console, live, "Jacobi-PCG", bNorm, progress =>
        {
            var options = new CgOptions
            {
                Tolerance = Tolerance,
                Preconditioner = Preconditioners.Jacobi,
                Progress = progress,
                RecordHistory = true, // to find when we reached the residual MathNet ends with
                CancellationToken = cancellationToken,
            };
            using var cg = new ConjugateGradient(options, backend);
            return cg.Solve(a, b);
        });

        double ours = (result.Elapsed + result.SetupElapsed).TotalSeconds;
        var summary = SolveSummary.From(result, Tolerance, $"poisson2d:{s.Size}", a, onesReference: true);
        SolveCommand.PrintSummary(console, summary);
        console.WriteLine();

        if (!s.NoMathNet)
        {
            console.MarkupLine(Markup.Escape(
                $"Baseline: MathNet.Numerics on the same system (it has no CG; its BiCGStab with the Diagonal preconditioner, " +
                $"stopped by the same 2-norm criterion), capped at {s.MathNetMaxIterations} iterations so the demo stays short..."));
            var mn = Comparisons.RunMathNetBaseline(a, b, Tolerance, s.MathNetMaxIterations, TextWriter.Null);
            PrintComparison(console, s, result, ours, mn, bNorm);
        }

        // The same system with AMG: the preconditioner a PDE code would pick.
        console.WriteLine();
        console.MarkupLine(Markup.Escape($"Smoothed-aggregation AMG-PCG (W-cycle) on the same system, {backend.Name}..."));
        LinearSolveResult amg;
        using (var cg = new ConjugateGradient(new CgOptions
               {
                   Tolerance = Tolerance, Preconditioner = Preconditioners.Amg, RecordHistory = false, CancellationToken = cancellationToken,
               }, backend))
            amg = cg.Solve(a, b);
        double amgSeconds = (amg.Elapsed + amg.SetupElapsed).TotalSeconds;
        console.MarkupLine(Markup.Escape(
            $"AMG-PCG: {amg.Status}, {amg.Iterations} iterations, {amgSeconds:F3} s ({amg.SetupElapsed.TotalSeconds:F3} s setup) " +
            $"against Jacobi-PCG's {result.Iterations} iterations and {ours:F3} s: {ours / amgSeconds:F1}x faster."));

        // Learning SOR's omega across a sequence of systems, as a time loop would.
        console.WriteLine();
        const int steps = 300;
        console.MarkupLine(Markup.Escape($"Learning SOR's omega over {steps} shifted-Laplacian systems A + c_t I (ChebCB, context c_t)..."));
        var tuning = SorTuning.Run("shifted-laplacian", steps, "chebcb", 0, Solvers.Learning.SequenceMethod.Sor, 10, null, TextWriter.Null,
            cancel: cancellationToken);
        console.MarkupLine(Markup.Escape(
            $"ChebCB: {tuning.TotalIterations:N0} SOR iterations in all; best fixed omega in hindsight ({tuning.BestFixedOmega:F2}): " +
            $"{tuning.BestFixedTotalIterations:N0}; Gauss-Seidel: {tuning.GaussSeidelTotalIterations:N0}. " +
            $"More with: solvers tune-sor --steps 5000."));

        // PDE-constrained optimization: optimal control on a 64 x 64 grid by the sketched Newton method.
        console.WriteLine();
        console.MarkupLine("Optimal control, 64 x 64 grid: min 1/2||w - w_target||^2 + alpha/2||z||^2 s.t. -Laplace w = z (sketched Newton, MINRES inner)...");
        var control = new Solvers.Optimization.SketchedNewton(new Solvers.Optimization.SketchedNewtonOptions
        {
            Inner = Solvers.Optimization.InnerSolver.Minres, CancellationToken = cancellationToken,
        }).Solve(new Solvers.Optimization.Problems.OptimalControl2D(64));
        console.MarkupLine(Markup.Escape(
            $"Sketched Newton: {control.Status}, f = {control.Objective:G8}, KKT residual {control.KktResidual:E2}, {control.Iterations} Newton and " +
            $"{control.InnerIterations:N0} MINRES iterations, {control.Elapsed.TotalSeconds:F2} s. More with: solvers bench newton."));

        // A two-layer ReLU network trained to global optimality over sampled patterns, on planted data.
        console.WriteLine();
        console.MarkupLine("Two-layer ReLU network by its convex reformulation (ADMM), 400 samples from a planted network, 8 features, 32 patterns...");
        var (rx, ry) = ReluBench.Planted(400, 8, 11);
        var relu = Solvers.Relu.ConvexReluNetwork.Fit(rx, ry, new Solvers.Relu.ConvexReluOptions { Patterns = 32, Beta = 0.1, CancellationToken = cancellationToken });
        console.MarkupLine(Markup.Escape(
            $"ADMM: {relu.Report.Status}, {relu.Report.Iterations} iterations, {(relu.Report.SetupElapsed + relu.Report.Elapsed).TotalSeconds:F2} s; convex objective " +
            $"{relu.Report.ConvexObjective:G6} = network objective {relu.Report.NetworkObjective:G6} (the certificate), {relu.Report.Neurons} neurons. " +
            "More with: solvers train-relu --data FILE."));

        // M-FAC: the inverse empirical Fisher of 64 gradients as long as the Poisson system, applied matrix-free.
        console.WriteLine();
        int dimension = s.Size * s.Size;
        console.MarkupLine(Markup.Escape($"M-FAC: F^-1 x with the damped empirical Fisher of 64 gradients of dimension {dimension:N0} (double), against MathNet's Woodbury product..."));
        var mfac = MfacBench.Run(dimension, 64, single: false, s.Threads ?? Environment.ProcessorCount, mathnet: true, TextWriter.Null);
        console.MarkupLine(Markup.Escape(
            $"M-FAC: set-up {mfac.SetupSeconds:F2} s; F^-1 x {mfac.IhvpSeconds * 1e3:F2} ms, {mfac.RatioToMemoryBound:F2}x its memory bound " +
            $"(STREAM {mfac.StreamGBps:F1} GB/s), {mfac.SpeedupOverMathnet:F1}x faster than MathNet (max relative difference " +
            $"{mfac.MathnetMaxRelativeDifference:E1}). More with: solvers mfac-bench, solvers bench mfac."));
        return result.Succeeded && amg.Succeeded && control.Succeeded ? ExitCodes.Success : ExitCodes.NotConverged;
    }

    private static void PrintComparison(IAnsiConsole console, DemoSettings s, LinearSolveResult r, double ours, MathNetRun mn, double bNorm)
    {
        var table = new Table()
            .AddColumn("")
            .AddColumn(new TableColumn("Solvers: Jacobi-PCG").RightAligned())
            .AddColumn(new TableColumn(Markup.Escape($"MathNet: {mn.Solver}+Diagonal")).RightAligned());
        void Row(string k, string x, string y) => table.AddRow(Markup.Escape(k), Markup.Escape(x), Markup.Escape(y));
        Row("status", r.Status.ToString(), mn.Converged ? "Converged" : $"not converged (cap {s.MathNetMaxIterations})");
        Row("iterations", CliHelpers.N(r.Iterations), CliHelpers.N(mn.Iterations));
        Row("relative residual (true)", CliHelpers.F(r.RelativeResidual, "0.00E+00"), CliHelpers.F(mn.RelativeResidual, "0.00E+00"));
        Row("seconds (setup + solve)", CliHelpers.F(ours, "F2"), CliHelpers.F(mn.Seconds, "F2"));
        Row("backend", r.Backend, "managed");
        console.Write(table);

        double ratio = mn.Seconds / ours;
        if (mn.Converged)
        {
            console.MarkupLine(Markup.Escape(
                $"Speed ratio (MathNet seconds / Solvers seconds, both converged to {Tolerance:G1}): {CliHelpers.F(ratio, "F1")}x."));
            return;
        }

        console.MarkupLine(Markup.Escape(
            $"MathNet was capped at {s.MathNetMaxIterations} iterations (--mathnet-max-iterations) and stopped with relative residual " +
            $"{CliHelpers.F(mn.RelativeResidual, "0.00E+00")}, short of {Tolerance:G1}; it would need more time to converge, so the ratio " +
            $"{CliHelpers.F(ratio, "F1")}x (its capped time over our full solve) is a lower bound on the speed-up."));
        // A like-for-like figure: how long our solve took to reach the residual MathNet stopped at.
        if (double.IsFinite(mn.RelativeResidual) && bNorm > 0)
        {
            var reached = r.History.FirstOrDefault(h => h.ResidualNorm <= mn.RelativeResidual * bNorm);
            if (reached.Iteration > 0)
            {
                double t = (reached.Elapsed + r.SetupElapsed).TotalSeconds;
                console.MarkupLine(Markup.Escape(
                    $"At equal accuracy: Solvers reached MathNet's final residual {CliHelpers.F(mn.RelativeResidual, "0.00E+00")} after " +
                    $"{CliHelpers.N(reached.Iteration)} iterations in {CliHelpers.F(t, "F2")} s, {CliHelpers.F(mn.Seconds / t, "F1")}x faster."));
            }
        }
    }
}
