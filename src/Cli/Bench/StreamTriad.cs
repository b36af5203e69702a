using System.Diagnostics;
using Solvers.Kernels;

namespace Solvers.Cli.Bench;

/// <summary>
/// The STREAM triad w = alpha x + y, run through the backend's own <see cref="IBlasKernels.Waxpy"/>, so that every
/// bandwidth ratio we report compares against this device, these threads, this run. Bytes are counted as STREAM
/// does: 24 per element (two reads, one write); write-allocate traffic is not counted, the same convention as
/// our kernels' byte counts.
/// </summary>
internal static class StreamTriad
{
    /// <summary>Best-of-<paramref name="repetitions"/> triad bandwidth in GB/s (1e9 bytes).</summary>
    /// <param name="backend">The backend to measure.</param>
    /// <param name="elements">Vector length; large enough that three vectors are well beyond the last-level cache.</param>
    /// <param name="repetitions">Timed repetitions after one warm-up.</param>
    public static double MeasureGBps(Backend backend, int elements, int repetitions = 10)
        => MeasureInterleaved(backend, elements, repetitions, static () => { }).GBps;

    /// <summary>
    /// The triad and <paramref name="work"/> timed in alternation, <paramref name="rounds"/> times each, returning
    /// the best triad bandwidth and the best time of the work. On a shared machine the load changes by the second;
    /// alternating the two gives both the same chances of a quiet moment, so their ratio is not an artefact of when
    /// each was measured, and taking the best triad keeps the bound on the strict side.
    /// </summary>
    public static (double GBps, double WorkSeconds) MeasureInterleaved(Backend backend, int elements, int rounds, Action work)
    {
        using var x = backend.Allocate(elements);
        using var y = backend.Allocate(elements);
        using var w = backend.Allocate(elements);
        backend.Blas.Fill(x, 1.0);
        backend.Blas.Fill(y, 2.0);
        backend.Blas.Waxpy(3.0, x, y, w);
        backend.Synchronize();
        work();
        double triad = double.MaxValue, best = double.MaxValue;
        for (int round = 0; round < rounds; round++)
        {
            var sw = Stopwatch.StartNew();
            backend.Blas.Waxpy(3.0, x, y, w);
            backend.Synchronize();
            triad = Math.Min(triad, sw.Elapsed.TotalSeconds);
            sw.Restart();
            work();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return (24.0 * elements / triad / 1e9, best);
    }

    /// <summary>Default triad length: 2^24 doubles per vector on a CPU (384 MB in all), 2^27 on a GPU (3 GB).</summary>
    public static int DefaultElements(Backend backend) => backend.Kind == BackendKind.Cuda ? 1 << 27 : 1 << 24;
}
