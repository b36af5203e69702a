using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Solvers.Cli.Bench;
using Solvers.Kernels;
using Solvers.Problems;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

// A minimal in-process runner for the CUDA test classes: the device machine has no .NET SDK, so `dotnet test`
// cannot run there. It runs the very same test methods the xunit suite runs (classes whose name starts with
// "Cuda"), with their fixtures and theory data, then the GPU benchmarks, and writes JSON under the output folder.
string outDir = args.Length > 0 ? args[0] : "device-out";
bool benchOnly = args.Contains("--bench-only");
bool testsOnly = args.Contains("--tests-only");
Directory.CreateDirectory(outDir);

Console.WriteLine("Devices:");
foreach (var d in Backend.ListDevices()) Console.WriteLine($"  {d.Kind}: {d.Name} ({d.Details})");

int failed = 0;
if (!benchOnly)
{
    var results = new List<object>();
    var assemblies = new[]
    {
        typeof(Solvers.Kernels.Tests.KernelConformanceTests).Assembly,
        typeof(Solvers.Tests.ConjugateGradientTests).Assembly,
    };
    int passed = 0, skipped = 0;
    foreach (var type in assemblies.SelectMany(a => a.GetTypes())
                 .Where(t => t is { IsClass: true, IsAbstract: false, IsPublic: true } && t.Name.StartsWith("Cuda", StringComparison.Ordinal)))
    {
        var fixtures = new Dictionary<Type, object>();
        var log = new Output();
        object Make()
        {
            var ctor = type.GetConstructors().Single();
            var args2 = ctor.GetParameters().Select(p => p.ParameterType == typeof(ITestOutputHelper)
                ? log
                : fixtures.TryGetValue(p.ParameterType, out var f) ? f : fixtures[p.ParameterType] = Activator.CreateInstance(p.ParameterType)!).ToArray();
            return ctor.Invoke(args2);
        }
        foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
                     .Where(m => m.GetCustomAttributes<FactAttribute>(true).Any()))
        {
            var data = method.GetCustomAttributes<DataAttribute>(true).SelectMany(a => a.GetData(method)).ToList();
            if (data.Count == 0) data.Add([]);
            foreach (var row in data)
            {
                string name = $"{type.Name}.{method.Name}({string.Join(", ", row.Select(v => v?.ToString()))})";
                var sw = Stopwatch.StartNew();
                string outcome, detail = "";
                try
                {
                    method.Invoke(Make(), row);
                    outcome = "passed";
                    passed++;
                }
                catch (TargetInvocationException e) when (e.InnerException?.GetType().Name == "SkipException")
                {
                    outcome = "skipped";
                    detail = e.InnerException!.Message;
                    skipped++;
                }
                catch (TargetInvocationException e)
                {
                    outcome = "failed";
                    detail = e.InnerException?.ToString() ?? e.ToString();
                    failed++;
                }
                Console.WriteLine($"  [{outcome}] {name} {sw.Elapsed.TotalMilliseconds:F0} ms {(outcome == "failed" ? detail : "")}");
                results.Add(new { name, outcome, detail, ms = sw.Elapsed.TotalMilliseconds });
            }
        }
        foreach (var f in fixtures.Values) (f as IDisposable)?.Dispose();
        if (log.Lines.Count > 0) File.AppendAllLines(Path.Combine(outDir, "device-tests.log"), log.Lines.Select(l => $"{type.Name}: {l}"));
    }
    File.WriteAllText(Path.Combine(outDir, "device-tests.json"), JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
    Console.WriteLine($"Device tests: {passed} passed, {failed} failed, {skipped} skipped");
}

if (!testsOnly)
{
    var json = new JsonSerializerOptions { WriteIndented = true };
    void Save(string file, object o) => File.WriteAllText(Path.Combine(outDir, file), JsonSerializer.Serialize(o, o.GetType(), json));
    try
    {
        var p1000 = PdeProblems.Poisson2D(1000);
        // SOLVERS_DEVICE_BENCH=sor runs only the SOR figures (the rest were measured in earlier runs).
        bool sorOnly = Environment.GetEnvironmentVariable("SOLVERS_DEVICE_BENCH") == "sor";
        if (!sorOnly)
        {
            Save("bench-spmv-cuda-poisson2d-1000.json", Comparisons.RunSpmv(p1000, "poisson2d:1000", Environment.ProcessorCount, Console.Out, BackendKind.Cuda));
            Save("bench-cg-cuda-poisson2d-1000.json", Comparisons.RunCg(p1000, "poisson2d:1000", Environment.ProcessorCount, 1e-8, runMathNet: false, Console.Out, kind: BackendKind.Cuda));
            var p3 = PdeProblems.Poisson3D(100);
            Save("bench-spmv-cuda-poisson3d-100.json", Comparisons.RunSpmv(p3, "poisson3d:100", Environment.ProcessorCount, Console.Out, BackendKind.Cuda));
            Save("bench-cg-cuda-poisson3d-100.json", Comparisons.RunCg(p3, "poisson3d:100", Environment.ProcessorCount, 1e-8, runMathNet: false, Console.Out, kind: BackendKind.Cuda));
            // AMG-PCG against Jacobi-PCG on the GPU and on all CPU cores (setup on the host in both cases).
            foreach (var (kind, label) in new[] { (BackendKind.Cuda, "cuda"), (BackendKind.Cpu, "cpu") })
            {
                foreach (string precond in new[] { "jacobi", "amg", "amg-v", "amg-chebyshev", "amg:cycle=v,smoother=chebyshev" })
                {
                    using var be = Comparisons.CreateBackend(kind, Environment.ProcessorCount);
                    var bOnes = p1000.Multiply(Enumerable.Repeat(1.0, p1000.Rows).ToArray());
                    using var cg = new Solvers.Linear.ConjugateGradient(new Solvers.Linear.CgOptions { Preconditioner = Solvers.Linear.Preconditioners.Parse(precond), RecordHistory = false }, be);
                    cg.Solve(p1000, bOnes);
                    var res = cg.Solve(p1000, bOnes);
                    Console.WriteLine($"{label} {precond}: {res.Status}, {res.Iterations} its, setup {res.SetupElapsed.TotalSeconds:F3} s, solve {res.Elapsed.TotalSeconds:F3} s");
                    Save($"bench-amg-{label}-{precond.Replace(':', '_').Replace(',', '_').Replace('=', '-')}-poisson2d-1000.json", new { precond, backend = res.Backend, status = res.Status.ToString(), res.Iterations, setupSeconds = res.SetupElapsed.TotalSeconds, seconds = res.Elapsed.TotalSeconds, res.RelativeResidual });
                }
            }

        }
        // SOR sweeps: multicolor on CUDA, both orderings on the device machine's CPU.
        Save("bench-sor-cuda-poisson2d-1000.json", Comparisons.RunSor(p1000, "poisson2d:1000", Environment.ProcessorCount, Console.Out, BackendKind.Cuda));
        Save($"bench-sor-cpu{Environment.ProcessorCount}-poisson2d-1000.json", Comparisons.RunSor(p1000, "poisson2d:1000", Environment.ProcessorCount, Console.Out));
        // Learned-omega SSOR-PCG on the heat equation, on CUDA (multicolor SSOR).
        {
            using var be = Comparisons.CreateBackend(BackendKind.Cuda, Environment.ProcessorCount);
            var pde = new Solvers.Learning.HeatEquation2D(400, dt: 0.005);
            var opts = new Solvers.Learning.SequenceSolverOptions { Method = Solvers.Learning.SequenceMethod.SsorPcg };
            var first = pde.NextSystem();
            using var loop = new Solvers.Learning.SequenceSolver(new Solvers.Learning.TsallisInf(new Solvers.Learning.LearnerOptions()), opts, be);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var inst = first;
            for (int t = 0; t < 200; t++)
            {
                var step = loop.Solve(inst);
                pde.Advance(step.Solution);
                inst = pde.NextSystem();
            }
            Console.WriteLine($"heat 400^2 on CUDA, learned SSOR-PCG: 200 steps, {loop.TotalIterations} iterations, {sw.Elapsed.TotalSeconds:F2} s");
            Save("bench-heat-cuda-400.json", new { steps = 200, totalIterations = loop.TotalIterations, seconds = sw.Elapsed.TotalSeconds });
        }

        if (!sorOnly)
        {
            // AMG iteration scaling and time on the GPU (host setup on all cores), as `solvers bench amg` measures it here.
            foreach (string cycle in new[] { "", "cycle=v" })
            {
                var amgRun = Solvers.Cli.Bench.AmgBench.Run(new Solvers.Cli.Bench.AmgBenchSettings
                {
                    Problems = ["poisson2d:256", "poisson2d:1024", "poisson2d:2048", "poisson3d:32", "poisson3d:128", "anisotropic2d:256,0.01", "anisotropic2d:2048,0.01"],
                    CompareProblem = "poisson2d:1024", RunMathNet = false, Threads = Environment.ProcessorCount, Backend = BackendKind.Cuda,
                    Options = Solvers.Linear.Multigrid.AmgOptions.Parse(cycle), OptionsText = cycle.Length == 0 ? "defaults" : cycle,
                }, Console.Out);
                Save($"bench-amg-scaling-cuda{(cycle.Length == 0 ? "" : "-v")}.json", amgRun);
            }

            // The same figures on the device machine's own CPU cores: all of them, and two as on the CI machine.
            int cores = Environment.ProcessorCount;
            Save($"bench-spmv-cpu{cores}-poisson2d-1000.json", Comparisons.RunSpmv(p1000, "poisson2d:1000", cores, Console.Out));
            Save("bench-spmv-cpu2-poisson2d-1000.json", Comparisons.RunSpmv(p1000, "poisson2d:1000", 2, Console.Out));
            Save($"bench-cg-cpu{cores}-poisson2d-1000.json", Comparisons.RunCg(p1000, "poisson2d:1000", cores, 1e-8, runMathNet: false, Console.Out));
        }
    }
    catch (Exception e)
    {
        Console.WriteLine($"Benchmark failed: {e}");
        File.WriteAllText(Path.Combine(outDir, "bench-error.txt"), e.ToString());
        failed++;
    }
}
return failed == 0 ? 0 : 1;

internal sealed class Output : ITestOutputHelper
{
    public List<string> Lines { get; } = [];

    public void WriteLine(string message) => Lines.Add(message);

    public void WriteLine(string format, params object[] args) => Lines.Add(string.Format(format, args));
}
