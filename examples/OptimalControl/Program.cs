// A PDE-constrained optimal-control problem solved by the sketched Newton method: find the heat source z that
// drives the state w of -Laplace(w) = z on the unit square as close as possible to a target shape, with a small
// penalty on z. Newton's KKT systems are solved inexactly (MINRES stopped by the adaptive accuracy condition).
// Because the problem is a quadratic program, its exact optimum also follows from one SPD linear system, which
// this program solves separately with CG as the independent reference the Newton answer is checked against.
using System.Diagnostics;
using Solvers;
using Solvers.Kernels;
using Solvers.Linear;
using Solvers.Optimization;
using Solvers.Optimization.Problems;
using Solvers.Problems;
using Solvers.Sparse;

const int GridN = 32;                 // 1024 states + 1024 controls, 1024 constraints
const double KktTolerance = 1e-6;
const double SolutionLimit = 1e-5;    // relative distance to the reference optimum

var clock = Stopwatch.StartNew();
var problem = new OptimalControl2D(GridN);
var newton = new SketchedNewton(new SketchedNewtonOptions { Inner = InnerSolver.Minres, Tolerance = KktTolerance, Seed = 1 });
var result = newton.Solve(problem);
double newtonSeconds = clock.Elapsed.TotalSeconds;

Console.WriteLine($"{problem.Name}: {problem.Dimension} variables, {problem.ConstraintCount} constraints, alpha = {problem.Alpha}");
Console.WriteLine(" iter   objective        KKT residual  ||c||       step   inner its");
foreach (var it in result.History)
    Console.WriteLine($"{it.Iteration,5}   {it.Objective,-15:G10}  {it.KktResidual,-10:E3}  {it.ConstraintNorm,-10:E3}  {it.StepSize,5:G3}  {it.InnerIterations,9}");
Console.WriteLine($"status {result.Status}: {result.Message}");
Console.WriteLine($"objective {result.Objective:G12}, KKT residual {result.KktResidual:E3}, {result.Iterations} Newton iterations, {result.InnerIterations} MINRES iterations, {newtonSeconds:F2} s");

// Recompute the KKT residual from the problem's own gradient, constraints and Jacobian; the sign convention of
// the multipliers is not assumed, the smaller of the two residuals is taken.
int n = problem.Dimension, m = problem.ConstraintCount;
var g = new double[n];
var c = new double[m];
problem.Gradient(result.X, g);
problem.Constraints(result.X, c);
var jtLambda = problem.Jacobian(result.X).Transpose().Multiply(result.Lambda);
double plus = 0, minus = 0, cc = 0;
for (int i = 0; i < n; i++)
{
    plus += (g[i] + jtLambda[i]) * (g[i] + jtLambda[i]);
    minus += (g[i] - jtLambda[i]) * (g[i] - jtLambda[i]);
}
foreach (double ci in c) cc += ci * ci;
double kkt = Math.Sqrt(Math.Min(plus, minus) + cc);

// The reference optimum. Stationarity gives w = target - P lambda and z = h^2 lambda / alpha, and the constraint
// P w = h^2 z then leaves (P^2 + h^4/alpha I) lambda = P target: SPD (but not an M-matrix, so IC(0) breaks down on it), solved by SSOR-PCG to 1e-12.
double h = problem.Spacing;
var p = PdeProblems.Poisson2D(GridN);
var p2 = p.Multiply(p);
var values = p2.Values.ToArray();
var rowPointers = p2.RowPointers;
var columns = p2.ColumnIndices;
for (int row = 0; row < m; row++)
    for (int k = rowPointers[row]; k < rowPointers[row + 1]; k++)
        if (columns[k] == row) values[k] += h * h * h * h / problem.Alpha;
var reduced = new CsrMatrix(m, m, rowPointers, columns, values);
var target = problem.Target();
using var backend = Backend.Create(BackendKind.Cpu);
using var cg = new ConjugateGradient(new CgOptions { Tolerance = 1e-12, Preconditioner = Preconditioners.Ssor }, backend);
var lambda = cg.Solve(reduced, p.Multiply(target)).EnsureSuccess().Solution;
var pLambda = p.Multiply(lambda);
var reference = new double[n];
for (int i = 0; i < m; i++)
{
    reference[i] = target[i] - pLambda[i];
    reference[m + i] = h * h * lambda[i] / problem.Alpha;
}
double diff = 0, norm = 0;
for (int i = 0; i < n; i++)
{
    diff += (result.X[i] - reference[i]) * (result.X[i] - reference[i]);
    norm += reference[i] * reference[i];
}
double distance = Math.Sqrt(diff / norm);
double referenceObjective = problem.Objective(reference);
double tracking = 0, targetNorm = 0;
for (int i = 0; i < m; i++)
{
    tracking += (result.X[i] - target[i]) * (result.X[i] - target[i]);
    targetNorm += target[i] * target[i];
}
Console.WriteLine($"recomputed KKT residual {kkt:E3}; reference optimum (CG on the reduced system) objective {referenceObjective:G12}");
Console.WriteLine($"||x - x*|| / ||x*|| = {distance:E3}; state misses the target by {Math.Sqrt(tracking / targetNorm):P2} (relative 2-norm)");
Console.WriteLine($"elapsed {clock.Elapsed.TotalSeconds:F1} s");

if (result.Status != SolverStatus.Converged || !(kkt <= 10 * KktTolerance) || !(distance <= SolutionLimit))
{
    Console.Error.WriteLine($"FAILED: status {result.Status}, recomputed KKT residual {kkt:E3} (limit {10 * KktTolerance:E0}), distance to the optimum {distance:E3} (limit {SolutionLimit:E0})");
    return 1;
}
Console.WriteLine("OK");
return 0;
