using Solvers.Problems;
using Solvers.Sketching;
using Solvers.Sparse;

namespace Solvers.Learning;

/// <summary>One linear system of a sequence: A x = b, with the scalar context a contextual learner sees.</summary>
/// <param name="Index">Position in the sequence, from 0.</param>
/// <param name="Matrix">A.</param>
/// <param name="RightHandSide">b.</param>
/// <param name="Context">The instance's scalar context (a diagonal shift, a diffusion coefficient), or NaN.</param>
/// <param name="InitialGuess">A warm start (e.g. the previous time step), or null for zero.</param>
/// <remarks>Thread safety: immutable once created (arrays it holds are not defensive copies); safe to read from several threads.</remarks>
public sealed record SystemInstance(int Index, CsrMatrix Matrix, double[] RightHandSide, double Context, double[]? InitialGuess = null);

/// <summary>The offset distribution of <see cref="SystemSequences.ShiftedLaplacian"/>.</summary>
/// <remarks>Thread safety: an enum; its values are immutable.</remarks>
public enum ShiftVariance
{
    /// <summary>c = -0.15 + 0.6 Beta(0.5, 1.5): mass near -0.15, where the system is nearly singular, and a long tail.</summary>
    High,
    /// <summary>c = -0.15 + 0.6 Beta(2, 6): concentrated around -0.0.</summary>
    Low,
}

/// <summary>Sequences of linear systems shipped for tests, benchmarks and the demo.</summary>
/// <remarks>Thread safety: stateless; safe to call from several threads at once.</remarks>
public static class SystemSequences
{
    /// <summary>Smallest shift <see cref="ShiftedLaplacian"/> draws (the lower end of the context range).</summary>
    public const double ShiftMin = -0.15;

    /// <summary>Largest shift <see cref="ShiftedLaplacian"/> draws (the upper end of the context range).</summary>
    public const double ShiftMax = 0.45;

    /// <summary>
    /// The shifted Laplacian of "Learning to Relax" (Khodak et al., ICLR 2024): A_t = A + c_t I with A the 2D
    /// 5-point Laplacian on an <paramref name="gridN"/> x <paramref name="gridN"/> interior grid (diagonal 4;
    /// default 10, 100 unknowns, as in the paper), c_t = -0.15 + 0.6 Beta (see <see cref="ShiftVariance"/>), and b_t
    /// with independent standard normal entries truncated to [-3, 3]; the context is c_t. The smallest eigenvalue
    /// of A is 8 sin^2(pi / (2 (gridN + 1))), 0.16 at gridN = 10, so every A_t is SPD. Deterministic for a seed.
    /// </summary>
    public static IEnumerable<SystemInstance> ShiftedLaplacian(int steps, ShiftVariance variance = ShiftVariance.High, int gridN = 10, ulong seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(gridN, 2);
        double lambdaMin = 8 * Math.Pow(Math.Sin(Math.PI / (2.0 * (gridN + 1))), 2);
        if (ShiftMin + lambdaMin <= 0)
            throw new ArgumentOutOfRangeException(nameof(gridN), gridN, $"At gridN = {gridN} the Laplacian's smallest eigenvalue {lambdaMin:G3} is below 0.15: shifted systems would be indefinite.");
        return Generate(steps, variance, gridN, seed);
    }

    private static IEnumerable<SystemInstance> Generate(int steps, ShiftVariance variance, int gridN, ulong seed)
    {
        var laplacian = PdeProblems.Poisson2D(gridN);
        var rng = new Sampler(seed);
        var (alpha, beta) = variance == ShiftVariance.High ? (0.5, 1.5) : (2.0, 6.0);
        for (int t = 0; t < steps; t++)
        {
            double c = ShiftMin + 0.6 * rng.Beta(alpha, beta);
            var b = new double[laplacian.Rows];
            for (int i = 0; i < b.Length; i++) b[i] = rng.TruncatedNormal(3);
            yield return new SystemInstance(t, Shift(laplacian, 1.0, c), b, c);
        }
    }

    /// <summary>s A + c I for A with a stored diagonal (same pattern as A).</summary>
    internal static CsrMatrix Shift(CsrMatrix a, double s, double c)
    {
        var rp = a.RowPointerArray;
        var ci = a.ColumnIndexArray;
        var v = (double[])a.ValueArray.Clone();
        for (int i = 0; i < a.Rows; i++)
            for (int k = rp[i]; k < rp[i + 1]; k++)
                v[k] = s * v[k] + (ci[k] == i ? c : 0);
        return CsrMatrix.FromTrustedArrays(a.Rows, a.Columns, rp, ci, v);
    }

    /// <summary>Seeded Gaussian, truncated-Gaussian and Beta samples from the counter-based generator.</summary>
    private sealed class Sampler(ulong seed)
    {
        private ulong _counter;

        public double Uniform() => CounterRandom.Uniform(seed, _counter++);

        public double Normal()
        {
            // Box-Muller; the first uniform is shifted away from 0 so the logarithm stays finite.
            double u1 = 1 - Uniform(), u2 = Uniform();
            return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }

        public double TruncatedNormal(double bound)
        {
            // Rejection sampling accepts with probability > 0.99 at the bounds used here; the cap only gives the loop a
            // bound (it is never reached in practice, so the sequences are unchanged).
            double z = 0;
            for (int tries = 0; tries < 100_000; tries++)
            {
                z = Normal();
                if (Math.Abs(z) <= bound) return z;
            }
            return Math.Clamp(z, -bound, bound);
        }

        /// <summary>Gamma(shape, 1) by Marsaglia and Tsang, boosted for shape &lt; 1.</summary>
        public double Gamma(double shape)
        {
            if (shape < 1) return Gamma(shape + 1) * Math.Pow(1 - Uniform(), 1 / shape);
            double d = shape - 1.0 / 3, c = 1 / Math.Sqrt(9 * d);
            // Marsaglia-Tsang accepts with probability > 0.95; the cap only bounds the loop (never reached in practice).
            for (int tries = 0; tries < 100_000; tries++)
            {
                double x = Normal(), v = 1 + c * x;
                if (v <= 0) continue;
                v = v * v * v;
                double u = 1 - Uniform();
                if (Math.Log(u) < 0.5 * x * x + d - d * v + d * Math.Log(v)) return d * v;
            }
            return d; // the mode of the boosted distribution's proposal
        }

        public double Beta(double a, double b)
        {
            double x = Gamma(a), y = Gamma(b);
            return x / (x + y);
        }
    }
}

/// <summary>
/// The 2D heat equation u_t = kappa(t) Laplacian(u) + f(t, x) on the unit square with zero boundary values,
/// advanced by Crank-Nicolson: each step solves (I - 0.5 kappa dt L) u' = (I + 0.5 kappa dt L) u + dt f, an SPD
/// system whose conditioning follows kappa(t); the context of each system is kappa at the half step. Following
/// the heat experiment of "Learning to Relax": kappa(t) = max(0.1 sin 2 pi t, -10 sin 2 pi t), a bump source
/// circling the centre, a bump as the initial state.
/// </summary>
/// <remarks>Thread safety: stateful (the current time step and field); use an instance from one thread at a time.</remarks>
public sealed class HeatEquation2D
{
    private readonly CsrMatrix _laplacian;
    private readonly double _h;
    private readonly double[] _x;
    private readonly double[] _y;

    /// <summary>Sets up <paramref name="n"/> x <paramref name="n"/> interior points (h = 1/(n+1)) and time step <paramref name="dt"/>.</summary>
    public HeatEquation2D(int n, double dt = 0.001)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 2);
        if (!(dt > 0) || !double.IsFinite(dt)) throw new ArgumentOutOfRangeException(nameof(dt), dt, "The time step must be positive.");
        N = n;
        Dt = dt;
        _h = 1.0 / (n + 1);
        _laplacian = PdeProblems.Poisson2D(n);
        _x = new double[n * n];
        _y = new double[n * n];
        U = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                int k = i * n + j;
                _x[k] = (j + 1) * _h;
                _y[k] = (i + 1) * _h;
                U[k] = Bump(_x[k], _y[k], 0.5, 0.5, 0.25);
            }
    }

    /// <summary>Interior points per direction.</summary>
    public int N { get; }

    /// <summary>Time step.</summary>
    public double Dt { get; }

    /// <summary>Current time.</summary>
    public double Time { get; private set; }

    /// <summary>Steps taken.</summary>
    public int Step { get; private set; }

    /// <summary>The current state u (row-major, n x n).</summary>
    public double[] U { get; private set; }

    /// <summary>The diffusion coefficient kappa(t) = max(0.1 sin 2 pi t, -10 sin 2 pi t), between 0 and 10.</summary>
    public static double Coefficient(double t) => Math.Max(0.1 * Math.Sin(2 * Math.PI * t), -10 * Math.Sin(2 * Math.PI * t));

    /// <summary>Smallest context value (kappa).</summary>
    public const double ContextMin = 0;

    /// <summary>Largest context value (kappa).</summary>
    public const double ContextMax = 10;

    /// <summary>The system of the next step, warm-started from the current state; its context is kappa at the half step.</summary>
    public SystemInstance NextSystem() => SystemAt(Time);

    /// <summary>
    /// The system a step from <paramref name="time"/> would solve, from the current state (for calibration, e.g.
    /// at the stiffest time 0.75 where kappa = 10); it does not advance the simulation.
    /// </summary>
    public SystemInstance SystemAt(double time)
    {
        if (!double.IsFinite(time)) throw new ArgumentOutOfRangeException(nameof(time), time, "The time must be finite.");
        double half = time + 0.5 * Dt;
        double kappa = Coefficient(half);
        // L = -P / h^2 with P the SPD 5-point matrix: I - 0.5 kappa dt L = I + s P with s = 0.5 kappa dt / h^2.
        double s = 0.5 * kappa * Dt / (_h * _h);
        var a = SystemSequences.Shift(_laplacian, s, 1.0);
        var pu = _laplacian.Multiply(U);
        double cx = 0.5 + Math.Cos(16 * Math.PI * half) / 4, cy = 0.5 + Math.Sin(16 * Math.PI * half) / 4;
        var b = new double[U.Length];
        for (int k = 0; k < b.Length; k++) b[k] = U[k] - s * pu[k] + Dt * 32 * Bump(_x[k], _y[k], cx, cy, 0.125);
        return new SystemInstance(Step, a, b, kappa, (double[])U.Clone());
    }

    /// <summary>Accepts the solution of the current step's system and advances time.</summary>
    /// <exception cref="ArgumentException">The solution has the wrong length or holds NaN.</exception>
    public void Advance(double[] u)
    {
        ArgumentNullException.ThrowIfNull(u);
        if (u.Length != U.Length) throw new ArgumentException($"The state has {U.Length} entries but u has {u.Length}.", nameof(u));
        if (u.Any(v => !double.IsFinite(v))) throw new ArgumentException("u holds NaN or infinity.", nameof(u));
        U = (double[])u.Clone();
        Time += Dt;
        Step++;
    }

    /// <summary>A smooth bump exp(1 - 1/(1 - r^2/R^2)) of height 1 and radius R, zero outside.</summary>
    private static double Bump(double x, double y, double cx, double cy, double radius)
    {
        double r2 = ((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (radius * radius);
        return r2 < 1 ? Math.Exp(1 - 1 / (1 - r2)) : 0;
    }
}
