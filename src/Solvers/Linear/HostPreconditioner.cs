using Solvers.Kernels;
using Solvers.Sparse;

namespace Solvers.Linear;

/// <summary>
/// Base of the preconditioners whose apply is a sequential sweep (IC(0), SSOR): the sweep runs on host arrays.
/// On the CPU backend the copies in and out are memory copies; on a GPU they cross the bus, so these are
/// CPU preconditioners (use Jacobi or Chebyshev there).
/// </summary>
internal abstract class HostPreconditioner(Backend backend, int n) : AppliedPreconditioner
{
    private readonly double[] _r = new double[n];
    private readonly double[] _z = new double[n];

    /// <summary>z = M^-1 r on host arrays.</summary>
    protected abstract void Solve(ReadOnlySpan<double> r, Span<double> z);

    public override void Apply(DeviceVector r, DeviceVector z, DeviceVector scalars, int slot)
    {
        r.CopyTo(_r);
        Solve(_r, _z);
        z.CopyFrom(_z);
        backend.Blas.DotInto(r, z, scalars, slot);
    }

    /// <summary>Host copies in and out plus the reads of the factor's nonzeros, counted as 12 bytes each.</summary>
    protected static long SweepBytes(int n, long factorNonZeros) => 32L * n + 12L * factorNonZeros;
}

/// <summary>
/// Base of the preconditioner strategies that are built from the matrix in host memory (IC(0), SSOR): the
/// device-only overload of <see cref="IPreconditioner.Setup"/> says why it cannot serve.
/// </summary>
/// <remarks>Thread safety: an immutable strategy; one instance may serve several solves at once, each Setup returning its own AppliedPreconditioner.</remarks>
public abstract class HostMatrixPreconditioner : IPreconditioner
{
    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <inheritdoc/>
    public AppliedPreconditioner Setup(Backend backend, DeviceCsr a, CsrMatrix? hostMatrix = null)
        => Setup(backend, hostMatrix ?? throw new ArgumentException(
            $"{Name} works on the host and needs the matrix there: solve with a CsrMatrix, not a DeviceCsr.", nameof(hostMatrix)));

    /// <summary>Builds the preconditioner from <paramref name="a"/>, which must be square.</summary>
    public AppliedPreconditioner Setup(Backend backend, CsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(a);
        if (!a.IsSquare) throw new ArgumentException($"A is {a.Rows}x{a.Columns}: {Name} needs a square matrix.", nameof(a));
        return SetupSquare(backend, a);
    }

    /// <summary>Builds the preconditioner from a square matrix.</summary>
    protected abstract AppliedPreconditioner SetupSquare(Backend backend, CsrMatrix a);
}
