using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Json;
using Solvers.Cli.Commands;

namespace Solvers.Cli.Bench;

/// <summary>What <c>solvers bench --all</c> was asked to do.</summary>
internal sealed record BenchAllSettings
{
    /// <summary>The markdown file to update; null for docs/benchmarks.md of the enclosing checkout.</summary>
    public string? Output { get; init; }

    /// <summary>Folder of the PNG plots; null for img/ beside the output.</summary>
    public string? Plots { get; init; }

    /// <summary>Tiny sizes: the whole suite in a few minutes (what the test runs).</summary>
    public bool Quick { get; init; }

    /// <summary>Threads of every command that takes <c>--threads</c>.</summary>
    public int Threads { get; init; } = 2;
}

/// <summary>What an entry's argument list may use: the plot folder, the threads and the data found here.</summary>
internal sealed class BenchAllContext
{
    /// <summary>The plot folder as it appears on the command lines.</summary>
    public required string Plots { get; init; }

    /// <summary>Threads, as the command-line text.</summary>
    public required string Threads { get; init; }

    /// <summary>The SciPy/IPOPT results of bench/optimization/run-peers.sh, when the checkout has them.</summary>
    public string? Peers { get; init; }

    /// <summary>Shared data sets found (file name to path), relative to the working directory where possible.</summary>
    public required IReadOnlyDictionary<string, string> Data { get; init; }

    /// <summary>A file in the plot folder.</summary>
    public string Plot(string file) => Path.Combine(Plots, file);

    /// <summary><c>--peers FILE</c> when the peers' JSON is there, else nothing.</summary>
    public string[] PeersArgs => Peers is null ? [] : ["--peers", Peers];
}

/// <summary>
/// One figure group of <c>solvers bench --all</c>: the <c>solvers</c> arguments of the full run (those quoted in
/// docs/benchmarks.md) and of the quick run, and the shared data sets it cannot run without.
/// </summary>
internal sealed record BenchAllEntry(
    string Title,
    Func<BenchAllContext, string[]> Full,
    Func<BenchAllContext, string[]>? Quick,
    string[]? Datasets = null,
    string? QuickSkipReason = null);

/// <summary>The outcome of one entry.</summary>
internal sealed record BenchAllOutcome(
    BenchAllEntry Entry,
    string[]? Args,
    string? SkipReason,
    int ExitCode,
    double Seconds,
    string Output,
    IReadOnlyList<string> Plots)
{
    public bool Skipped => SkipReason is not null;
    public bool Succeeded => Skipped || ExitCode == ExitCodes.Success;
}

/// <summary>
/// <c>solvers bench --all</c>: runs every benchmark behind docs/benchmarks.md in this process, one after another,
/// and writes their output between the markers <see cref="BeginMarker"/> and <see cref="EndMarker"/> of the
/// markdown file, leaving the hand-written text around them as it is.
/// </summary>
internal static class BenchAll
{
    public const string BeginMarker = "<!-- bench --all: begin -->";
    public const string EndMarker = "<!-- bench --all: end -->";
    public const string PeersFile = "bench/results/2026-11-28-hs-peers.json";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The suite: STREAM first (its figure heads the generated section), then the figure groups of docs/benchmarks.md in order.</summary>
    public static IReadOnlyList<BenchAllEntry> Suite { get; } =
    [
        new("STREAM triad",
            c => ["bench", "stream", "--threads", c.Threads, "--json"],
            c => ["bench", "stream", "--threads", c.Threads, "--json"]),
        new("SpMV against STREAM and MathNet, 2D Poisson 10^6 unknowns",
            c => ["bench", "spmv", "--problem", "poisson2d:1000", "--threads", c.Threads],
            c => ["bench", "spmv", "--problem", "poisson2d:64", "--threads", c.Threads]),
        new("SpMV against STREAM, 2D Poisson 9x10^6 unknowns",
            c => ["bench", "spmv", "--problem", "poisson2d:3000", "--threads", c.Threads],
            c => ["bench", "spmv", "--problem", "poisson2d:96", "--threads", c.Threads]),
        new("Jacobi-PCG against MathNet and the traffic bound, 2D Poisson 512^2",
            c => ["bench", "cg", "--problem", "poisson2d:512", "--threads", c.Threads],
            c => ["bench", "cg", "--problem", "poisson2d:32", "--threads", c.Threads]),
        new("Jacobi-PCG against the traffic bound, 2D Poisson 1000^2",
            c => ["bench", "cg", "--problem", "poisson2d:1000", "--no-mathnet", "--threads", c.Threads],
            c => ["bench", "cg", "--problem", "poisson2d:64", "--no-mathnet", "--threads", c.Threads]),
        new("SOR sweeps, natural and multicolor, against STREAM",
            c => ["bench", "sor", "--problem", "poisson2d:1000", "--threads", c.Threads],
            c => ["bench", "sor", "--problem", "poisson2d:64", "--threads", c.Threads]),
        new("AMG-PCG: iterations against size, time to solution, plots",
            c => ["bench", "amg", "--threads", c.Threads, "--plots", c.Plots],
            c => ["bench", "amg", "--problems", "poisson2d:32", "poisson2d:64", "--compare", "poisson2d:32", "--history-problem", "variable2d:32",
                "--plot-sizes", "16", "32", "--threads", c.Threads, "--plots", c.Plots]),
        new("Learned omega: shifted Laplacian, high variance",
            c => ["tune-sor", "--sequence", "shifted-laplacian", "--steps", "5000", "--learner", "tsallis", "--compare", "chebcb", "binned",
                "--plot", c.Plot("tune-sor-shifted-laplacian.png")],
            c => ["tune-sor", "--sequence", "shifted-laplacian", "--steps", "40", "--learner", "tsallis", "--compare", "chebcb", "binned",
                "--plot", c.Plot("tune-sor-shifted-laplacian.png")]),
        new("Learned omega: shifted Laplacian, low variance",
            c => ["tune-sor", "--sequence", "shifted-laplacian-low", "--steps", "5000", "--learner", "tsallis", "--compare", "chebcb", "binned",
                "--plot", c.Plot("tune-sor-shifted-laplacian-low.png")],
            c => ["tune-sor", "--sequence", "shifted-laplacian-low", "--steps", "40", "--learner", "tsallis", "--compare", "chebcb", "binned",
                "--plot", c.Plot("tune-sor-shifted-laplacian-low.png")]),
        new("Learned omega: heat equation, SSOR-PCG",
            c => ["tune-sor", "--sequence", "heat", "--steps", "300", "--grid", "200", "--learner", "chebcb", "--compare", "tsallis",
                "--plot", c.Plot("tune-sor-heat.png")],
            c => ["tune-sor", "--sequence", "heat", "--steps", "6", "--grid", "12", "--learner", "chebcb", "--compare", "tsallis",
                "--plot", c.Plot("tune-sor-heat.png")]),
        new("Sketched Newton: Hock-Schittkowski set, local convergence, optimal control, logistic regression",
            c => ["bench", "newton", .. c.PeersArgs, "--plots", c.Plots],
            c => ["bench", "newton", "--inner", "minres", "--control", "8", "--logreg", "none", "--convergence-problem", "hs077", .. c.PeersArgs,
                "--plots", c.Plots]),
        new("Convex ReLU: ADMM iteration against its bound, time to a 1e-4 gap",
            c => ["bench", "relu", "--threads", c.Threads],
            c => ["bench", "relu", "--sizes", "60", "--patterns", "2", "4", "--d", "3", "--gap-iterations", "20", "--threads", c.Threads]),
        TrainReluEntry("heart_scale", "heart_scale"),
        TrainReluEntry("breast_cancer", "breast_cancer.csv"),
        MfacEntry(64, "double", 8),
        MfacEntry(64, "float", 8),
        MfacEntry(256, "double", 16),
        MfacEntry(256, "float", 16),
        // m = 1024: no MathNet baseline (minutes for its dense product), and float only: in double the window's 8 GB
        // beside the gradients' 8 GB does not fit a 24 GB machine.
        new("M-FAC F^-1 x, d = 10^6, m = 1024, float",
            c => ["mfac-bench", "--d", "1000000", "--m", "1024", "--precision", "float", "--no-mathnet", "--threads", c.Threads],
            c => ["mfac-bench", "--d", "20000", "--m", "32", "--precision", "float", "--no-mathnet", "--threads", c.Threads]),
        new("M-FAC cost growth in d and m, window recursion, plots",
            c => ["mfac-bench", "--d", "1000000", "--m", "32", "--growth", "--threads", c.Threads, "--plots", c.Plots],
            c => ["mfac-bench", "--d", "4000", "--m", "4", "--growth", "--recursion-m", "16", "32", "64", "--threads", c.Threads, "--plots", c.Plots]),
        new("M-FAC optimizer and OBS pruning on the digits MLP",
            _ => ["bench", "mfac"],
            _ => ["bench", "mfac", "--epochs", "1", "--hidden", "8"],
            Datasets: ["digits.csv.gz"]),
    ];

    /// <summary>train-relu against Adam over five splits (the figure), or one tiny split (quick).</summary>
    private static BenchAllEntry TrainReluEntry(string name, string file) => new(
        $"Convex ReLU against Adam: {name}",
        c => ["train-relu", "--data", c.Data[file], "--patterns", "64", "--beta", "1", "--adam-seeds", "5", "--adam-epochs", "3000", "--splits", "5",
            "--plot", c.Plot($"train-relu-{name}.png")],
        c => ["train-relu", "--data", c.Data[file], "--patterns", "8", "--beta", "1", "--adam-seeds", "1", "--adam-epochs", "50",
            "--plot", c.Plot($"train-relu-{name}.png")],
        Datasets: [file]);

    private static BenchAllEntry MfacEntry(int m, string precision, int quickM) => new(
        $"M-FAC F^-1 x, d = 10^6, m = {m}, {precision}",
        c => ["mfac-bench", "--d", "1000000", "--m", m.ToString(Inv), "--precision", precision, "--threads", c.Threads],
        c => ["mfac-bench", "--d", "20000", "--m", quickM.ToString(Inv), "--precision", precision, "--threads", c.Threads]);

    /// <summary>The folder holding Solvers.sln, searched upward from <paramref name="start"/>, or null.</summary>
    public static string? FindCheckout(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Solvers.sln"))) return dir.FullName;
        return null;
    }

    /// <summary>Runs the suite and writes the markdown; returns 0 when every entry that ran succeeded, 1 otherwise, 2 on bad input.</summary>
    public static int Run(BenchAllSettings s, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(s);
        try
        {
            if (s.Threads < 1) throw new CliUsageException($"--threads must be at least 1, got {s.Threads}");
            string cwd = Directory.GetCurrentDirectory();
            string? checkout = FindCheckout(cwd);
            string output = s.Output ?? (checkout is null
                ? throw new CliUsageException("no Solvers.sln above the current directory to find docs/benchmarks.md; give --output PATH")
                : Path.Combine(checkout, "docs", "benchmarks.md"));
            string outputFull = Path.GetFullPath(output);
            string? existing = File.Exists(outputFull) ? File.ReadAllText(outputFull) : null;
            // Fail before an hour of measurements, not after.
            if (existing is not null) Splice(existing, "", outputFull);
            string plots = s.Plots ?? Relative(cwd, Path.Combine(Path.GetDirectoryName(outputFull)!, "img"));
            string plotsFull = Path.GetFullPath(plots);
            Directory.CreateDirectory(plotsFull);

            var data = new Dictionary<string, string>();
            foreach (string name in Suite.SelectMany(e => e.Datasets ?? []).Distinct())
                if (NewtonBenchDefaults.SharedDataSet(name) is { } path) data[name] = Relative(cwd, path);
            string? peers = checkout is not null && File.Exists(Path.Combine(checkout, PeersFile))
                ? Relative(cwd, Path.Combine(checkout, PeersFile)) : null;
            var context = new BenchAllContext { Plots = plots, Threads = s.Threads.ToString(Inv), Peers = peers, Data = data };

            var started = DateTime.UtcNow;
            var total = Stopwatch.StartNew();
            var outcomes = new List<BenchAllOutcome>();
            for (int i = 0; i < Suite.Count; i++)
            {
                var entry = Suite[i];
                string tag = $"bench --all: [{i + 1}/{Suite.Count}]";
                string? skip = SkipReason(entry, s.Quick, data);
                if (skip is null && cancel.IsCancellationRequested) skip = "cancelled before it started";
                if (skip is not null)
                {
                    stderr.WriteLine($"{tag} {entry.Title}: skipped ({skip})");
                    outcomes.Add(new BenchAllOutcome(entry, null, skip, 0, 0, "", []));
                    continue;
                }
                string[] args = (s.Quick ? entry.Quick! : entry.Full)(context);
                stderr.WriteLine($"{tag} {CommandLine(args)}");
                stderr.Flush();
                var before = Snapshot(plotsFull);
                var captured = new StringWriter(CultureInfo.InvariantCulture);
                var sw = Stopwatch.StartNew();
                int code;
                try
                {
                    code = Program.Run(args, captured, stderr, cancel);
                }
                catch (Exception e)
                {
                    // Program.Run lets only OutOfMemoryException through; record it and go on with the next entry.
                    captured.WriteLine($"{e.GetType().Name}: {e.Message}");
                    code = ExitCodes.NotConverged;
                }
                double seconds = sw.Elapsed.TotalSeconds;
                var written = Snapshot(plotsFull).Where(kv => !before.TryGetValue(kv.Key, out var t) || t != kv.Value)
                    .Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList();
                stderr.WriteLine($"{tag} exit {code}, {seconds.ToString("F1", Inv)} s{(written.Count > 0 ? $", {written.Count} plot(s)" : "")}");
                outcomes.Add(new BenchAllOutcome(entry, args, null, code, seconds, captured.ToString(), written));
            }

            string generated = Render(outcomes, s, started, total.Elapsed.TotalSeconds, Path.GetDirectoryName(outputFull)!);
            string text = existing is null ? $"{BeginMarker}\n{generated}{EndMarker}\n" : Splice(existing, generated, outputFull);
            Directory.CreateDirectory(Path.GetDirectoryName(outputFull)!);
            File.WriteAllText(outputFull, text);

            int failed = outcomes.Count(o => !o.Succeeded);
            int skipped = outcomes.Count(o => o.Skipped);
            stdout.WriteLine($"bench --all: {outcomes.Count - failed - skipped} succeeded, {failed} failed, {skipped} skipped " +
                             $"in {total.Elapsed.TotalSeconds.ToString("F0", Inv)} s; wrote {output} and plots in {plots}");
            foreach (var o in outcomes.Where(o => !o.Succeeded))
                stdout.WriteLine($"  failed (exit {o.ExitCode}): {CommandLine(o.Args!)}");
            stdout.Flush();
            // Cancelled (Ctrl+C): what ran is written, but the run is not a success.
            return failed == 0 && !cancel.IsCancellationRequested ? ExitCodes.Success : ExitCodes.NotConverged;
        }
        catch (Exception e) when (CliHelpers.TryReportInputError(e, stderr, out int code))
        {
            return code;
        }
    }

    /// <summary>Why an entry does not run: shared data missing, or no quick form; null when it runs.</summary>
    private static string? SkipReason(BenchAllEntry entry, bool quick, IReadOnlyDictionary<string, string> data)
    {
        var missing = (entry.Datasets ?? []).Where(d => !data.ContainsKey(d)).ToList();
        if (missing.Count > 0)
            return $"shared data not found: {string.Join(", ", missing.Select(m => "../shared/data/datasets/" + m))}";
        if (quick && entry.Quick is null) return entry.QuickSkipReason ?? "no quick form";
        return null;
    }

    /// <summary>
    /// <paramref name="existing"/> with what lies between the markers replaced by <paramref name="generated"/>;
    /// throws <see cref="CliUsageException"/> when the markers are missing or out of order.
    /// </summary>
    internal static string Splice(string existing, string generated, string path)
    {
        int begin = existing.IndexOf(BeginMarker, StringComparison.Ordinal);
        int end = begin < 0 ? -1 : existing.IndexOf(EndMarker, begin + BeginMarker.Length, StringComparison.Ordinal);
        if (begin < 0 || end < 0)
            throw new CliUsageException($"{path}: no '{BeginMarker}' ... '{EndMarker}' pair to replace; add the two lines where the generated section goes");
        int from = begin + BeginMarker.Length;
        return string.Concat(existing.AsSpan(0, from), "\n", generated, existing.AsSpan(end));
    }

    private static string Render(List<BenchAllOutcome> outcomes, BenchAllSettings s, DateTime started, double seconds, string outputDirectory)
    {
        var md = new StringBuilder();
        md.Append(Inv, $"## Latest `solvers bench --all` run: {started:yyyy-MM-dd HH:mm} UTC{(s.Quick ? " (--quick: tiny sizes, not figures)" : "")}\n\n");
        md.Append(StreamLine(outcomes[0])).Append("\n\n");
        md.Append("Machine: ").Append(MachineLine()).Append(Inv, $"; {s.Threads} threads for the commands that take `--threads`.\n\n");
        int failed = outcomes.Count(o => !o.Succeeded), skipped = outcomes.Count(o => o.Skipped);
        md.Append(Inv, $"{outcomes.Count - failed - skipped} of {outcomes.Count} entries succeeded, {failed} failed, {skipped} skipped; {seconds:F0} s in all.\n\n");
        md.Append("| entry | exit | seconds |\n|---|---:|---:|\n");
        foreach (var o in outcomes)
            md.Append(Inv, $"| {o.Entry.Title} | {(o.Skipped ? "skipped" : o.ExitCode.ToString(Inv))} | {(o.Skipped ? "" : o.Seconds.ToString("F1", Inv))} |\n");
        md.Append('\n');
        foreach (var o in outcomes)
        {
            md.Append("### ").Append(o.Entry.Title).Append("\n\n");
            if (o.Skipped)
            {
                md.Append("Skipped: ").Append(o.SkipReason).Append(".\n\n");
                continue;
            }
            md.Append('`').Append(CommandLine(o.Args!)).Append('`')
              .Append(Inv, $": exit {o.ExitCode}{(o.ExitCode == 0 ? "" : " (failed)")}, {o.Seconds:F1} s\n\n");
            string text = string.Join('\n', o.Output.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(l => l.TrimEnd())).Trim('\n');
            string fence = new('`', Math.Max(3, LongestBacktickRun(text) + 1));
            md.Append(fence).Append("text\n").Append(text.Length == 0 ? "(no output)" : text).Append('\n').Append(fence).Append("\n\n");
            if (o.Plots.Count > 0)
                md.Append("Plots: ").AppendJoin(", ", o.Plots.Select(p =>
                    $"[{Path.GetFileName(p)}]({Path.GetRelativePath(outputDirectory, p).Replace('\\', '/')})")).Append("\n\n");
        }
        return md.ToString();
    }

    /// <summary>The STREAM line at the top, from the first entry's JSON.</summary>
    private static string StreamLine(BenchAllOutcome stream)
    {
        if (stream.Skipped) return $"**STREAM triad: not measured** ({stream.SkipReason}).";
        try
        {
            using var doc = JsonDocument.Parse(stream.Output);
            double gbps = doc.RootElement.GetProperty("streamGBps").GetDouble();
            int threads = doc.RootElement.GetProperty("threads").GetInt32();
            return $"**STREAM triad: {gbps.ToString("F1", Inv)} GB/s** (CPU backend, {threads} threads, `w = alpha x + y`, 24 bytes per element; " +
                   "measured at the start of this run; this figure moves up to 2x on shared machines).";
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return $"**STREAM triad: not measured** (exit {stream.ExitCode}).";
        }
    }

    /// <summary>Processor count and model, OS, .NET and SIMD width, as <c>solvers info</c> reports them.</summary>
    internal static string MachineLine()
    {
        string? model = null;
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return $"{Environment.ProcessorCount} processors{(model is null ? "" : $" ({model})")}, " +
               $"{RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture}), {RuntimeInformation.FrameworkDescription}, " +
               $"SIMD Vector<double> {Vector<double>.Count} doubles ({Vector<byte>.Count * 8} bit), " +
               $"AVX2 {(System.Runtime.Intrinsics.X86.Avx2.IsSupported ? "yes" : "no")}, AVX-512 {(Vector512.IsHardwareAccelerated ? "yes" : "no")}";
    }

    /// <summary>The arguments as one <c>solvers ...</c> line, quoting those that need it.</summary>
    public static string CommandLine(IEnumerable<string> args)
        => "solvers " + string.Join(' ', args.Select(a => a.Length == 0 ? "''" : a.Any(ch => char.IsWhiteSpace(ch) || ch is '\'' or '"' or '$' or '`') ? $"'{a.Replace("'", "'\\''", StringComparison.Ordinal)}'" : a));

    private static int LongestBacktickRun(string text)
    {
        int best = 0, run = 0;
        foreach (char ch in text)
        {
            run = ch == '`' ? run + 1 : 0;
            best = Math.Max(best, run);
        }
        return best;
    }

    private static Dictionary<string, DateTime> Snapshot(string directory)
        => Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, "*.png").ToDictionary(f => f, File.GetLastWriteTimeUtc)
            : [];

    private static string Relative(string cwd, string path)
    {
        string full = Path.GetFullPath(path);
        string rel = Path.GetRelativePath(cwd, full);
        // Beside or below the working directory (or the shared data next to the checkout): relative; anything else: absolute.
        return rel.StartsWith("../../", StringComparison.Ordinal) || Path.IsPathRooted(rel) ? full : rel;
    }
}
