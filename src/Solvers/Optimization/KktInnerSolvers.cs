using Solvers.Sketching;
using Solvers.Sparse;

namespace Solvers.Optimization;

/// <summary>How <see cref="SketchedNewton"/> solves each Newton-KKT system inexactly.</summary>
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
    private ulong _counter;

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
        return _kind switch
        {
            InnerSolver.Minres => Minres(k, b, d, r, tolerance, maxIterations),
            InnerSolver.Kaczmarz => Kaczmarz(k, b, d, r, tolerance, maxIterations),
            InnerSolver.Block => BlockSketch(k, b, d, r, tolerance, maxIterations, _blockSize),
            _ => BlockSketch(k, b, d, r, tolerance, maxIterations, 1),
        };
    }

    private double Gaussian()
    {
        // Box-Muller on the counter stream: deterministic for a seed, whatever the call pattern.
        double u1 = 1 - CounterRandom.Uniform(_seed, _counter++), u2 = CounterRandom.Uniform(_seed, _counter++);
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>
    /// Sketch-and-project with a Gaussian N x q sketch S: d &lt;- d - W (W'W)^-1 S' r with W = K S (K symmetric),
    /// the projection of d onto the solutions of S'K d = S'b.
    /// </summary>
    private int BlockSketch(CsrMatrix k, double[] b, double[] d, double[] r, double tolerance, int maxIterations, int q)
    {
        int n = d.Length;
        var s = new double[q][];
        var w = new double[q][];
        for (int j = 0; j < q; j++)
        {
            s[j] = new double[n];
            w[j] = new double[n];
        }
        var m = new double[q * q];
        var rhs = new double[q];
        int it = 0;
        // The residual is recomputed from d every so often so rounding in the cheap update cannot drift.
        while (it < maxIterations)
        {
            for (int j = 0; j < q; j++)
            {
                for (int i = 0; i < n; i++) s[j][i] = Gaussian();
                k.Multiply(s[j], w[j]);
                rhs[j] = Dot(s[j], r);
            }
            for (int a = 0; a < q; a++)
                for (int c = 0; c <= a; c++) m[a * q + c] = m[c * q + a] = Dot(w[a], w[c]);
            if (!CholeskySolve(m, rhs, q)) continue;
            for (int j = 0; j < q; j++)
                for (int i = 0; i < n; i++) d[i] -= rhs[j] * w[j][i];
            it++;
            Residual(k, d, b, r);
            if (!(Norm(r) > tolerance)) break;
        }
        return it;
    }

    /// <summary>Randomized Kaczmarz on the rows of K, sampled with probability ||K_i||^2 / ||K||_F^2.</summary>
    private int Kaczmarz(CsrMatrix k, double[] b, double[] d, double[] r, double tolerance, int maxIterations)
    {
        int n = d.Length;
        var rp = k.RowPointers;
        var ci = k.ColumnIndices;
        var v = k.Values;
        var cumulative = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int p = rp[i]; p < rp[i + 1]; p++) s += v[p] * v[p];
            total += s;
            cumulative[i] = total;
        }
        if (!(total > 0)) return 0;
        int it = 0;
        while (it < maxIterations)
        {
            // One epoch (n row projections) between true-residual checks.
            for (int e = 0; e < n && it < maxIterations; e++, it++)
            {
                double u = CounterRandom.Uniform(_seed, _counter++) * total;
                int i = Array.BinarySearch(cumulative, u);
                if (i < 0) i = ~i;
                i = Math.Min(i, n - 1);
                double dot = 0, norm2 = 0;
                for (int p = rp[i]; p < rp[i + 1]; p++)
                {
                    dot += v[p] * d[ci[p]];
                    norm2 += v[p] * v[p];
                }
                if (norm2 == 0) continue;
                double step = (dot - b[i]) / norm2;
                for (int p = rp[i]; p < rp[i + 1]; p++) d[ci[p]] -= step * v[p];
            }
            Residual(k, d, b, r);
            if (!(Norm(r) > tolerance)) break;
        }
        return it;
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
                Residual(k, d, b, r);
                if (Norm(r) <= tolerance || beta == 0) return it;
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

    /// <summary>Solves the small SPD system in place (rhs becomes the solution); false when it is not positive definite.</summary>
    private static bool CholeskySolve(double[] m, double[] rhs, int q)
    {
        var l = new double[q * q];
        for (int i = 0; i < q; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = m[i * q + j];
                for (int p = 0; p < j; p++) s -= l[i * q + p] * l[j * q + p];
                if (i == j)
                {
                    if (!(s > 0)) return false;
                    l[i * q + i] = Math.Sqrt(s);
                }
                else l[i * q + j] = s / l[j * q + j];
            }
        for (int i = 0; i < q; i++)
        {
            double s = rhs[i];
            for (int p = 0; p < i; p++) s -= l[i * q + p] * rhs[p];
            rhs[i] = s / l[i * q + i];
        }
        for (int i = q - 1; i >= 0; i--)
        {
            double s = rhs[i];
            for (int p = i + 1; p < q; p++) s -= l[p * q + i] * rhs[p];
            rhs[i] = s / l[i * q + i];
        }
        return true;
    }
}
