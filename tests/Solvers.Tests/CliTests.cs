using System.Text.Json;
using Solvers.Cli;
using Solvers.Cli.Bench;
using Solvers.Cli.Commands;
using Solvers.Sparse;
using Xunit;

namespace Solvers.Tests;

public sealed class CliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "solvers-cli-tests-" + Guid.NewGuid().ToString("N"));

    public CliTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }

    internal static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static void AssertOneLineError(string err)
    {
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("solvers: error: ", lines[0]);
    }

    private string WriteFile(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>The bench JSON carries the keys scripts rely on (values are timings: only their presence and sign are checked).</summary>
    [Fact]
    public void BenchJsonHasTheDocumentedKeys()
    {
        var (code, output, _) = Run("bench", "spmv", "--problem", "poisson2d:20", "--json");
        Assert.Equal(0, code);
        using (var doc = JsonDocument.Parse(output))
        {
            foreach (string key in new[] { "streamGBps", "spmvGBps", "spmvOverStream", "spmvSeconds" })
                Assert.True(doc.RootElement.GetProperty(key).GetDouble() > 0, key);
            Assert.Equal(400, doc.RootElement.GetProperty("n").GetInt32());
        }

        (code, output, _) = Run("bench", "cg", "--problem", "poisson2d:20", "--json");
        Assert.Equal(0, code);
        using (var doc = JsonDocument.Parse(output))
        {
            var root = doc.RootElement;
            foreach (string key in new[] { "streamGBps", "cgSeconds", "cgLowerBoundSeconds", "mathnetSeconds" })
                Assert.True(root.GetProperty(key).GetDouble() > 0, key);
            Assert.Equal("Converged", root.GetProperty("cgStatus").GetString());
            Assert.True(root.GetProperty("cgIterations").GetInt32() > 0);
            Assert.Contains(root.GetProperty("mathnetSolver").GetString(), new[] { "BiCgStab", "GpBiCg", "MlkBiCgStab", "TFQMR" });
            Assert.True(root.GetProperty("cgRelativeResidual").GetDouble() <= 1e-8);
        }
    }

    /// <summary>bench amg: the scaling rows, the growth ratio, the comparison and the plots, on tiny problems.</summary>
    [Fact]
    public void BenchAmgReportsScalingComparisonAndPlots()
    {
        string dir = Path.Combine(Path.GetTempPath(), "solvers-bench-amg-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, output, err) = Run("bench", "amg", "--problems", "poisson2d:24", "poisson2d:48", "--compare", "poisson2d:24",
                "--mathnet-budget", "30", "--plots", dir, "--history-problem", "poisson2d:24", "--plot-sizes", "16", "32", "--amg", "coarse=40", "--json");
            Assert.True(code == 0, err);
            using var doc = JsonDocument.Parse(output);
            var root = doc.RootElement;
            var rows = root.GetProperty("scaling").EnumerateArray().ToList();
            Assert.Equal(2, rows.Count);
            Assert.All(rows, r => Assert.Equal("Converged", r.GetProperty("status").GetString()));
            Assert.Equal(48 * 48, rows[1].GetProperty("n").GetInt32());
            Assert.True(rows[1].GetProperty("levels").GetArrayLength() >= 3);
            var growth = root.GetProperty("growth")[0];
            Assert.Equal("poisson2d", growth.GetProperty("family").GetString());
            Assert.Equal((double)rows[1].GetProperty("iterations").GetInt32() / rows[0].GetProperty("iterations").GetInt32(),
                growth.GetProperty("iterationRatio").GetDouble(), 12);
            var cmp = root.GetProperty("comparison");
            Assert.True(cmp.GetProperty("jacobiIterations").GetInt32() > cmp.GetProperty("amgIterations").GetInt32());
            Assert.True(cmp.GetProperty("mathnetSeconds").GetDouble() > 0);
            var plots = root.GetProperty("plots").EnumerateArray().Select(p => p.GetString()!).ToList();
            Assert.Equal(2, plots.Count);
            // A PNG file starts with the eight-byte signature 89 50 4E 47 0D 0A 1A 0A.
            Assert.All(plots, p => Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, File.ReadAllBytes(p)[..4]));

            (code, _, err) = Run("bench", "amg", "--amg", "cycle=z");
            Assert.Equal(2, code);
            Assert.Contains("cycle=z", err);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>tune-sor: the documented keys, and the baselines in the order they must be (per-instance optimum below every fixed omega).</summary>
    [Fact]
    public void TuneSorPrintsTotalsAndBaselines()
    {
        string png = Path.Combine(Path.GetTempPath(), "solvers-tune-sor-" + Guid.NewGuid().ToString("N") + ".png");
        try
        {
            var (code, output, err) = Run("tune-sor", "--sequence", "shifted-laplacian", "--steps", "40", "--learner", "chebcb",
                "--compare", "tsallis", "fixed:1.5", "--seed", "2", "--grid", "6", "--plot", png, "--json");
            Assert.True(code == 0, err);
            using var doc = JsonDocument.Parse(output);
            var r = doc.RootElement;
            long total = r.GetProperty("totalIterations").GetInt64();
            long best = r.GetProperty("bestFixedTotalIterations").GetInt64();
            long opt = r.GetProperty("instanceOptimalTotalIterations").GetInt64();
            long gs = r.GetProperty("gaussSeidelTotalIterations").GetInt64();
            double bestOmega = r.GetProperty("bestFixedOmega").GetDouble();
            Assert.InRange(bestOmega, 1.0, 1.95);
            Assert.True(opt <= best && best <= gs, $"{opt} <= {best} <= {gs}");
            Assert.True(total >= opt);
            Assert.Equal(2, r.GetProperty("others").GetArrayLength());
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, File.ReadAllBytes(png)[..4]);

            (code, _, err) = Run("tune-sor", "--learner", "magic");
            Assert.Equal(2, code);
            Assert.Contains("magic", err);
            (code, _, err) = Run("tune-sor", "--sequence", "waves");
            Assert.Equal(2, code);
            Assert.Contains("waves", err);
        }
        finally
        {
            if (File.Exists(png)) File.Delete(png);
        }
    }

    /// <summary>optimize: the documented keys, the literature optimum of HS28, and clear errors.</summary>
    [Fact]
    public void OptimizePrintsTheDocumentedKeys()
    {
        var (code, output, err) = Run("optimize", "--problem", "hs28", "--inner", "minres", "--json");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        var r = doc.RootElement;
        Assert.Equal("Converged", r.GetProperty("status").GetString());
        Assert.Equal(0.0, r.GetProperty("objective").GetDouble(), 8);
        Assert.True(r.GetProperty("kktResidual").GetDouble() <= 1e-6);
        Assert.True(r.GetProperty("iterations").GetInt32() >= 1);
        Assert.True(r.GetProperty("innerIterations").GetInt64() >= 1);
        Assert.True(r.GetProperty("seconds").GetDouble() >= 0);

        (code, output, _) = Run("optimize", "--problem", "control:8", "--inner", "minres", "--json");
        Assert.Equal(0, code);
        Assert.Equal("Converged", JsonDocument.Parse(output).RootElement.GetProperty("status").GetString());

        (code, output, _) = Run("optimize", "--problem", "hs40", "--inner", "block:3", "--json");
        Assert.Equal(0, code);
        Assert.Equal(-0.25, JsonDocument.Parse(output).RootElement.GetProperty("objective").GetDouble(), 8);

        (code, _, err) = Run("optimize", "--problem", "hs999");
        Assert.Equal(2, code);
        Assert.Contains("hs999", err);
        (code, _, err) = Run("optimize", "--problem", "hs28", "--inner", "block:x");
        Assert.Equal(2, code);
        Assert.Contains("block", err);
    }

    /// <summary>bench newton on a small configuration: HS table with the literature optima, peers merged, local convergence, control.</summary>
    [Fact]
    public void BenchNewtonMeasuresEveryPart()
    {
        string peers = Path.Combine(Path.GetTempPath(), $"peers-{Guid.NewGuid():N}.json");
        File.WriteAllText(peers, """{"problems": [{"problem": "hs028", "results": {"ipopt": {"success": true, "iterations": 1, "seconds": 0.002}}}]}""");
        try
        {
            var (code, output, err) = Run("bench", "newton", "--inner", "minres", "--control", "8", "--logreg", "none",
                "--convergence-problem", "hs077", "--peers", peers, "--json");
            Assert.True(code == 0, err);
            using var doc = JsonDocument.Parse(output);
            var r = doc.RootElement;
            var hs = r.GetProperty("hockSchittkowski").EnumerateArray().ToList();
            Assert.Equal(21, hs.Count);
            var hs28 = hs.Single(h => h.GetProperty("problem").GetString() == "hs028");
            Assert.True(hs28.GetProperty("success").GetBoolean());
            Assert.Equal(0.0, hs28.GetProperty("objective").GetDouble(), 8);
            Assert.Equal("Singular", hs.Single(h => h.GetProperty("problem").GetString() == "hs061").GetProperty("status").GetString());
            var summary = r.GetProperty("hsSummary").EnumerateArray().ToList();
            Assert.Equal(20, summary[0].GetProperty("solved").GetInt32());
            Assert.Equal("ipopt", summary[1].GetProperty("solver").GetString());
            Assert.Equal(4, r.GetProperty("convergence").GetArrayLength());
            var control = r.GetProperty("control").EnumerateArray().ToList();
            Assert.Equal("Converged", control[0].GetProperty("status").GetString());
            Assert.Equal(0, r.GetProperty("logisticRegression").GetArrayLength());
        }
        finally
        {
            File.Delete(peers);
        }
        var (badCode, _, badErr) = Run("bench", "newton", "--peers", "/nonexistent/peers.json");
        Assert.Equal(2, badCode);
        Assert.Contains("/nonexistent/peers.json", badErr);
    }

    /// <summary>train-relu: the documented keys on a small CSV written here, Adam compared, and clear errors.</summary>
    [Fact]
    public void TrainReluPrintsTheDocumentedKeys()
    {
        string csv = Path.Combine(Path.GetTempPath(), $"relu-{Guid.NewGuid():N}.csv");
        var rng = new Random(4);
        var lines = new List<string> { "a,b,label" };
        for (int k = 0; k < 60; k++)
        {
            double a = rng.NextDouble() * 2 - 1, b = rng.NextDouble() * 2 - 1;
            lines.Add(FormattableString.Invariant($"{a},{b},{(a * a + b * b < 0.5 ? 1 : 0)}"));
        }
        File.WriteAllLines(csv, lines);
        try
        {
            var (code, output, err) = Run("train-relu", "--data", csv, "--patterns", "16", "--beta", "0.1", "--adam-seeds", "2", "--adam-epochs", "200",
                "--max-iterations", "400", "--plot", "", "--json");
            Assert.True(code is 0 or 1, err);
            using var doc = JsonDocument.Parse(output);
            var r = doc.RootElement;
            foreach (var key in new[] { "objective", "trainAccuracy", "testAccuracy", "adamBestObjective", "adamBestTestAccuracy", "iterations", "seconds" })
                Assert.True(r.TryGetProperty(key, out _), $"missing {key}");
            Assert.Equal(48, r.GetProperty("trainSamples").GetInt32());
            Assert.Equal(2, r.GetProperty("adamObjectives").GetArrayLength());
            // The certified solve contains the best Adam network's patterns, so its optimum is no worse than Adam's.
            Assert.True(r.GetProperty("certifiedObjective").GetDouble() <= r.GetProperty("adamBestObjective").GetDouble() * (1 + 1e-3));

            // Two splits: the first equals the single run above; pooled = correct predictions over all test samples.
            var (code2, output2, err2) = Run("train-relu", "--data", csv, "--patterns", "16", "--beta", "0.1", "--adam-seeds", "2", "--adam-epochs", "200",
                "--max-iterations", "400", "--plot", "", "--splits", "2", "--json");
            Assert.True(code2 is 0 or 1, err2);
            using var doc2 = JsonDocument.Parse(output2);
            var splits = doc2.RootElement.GetProperty("splits");
            Assert.Equal(2, splits.GetArrayLength());
            Assert.Equal(r.GetProperty("testAccuracy").GetDouble(), splits[0].GetProperty("testAccuracy").GetDouble());
            Assert.Equal(1UL, splits[1].GetProperty("seed").GetUInt64());
            double correct = 0, total = 0;
            foreach (var q in splits.EnumerateArray())
            {
                correct += Math.Round(q.GetProperty("adamBestTestAccuracy").GetDouble() * q.GetProperty("testSamples").GetInt32());
                total += q.GetProperty("testSamples").GetInt32();
            }
            Assert.Equal(correct / total, doc2.RootElement.GetProperty("pooledAdamBestTestAccuracy").GetDouble(), 12);
            var (zeroCode, _, zeroErr) = Run("train-relu", "--data", csv, "--splits", "0");
            Assert.Equal(2, zeroCode);
            Assert.Contains("--splits", zeroErr);
        }
        finally
        {
            File.Delete(csv);
        }
        var (badCode, _, badErr) = Run("train-relu", "--data", "/nonexistent/x.csv");
        Assert.Equal(2, badCode);
        Assert.Contains("/nonexistent/x.csv", badErr);
    }

    /// <summary>mfac-bench: the documented keys, our product agreeing with MathNet's Woodbury product, and clear errors.</summary>
    [Fact]
    public void MfacBenchPrintsTheDocumentedKeysAndAgreesWithMathNet()
    {
        var (code, output, err) = Run("mfac-bench", "--d", "3000", "--m", "8", "--precision", "double", "--json");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        var r = doc.RootElement;
        foreach (var key in new[] { "ihvpSeconds", "memoryBoundSeconds", "streamGBps", "mathnetSeconds", "updateSeconds" })
            Assert.True(r.GetProperty(key).GetDouble() > 0, key);
        Assert.True(r.GetProperty("mathnetMaxRelativeDifference").GetDouble() <= 1e-10);
        (code, output, err) = Run("mfac-bench", "--d", "3000", "--m", "8", "--precision", "float", "--json");
        Assert.True(code == 0, err);
        Assert.True(JsonDocument.Parse(output).RootElement.GetProperty("mathnetMaxRelativeDifference").GetDouble() <= 1e-4);

        (code, _, err) = Run("mfac-bench", "--precision", "half");
        Assert.Equal(2, code);
        Assert.Contains("half", err);
        (code, _, err) = Run("mfac-bench", "--m", "0");
        Assert.Equal(2, code);
        Assert.Contains("--m", err);
    }

    /// <summary>
    /// bench --all --quick runs every suite entry in process and rewrites only the section between the markers:
    /// the hand text around them survives, STREAM comes first, every entry has its heading, the linked PNGs exist.
    /// </summary>
    [Fact]
    public void BenchAllQuickRewritesOnlyTheMarkedSection()
    {
        const string head = "# Benchmarks\n\nHand-written intro that must survive.\n\n";
        const string tail = "\n\n## Issue 2 figures\n\nHand-written table | kept | as is |\n";
        string md = WriteFile("benchmarks.md", head + BenchAll.BeginMarker + "\nplaceholder to be replaced\n" + BenchAll.EndMarker + tail);
        string img = Path.Combine(_dir, "img");

        var (code, output, err) = Run("bench", "--all", "--quick", "--output", md, "--plots", img);

        Assert.True(code == 0, output + err);
        string text = File.ReadAllText(md);
        Assert.StartsWith(head + BenchAll.BeginMarker + "\n", text);
        Assert.EndsWith(BenchAll.EndMarker + tail, text);
        Assert.DoesNotContain("placeholder to be replaced", text);
        int begin = text.IndexOf(BenchAll.BeginMarker, StringComparison.Ordinal) + BenchAll.BeginMarker.Length;
        string generated = text[begin..text.IndexOf(BenchAll.EndMarker, StringComparison.Ordinal)];

        // The STREAM figure is measured and stands above every entry.
        var stream = System.Text.RegularExpressions.Regex.Match(generated, @"\*\*STREAM triad: ([0-9.]+) GB/s\*\*");
        Assert.True(stream.Success, generated);
        Assert.True(double.Parse(stream.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Contains("Machine: " + Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture) + " processors", generated);
        int firstHeading = generated.IndexOf("\n### ", StringComparison.Ordinal);
        Assert.True(firstHeading > stream.Index);

        var lines = generated.Split('\n');
        foreach (var entry in BenchAll.Suite)
            Assert.Contains("### " + entry.Title, lines);
        // Every entry either ran (its command line with exit 0) or says why it was skipped (shared data missing).
        int ran = lines.Count(l => l.StartsWith("`solvers ", StringComparison.Ordinal));
        int skipped = lines.Count(l => l.StartsWith("Skipped: ", StringComparison.Ordinal));
        Assert.Equal(BenchAll.Suite.Count, ran + skipped);
        Assert.Equal(ran, lines.Count(l => l.StartsWith("`solvers ", StringComparison.Ordinal) && l.Contains("`: exit 0, ", StringComparison.Ordinal)));
        Assert.All(lines.Where(l => l.StartsWith("Skipped: ", StringComparison.Ordinal)), l => Assert.Contains("shared data", l));

        // The data-independent plots were written where --plots said, and every link points at a file.
        foreach (var png in new[] { "amg-residual-history.png", "amg-iterations-vs-size.png", "tune-sor-shifted-laplacian.png",
                     "tune-sor-shifted-laplacian-low.png", "tune-sor-heat.png", "newton-local-convergence.png", "mfac-growth-d.png" })
        {
            Assert.True(new FileInfo(Path.Combine(img, png)) is { Exists: true, Length: > 0 }, png);
            Assert.Contains($"]({"img/" + png})", generated);
        }
        foreach (System.Text.RegularExpressions.Match link in System.Text.RegularExpressions.Regex.Matches(generated, @"\]\((img/[^)]+\.png)\)"))
            Assert.True(File.Exists(Path.Combine(_dir, link.Groups[1].Value)), link.Value);
    }

    /// <summary>The full argument lists, which only an hour-long run would execute, parse as the commands expect.</summary>
    [Fact]
    public void BenchAllArgumentListsParse()
    {
        var context = new BenchAllContext
        {
            Plots = "docs/img", Threads = "2", Peers = BenchAll.PeersFile,
            Data = new Dictionary<string, string> { ["heart_scale"] = "h", ["breast_cancer.csv"] = "b.csv", ["digits.csv.gz"] = "d.csv.gz" },
        };
        var root = Program.BuildRootCommand(TextWriter.Null, TextWriter.Null);
        foreach (var entry in BenchAll.Suite)
        {
            foreach (var args in new[] { entry.Full(context), entry.Quick!(context) })
            {
                var parse = root.Parse(args);
                Assert.True(parse.Errors.Count == 0, $"{BenchAll.CommandLine(args)}: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
            }
        }
        Assert.Equal("STREAM triad", BenchAll.Suite[0].Title);
    }

    /// <summary>bench --all refuses a markdown file without the markers before running anything; bench alone asks for a subcommand.</summary>
    [Fact]
    public void BenchAllRefusesAFileWithoutMarkers()
    {
        const string original = "# Benchmarks\n\nno markers here\n";
        string md = WriteFile("nomarkers.md", original);
        string img = Path.Combine(_dir, "img-none");
        var (code, _, err) = Run("bench", "--all", "--quick", "--output", md, "--plots", img);
        Assert.Equal(2, code);
        AssertOneLineError(err);
        Assert.Contains(BenchAll.BeginMarker, err);
        Assert.Equal(original, File.ReadAllText(md));
        Assert.False(Directory.Exists(img));

        (code, _, err) = Run("bench");
        Assert.Equal(2, code);
        Assert.Contains("--all", err);
    }

    /// <summary>bench relu on a tiny configuration, and bench relu / bench mfac refusing bad input.</summary>
    [Fact]
    public void BenchReluAndBenchMfacCheckTheirInput()
    {
        var (code, output, err) = Run("bench", "relu", "--sizes", "60", "--patterns", "2", "4", "--d", "3", "--gap-iterations", "20", "--json");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        var rows = doc.RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, row => Assert.True(row.GetProperty("lowerBoundSeconds").GetDouble() > 0));

        (code, _, err) = Run("bench", "relu", "--sizes", "1");
        Assert.Equal(2, code);
        Assert.Contains("--sizes", err);
        (code, _, err) = Run("bench", "mfac", "--data", "/nonexistent/digits.csv.gz");
        Assert.Equal(2, code);
        Assert.Contains("/nonexistent/digits.csv.gz", err);
    }

    [Fact]
    public void SolveGeneratedProblemPrintsOneJsonObject()
    {
        var (code, output, err) = Run("solve", "--problem", "poisson2d:16", "--json", "--backend", "cpu");
        Assert.Equal(0, code);
        Assert.Equal("", err);
        using var doc = JsonDocument.Parse(output); // throws unless stdout is exactly one JSON value
        var root = doc.RootElement;
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        Assert.Equal("Converged", root.GetProperty("status").GetString());
        Assert.True(root.GetProperty("relativeResidual").GetDouble() <= 1e-8);
        Assert.Equal(256, root.GetProperty("n").GetInt32());
        Assert.Equal(5 * 16 * 16 - 4 * 16, root.GetProperty("nnz").GetInt32());
        Assert.True(root.GetProperty("errorVsOnes").GetDouble() < 1e-6);
        Assert.True(root.GetProperty("iterations").GetInt32() > 0);
        Assert.Equal("jacobi", root.GetProperty("preconditioner").GetString());
        Assert.StartsWith("cpu", root.GetProperty("backend").GetString());
        foreach (string name in new[] { "seconds", "setupSeconds", "gbps", "message" })
            Assert.True(root.TryGetProperty(name, out _), name);
    }

    [Fact]
    public void SolveSummaryTableNamesTheFigures()
    {
        var (code, output, _) = Run("solve", "--problem", "poisson2d:8", "--backend", "cpu", "--threads", "1");
        Assert.Equal(0, code);
        foreach (string word in new[] { "Converged", "iterations", "relative residual", "error vs ones", "GB/s", "cpu", "jacobi", "nnz" })
            Assert.Contains(word, output);
        Assert.DoesNotContain("\u001b[", output); // no ANSI codes when stdout is not a terminal
    }

    [Fact]
    public void SolveMatrixMarketFileWithRhsMatchesDenseSolve()
    {
        // A small SPD matrix (symmetric, strictly diagonally dominant) and a non-trivial b.
        var a = CsrMatrix.FromDense(new double[,]
        {
            { 4, -1, 0, 0.5, 0 },
            { -1, 5, -2, 0, 0 },
            { 0, -2, 6, -1, 0 },
            { 0.5, 0, -1, 3, -1 },
            { 0, 0, 0, -1, 2 },
        });
        double[] b = [1, -2, 3, 0.5, 4];
        string aPath = Path.Combine(_dir, "a.mtx"), bPath = Path.Combine(_dir, "b.mtx"), xPath = Path.Combine(_dir, "x.mtx");
        MatrixMarket.WriteMatrix(aPath, a);
        MatrixMarket.WriteVector(bPath, b);

        var (code, output, err) = Run("solve", aPath, "--rhs", bPath, "--out", xPath, "--tol", "1e-12", "--json");
        Assert.Equal(0, code);
        Assert.Equal("", err);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("errorVsOnes").ValueKind);

        double[] x = MatrixMarket.ReadVector(xPath);
        var expected = MathNet.Numerics.LinearAlgebra.Double.DenseMatrix.OfArray(a.ToDense())
            .Solve(MathNet.Numerics.LinearAlgebra.Double.DenseVector.OfArray(b));
        Assert.Equal(b.Length, x.Length);
        for (int i = 0; i < x.Length; i++) Assert.Equal(expected[i], x[i], 1e-6);
    }

    [Fact]
    public void MalformedMatrixMarketFileIsExitTwoNamingFileAndLine()
    {
        string path = WriteFile("bad.mtx",
            "%%MatrixMarket matrix coordinate real general\n" +
            "2 2 2\n" +
            "1 1 4.0\n" +
            "2 x 4.0\n");
        var (code, output, err) = Run("solve", path, "--json");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        AssertOneLineError(err);
        Assert.Contains("bad.mtx", err);
        Assert.Contains(":4", err);
    }

    [Fact]
    public void MissingFileIsExitTwoNamingTheFile()
    {
        string path = Path.Combine(_dir, "nowhere.mtx");
        var (code, _, err) = Run("solve", path);
        Assert.Equal(2, code);
        AssertOneLineError(err);
        Assert.Contains("nowhere.mtx", err);

        string a = Path.Combine(_dir, "a.mtx");
        MatrixMarket.WriteMatrix(a, CsrMatrix.FromDense(new double[,] { { 2, 0 }, { 0, 2 } }));
        (code, _, err) = Run("solve", a, "--rhs", Path.Combine(_dir, "no-rhs.mtx"));
        Assert.Equal(2, code);
        AssertOneLineError(err);
        Assert.Contains("no-rhs.mtx", err);
    }

    [Theory]
    [InlineData("--precond", "ilu", "ilu")]
    [InlineData("--backend", "quantum", "quantum")]
    [InlineData("--problem", "poisson9d:4", "poisson9d")]
    public void UnknownNamesAreExitTwo(string option, string value, string mentioned)
    {
        string[] args = option == "--problem"
            ? ["solve", option, value]
            : ["solve", "--problem", "poisson2d:4", option, value];
        var (code, output, err) = Run(args);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        AssertOneLineError(err);
        Assert.Contains(mentioned, err);
    }

    [Theory]
    [InlineData("solve", "--problem", "poisson2d:4", "--maxit", "abc")]
    [InlineData("solve", "--problem", "poisson2d:4", "--no-such-option")]
    [InlineData("solve")]
    [InlineData("frobnicate")]
    [InlineData("solve", "--problem", "poisson2d:4", "--threads", "0")]
    public void UsageErrorsAreExitTwo(params string[] args)
    {
        var (code, _, err) = Run(args);
        Assert.Equal(2, code);
        AssertOneLineError(err);
    }

    [Fact]
    public void NegativeDiagonalWithJacobiIsIndefiniteExitOne()
    {
        string path = Path.Combine(_dir, "neg.mtx");
        MatrixMarket.WriteMatrix(path, CsrMatrix.FromDense(new double[,] { { 2, 0, 0 }, { 0, -1, 0 }, { 0, 0, 3 } }));
        var (code, output, _) = Run("solve", path, "--json");
        Assert.Equal(1, code);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal("IndefiniteMatrix", doc.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public void IndefiniteMatrixWithoutPreconditionerIsExitOne()
    {
        string path = Path.Combine(_dir, "indef.mtx");
        MatrixMarket.WriteMatrix(path, CsrMatrix.FromDense(new double[,] { { 1, 2 }, { 2, 1 } }));
        string rhs = Path.Combine(_dir, "rhs.mtx");
        MatrixMarket.WriteVector(rhs, [1.0, -1.0]); // an eigenvector of eigenvalue -1: p'Ap < 0 at once
        var (code, output, _) = Run("solve", path, "--precond", "none", "--rhs", rhs, "--json");
        Assert.Equal(1, code);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal("IndefiniteMatrix", doc.RootElement.GetProperty("status").GetString());

        // The human summary prints the status too.
        (code, output, _) = Run("solve", path, "--precond", "none", "--rhs", rhs);
        Assert.Equal(1, code);
        Assert.Contains("IndefiniteMatrix", output);
    }

    [Fact]
    public void CudaWithoutGpuIsExitTwoMentioningCuda()
    {
        if (Kernels.Backend.ListDevices().Any(d => d.Kind == Kernels.BackendKind.Cuda)) return; // a GPU is present here
        var (code, output, err) = Run("solve", "--problem", "poisson2d:4", "--backend", "cuda", "--json");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        AssertOneLineError(err);
        Assert.Contains("CUDA", err);
    }

    [Fact]
    public void InfoListsTheCpuBackend()
    {
        var (code, output, err) = Run("info");
        Assert.Equal(0, code);
        Assert.Equal("", err);
        Assert.Contains("cpu", output);
        Assert.Contains(".NET", output);
    }

    [Fact]
    public void SolveCommandCanBeCalledDirectly()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = SolveCommand.Run(new SolveSettings { Problem = "anisotropic2d:6,0.1", Json = true, Backend = "cpu", Preconditioner = "none" }, stdout, stderr);
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout.ToString());
        Assert.Equal(36, doc.RootElement.GetProperty("n").GetInt32());
        Assert.Equal("none", doc.RootElement.GetProperty("preconditioner").GetString());
    }

    [Fact]
    public void NotConvergedIsExitOneWithStatus()
    {
        var (code, output, _) = Run("solve", "--problem", "poisson2d:10", "--maxit", "2", "--json");
        Assert.Equal(1, code);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal("MaxIterations", doc.RootElement.GetProperty("status").GetString());
        Assert.Equal(2, doc.RootElement.GetProperty("iterations").GetInt32());
    }

    [Fact]
    public void DemoRunsOnASmallGridWithoutMathNet()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = DemoCommand.Run(new DemoSettings { Size = 20, NoMathNet = true, Backend = "cpu" }, stdout, stderr);
        Assert.Equal(0, code);
        Assert.Contains("Converged", stdout.ToString());
        Assert.Contains("error vs ones", stdout.ToString());
    }

    [Fact]
    public void DemoComparesWithCappedMathNet()
    {
        var (code, output, err) = Run("demo", "--size", "12", "--mathnet-max-iterations", "3", "--backend", "cpu");
        Assert.Equal(0, code);
        Assert.Equal("", err);
        Assert.Contains("MathNet", output);
        Assert.Contains("capped", output);
        Assert.Contains("AMG-PCG: Converged", output);
        Assert.Contains("best fixed omega in hindsight", output);
        Assert.Contains("M-FAC: set-up", output);
    }
}

/// <summary>
/// Memory figures are process-wide, so the soak test runs in a collection of its own that xunit runs after, not
/// beside, the parallel test classes: another test's arrays must not count as this run's growth.
/// </summary>
[CollectionDefinition("Soak", DisableParallelization = true)]
public sealed class SoakCollection
{
}

[Collection("Soak")]
public sealed class SoakCliTests
{
    /// <summary>bench soak on a short run: the JSON shape, every kind solved, and memory growth below the bound (not timing).</summary>
    [Fact]
    public void BenchSoakReportsMemoryGrowthWithinTheBound()
    {
        var (code, output, err) = CliTests.Run("bench", "soak", "--count", "20", "--backend", "cpu", "--threads", "2", "--json");
        Assert.True(code == 0, err + output);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal(20, root.GetProperty("count").GetInt32());
        long bound = root.GetProperty("boundBytes").GetInt64();
        Assert.Equal(16L << 20, bound);
        foreach (var figure in new[] { "gcHeap", "workingSet" })
        {
            var g = root.GetProperty(figure);
            long before = g.GetProperty("beforeBytes").GetInt64(), after = g.GetProperty("afterBytes").GetInt64();
            Assert.True(before > 0 && after > 0, figure);
            Assert.Equal(after - before, g.GetProperty("growthBytes").GetInt64());
            Assert.True(after - before < bound, $"{figure} grew by {after - before} bytes");
            Assert.True(g.GetProperty("withinBound").GetBoolean());
        }
        Assert.Equal(JsonValueKind.Null, root.GetProperty("deviceMemory").ValueKind); // the CPU backend's vectors are in the GC heap
        var solves = root.GetProperty("solves").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        Assert.Equal(["cg-jacobi", "cg-amg", "sor", "sketched-newton", "mfac"], solves.Keys);
        Assert.All(solves.Values, c => Assert.Equal(4, c));
        Assert.Empty(root.GetProperty("failures").EnumerateArray());
        Assert.True(root.GetProperty("samples").GetArrayLength() >= 2);
        Assert.True(root.GetProperty("withinBound").GetBoolean());

        (code, _, err) = CliTests.Run("bench", "soak", "--count", "0");
        Assert.Equal(2, code);
        Assert.Contains("--count", err);
    }

    /// <summary>The ILGPU backend counts the bytes of its live vectors and matrices, which the soak reports as device memory.</summary>
    [Fact]
    public void IlgpuBackendCountsLiveDeviceBytes()
    {
        using var emu = Solvers.Kernels.Backend.Create(Solvers.Kernels.BackendKind.IlgpuCpu);
        long start = emu.LiveDeviceBytes!.Value;
        var v = emu.Allocate(100);
        var f = emu.AllocateSingle(10);
        var a = emu.Upload(Solvers.Problems.PdeProblems.Poisson2D(4));
        Assert.Equal(start + 800 + 40 + 17 * 4 + 64 * 4 + 64 * 8, emu.LiveDeviceBytes);
        v.Dispose();
        v.Dispose(); // twice: counted once
        f.Dispose();
        a.Dispose();
        Assert.Equal(start, emu.LiveDeviceBytes);
        using var cpu = Solvers.Kernels.Backend.Create(Solvers.Kernels.BackendKind.Cpu);
        Assert.Null(cpu.LiveDeviceBytes);
    }
}
