using System.Diagnostics;
using System.Numerics;
using System.Text.Json.Serialization;
using Solvers.Relu;
using Solvers.Sketching;
using Spectre.Console;

namespace Solvers.Cli.Bench;

/// <summary>One configuration of <c>solvers bench relu</c>.</summary>
internal sealed record ReluIterationRow
{
    [JsonPropertyName("n")] public required int N { get; init; }
    [JsonPropertyName("d")] public required int D { get; init; }
    [JsonPropertyName("patterns")] public required int Patterns { get; init; }
    [JsonPropertyName("iterations")] public required int Iterations { get; init; }
    [JsonPropertyName("secondsPerIteration")] public required double SecondsPerIteration { get; init; }
    [JsonPropertyName("setupSeconds")] public required double SetupSeconds { get; init; }
    [JsonPropertyName("flopsPerIteration")] public required double FlopsPerIteration { get; init; }
    [JsonPropertyName("bytesPerIteration")] public required double BytesPerIteration { get; init; }
    [JsonPropertyName("lowerBoundSeconds")] public required double LowerBoundSeconds { get; init; }
    [JsonPropertyName("ratioToBound")] public required double RatioToBound { get; init; }
    [JsonPropertyName("linearSolver")] public required string LinearSolver { get; init; }
}

/// <summary>Everything <c>solvers bench relu</c> measured.</summary>
internal sealed record ReluBenchResult
{
    [JsonPropertyName("threads")] public required int Threads { get; init; }
    [JsonPropertyName("streamGBps")] public required double StreamGBps { get; init; }
    [JsonPropertyName("peakGflops")] public required double PeakGflops { get; init; }
    [JsonPropertyName("rows")] public required IReadOnlyList<ReluIterationRow> Rows { get; init; }
    [JsonPropertyName("gapProblem")] public required string GapProblem { get; init; }
    [JsonPropertyName("gapIterationsRun")] public required int GapIterationsRun { get; init; }
    [JsonPropertyName("gapStatus")] public required string GapStatus { get; init; }
    [JsonPropertyName("optimalObjective")] public required double OptimalObjective { get; init; }
    [JsonPropertyName("secondsToGap1e4")] public required double? SecondsToGap { get; init; }
    [JsonPropertyName("iterationsToGap1e4")] public required int? IterationsToGap { get; init; }
}

/// <summary>
/// <c>solvers bench relu</c>: time per ADMM iteration against the iteration's arithmetic and memory lower bound
/// (peak FMA rate and STREAM measured in the same run), its scaling with n and P, and the time to a 1e-4 relative
/// objective gap.
/// </summary>
internal static class ReluBench
{
    /// <summary>Planted two-neuron data, n x d, from the counter-based generator.</summary>
    public static (double[,] X, double[] Y) Planted(int n, int d, ulong seed)
    {
        var x = new double[n, d];
        var y = new double[n];
        for (int k = 0; k < n; k++)
        {
            double a = 0, b = 0;
            for (int c = 0; c < d; c++)
            {
                x[k, c] = CounterRandom.Gaussian(seed, (ulong)k * (ulong)d + (ulong)c);
                a += x[k, c] * (c % 2 == 0 ? 1 : -0.5);
                b += x[k, c] * (c % 3 == 0 ? 0.7 : 0.2);
            }
            y[k] = Math.Max(0, a) - Math.Max(0, b) + 0.1 * CounterRandom.Gaussian(seed + 1, (ulong)k);
        }
        return (x, y);
    }

    /// <summary>Double-precision FMA throughput of this machine with <paramref name="threads"/> threads (independent accumulator chains).</summary>
    public static double PeakGflops(int threads)
    {
        double best = 0;
        for (int round = 0; round < 3; round++)
        {
            const long perThread = 40_000_000;
            var clock = Stopwatch.StartNew();
            var sink = new double[threads];
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                var a0 = new Vector<double>(1.0 + t); var a1 = a0; var a2 = a0; var a3 = a0; var a4 = a0; var a5 = a0; var a6 = a0; var a7 = a0;
                var m = new Vector<double>(0.999999);
                var c = new Vector<double>(1e-7);
                for (long i = 0; i < perThread / Vector<double>.Count / 8; i++)
                {
                    a0 = Vector.FusedMultiplyAdd(a0, m, c); a1 = Vector.FusedMultiplyAdd(a1, m, c);
                    a2 = Vector.FusedMultiplyAdd(a2, m, c); a3 = Vector.FusedMultiplyAdd(a3, m, c);
                    a4 = Vector.FusedMultiplyAdd(a4, m, c); a5 = Vector.FusedMultiplyAdd(a5, m, c);
                    a6 = Vector.FusedMultiplyAdd(a6, m, c); a7 = Vector.FusedMultiplyAdd(a7, m, c);
                }
                sink[t] = Vector.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7);
            });
            double seconds = clock.Elapsed.TotalSeconds;
            if (sink.Sum() == 0) throw new InvalidOperationException("unreachable");
            best = Math.Max(best, 2.0 * perThread * threads / seconds / 1e9);
        }
        return best;
    }

    public static ReluBenchResult Run(IReadOnlyList<int> sizes, IReadOnlyList<int> patternCounts, int d, int threads, int gapIterations, TextWriter log, CancellationToken cancel)
    {
        double stream = Comparisons.StreamTriadGBps(threads, log);
        double peak = PeakGflops(threads);
        log.WriteLine($"  STREAM triad {stream:F1} GB/s, FMA peak {peak:F1} GFLOP/s ({threads} threads)");
        using var backend = Solvers.Kernels.Backend.Create(Solvers.Kernels.BackendKind.Cpu, new Solvers.Kernels.BackendOptions { MaxDegreeOfParallelism = threads });
        var rows = new List<ReluIterationRow>();
        // Warm-up, so the first configuration does not time the JIT's first tiers.
        var (wx, wy) = Planted(sizes[0], d, 3);
        ConvexReluNetwork.Fit(wx, wy, new ConvexReluOptions { Patterns = patternCounts[0], MaxIterations = 300, Tolerance = 1e-300, AbsoluteTolerance = 0, Backend = backend });
        int pMid = patternCounts[patternCounts.Count / 2];
        int nMid = sizes[sizes.Count / 2];
        var configs = sizes.Select(n => (n, pMid)).Concat(patternCounts.Where(p => p != pMid).Select(p => (nMid, p)));
        foreach (var (n, p) in configs)
        {
            cancel.ThrowIfCancellationRequested();
            var (x, y) = Planted(n, d, 7);
            const int iterations = 60;
            // The best of three runs: the machines here are shared and a single run can be 2x slow.
            ConvexReluReport? r = null;
            for (int round = 0; round < 3; round++)
            {
                var report = ConvexReluNetwork.Fit(x, y, new ConvexReluOptions
                {
                    Patterns = p, Beta = 1e-2, Seed = 1, MaxIterations = iterations, Tolerance = 1e-300, AbsoluteTolerance = 0, CheckInterval = iterations,
                    AdaptiveRho = false, Backend = backend, CancellationToken = cancel,
                }).Report;
                if (r is null || report.Elapsed < r.Elapsed) r = report;
            }
            int pu = r!.PatternsUsed, dd = d + 1;
            // Two forward and two backward masked products (4 n P d flops each), the d x d block solves and the n x n
            // triangular solves; bytes: X and the masks per product, G u written and T read once, and the n x 2P
            // slack and dual vectors read and written by the projections.
            double flops = 16.0 * n * pu * dd + 8.0 * pu * dd * dd + 2.0 * n * n;
            double bytes = 4 * (8.0 * n * dd + 8.0 * n * pu) + 2 * 16.0 * n * pu + 4 * 16.0 * n * pu + 8.0 * n * n;
            double bound = Math.Max(flops / (peak * 1e9), bytes / (stream * 1e9));
            // The one residual check at the last iteration costs two backward and one forward product more; take it out.
            double perIteration = r.Elapsed.TotalSeconds / (r.Iterations + 0.75);
            rows.Add(new ReluIterationRow
            {
                N = n, D = dd, Patterns = pu, Iterations = r.Iterations, SecondsPerIteration = perIteration, SetupSeconds = r.SetupElapsed.TotalSeconds,
                FlopsPerIteration = flops, BytesPerIteration = bytes, LowerBoundSeconds = bound, RatioToBound = perIteration / bound, LinearSolver = r.LinearSolver,
            });
            log.WriteLine($"  n = {n}, P = {pu}: {perIteration * 1e3:F2} ms per iteration, bound {bound * 1e3:F2} ms, setup {r.SetupElapsed.TotalSeconds:F2} s");
        }

        // Time to a 1e-4 relative gap on real data when present (breast_cancer, beta = 1, the train-relu figure's
        // setting), else on planted data: the optimum from a long run, then the first recorded iterate after which
        // the objective stays within 1e-4 of it.
        string? breast = NewtonBenchDefaults.SharedDataSet("breast_cancer.csv");
        double[,] gx;
        double[] gy;
        string gapName;
        if (breast is not null)
        {
            (gx, gy) = ReluTraining.Load(breast, null);
            gapName = $"breast_cancer (n = {gy.Length}, d = 30 + intercept), P = 64, beta = 1";
        }
        else
        {
            (gx, gy) = Planted(nMid, d, 9);
            gapName = $"planted, n = {nMid}, d = {d} + intercept, P = 64, beta = 1";
        }
        var longRun = ConvexReluNetwork.Fit(gx, gy, new ConvexReluOptions
        {
            Patterns = 64, Beta = 1, Seed = 1, MaxIterations = gapIterations, Tolerance = 1e-10, AbsoluteTolerance = 1e-12, Backend = backend, CancellationToken = cancel,
        }).Report;
        double fStar = longRun.ConvexObjective;
        var h = longRun.History;
        int first = -1;
        for (int i = h.Count - 1; i >= 0; i--)
        {
            if (Math.Abs(h[i].Objective - fStar) > 1e-4 * Math.Abs(fStar)) break;
            first = i;
        }
        double? seconds = first >= 0 ? (longRun.SetupElapsed + h[first].Elapsed).TotalSeconds : null;
        log.WriteLine($"  gap: f* = {fStar:G10} after {longRun.Iterations} its ({longRun.Status}); within 1e-4 from iteration {(first >= 0 ? h[first].Iteration : -1)} ({seconds:F2} s)");
        return new ReluBenchResult
        {
            Threads = threads, StreamGBps = stream, PeakGflops = peak, Rows = rows, GapProblem = gapName, GapIterationsRun = longRun.Iterations, GapStatus = longRun.Status.ToString(),
            OptimalObjective = fStar, SecondsToGap = seconds, IterationsToGap = first >= 0 ? h[first].Iteration : null,
        };
    }

    public static void Print(ReluBenchResult r)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        AnsiConsole.MarkupLine(Markup.Escape($"STREAM triad {r.StreamGBps:F1} GB/s, FMA peak {r.PeakGflops:F1} GFLOP/s, {r.Threads} threads"));
        var t = new Table().Title("ADMM iteration (Cpu backend) against max(flops / peak, bytes / STREAM)")
            .AddColumn(new TableColumn("n").RightAligned()).AddColumn(new TableColumn("d").RightAligned()).AddColumn(new TableColumn("P").RightAligned())
            .AddColumn(new TableColumn("ms / iteration").RightAligned()).AddColumn(new TableColumn("bound ms").RightAligned())
            .AddColumn(new TableColumn("ratio").RightAligned()).AddColumn(new TableColumn("setup s").RightAligned());
        foreach (var x in r.Rows)
            t.AddRow(x.N.ToString(inv), x.D.ToString(inv), x.Patterns.ToString(inv), (x.SecondsPerIteration * 1e3).ToString("F2", inv),
                (x.LowerBoundSeconds * 1e3).ToString("F2", inv), x.RatioToBound.ToString("F2", inv), x.SetupSeconds.ToString("F2", inv));
        AnsiConsole.Write(t);
        AnsiConsole.MarkupLine(Markup.Escape($"{r.GapProblem}: f* = {r.OptimalObjective:G10} ({r.GapStatus} after {r.GapIterationsRun} iterations); within 1e-4 relative from iteration {r.IterationsToGap}, {r.SecondsToGap:F2} s (setup included)."));
    }
}
