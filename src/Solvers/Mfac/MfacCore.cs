using System.Numerics;
using System.Numerics.Tensors;

namespace Solvers.Mfac;

/// <summary>
/// The pieces shared by the static and sliding M-FAC: the m x m recursion in double and the length-d passes.
/// With v_i = F_{i-1}^-1 g_i and d_i = m + g_i' v_i, Sherman-Morrison gives F^-1 = I/lambda - sum_i v_i v_i' / d_i.
/// Each v_i lies in the span of g_1..g_i, so v_i = sum_j B_ij g_j with B lower triangular; W = diag(d)^-1/2 B turns
/// the sum into F^-1 = I/lambda - G' W' W G, which every product below evaluates without forming a d x d matrix.
/// </summary>
internal static class MfacCore
{
    /// <summary>Length from which the length-d passes run in parallel; below it the thread hand-off costs more than it saves.</summary>
    internal const int ParallelThreshold = 1 << 15;

    /// <summary>Coordinates per block of a length-d pass; fixed so that every output is one sum in the same order whatever the thread count.</summary>
    private const int BlockSize = 4096;

    /// <summary>
    /// W (n x n, lower triangular, row-major) from the Gram matrix of the gradients in recursion order, O(n^3).
    /// Row i of B follows B_i = e_i / lambda - sum_{j &lt; i} (v_j' g_i / d_j) B_j with v_j' g_i = B_j K_{:,i}.
    /// </summary>
    internal static double[] Coefficients(ReadOnlySpan<double> gram, int n, double lambda, double scale)
    {
        var b = new double[n * n];
        var den = new double[n];
        var p = new double[n];
        for (int i = 0; i < n; i++)
        {
            var gramRow = gram.Slice(i * n, n); // K symmetric: row i is column i
            for (int j = 0; j < i; j++)
                p[j] = TensorPrimitives.Dot(new ReadOnlySpan<double>(b, j * n, j + 1), gramRow[..(j + 1)]) / den[j];
            var row = new Span<double>(b, i * n, i + 1);
            row[i] = 1 / lambda;
            for (int j = 0; j < i; j++)
                TensorPrimitives.MultiplyAdd(new ReadOnlySpan<double>(b, j * n, j + 1), -p[j], row[..(j + 1)], row[..(j + 1)]);
            // d_i >= m > 0 because F_{i-1} is positive definite, so the square root below is safe.
            den[i] = scale + TensorPrimitives.Dot(row, gramRow[..(i + 1)]);
        }
        for (int i = 0; i < n; i++)
            TensorPrimitives.Multiply(new ReadOnlySpan<double>(b, i * n, i + 1), 1 / Math.Sqrt(den[i]), new Span<double>(b, i * n, i + 1));
        return b;
    }

    /// <summary>y = W q for lower-triangular W (n x n), O(n^2).</summary>
    internal static void Lower(ReadOnlySpan<double> w, int n, ReadOnlySpan<double> q, Span<double> y)
    {
        for (int i = 0; i < n; i++) y[i] = TensorPrimitives.Dot(w.Slice(i * n, i + 1), q[..(i + 1)]);
    }

    /// <summary>c = W' y for lower-triangular W (n x n), O(n^2); rows added in index order so the result is deterministic.</summary>
    internal static void LowerTransposed(ReadOnlySpan<double> w, int n, ReadOnlySpan<double> y, Span<double> c)
    {
        c[..n].Clear();
        for (int i = 0; i < n; i++) TensorPrimitives.MultiplyAdd(w.Slice(i * n, i + 1), y[i], c[..(i + 1)], c[..(i + 1)]);
    }

    /// <summary>Dot product in T promoted to double: the m x m work runs in double whatever T is.</summary>
    internal static double Dot<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b) where T : unmanaged, IFloatingPointIeee754<T>
        => double.CreateTruncating(TensorPrimitives.Dot(a, b));

    /// <summary>
    /// q_t = row(order_t) . x for t &lt; n, the rows of length d in <paramref name="rows"/>; each dot is one call, so
    /// running them in parallel for large d keeps every q_t bitwise the same.
    /// </summary>
    internal static unsafe void RowDots<T>(T[] rows, int[] order, int n, int d, ReadOnlySpan<T> x, Span<double> q) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (d < ParallelThreshold || n == 1)
        {
            for (int t = 0; t < n; t++) q[t] = Dot<T>(new ReadOnlySpan<T>(rows, order[t] * d, d), x);
            return;
        }
        var result = new double[n];
        fixed (T* px = x)
        {
            nint ax = (nint)px;
            Parallel.For(0, n, t => result[t] = Dot<T>(new ReadOnlySpan<T>(rows, order[t] * d, d), new ReadOnlySpan<T>((void*)ax, d)));
        }
        result.CopyTo(q);
    }

    /// <summary>result = x / lambda - sum_t c_t row(order_t), each coordinate summed over t in index order.</summary>
    internal static unsafe void Combine<T>(T[] rows, int[] order, int n, int d, double invLambda, ReadOnlySpan<double> c, ReadOnlySpan<T> x, Span<T> result) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var coef = new T[n];
        for (int t = 0; t < n; t++) coef[t] = T.CreateTruncating(-c[t]);
        T scale = T.CreateTruncating(invLambda);
        fixed (T* px = x, pr = result)
        {
            nint ax = (nint)px, ar = (nint)pr;
            ForBlocks(d, (start, len) =>
            {
                var xs = new ReadOnlySpan<T>((T*)ax + start, len);
                var rs = new Span<T>((T*)ar + start, len);
                TensorPrimitives.Multiply(xs, scale, rs);
                for (int t = 0; t < n; t++)
                    TensorPrimitives.MultiplyAdd(new ReadOnlySpan<T>(rows, order[t] * d + start, len), coef[t], rs, rs);
            });
        }
    }

    /// <summary>
    /// Blockwise U = W G (rows of G in <paramref name="order"/>), accumulated in double: written to <paramref name="u"/>
    /// when given (n x d, row-major), and/or reduced to diag_k = 1/lambda - sum_i U_ik^2 when
    /// <paramref name="diagonal"/> is given. O(d n^2).
    /// </summary>
    internal static unsafe void Mix<T>(double[] w, T[] rows, int[] order, int n, int d, double invLambda, T[]? u, Span<T> diagonal) where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool wantDiagonal = !diagonal.IsEmpty;
        fixed (T* pd = diagonal)
        {
            nint ad = (nint)pd;
            ForBlocks(d, (start, len) =>
            {
                // The block of G converted once to double, so the n^2 combinations run on doubles.
                var g = new double[n * len];
                for (int t = 0; t < n; t++)
                    TensorPrimitives.ConvertTruncating<T, double>(new ReadOnlySpan<T>(rows, order[t] * d + start, len), new Span<double>(g, t * len, len));
                var acc = new double[len];
                var sq = wantDiagonal ? new double[len] : null;
                for (int i = 0; i < n; i++)
                {
                    Array.Clear(acc);
                    for (int j = 0; j <= i; j++)
                        TensorPrimitives.MultiplyAdd(new ReadOnlySpan<double>(g, j * len, len), w[i * n + j], acc, acc);
                    if (u is not null) TensorPrimitives.ConvertTruncating<double, T>(acc, new Span<T>(u, i * d + start, len));
                    if (sq is not null) TensorPrimitives.MultiplyAdd(acc, acc, sq, sq);
                }
                if (sq is not null) Finish(sq, invLambda, new Span<T>((T*)ad + start, len));
            }, MixBlock(n));
        }
    }

    /// <summary>Block length of <see cref="Mix"/>: its double copy of n rows stays near 2 MB, whatever n, and each block keeps a SIMD-friendly length.</summary>
    private static int MixBlock(int n) => Math.Clamp((1 << 18) / n, 64, BlockSize);

    /// <summary>diag_k = 1/lambda - sum_i U_ik^2 from a stored U (n x d), squares summed in double in row order. O(d n).</summary>
    internal static unsafe void DiagonalFromMixed<T>(T[] u, int n, int d, double invLambda, Span<T> diagonal) where T : unmanaged, IFloatingPointIeee754<T>
    {
        fixed (T* pd = diagonal)
        {
            nint ad = (nint)pd;
            ForBlocks(d, (start, len) =>
            {
                var conv = new double[len];
                var sq = new double[len];
                for (int i = 0; i < n; i++)
                {
                    TensorPrimitives.ConvertTruncating<T, double>(new ReadOnlySpan<T>(u, i * d + start, len), conv);
                    TensorPrimitives.MultiplyAdd(conv, conv, sq, sq);
                }
                Finish(sq, invLambda, new Span<T>((T*)ad + start, len));
            });
        }
    }

    private static void Finish<T>(double[] sq, double invLambda, Span<T> destination) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Subtract(invLambda, sq, sq);
        TensorPrimitives.ConvertTruncating<double, T>(sq, destination);
    }

    /// <summary>Runs body over fixed blocks of [0, d), in parallel once d reaches the threshold.</summary>
    private static void ForBlocks(int d, Action<int, int> body, int blockSize = BlockSize)
    {
        int blocks = (d + blockSize - 1) / blockSize;
        if (d < ParallelThreshold)
        {
            for (int b = 0; b < blocks; b++) body(b * blockSize, Math.Min(blockSize, d - b * blockSize));
            return;
        }
        Parallel.For(0, blocks, b => body(b * blockSize, Math.Min(blockSize, d - b * blockSize)));
    }

    /// <summary>Index of the first entry that is NaN or infinite, or -1.</summary>
    internal static int FirstNonFinite<T>(ReadOnlySpan<T> values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int k = 0; k < values.Length; k++)
            if (!T.IsFinite(values[k])) return k;
        return -1;
    }

    /// <summary>The identity order 0..n-1, for gradients stored in recursion order.</summary>
    internal static int[] Identity(int n)
    {
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        return order;
    }
}
