using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Solvers.Kernels;
using Solvers.Linear;
using Solvers.Sparse;
using Spectre.Console;

namespace Solvers.Cli.Bench;

/// <summary>SpMV effective bandwidth against STREAM, measured in one process run.</summary>
public sealed record SpmvBenchResult
{
    [JsonPropertyName("problem")] public required string Problem { get; init; }
    [JsonPropertyName("n")] public required int N { get; init; }
    [JsonPropertyName("nnz")] public required int Nnz { get; init; }
    [JsonPropertyName("backend")] public required string Backend { get; init; }
    [JsonPropertyName("threads")] public required int Threads { get; init; }
    [JsonPropertyName("streamGBps")] public required double StreamGBps { get; init; }
    [JsonPropertyName("spmvSeconds")] public required double SpmvSeconds { get; init; }
    [JsonPropertyName("spmvBytes")] public required long SpmvBytes { get; init; }
    [JsonPropertyName("spmvGBps")] public required double SpmvGBps { get; init; }
    [JsonPropertyName("spmvOverStream")] public double SpmvOverStream => SpmvGBps / StreamGBps;
    [JsonPropertyName("mathnetSpmvSeconds")] public required double MathNetSpmvSeconds { get; init; }
    [JsonPropertyName("speedupOverMathNet")] public double SpeedupOverMathNet => MathNetSpmvSeconds / SpmvSeconds;
}

/// <summary>Jacobi-PCG against MathNet's iterative solvers and against the memory-traffic lower bound.</summary>
public sealed record CgBenchResult
{
    [JsonPropertyName("problem")] public required string Problem { get; init; }
    [JsonPropertyName("n")] public required int N { get; init; }
    [JsonPropertyName("nnz")] public required int Nnz { get; init; }
    [JsonPropertyName("backend")] public required string Backend { get; init; }
    [JsonPropertyName("threads")] public required int Threads { get; init; }
    [JsonPropertyName("tolerance")] public required double Tolerance { get; init; }
    [JsonPropertyName("streamGBps")] public required double StreamGBps { get; init; }
    [JsonPropertyName("cgStatus")] public required string CgStatus { get; init; }
    [JsonPropertyName("cgSeconds")] public required double CgSeconds { get; init; }
    [JsonPropertyName("cgSetupSeconds")] public required double CgSetupSeconds { get; init; }
    [JsonPropertyName("cgIterations")] public required int CgIterations { get; init; }
    [JsonPropertyName("cgRelativeResidual")] public required double CgRelativeResidual { get; init; }
    [JsonPropertyName("bytesPerIteration")] public required long BytesPerIteration { get; init; }
    [JsonPropertyName("cgLowerBoundSeconds")] public required double CgLowerBoundSeconds { get; init; }
    [JsonPropertyName("iterationOverLowerBound")] public double IterationOverLowerBound => CgIterationSeconds / (CgLowerBoundSeconds / Math.Max(1, CgIterations));
    [JsonPropertyName("cgIterationSeconds")] public required double CgIterationSeconds { get; init; }
    [JsonPropertyName("cgGBps")] public double CgGBps => BytesPerIteration / CgIterationSeconds / 1e9;
    [JsonPropertyName("mathnetSolver")] public string? MathNetSolver { get; init; }
    [JsonPropertyName("mathnetSeconds")] public double? MathNetSeconds { get; init; }
    [JsonPropertyName("mathnetIterations")] public int? MathNetIterations { get; init; }
    [JsonPropertyName("mathnetRelativeResidual")] public double? MathNetRelativeResidual { get; init; }
    [JsonPropertyName("speedupOverMathNet")] public double? SpeedupOverMathNet => MathNetSeconds / CgSeconds;
    [JsonPropertyName("mathnetRuns")] public IReadOnlyList<MathNetRun> MathNetRuns { get; init; } = [];
}

/// <summary>
/// The side-by-side figures of docs/benchmarks.md: every ratio is ours against a baseline (STREAM, MathNet)
/// measured in the same process run, on the same threads.
/// </summary>
/// <summary>Result of <c>solvers bench sor</c>.</summary>
public sealed record SorBenchResult
{
    [JsonPropertyName("problem")] public required string Problem { get; init; }
    [JsonPropertyName("n")] public required int N { get; init; }
    [JsonPropertyName("nnz")] public required int Nnz { get; init; }
    [JsonPropertyName("backend")] public required string Backend { get; init; }
    [JsonPropertyName("threads")] public required int Threads { get; init; }
    [JsonPropertyName("colors")] public required int Colors { get; init; }
    [JsonPropertyName("streamGBps")] public required double StreamGBps { get; init; }
    [JsonPropertyName("sweepBytes")] public required long SweepBytes { get; init; }
    [JsonPropertyName("naturalSweepSeconds")] public double? NaturalSweepSeconds { get; init; }
    [JsonPropertyName("naturalRowsPerSecond")] public double? NaturalRowsPerSecond => N / NaturalSweepSeconds;
    [JsonPropertyName("naturalGBps")] public double? NaturalGBps => SweepBytes / NaturalSweepSeconds / 1e9;
    [JsonPropertyName("naturalOverStream")] public double? NaturalOverStream => NaturalGBps / StreamGBps;
    [JsonPropertyName("multicolorSweepSeconds")] public required double MulticolorSweepSeconds { get; init; }
    [JsonPropertyName("multicolorRowsPerSecond")] public double MulticolorRowsPerSecond => N / MulticolorSweepSeconds;
    [JsonPropertyName("multicolorGBps")] public double MulticolorGBps => SweepBytes / MulticolorSweepSeconds / 1e9;
    [JsonPropertyName("multicolorOverStream")] public double MulticolorOverStream => MulticolorGBps / StreamGBps;
}

public static class Comparisons
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Creates the backend a benchmark runs on: <paramref name="kind"/> with <paramref name="threads"/> CPU threads.</summary>
    public static Backend CreateBackend(BackendKind kind, int threads)
        => Backend.Create(kind, new BackendOptions { MaxDegreeOfParallelism = threads });

    /// <summary>STREAM triad bandwidth (GB/s) of <paramref name="backend"/>.</summary>
    public static double StreamTriadGBps(Backend backend, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(log);
        log.WriteLine($"STREAM triad on {backend.Name}...");
        double gbps = StreamTriad.MeasureGBps(backend, StreamTriad.DefaultElements(backend));
        log.WriteLine($"  {gbps:F2} GB/s");
        return gbps;
    }

    /// <summary>STREAM triad bandwidth (GB/s) of the CPU backend with <paramref name="threads"/> threads.</summary>
    public static double StreamTriadGBps(int threads, TextWriter log)
    {
        using var backend = CreateBackend(BackendKind.Cpu, threads);
        return StreamTriadGBps(backend, log);
    }

    /// <summary>CSR SpMV on a backend (the CPU one by default) against its STREAM triad and against MathNet's sparse product.</summary>
    public static SpmvBenchResult RunSpmv(CsrMatrix a, string problemName, int threads, TextWriter log, BackendKind kind = BackendKind.Cpu)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(log);
        using var backend = CreateBackend(kind, threads);
        using var da = backend.Upload(a);
        using var x = backend.Upload(Enumerable.Repeat(1.0, a.Columns).ToArray());
        using var y = backend.Allocate(a.Rows);
        // Bytes of one SpMV: the matrix once, x once (neighbours reused from cache), y written once.
        long bytes = da.MatrixBytes + 8L * a.Columns + 8L * a.Rows;
        log.WriteLine($"SpMV {problemName} on {backend.Name}: n = {a.Rows}, nnz = {a.NonZeros}, {bytes / 1e6:F1} MB per product");
        double stream = 0, best = double.MaxValue;
        // Shared machines drift: alternate the two measurements and keep the best of each.
        for (int round = 0; round < Rounds; round++)
        {
            stream = Math.Max(stream, StreamTriad.MeasureGBps(backend, StreamTriad.DefaultElements(backend)));
            // Ten products per sample, then one synchronisation: a GPU product takes tens of microseconds, as
            // long as the launch-and-wait latency that timing a single call would add.
            best = Math.Min(best, BestOf(() =>
            {
                for (int k = 0; k < SpmvBatch; k++) backend.Sparse.Multiply(da, x, y);
                backend.Synchronize();
            }, minSeconds: 0.5) / SpmvBatch);
        }
        log.WriteLine($"  STREAM triad {stream:F2} GB/s; SpMV {best * 1e3:F3} ms, {bytes / best / 1e9:F2} GB/s ({bytes / best / 1e9 / stream:P0} of STREAM)");

        var m = a.ToMathNet();
        var mx = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense(a.Columns, 1.0);
        var my = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense(a.Rows);
        double mathnet = BestOf(() => m.Multiply(mx, my), minSeconds: 1.0);
        log.WriteLine($"  MathNet SparseMatrix.Multiply: {mathnet * 1e3:F3} ms");
        return new SpmvBenchResult
        {
            Problem = problemName, N = a.Rows, Nnz = a.NonZeros, Backend = backend.Name, Threads = threads,
            StreamGBps = stream, SpmvSeconds = best, SpmvBytes = bytes, SpmvGBps = bytes / best / 1e9,
            MathNetSpmvSeconds = mathnet,
        };
    }

    /// <summary>SOR sweep throughput on a backend against its STREAM triad, in both row orderings.</summary>
    public static SorBenchResult RunSor(CsrMatrix a, string problemName, int threads, TextWriter log, BackendKind kind = BackendKind.Cpu)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(log);
        using var backend = CreateBackend(kind, threads);
        using var da = backend.Upload(a);
        using var b = backend.Upload(Enumerable.Repeat(1.0, a.Rows).ToArray());
        using var x = backend.Allocate(a.Rows);
        using var inv = backend.Upload(a.Diagonal());
        backend.Blas.Reciprocal(inv);
        var coloring = GraphColoring.Greedy(a);
        using var dc = backend.Sor.UploadColoring(coloring);
        // Bytes of one sweep: the matrix once, b and the inverse diagonal read, x read and written.
        long bytes = da.MatrixBytes + 32L * a.Rows;
        log.WriteLine($"SOR sweeps {problemName} on {backend.Name}: n = {a.Rows}, {coloring.Colors} colors, {bytes / 1e6:F1} MB per sweep");
        double stream = 0, natural = double.MaxValue, multicolor = double.MaxValue;
        for (int round = 0; round < Rounds; round++)
        {
            stream = Math.Max(stream, StreamTriad.MeasureGBps(backend, StreamTriad.DefaultElements(backend)));
            if (backend.Kind == BackendKind.Cpu)
                natural = Math.Min(natural, BestOf(() => backend.Sor.SweepSequential(da, inv, b, x, 1.5, backward: false), minSeconds: 0.5));
            multicolor = Math.Min(multicolor, BestOf(() =>
            {
                backend.Sor.SweepMulticolor(da, inv, dc, b, x, 1.5, backward: false);
                backend.Synchronize();
            }, minSeconds: 0.5));
        }
        log.WriteLine($"  STREAM {stream:F2} GB/s; natural sweep {natural * 1e3:F3} ms; multicolor sweep {multicolor * 1e3:F3} ms");
        return new SorBenchResult
        {
            Problem = problemName, N = a.Rows, Nnz = a.NonZeros, Backend = backend.Name, Threads = threads, Colors = coloring.Colors,
            StreamGBps = stream, SweepBytes = bytes,
            NaturalSweepSeconds = natural == double.MaxValue ? null : natural, MulticolorSweepSeconds = multicolor,
        };
    }

    /// <summary>Wall-clock budget of each MathNet solver in <see cref="RunCg"/>: past it the solver counts as not converged.</summary>
    public static TimeSpan MathNetTimeBudget { get; set; } = TimeSpan.FromSeconds(90);

    private const int SpmvBatch = 10;

    /// <summary>Alternating rounds of each measurement in the comparisons.</summary>
    private const int Rounds = 3;

    /// <summary>
    /// Jacobi-PCG (b = A ones) on a backend (the CPU one by default), timed as a whole solve (setup included), against the fastest of
    /// MathNet's iterative solvers with its Diagonal preconditioner to the same 2-norm tolerance.
    /// </summary>
    public static CgBenchResult RunCg(CsrMatrix a, string problemName, int threads, double tolerance, bool runMathNet, TextWriter log,
        IReadOnlyList<string>? mathnetSolvers = null, BackendKind kind = BackendKind.Cpu)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(log);
        using var backend = CreateBackend(kind, threads);
        var b = a.Multiply(Enumerable.Repeat(1.0, a.Columns).ToArray());
        var options = new CgOptions { Tolerance = tolerance, Preconditioner = Preconditioners.Jacobi, RecordHistory = false };
        using var cg = new ConjugateGradient(options, backend);
        // One warm-up solve so that JIT compilation is not timed; then alternate STREAM and a solve, keeping the best of each.
        cg.Solve(a, b);
        LinearSolveResult? best = null;
        double stream = 0;
        for (int round = 0; round < Rounds; round++)
        {
            stream = Math.Max(stream, StreamTriad.MeasureGBps(backend, StreamTriad.DefaultElements(backend)));
            var r = cg.Solve(a, b);
            if (best is null || r.Elapsed + r.SetupElapsed < best.Elapsed + best.SetupElapsed) best = r;
        }
        log.WriteLine($"STREAM triad on {backend.Name}: {stream:F2} GB/s");
        var res = best!;
        double cgSeconds = (res.Elapsed + res.SetupElapsed).TotalSeconds;
        double lower = (double)res.BytesPerIteration * res.Iterations / (stream * 1e9);
        log.WriteLine($"Jacobi-PCG {problemName}: {res.Status}, {res.Iterations} iterations, {cgSeconds:F3} s, relative residual {res.RelativeResidual:E2}");
        log.WriteLine($"  per iteration {res.Elapsed.TotalSeconds / res.Iterations * 1e3:F3} ms; lower bound {lower / res.Iterations * 1e3:F3} ms ({res.BytesPerIteration / 1e6:F1} MB at {stream:F1} GB/s)");

        var runs = new List<MathNetRun>();
        if (runMathNet)
        {
            foreach (string name in mathnetSolvers ?? MathNetBaseline.SolverNames)
            {
                log.WriteLine($"MathNet {name} + Diagonal...");
                var run = MathNetBaseline.Run(name, a, b, tolerance, maxIterations: Math.Max(10 * res.Iterations, 1000), timeBudget: MathNetTimeBudget);
                log.WriteLine($"  {run.Status}, {run.Iterations} iterations, {run.Seconds:F3} s, relative residual {run.RelativeResidual:E2}");
                runs.Add(run);
            }
        }
        var fastest = runs.Where(r => r.Converged).OrderBy(r => r.Seconds).FirstOrDefault();
        return new CgBenchResult
        {
            Problem = problemName, N = a.Rows, Nnz = a.NonZeros, Backend = backend.Name, Threads = threads, Tolerance = tolerance,
            StreamGBps = stream, CgStatus = res.Status.ToString(), CgSeconds = cgSeconds, CgSetupSeconds = res.SetupElapsed.TotalSeconds,
            CgIterations = res.Iterations, CgRelativeResidual = res.RelativeResidual, BytesPerIteration = res.BytesPerIteration,
            CgLowerBoundSeconds = lower, CgIterationSeconds = res.Elapsed.TotalSeconds / Math.Max(1, res.Iterations),
            MathNetSolver = fastest?.Solver, MathNetSeconds = fastest?.Seconds, MathNetIterations = fastest?.Iterations,
            MathNetRelativeResidual = fastest?.RelativeResidual, MathNetRuns = runs,
        };
    }

    /// <summary>MathNet's BiCGStab with its Diagonal preconditioner on A x = b, for the demo's comparison line.</summary>
    public static MathNetRun RunMathNetBaseline(CsrMatrix a, double[] b, double tolerance, int maxIterations, TextWriter log)
    {
        log.WriteLine($"MathNet BiCgStab + Diagonal (at most {maxIterations} iterations)...");
        return MathNetBaseline.Run("BiCgStab", a, b, tolerance, maxIterations);
    }

    /// <summary>Writes a result as one indented JSON object.</summary>
    public static void WriteJson(object result, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine(JsonSerializer.Serialize(result, result.GetType(), Json));
    }

    /// <summary>Prints a result as a two-column Spectre table.</summary>
    public static void PrintTable(object result)
    {
        var table = new Table().AddColumn("figure").AddColumn(new TableColumn("value").RightAligned());
        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(result, result.GetType(), Json));
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (p.Value.ValueKind == JsonValueKind.Array) continue;
            string text = p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetDouble(out double d) ? Format(d) : p.Value.ToString();
            table.AddRow(Markup.Escape(p.Name), Markup.Escape(text));
        }
        AnsiConsole.Write(table);
    }

    private static string Format(double d) => d == Math.Floor(d) && Math.Abs(d) < 1e15 ? d.ToString("F0") : Math.Abs(d) < 1e-3 ? d.ToString("E3") : d.ToString("G5");

    /// <summary>Best time per call over repeated calls for at least <paramref name="minSeconds"/>.</summary>
    private static double BestOf(Action action, double minSeconds)
    {
        action();
        double best = double.MaxValue;
        var total = Stopwatch.StartNew();
        int reps = 0;
        while (total.Elapsed.TotalSeconds < minSeconds || reps < 5)
        {
            var sw = Stopwatch.StartNew();
            action();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
            reps++;
        }
        return best;
    }
}
