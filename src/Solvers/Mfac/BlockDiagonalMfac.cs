using System.Numerics;

namespace Solvers.Mfac;

/// <summary>
/// The block-diagonal M-FAC of Frantar, Kurtic and Alistarh (NeurIPS 2021, section 3.3) for very large d: the
/// coordinates are cut into consecutive blocks of B = <see cref="MfacOptions.BlockSize"/> (the last may be shorter)
/// and each block gets its own damped Fisher lambda I + (1/m) sum_i g_i[block] g_i[block]', so correlations between
/// blocks are dropped. Each block is a <see cref="StaticMfac{T}"/> of its slices: the setup costs
/// O(d m^2 + (d / B) m^3) in all, products O(d m), a diagonal entry O(m), and the m x m work of one block never
/// holds more than B m entries of G at a time beside the stored slices.
/// </summary>
/// <remarks>
/// On the host the blocks are built and applied in parallel batches; with <see cref="MfacOptions.Backend"/> set each
/// block mirrors its slices on the backend and the blocks run one after another, since a backend is not safe for
/// concurrent use. Immutable after construction: safe to share between threads on the host path only.
/// </remarks>
/// <typeparam name="T">Storage and vector type, float or double; the m x m work is always in double.</typeparam>
public sealed class BlockDiagonalMfac<T> : IInverseFisher<T>, IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly StaticMfac<T>[] _blocks;
    private readonly int _blockSize;

    /// <summary>Builds one static inverse per block from m = <see cref="MfacOptions.WindowSize"/> gradients.</summary>
    /// <param name="gradients">The gradients, row-major m x d: row i is g_i. Copied; not kept.</param>
    /// <param name="dimension">d, the length of each gradient.</param>
    /// <param name="options">Lambda, m and B (<see cref="MfacOptions.BlockSize"/>; null means one block).</param>
    /// <exception cref="ArgumentException">The length is not m d, or an entry is NaN or infinite (the row and entry are named).</exception>
    public unsafe BlockDiagonalMfac(ReadOnlySpan<T> gradients, int dimension, MfacOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        int m = options.WindowSize;
        MfacCore.CheckGradients(gradients, m, dimension);

        Dimension = dimension;
        Options = options;
        _blockSize = Math.Min(options.BlockSize ?? dimension, dimension);
        int count = (dimension + _blockSize - 1) / _blockSize;
        _blocks = new StaticMfac<T>[count];
        var blockOptions = options with { BlockSize = null };
        int blockSize = _blockSize;
        var blocks = _blocks;
        fixed (T* pg = gradients)
        {
            nint ag = (nint)pg;
            void Build(int b)
            {
                int start = b * blockSize, len = Math.Min(blockSize, dimension - start);
                var slices = new T[m * len];
                for (int i = 0; i < m; i++)
                    new ReadOnlySpan<T>((T*)ag + (long)i * dimension + start, len).CopyTo(slices.AsSpan(i * len, len));
                blocks[b] = new StaticMfac<T>(slices, len, blockOptions);
            }
            try
            {
                if (options.Backend is not null || count == 1) for (int b = 0; b < count; b++) Build(b);
                else Parallel.For(0, count, Build);
            }
            catch
            {
                Dispose();
                throw;
            }
        }
    }

    /// <summary>d, the length of the gradients and of the vectors multiplied.</summary>
    public int Dimension { get; }

    /// <summary>The options it was built with.</summary>
    public MfacOptions Options { get; }

    /// <summary>Number of diagonal blocks, ceil(d / B).</summary>
    public int BlockCount => _blocks.Length;

    /// <summary>result = F^-1 x in O(d m), block by block. result may not overlap x.</summary>
    /// <exception cref="ArgumentException">x or result does not have length d.</exception>
    public unsafe void InverseTimes(ReadOnlySpan<T> x, Span<T> result)
    {
        CheckLength(x.Length, nameof(x));
        CheckLength(result.Length, nameof(result));
        fixed (T* px = x, pr = result)
        {
            nint ax = (nint)px, ar = (nint)pr;
            void Apply(int b)
            {
                int start = b * _blockSize, len = _blocks[b].Dimension;
                _blocks[b].InverseTimes(new ReadOnlySpan<T>((T*)ax + start, len), new Span<T>((T*)ar + start, len));
            }
            if (Options.Backend is not null || _blocks.Length == 1) for (int b = 0; b < _blocks.Length; b++) Apply(b);
            else Parallel.For(0, _blocks.Length, Apply);
        }
    }

    /// <summary>[F^-1]_kk in O(m), from the block holding k.</summary>
    /// <exception cref="ArgumentOutOfRangeException">k is outside [0, d).</exception>
    public T InverseDiagonalEntry(int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(k, Dimension);
        return _blocks[k / _blockSize].InverseDiagonalEntry(k % _blockSize);
    }

    /// <summary>The whole diagonal of F^-1 in O(d m).</summary>
    /// <exception cref="ArgumentException">result does not have length d.</exception>
    public void InverseDiagonal(Span<T> result)
    {
        CheckLength(result.Length, nameof(result));
        for (int b = 0; b < _blocks.Length; b++)
            _blocks[b].InverseDiagonal(result.Slice(b * _blockSize, _blocks[b].Dimension));
    }

    /// <summary>Frees the blocks' device buffers when <see cref="MfacOptions.Backend"/> is set; a no-op on the host path.</summary>
    public void Dispose()
    {
        foreach (var block in _blocks) block?.Dispose();
    }

    private void CheckLength(int length, string name)
    {
        if (length != Dimension) throw new ArgumentException($"Expected length d = {Dimension}, got {length}.", name);
    }
}
