using Solvers.Kernels;
using Solvers.Sketching;
using Solvers.Sparse;

namespace Solvers.Linear;

/// <summary>Options of the Chebyshev polynomial preconditioner.</summary>
public sealed record ChebyshevOptions
{
    private readonly int _degree = 3;
    private readonly double _eigenvalueRatio = 30;
    private readonly int _powerIterations = 20;
    private readonly double _safetyFactor = 1.1;

    /// <summary>Polynomial degree: SpMVs per apply (default 3, from 0 to 50; 0 is a scaled Jacobi).</summary>
    public int Degree
    {
        get => _degree;
        init => _degree = value is >= 0 and <= 50 ? value
            : throw new ArgumentOutOfRangeException(nameof(Degree), value, "The degree must be from 0 to 50.");
    }

    /// <summary>The interval targeted is [lambda_max / ratio, lambda_max] of D^-1 A (default 30).</summary>
    public double EigenvalueRatio
    {
        get => _eigenvalueRatio;
        init => _eigenvalueRatio = value > 1 && double.IsFinite(value) ? value
            : throw new ArgumentOutOfRangeException(nameof(EigenvalueRatio), value, "The eigenvalue ratio must be finite and above 1.");
    }

    /// <summary>Power iterations estimating lambda_max of D^-1 A (default 20).</summary>
    public int PowerIterations
    {
        get => _powerIterations;
        init => _powerIterations = value >= 1 ? value
            : throw new ArgumentOutOfRangeException(nameof(PowerIterations), value, "At least one power iteration is needed.");
    }

    /// <summary>
    /// The power estimate is multiplied by this (default 1.1): the polynomial stays positive, so M stays SPD,
    /// only while the interval covers the largest eigenvalue; a power iteration approaches it from below.
    /// </summary>
    public double SafetyFactor
    {
        get => _safetyFactor;
        init => _safetyFactor = value >= 1 && double.IsFinite(value) ? value
            : throw new ArgumentOutOfRangeException(nameof(SafetyFactor), value, "The safety factor must be at least 1.");
    }

    /// <summary>Seed of the power iteration's start vector (default 1).</summary>
    public ulong Seed { get; init; } = 1;
}

/// <summary>
/// Chebyshev polynomial preconditioner: M^-1 = p(D^-1 A) D^-1, the polynomial of the given degree that best
/// damps the residual on [lambda_max / ratio, lambda_max] (Saad, Iterative Methods, algorithm 12.1). SpMVs and
/// vector updates only, so it runs on every backend, GPUs included. Symmetric, and positive definite while the
/// interval's upper end bounds the spectrum of D^-1 A (see <see cref="ChebyshevOptions.SafetyFactor"/>).
/// </summary>
public sealed class ChebyshevPreconditioner(ChebyshevOptions? options = null) : IPreconditioner
{
    /// <summary>The options.</summary>
    public ChebyshevOptions Options { get; } = options ?? new ChebyshevOptions();

    /// <inheritdoc/>
    public string Name => $"chebyshev({Options.Degree})";

    /// <summary>The largest-eigenvalue bound used by the last setup.</summary>
    public double LastLambdaMax { get; private set; }

    /// <inheritdoc/>
    public AppliedPreconditioner Setup(Backend backend, DeviceCsr a, CsrMatrix? hostMatrix = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(a);
        int n = a.Rows;
        var inv = backend.Allocate(n);
        try
        {
            backend.Sparse.Diagonal(a, inv);
            var d = inv.ToArray();
            for (int i = 0; i < n; i++)
                if (!(d[i] > 0))
                    throw new PreconditionerSetupException(SolverStatus.IndefiniteMatrix,
                        $"Chebyshev preconditioner: diagonal entry A[{i},{i}] = {d[i]:G6} is not positive, so A is not SPD.");
            backend.Blas.Reciprocal(inv);
            double lambda = EstimateLambdaMax(backend, a, inv, n) * Options.SafetyFactor;
            if (hostMatrix is not null) lambda = Math.Min(lambda, GershgorinBound(hostMatrix, d));
            LastLambdaMax = lambda;
            return new Applied(backend, a, inv, lambda, Options);
        }
        catch
        {
            inv.Dispose();
            throw;
        }
    }

    private double EstimateLambdaMax(Backend backend, DeviceCsr a, DeviceVector inv, int n)
    {
        var start = new double[n];
        for (int i = 0; i < n; i++) start[i] = CounterRandom.Uniform(Options.Seed, (ulong)i) + 0.5;
        using var v = backend.Upload(start);
        using var w = backend.Allocate(n);
        using var scratch = backend.Allocate(1);
        double lambda = 0;
        backend.Blas.Scale(1 / backend.Blas.Norm2(v), v);
        for (int k = 0; k < Options.PowerIterations; k++)
        {
            backend.Sparse.Multiply(a, v, w);
            backend.Blas.PointwiseMultiplyDotInto(inv, w, w, scratch, 0);
            lambda = backend.Blas.Norm2(w);
            if (!(lambda > 0) || !double.IsFinite(lambda)) break;
            backend.Blas.Scale(1 / lambda, w);
            backend.Blas.Copy(w, v);
        }
        return lambda;
    }

    /// <summary>max_i sum_j |a_ij| / a_ii: an upper bound on the spectrum of D^-1 A that costs one pass.</summary>
    private static double GershgorinBound(CsrMatrix a, double[] d)
    {
        double bound = 0;
        for (int i = 0; i < a.Rows; i++)
        {
            double s = 0;
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++) s += Math.Abs(a.Values[k]);
            bound = Math.Max(bound, s / d[i]);
        }
        return bound;
    }

    private sealed class Applied : AppliedPreconditioner
    {
        private readonly Backend _backend;
        private readonly DeviceCsr _a;
        private readonly DeviceVector _inv, _res, _dir, _tmp, _scratch;
        private readonly double _theta, _delta;
        private readonly int _degree;

        public Applied(Backend backend, DeviceCsr a, DeviceVector inverseDiagonal, double lambdaMax, ChebyshevOptions options)
        {
            _backend = backend;
            _a = a;
            _inv = inverseDiagonal;
            int n = a.Rows;
            _res = backend.Allocate(n);
            _dir = backend.Allocate(n);
            _tmp = backend.Allocate(n);
            _scratch = backend.Allocate(1);
            double lo = lambdaMax / options.EigenvalueRatio;
            _theta = (lambdaMax + lo) / 2;
            _delta = (lambdaMax - lo) / 2;
            _degree = options.Degree;
        }

        // Each degree: one SpMV (matrix + 16 n), the scaled residual update (48 n) and the direction update (48 n).
        public override long BytesPerApply(int n) => _degree * (_a.MatrixBytes + 112L * n) + 64L * n;

        public override void Apply(DeviceVector r, DeviceVector z, DeviceVector scalars, int slot)
        {
            var blas = _backend.Blas;
            // Chebyshev iteration on D^-1 A z = D^-1 r from z = 0.
            blas.PointwiseMultiplyDotInto(_inv, r, _res, _scratch, 0);
            blas.Copy(_res, _dir);
            blas.Scale(1 / _theta, _dir);
            blas.Copy(_dir, z);
            double sigma = _theta / _delta, rho = 1 / sigma;
            for (int k = 0; k < _degree; k++)
            {
                _backend.Sparse.Multiply(_a, _dir, _tmp);
                blas.PointwiseMultiplyDotInto(_inv, _tmp, _tmp, _scratch, 0);
                blas.Axpy(-1, _tmp, _res);
                double rhoNext = 1 / (2 * sigma - rho);
                blas.Scale(rhoNext * rho, _dir);
                blas.Axpy(2 * rhoNext / _delta, _res, _dir);
                blas.Axpy(1, _dir, z);
                rho = rhoNext;
            }
            blas.DotInto(r, z, scalars, slot);
        }

        protected override void Dispose(bool disposing)
        {
            if (!disposing) return;
            _inv.Dispose();
            _res.Dispose();
            _dir.Dispose();
            _tmp.Dispose();
            _scratch.Dispose();
        }
    }
}
