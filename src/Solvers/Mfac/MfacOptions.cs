using Solvers.Kernels;

namespace Solvers.Mfac;

/// <summary>
/// Options of <see cref="StaticMfac{T}"/>, <see cref="SlidingMfac{T}"/> and <see cref="BlockDiagonalMfac{T}"/>: the damped empirical Fisher
/// F = lambda I + (1/m) sum_i g_i g_i' of Frantar, Kurtic and Alistarh (NeurIPS 2021). Validated when set, each
/// error naming the property.
/// </summary>
/// <remarks>Thread safety: immutable (init-only), safe to share; the Backend it names is not thread-safe, so M-FAC objects used from different threads need their own backends.</remarks>
public sealed record MfacOptions
{
    private readonly double _lambda = 1e-4;
    private readonly int _windowSize = 1024;

    /// <summary>
    /// Dampening lambda &gt; 0 (default 1e-4), absolute rather than relative to the gradients' scale: it is the
    /// inverse's gain 1/lambda on directions no gradient spans, so it should sit well below the typical
    /// ||g||^2 / m. 1e-4 suits gradients of order one per coordinate; the paper tunes it per model.
    /// </summary>
    public double Lambda { get => _lambda; init => _lambda = value > 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(Lambda), value, "Lambda must be positive and finite."); }

    /// <summary>
    /// Gradients in the window, m &gt;= 1 (default 1024, the paper's choice): the setup costs O(m^3) and the
    /// products O(d m), so m in the hundreds to a few thousands keeps the m x m work below the length-d work.
    /// </summary>
    public int WindowSize { get => _windowSize; init => _windowSize = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(WindowSize), value, "WindowSize (m) must be at least 1."); }

    /// <summary>
    /// Coordinates per diagonal block of <see cref="BlockDiagonalMfac{T}"/> (B &gt;= 1; null, the default, is one
    /// block of all d coordinates). Only the block-diagonal variant reads it: <see cref="StaticMfac{T}"/> and
    /// <see cref="SlidingMfac{T}"/> reject a B below d rather than silently use the full matrix.
    /// </summary>
    public int? BlockSize { get => _blockSize; init => _blockSize = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(BlockSize), value, "BlockSize (B) must be at least 1."); }
    private readonly int? _blockSize;

    /// <summary>Throws when <see cref="BlockSize"/> would split d coordinates: for the solvers that do not read it.</summary>
    internal void RequireSingleBlock(int dimension, string solver)
    {
        if (BlockSize is int b && b < dimension)
            throw new ArgumentException($"BlockSize = {b} is below d = {dimension}, but {solver} uses the full matrix; use BlockDiagonalMfac<T> for blocks.", "options");
    }

    /// <summary>
    /// Backend whose Dense kernels run the length-d products; null = the host path with TensorPrimitives. The
    /// solvers keep their host copies (for the diagonal and the Gram matrix) and mirror the m x d storage on it;
    /// they do not own the backend, which must outlive them. Dispose them to free the device buffers.
    /// </summary>
    public Backend? Backend { get; init; }
}
