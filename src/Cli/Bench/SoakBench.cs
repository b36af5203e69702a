using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Serialization;
using Solvers.Kernels;
using Solvers.Linear;
using Solvers.Linear.Multigrid;
using Solvers.Mfac;
using Solvers.Optimization;
using Solvers.Optimization.Problems;
using Solvers.Problems;
using Spectre.Console;

namespace Solvers.Cli.Bench;

/// <summary>What <c>solvers bench soak</c> was asked to do.</summary>
internal sealed record SoakSettings
{
    /// <summary>Consecutive solves after the warm-up round.</summary>
    public int Count { get; init; } = 1000;

    /// <summary>Allowed growth of the GC heap, the working set and the backend's live device memory, in MiB.</summary>
    public double BoundMiB { get; init; } = 16;

    /// <summary>The backend every solve runs on.</summary>
    public BackendKind Backend { get; init; } = BackendKind.Cpu;

    /// <summary>Solves before the first measurement (default two full cycles of kinds and sizes).</summary>
    public int WarmUp { get; init; } = SoakBench.WarmUp;

    /// <summary>Thread count of the backend; null for its default.</summary>
    public int? Threads { get; init; }
}

/// <summary>Memory at one point of the run.</summary>
internal sealed record SoakSample(
    [property: JsonPropertyName("solves")] int Solves,
    [property: JsonPropertyName("gcHeapBytes")] long GcHeapBytes,
    [property: JsonPropertyName("workingSetBytes")] long WorkingSetBytes,
    [property: JsonPropertyName("gcCommittedBytes")] long GcCommittedBytes,
    [property: JsonPropertyName("deviceBytes")] long? DeviceBytes);

/// <summary>Before, after and growth of one memory figure, against the bound.</summary>
internal sealed record SoakGrowth(
    [property: JsonPropertyName("beforeBytes")] long BeforeBytes,
    [property: JsonPropertyName("afterBytes")] long AfterBytes,
    [property: JsonPropertyName("growthBytes")] long GrowthBytes,
    [property: JsonPropertyName("withinBound")] bool WithinBound);

/// <summary>The result of <c>solvers bench soak</c>.</summary>
internal sealed record SoakResult
{
    [JsonPropertyName("backend")] public required string Backend { get; init; }
    [JsonPropertyName("count")] public required int Count { get; init; }
    [JsonPropertyName("warmUp")] public required int WarmUp { get; init; }
    [JsonPropertyName("seconds")] public required double Seconds { get; init; }
    [JsonPropertyName("boundBytes")] public required long BoundBytes { get; init; }
    [JsonPropertyName("gcHeap")] public required SoakGrowth GcHeap { get; init; }
    [JsonPropertyName("workingSet")] public required SoakGrowth WorkingSet { get; init; }
    /// <summary>The backend's live accelerator allocations (ILGPU backends); null on the CPU backend, whose vectors are in the GC heap.</summary>
    [JsonPropertyName("deviceMemory")] public required SoakGrowth? DeviceMemory { get; init; }
    [JsonPropertyName("solves")] public required IReadOnlyDictionary<string, int> Solves { get; init; }
    [JsonPropertyName("failures")] public required IReadOnlyList<string> Failures { get; init; }
    [JsonPropertyName("samples")] public required IReadOnlyList<SoakSample> Samples { get; init; }
    [JsonPropertyName("withinBound")] public required bool WithinBound { get; init; }
}

/// <summary>
/// <c>solvers bench soak</c>: many consecutive small solves of varying sizes on one backend (Jacobi- and AMG-PCG on
/// 2D Poisson, SOR, a sketched Newton solve of a Hock-Schittkowski problem, M-FAC products), with the GC heap
/// (after a full, compacting collection), the process working set and the backend's live device memory measured
/// after a warm-up round and at the end. A leak of per-solve state (undisposed device vectors, caches that grow
/// with every solve) shows up as growth beyond the bound.
/// </summary>
internal static class SoakBench
{
    /// <summary>The rotating solve kinds, in order.</summary>
    public static readonly string[] Kinds = ["cg-jacobi", "cg-amg", "sor", "sketched-newton", "mfac"];

    private static readonly string[] NewtonProblems = ["hs6", "hs28", "hs48", "hs7"];

    /// <summary>Grid sizes cycle through this many classes (8, 11, ..., 32).</summary>
    private const int SizeClasses = 9;

    /// <summary>Solves before the first measurement, by default.</summary>
    public const int WarmUp = 2 * SizeClasses * 5;

    /// <summary>Runs the soak; progress goes to <paramref name="log"/> every tenth of the run.</summary>
    public static SoakResult Run(SoakSettings settings, TextWriter log, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = settings.Threads is { } t ? new BackendOptions { MaxDegreeOfParallelism = t } : new BackendOptions();
        using var backend = Kernels.Backend.Create(settings.Backend, options);
        var counts = Kinds.ToDictionary(k => k, _ => 0);
        var failures = new List<string>();

        // Warm-up: one solve of every kind and size class, so that JIT-compiled code, kernel caches and pools the
        // first solves create legitimately are in place before the first measurement.
        // By default two full cycles of kinds and sizes (2 x 5 x 9 solves), so that tiered JIT compilation and the
        // GC's first region commits are behind the first measurement.
        for (int i = 0; i < settings.WarmUp; i++) Solve(backend, i, null, null);
        var before = Measure(0, backend);
        var samples = new List<SoakSample> { before };
        var clock = Stopwatch.StartNew();
        int step = Math.Max(1, settings.Count / 10);
        int done = 0;
        for (; done < settings.Count; done++)
        {
            cancel.ThrowIfCancellationRequested();
            Solve(backend, done, counts, failures);
            if ((done + 1) % step == 0 && done + 1 < settings.Count)
            {
                samples.Add(Measure(done + 1, backend));
                log.WriteLine($"soak: {done + 1}/{settings.Count} solves, GC heap {Mib(samples[^1].GcHeapBytes)} ({Mib(samples[^1].GcCommittedBytes)} committed), working set {Mib(samples[^1].WorkingSetBytes)}");
            }
        }
        double seconds = clock.Elapsed.TotalSeconds;
        var after = Measure(done, backend);
        samples.Add(after);

        long bound = (long)(settings.BoundMiB * (1 << 20));
        SoakGrowth Growth(long b, long a) => new(b, a, a - b, a - b < bound);
        var heap = Growth(before.GcHeapBytes, after.GcHeapBytes);
        var ws = Growth(before.WorkingSetBytes, after.WorkingSetBytes);
        var device = before.DeviceBytes is { } db && after.DeviceBytes is { } da ? Growth(db, da) : null;
        return new SoakResult
        {
            Backend = backend.Name,
            Count = done,
            WarmUp = settings.WarmUp,
            Seconds = seconds,
            BoundBytes = bound,
            GcHeap = heap,
            WorkingSet = ws,
            DeviceMemory = device,
            Solves = counts,
            Failures = failures,
            Samples = samples,
            WithinBound = heap.WithinBound && ws.WithinBound && (device?.WithinBound ?? true),
        };
    }

    private static SoakSample Measure(int solves, Backend backend)
    {
        backend.Synchronize();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        long heap = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return new SoakSample(solves, heap, process.WorkingSet64, GC.GetGCMemoryInfo().TotalCommittedBytes, backend.LiveDeviceBytes);
    }

    private static string Mib(long bytes) => (bytes / (double)(1 << 20)).ToString("F1", CultureInfo.InvariantCulture) + " MiB";

    /// <summary>Solve number <paramref name="i"/>: the kind rotates with i, the size with i / kinds.</summary>
    private static void Solve(Backend backend, int i, Dictionary<string, int>? counts, List<string>? failures)
    {
        string kind = Kinds[i % Kinds.Length];
        int round = i / Kinds.Length;
        int n = 8 + round % SizeClasses * 3; // grids from 8^2 to 32^2 unknowns
        SolverStatus status;
        string detail;
        switch (kind)
        {
            case "cg-jacobi":
            case "cg-amg":
            {
                var a = PdeProblems.Poisson2D(n);
                var b = Enumerable.Repeat(1.0, a.Rows).ToArray();
                IPreconditioner m = kind == "cg-amg" ? new AmgPreconditioner(new AmgOptions { MaxCoarseSize = 16 }) : Preconditioners.Jacobi;
                using var cg = new ConjugateGradient(new CgOptions { Preconditioner = m, Tolerance = 1e-8, RecordHistory = false }, backend);
                var r = cg.Solve(a, b);
                (status, detail) = (r.Status, $"poisson2d:{n}");
                break;
            }
            case "sor":
            {
                var a = PdeProblems.Poisson2D(n);
                var b = Enumerable.Repeat(1.0, a.Rows).ToArray();
                using var sor = new SorSolver(new SorOptions { Omega = SorParameters.OptimalOmega(Math.Cos(Math.PI / (n + 1))), Tolerance = 1e-8 }, backend);
                var r = sor.Solve(a, b);
                (status, detail) = (r.Status, $"poisson2d:{n}");
                break;
            }
            case "sketched-newton":
            {
                string name = NewtonProblems[round % NewtonProblems.Length];
                var r = new SketchedNewton(new SketchedNewtonOptions { Inner = InnerSolver.Minres, Seed = (ulong)i, MaxIterations = 200 })
                    .Solve(HockSchittkowski.Get(name));
                (status, detail) = (r.Status, name);
                break;
            }
            default:
            {
                int d = 256 * (1 + round % 8), m = 8;
                var g = new double[m * d];
                for (int k = 0; k < g.Length; k++) g[k] = Sketching.CounterRandom.Gaussian((ulong)i, (ulong)k);
                var x = new double[d];
                for (int k = 0; k < d; k++) x[k] = Math.Sin(k);
                var options = new MfacOptions { WindowSize = m, Lambda = 1e-2, Backend = backend };
                using var fisher = new StaticMfac<double>(g, d, options);
                var y = new double[d];
                fisher.InverseTimes(x, y);
                using var window = new SlidingMfac<double>(d, options with { WindowSize = 4 });
                for (int k = 0; k < m; k++) window.Push(g.AsSpan(k * d, d));
                var z = new double[d];
                window.InverseTimes(x, z);
                bool finite = y.All(double.IsFinite) && z.All(double.IsFinite);
                (status, detail) = (finite ? SolverStatus.Converged : SolverStatus.NonFinite, $"d = {d}, m = {m}");
                break;
            }
        }
        if (counts is not null) counts[kind]++;
        if (status != SolverStatus.Converged) failures?.Add($"solve {i} ({kind}, {detail}): {status}");
    }

    /// <summary>Prints the result as Spectre tables.</summary>
    public static void PrintTables(SoakResult r)
    {
        var inv = CultureInfo.InvariantCulture;
        var t = new Table().Title(Markup.Escape($"soak: {r.Count} solves on {r.Backend} in {r.Seconds.ToString("F1", inv)} s, bound {Mib(r.BoundBytes)}"))
            .AddColumn("memory").AddColumn(new TableColumn("before").RightAligned()).AddColumn(new TableColumn("after").RightAligned())
            .AddColumn(new TableColumn("growth").RightAligned()).AddColumn("within bound");
        void Row(string name, SoakGrowth? g)
        {
            if (g is null) t.AddRow(name, "-", "-", "-", "n/a");
            else t.AddRow(name, Mib(g.BeforeBytes), Mib(g.AfterBytes), Markup.Escape(Mib(g.GrowthBytes)), g.WithinBound ? "yes" : "[red]NO[/]");
        }
        Row("GC heap (after full GC)", r.GcHeap);
        Row("working set", r.WorkingSet);
        Row("device (live allocations)", r.DeviceMemory);
        AnsiConsole.Write(t);
        var s = new Table().AddColumn("solve kind").AddColumn(new TableColumn("count").RightAligned());
        foreach (var (kind, count) in r.Solves) s.AddRow(kind, count.ToString(inv));
        AnsiConsole.Write(s);
        foreach (var f in r.Failures.Take(10)) AnsiConsole.MarkupLine("[red]" + Markup.Escape(f) + "[/]");
        AnsiConsole.MarkupLine(r.WithinBound && r.Failures.Count == 0 ? "[green]within bound[/]" : "[red]bound exceeded or solves failed[/]");
    }
}
