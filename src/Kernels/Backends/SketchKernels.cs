namespace Solvers.Kernels;

/// <summary>
/// Dense Gaussian sketches applied without storing them: entry (i, j) of the k-by-n sketch S is
/// <c>scale * SketchRandom.Gaussian(seed, i * n + j)</c>, regenerated from the counter-based generator wherever it is
/// needed, so S costs no memory and is the same on every backend for the same seed. k is the length of the sketched
/// vector and n the length of the vector being sketched. All vectors must belong to the backend that exposes the family.
/// </summary>
/// <remarks>Thread safety: as its backend: not safe for concurrent use; give each thread its own backend.</remarks>
public interface ISketchKernels
{
    /// <summary>y = S x, one thread per row of S (an output entry), each summing its row in column order.</summary>
    /// <param name="seed">The sketch's seed.</param>
    /// <param name="scale">The factor applied to every standard normal entry (1/sqrt(k) gives E[S'S] = I).</param>
    /// <param name="x">The input, length n.</param>
    /// <param name="y">The output, length k (overwritten).</param>
    /// <exception cref="ArgumentException">An argument belongs to another backend, or k * n exceeds 2^62.</exception>
    void GaussianApply(ulong seed, double scale, DeviceVector x, DeviceVector y);

    /// <summary>x = S' y, one thread per column of S (an output entry), each summing its column in row order.</summary>
    /// <param name="seed">The sketch's seed.</param>
    /// <param name="scale">The factor applied to every standard normal entry.</param>
    /// <param name="y">The input, length k.</param>
    /// <param name="x">The output, length n (overwritten).</param>
    /// <exception cref="ArgumentException">An argument belongs to another backend, or k * n exceeds 2^62.</exception>
    void GaussianApplyTranspose(ulong seed, double scale, DeviceVector y, DeviceVector x);
}

/// <summary>
/// The counter-based generator shared by the host and the kernels (the public face is
/// <c>Solvers.Sketching.CounterRandom</c>, which must give the same bits). Pure arithmetic: callable from ILGPU kernels.
/// </summary>
internal static class SketchRandom
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    /// <summary>The SplitMix64 finaliser of seed and counter combined by a Weyl step.</summary>
    public static ulong Bits(ulong seed, ulong counter)
    {
        ulong z = seed * Golden + (counter + 1) * 0xD1B54A32D192ED03UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>
    /// A standard normal by Box-Muller from the uniforms at counters 2c and 2c + 1, cosine branch only: drawing one
    /// value per counter keeps each entry independent of how the entries are split over threads.
    /// </summary>
    public static double Gaussian(ulong seed, ulong counter)
    {
        // 1 - u lies in (0, 1], so the logarithm is finite; u2 only needs [0, 1).
        double u1 = 1.0 - (Bits(seed, 2 * counter) >> 11) * (1.0 / 9007199254740992.0);
        double u2 = (Bits(seed, 2 * counter + 1) >> 11) * (1.0 / 9007199254740992.0);
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}

/// <summary>Argument checks of the sketch kernels.</summary>
internal static class SketchChecks
{
    /// <summary>Counters 2 (i n + j) + 1 must not wrap, so k n is limited to 2^62.</summary>
    public static void Size(int k, int n)
    {
        if ((ulong)k * (ulong)n > 1UL << 62)
            throw new ArgumentException($"A {k}x{n} Gaussian sketch has more entries than the generator's counters allow (2^62).");
    }
}
