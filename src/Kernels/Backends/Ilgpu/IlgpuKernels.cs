using System.Reflection;
using ILGPU;

namespace Solvers.Kernels.Ilgpu;

/// <summary>
/// The handwritten ILGPU kernels. Each is a static method with its index first; implicitly grouped kernels
/// (index <see cref="Index1D"/>) run one thread per element or row, explicitly grouped ones use warps and
/// shared memory. Reductions write one partial per group in a fixed order, which the host sums in order:
/// the same input gives the same bits on the same device.
/// </summary>
internal static class IlgpuKernels
{
    /// <summary>Upper bound on warps per group that <see cref="GroupSum"/> can combine (1024 threads / 32).</summary>
    public const int MaxWarpsPerGroup = 32;

    // ---- BLAS-1, one thread per element -------------------------------------------------------------

    public static void Axpy(Index1D i, double alpha, ArrayView<double> x, ArrayView<double> y) => y[i] += alpha * x[i];

    public static void Xpay(Index1D i, ArrayView<double> x, double beta, ArrayView<double> y) => y[i] = x[i] + beta * y[i];

    public static void Waxpy(Index1D i, double alpha, ArrayView<double> x, ArrayView<double> y, ArrayView<double> w) => w[i] = alpha * x[i] + y[i];

    public static void Scale(Index1D i, double alpha, ArrayView<double> x) => x[i] *= alpha;

    public static void Fill(Index1D i, ArrayView<double> x, double value) => x[i] = value;

    public static void PointwiseMultiply(Index1D i, ArrayView<double> d, ArrayView<double> x, ArrayView<double> z) => z[i] = d[i] * x[i];

    public static void Reciprocal(Index1D i, ArrayView<double> x) => x[i] = 1.0 / x[i];

    // ---- Reductions: explicitly grouped, grid-stride accumulation, one partial per group ------------

    /// <summary>Sum over the group; the result is valid in thread 0 of the group.</summary>
    private static double GroupSum(double value)
    {
        int warpSize = Warp.WarpSize;
        for (int offset = warpSize / 2; offset > 0; offset >>= 1)
            value += Warp.ShuffleDown(value, offset);
        var warpSums = SharedMemory.Allocate<double>(MaxWarpsPerGroup);
        int warps = Group.DimX / warpSize;
        if (Warp.IsFirstLane) warpSums[Warp.WarpIdx] = value;
        Group.Barrier();
        double total = 0.0;
        if (Warp.WarpIdx == 0)
        {
            for (int w = Warp.LaneIdx; w < warps; w += warpSize) total += warpSums[w];
            for (int offset = warpSize / 2; offset > 0; offset >>= 1)
                total += Warp.ShuffleDown(total, offset);
        }
        return total;
    }

    public static void DotPartials(ArrayView<double> x, ArrayView<double> y, ArrayView<double> partials, int n)
    {
        double s = 0.0;
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.IdxX * Group.DimX + Group.IdxX; i < n; i += stride) s += x[i] * y[i];
        s = GroupSum(s);
        if (Group.IsFirstThread) partials[Grid.IdxX] = s;
    }

    public static void CgStepPartials(double alpha, ArrayView<double> p, ArrayView<double> q,
        ArrayView<double> x, ArrayView<double> r, ArrayView<double> partials, int n)
    {
        UpdateXR(alpha, p, q, x, r, partials, n);
    }

    /// <summary>x += alpha p; r -= alpha q; one r'r partial per group.</summary>
    private static void UpdateXR(double alpha, ArrayView<double> p, ArrayView<double> q, ArrayView<double> x, ArrayView<double> r,
        ArrayView<double> partials, int n)
    {
        double s = 0.0;
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.IdxX * Group.DimX + Group.IdxX; i < n; i += stride)
        {
            x[i] += alpha * p[i];
            double ri = r[i] - alpha * q[i];
            r[i] = ri;
            s += ri * ri;
        }
        s = GroupSum(s);
        if (Group.IsFirstThread) partials[Grid.IdxX] = s;
    }

    public static void MulDotPartials(ArrayView<double> d, ArrayView<double> r, ArrayView<double> z,
        ArrayView<double> partials, int n)
    {
        double s = 0.0;
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.IdxX * Group.DimX + Group.IdxX; i < n; i += stride)
        {
            double ri = r[i];
            double zi = d[i] * ri;
            z[i] = zi;
            s += ri * zi;
        }
        s = GroupSum(s);
        if (Group.IsFirstThread) partials[Grid.IdxX] = s;
    }

    public static void NonFinitePartials(ArrayView<double> x, ArrayView<double> partials, int n)
    {
        double s = 0.0;
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.IdxX * Group.DimX + Group.IdxX; i < n; i += stride)
        {
            // v - v is 0 for finite v and NaN for NaN or infinity; comparisons avoid calling intrinsics.
            double v = x[i];
            if (!(v - v == 0.0)) s += 1.0;
        }
        s = GroupSum(s);
        if (Group.IsFirstThread) partials[Grid.IdxX] = s;
    }

    /// <summary>
    /// Sums the first <paramref name="groups"/> partials (and, with mode 2, the next <paramref name="groups"/>) in one
    /// group, in a fixed order, into device scalars: mode 0 writes s[slotA]; mode 1 writes the sum to s[slotA] and
    /// s[slotB]; mode 2 writes the second sum to s[slotB]. With skipIfStopped it leaves s alone once CG has stopped.
    /// </summary>
    public static void FinalizeScalars(ArrayView<double> partials, int groups, ArrayView<double> s, int slotA, int slotB,
        int mode, int skipIfStopped)
    {
        if (skipIfStopped != 0 && s[CgScalars.Flag] != 0.0) return;
        double a = 0.0;
        for (int g = Group.IdxX; g < groups; g += Group.DimX) a += partials[g];
        a = GroupSum(a);
        double b = 0.0;
        if (mode == 2)
        {
            Group.Barrier();
            for (int g = Group.IdxX; g < groups; g += Group.DimX) b += partials[groups + g];
            b = GroupSum(b);
        }
        if (Group.IsFirstThread)
        {
            s[slotA] = a;
            if (mode == 1) s[slotB] = a;
            else if (mode == 2) s[slotB] = b;
        }
    }

    // ---- CG steps with device scalars (see CgScalars) ---------------------------------------------------
    // Every thread evaluates the same stop condition from the same scalars, so a stopped step is skipped by the
    // whole grid; only the grid's first thread records the flag.

    private static bool IsGridLeader => Grid.IdxX == 0 && Group.IdxX == 0;

    /// <summary>alpha = r'z / p'Ap for step 2, or NaN when the step must not run (the grid's leader then raises the flag).</summary>
    private static double Step2Alpha(ArrayView<double> s, int iteration)
    {
        double pq = s[CgScalars.PQ];
        double code = CgScalars.Step2Stop(s[CgScalars.Flag], pq, s[CgScalars.RR]);
        if (code == 0.0) return s[CgScalars.RzSlot(iteration - 1)] / pq;
        if (IsGridLeader && s[CgScalars.Flag] == 0.0)
        {
            s[CgScalars.Flag] = code;
            s[CgScalars.FlagIteration] = iteration - 1;
            s[CgScalars.FlagValue] = pq;
        }
        return double.NaN;
    }

    public static void CgStep2Partials(ArrayView<double> p, ArrayView<double> q, ArrayView<double> x, ArrayView<double> r,
        ArrayView<double> s, int iteration, ArrayView<double> partials, int n)
    {
        double alpha = Step2Alpha(s, iteration);
        if (double.IsNaN(alpha)) return;
        UpdateXR(alpha, p, q, x, r, partials, n);
    }

    /// <summary>Step 2 fused with z = d .* r; partials[g] holds group g's r'r and partials[grid + g] its r'z.</summary>
    public static void CgStep2JacobiPartials(ArrayView<double> p, ArrayView<double> q, ArrayView<double> x, ArrayView<double> r,
        ArrayView<double> d, ArrayView<double> z, ArrayView<double> s, int iteration, ArrayView<double> partials, int n)
    {
        double alpha = Step2Alpha(s, iteration);
        if (double.IsNaN(alpha)) return;
        double rr = 0.0, rz = 0.0;
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.IdxX * Group.DimX + Group.IdxX; i < n; i += stride)
        {
            x[i] += alpha * p[i];
            double ri = r[i] - alpha * q[i];
            r[i] = ri;
            double zi = d[i] * ri;
            z[i] = zi;
            rr += ri * ri;
            rz += ri * zi;
        }
        rr = GroupSum(rr);
        if (Group.IsFirstThread) partials[Grid.IdxX] = rr;
        // The second tree reuses the shared scratch of the first: wait until every warp has read it.
        Group.Barrier();
        rz = GroupSum(rz);
        if (Group.IsFirstThread) partials[Grid.DimX + Grid.IdxX] = rz;
    }

    public static void CgStep3(Index1D i, ArrayView<double> z, ArrayView<double> p, ArrayView<double> s, int iteration)
    {
        double rzNew = s[CgScalars.RzSlot(iteration)];
        double code = CgScalars.Step3Stop(s[CgScalars.Flag], s[CgScalars.RR], rzNew);
        if (code != 0.0)
        {
            if (i == 0 && s[CgScalars.Flag] == 0.0)
            {
                s[CgScalars.Flag] = code;
                s[CgScalars.FlagIteration] = iteration;
                s[CgScalars.FlagValue] = rzNew;
            }
            return;
        }
        p[i] = z[i] + rzNew / s[CgScalars.RzSlot(iteration - 1)] * p[i];
    }

    // ---- CSR: scalar (one thread per row) --------------------------------------------------------------

    /// <summary>y = A x with one thread per row (grid-stride), and x'y partials per group: CG's step 1 in one pass.</summary>
    public static void SpmvDotPartials(ArrayView<int> rowPointers, ArrayView<int> columns, ArrayView<double> values,
        ArrayView<double> x, ArrayView<double> y, ArrayView<double> partials, int rows)
    {
        double dot = 0.0;
        int stride = Grid.DimX * Group.DimX;
        for (int row = Grid.IdxX * Group.DimX + Group.IdxX; row < rows; row += stride)
        {
            double sum = 0.0;
            int end = rowPointers[row + 1];
            for (int k = rowPointers[row]; k < end; k++) sum += values[k] * x[columns[k]];
            y[row] = sum;
            dot += x[row] * sum;
        }
        dot = GroupSum(dot);
        if (Group.IsFirstThread) partials[Grid.IdxX] = dot;
    }

    public static void SpmvScalar(Index1D row, ArrayView<int> rowPointers, ArrayView<int> columns,
        ArrayView<double> values, ArrayView<double> x, ArrayView<double> y)
    {
        double s = 0.0;
        int end = rowPointers[row + 1];
        for (int k = rowPointers[row]; k < end; k++) s += values[k] * x[columns[k]];
        y[row] = s;
    }

    public static void ResidualScalar(Index1D row, ArrayView<int> rowPointers, ArrayView<int> columns,
        ArrayView<double> values, ArrayView<double> b, ArrayView<double> x, ArrayView<double> r)
    {
        double s = 0.0;
        int end = rowPointers[row + 1];
        for (int k = rowPointers[row]; k < end; k++) s += values[k] * x[columns[k]];
        r[row] = b[row] - s;
    }

    public static void Diagonal(Index1D row, ArrayView<int> rowPointers, ArrayView<int> columns,
        ArrayView<double> values, ArrayView<double> d)
    {
        double diag = 0.0;
        int end = rowPointers[row + 1];
        for (int k = rowPointers[row]; k < end; k++)
            if (columns[k] == row) diag = values[k];
        d[row] = diag;
    }

    // ---- CSR: one warp per row, lanes stride over the row, shuffle reduction --------------------------

    private static double WarpRowDot(int row, ArrayView<int> rowPointers, ArrayView<int> columns,
        ArrayView<double> values, ArrayView<double> x)
    {
        double s = 0.0;
        int end = rowPointers[row + 1];
        for (int k = rowPointers[row] + Warp.LaneIdx; k < end; k += Warp.WarpSize) s += values[k] * x[columns[k]];
        for (int offset = Warp.WarpSize / 2; offset > 0; offset >>= 1)
            s += Warp.ShuffleDown(s, offset);
        return s;
    }

    public static void SpmvWarp(ArrayView<int> rowPointers, ArrayView<int> columns, ArrayView<double> values,
        ArrayView<double> x, ArrayView<double> y, int rows)
    {
        int warpsPerGroup = Group.DimX / Warp.WarpSize;
        int totalWarps = Grid.DimX * warpsPerGroup;
        for (int row = Grid.IdxX * warpsPerGroup + Warp.WarpIdx; row < rows; row += totalWarps)
        {
            double s = WarpRowDot(row, rowPointers, columns, values, x);
            if (Warp.IsFirstLane) y[row] = s;
        }
    }

    public static void ResidualWarp(ArrayView<int> rowPointers, ArrayView<int> columns, ArrayView<double> values,
        ArrayView<double> b, ArrayView<double> x, ArrayView<double> r, int rows)
    {
        int warpsPerGroup = Group.DimX / Warp.WarpSize;
        int totalWarps = Grid.DimX * warpsPerGroup;
        for (int row = Grid.IdxX * warpsPerGroup + Warp.WarpIdx; row < rows; row += totalWarps)
        {
            double s = WarpRowDot(row, rowPointers, columns, values, x);
            if (Warp.IsFirstLane) r[row] = b[row] - s;
        }
    }

    // ---- SOR: one thread per row of one color --------------------------------------------------------

    /// <summary>
    /// Relaxes the rows of one color, listed in <paramref name="colorRows"/>: x_i += omega d_i (b_i - A_i x), the row
    /// sum with the current x, diagonal included. Rows of one color share no stored entry, so no thread reads an
    /// x another thread of the launch writes (except its own row's).
    /// </summary>
    public static void SorColor(Index1D t, ArrayView<int> rowPointers, ArrayView<int> columns, ArrayView<double> values,
        ArrayView<double> inverseDiagonal, ArrayView<int> colorRows, ArrayView<double> b, ArrayView<double> x, double omega)
    {
        int row = colorRows[t];
        double s = 0.0;
        int end = rowPointers[row + 1];
        for (int k = rowPointers[row]; k < end; k++) s += values[k] * x[columns[k]];
        x[row] += omega * inverseDiagonal[row] * (b[row] - s);
    }

    // ---- Gaussian sketches: entries regenerated from the counter-based generator ------------------------
    // Entry (i, j) of the k-by-n sketch is scale * Gaussian(seed, i n + j). Each thread sums one output entry in
    // index order, exactly as the CPU backend does, so the backends differ only by the math library's last bits.

    /// <summary>y_i = scale * sum_j g(i n + j) x_j for the row i of this thread.</summary>
    public static void GaussianSketchApply(Index1D i, ulong seed, double scale, ArrayView<double> x, ArrayView<double> y, int n)
    {
        double s = 0.0;
        ulong row = (ulong)(int)i * (ulong)n;
        for (int j = 0; j < n; j++) s += SketchRandom.Gaussian(seed, row + (ulong)j) * x[j];
        y[i] = scale * s;
    }

    /// <summary>x_j = scale * sum_i g(i n + j) y_i for the column j of this thread (n = the length of x).</summary>
    public static void GaussianSketchApplyTranspose(Index1D j, ulong seed, double scale, ArrayView<double> y, ArrayView<double> x, int k)
    {
        double s = 0.0;
        ulong n = (ulong)x.Length;
        for (int i = 0; i < k; i++) s += SketchRandom.Gaussian(seed, (ulong)i * n + (ulong)(int)j) * y[i];
        x[j] = scale * s;
    }

    // ---- ReLU-network maps: X n x d, masks n x P, u and y 2P x d, all row-major ----------------------------
    // Sums run in index order with the terms formed as in the CPU backend: the backward matches it bit for bit, the
    // forward up to the CPU's SIMD dot products.

    /// <summary>
    /// For the sample row k of this thread: fu_k = sum_i m_ki ((x_k . v_i) - (x_k . w_i)) and, when gu is not empty,
    /// gu[k, i] = (2 m_ki - 1) (x_k . v_i), gu[k, P+i] = (2 m_ki - 1) (x_k . w_i); each dot summed over c in order.
    /// </summary>
    public static void ReluMaskedForward(Index1D k, ArrayView<double> x, ArrayView<double> masks, ArrayView<double> u,
        ArrayView<double> fu, ArrayView<double> gu, int d, int p)
    {
        int row = k * d;
        double s = 0.0;
        for (int i = 0; i < p; i++)
        {
            int vRow = i * d, wRow = (p + i) * d;
            double dv = 0.0, dw = 0.0;
            for (int c = 0; c < d; c++)
            {
                double xc = x[row + c];
                dv += xc * u[vRow + c];
                dw += xc * u[wRow + c];
            }
            double m = masks[k * p + i];
            s += m * (dv - dw);
            if (gu.Length > 0)
            {
                double sign = 2.0 * m - 1.0;
                gu[k * 2 * p + i] = sign * dv;
                gu[k * 2 * p + p + i] = sign * dw;
            }
        }
        fu[k] = s;
    }

    /// <summary>
    /// For the output entry e = j d + c of this thread: y_jc = sum_k a_jk x_kc in k order, with
    /// a_jk = ±m_ki r_k (+ for j &lt; P, i = j mod P) plus (2 m_ki - 1) t_kj when t is not empty.
    /// </summary>
    public static void ReluMaskedBackward(Index1D e, ArrayView<double> x, ArrayView<double> masks, ArrayView<double> r,
        ArrayView<double> t, ArrayView<double> y, int n, int d, int p)
    {
        int j = e / d, c = e - j * d;
        int i = j < p ? j : j - p;
        bool hasT = t.Length > 0;
        double s = 0.0;
        for (int k = 0; k < n; k++)
        {
            double m = masks[k * p + i];
            double a = m * r[k];
            if (j >= p) a = -a;
            if (hasT) a += (2.0 * m - 1.0) * t[k * 2 * p + j];
            s += a * x[k * d + c];
        }
        y[e] = s;
    }

    // ---- Tall-skinny dense products: G k x d row-major ------------------------------------------------------
    // G x is two passes: thread t = i parts + p sums columns p, p + parts, ... of row i (neighbouring threads read
    // neighbouring columns, so loads coalesce), then one thread per row adds its parts in order. The float twins
    // accumulate in float. Offsets into G are long because a strided column index may pass int.MaxValue.

    /// <summary>partials[i parts + p] = sum over j = p, p + parts, ... &lt; d in order of g[i d + j] x[j].</summary>
    public static void DenseRowsTimesPartials(Index1D t, ArrayView<double> g, ArrayView<double> x, ArrayView<double> partials, int d, int parts)
    {
        int i = t / parts, p = t - i * parts;
        long row = (long)i * d;
        double s = 0.0;
        for (long j = p; j < d; j += parts) s += g[row + j] * x[j];
        partials[t] = s;
    }

    /// <summary>y_i = the parts of row i added in order.</summary>
    public static void DenseRowsTimesFinish(Index1D i, ArrayView<double> partials, ArrayView<double> y, int parts)
    {
        long first = (long)(int)i * parts;
        double s = partials[first];
        for (int p = 1; p < parts; p++) s += partials[first + p];
        y[i] = s;
    }

    /// <summary>x_j = sum over i in order of c_i g[i d + j].</summary>
    public static void DenseRowsTransposeTimes(Index1D j, ArrayView<double> g, ArrayView<double> c, ArrayView<double> x, int k, int d)
    {
        double s = 0.0;
        for (int i = 0; i < k; i++) s += c[i] * g[(long)i * d + j];
        x[j] = s;
    }

    /// <summary>g[offset + j] = source[j]: the write of one row, offset = row d.</summary>
    public static void DenseSetRow(Index1D j, ArrayView<double> g, ArrayView<double> source, int offset) => g[offset + j] = source[j];

    /// <summary>Single-precision <see cref="DenseRowsTimesPartials"/>, accumulating in float.</summary>
    public static void DenseRowsTimesPartialsSingle(Index1D t, ArrayView<float> g, ArrayView<float> x, ArrayView<float> partials, int d, int parts)
    {
        int i = t / parts, p = t - i * parts;
        long row = (long)i * d;
        float s = 0.0f;
        for (long j = p; j < d; j += parts) s += g[row + j] * x[j];
        partials[t] = s;
    }

    /// <summary>Single-precision <see cref="DenseRowsTimesFinish"/>.</summary>
    public static void DenseRowsTimesFinishSingle(Index1D i, ArrayView<float> partials, ArrayView<float> y, int parts)
    {
        long first = (long)(int)i * parts;
        float s = partials[first];
        for (int p = 1; p < parts; p++) s += partials[first + p];
        y[i] = s;
    }

    /// <summary>Single-precision <see cref="DenseRowsTransposeTimes"/>, accumulating in float.</summary>
    public static void DenseRowsTransposeTimesSingle(Index1D j, ArrayView<float> g, ArrayView<float> c, ArrayView<float> x, int k, int d)
    {
        float s = 0.0f;
        for (int i = 0; i < k; i++) s += c[i] * g[(long)i * d + j];
        x[j] = s;
    }

    /// <summary>Single-precision <see cref="DenseSetRow"/>.</summary>
    public static void DenseSetRowSingle(Index1D j, ArrayView<float> g, ArrayView<float> source, int offset) => g[offset + j] = source[j];

    /// <summary>Every kernel entry point and whether it is explicitly grouped (for compile checks).</summary>
    public static IReadOnlyList<(MethodInfo Method, bool ExplicitlyGrouped)> EntryPoints { get; } = Discover();

    private static List<(MethodInfo, bool)> Discover()
    {
        var list = new List<(MethodInfo, bool)>();
        foreach (var m in typeof(IlgpuKernels).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            if (m.ReturnType != typeof(void)) continue;
            var ps = m.GetParameters();
            bool implicitIndex = ps.Length > 0 && ps[0].ParameterType == typeof(Index1D);
            list.Add((m, !implicitIndex));
        }
        return list;
    }
}
