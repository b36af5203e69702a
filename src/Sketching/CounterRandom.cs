namespace Solvers.Sketching;

/// <summary>
/// Counter-based random numbers: the value at (seed, counter) is a fixed hash, so any thread of any backend
/// can draw entry k of a sketch without shared state, and the same seed gives the same sketch on the CPU and
/// on a GPU. The mixing function is the SplitMix64 finaliser (Steele, Lea, Flood, "Fast splittable
/// pseudorandom number generators", OOPSLA 2014), applied to seed and counter combined by a Weyl step.
/// </summary>
/// <remarks>
/// Pure arithmetic on 64-bit integers: the methods can be called from ILGPU kernels. Thread safety: stateless.
/// </remarks>
public static class CounterRandom
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    /// <summary>64 well-mixed bits for (seed, counter).</summary>
    public static ulong Bits(ulong seed, ulong counter)
    {
        ulong z = seed * Golden + (counter + 1) * 0xD1B54A32D192ED03UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public static double Uniform(ulong seed, ulong counter) => (Bits(seed, counter) >> 11) * (1.0 / (1UL << 53));

    /// <summary>+1 or -1 with equal probability (the entries of a sign sketch).</summary>
    public static double Rademacher(ulong seed, ulong counter) => (Bits(seed, counter) & 1UL) == 0 ? 1.0 : -1.0;

    /// <summary>An integer uniform in [0, n), n &gt; 0 (Lemire's multiply-shift; bias below 2^-32 for n &lt; 2^32).</summary>
    public static int Below(ulong seed, ulong counter, int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "The range must be positive.");
        return (int)(((Bits(seed, counter) >> 32) * (ulong)n) >> 32);
    }

    /// <summary>
    /// A standard normal N(0, 1) for (seed, counter): Box-Muller on the uniforms at counters 2 counter and
    /// 2 counter + 1, cosine branch only. The Gaussian sketch kernels call the same code, so host and device agree up to
    /// the last bits of the platform's log and cosine.
    /// </summary>
    /// <remarks>Counters must stay below 2^63 so that 2 counter + 1 does not wrap.</remarks>
    public static double Gaussian(ulong seed, ulong counter) => Solvers.Kernels.SketchRandom.Gaussian(seed, counter);
}
