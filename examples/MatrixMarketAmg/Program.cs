// Reads a sparse SPD system from a Matrix Market file and solves it with conjugate gradients preconditioned by
// smoothed-aggregation algebraic multigrid. AMG needs no grid, only the matrix, which is what a file gives you.
// The file is, in order: the path given as the first argument, the SuiteSparse 9-point grid Laplacian
// gr_30_30 from ../shared/data, or a generated 2D Poisson matrix written to a temporary file and read back
// (so the example exercises the reader and the writer even on a clone without the shared data).
using System.Diagnostics;
using Solvers;
using Solvers.Examples;
using Solvers.Kernels;
using Solvers.Linear;
using Solvers.Linear.Multigrid;
using Solvers.Problems;
using Solvers.Sparse;

const double Tolerance = 1e-10;

string? path;
string? temporary = null;
if (args.Length > 0)
{
    path = args[0];
    if (!File.Exists(path))
    {
        Console.Error.WriteLine($"{path}: file not found");
        return 2;
    }
}
else
{
    path = ExampleData.Find(Path.Combine("matrices", "gr_30_30.mtx"));
    if (path is null)
    {
        temporary = Path.Combine(Path.GetTempPath(), $"solvers-example-poisson-{Environment.ProcessId}.mtx");
        // Symmetric storage keeps only the lower triangle, as SuiteSparse files do; the reader mirrors it back.
        MatrixMarket.WriteMatrix(temporary, PdeProblems.Poisson2D(100), symmetric: true);
        path = temporary;
        Console.WriteLine($"../shared/data/matrices/gr_30_30.mtx not found: wrote a 100x100-grid Poisson matrix to {path}");
    }
}

try
{
    var clock = Stopwatch.StartNew();
    CsrMatrix a;
    try
    {
        a = MatrixMarket.ReadMatrix(path);
    }
    catch (MatrixMarketFormatException e)
    {
        // The message names the file and line, which is all a user needs to fix the file.
        Console.Error.WriteLine(e.Message);
        return 2;
    }
    if (!a.IsSquare || !a.IsSymmetric(1e-12))
    {
        Console.Error.WriteLine($"{path}: {a} is not square and symmetric; CG needs an SPD matrix");
        return 2;
    }

    // A right-hand side with a known solution (all ones), so the error can be checked, not just the residual.
    var exact = Enumerable.Repeat(1.0, a.Rows).ToArray();
    var b = a.Multiply(exact);

    using var backend = Backend.Create(BackendKind.Cpu);
    var amg = new AmgPreconditioner(new AmgOptions());
    using var cg = new ConjugateGradient(new CgOptions { Tolerance = Tolerance, Preconditioner = amg }, backend);
    var result = cg.Solve(a, b);

    Console.WriteLine($"{Path.GetFileName(path)}: {a.Rows} x {a.Columns}, {a.NonZeros} stored entries; backend {result.Backend}");
    if (amg.LastHierarchy is { } h)
        Console.WriteLine($"AMG hierarchy: {string.Join(" -> ", h.Levels.Select(l => l.Rows))} rows, operator complexity {h.OperatorComplexity:F2}, setup {h.SetupSeconds * 1000:F1} ms");
    double error = 0;
    for (int i = 0; i < a.Rows; i++) error = Math.Max(error, Math.Abs(result.Solution[i] - exact[i]));
    Console.WriteLine($"status {result.Status}: {result.Message}");
    Console.WriteLine($"iterations {result.Iterations}, relative residual ||b - Ax||/||b|| = {result.RelativeResidual:E3}, max |x - x*| = {error:E2}");
    // Jacobi-PCG on the same system, for scale: what the multigrid hierarchy buys.
    using var jacobi = new ConjugateGradient(new CgOptions { Tolerance = Tolerance, Preconditioner = Preconditioners.Jacobi, RecordHistory = false }, backend);
    var baseline = jacobi.Solve(a, b);
    Console.WriteLine($"Jacobi-PCG on the same system: {baseline.Iterations} iterations ({baseline.Status})");
    Console.WriteLine($"elapsed {clock.Elapsed.TotalSeconds:F1} s");

    if (result.Status != SolverStatus.Converged || !(result.RelativeResidual <= 10 * Tolerance))
    {
        Console.Error.WriteLine($"FAILED: status {result.Status}, relative residual {result.RelativeResidual:E3} (limit {10 * Tolerance:E0})");
        return 1;
    }
    Console.WriteLine("OK");
    return 0;
}
finally
{
    if (temporary is not null) File.Delete(temporary);
}
