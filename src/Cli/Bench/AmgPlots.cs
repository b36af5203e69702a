using Solvers.Kernels;
using Solvers.Linear;
using Solvers.Linear.Multigrid;
using Solvers.Problems;
using Solvers.Sparse;

namespace Solvers.Cli.Bench;

/// <summary>The PNG plots of <c>solvers bench amg</c> (ScottPlot).</summary>
internal static class AmgPlots
{
    /// <summary>Relative residual against iteration for each preconditioner on one problem; returns the file written.</summary>
    public static string ResidualHistories(Backend backend, CsrMatrix a, string title, AmgOptions options, double tolerance, string path, TextWriter log)
    {
        var plot = new ScottPlot.Plot();
        (string Name, IPreconditioner P)[] preconditioners =
        [
            ("none", Preconditioners.None), ("Jacobi", Preconditioners.Jacobi), ("IC(0)", Preconditioners.IncompleteCholesky),
            ("Chebyshev (degree 3)", Preconditioners.Chebyshev), ("AMG", new AmgPreconditioner(options)),
        ];
        foreach (var (name, p) in preconditioners)
        {
            var r = AmgBench.Solve(backend, a, p, tolerance, history: true);
            log.WriteLine($"  residual history {name}: {r.Iterations} iterations");
            double b = r.RightHandSideNorm > 0 ? r.RightHandSideNorm : 1;
            var points = r.History.Where(h => h.ResidualNorm > 0).ToList();
            var line = plot.Add.ScatterLine(points.Select(h => (double)h.Iteration).ToArray(),
                points.Select(h => Math.Log10(h.ResidualNorm / b)).ToArray());
            line.LegendText = $"{name}: {r.Iterations} its";
            line.LineWidth = 2;
        }
        LogAxis(plot.Axes.Left);
        plot.Title($"CG residual history, {title}, b = A·1");
        plot.XLabel("iteration");
        plot.YLabel("relative residual ||b - Ax|| / ||b||");
        plot.Axes.Bottom.Min = 0;
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        plot.SavePng(path, 900, 560);
        return path;
    }

    /// <summary>CG iterations against unknowns for Jacobi and AMG on 2D Poisson N x N; returns the file written.</summary>
    public static string IterationsVersusSize(Backend backend, IReadOnlyList<int> sizes, AmgOptions options, double tolerance, string path, TextWriter log)
    {
        var plot = new ScottPlot.Plot();
        var unknowns = sizes.Select(n => Math.Log10((double)n * n)).ToArray();
        foreach (var (name, make) in new (string, Func<IPreconditioner>)[]
                 {
                     ("Jacobi-PCG", () => Preconditioners.Jacobi),
                     ("AMG-PCG (W-cycle)", () => new AmgPreconditioner(options with { CycleIndex = 2 })),
                     ("AMG-PCG (V-cycle)", () => new AmgPreconditioner(options with { CycleIndex = 1 })),
                 })
        {
            var its = sizes.Select(n =>
            {
                int k = AmgBench.Solve(backend, PdeProblems.Poisson2D(n), make(), tolerance).Iterations;
                log.WriteLine($"  {name} poisson2d:{n}: {k} iterations");
                return Math.Log10(k);
            }).ToArray();
            var line = plot.Add.Scatter(unknowns, its);
            line.LegendText = name;
            line.LineWidth = 2;
            line.MarkerSize = 8;
        }
        LogAxis(plot.Axes.Left);
        LogAxis(plot.Axes.Bottom);
        plot.Title("CG iterations to 1e-8 on 2D Poisson against problem size");
        plot.XLabel("unknowns");
        plot.YLabel("iterations");
        plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
        plot.SavePng(path, 900, 560);
        return path;
    }

    /// <summary>
    /// For data plotted as log10 values: labels the ticks with the values themselves (by default whole powers of ten
    /// only, as 1, 10, ..., 1e4, ...; or every tick, formatted by <paramref name="label"/>).
    /// </summary>
    internal static void LogAxis(ScottPlot.IAxis axis, Func<double, string>? label = null)
    {
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = label is null,
            LabelFormatter = v => label?.Invoke(Math.Pow(10, v)) ?? (Math.Abs(v) < 4 && v >= 0 ? Math.Pow(10, v).ToString("N0") : $"1e{v:F0}"),
        };
    }
}
