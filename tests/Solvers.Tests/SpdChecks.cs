using Solvers.Kernels;
using Solvers.Linear;
using Xunit;

namespace Solvers.Tests;

/// <summary>Numerical checks that an applied preconditioner M^-1 is symmetric positive definite, as CG needs.</summary>
internal static class SpdChecks
{
    /// <summary>For random x, y: x'M^-1x &gt; 0 and y'M^-1x = x'M^-1y to 1e-10 relative.</summary>
    public static void AssertSymmetricPositiveDefinite(Backend backend, AppliedPreconditioner m, int n, Random rng, int trials, string label = "")
    {
        double[] Apply(double[] v)
        {
            using var dv = backend.Upload(v);
            using var dz = backend.Allocate(n);
            using var s = backend.Allocate(8);
            m.Apply(dv, dz, s, 0);
            return dz.ToArray();
        }
        for (int t = 0; t < trials; t++)
        {
            var x = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
            var y = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
            double xMx = x.Zip(Apply(x), (p, q) => p * q).Sum();
            double yMx = y.Zip(Apply(x), (p, q) => p * q).Sum();
            double xMy = x.Zip(Apply(y), (p, q) => p * q).Sum();
            Assert.True(xMx > 0, $"{label}: x'Mx = {xMx}");
            Assert.True(Math.Abs(yMx - xMy) <= 1e-10 * (Math.Abs(yMx) + Math.Abs(xMy)), $"{label}: {yMx} vs {xMy}");
        }
    }
}
