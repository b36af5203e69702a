using System.Diagnostics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double.Solvers;
using MathNet.Numerics.LinearAlgebra.Solvers;
using Solvers.Sparse;

namespace Solvers.Cli.Bench;

/// <summary>One run of a MathNet.Numerics iterative solver.</summary>
public sealed record MathNetRun(string Solver, double Seconds, int Iterations, double RelativeResidual, string Status, bool Converged);

/// <summary>
/// MathNet.Numerics 5 has no CG; its iterative solvers for general systems (BiCGStab, GPBiCG, ML(k)-BiCGStab,
/// TFQMR) with its Diagonal preconditioner are what a .NET user would otherwise pick. Its built-in residual
/// criterion uses the infinity norm, so we stop it with the same 2-norm criterion our CG uses.
/// </summary>
internal static class MathNetBaseline
{
    public static readonly string[] SolverNames = ["BiCgStab", "GpBiCg", "MlkBiCgStab", "TFQMR"];

    public static IIterativeSolver<double> Create(string name) => name switch
    {
        "BiCgStab" => new BiCgStab(),
        "GpBiCg" => new GpBiCg(),
        "MlkBiCgStab" => new MlkBiCgStab(),
        "TFQMR" => new TFQMR(),
        _ => throw new ArgumentException($"Unknown MathNet solver '{name}'; available: {string.Join(", ", SolverNames)}.", nameof(name)),
    };

    /// <summary>Runs one solver; it is stopped (status Cancelled, not converged) when it exceeds <paramref name="timeBudget"/>.</summary>
    public static MathNetRun Run(string solverName, CsrMatrix a, double[] b, double tolerance, int maxIterations, TimeSpan? timeBudget = null)
    {
        var matrix = a.ToMathNet();
        var rhs = Vector<double>.Build.DenseOfArray(b);
        var x = Vector<double>.Build.Dense(a.Rows);
        var relative = new RelativeResidual2Norm(tolerance, timeBudget ?? TimeSpan.MaxValue);
        var count = new IterationCountStopCriterion<double>(maxIterations);
        var iterator = new Iterator<double>(count, relative);
        var solver = Create(solverName);
        var sw = Stopwatch.StartNew();
        solver.Solve(matrix, rhs, x, iterator, new DiagonalPreconditioner());
        double seconds = sw.Elapsed.TotalSeconds;
        double trueRel = (rhs - matrix * x).L2Norm() / rhs.L2Norm();
        return new MathNetRun(solverName, seconds, relative.LastIteration, trueRel, iterator.Status.ToString(),
            iterator.Status == IterationStatus.Converged && trueRel <= tolerance * 10);
    }

    /// <summary>
    /// Stops when ||r||_2 &lt;= tol ||b||_2, the criterion of our CG (MathNet's own uses the infinity norm), or
    /// with Cancelled when the time budget is spent (ML(k)-BiCGStab can take minutes where the others take seconds).
    /// </summary>
    private sealed class RelativeResidual2Norm(double tolerance, TimeSpan budget) : IIterationStopCriterion<double>
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public int LastIteration { get; private set; }

        public IterationStatus Status { get; private set; } = IterationStatus.Continue;

        public IterationStatus DetermineStatus(int iterationNumber, Vector<double> solutionVector, Vector<double> sourceVector, Vector<double> residualVector)
        {
            LastIteration = iterationNumber + 1;
            double r = residualVector.L2Norm(), bn = sourceVector.L2Norm();
            Status = !double.IsFinite(r) ? IterationStatus.Failure
                : r <= tolerance * bn ? IterationStatus.Converged
                : _clock.Elapsed > budget ? IterationStatus.Cancelled : IterationStatus.Continue;
            return Status;
        }

        public void Reset()
        {
            Status = IterationStatus.Continue;
            LastIteration = 0;
            _clock.Restart();
        }

        public IIterationStopCriterion<double> Clone() => new RelativeResidual2Norm(tolerance, budget);
    }
}
