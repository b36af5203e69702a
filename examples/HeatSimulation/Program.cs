// A time loop of a 2D heat simulation whose implicit (Crank-Nicolson) systems are solved by SSOR-preconditioned
// CG with an omega that a contextual bandit (ChebCB) learns from iteration counts alone. The diffusion
// coefficient kappa(t) swings from 0 to 10 over the run, so the systems range from the identity to stiff ones:
// the context the learner sees is kappa, and the best omega differs between the two ends.
using System.Diagnostics;
using Solvers;
using Solvers.Kernels;
using Solvers.Learning;

const int GridN = 48;            // 48 x 48 interior points: 2304 unknowns, a system solve takes milliseconds
const double Dt = 0.02;          // 50 steps cover t in [0, 1], one full period of kappa(t)
const int Steps = 50;
const double Tolerance = 1e-8;
// The solver stops on its recursively updated residual; the recomputed one may drift a little above it.
const double ResidualLimit = 10 * Tolerance;

var clock = Stopwatch.StartNew();
using var backend = Backend.Create(BackendKind.Cpu);
var heat = new HeatEquation2D(GridN, Dt);
var learner = new ChebCb(
    new LearnerOptions { Seed = 7 },
    new ContextualOptions { ContextMin = HeatEquation2D.ContextMin, ContextMax = HeatEquation2D.ContextMax });
var options = new SequenceSolverOptions { Method = SequenceMethod.SsorPcg, Tolerance = Tolerance, MaxIterations = 2000 };
using var solver = new SequenceSolver(learner, options, backend);

Console.WriteLine($"Crank-Nicolson heat equation, {GridN}x{GridN} grid, dt = {Dt}, {Steps} steps, SSOR-PCG with ChebCB-learned omega on {backend.Name}");
Console.WriteLine(" step   time   kappa   omega  its  baseline(omega=1)  rel. residual");
long baselineIterations = 0;
double worstResidual = 0;
int failures = 0;
for (int t = 0; t < Steps; t++)
{
    var system = heat.NextSystem();
    var step = solver.Solve(system);
    // A fixed-omega solve of the same system, for scale only: 50 rounds are few for a bandit over 20 arms.
    var baseline = SequenceSolver.SolveWith(backend, options, system.Matrix, system.RightHandSide, 1.0, system.InitialGuess);
    baselineIterations += baseline.Iterations;

    // Recompute ||b - A u|| / ||b|| from the returned state rather than trusting the solver's own figure.
    double residual = RelativeResidual(system.Matrix, system.RightHandSide, step.Solution);
    worstResidual = Math.Max(worstResidual, residual);
    if (step.Status != SolverStatus.Converged || !(residual <= ResidualLimit)) failures++;
    Console.WriteLine($"{t,5} {heat.Time + Dt,6:F2} {system.Context,7:F3} {step.Omega,7:F3} {step.Iterations,4} {baseline.Iterations,18}  {residual,13:E2}{(step.Status == SolverStatus.Converged ? "" : "  " + step.Status)}");
    heat.Advance(step.Solution);
}

double peak = heat.U.Max(Math.Abs);
Console.WriteLine($"total CG iterations: learned omega {solver.TotalIterations}, fixed omega 1.0 {baselineIterations}");
Console.WriteLine($"final state: t = {heat.Time:F2}, max |u| = {peak:F4}; worst relative residual {worstResidual:E2} (limit {ResidualLimit:E0})");
Console.WriteLine($"elapsed {clock.Elapsed.TotalSeconds:F1} s");

// The state must stay bounded: Crank-Nicolson is stable, and the source adds at most dt * 32 per step.
bool bounded = double.IsFinite(peak) && peak < 1 + Steps * Dt * 32;
if (failures > 0 || !bounded)
{
    Console.Error.WriteLine($"FAILED: {failures} step(s) did not converge to the residual limit; state bounded: {bounded}");
    return 1;
}
Console.WriteLine("OK");
return 0;

static double RelativeResidual(Solvers.Sparse.CsrMatrix a, double[] b, double[] x)
{
    var ax = a.Multiply(x);
    double r2 = 0, b2 = 0;
    for (int i = 0; i < b.Length; i++)
    {
        r2 += (b[i] - ax[i]) * (b[i] - ax[i]);
        b2 += b[i] * b[i];
    }
    return b2 > 0 ? Math.Sqrt(r2 / b2) : Math.Sqrt(r2);
}
