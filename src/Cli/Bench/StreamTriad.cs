using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Solvers.Cli.Bench;

/// <summary>
/// The STREAM triad a = b + s c, measured in process so that every bandwidth ratio we report compares against
/// this machine, these threads, this run. Bytes are counted as STREAM does: 24 per element (two reads, one
/// write; write-allocate traffic is not counted, the same convention as our kernels' byte counts).
/// </summary>
internal static class StreamTriad
{
    /// <summary>Best-of-<paramref name="repetitions"/> triad bandwidth in GB/s (1e9 bytes).</summary>
    public static double MeasureGBps(int threads, int elements = 1 << 24, int repetitions = 10)
    {
        var a = new double[elements];
        var b = new double[elements];
        var c = new double[elements];
        int chunks = threads;
        // First touch by the threads that will stream the data, as STREAM does.
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var (s, e) = Chunk(t, chunks, elements);
            for (int i = s; i < e; i++) { a[i] = 0; b[i] = 1; c[i] = 2; }
        });
        double best = double.MaxValue;
        var po = new ParallelOptions { MaxDegreeOfParallelism = threads };
        for (int rep = 0; rep < repetitions; rep++)
        {
            var sw = Stopwatch.StartNew();
            Parallel.For(0, chunks, po, t =>
            {
                var (s, e) = Chunk(t, chunks, elements);
                Triad(a.AsSpan(s, e - s), b.AsSpan(s, e - s), c.AsSpan(s, e - s), 3.0);
            });
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        GC.KeepAlive(a);
        return 24.0 * elements / best / 1e9;
    }

    private static (int Start, int End) Chunk(int t, int chunks, int n)
    {
        long s = (long)n * t / chunks, e = (long)n * (t + 1) / chunks;
        return ((int)s, (int)e);
    }

    private static void Triad(Span<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> c, double scalar)
    {
        var av = MemoryMarshal.Cast<double, Vector<double>>(a);
        var bv = MemoryMarshal.Cast<double, Vector<double>>(b);
        var cv = MemoryMarshal.Cast<double, Vector<double>>(c);
        var s = new Vector<double>(scalar);
        for (int k = 0; k < av.Length; k++) av[k] = bv[k] + s * cv[k];
        for (int i = av.Length * Vector<double>.Count; i < a.Length; i++) a[i] = b[i] + scalar * c[i];
    }
}
