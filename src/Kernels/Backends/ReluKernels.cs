namespace Solvers.Kernels;

/// <summary>
/// The two linear maps of the convex program for a two-layer ReLU network. The data X is n x d row-major
/// (<c>x[k*d + c]</c>); the activation patterns are the n x P row-major 0/1 matrix <c>masks</c> (<c>m[k*P + i]</c>),
/// D_i = diag(column i); the variable u is 2P x d row-major, rows 0..P-1 being v_1..v_P and rows P..2P-1 being
/// w_1..w_P. F u = sum_i D_i X (v_i - w_i) is the network's output and G u (n x 2P row-major) the cone constraints:
/// <c>gu[k, i] = (2 m[k,i] - 1) (x_k . v_i)</c> and <c>gu[k, P+i] = (2 m[k,i] - 1) (x_k . w_i)</c>.
/// Masks other than exactly 0 or 1 give sums that are still well defined but no longer these maps.
/// All vectors must belong to the backend that exposes the family.
/// </summary>
/// <remarks>Thread safety: as its backend: not safe for concurrent use; give each thread its own backend.</remarks>
public interface IReluKernels
{
    /// <summary>
    /// fu = F u and, when wanted, gu = G u: one pass over each sample row x_k computes its 2P dot products
    /// x_k . u_j once and feeds both outputs. <c>fu[k] = sum_i m[k,i] ((x_k . v_i) - (x_k . w_i))</c>, summed in i order.
    /// </summary>
    /// <param name="x">The data, length n * d.</param>
    /// <param name="n">The number of samples.</param>
    /// <param name="d">The number of features.</param>
    /// <param name="masks">The activation patterns, length n * P, entries 0 or 1.</param>
    /// <param name="p">P, the number of patterns.</param>
    /// <param name="u">The variable, length 2P * d.</param>
    /// <param name="fu">The output F u, length n (overwritten).</param>
    /// <param name="gu">The output G u, length n * 2P (overwritten), or length 0 when G u is not wanted.</param>
    /// <exception cref="ArgumentException">
    /// A size is negative, a vector has the wrong length (the message names it with its length and the expected one),
    /// or a vector belongs to another backend.
    /// </exception>
    void MaskedForward(DeviceVector x, int n, int d, DeviceVector masks, int p, DeviceVector u, DeviceVector fu, DeviceVector gu);

    /// <summary>
    /// y = F' r + G' t: for i &lt; P, <c>y_i = sum_k x_k (m[k,i] r[k] + (2 m[k,i] - 1) t[k,i])</c> and
    /// <c>y_{P+i} = sum_k x_k (-m[k,i] r[k] + (2 m[k,i] - 1) t[k,P+i])</c>. Every output entry (j, c) is one sequential
    /// sum over k = 0..n-1 of coefficient(j, k) * x[k*d + c], with the coefficient formed as written, on every backend.
    /// </summary>
    /// <param name="x">The data, length n * d.</param>
    /// <param name="n">The number of samples.</param>
    /// <param name="d">The number of features.</param>
    /// <param name="masks">The activation patterns, length n * P, entries 0 or 1.</param>
    /// <param name="p">P, the number of patterns.</param>
    /// <param name="r">The weights of F', length n.</param>
    /// <param name="t">The weights of G', length n * 2P, or length 0 to mean zero (only F' r is formed).</param>
    /// <param name="y">The output, length 2P * d (overwritten, zero when n is 0).</param>
    /// <exception cref="ArgumentException">
    /// A size is negative, a vector has the wrong length (the message names it with its length and the expected one),
    /// or a vector belongs to another backend.
    /// </exception>
    void MaskedBackward(DeviceVector x, int n, int d, DeviceVector masks, int p, DeviceVector r, DeviceVector t, DeviceVector y);
}

/// <summary>Argument checks of the ReLU kernels, shared by every backend so that errors read the same.</summary>
internal static class ReluChecks
{
    /// <summary>Checks the sizes and the lengths of the forward's vectors.</summary>
    public static void Forward(DeviceVector x, int n, int d, DeviceVector masks, int p, DeviceVector u, DeviceVector fu, DeviceVector gu)
    {
        Shared(x, n, d, masks, p);
        Length(u, nameof(u), 2L * p * d, $"a {2L * p}x{d} u (2P = {2L * p})");
        Length(fu, nameof(fu), n, $"n = {n}");
        if (gu.Length != 0) Length(gu, nameof(gu), 2L * n * p, $"an {n}x{2L * p} G u (or 0 when not wanted)");
    }

    /// <summary>Checks the sizes and the lengths of the backward's vectors.</summary>
    public static void Backward(DeviceVector x, int n, int d, DeviceVector masks, int p, DeviceVector r, DeviceVector t, DeviceVector y)
    {
        Shared(x, n, d, masks, p);
        Length(r, nameof(r), n, $"n = {n}");
        if (t.Length != 0) Length(t, nameof(t), 2L * n * p, $"an {n}x{2L * p} t (or 0 for zero)");
        Length(y, nameof(y), 2L * p * d, $"a {2L * p}x{d} y (2P = {2L * p})");
    }

    private static void Shared(DeviceVector x, int n, int d, DeviceVector masks, int p)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(d);
        ArgumentOutOfRangeException.ThrowIfNegative(p);
        Length(x, nameof(x), (long)n * d, $"an {n}x{d} X");
        Length(masks, nameof(masks), (long)n * p, $"an {n}x{p} mask matrix");
    }

    // Expected lengths are formed in 64 bits: a product past int.MaxValue can never match, and must not wrap into a match.
    private static void Length(DeviceVector v, string name, long expected, string shape)
    {
        if (v.Length != expected)
            throw new ArgumentException($"{name} has length {v.Length} but {shape} needs length {expected}.", name);
    }
}
