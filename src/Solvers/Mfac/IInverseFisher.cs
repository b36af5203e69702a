using System.Numerics;

namespace Solvers.Mfac;

/// <summary>
/// Matrix-free products with the inverse of a damped empirical Fisher of dimension d: what pruning and the optimizer
/// need, whichever M-FAC variant (full static, sliding window, block-diagonal) holds the gradients.
/// </summary>
/// <remarks>Thread safety is that of the implementation: see each class.</remarks>
/// <typeparam name="T">Vector type, float or double.</typeparam>
public interface IInverseFisher<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>d, the length of the vectors multiplied.</summary>
    int Dimension { get; }

    /// <summary>result = F^-1 x; result may not overlap x.</summary>
    void InverseTimes(ReadOnlySpan<T> x, Span<T> result);

    /// <summary>[F^-1]_kk.</summary>
    T InverseDiagonalEntry(int k);

    /// <summary>The whole diagonal of F^-1.</summary>
    void InverseDiagonal(Span<T> result);
}
