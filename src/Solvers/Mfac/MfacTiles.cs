using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Solvers.Mfac;

/// <summary>
/// The two O(d m^2) passes of the M-FAC setup, G G' and U = W G, as register-tiled SIMD kernels over blocks of d.
/// A dot-product formulation reads two operands per multiply-add and, for the Gram matrix, the whole m x d buffer m
/// times; here each block of G is converted once to double and kept in cache while 4 x 4 (Gram) or 4 x 2V (mix)
/// tiles of accumulators stay in registers, so the setup runs near the FMA peak instead of the memory bound.
/// Both are deterministic: blocks and groups of blocks are fixed by d and n, never by the thread count.
/// </summary>
internal static class MfacTiles
{
    /// <summary>Bytes of the double copy of one block of n rows: about the L2 cache of one core.</summary>
    private const int BlockBytes = 1 << 20;

    /// <summary>Partial Gram matrices summed in this fixed order; the parallelism of the Gram pass.</summary>
    private const int GramGroups = 8;

    private static int Lanes => Vector<double>.Count;

    /// <summary>Rows padded to a multiple of 4, the tile height.</summary>
    internal static int Padded(int n) => (n + 3) & ~3;

    /// <summary>Coordinates per block for n rows: a multiple of 2 lanes, between 64 and 4096.</summary>
    internal static int BlockLength(int n)
    {
        int len = Math.Clamp(BlockBytes / 8 / Padded(n), 64, 4096);
        return len / (2 * Lanes) * (2 * Lanes);
    }

    /// <summary>Copies columns [start, start + len) of the n rows (in <paramref name="order"/>) to double, zero-padded to n4 x stride.</summary>
    private static void Load<T>(T[] rows, int[] order, int n, int d, int start, int len, double[] g, int stride) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int t = 0; t < n; t++)
        {
            TensorPrimitives.ConvertTruncating<T, double>(new ReadOnlySpan<T>(rows, order[t] * d + start, len), new Span<double>(g, t * stride, len));
            if (len < stride) Array.Clear(g, t * stride + len, stride - len);
        }
        Array.Clear(g, n * stride, (Padded(n) - n) * stride);
    }

    /// <summary>G G' (n x n, double, both triangles filled) of the rows in <paramref name="order"/>. O(d n^2).</summary>
    internal static double[] Gram<T>(T[] rows, int[] order, int n, int d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n4 = Padded(n), len = BlockLength(n), blocks = (d + len - 1) / len;
        int groups = Math.Min(GramGroups, blocks);
        var partial = new double[groups][];
        void Group(int group)
        {
            var acc = new double[n4 * n4];
            var g = new double[n4 * len];
            for (int b = group * blocks / groups; b < (group + 1) * blocks / groups; b++)
            {
                int start = b * len, count = Math.Min(len, d - start);
                Load(rows, order, n, d, start, count, g, len);
                GramTile(g, n4, len, acc);
            }
            partial[group] = acc;
        }
        if ((long)d * n < MfacCore.ParallelThreshold) for (int group = 0; group < groups; group++) Group(group);
        else Parallel.For(0, groups, Group);

        var gram = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                double sum = 0;
                for (int group = 0; group < groups; group++) sum += partial[group][i * n4 + j];
                gram[i * n + j] = gram[j * n + i] = sum;
            }
        return gram;
    }

    /// <summary>acc[i, j] += g_i . g_j for j &lt;= i (rounded up to the 4 x 4 tile), g is n4 x stride.</summary>
    private static void GramTile(double[] g, int n4, int stride, double[] acc)
    {
        ref double g0 = ref MemoryMarshal.GetArrayDataReference(g);
        int lanes = Lanes;
        for (int i0 = 0; i0 < n4; i0 += 4)
        {
            nuint ra0 = (nuint)(i0 * stride), ra1 = ra0 + (nuint)stride, ra2 = ra1 + (nuint)stride, ra3 = ra2 + (nuint)stride;
            for (int j0 = 0; j0 <= i0; j0 += 4)
            {
                nuint rb0 = (nuint)(j0 * stride), rb1 = rb0 + (nuint)stride, rb2 = rb1 + (nuint)stride, rb3 = rb2 + (nuint)stride;
                Vector<double> c00 = default, c01 = default, c02 = default, c03 = default;
                Vector<double> c10 = default, c11 = default, c12 = default, c13 = default;
                Vector<double> c20 = default, c21 = default, c22 = default, c23 = default;
                Vector<double> c30 = default, c31 = default, c32 = default, c33 = default;
                for (nuint c = 0; c < (nuint)stride; c += (nuint)lanes)
                {
                    var b0 = Vector.LoadUnsafe(ref g0, rb0 + c);
                    var b1 = Vector.LoadUnsafe(ref g0, rb1 + c);
                    var b2 = Vector.LoadUnsafe(ref g0, rb2 + c);
                    var b3 = Vector.LoadUnsafe(ref g0, rb3 + c);
                    var a = Vector.LoadUnsafe(ref g0, ra0 + c);
                    c00 = Vector.FusedMultiplyAdd(a, b0, c00); c01 = Vector.FusedMultiplyAdd(a, b1, c01);
                    c02 = Vector.FusedMultiplyAdd(a, b2, c02); c03 = Vector.FusedMultiplyAdd(a, b3, c03);
                    a = Vector.LoadUnsafe(ref g0, ra1 + c);
                    c10 = Vector.FusedMultiplyAdd(a, b0, c10); c11 = Vector.FusedMultiplyAdd(a, b1, c11);
                    c12 = Vector.FusedMultiplyAdd(a, b2, c12); c13 = Vector.FusedMultiplyAdd(a, b3, c13);
                    a = Vector.LoadUnsafe(ref g0, ra2 + c);
                    c20 = Vector.FusedMultiplyAdd(a, b0, c20); c21 = Vector.FusedMultiplyAdd(a, b1, c21);
                    c22 = Vector.FusedMultiplyAdd(a, b2, c22); c23 = Vector.FusedMultiplyAdd(a, b3, c23);
                    a = Vector.LoadUnsafe(ref g0, ra3 + c);
                    c30 = Vector.FusedMultiplyAdd(a, b0, c30); c31 = Vector.FusedMultiplyAdd(a, b1, c31);
                    c32 = Vector.FusedMultiplyAdd(a, b2, c32); c33 = Vector.FusedMultiplyAdd(a, b3, c33);
                }
                int r = i0 * n4 + j0;
                acc[r] += Vector.Sum(c00); acc[r + 1] += Vector.Sum(c01); acc[r + 2] += Vector.Sum(c02); acc[r + 3] += Vector.Sum(c03);
                r += n4;
                acc[r] += Vector.Sum(c10); acc[r + 1] += Vector.Sum(c11); acc[r + 2] += Vector.Sum(c12); acc[r + 3] += Vector.Sum(c13);
                r += n4;
                acc[r] += Vector.Sum(c20); acc[r + 1] += Vector.Sum(c21); acc[r + 2] += Vector.Sum(c22); acc[r + 3] += Vector.Sum(c23);
                r += n4;
                acc[r] += Vector.Sum(c30); acc[r + 1] += Vector.Sum(c31); acc[r + 2] += Vector.Sum(c32); acc[r + 3] += Vector.Sum(c33);
            }
        }
    }

    /// <summary>
    /// U = W G blockwise (rows of G in <paramref name="order"/>, W lower triangular n x n), accumulated in double:
    /// written to <paramref name="u"/> when given (n x d, row-major; it may be the rows array itself, since each block
    /// is copied before it is overwritten, but then order must be the identity), and/or reduced to
    /// diag_k = 1/lambda - sum_i U_ik^2 when <paramref name="diagonal"/> is not empty. O(d n^2).
    /// </summary>
    internal static unsafe void Mix<T>(double[] w, T[] rows, int[] order, int n, int d, double invLambda, T[]? u, Span<T> diagonal) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n4 = Padded(n), len = BlockLength(n), blocks = (d + len - 1) / len;
        var w4 = new double[n4 * n4];
        for (int i = 0; i < n; i++) Array.Copy(w, i * n, w4, i * n4, i + 1);
        bool wantDiagonal = !diagonal.IsEmpty;
        fixed (T* pd = diagonal)
        {
            nint ad = (nint)pd;
            void Block(int b)
            {
                int start = b * len, count = Math.Min(len, d - start);
                var pool = System.Buffers.ArrayPool<double>.Shared;
                var g = pool.Rent(n4 * len);
                var out4 = pool.Rent(4 * len);
                var sq = wantDiagonal ? pool.Rent(len) : null;
                try
                {
                    Load(rows, order, n, d, start, count, g, len);
                    if (sq is not null) Array.Clear(sq, 0, count);
                    for (int i0 = 0; i0 < n4; i0 += 4)
                    {
                        MixTile(w4, n4, i0, g, len, out4);
                        for (int a = 0; a < 4 && i0 + a < n; a++)
                        {
                            var row = new ReadOnlySpan<double>(out4, a * len, count);
                            if (u is not null) TensorPrimitives.ConvertTruncating<double, T>(row, new Span<T>(u, (i0 + a) * d + start, count));
                            if (sq is not null) TensorPrimitives.MultiplyAdd(row, row, new ReadOnlySpan<double>(sq, 0, count), new Span<double>(sq, 0, count));
                        }
                    }
                    if (sq is not null)
                    {
                        var s = new Span<double>(sq, 0, count);
                        TensorPrimitives.Subtract(invLambda, s, s);
                        TensorPrimitives.ConvertTruncating<double, T>(s, new Span<T>((T*)ad + start, count));
                    }
                }
                finally
                {
                    pool.Return(g);
                    pool.Return(out4);
                    if (sq is not null) pool.Return(sq);
                }
            }
            if ((long)d * n < MfacCore.ParallelThreshold) for (int b = 0; b < blocks; b++) Block(b);
            else Parallel.For(0, blocks, Block);
        }
    }

    /// <summary>out4 rows a = 0..3: sum_{j &lt;= i0 + 3} W[i0 + a, j] g_j, in 4 x 2-vector register tiles; j in index order.</summary>
    private static void MixTile(double[] w4, int n4, int i0, double[] g, int stride, double[] out4)
    {
        ref double g0 = ref MemoryMarshal.GetArrayDataReference(g);
        ref double o0 = ref MemoryMarshal.GetArrayDataReference(out4);
        int lanes = Lanes, jEnd = i0 + 4;
        int w0 = i0 * n4, w1 = w0 + n4, w2 = w1 + n4, w3 = w2 + n4;
        for (nuint c = 0; c < (nuint)stride; c += (nuint)(2 * lanes))
        {
            Vector<double> u00 = default, u01 = default, u10 = default, u11 = default;
            Vector<double> u20 = default, u21 = default, u30 = default, u31 = default;
            nuint at = c;
            for (int j = 0; j < jEnd; j++, at += (nuint)stride)
            {
                var x0 = Vector.LoadUnsafe(ref g0, at);
                var x1 = Vector.LoadUnsafe(ref g0, at + (nuint)lanes);
                var s = new Vector<double>(w4[w0 + j]);
                u00 = Vector.FusedMultiplyAdd(s, x0, u00); u01 = Vector.FusedMultiplyAdd(s, x1, u01);
                s = new Vector<double>(w4[w1 + j]);
                u10 = Vector.FusedMultiplyAdd(s, x0, u10); u11 = Vector.FusedMultiplyAdd(s, x1, u11);
                s = new Vector<double>(w4[w2 + j]);
                u20 = Vector.FusedMultiplyAdd(s, x0, u20); u21 = Vector.FusedMultiplyAdd(s, x1, u21);
                s = new Vector<double>(w4[w3 + j]);
                u30 = Vector.FusedMultiplyAdd(s, x0, u30); u31 = Vector.FusedMultiplyAdd(s, x1, u31);
            }
            nuint r = c, l = (nuint)lanes, st = (nuint)stride;
            u00.StoreUnsafe(ref o0, r); u01.StoreUnsafe(ref o0, r + l); r += st;
            u10.StoreUnsafe(ref o0, r); u11.StoreUnsafe(ref o0, r + l); r += st;
            u20.StoreUnsafe(ref o0, r); u21.StoreUnsafe(ref o0, r + l); r += st;
            u30.StoreUnsafe(ref o0, r); u31.StoreUnsafe(ref o0, r + l);
        }
    }
}
