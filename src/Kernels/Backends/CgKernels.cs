namespace Solvers.Kernels;

/// <summary>
/// The scalars of one conjugate-gradient solve, kept in a small device vector so that an iteration needs no
/// round trip to the host (Ginkgo keeps CG's scalars on the device for the same reason). The host reads
/// them every <see cref="Backend.ScalarReadInterval"/> iterations to test convergence.
/// </summary>
/// <remarks>
/// r'z alternates between two slots by iteration parity, so that step 3 reads the old and the new value
/// without a race. Once a step finds a value it cannot use (p'Ap &lt;= 0, r'z &lt;= 0, NaN), it records
/// why in <see cref="Flag"/> and every later step leaves x, r and p unchanged: the host then finds the
/// last good iterate in place, however many iterations were queued after the failure.
/// Thread safety: constants only.
/// </remarks>
public static class CgScalars
{
    /// <summary>Slot of p'Ap.</summary>
    public const int PQ = 0;

    /// <summary>Slot of r'r after the latest update.</summary>
    public const int RR = 1;

    /// <summary>Slot of why the solve stopped (0 while running; see the flag constants).</summary>
    public const int Flag = 4;

    /// <summary>Slot of the number of completed iterations when the flag was raised.</summary>
    public const int FlagIteration = 5;

    /// <summary>Slot of the offending value (p'Ap or r'z) when the flag was raised.</summary>
    public const int FlagValue = 6;

    /// <summary>Length of the scalar vector.</summary>
    public const int Length = 8;

    /// <summary>Flag: p'Ap &lt;= 0, the matrix is not positive definite.</summary>
    public const double Indefinite = 1;

    /// <summary>Flag: a NaN or infinity appeared.</summary>
    public const double NonFinite = 2;

    /// <summary>Flag: r'z &lt;= 0 with r != 0, the preconditioner is not positive definite.</summary>
    public const double Breakdown = 3;

    /// <summary>Flag: r = 0 exactly; nothing is left to do.</summary>
    public const double ExactSolution = 4;

    /// <summary>The slot holding r'z of iteration <paramref name="iteration"/> (0 for the initial residual).</summary>
    public static int RzSlot(int iteration) => 2 + (iteration & 1);

    // v - v is 0 exactly when v is finite; comparisons only, so the helpers also run inside GPU kernels.
    private static bool Finite(double v) => v - v == 0.0;

    /// <summary>Why step 2 of an iteration must not run (0: it may), from the flag so far, p'Ap and the previous r'r.</summary>
    public static double Step2Stop(double flag, double pq, double previousRR)
        => flag != 0.0 ? flag
            : previousRR == 0.0 ? ExactSolution
            : !Finite(pq) ? NonFinite
            : !(pq > 0.0) ? Indefinite
            : 0.0;

    /// <summary>Why step 3 of an iteration must not run (0: it may), from the flag so far, the new r'r and the new r'z.</summary>
    public static double Step3Stop(double flag, double rr, double rzNew)
        => flag != 0.0 ? flag
            : rr == 0.0 ? ExactSolution
            : !Finite(rr) || !Finite(rzNew) ? NonFinite
            : !(rzNew > 0.0) ? Breakdown
            : 0.0;
}

/// <summary>
/// The fused steps of preconditioned CG with the scalars on the device (<see cref="CgScalars"/>): the solver's
/// own kernel family, as Ginkgo has one per solver. All vectors belong to the backend and have length n.
/// </summary>
/// <remarks>Thread safety: as its backend: not safe for concurrent use; give each thread its own backend.</remarks>
public interface ICgKernels
{
    /// <summary>q = A p and s[PQ] = p'q.</summary>
    void Step1(DeviceCsr a, DeviceVector p, DeviceVector q, DeviceVector s);

    /// <summary>
    /// Unless the solve has stopped: alpha = s[rz(k-1)] / s[PQ]; x += alpha p; r -= alpha q; s[RR] = r'r. With
    /// <paramref name="identityPreconditioner"/> (z is r) also s[rz(k)] = r'r. Raises the flag instead when p'Ap
    /// is not positive and finite, or when the previous r was exactly zero.
    /// </summary>
    void Step2(DeviceVector p, DeviceVector q, DeviceVector x, DeviceVector r, DeviceVector s, int iteration, bool identityPreconditioner);

    /// <summary>Step 2 fused with the Jacobi apply: also z = d .* r and s[rz(k)] = r'z, in the same pass.</summary>
    void Step2Jacobi(DeviceVector p, DeviceVector q, DeviceVector x, DeviceVector r, DeviceVector inverseDiagonal, DeviceVector z,
        DeviceVector s, int iteration);

    /// <summary>
    /// Unless the solve has stopped: p = z + beta p with beta = s[rz(k)] / s[rz(k-1)]. Raises the flag instead
    /// when r'z is not positive and finite.
    /// </summary>
    void Step3(DeviceVector z, DeviceVector p, DeviceVector s, int iteration);
}
