using Solvers.Kernels;
using Solvers.Sparse;

namespace Solvers.Linear;

/// <summary>
/// A preconditioner strategy for CG: given the operator on a backend, it builds an applied preconditioner M^-1.
/// M must be symmetric positive definite for CG to stay valid.
/// </summary>
/// <remarks>Thread safety: implementations should be immutable strategies whose Setup may run for several solves at once (the library's are, apart from AmgPreconditioner.LastHierarchy, which records whichever setup ran last); the AppliedPreconditioner it returns belongs to one solve.</remarks>
public interface IPreconditioner
{
    /// <summary>A short name for reports ("none", "jacobi", ...).</summary>
    string Name { get; }

    /// <summary>
    /// Builds the applied preconditioner for <paramref name="a"/> on <paramref name="backend"/>. Preconditioners that
    /// factor on the host (IC(0), SSOR) also need <paramref name="hostMatrix"/>, the same matrix in host memory.
    /// </summary>
    /// <exception cref="PreconditionerSetupException">The matrix does not admit this preconditioner (e.g. a non-positive diagonal for Jacobi).</exception>
    AppliedPreconditioner Setup(Backend backend, DeviceCsr a, CsrMatrix? hostMatrix = null);
}

/// <summary>A preconditioner bound to one matrix on one backend.</summary>
/// <remarks>Thread safety: bound to one backend and one solve; not safe for concurrent use.</remarks>
public abstract class AppliedPreconditioner : IDisposable
{
    /// <summary>
    /// True when M = I: the solver then uses r itself as z and saves a vector pass per iteration.
    /// </summary>
    public virtual bool IsIdentity => false;

    /// <summary>
    /// z = M^-1 r, and scalars[slot] = r'z left in device memory (no synchronisation with the host). For M = I,
    /// z may be r itself.
    /// </summary>
    public abstract void Apply(DeviceVector r, DeviceVector z, DeviceVector scalars, int slot);

    /// <summary>
    /// Vector bytes the preconditioner adds to one CG iteration (over the plain x/r update), for the
    /// memory-traffic model of a solve.
    /// </summary>
    public abstract long BytesPerApply(int n);

    /// <summary>
    /// Runs CG's step 2 (the x/r update) fused with z = M^-1 r in one pass where the backend has a kernel for it,
    /// and returns true; the default returns false and the solver runs the update and <see cref="Apply"/> apart.
    /// </summary>
    public virtual bool TryFusedStep2(ICgKernels cg, DeviceVector p, DeviceVector q, DeviceVector x, DeviceVector r, DeviceVector z,
        DeviceVector scalars, int iteration) => false;

    /// <summary>Releases device memory.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases device memory.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>The matrix does not admit the requested preconditioner.</summary>
/// <remarks>Thread safety: immutable after construction.</remarks>
public sealed class PreconditionerSetupException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PreconditionerSetupException(SolverStatus status, string message) : base(message) => Status = status;

    /// <summary>The status a solver reports when this happens.</summary>
    public SolverStatus Status { get; }
}

/// <summary>The built-in preconditioners.</summary>
/// <remarks>Thread safety: the shared instances are immutable strategies, safe to use from several solves at once (Amg returns a new instance on each read).</remarks>
public static class Preconditioners
{
    /// <summary>No preconditioning (M = I).</summary>
    public static IPreconditioner None { get; } = new IdentityPreconditioner();

    /// <summary>Jacobi (diagonal) scaling, M = diag(A); needs a positive diagonal.</summary>
    public static IPreconditioner Jacobi { get; } = new JacobiPreconditioner();

    /// <summary>IC(0) with default options (CPU).</summary>
    public static IPreconditioner IncompleteCholesky { get; } = new IncompleteCholesky();

    /// <summary>SSOR with omega = 1, symmetric Gauss-Seidel (CPU).</summary>
    public static IPreconditioner Ssor { get; } = new Ssor();

    /// <summary>Chebyshev polynomial of degree 3 in the Jacobi-scaled operator (SpMVs only: any backend).</summary>
    public static IPreconditioner Chebyshev { get; } = new ChebyshevPreconditioner();

    /// <summary>Smoothed-aggregation AMG with default options (one W-cycle per apply; any backend).</summary>
    public static IPreconditioner Amg => new Multigrid.AmgPreconditioner();

    /// <summary>The names <see cref="Parse"/> accepts.</summary>
    public const string Names = "none, jacobi, ic0, ssor, ssor:OMEGA, chebyshev, chebyshev:DEGREE, amg, amg:KEY=VALUE,... (keys: "
        + Multigrid.AmgOptions.Keys + "), amg-chebyshev, amg-v";

    /// <summary>Looks a preconditioner up by name (case-insensitive): see <see cref="Names"/>.</summary>
    /// <exception cref="ArgumentException">The name is unknown or its parameter invalid; the message lists the known ones.</exception>
    public static IPreconditioner Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string key = name.Trim().ToLowerInvariant();
        string? arg = null;
        int colon = key.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            arg = key[(colon + 1)..];
            key = key[..colon];
        }
        try
        {
            return (key, arg) switch
            {
                ("none" or "identity", null) => None,
                ("jacobi" or "diagonal", null) => Jacobi,
                ("ic0" or "ichol", null) => IncompleteCholesky,
                ("ssor", null) => Ssor,
                ("ssor", _) => new Ssor(double.Parse(arg, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture)),
                ("chebyshev", null) => Chebyshev,
                ("amg", null) => Amg,
                ("amg", _) => new Multigrid.AmgPreconditioner(Multigrid.AmgOptions.Parse(arg)),
                ("amg-jacobi", null) => new Multigrid.AmgPreconditioner(new Multigrid.AmgOptions { Smoother = Multigrid.AmgSmoother.Jacobi }),
                ("amg-chebyshev", null) => new Multigrid.AmgPreconditioner(new Multigrid.AmgOptions { Smoother = Multigrid.AmgSmoother.Chebyshev }),
                ("amg-v", null) => new Multigrid.AmgPreconditioner(new Multigrid.AmgOptions { CycleIndex = 1 }),
                ("chebyshev", _) => new ChebyshevPreconditioner(new ChebyshevOptions { Degree = int.Parse(arg, System.Globalization.CultureInfo.InvariantCulture) }),
                _ => throw new ArgumentException($"Unknown preconditioner '{name}'; available: {Names}.", nameof(name)),
            };
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentOutOfRangeException)
        {
            throw new ArgumentException($"Preconditioner '{name}': {e.Message} Available: {Names}.", nameof(name), e);
        }
    }

    private sealed class IdentityPreconditioner : IPreconditioner
    {
        public string Name => "none";

        public AppliedPreconditioner Setup(Backend backend, DeviceCsr a, CsrMatrix? hostMatrix = null) => new Applied(backend);

        private sealed class Applied(Backend backend) : AppliedPreconditioner
        {
            public override bool IsIdentity => true;

            public override void Apply(DeviceVector r, DeviceVector z, DeviceVector scalars, int slot)
            {
                if (!ReferenceEquals(r, z)) backend.Blas.Copy(r, z);
                backend.Blas.DotInto(r, r, scalars, slot);
            }

            public override long BytesPerApply(int n) => 0;
        }
    }

    private sealed class JacobiPreconditioner : IPreconditioner
    {
        public string Name => "jacobi";

        public AppliedPreconditioner Setup(Backend backend, DeviceCsr a, CsrMatrix? hostMatrix = null)
        {
            var inv = backend.Allocate(a.Rows);
            try
            {
                backend.Sparse.Diagonal(a, inv);
                // A non-positive diagonal entry proves A is not SPD (e_i'Ae_i = a_ii); find it for the message.
                var d = inv.ToArray();
                for (int i = 0; i < d.Length; i++)
                    if (!(d[i] > 0))
                        throw new PreconditionerSetupException(SolverStatus.IndefiniteMatrix,
                            $"Jacobi preconditioner: diagonal entry A[{i},{i}] = {d[i]:G6} is not positive, so A is not SPD.");
                backend.Blas.Reciprocal(inv);
                return new Applied(backend, inv);
            }
            catch
            {
                inv.Dispose();
                throw;
            }
        }

        private sealed class Applied(Backend backend, DeviceVector inverseDiagonal) : AppliedPreconditioner
        {
            public override void Apply(DeviceVector r, DeviceVector z, DeviceVector scalars, int slot)
                => backend.Blas.PointwiseMultiplyDotInto(inverseDiagonal, r, z, scalars, slot);

            // Fused into the x/r update: reads d, writes z.
            public override long BytesPerApply(int n) => 16L * n;

            public override bool TryFusedStep2(ICgKernels cg, DeviceVector p, DeviceVector q, DeviceVector x, DeviceVector r, DeviceVector z,
                DeviceVector scalars, int iteration)
            {
                cg.Step2Jacobi(p, q, x, r, inverseDiagonal, z, scalars, iteration);
                return true;
            }

            protected override void Dispose(bool disposing)
            {
                if (disposing) inverseDiagonal.Dispose();
            }
        }
    }
}
