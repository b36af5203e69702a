using Solvers.Kernels;
using Solvers.Sketching;
using Solvers.Sparse;

namespace Solvers.Linear;

/// <summary>Options of the Chebyshev polynomial preconditioner.</summary>
/// <remarks>Thread safety: immutable (init-only), safe to share between threads.</remarks>
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
/// <remarks>Thread safety: an immutable strategy; one instance may serve several solves at once, each Setup returning its own AppliedPreconditioner.</remarks>
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
            double lambda = ChebyshevIteration.EstimateLambdaMax(backend, a, inv, Options.PowerIterations, Options.Seed) * Options.SafetyFactor;
            if (hostMatrix is not null) lambda = Math.Min(lambda, GershgorinBound(hostMatrix));
            LastLambdaMax = lambda;
            return new Applied(backend, a, inv, lambda, Options);
        }
        catch
        {
            inv.Dispose();
            throw;
        }
    }

    /// <summary>max_i sum_j |a_ij| / a_ii: an upper bound on the spectrum of D^-1 A that costs one pass.</summary>
    internal static double GershgorinBound(CsrMatrix a)
    {
        double bound = 0;
        for (int i = 0; i < a.Rows; i++)
        {
            double s = 0, d = 0;
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
            {
                s += Math.Abs(a.Values[k]);
                if (a.ColumnIndices[k] == i) d = a.Values[k];
            }
            bound = Math.Max(bound, s / d);
        }
        return bound;
    }

    private sealed class Applied(Backend backend, DeviceCsr a, DeviceVector inverseDiagonal, double lambdaMax, ChebyshevOptions options)
        : AppliedPreconditioner
    {
        private readonly ChebyshevIteration _iteration =
            new(backend, a, inverseDiagonal, lambdaMax / options.EigenvalueRatio, lambdaMax, options.Degree);

        public override long BytesPerApply(int n) => _iteration.BytesPerRun(n);

        public override void Apply(DeviceVector r, DeviceVector z, DeviceVector scalars, int slot)
        {
            _iteration.Run(r, z, zeroInitialGuess: true);
            backend.Blas.DotInto(r, z, scalars, slot);
        }

        protected override void Dispose(bool disposing)
        {
            if (!disposing) return;
            _iteration.Dispose();
            inverseDiagonal.Dispose();
        }
    }
}
