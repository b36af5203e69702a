using System.Diagnostics;
using System.Numerics;
using System.Text.Json.Serialization;
using MatrixD = MathNet.Numerics.LinearAlgebra.Matrix<double>;
using MatrixF = MathNet.Numerics.LinearAlgebra.Matrix<float>;
using VectorD = MathNet.Numerics.LinearAlgebra.Vector<double>;
using VectorF = MathNet.Numerics.LinearAlgebra.Vector<float>;
using Solvers.Kernels;
using Solvers.Mfac;
using Solvers.Models;
using Solvers.Sketching;
using Spectre.Console;

namespace Solvers.Cli.Bench;

/// <summary>What <c>solvers mfac-bench</c> measured for one (d, m, precision).</summary>
internal sealed record MfacBenchResult
{
    [JsonPropertyName("d")] public required int D { get; init; }
    [JsonPropertyName("m")] public required int M { get; init; }
    [JsonPropertyName("precision")] public required string Precision { get; init; }
    [JsonPropertyName("threads")] public required int Threads { get; init; }
    [JsonPropertyName("streamGBps")] public required double StreamGBps { get; init; }
    [JsonPropertyName("setupSeconds")] public required double SetupSeconds { get; init; }
    [JsonPropertyName("ihvpSeconds")] public required double IhvpSeconds { get; init; }
    [JsonPropertyName("memoryBoundSeconds")] public required double MemoryBoundSeconds { get; init; }
    [JsonPropertyName("ratioToMemoryBound")] public required double RatioToMemoryBound { get; init; }
    [JsonPropertyName("mathnetSeconds")] public required double? MathnetSeconds { get; init; }
    [JsonPropertyName("speedupOverMathnet")] public required double? SpeedupOverMathnet { get; init; }
    [JsonPropertyName("mathnetMaxRelativeDifference")] public required double? MathnetMaxRelativeDifference { get; init; }
    [JsonPropertyName("updateSeconds")] public required double UpdateSeconds { get; init; }
    [JsonPropertyName("diagonalSeconds")] public required double DiagonalSeconds { get; init; }
}

/// <summary>What <c>solvers mfac-bench --growth</c> measured: the d and m doublings and the m x m recursion alone.</summary>
internal sealed record MfacGrowthResult
{
    /// <summary>d doubling at fixed m, then m doubling at fixed d.</summary>
    [JsonPropertyName("rows")] public required IReadOnlyList<MfacBenchResult> Rows { get; init; }

    /// <summary>A full window's push at a small d, where the O(m^3) recursion dominates the O(d m) Gram row.</summary>
    [JsonPropertyName("recursion")] public required IReadOnlyList<MfacRecursionPoint> Recursion { get; init; }

    /// <summary>PNG files written, if any.</summary>
    [JsonPropertyName("plots")] public IReadOnlyList<string> Plots { get; init; } = [];
}

/// <summary>One push into a full window of m gradients of dimension d.</summary>
internal sealed record MfacRecursionPoint([property: JsonPropertyName("d")] int D, [property: JsonPropertyName("m")] int M, [property: JsonPropertyName("updateSeconds")] double UpdateSeconds);

/// <summary>
/// <c>solvers mfac-bench</c>: F^-1 x against the memory bound (the m x d buffer read twice, at the STREAM triad
/// rate measured in the same run) and against a straightforward MathNet Woodbury product; the sliding window's
/// update; cost growth; the optimizer and pruning figures on the digits MLP.
/// </summary>
internal static class MfacBench
{
    /// <summary>Uniform(-1, 1) gradients from the counter-based generator (cheap enough for 10^8 entries).</summary>
    private static T[] Gradients<T>(int m, int d, ulong seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = new T[(long)m * d];
        Parallel.For(0, m, i => GradientRow(i, seed, g.AsSpan((int)((long)i * d), d)));
        return g;
    }

    /// <summary>Row i of <see cref="Gradients"/> alone: the window is filled row by row without the whole buffer.</summary>
    private static void GradientRow<T>(int i, ulong seed, Span<T> row) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ulong at = (ulong)i * (ulong)row.Length;
        for (int j = 0; j < row.Length; j++) row[j] = T.CreateTruncating(2 * CounterRandom.Uniform(seed, at + (ulong)j) - 1);
    }

    private static double Best(int rounds, Action action)
    {
        double best = double.PositiveInfinity;
        for (int r = 0; r < rounds; r++)
        {
            var clock = Stopwatch.StartNew();
            action();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return best;
    }

    public static MfacBenchResult Run(int d, int m, bool single, int threads, bool mathnet, TextWriter log)
        => single ? Run<float>(d, m, threads, mathnet, log) : Run<double>(d, m, threads, mathnet, log);

    private static MfacBenchResult Run<T>(int d, int m, int threads, bool mathnet, TextWriter log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var result = StaticFigures<T>(d, m, threads, mathnet, log);
        // At m = 1024 the buffers are gigabytes: the gradients and the static inverse died with StaticFigures (a
        // separate frame, so no stack slot keeps them), the window takes its own m x d and is filled with the same
        // rows generated one at a time.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return result with { UpdateSeconds = WindowUpdate<T>(d, m, log) };
    }

    /// <summary>Set-up, F^-1 x against STREAM, the diagonal and MathNet; the window's figure is filled in by the caller.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static MfacBenchResult StaticFigures<T>(int d, int m, int threads, bool mathnet, TextWriter log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var options = new MfacOptions { WindowSize = m, Lambda = 1e-2 };
        log.WriteLine($"  generating {m} x {d} gradients ({typeof(T).Name})...");
        var g = Gradients<T>(m, d, 1);
        var x = Gradients<T>(1, d, 2);
        var y = new T[d];
        var clock = Stopwatch.StartNew();
        using var inverse = new StaticMfac<T>(g, d, options);
        double setup = clock.Elapsed.TotalSeconds;
        // Warm-up: the first calls of each generic instantiation run before the JIT's optimising tier.
        for (int w = 0; w < 10; w++) inverse.InverseTimes(x, y);
        double stream, ihvp;
        using (var cpu = Comparisons.CreateBackend(BackendKind.Cpu, threads))
            (stream, ihvp) = StreamTriad.MeasureInterleaved(cpu, StreamTriad.DefaultElements(cpu), 15, () => inverse.InverseTimes(x, y));
        log.WriteLine($"  STREAM triad {stream:F1} GB/s (best of 15, alternating with F^-1 x)");
        double bytes = 2.0 * m * d * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        double bound = bytes / (stream * 1e9);
        var diag = new T[d];
        double diagonal = Best(2, () => inverse.InverseDiagonal(diag));
        log.WriteLine($"  F^-1 x {ihvp * 1e3:F2} ms, memory bound {bound * 1e3:F2} ms ({bytes / 1e9:F2} GB at {stream:F1} GB/s); setup {setup:F2} s");

        double? mathnetSeconds = null, difference = null;
        if (mathnet)
        {
            // Straightforward Woodbury with MathNet dense matrices, in the same precision:
            // F^-1 x = x/lambda - G' (m lambda I + G G')^-1 G x / lambda, with the small inverse formed once.
            if (typeof(T) == typeof(double))
            {
                var gm = MatrixD.Build.Dense(m, d, (i, j) => double.CreateTruncating(g[(long)i * d + j]));
                var small = (m * options.Lambda * MatrixD.Build.DenseIdentity(m) + gm * gm.Transpose()).Inverse();
                var xv = VectorD.Build.Dense(d, j => double.CreateTruncating(x[j]));
                VectorD r = xv;
                mathnetSeconds = Best(3, () => r = (xv - gm.TransposeThisAndMultiply(small * (gm * xv))) / options.Lambda);
                difference = Enumerable.Range(0, d).Max(j => Math.Abs(r[j] - double.CreateTruncating(y[j]))) / r.AbsoluteMaximum();
            }
            else
            {
                var gm = MatrixF.Build.Dense(m, d, (i, j) => float.CreateTruncating(g[(long)i * d + j]));
                var small = (m * (float)options.Lambda * MatrixF.Build.DenseIdentity(m) + gm * gm.Transpose()).Inverse();
                var xv = VectorF.Build.Dense(d, j => float.CreateTruncating(x[j]));
                VectorF r = xv;
                mathnetSeconds = Best(3, () => r = (xv - gm.TransposeThisAndMultiply(small * (gm * xv))) / (float)options.Lambda);
                difference = Enumerable.Range(0, d).Max(j => Math.Abs(r[j] - float.CreateTruncating(y[j]))) / r.AbsoluteMaximum();
            }
            log.WriteLine($"  MathNet Woodbury {mathnetSeconds * 1e3:F2} ms ({mathnetSeconds / ihvp:F1}x ours), max relative difference {difference:E1}");
        }

        return new MfacBenchResult
        {
            D = d, M = m, Precision = typeof(T) == typeof(float) ? "float" : "double", Threads = threads, StreamGBps = stream, SetupSeconds = setup,
            IhvpSeconds = ihvp, MemoryBoundSeconds = bound, RatioToMemoryBound = ihvp / bound, MathnetSeconds = mathnetSeconds,
            SpeedupOverMathnet = mathnetSeconds / ihvp, MathnetMaxRelativeDifference = difference, UpdateSeconds = double.NaN, DiagonalSeconds = diagonal,
        };
    }

    /// <summary>A full sliding window's push (Gram row + m^3 recursion), best of 3.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static double WindowUpdate<T>(int d, int m, TextWriter log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        log.WriteLine($"  before the window: GC heap {GC.GetTotalMemory(false) / 1e9:F2} GB");
        var options = new MfacOptions { WindowSize = m, Lambda = 1e-2 };
        var window = new SlidingMfac<T>(d, options);
        var row = new T[d];
        for (int i = 0; i < m; i++)
        {
            GradientRow(i, 1, row.AsSpan());
            window.Push(row);
        }
        var rows = new T[3][];
        for (int k = 0; k < rows.Length; k++) GradientRow(k, 1, (rows[k] = new T[d]).AsSpan());
        int next = 0;
        double update = Best(3, () => window.Push(rows[next++ % rows.Length]));
        log.WriteLine($"  sliding-window update {update * 1e3:F2} ms");
        window.Dispose();
        return update;
    }

    /// <summary>The window sizes m of the recursion timings at d = 1000.</summary>
    public static readonly int[] DefaultRecursionWindows = [128, 256, 512, 1024];

    /// <summary>
    /// The cost-growth runs: d/4, d/2, d at m; 2m, 4m, 8m at d (no MathNet); then the sliding-window push at d = 1000
    /// for m = 128 to 1024 (or <paramref name="recursionWindows"/>), where the m^3 recursion is the whole cost.
    /// </summary>
    public static MfacGrowthResult Growth(int d, int m, bool single, int threads, string? plotDirectory, TextWriter log,
        IReadOnlyList<int>? recursionWindows = null)
    {
        var configs = new[] { (d / 4, m), (d / 2, m), (d, m), (d, m * 2), (d, m * 4), (d, m * 8) };
        var rows = configs.Select(c => Run(c.Item1, c.Item2, single, threads, false, log)).ToList();
        var recursion = new List<MfacRecursionPoint>();
        const int smallD = 1000;
        foreach (int mm in recursionWindows ?? DefaultRecursionWindows)
        {
            var g = Gradients<double>(mm + 3, smallD, 3);
            var window = new SlidingMfac<double>(smallD, new MfacOptions { WindowSize = mm, Lambda = 1e-2 });
            for (int i = 0; i < mm; i++) window.Push(g.AsSpan(i * smallD, smallD));
            int next = mm;
            double seconds = Best(3, () => window.Push(g.AsSpan(next++ * smallD, smallD)));
            log.WriteLine($"  push at d = {smallD}, m = {mm}: {seconds * 1e3:F2} ms");
            recursion.Add(new MfacRecursionPoint(smallD, mm, seconds));
        }
        var plots = new List<string>();
        if (plotDirectory is not null)
        {
            Directory.CreateDirectory(plotDirectory);
            plots.Add(PlotGrowth(rows.Where(r => r.M == m).ToList(), r => r.D, $"d (m = {m})", Path.Combine(plotDirectory, "mfac-growth-d.png"),
                ("setup", r => r.SetupSeconds, 1), ("F^-1 x", r => r.IhvpSeconds, 1), ("window update", r => r.UpdateSeconds, 1), ("diagonal", r => r.DiagonalSeconds, 1)));
            plots.Add(PlotGrowth(rows.Where(r => r.D == d).ToList(), r => r.M, $"m (d = {d})", Path.Combine(plotDirectory, "mfac-growth-m.png"),
                ("setup", r => r.SetupSeconds, 2), ("F^-1 x", r => r.IhvpSeconds, 1), ("window update", r => r.UpdateSeconds, 1), ("diagonal", r => r.DiagonalSeconds, 1)));
            plots.Add(PlotRecursion(recursion, Path.Combine(plotDirectory, "mfac-growth-recursion.png")));
        }
        return new MfacGrowthResult { Rows = rows, Recursion = recursion, Plots = plots };
    }

    /// <summary>Log-log times against d or m, each series with a dashed reference line of its expected slope through its first point.</summary>
    private static string PlotGrowth(List<MfacBenchResult> rows, Func<MfacBenchResult, int> x, string xLabel, string path,
        params (string Name, Func<MfacBenchResult, double> Seconds, int Slope)[] series)
    {
        var plot = new ScottPlot.Plot();
        var xs = rows.Select(r => Math.Log10(x(r))).ToArray();
        var palette = new ScottPlot.Palettes.Category10();
        for (int k = 0; k < series.Length; k++)
        {
            var (name, seconds, slope) = series[k];
            var ys = rows.Select(r => Math.Log10(seconds(r))).ToArray();
            var line = plot.Add.Scatter(xs, ys, palette.GetColor(k));
            line.LegendText = $"{name} (expected slope {slope})";
            line.LineWidth = 2;
            var reference = plot.Add.Scatter(xs, xs.Select(v => ys[0] + slope * (v - xs[0])).ToArray(), palette.GetColor(k));
            reference.LinePattern = ScottPlot.LinePattern.Dashed;
            reference.MarkerSize = 0;
        }
        LogTicks(plot.Axes.Bottom, "N0");
        LogTicks(plot.Axes.Left, "G3");
        plot.Title("M-FAC cost growth (dashed: the expected O() slope)");
        plot.XLabel(xLabel);
        plot.YLabel("seconds");
        plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
        plot.SavePng(path, 900, 560);
        return path;
    }

    private static string PlotRecursion(List<MfacRecursionPoint> points, string path)
    {
        var plot = new ScottPlot.Plot();
        var xs = points.Select(p => Math.Log10(p.M)).ToArray();
        var ys = points.Select(p => Math.Log10(p.UpdateSeconds)).ToArray();
        var line = plot.Add.Scatter(xs, ys);
        line.LegendText = $"window update at d = {points[0].D}";
        line.LineWidth = 2;
        var reference = plot.Add.Scatter(xs, xs.Select(v => ys[^1] + 3 * (v - xs[^1])).ToArray());
        reference.LegendText = "slope 3 (O(m^3))";
        reference.LinePattern = ScottPlot.LinePattern.Dashed;
        reference.MarkerSize = 0;
        LogTicks(plot.Axes.Bottom, "N0");
        LogTicks(plot.Axes.Left, "G3");
        plot.Title("M-FAC sliding window: the m x m recursion");
        plot.XLabel("m");
        plot.YLabel("seconds per push");
        plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
        plot.SavePng(path, 900, 560);
        return path;
    }

    private static void LogTicks(ScottPlot.IAxis axis, string format) =>
        AmgPlots.LogAxis(axis, v => v.ToString(format, System.Globalization.CultureInfo.InvariantCulture));

    public static void Print(MfacBenchResult r)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var t = new Table().Title(Markup.Escape($"M-FAC, d = {r.D}, m = {r.M}, {r.Precision}, {r.Threads} threads")).AddColumn("figure").AddColumn(new TableColumn("value").RightAligned());
        t.AddRow("STREAM triad", $"{r.StreamGBps.ToString("F1", inv)} GB/s");
        t.AddRow("setup (Gram + recursion)", $"{r.SetupSeconds.ToString("F3", inv)} s");
        t.AddRow("F^-1 x", $"{(r.IhvpSeconds * 1e3).ToString("F2", inv)} ms");
        t.AddRow("memory bound (2 passes over m x d)", $"{(r.MemoryBoundSeconds * 1e3).ToString("F2", inv)} ms ({r.RatioToMemoryBound.ToString("F2", inv)}x)");
        if (r.MathnetSeconds is { } mn)
            t.AddRow("MathNet Woodbury", $"{(mn * 1e3).ToString("F2", inv)} ms ({r.SpeedupOverMathnet?.ToString("F1", inv)}x slower; difference {r.MathnetMaxRelativeDifference?.ToString("E1", inv)})");
        t.AddRow("sliding-window update", $"{(r.UpdateSeconds * 1e3).ToString("F2", inv)} ms");
        t.AddRow("whole diagonal of F^-1", $"{(r.DiagonalSeconds * 1e3).ToString("F2", inv)} ms");
        AnsiConsole.Write(t);
    }

    /// <summary>Training loss per epoch of the digits MLP for M-FAC, SGD with momentum and Adam, same mini-batches.</summary>
    public static IReadOnlyDictionary<string, double[]> TrainDigits(double[,] x, int[] labels, int hidden, int epochs, int batch, int seed, double mfacLearningRate, double mfacDamping, TextWriter log)
    {
        var mlp = new Mlp(x.GetLength(1), hidden, labels.Max() + 1);
        var optimizers = new IGradientTransformation[]
        {
            new MfacOptimizer(new MfacOptions { WindowSize = 32, Lambda = mfacDamping }, LearningRate: mfacLearningRate, Momentum: 0.0),
            new SgdMomentum(LearningRate: 0.05, Momentum: 0.9),
            new Adam(LearningRate: 3e-3),
        };
        var curves = new Dictionary<string, double[]>();
        int n = labels.Length;
        foreach (var opt in optimizers)
        {
            var w = mlp.Initialize(seed);
            var state = opt.Init(w);
            var g = new double[w.Length];
            var u = new double[w.Length];
            var curve = new double[epochs + 1];
            curve[0] = mlp.LossAndGradient(w, x, labels, Span<double>.Empty);
            for (int e = 1; e <= epochs; e++)
            {
                var order = Enumerable.Range(0, n).OrderBy(k => CounterRandom.Bits((ulong)(seed * 1000 + e), (ulong)k)).ToArray();
                for (int b0 = 0; b0 + batch <= n; b0 += batch)
                {
                    mlp.LossAndGradient(w, x, labels, g, new ArraySegment<int>(order, b0, batch));
                    opt.Update(g, state, w, u);
                    for (int i = 0; i < w.Length; i++) w[i] += u[i];
                }
                curve[e] = mlp.LossAndGradient(w, x, labels, Span<double>.Empty);
            }
            log.WriteLine($"  {opt.Name}: loss {curve[0]:F4} -> {curve[^1]:F4} after {epochs} epochs");
            curves[opt.Name] = curve;
        }
        return curves;
    }

    /// <summary>
    /// Test accuracy of a trained digits MLP after pruning its weight matrices (biases kept) to each sparsity, by
    /// magnitude and by OBS with the M-FAC inverse Fisher from mini-batch gradients.
    /// </summary>
    public static IReadOnlyList<(double Sparsity, double Magnitude, double Obs)> PruneDigits(double[,] trainX, int[] trainY, double[,] testX, int[] testY,
        int hidden, int seed, double[] sparsities, TextWriter log, out double denseAccuracy)
    {
        var mlp = new Mlp(trainX.GetLength(1), hidden, trainY.Max() + 1);
        var w = mlp.Initialize(seed);
        var adam = new Adam(LearningRate: 3e-3);
        var state = adam.Init(w);
        var g = new double[w.Length];
        var u = new double[w.Length];
        int n = trainY.Length;
        const int batch = 32;
        for (int e = 1; e <= 40; e++)
        {
            var order = Enumerable.Range(0, n).OrderBy(k => CounterRandom.Bits((ulong)(seed + e), (ulong)k)).ToArray();
            for (int b0 = 0; b0 + batch <= n; b0 += batch)
            {
                mlp.LossAndGradient(w, trainX, trainY, g, new ArraySegment<int>(order, b0, batch));
                adam.Update(g, state, w, u);
                for (int i = 0; i < w.Length; i++) w[i] += u[i];
            }
        }
        denseAccuracy = mlp.Accuracy(w, testX, testY);
        log.WriteLine($"  dense MLP: test accuracy {denseAccuracy:P2}");
        var isBias = new bool[w.Length];
        int d = mlp.Inputs, h = mlp.Hidden, c = mlp.Classes;
        for (int j = 0; j < h; j++) isBias[h * d + j] = true;
        for (int q = 0; q < c; q++) isBias[h * d + h + c * h + q] = true;
        var batches = Enumerable.Range(0, n).OrderBy(k => CounterRandom.Bits((ulong)(seed + 999), (ulong)k)).ToArray();
        var rows = new List<(double, double, double)>();
        foreach (double sparsity in sparsities)
        {
            var wm = (double[])w.Clone();
            Pruning.Magnitude(wm, sparsity, isBias);
            var wo = (double[])w.Clone();
            Pruning.OptimalBrainSurgeon(wo, (weights, i, grad) =>
                mlp.LossAndGradient(weights, trainX, trainY, grad, new ArraySegment<int>(batches, i * 16 % (n - 16), 16)),
                new PruningOptions { TargetSparsity = sparsity, Steps = 8, Protected = isBias, Fisher = new MfacOptions { WindowSize = 64, Lambda = 1e-4 } });
            double am = mlp.Accuracy(wm, testX, testY), ao = mlp.Accuracy(wo, testX, testY);
            log.WriteLine($"  sparsity {sparsity:P0}: magnitude {am:P2}, OBS + M-FAC {ao:P2}");
            rows.Add((sparsity, am, ao));
        }
        return rows;
    }
}
