using CsCheck;

namespace Solvers.Kernels.Tests;

/// <summary>
/// Runs a CsCheck generator over a fixed list of seeds, so CI sees the same cases on every run; when a case fails,
/// CsCheck is started from that case's seed to shrink it and its report (smallest example and seed) is the failure.
/// </summary>
internal static class PropertyCheck
{
    private const ulong Seed = 0x5EED_2026_0008UL;

    public static void ForAll<T>(Gen<T> gen, Action<T> assert, int iter, Func<T, string> print)
    {
        for (int i = 0; i < iter; i++)
        {
            var pcg = new PCG((uint)i, Seed);
            string seedText = pcg.ToString();
            T value = gen.Generate(pcg, null, out _);
            try
            {
                assert(value);
            }
            catch (Exception first)
            {
                // Shrinks from this case and throws with the smallest failing example it finds.
                gen.Sample(assert, seed: seedText, iter: 2000, threads: 1, print: print);
                throw new Xunit.Sdk.XunitException(
                    $"Case {i} (CsCheck seed {seedText}) failed but CsCheck did not reproduce it:\n{print(value)}\n{first}");
            }
        }
    }
}
