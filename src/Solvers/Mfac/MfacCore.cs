using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

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
    private const int BlockSize = 16384;

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
    /// q_t = row(order_t) . x for t &lt; n, the rows of length d in <paramref name="rows"/>. Blocked over d so that
    /// the block of x stays in cache while the n rows stream past: x is read once, not n times, and the pass reads
    /// the m x d buffer once. Each block's dots go to their own slot and the blocks are summed in block order, so the
    /// bits do not depend on the thread count.
    /// </summary>
    internal static unsafe void RowDots<T>(T[] rows, int[] order, int n, int d, ReadOnlySpan<T> x, Span<double> q) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int blocks = (d + BlockSize - 1) / BlockSize;
        var partial = System.Buffers.ArrayPool<double>.Shared.Rent(blocks * n);
        try
        {
            fixed (T* px = x)
            {
                nint ax = (nint)px;
                ForBlocks(d, (start, len) =>
                {
                    var xs = new ReadOnlySpan<T>((T*)ax + start, len);
                    int at = start / BlockSize * n, t = 0;
                    // Four rows at a time: four read streams in flight per core instead of one, and x loaded once per four.
                    for (; t + 4 <= n; t += 4)
                        DotFour(rows, order, t, d, start, xs, partial.AsSpan(at + t, 4));
                    for (; t < n; t++)
                        partial[at + t] = Dot<T>(new ReadOnlySpan<T>(rows, order[t] * d + start, len), xs);
                });
            }
            for (int t = 0; t < n; t++)
            {
                double sum = 0;
                for (int b = 0; b < blocks; b++) sum += partial[b * n + t];
                q[t] = sum;
            }
        }
        finally { System.Buffers.ArrayPool<double>.Shared.Return(partial); }
    }

    /// <summary>
    /// result = x / lambda - sum_t c_t row(order_t), each coordinate summed over t in index order. Rows go eight at a
    /// time into a block of the result that stays in L1, so the result is loaded and stored once per eight rows rather
    /// than once per row and the pass is bound by reading the rows.
    /// </summary>
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
                int t = 0;
                for (; t + 8 <= n; t += 8) AddEight(rows, order, t, d, start, coef, rs);
                for (; t < n; t++)
                    TensorPrimitives.MultiplyAdd(new ReadOnlySpan<T>(rows, order[t] * d + start, len), coef[t], rs, rs);
            });
        }
    }

    /// <summary>result[a] = row(order[t0 + a])[start..] . xs for a &lt; 4, each accumulated in T per lane, then in double.</summary>
    private static void DotFour<T>(T[] rows, int[] order, int t0, int d, int start, ReadOnlySpan<T> xs, Span<double> result) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T r0 = ref rows[order[t0] * d + start], r1 = ref rows[order[t0 + 1] * d + start];
        ref T r2 = ref rows[order[t0 + 2] * d + start], r3 = ref rows[order[t0 + 3] * d + start];
        ref T x = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(xs);
        Vector<T> a0 = Vector<T>.Zero, a1 = Vector<T>.Zero, a2 = Vector<T>.Zero, a3 = Vector<T>.Zero;
        int len = xs.Length, lanes = Vector<T>.Count;
        nuint j = 0;
        for (; (int)j + lanes <= len; j += (nuint)lanes)
        {
            var xv = Vector.LoadUnsafe(ref x, j);
            a0 = Fma(Vector.LoadUnsafe(ref r0, j), xv, a0);
            a1 = Fma(Vector.LoadUnsafe(ref r1, j), xv, a1);
            a2 = Fma(Vector.LoadUnsafe(ref r2, j), xv, a2);
            a3 = Fma(Vector.LoadUnsafe(ref r3, j), xv, a3);
        }
        double s0 = double.CreateTruncating(Vector.Sum(a0)), s1 = double.CreateTruncating(Vector.Sum(a1));
        double s2 = double.CreateTruncating(Vector.Sum(a2)), s3 = double.CreateTruncating(Vector.Sum(a3));
        for (int k = (int)j; k < len; k++)
        {
            double xk = double.CreateTruncating(Unsafe.Add(ref x, k));
            s0 += double.CreateTruncating(Unsafe.Add(ref r0, k)) * xk;
            s1 += double.CreateTruncating(Unsafe.Add(ref r1, k)) * xk;
            s2 += double.CreateTruncating(Unsafe.Add(ref r2, k)) * xk;
            s3 += double.CreateTruncating(Unsafe.Add(ref r3, k)) * xk;
        }
        result[0] = s0;
        result[1] = s1;
        result[2] = s2;
        result[3] = s3;
    }

    /// <summary>a b + c fused; the type test folds away when the JIT specialises T.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> Fma<T>(Vector<T> a, Vector<T> b, Vector<T> c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(double)) return Vector.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();
        if (typeof(T) == typeof(float)) return Vector.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>();
        return a * b + c;
    }

    /// <summary>rs += sum_{a &lt; 8} coef[t0 + a] row(order[t0 + a])[start..], added one row after another per coordinate.</summary>
    private static void AddEight<T>(T[] rows, int[] order, int t0, int d, int start, T[] coef, Span<T> rs) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T r0 = ref rows[order[t0] * d + start], r1 = ref rows[order[t0 + 1] * d + start];
        ref T r2 = ref rows[order[t0 + 2] * d + start], r3 = ref rows[order[t0 + 3] * d + start];
        ref T r4 = ref rows[order[t0 + 4] * d + start], r5 = ref rows[order[t0 + 5] * d + start];
        ref T r6 = ref rows[order[t0 + 6] * d + start], r7 = ref rows[order[t0 + 7] * d + start];
        ref T o = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(rs);
        Vector<T> c0 = new(coef[t0]), c1 = new(coef[t0 + 1]), c2 = new(coef[t0 + 2]), c3 = new(coef[t0 + 3]);
        Vector<T> c4 = new(coef[t0 + 4]), c5 = new(coef[t0 + 5]), c6 = new(coef[t0 + 6]), c7 = new(coef[t0 + 7]);
        int len = rs.Length, lanes = Vector<T>.Count;
        nuint j = 0;
        for (; (int)j + lanes <= len; j += (nuint)lanes)
        {
            var acc = Vector.LoadUnsafe(ref o, j);
            acc = Fma(c0, Vector.LoadUnsafe(ref r0, j), acc);
            acc = Fma(c1, Vector.LoadUnsafe(ref r1, j), acc);
            acc = Fma(c2, Vector.LoadUnsafe(ref r2, j), acc);
            acc = Fma(c3, Vector.LoadUnsafe(ref r3, j), acc);
            acc = Fma(c4, Vector.LoadUnsafe(ref r4, j), acc);
            acc = Fma(c5, Vector.LoadUnsafe(ref r5, j), acc);
            acc = Fma(c6, Vector.LoadUnsafe(ref r6, j), acc);
            acc = Fma(c7, Vector.LoadUnsafe(ref r7, j), acc);
            acc.StoreUnsafe(ref o, j);
        }
        for (int k = (int)j; k < len; k++)
        {
            T acc = rs[k];
            acc = T.FusedMultiplyAdd(coef[t0], Unsafe.Add(ref r0, k), acc);
            acc = T.FusedMultiplyAdd(coef[t0 + 1], Unsafe.Add(ref r1, k), acc);
            acc = T.FusedMultiplyAdd(coef[t0 + 2], Unsafe.Add(ref r2, k), acc);
            acc = T.FusedMultiplyAdd(coef[t0 + 3], Unsafe.Add(ref r3, k), acc);
            acc = T.FusedMultiplyAdd(coef[t0 + 4], Unsafe.Add(ref r4, k), acc);
            acc = T.FusedMultiplyAdd(coef[t0 + 5], Unsafe.Add(ref r5, k), acc);
            acc = T.FusedMultiplyAdd(coef[t0 + 6], Unsafe.Add(ref r6, k), acc);
            acc = T.FusedMultiplyAdd(coef[t0 + 7], Unsafe.Add(ref r7, k), acc);
            rs[k] = acc;
        }
    }

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
    private static void ForBlocks(int d, Action<int, int> body, int blockSize = 0)
    {
        if (blockSize == 0) blockSize = BlockSize;
        int blocks = (d + blockSize - 1) / blockSize;
        if (d < ParallelThreshold)
        {
            for (int b = 0; b < blocks; b++) body(b * blockSize, Math.Min(blockSize, d - b * blockSize));
            return;
        }
        Parallel.For(0, blocks, b => body(b * blockSize, Math.Min(blockSize, d - b * blockSize)));
    }

    /// <summary>Throws, naming the sizes or the gradient and entry, unless <paramref name="gradients"/> is m x d and finite.</summary>
    internal static void CheckGradients<T>(ReadOnlySpan<T> gradients, int m, int d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if ((long)m * d != gradients.Length)
            throw new ArgumentException($"Expected m x d = {m} x {d} = {(long)m * d} gradient entries, got {gradients.Length}.", nameof(gradients));
        int bad = FirstNonFinite(gradients);
        if (bad >= 0)
            throw new ArgumentException($"Gradient {bad / d} has the non-finite entry {gradients[bad]} at index {bad % d}.", nameof(gradients));
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
