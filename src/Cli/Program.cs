using System.CommandLine;
using Spectre.Console;
using Solvers.Cli.Commands;
using Solvers.Cli.Bench;

namespace Solvers.Cli;

/// <summary>The <c>solvers</c> command line: info, solve, demo, bench.</summary>
public static class Program
{
    /// <summary>Process entry point; returns the exit code (0 converged, 1 not converged, 2 bad input or usage).</summary>
    public static int Main(string[] args)
    {
        using var cts = new CancellationTokenSource();
        // First Ctrl+C cancels the solve (the result is reported with status Cancelled); a second one kills.
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (cts.IsCancellationRequested) return;
            e.Cancel = true;
            cts.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            return Run(args, Console.Out, Console.Error, cts.Token);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>
    /// Parses <paramref name="args"/> and runs the command, writing to the given writers; returns the exit code.
    /// Usage errors print one line <c>solvers: error: ...</c> on <paramref name="stderr"/> and return 2.
    /// </summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var root = BuildRootCommand(stdout, stderr, cancellationToken);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            CliHelpers.WriteError(stderr, $"{parse.Errors[0].Message} (see 'solvers --help')");
            return ExitCodes.Usage;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Bad input is reported by each command; whatever reaches here is a bug or an environment failure.
            CliHelpers.WriteError(stderr, $"{e.GetType().Name}: {e.Message}");
            if (Environment.GetEnvironmentVariable("SOLVERS_DEBUG") is "1") stderr.WriteLine(e);
            return ExitCodes.NotConverged;
        }
    }

    /// <summary>Builds the command tree; the actions write to the given writers.</summary>
    internal static RootCommand BuildRootCommand(TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        var root = new RootCommand("Sparse linear solvers: preconditioned CG on CPU (SIMD, threads) and CUDA backends.");
        root.Add(BuildInfo(stdout, stderr));
        root.Add(BuildSolve(stdout, stderr, cancellationToken));
        root.Add(BuildDemo(stdout, stderr, cancellationToken));
        root.Add(BuildBench(stdout, stderr, cancellationToken));
        root.Add(BuildTuneSor(stdout, stderr, cancellationToken));
        root.Add(BuildOptimize(stdout, stderr, cancellationToken));
        root.Add(BuildTrainRelu(stdout, stderr, cancellationToken));
        root.Add(BuildMfacBench(stdout, stderr));
        return root;
    }

    private static Command BuildOptimize(TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var problem = new Option<string>("--problem") { Description = "hsNN (Hock-Schittkowski, e.g. hs28), logreg:PATH (LIBSVM file) or control:N (optimal control on N x N).", Required = true };
        var inner = new Option<string>("--inner") { Description = "Inner KKT solver: gaussian, block:K, kaczmarz or minres.", DefaultValueFactory = _ => "gaussian" };
        var tol = new Option<double>("--tol") { Description = "KKT residual tolerance.", DefaultValueFactory = _ => 1e-6 };
        var maxIt = new Option<int>("--max-iterations") { Description = "Newton iteration cap.", DefaultValueFactory = _ => 1000 };
        var sharpen = new Option<bool>("--sharpen") { Description = "Sharpen the inner accuracy with the KKT residual (superlinear local convergence)." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the sketches (and of logreg's random constraints).", DefaultValueFactory = _ => 0UL };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the table." };
        var cmd = new Command("optimize", "Equality-constrained optimization by the sketched Newton method with the exact augmented Lagrangian.")
        {
            problem, inner, tol, maxIt, sharpen, seed, json,
        };
        cmd.SetAction(p => OptimizeCommand.Run(new OptimizeSettings
        {
            Problem = p.GetValue(problem)!, Inner = p.GetValue(inner)!, Tolerance = p.GetValue(tol), MaxIterations = p.GetValue(maxIt),
            Sharpen = p.GetValue(sharpen), Seed = p.GetValue(seed), Json = p.GetValue(json),
        }, stdout, stderr, cancellationToken));
        return cmd;
    }

    private static Command BuildBenchRelu(TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var sizes = new Option<int[]>("--sizes") { Description = "Sample counts n.", DefaultValueFactory = _ => [1000, 2000, 4000], AllowMultipleArgumentsPerToken = true };
        var patterns = new Option<int[]>("--patterns") { Description = "Pattern counts P.", DefaultValueFactory = _ => [16, 32, 64, 128, 256], AllowMultipleArgumentsPerToken = true };
        var d = new Option<int>("--d") { Description = "Features (an intercept column is added).", DefaultValueFactory = _ => 32 };
        var threads = new Option<int>("--threads") { Description = "Threads.", DefaultValueFactory = _ => 2 };
        var gapIterations = new Option<int>("--gap-iterations") { Description = "Iterations of the long run that gives the optimum for the time-to-gap figure.", DefaultValueFactory = _ => 40_000 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the table." };
        var cmd = new Command("relu", "ADMM iteration time of the convex ReLU program against its arithmetic and memory lower bound; scaling with n and P; time to a 1e-4 gap.")
        {
            sizes, patterns, d, threads, gapIterations, json,
        };
        cmd.SetAction(p =>
        {
            try
            {
                var ns = p.GetValue(sizes) ?? [];
                var ps = p.GetValue(patterns) ?? [];
                if (ns.Length == 0 || ns.Any(v => v < 2)) throw new CliUsageException("--sizes needs values >= 2");
                if (ps.Length == 0 || ps.Any(v => v < 1)) throw new CliUsageException("--patterns needs values >= 1");
                if (p.GetValue(d) < 1 || p.GetValue(threads) < 1) throw new CliUsageException("--d and --threads must be at least 1");
                var result = ReluBench.Run(ns, ps, p.GetValue(d), p.GetValue(threads), Math.Max(10, p.GetValue(gapIterations)), stderr, cancellationToken);
                if (p.GetValue(json)) Comparisons.WriteJson(result, stdout);
                else
                {
                    var saved = Spectre.Console.AnsiConsole.Console;
                    Spectre.Console.AnsiConsole.Console = CliHelpers.ConsoleFor(stdout);
                    try { ReluBench.Print(result); } finally { Spectre.Console.AnsiConsole.Console = saved; }
                }
                stdout.Flush();
                return ExitCodes.Success;
            }
            catch (Exception e) when (CliHelpers.TryReportInputError(e, stderr, out int code))
            {
                return code;
            }
        });
        return cmd;
    }

    private static Command BuildMfacBench(TextWriter stdout, TextWriter stderr)
    {
        var d = new Option<int>("--d") { Description = "Gradient dimension d.", DefaultValueFactory = _ => 1_000_000 };
        var m = new Option<int>("--m") { Description = "Gradients m.", DefaultValueFactory = _ => 256 };
        var precision = new Option<string>("--precision") { Description = "float or double.", DefaultValueFactory = _ => "double" };
        var threads = new Option<int>("--threads") { Description = "Threads for STREAM and the products.", DefaultValueFactory = _ => 2 };
        var noMathNet = new Option<bool>("--no-mathnet") { Description = "Skip the MathNet Woodbury baseline." };
        var growth = new Option<bool>("--growth") { Description = "Cost growth: d/4, d/2, d at m, then 2m, 4m and 8m at d, then the window's m^3 recursion at d = 1000." };
        var plots = new Option<string?>("--plots") { Description = "With --growth: directory for the log-log PNG plots." };
        var recursionM = new Option<int[]>("--recursion-m")
        {
            Description = "With --growth: window sizes m of the recursion timings at d = 1000.",
            DefaultValueFactory = _ => MfacBench.DefaultRecursionWindows.ToArray(),
            AllowMultipleArgumentsPerToken = true,
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the table." };
        var cmd = new Command("mfac-bench", "M-FAC inverse-Fisher products: F^-1 x against the memory bound and MathNet, and the sliding-window update.")
        {
            d, m, precision, threads, noMathNet, growth, plots, recursionM, json,
        };
        cmd.SetAction(p =>
        {
            try
            {
                int dv = p.GetValue(d), mv = p.GetValue(m), tv = p.GetValue(threads);
                if (dv < 1 || mv < 1 || tv < 1) throw new CliUsageException($"--d, --m and --threads must be at least 1 (got {dv}, {mv}, {tv})");
                string prec = p.GetValue(precision)!.ToLowerInvariant();
                if (prec is not ("float" or "double")) throw new CliUsageException($"--precision {prec}: use float or double");
                if (p.GetValue(growth))
                {
                    var windows = p.GetValue(recursionM) ?? [];
                    if (windows.Length == 0 || windows.Any(w => w < 1)) throw new CliUsageException("--recursion-m needs values >= 1");
                    var grown = MfacBench.Growth(dv, mv, prec == "float", tv, p.GetValue(plots), stderr, windows);
                    var rows = grown.Rows;
                    if (p.GetValue(json)) Comparisons.WriteJson(grown, stdout);
                    else
                    {
                        var inv = System.Globalization.CultureInfo.InvariantCulture;
                        var t = new Table().Title("M-FAC cost growth").AddColumn("d").AddColumn("m").AddColumn("setup s").AddColumn("F^-1 x ms").AddColumn("update ms").AddColumn("diagonal ms");
                        foreach (var r in rows)
                            t.AddRow(r.D.ToString(inv), r.M.ToString(inv), r.SetupSeconds.ToString("F3", inv), (r.IhvpSeconds * 1e3).ToString("F2", inv),
                                (r.UpdateSeconds * 1e3).ToString("F2", inv), (r.DiagonalSeconds * 1e3).ToString("F2", inv));
                        foreach (var q in grown.Recursion)
                            t.AddRow(q.D.ToString(inv), q.M.ToString(inv), "", "", (q.UpdateSeconds * 1e3).ToString("F2", inv), "");
                        CliHelpers.ConsoleFor(stdout).Write(t);
                    }
                    stdout.Flush();
                    return ExitCodes.Success;
                }
                var result = MfacBench.Run(dv, mv, prec == "float", tv, !p.GetValue(noMathNet), stderr);
                if (p.GetValue(json)) Comparisons.WriteJson(result, stdout);
                else
                {
                    var saved = Spectre.Console.AnsiConsole.Console;
                    Spectre.Console.AnsiConsole.Console = CliHelpers.ConsoleFor(stdout);
                    try { MfacBench.Print(result); } finally { Spectre.Console.AnsiConsole.Console = saved; }
                }
                stdout.Flush();
                return ExitCodes.Success;
            }
            catch (Exception e) when (CliHelpers.TryReportInputError(e, stderr, out int code))
            {
                return code;
            }
        });
        return cmd;
    }

    private static Command BuildBenchMfac(TextWriter stdout, TextWriter stderr)
    {
        var data = new Option<string?>("--data") { Description = "digits CSV (default ../shared/data/datasets/digits.csv.gz)." };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs per optimizer.", DefaultValueFactory = _ => 15 };
        var hidden = new Option<int>("--hidden") { Description = "Hidden units of the MLP.", DefaultValueFactory = _ => 32 };
        var mfacLr = new Option<double>("--mfac-lr") { Description = "M-FAC learning rate.", DefaultValueFactory = _ => 1e-2 };
        var mfacDamping = new Option<double>("--mfac-damping") { Description = "M-FAC damping lambda.", DefaultValueFactory = _ => 1e-3 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the tables." };
        var cmd = new Command("mfac", "M-FAC optimizer against SGD with momentum and Adam on the digits MLP, and OBS pruning with M-FAC against magnitude pruning.")
        {
            data, epochs, hidden, mfacLr, mfacDamping, json,
        };
        cmd.SetAction(p =>
        {
            try
            {
                string path = p.GetValue(data) ?? NewtonBenchDefaults.SharedDataSet("digits.csv.gz")
                    ?? throw new CliUsageException("--data: digits.csv.gz not found under ../shared/data; give --data PATH");
                CliHelpers.RequireFile(path, "--data");
                var csv = Solvers.Sparse.Csv.Read(path);
                int n = csv.Labels.Length, f = csv.Features.GetLength(1);
                // Pixel values 0..16 scaled to [0, 1]; a seeded 80/20 split.
                var order = Enumerable.Range(0, n).OrderBy(k => Solvers.Sketching.CounterRandom.Bits(7, (ulong)k)).ToArray();
                int nTest = n / 5;
                double[,] Rows(IEnumerable<int> idx)
                {
                    var list = idx.ToArray();
                    var r = new double[list.Length, f];
                    for (int i = 0; i < list.Length; i++) for (int c = 0; c < f; c++) r[i, c] = csv.Features[list[i], c] / 16.0;
                    return r;
                }
                var testIdx = order.Take(nTest).ToArray();
                var trainIdx = order.Skip(nTest).ToArray();
                var trainX = Rows(trainIdx);
                var trainY = trainIdx.Select(k => (int)csv.Labels[k]).ToArray();
                var testX = Rows(testIdx);
                var testY = testIdx.Select(k => (int)csv.Labels[k]).ToArray();
                var curves = MfacBench.TrainDigits(trainX, trainY, p.GetValue(hidden), p.GetValue(epochs), 32, 1, p.GetValue(mfacLr), p.GetValue(mfacDamping), stderr);
                var pruning = MfacBench.PruneDigits(trainX, trainY, testX, testY, p.GetValue(hidden), 1, [0.5, 0.75, 0.9], stderr, out double dense);
                var result = new
                {
                    data = path, trainSamples = trainY.Length, testSamples = testY.Length, hidden = p.GetValue(hidden),
                    parameters = new Solvers.Models.Mlp(f, p.GetValue(hidden), 10).ParameterCount,
                    trainingLoss = curves, denseTestAccuracy = dense,
                    pruning = pruning.Select(r => new { sparsity = r.Sparsity, magnitudeTestAccuracy = r.Magnitude, obsTestAccuracy = r.Obs }).ToList(),
                };
                if (p.GetValue(json)) Comparisons.WriteJson(result, stdout);
                else
                {
                    var console = CliHelpers.ConsoleFor(stdout);
                    var inv = System.Globalization.CultureInfo.InvariantCulture;
                    var t = new Spectre.Console.Table().Title("training loss (mean cross-entropy) by epoch").AddColumn("epoch");
                    foreach (var name in curves.Keys) t.AddColumn(new Spectre.Console.TableColumn(Spectre.Console.Markup.Escape(name)).RightAligned());
                    int epochsRun = curves.Values.First().Length;
                    for (int e = 0; e < epochsRun; e++) t.AddRow(new[] { e.ToString(inv) }.Concat(curves.Values.Select(c => c[e].ToString("F4", inv))).ToArray());
                    console.Write(t);
                    var pt = new Spectre.Console.Table().Title(Spectre.Console.Markup.Escape($"pruning the MLP's weights (dense test accuracy {dense:P2})"))
                        .AddColumn("sparsity").AddColumn("magnitude").AddColumn("OBS + M-FAC");
                    foreach (var r in pruning) pt.AddRow(r.Sparsity.ToString("P0", inv), r.Magnitude.ToString("P2", inv), r.Obs.ToString("P2", inv));
                    console.Write(pt);
                }
                stdout.Flush();
                return ExitCodes.Success;
            }
            catch (Exception e) when (CliHelpers.TryReportInputError(e, stderr, out int code))
            {
                return code;
            }
        });
        return cmd;
    }

    private static Command BuildTrainRelu(TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var d = new TrainReluSettings { Data = "" };
        var data = new Option<string>("--data") { Description = "CSV (label in the last column, .csv or .csv.gz) or LIBSVM file.", Required = true };
        var patterns = new Option<int>("--patterns") { Description = "Activation patterns to sample (P).", DefaultValueFactory = _ => d.Patterns };
        var beta = new Option<double>("--beta") { Description = "Weight decay beta (group-lasso weight).", DefaultValueFactory = _ => d.Beta };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the gates and of the train/test split.", DefaultValueFactory = _ => 0UL };
        var testFraction = new Option<double>("--test-fraction") { Description = "Fraction of samples held out for testing.", DefaultValueFactory = _ => d.TestFraction };
        var formulation = new Option<string>("--formulation") { Description = "relu (exact convex reformulation, ADMM) or gated (unconstrained, FISTA).", DefaultValueFactory = _ => d.Formulation };
        var positive = new Option<int?>("--positive-class") { Description = "With more than two labels: the class trained against the rest." };
        var maxIt = new Option<int>("--max-iterations") { Description = "Iteration cap.", DefaultValueFactory = _ => d.MaxIterations };
        var tol = new Option<double>("--tol") { Description = "Relative tolerance of the ADMM residuals.", DefaultValueFactory = _ => d.Tolerance };
        var rho = new Option<double>("--rho") { Description = "ADMM penalty rho.", DefaultValueFactory = _ => d.Rho };
        var adamSeeds = new Option<int>("--adam-seeds") { Description = "Adam runs (seeds) of the nonconvex network of the same width; 0 to skip.", DefaultValueFactory = _ => d.AdamSeeds };
        var adamEpochs = new Option<int>("--adam-epochs") { Description = "Full-batch Adam epochs per seed.", DefaultValueFactory = _ => d.AdamEpochs };
        var adamLr = new Option<double>("--adam-lr") { Description = "Adam learning rate.", DefaultValueFactory = _ => d.AdamLearningRate };
        var plot = new Option<string?>("--plot") { Description = "PNG of the training curves ('' for none).", DefaultValueFactory = _ => d.Plot };
        var splits = new Option<int>("--splits") { Description = "Train/test splits (seeds --seed, --seed + 1, ...), with pooled test accuracies.", DefaultValueFactory = _ => d.Splits };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the table." };
        var cmd = new Command("train-relu", "Train a two-layer ReLU network to global optimality through its convex reformulation (ADMM), against Adam.")
        {
            data, patterns, beta, seed, testFraction, formulation, positive, maxIt, tol, rho, adamSeeds, adamEpochs, adamLr, plot, splits, json,
        };
        cmd.SetAction(p => TrainReluCommand.Run(new TrainReluSettings
        {
            Data = p.GetValue(data)!, Patterns = p.GetValue(patterns), Beta = p.GetValue(beta), Seed = p.GetValue(seed), TestFraction = p.GetValue(testFraction),
            Formulation = p.GetValue(formulation)!, PositiveClass = p.GetValue(positive), MaxIterations = p.GetValue(maxIt), Tolerance = p.GetValue(tol),
            Rho = p.GetValue(rho), AdamSeeds = p.GetValue(adamSeeds), AdamEpochs = p.GetValue(adamEpochs), AdamLearningRate = p.GetValue(adamLr),
            Plot = p.GetValue(plot), Json = p.GetValue(json), Splits = p.GetValue(splits),
        }, stdout, stderr, cancellationToken));
        return cmd;
    }

    private static Command BuildTuneSor(TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var sequence = new Option<string>("--sequence") { Description = "shifted-laplacian (the paper's A + c_t I, 10x10 grid, high-variance shifts), shifted-laplacian-low (low-variance shifts) or heat (Crank-Nicolson, SSOR-PCG).", DefaultValueFactory = _ => "shifted-laplacian" };
        var steps = new Option<int>("--steps") { Description = "Systems in the sequence.", DefaultValueFactory = _ => 1000 };
        var learner = new Option<string>("--learner") { Description = "tsallis, chebcb, binned or fixed:OMEGA.", DefaultValueFactory = _ => "tsallis" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the sequence and the learner.", DefaultValueFactory = _ => 0UL };
        var grid = new Option<int>("--grid") { Description = "Interior grid points per direction (default 10 for shifted-laplacian, 200 for heat)." };
        var method = new Option<string>("--method") { Description = "sor or ssor-pcg (default sor for shifted-laplacian, ssor-pcg for heat)." };
        var compare = new Option<string[]>("--compare") { Description = "More learners to run on the same systems.", AllowMultipleArgumentsPerToken = true };
        var plot = new Option<string?>("--plot") { Description = "PNG of cumulative iterations against t.", DefaultValueFactory = _ => "tune-sor.png" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the table." };
        var noBaselines = new Option<bool>("--no-baselines") { Description = "Skip solving every grid omega on every system (the baselines); for heat, keep only the wall-clock runs." };
        var cmd = new Command("tune-sor", "Learn SOR's omega online over a sequence of linear systems and compare with the best fixed and instance-optimal omegas.")
        {
            sequence, steps, learner, seed, grid, method, compare, plot, json, noBaselines,
        };
        cmd.SetAction(p => TuneSorCommand.Run(new TuneSorSettings
        {
            Sequence = p.GetValue(sequence)!, Steps = p.GetValue(steps), Learner = p.GetValue(learner)!, Seed = p.GetValue(seed),
            Grid = OptionalValue(p, grid), Method = p.GetValue(method), Compare = p.GetValue(compare) ?? [], Plot = p.GetValue(plot), Json = p.GetValue(json),
            NoBaselines = p.GetValue(noBaselines),
        }, stdout, stderr, cancellationToken));
        return cmd;
    }

    private static Command BuildInfo(TextWriter stdout, TextWriter stderr)
    {
        var info = new Command("info", "List backends and devices, the .NET runtime, processor count and SIMD width.");
        info.SetAction(_ => InfoCommand.Run(stdout, stderr));
        return info;
    }

    private static Option<string> BackendOption() => new("--backend")
    {
        Description = "Compute backend: auto, cpu, ilgpu-cpu or cuda (auto honours SOLVERS_BACKEND, else CUDA when present, else cpu).",
        DefaultValueFactory = _ => "auto",
    };

    private static Option<int> ThreadsOption(string description) => new("--threads") { Description = description };

    // Option<int?> would name its type 'System.Nullable`1[System.Int32]' in parse errors: use Option<int> and ask
    // whether it was given.
    private static int? OptionalValue(ParseResult p, Option<int> option) => p.GetResult(option) is null ? null : p.GetValue(option);

    private static Command BuildSolve(TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var matrix = new Argument<string?>("A.mtx")
        {
            Description = "Matrix Market file holding A (or use --problem).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var problem = new Option<string?>("--problem")
        {
            Description = "Generate A instead of reading it: poisson2d:N, poisson3d:N, anisotropic2d:N,eps or variable2d:N.",
        };
        var rhs = new Option<string?>("--rhs") { Description = "Matrix Market vector holding b (default b = A * ones, and the error against ones is reported)." };
        var tol = new Option<double>("--tol") { Description = "Relative tolerance on ||b - Ax|| / ||b||.", DefaultValueFactory = _ => 1e-8 };
        var maxit = new Option<int>("--maxit") { Description = "Iteration limit (default 10 n)." };
        var precond = new Option<string>("--precond") { Description = "Preconditioner: " + Solvers.Linear.Preconditioners.Names + " (ic0 and ssor run on the host).", DefaultValueFactory = _ => "jacobi" };
        var backend = BackendOption();
        var threads = ThreadsOption("CPU threads (default: all processors).");
        var output = new Option<string?>("--out") { Description = "Write x to this file (Matrix Market array)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the summary table; no progress line." };

        var solve = new Command("solve", "Solve A x = b by preconditioned conjugate gradients.")
        {
            matrix, problem, rhs, tol, maxit, precond, backend, threads, output, json,
        };
        solve.SetAction(p => SolveCommand.Run(new SolveSettings
        {
            MatrixPath = p.GetValue(matrix),
            Problem = p.GetValue(problem),
            RhsPath = p.GetValue(rhs),
            Tolerance = p.GetValue(tol),
            MaxIterations = OptionalValue(p, maxit),
            Preconditioner = p.GetValue(precond) ?? "jacobi",
            Backend = p.GetValue(backend) ?? "auto",
            Threads = OptionalValue(p, threads),
            OutPath = p.GetValue(output),
            Json = p.GetValue(json),
        }, stdout, stderr, cancellationToken));
        return solve;
    }

    private static Command BuildDemo(TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var size = new Option<int>("--size") { Description = "Grid points per direction (n = size^2 unknowns).", DefaultValueFactory = _ => 1000 };
        var cap = new Option<int>("--mathnet-max-iterations")
        {
            Description = "Iteration cap of the MathNet.Numerics baseline, so the demo ends in a minute or two.",
            DefaultValueFactory = _ => DemoCommand.DefaultMathNetMaxIterations,
        };
        var noMathNet = new Option<bool>("--no-mathnet") { Description = "Skip the MathNet.Numerics baseline." };
        var backend = BackendOption();
        var threads = ThreadsOption("CPU threads (default: all processors).");
        var demo = new Command("demo", "Solve 2D Poisson with 10^6 unknowns by Jacobi-PCG and compare with MathNet.Numerics.")
        {
            size, cap, noMathNet, backend, threads,
        };
        demo.SetAction(p => DemoCommand.Run(new DemoSettings
        {
            Size = p.GetValue(size),
            MathNetMaxIterations = p.GetValue(cap),
            NoMathNet = p.GetValue(noMathNet),
            Backend = p.GetValue(backend) ?? "auto",
            Threads = OptionalValue(p, threads),
        }, stdout, stderr, cancellationToken));
        return demo;
    }

    private static Command BuildBench(TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var bench = new Command("bench", "Measure SpMV, CG and AMG against STREAM and MathNet.Numerics in one run; --all regenerates docs/benchmarks.md.");
        var all = new Option<bool>("--all") { Description = "Run every benchmark behind docs/benchmarks.md and rewrite its generated section (between the bench --all markers) and PNG plots." };
        var output = new Option<string?>("--output") { Description = "With --all: the markdown file (default docs/benchmarks.md of the checkout above the current directory)." };
        var plots = new Option<string?>("--plots") { Description = "With --all: folder of the PNG plots (default img/ beside --output)." };
        var quick = new Option<bool>("--quick") { Description = "With --all: tiny sizes, the whole suite in a few minutes (a smoke test, not figures)." };
        var threads = new Option<int>("--threads") { Description = "With --all: threads of every command that takes --threads.", DefaultValueFactory = _ => 2 };
        bench.Add(all);
        bench.Add(output);
        bench.Add(plots);
        bench.Add(quick);
        bench.Add(threads);
        bench.SetAction(p =>
        {
            if (!p.GetValue(all))
            {
                CliHelpers.WriteError(stderr, "bench: give a subcommand (spmv, cg, stream, sor, amg, newton, relu, mfac) or --all (see 'solvers bench --help')");
                return ExitCodes.Usage;
            }
            return BenchAll.Run(new BenchAllSettings
            {
                Output = p.GetValue(output), Plots = p.GetValue(plots), Quick = p.GetValue(quick), Threads = p.GetValue(threads),
            }, stdout, stderr, cancellationToken);
        });
        bench.Add(BenchSub(BenchKind.Spmv, "spmv", $"CSR SpMV bandwidth against STREAM triad and MathNet (default problem {BenchCommand.DefaultSpmvProblem}).", stdout, stderr));
        bench.Add(BenchSub(BenchKind.Cg, "cg", $"Jacobi-PCG against MathNet's iterative solvers and the memory-traffic bound (default problem {BenchCommand.DefaultCgProblem}).", stdout, stderr));
        bench.Add(BenchSub(BenchKind.Stream, "stream", "STREAM triad bandwidth alone.", stdout, stderr));
        bench.Add(BenchSub(BenchKind.Sor, "sor", $"SOR sweep throughput, natural (sequential) and multicolor orderings, against STREAM (default problem {BenchCommand.DefaultSpmvProblem}).", stdout, stderr));
        bench.Add(BuildBenchAmg(stdout, stderr, cancellationToken));
        bench.Add(BuildBenchNewton(stdout, stderr, cancellationToken));
        bench.Add(BuildBenchRelu(stdout, stderr, cancellationToken));
        bench.Add(BuildBenchMfac(stdout, stderr));
        bench.Add(BuildBenchSoak(stdout, stderr, cancellationToken));
        return bench;
    }

    private static Command BuildBenchSoak(TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var count = new Option<int>("--count") { Description = "Consecutive solves after the warm-up round.", DefaultValueFactory = _ => 1000 };
        var warmUp = new Option<int>("--warm-up") { Description = "Solves before the first measurement (default: two cycles of kinds and sizes).", DefaultValueFactory = _ => SoakBench.WarmUp };
        var bound = new Option<double>("--bound-mb") { Description = "Allowed growth (MiB) of the GC heap, the working set and the device's live allocations.", DefaultValueFactory = _ => 16 };
        var backend = new Option<string>("--backend") { Description = "Backend: cpu, ilgpu-cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        var threads = ThreadsOption("Threads of the CPU backend (default: all cores).");
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the tables." };
        var cmd = new Command("soak", "Many consecutive small solves (CG with Jacobi and AMG, SOR, sketched Newton, M-FAC), rotating, on one backend: memory growth against a bound.")
        {
            count, warmUp, bound, backend, threads, json,
        };
        cmd.SetAction(p => BenchCommand.RunSoak(p.GetValue(count), p.GetValue(warmUp), p.GetValue(bound), p.GetValue(backend)!, OptionalValue(p, threads), p.GetValue(json), stdout, stderr, cancellationToken));
        return cmd;
    }

    private static Command BuildBenchAmg(TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var problems = new Option<string[]>("--problems")
        {
            Description = "Problems for the iteration-scaling table (default: the issue's 2D/3D Poisson and anisotropic sizes).",
            AllowMultipleArgumentsPerToken = true,
        };
        var compare = new Option<string>("--compare")
        {
            Description = "Problem of the time-to-solution comparison against Jacobi-PCG and MathNet; 'none' to skip.",
            DefaultValueFactory = _ => "poisson2d:1024",
        };
        var amg = new Option<string>("--amg") { Description = $"AMG options as key=value pairs ({Solvers.Linear.Multigrid.AmgOptions.Keys}).", DefaultValueFactory = _ => "" };
        var threads = new Option<int>("--threads") { Description = "Threads for every measurement.", DefaultValueFactory = _ => 2 };
        var tol = new Option<double>("--tol") { Description = "Relative tolerance.", DefaultValueFactory = _ => 1e-8 };
        var noMathNet = new Option<bool>("--no-mathnet") { Description = "Skip the MathNet.Numerics solvers." };
        var budget = new Option<double>("--mathnet-budget") { Description = "Seconds each MathNet solver may run before it counts as not converged.", DefaultValueFactory = _ => 300 };
        var plots = new Option<string?>("--plots") { Description = "Directory for the PNG plots (residual histories, iterations against size)." };
        var historyProblem = new Option<string>("--history-problem") { Description = "Problem of the residual-history plot.", DefaultValueFactory = _ => "variable2d:256" };
        var plotSizes = new Option<int[]>("--plot-sizes")
        {
            Description = "Grid sizes N of the 2D Poisson problems in the iterations-against-size plot.",
            DefaultValueFactory = _ => [64, 128, 256, 512, 1024],
            AllowMultipleArgumentsPerToken = true,
        };
        var backend = new Option<string>("--backend") { Description = "Backend: cpu, ilgpu-cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the tables." };
        var cmd = new Command("amg", "AMG-PCG iterations against mesh size, time to solution against Jacobi-PCG and MathNet, and plots.")
        {
            problems, compare, amg, threads, tol, noMathNet, budget, plots, historyProblem, plotSizes, backend, json,
        };
        cmd.SetAction(p => BenchCommand.RunAmg(new AmgBenchArguments
        {
            Problems = p.GetValue(problems), Compare = p.GetValue(compare)!, AmgOptions = p.GetValue(amg) ?? "", Threads = p.GetValue(threads),
            Tolerance = p.GetValue(tol), NoMathNet = p.GetValue(noMathNet), MathNetBudget = p.GetValue(budget), PlotDirectory = p.GetValue(plots),
            HistoryProblem = p.GetValue(historyProblem)!, PlotSizes = p.GetValue(plotSizes) ?? [], Backend = p.GetValue(backend)!, Json = p.GetValue(json),
        }, stdout, stderr, cancellationToken));
        return cmd;
    }

    private static Command BuildBenchNewton(TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var defaults = new NewtonBenchSettings();
        var inners = new Option<string[]>("--inner")
        {
            Description = "Inner solvers of the Hock-Schittkowski table: minres, gaussian, block:K, kaczmarz.",
            DefaultValueFactory = _ => defaults.Inners.ToArray(),
            AllowMultipleArgumentsPerToken = true,
        };
        var control = new Option<int[]>("--control")
        {
            Description = "Grid sizes N of the optimal-control rows.",
            DefaultValueFactory = _ => defaults.ControlSizes.ToArray(),
            AllowMultipleArgumentsPerToken = true,
        };
        var logreg = new Option<string[]>("--logreg")
        {
            Description = "LIBSVM or CSV files for the constrained logistic regression rows, or none (default: heart_scale and breast_cancer.csv from ../shared/data when present).",
            AllowMultipleArgumentsPerToken = true,
        };
        var convergence = new Option<string>("--convergence-problem")
        {
            Description = "Problem of the local-convergence runs (default: logistic regression on ../shared/data's heart_scale when present, else hs077).",
            DefaultValueFactory = _ => NewtonBenchDefaults.ConvergenceProblem(),
        };
        var peers = new Option<string?>("--peers") { Description = "JSON from bench/optimization/hs_peers.py (SciPy SLSQP, trust-constr, IPOPT) to print side by side." };
        var plots = new Option<string?>("--plots") { Description = "Directory for the local-convergence PNG." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the sketches and of the random constraints.", DefaultValueFactory = _ => 0UL };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the tables." };
        var cmd = new Command("newton", "Sketched Newton: Hock-Schittkowski set (with SciPy/IPOPT side by side), local convergence, optimal control, logistic regression.")
        {
            inners, control, logreg, convergence, peers, plots, seed, json,
        };
        cmd.SetAction(p => BenchCommand.RunNewton(new NewtonBenchSettings
        {
            Inners = p.GetValue(inners) ?? [], ControlSizes = p.GetValue(control) ?? [],
            LogRegFiles = p.GetValue(logreg) is { Length: > 0 } files
                ? (files is ["none"] ? [] : files)
                : NewtonBenchDefaults.SharedDataSets(),
            ConvergenceProblem = p.GetValue(convergence)!, PeersJson = p.GetValue(peers), PlotDirectory = p.GetValue(plots), Seed = p.GetValue(seed),
        }, p.GetValue(json), stdout, stderr, cancellationToken));
        return cmd;
    }

    private static Command BenchSub(BenchKind kind, string name, string description, TextWriter stdout, TextWriter stderr)
    {
        var threads = new Option<int>("--threads") { Description = "Threads for every measurement.", DefaultValueFactory = _ => 2 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the table." };
        var cmd = new Command(name, description) { threads, json };
        Option<string?>? problem = null;
        Option<double>? tol = null;
        Option<bool>? noMathNet = null;
        if (kind != BenchKind.Stream)
        {
            problem = new Option<string?>("--problem") { Description = "Problem spec (poisson2d:N, ...) or a Matrix Market file." };
            cmd.Add(problem);
        }
        if (kind == BenchKind.Cg)
        {
            tol = new Option<double>("--tol") { Description = "Relative tolerance.", DefaultValueFactory = _ => 1e-8 };
            noMathNet = new Option<bool>("--no-mathnet") { Description = "Skip the MathNet.Numerics solvers." };
            cmd.Add(tol);
            cmd.Add(noMathNet);
        }
        cmd.SetAction(p => BenchCommand.Run(new BenchSettings
        {
            Kind = kind,
            Problem = problem is null ? null : p.GetValue(problem),
            Threads = p.GetValue(threads),
            Tolerance = tol is null ? 1e-8 : p.GetValue(tol),
            NoMathNet = noMathNet is not null && p.GetValue(noMathNet),
            Json = p.GetValue(json),
        }, stdout, stderr));
        return cmd;
    }
}
