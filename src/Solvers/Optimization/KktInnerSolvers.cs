using Solvers.Sketching;
using Solvers.Sparse;

namespace Solvers.Optimization;

/// <summary>How <see cref="SketchedNewton"/> solves each Newton-KKT system inexactly.</summary>
/// <remarks>Thread safety: an enum; its values are immutable.</remarks>
public enum InnerSolver
{
    /// <summary>Gaussian sketch-and-project with a single sketch vector per iteration (the paper's default).</summary>
    Gaussian,
    /// <summary>Gaussian sketch-and-project with a block of <see cref="SketchedNewtonOptions.BlockSize"/> sketch vectors.</summary>
    Block,
    /// <summary>Randomized Kaczmarz, rows sampled by their squared norms.</summary>
    Kaczmarz,
    /// <summary>MINRES, the deterministic Krylov reference for symmetric indefinite systems.</summary>
    Minres,
}

/// <summary>
/// Iterative solvers for the symmetric (indefinite) KKT system K d = b, each continuing from the d it is given
/// (so a tighter accuracy resumes where the last solve stopped) until ||K d - b|| &lt;= tolerance.
/// </summary>
internal sealed class KktInnerSolvers
{
    private readonly InnerSolver _kind;
    private readonly int _blockSize;
    private readonly ulong _seed;
    private ulong _calls;

    public KktInnerSolvers(InnerSolver kind, int blockSize, ulong seed)
    {
        _kind = kind;
        _blockSize = blockSize;
        _seed = seed;
    }

    /// <summary>Runs at most <paramref name="maxIterations"/> iterations; returns the iterations used and leaves r = K d - b.</summary>
    public int Solve(CsrMatrix k, double[] b, double[] d, double[] r, double tolerance, int maxIterations)
    {
        Residual(k, d, b, r);
        if (Norm(r) <= tolerance) return 0;
        if (_kind == InnerSolver.Minres) return RestartedMinres(k, b, d, r, tolerance, maxIterations);
        // The randomized solvers of Solvers.Sketching, warm-started from d; each call gets its own seed so that a
        // resumed solve draws new sketches rather than repeating the last ones.
        double bNorm = Norm(b);
        var options = new RandomizedSolverOptions
        {
            Tolerance = Math.Max(tolerance / Math.Max(bNorm, double.Epsilon), 1e-300), MaxIterations = maxIterations,
            Seed = unchecked(_seed + 0x9E3779B97F4A7C15UL * ++_calls), InitialGuess = (double[])d.Clone(),
        };
        var op = new CsrOperator(k);
        var result = _kind == InnerSolver.Kaczmarz
            ? RandomizedKaczmarz.Solve(op, b, options)
            : SketchAndProject.Solve(op, b, _kind == InnerSolver.Block ? Math.Min(_blockSize, b.Length) : 1, options);
        Array.Copy(result.Solution, d, d.Length);
        Residual(k, d, b, r);
        return result.Iterations;
    }

    /// <summary>
    /// MINRES restarted from the true residual whenever its recurrence claims the tolerance but the true residual
    /// disagrees (rounding decouples the two near eps * cond(K)); stops when a restart gains less than a factor 2,
    /// since the tolerance is then below what double precision can deliver on this K.
    /// </summary>
    private static int RestartedMinres(CsrMatrix k, double[] b, double[] d, double[] r, double tolerance, int maxIterations)
    {
        int used = 0;
        double before = Norm(r);
        while (used < maxIterations)
        {
            used += Minres(k, b, d, r, tolerance, maxIterations - used);
            double after = Norm(r);
            if (after <= tolerance || after > 0.5 * before) break;
            before = after;
        }
        return used;
    }

    /// <summary>
    /// MINRES (Paige and Saunders 1975) for symmetric K from the current d: Lanczos vectors with Givens rotations,
    /// minimising ||K d - b|| over the Krylov space; |phibar| tracks the residual norm.
    /// </summary>
    private static int Minres(CsrMatrix k, double[] b, double[] d, double[] r, double tolerance, int maxIterations)
    {
        int n = d.Length;
        var r1 = new double[n];
        var r2 = new double[n];
        var v = new double[n];
        var y = new double[n];
        var w = new double[n];
        var w1 = new double[n];
        var w2 = new double[n];
        for (int i = 0; i < n; i++) r2[i] = -r[i];
        Array.Copy(r2, r1, n);
        double beta = Norm(r2);
        if (beta == 0) return 0;
        double oldb = 0, dbar = 0, epsln = 0, phibar = beta, cs = -1, sn = 0;
        int it = 0;
        // Rounding stops MINRES short of tolerances far below eps * cond(K): give up when 2 (n + 50) iterations
        // have not reduced the residual estimate by a tenth, rather than spin to the iteration cap.
        int window = 2 * (n + 50);
        double windowStart = phibar;
        while (it < maxIterations)
        {
            for (int i = 0; i < n; i++) v[i] = r2[i] / beta;
            k.Multiply(v, y);
            if (it > 0) for (int i = 0; i < n; i++) y[i] -= beta / oldb * r1[i];
            double alpha = Dot(v, y);
            for (int i = 0; i < n; i++) y[i] -= alpha / beta * r2[i];
            (r1, r2, y) = (r2, y, r1);
            oldb = beta;
            beta = Norm(r2);
            double oldeps = epsln;
            double delta = cs * dbar + sn * alpha;
            double gbar = sn * dbar - cs * alpha;
            epsln = sn * beta;
            dbar = -cs * beta;
            double gamma = Math.Max(Math.Sqrt(gbar * gbar + beta * beta), double.Epsilon);
            cs = gbar / gamma;
            sn = beta / gamma;
            double phi = cs * phibar;
            phibar = sn * phibar;
            (w1, w2, w) = (w2, w, w1);
            for (int i = 0; i < n; i++)
            {
                w[i] = (v[i] - oldeps * w1[i] - delta * w2[i]) / gamma;
                d[i] += phi * w[i];
            }
            it++;
            if (Math.Abs(phibar) <= tolerance || beta == 0)
            {
                // Converged, or the recurrence has lost touch with the true residual: either way the caller decides.
                Residual(k, d, b, r);
                return it;
            }
            if (it % window == 0)
            {
                if (Math.Abs(phibar) > 0.1 * windowStart) break;
                windowStart = Math.Abs(phibar);
            }
        }
        Residual(k, d, b, r);
        return it;
    }

    internal static void Residual(CsrMatrix k, double[] d, double[] b, double[] r)
    {
        k.Multiply(d, r);
        for (int i = 0; i < r.Length; i++) r[i] -= b[i];
    }

    internal static double Dot(double[] x, double[] y)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += x[i] * y[i];
        return s;
    }

    internal static double Norm(double[] x) => Math.Sqrt(Dot(x, x));
}
