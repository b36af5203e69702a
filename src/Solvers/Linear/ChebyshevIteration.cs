using Solvers.Kernels;

namespace Solvers.Linear;

/// <summary>
/// Chebyshev iteration on D^-1 A x = D^-1 b over the interval [lo, hi] (Saad, Iterative Methods, algorithm 12.1),
/// on any backend: SpMVs and vector updates, no reductions. Used as a preconditioner (from x = 0) and as a
/// multigrid smoother (from the current x). The error it leaves is p(D^-1 A) e, a polynomial in D^-1 A, so the
/// same iteration before and after a coarse correction keeps a V-cycle symmetric.
/// </summary>
internal sealed class ChebyshevIteration : IDisposable
{
    private readonly Backend _backend;
    private readonly DeviceCsr _a;
    private readonly DeviceVector _inv;
    private readonly DeviceVector _res, _dir, _tmp;
    private readonly double _theta, _delta;

    /// <param name="backend">The backend.</param>
    /// <param name="a">The operator.</param>
    /// <param name="inverseDiagonal">1 / diag(A), owned by the caller.</param>
    /// <param name="lo">Lower end of the targeted interval of D^-1 A's spectrum.</param>
    /// <param name="hi">Upper end; must bound the largest eigenvalue of D^-1 A.</param>
    /// <param name="degree">SpMVs per run.</param>
    public ChebyshevIteration(Backend backend, DeviceCsr a, DeviceVector inverseDiagonal, double lo, double hi, int degree)
    {
        _backend = backend;
        _a = a;
        _inv = inverseDiagonal;
        Degree = degree;
        _theta = (hi + lo) / 2;
        _delta = (hi - lo) / 2;
        _res = backend.Allocate(a.Rows);
        _dir = backend.Allocate(a.Rows);
        _tmp = backend.Allocate(a.Rows);
    }

    public int Degree { get; }

    /// <summary>Bytes one run moves: per SpMV the matrix and about 14 vector passes of 8 bytes.</summary>
    public long BytesPerRun(int n) => Degree * (_a.MatrixBytes + 112L * n) + 64L * n;

    /// <summary>Improves x for A x = b; with <paramref name="zeroInitialGuess"/> x's contents are ignored.</summary>
    public void Run(DeviceVector b, DeviceVector x, bool zeroInitialGuess)
    {
        var blas = _backend.Blas;
        if (zeroInitialGuess)
        {
            blas.PointwiseMultiply(_inv, b, _res);
        }
        else
        {
            _backend.Sparse.Multiply(_a, x, _tmp);
            blas.Waxpy(-1, _tmp, b, _res);
            blas.PointwiseMultiply(_inv, _res, _res);
        }
        blas.Copy(_res, _dir);
        blas.Scale(1 / _theta, _dir);
        if (zeroInitialGuess) blas.Copy(_dir, x);
        else blas.Axpy(1, _dir, x);
        double sigma = _theta / _delta, rho = 1 / sigma;
        for (int k = 0; k < Degree; k++)
        {
            _backend.Sparse.Multiply(_a, _dir, _tmp);
            blas.PointwiseMultiply(_inv, _tmp, _tmp);
            blas.Axpy(-1, _tmp, _res);
            double rhoNext = 1 / (2 * sigma - rho);
            blas.Scale(rhoNext * rho, _dir);
            blas.Axpy(2 * rhoNext / _delta, _res, _dir);
            blas.Axpy(1, _dir, x);
            rho = rhoNext;
        }
    }

    /// <summary>lambda_max of D^-1 A by power iteration from a fixed positive start vector.</summary>
    public static double EstimateLambdaMax(Backend backend, DeviceCsr a, DeviceVector inverseDiagonal, int iterations, ulong seed)
    {
        int n = a.Rows;
        var start = new double[n];
        for (int i = 0; i < n; i++) start[i] = Sketching.CounterRandom.Uniform(seed, (ulong)i) + 0.5;
        using var v = backend.Upload(start);
        using var w = backend.Allocate(n);
        double lambda = 0;
        backend.Blas.Scale(1 / backend.Blas.Norm2(v), v);
        for (int k = 0; k < iterations; k++)
        {
            backend.Sparse.Multiply(a, v, w);
            backend.Blas.PointwiseMultiply(inverseDiagonal, w, w);
            lambda = backend.Blas.Norm2(w);
            if (!(lambda > 0) || !double.IsFinite(lambda)) break;
            backend.Blas.Scale(1 / lambda, w);
            backend.Blas.Copy(w, v);
        }
        return lambda;
    }

    public void Dispose()
    {
        _res.Dispose();
        _dir.Dispose();
        _tmp.Dispose();
    }
}
