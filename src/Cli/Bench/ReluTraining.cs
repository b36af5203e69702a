using System.Diagnostics;
using System.Text.Json.Serialization;
using Solvers.Relu;
using Solvers.Sketching;
using Solvers.Sparse;

namespace Solvers.Cli.Bench;

/// <summary>A labelled data set split into training and test parts.</summary>
internal sealed record ReluDataSplit(string Name, double[,] TrainX, double[] TrainY, double[,] TestX, double[] TestY);

/// <summary>What <c>solvers train-relu</c> measured.</summary>
internal sealed record ReluTrainingResult
{
    [JsonPropertyName("data")] public required string Data { get; init; }
    [JsonPropertyName("trainSamples")] public required int TrainSamples { get; init; }
    [JsonPropertyName("testSamples")] public required int TestSamples { get; init; }
    [JsonPropertyName("features")] public required int Features { get; init; }
    [JsonPropertyName("formulation")] public required string Formulation { get; init; }
    [JsonPropertyName("beta")] public required double Beta { get; init; }
    [JsonPropertyName("patternsRequested")] public required int PatternsRequested { get; init; }
    [JsonPropertyName("patternsUsed")] public required int PatternsUsed { get; init; }
    [JsonPropertyName("neurons")] public required int Neurons { get; init; }
    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("message")] public required string Message { get; init; }
    [JsonPropertyName("objective")] public required double Objective { get; init; }
    [JsonPropertyName("networkObjective")] public required double NetworkObjective { get; init; }
    [JsonPropertyName("maxConstraintViolation")] public required double MaxConstraintViolation { get; init; }
    [JsonPropertyName("trainAccuracy")] public required double TrainAccuracy { get; init; }
    [JsonPropertyName("testAccuracy")] public required double TestAccuracy { get; init; }
    [JsonPropertyName("iterations")] public required int Iterations { get; init; }
    [JsonPropertyName("seconds")] public required double Seconds { get; init; }
    [JsonPropertyName("setupSeconds")] public required double SetupSeconds { get; init; }
    [JsonPropertyName("linearSolver")] public required string LinearSolver { get; init; }
    [JsonPropertyName("adamWidth")] public required int AdamWidth { get; init; }
    [JsonPropertyName("adamEpochs")] public required int AdamEpochs { get; init; }
    [JsonPropertyName("adamObjectives")] public required IReadOnlyList<double> AdamObjectives { get; init; }
    [JsonPropertyName("adamTestAccuracies")] public required IReadOnlyList<double> AdamTestAccuracies { get; init; }
    [JsonPropertyName("adamBestObjective")] public required double? AdamBestObjective { get; init; }
    [JsonPropertyName("adamBestTestAccuracy")] public required double? AdamBestTestAccuracy { get; init; }
    [JsonPropertyName("adamSeconds")] public required double AdamSeconds { get; init; }
    [JsonPropertyName("certifiedObjective")] public double? CertifiedObjective { get; init; }
    [JsonPropertyName("certifiedTrainAccuracy")] public double? CertifiedTrainAccuracy { get; init; }
    [JsonPropertyName("certifiedTestAccuracy")] public double? CertifiedTestAccuracy { get; init; }
    [JsonPropertyName("certifiedPatterns")] public int? CertifiedPatterns { get; init; }
    [JsonPropertyName("certifiedNeurons")] public int? CertifiedNeurons { get; init; }
    [JsonPropertyName("certifiedStatus")] public string? CertifiedStatus { get; init; }
    [JsonPropertyName("certifiedSeconds")] public double? CertifiedSeconds { get; init; }
    [JsonPropertyName("objectiveHistory")] public required IReadOnlyList<double> History { get; init; }
    [JsonPropertyName("historyIterations")] public required IReadOnlyList<int> HistoryIterations { get; init; }
    [JsonPropertyName("plot")] public string? Plot { get; init; }
    /// <summary>With --splits K &gt; 1: one row per split seed (the fields above are the first split's).</summary>
    [JsonPropertyName("splits")] public IReadOnlyList<ReluSplitSummary>? Splits { get; init; }
    /// <summary>With --splits: correct test predictions over all splits / test samples over all splits.</summary>
    [JsonPropertyName("pooledTestAccuracy")] public double? PooledTestAccuracy { get; init; }
    [JsonPropertyName("pooledCertifiedTestAccuracy")] public double? PooledCertifiedTestAccuracy { get; init; }
    [JsonPropertyName("pooledAdamBestTestAccuracy")] public double? PooledAdamBestTestAccuracy { get; init; }
    [JsonIgnore] public IReadOnlyList<double>? AdamBestHistory { get; init; }
    [JsonIgnore] public IReadOnlyList<ReluIteration>? CertifiedHistory { get; init; }
}

/// <summary>One train/test split of <c>solvers train-relu --splits K</c>.</summary>
internal sealed record ReluSplitSummary
{
    [JsonPropertyName("seed")] public required ulong Seed { get; init; }
    [JsonPropertyName("testSamples")] public required int TestSamples { get; init; }
    [JsonPropertyName("objective")] public required double Objective { get; init; }
    [JsonPropertyName("testAccuracy")] public required double TestAccuracy { get; init; }
    [JsonPropertyName("certifiedObjective")] public double? CertifiedObjective { get; init; }
    [JsonPropertyName("certifiedTestAccuracy")] public double? CertifiedTestAccuracy { get; init; }
    [JsonPropertyName("adamBestObjective")] public double? AdamBestObjective { get; init; }
    [JsonPropertyName("adamBestTestAccuracy")] public double? AdamBestTestAccuracy { get; init; }

    public static ReluSplitSummary Of(ulong seed, ReluTrainingResult r) => new()
    {
        Seed = seed, TestSamples = r.TestSamples, Objective = r.Objective, TestAccuracy = r.TestAccuracy,
        CertifiedObjective = r.CertifiedObjective, CertifiedTestAccuracy = r.CertifiedTestAccuracy,
        AdamBestObjective = r.AdamBestObjective, AdamBestTestAccuracy = r.AdamBestTestAccuracy,
    };

    /// <summary>Correct predictions over all splits divided by test samples over all splits (null when any split lacks the figure).</summary>
    public static double? Pooled(IReadOnlyList<ReluSplitSummary> splits, Func<ReluSplitSummary, double?> accuracy)
    {
        if (splits.Any(q => accuracy(q) is null)) return null;
        double correct = splits.Sum(q => Math.Round(accuracy(q)!.Value * q.TestSamples));
        return correct / splits.Sum(q => q.TestSamples);
    }
}

/// <summary>Loading, splitting, convex training and the Adam comparison behind <c>solvers train-relu</c>.</summary>
internal static class ReluTraining
{
    /// <summary>
    /// Reads a CSV (label in the last column) or LIBSVM file; two distinct labels become -1 / +1 (the smaller -1);
    /// with more, <paramref name="positiveClass"/> picks the class that becomes +1.
    /// </summary>
    public static (double[,] X, double[] Y) Load(string path, int? positiveClass)
    {
        double[,] x;
        double[] labels;
        string lower = path.ToLowerInvariant();
        if (lower.EndsWith(".csv", StringComparison.Ordinal) || lower.EndsWith(".csv.gz", StringComparison.Ordinal))
        {
            var data = Csv.Read(path);
            (x, labels) = (data.Features, data.Labels);
        }
        else
        {
            var data = LibSvm.Read(path);
            x = data.Features.ToDense();
            labels = data.Labels;
        }
        var classes = labels.Distinct().Order().ToArray();
        if (positiveClass is { } pc)
        {
            if (!classes.Contains(pc)) throw new Commands.CliUsageException($"--positive-class {pc}: {path} has labels {string.Join(", ", classes)}");
            return (x, labels.Select(l => l == pc ? 1.0 : -1.0).ToArray());
        }
        if (classes.Length != 2)
            throw new Commands.CliUsageException($"{path} has {classes.Length} distinct labels; give --positive-class to train one class against the rest");
        return (x, labels.Select(l => l == classes[0] ? -1.0 : 1.0).ToArray());
    }

    /// <summary>A seeded shuffle (counter-based, the same on every machine), then the first test fraction is held out.</summary>
    public static ReluDataSplit Split(string name, double[,] x, double[] y, double testFraction, ulong seed)
    {
        int n = y.Length, d = x.GetLength(1);
        var order = Enumerable.Range(0, n).OrderBy(k => CounterRandom.Bits(seed, (ulong)k)).ToArray();
        int nTest = (int)Math.Round(testFraction * n);
        double[,] Rows(int[] idx)
        {
            var r = new double[idx.Length, d];
            for (int i = 0; i < idx.Length; i++)
                for (int c = 0; c < d; c++) r[i, c] = x[idx[i], c];
            return r;
        }
        var test = order.Take(nTest).ToArray();
        var train = order.Skip(nTest).ToArray();
        return new ReluDataSplit(name, Rows(train), train.Select(k => y[k]).ToArray(), Rows(test), test.Select(k => y[k]).ToArray());
    }

    /// <summary>Trains the convex network, then Adam networks of the same width from several seeds on the same features and objective.</summary>
    public static ReluTrainingResult Run(ReluDataSplit split, ConvexReluOptions options, int adamSeeds, int adamEpochs, double adamLearningRate, TextWriter log)
    {
        var fit = ConvexReluNetwork.Fit(split.TrainX, split.TrainY, options);
        var net = fit.Network;
        var r = fit.Report;
        log.WriteLine($"  convex: {r.Status}, {r.Iterations} iterations, objective {r.ConvexObjective:G8}, {r.Neurons} neurons, {(r.SetupElapsed + r.Elapsed).TotalSeconds:F2} s");

        // Adam sees exactly what the convex network sees: the same scaling and intercept column.
        var scaling = net.Scaling;
        double[,] Features(double[,] raw)
        {
            var t = scaling.Transform(raw);
            int n = raw.GetLength(0), d = scaling.NetworkFeatures;
            var m = new double[n, d];
            for (int k = 0; k < n; k++)
                for (int c = 0; c < d; c++) m[k, c] = t[k * d + c];
            return m;
        }
        var trainF = Features(split.TrainX);
        var testF = Features(split.TestX);
        int width = Math.Max(1, r.Neurons);
        var objectives = new List<double>();
        var accuracies = new List<double>();
        var histories = new List<IReadOnlyList<double>>();
        var firstLayers = new List<double[,]>();
        var clock = Stopwatch.StartNew();
        for (int seed = 0; seed < adamSeeds; seed++)
        {
            var adam = AdamReluTrainer.Train(trainF, split.TrainY, new AdamReluOptions
            {
                Width = width, Beta = options.Beta, Epochs = adamEpochs, LearningRate = adamLearningRate, Seed = (ulong)seed,
                CancellationToken = options.CancellationToken,
            });
            var f = AdamReluTrainer.Predict(testF, adam.FirstLayer, adam.SecondLayer);
            double acc = split.TestY.Length == 0 ? double.NaN : (double)f.Where((v, k) => (v >= 0) == (split.TestY[k] >= 0)).Count() / f.Length;
            objectives.Add(adam.Objective);
            histories.Add(adam.History);
            firstLayers.Add(adam.FirstLayer);
            accuracies.Add(acc);
            log.WriteLine($"  Adam seed {seed}: objective {adam.Objective:G8}, test accuracy {acc:P1}");
        }
        clock.Stop();
        int best = objectives.Count == 0 ? -1 : objectives.IndexOf(objectives.Min());
        // The certificate: the same convex program with the best Adam network's patterns added to the sampled
        // ones; its optimum is no worse than that network's objective, whatever the sample missed.
        ConvexReluFit? certified = null;
        if (best >= 0)
        {
            certified = ConvexReluNetwork.Fit(split.TrainX, split.TrainY, options with { ExtraGates = firstLayers[best] });
            log.WriteLine($"  certified (sampled + Adam's patterns): {certified.Report.Status}, objective {certified.Report.ConvexObjective:G8}, {certified.Report.PatternsUsed} patterns");
        }
        return new ReluTrainingResult
        {
            CertifiedObjective = certified?.Report.ConvexObjective, CertifiedTrainAccuracy = certified?.Network.Accuracy(split.TrainX, split.TrainY),
            CertifiedTestAccuracy = certified is null || split.TestY.Length == 0 ? null : certified.Network.Accuracy(split.TestX, split.TestY),
            CertifiedPatterns = certified?.Report.PatternsUsed, CertifiedNeurons = certified?.Report.Neurons, CertifiedStatus = certified?.Report.Status.ToString(),
            CertifiedSeconds = certified is null ? null : (certified.Report.SetupElapsed + certified.Report.Elapsed).TotalSeconds,
            Data = split.Name, TrainSamples = split.TrainY.Length, TestSamples = split.TestY.Length, Features = split.TrainX.GetLength(1),
            Formulation = options.Formulation.ToString(), Beta = options.Beta, PatternsRequested = r.PatternsRequested, PatternsUsed = r.PatternsUsed,
            Neurons = r.Neurons, Status = r.Status.ToString(), Message = r.Message, Objective = r.ConvexObjective, NetworkObjective = r.NetworkObjective,
            MaxConstraintViolation = r.MaxConstraintViolation, TrainAccuracy = net.Accuracy(split.TrainX, split.TrainY),
            TestAccuracy = split.TestY.Length == 0 ? double.NaN : net.Accuracy(split.TestX, split.TestY), Iterations = r.Iterations,
            Seconds = (r.SetupElapsed + r.Elapsed).TotalSeconds, SetupSeconds = r.SetupElapsed.TotalSeconds, LinearSolver = r.LinearSolver,
            AdamWidth = width, AdamEpochs = adamEpochs, AdamObjectives = objectives, AdamTestAccuracies = accuracies,
            AdamBestObjective = best >= 0 ? objectives[best] : null, AdamBestTestAccuracy = best >= 0 ? accuracies[best] : null,
            AdamSeconds = clock.Elapsed.TotalSeconds, AdamBestHistory = best >= 0 ? histories[best] : null, CertifiedHistory = certified?.Report.History,
            History = r.History.Select(h => h.Objective).ToList(), HistoryIterations = r.History.Select(h => h.Iteration).ToList(),
        };
    }

    /// <summary>The training curve: convex objective against iteration, Adam's best-seed objective against epoch.</summary>
    public static string Plot(ReluTrainingResult r, string path)
    {
        var adamHistory = r.AdamBestHistory;
        var plot = new ScottPlot.Plot();
        var convex = plot.Add.Scatter(r.HistoryIterations.Select(i => (double)i).ToArray(), r.History.Select(v => Math.Log10(Math.Max(v, 1e-300))).ToArray());
        convex.LegendText = $"convex ({r.Formulation}), {r.PatternsUsed} patterns";
        convex.LineWidth = 2;
        convex.MarkerSize = 0;
        if (adamHistory is { Count: > 0 })
        {
            var adam = plot.Add.Scatter(Enumerable.Range(1, adamHistory.Count).Select(i => (double)i).ToArray(), adamHistory.Select(v => Math.Log10(Math.Max(v, 1e-300))).ToArray());
            adam.LegendText = $"Adam, width {r.AdamWidth}, best seed (epochs)";
            adam.LineWidth = 2;
            adam.MarkerSize = 0;
        }
        if (r.CertifiedHistory is { Count: > 0 } ch)
        {
            var cert = plot.Add.Scatter(ch.Select(h => (double)h.Iteration).ToArray(), ch.Select(h => Math.Log10(Math.Max(h.Objective, 1e-300))).ToArray());
            cert.LegendText = $"convex, sampled + best Adam network's patterns ({r.CertifiedPatterns})";
            cert.LineWidth = 2;
            cert.MarkerSize = 0;
        }
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = y => $"{Math.Pow(10, y):G3}" };
        plot.Title($"Two-layer ReLU training on {r.Data}, beta = {r.Beta:G3}");
        plot.XLabel("iteration (convex) / epoch (Adam)");
        plot.YLabel("training objective");
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        plot.SavePng(path, 900, 560);
        return path;
    }
}
