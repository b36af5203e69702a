using Solvers.Sketching;

namespace Solvers.Relu;

/// <summary>
/// Sampled activation patterns D_i = diag(1[X h_i &gt;= 0]) of the convex two-layer ReLU program, from Gaussian
/// gates h_i. Patterns that repeat an earlier one, and the empty pattern (no sample active), are dropped: they add
/// variables without adding anything the program can express.
/// </summary>
/// <param name="Gates">The gates h_i kept, P x d.</param>
/// <param name="Masks">The patterns kept, n x P row-major, entries 0 or 1 (sample k is active in pattern i when Masks[k * P + i] = 1).</param>
/// <param name="Requested">Patterns asked for.</param>
/// <param name="Duplicates">Sampled patterns dropped because an earlier gate gave the same one.</param>
/// <param name="Empty">Sampled patterns dropped because no sample was active.</param>
/// <remarks>Thread safety: immutable.</remarks>
public sealed record ActivationPatterns(double[,] Gates, double[] Masks, int Requested, int Duplicates, int Empty)
{
    /// <summary>Patterns kept, P.</summary>
    public int Count => Gates.GetLength(0);

    /// <summary>Samples n.</summary>
    public int Samples => Count == 0 ? 0 : Masks.Length / Count;

    /// <summary>
    /// Draws <paramref name="count"/> gates h_i with independent standard normal entries (counter-based: the same
    /// seed gives the same gates everywhere) and keeps the distinct non-empty patterns of <paramref name="x"/>.
    /// </summary>
    /// <param name="x">The n x d training features (as the network sees them: standardized, with any intercept column).</param>
    /// <param name="count">Gates to draw, at least 1.</param>
    /// <param name="seed">Seed of the gates.</param>
    /// <param name="interceptColumn">
    /// The column of <paramref name="x"/> that is the constant 1 (the bias), or null. Its gate entry is drawn with
    /// standard deviation sqrt(d - 1), the typical norm of the rest of the gate, so that the hyperplanes
    /// x'h = 0 cut standardized data at offsets of about one standard deviation from its centre instead of all
    /// passing near it; without this a network with biases has patterns the sample almost never produces.
    /// </param>
    /// <param name="extraGates">
    /// Gates to include before the sampled ones (rows, in the columns of <paramref name="x"/>), e.g. the first layer
    /// of a network trained otherwise: the convex optimum over the union is then no worse than that network's
    /// objective, which turns the solve into a certificate for it.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="extraGates"/> has a different number of columns from <paramref name="x"/>.</exception>
    public static ActivationPatterns Sample(double[,] x, int count, ulong seed, int? interceptColumn = null, double[,]? extraGates = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "At least one activation pattern is needed (P >= 1).");
        int n = x.GetLength(0), d = x.GetLength(1);
        if (interceptColumn is { } ic && (ic < 0 || ic >= d))
            throw new ArgumentOutOfRangeException(nameof(interceptColumn), ic, $"x has {d} columns.");
        double interceptScale = Math.Sqrt(Math.Max(1, d - 1));
        var kept = new List<(double[] Gate, bool[] Mask)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int duplicates = 0, empty = 0;
        int extra = extraGates?.GetLength(0) ?? 0;
        if (extraGates is not null && extraGates.GetLength(1) != d)
            throw new ArgumentException($"extraGates has {extraGates.GetLength(1)} columns but x has {d}.", nameof(extraGates));
        // A NaN gate or sample used to give an all-false mask silently (NaN >= 0 is false), and a fit over such
        // patterns ran to its iteration limit instead of naming the input.
        for (int i = 0; i < extra; i++)
            for (int c = 0; c < d; c++)
                if (!double.IsFinite(extraGates![i, c]))
                    throw new ArgumentException($"extraGates[{i}, {c}] (ConvexReluOptions.ExtraGates) is {extraGates[i, c]}: gates must be finite.", nameof(extraGates));
        for (int k = 0; k < n; k++)
            for (int c = 0; c < d; c++)
                if (!double.IsFinite(x[k, c])) throw new ArgumentException($"x[{k}, {c}] is {x[k, c]}: samples must be finite.", nameof(x));
        for (int i = 0; i < extra + count; i++)
        {
            var h = new double[d];
            if (i < extra)
                for (int c = 0; c < d; c++) h[c] = extraGates![i, c];
            else
                for (int c = 0; c < d; c++) h[c] = CounterRandom.Gaussian(seed, (ulong)(i - extra) * (ulong)d + (ulong)c) * (c == interceptColumn ? interceptScale : 1);
            var mask = new bool[n];
            var bits = new byte[(n + 7) / 8];
            bool any = false;
            for (int k = 0; k < n; k++)
            {
                double s = 0;
                for (int c = 0; c < d; c++) s += x[k, c] * h[c];
                if (s >= 0)
                {
                    mask[k] = true;
                    bits[k >> 3] |= (byte)(1 << (k & 7));
                    any = true;
                }
            }
            if (!any) { empty++; continue; }
            if (!seen.Add(Convert.ToBase64String(bits))) { duplicates++; continue; }
            kept.Add((h, mask));
        }
        int p = kept.Count;
        var gates = new double[p, d];
        var masks = new double[n * p];
        for (int i = 0; i < p; i++)
        {
            for (int c = 0; c < d; c++) gates[i, c] = kept[i].Gate[c];
            for (int k = 0; k < n; k++) masks[k * p + i] = kept[i].Mask[k] ? 1.0 : 0.0;
        }
        return new ActivationPatterns(gates, masks, count + extra, duplicates, empty);
    }
}
