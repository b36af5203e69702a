using Solvers.Sketching;
using Xunit;

namespace Solvers.Sketching.Tests;

/// <summary>The Gaussian draws of <see cref="CounterRandom"/> and their agreement with the kernels' generator.</summary>
public sealed class CounterRandomGaussianTests
{
    [Fact]
    public void Gaussian_has_mean_zero_variance_one_and_light_tails()
    {
        const int n = 200_000;
        double sum = 0, sumSq = 0, sum4 = 0;
        for (ulong c = 0; c < n; c++)
        {
            double g = CounterRandom.Gaussian(7, c);
            Assert.True(double.IsFinite(g));
            sum += g; sumSq += g * g; sum4 += g * g * g * g;
        }
        double mean = sum / n, variance = sumSq / n - mean * mean, kurtosis = sum4 / n;
        // Standard errors: mean 1/sqrt(n) = 2.2e-3, variance sqrt(2/n) = 3.2e-3, fourth moment sqrt(96/n) = 0.022.
        Assert.InRange(mean, -6 * 2.24e-3, 6 * 2.24e-3);
        Assert.InRange(variance, 1 - 6 * 3.2e-3, 1 + 6 * 3.2e-3);
        Assert.InRange(kurtosis, 3 - 6 * 0.022, 3 + 6 * 0.022);
    }

    [Fact]
    public void Host_generator_equals_the_kernels_generator_bit_for_bit()
    {
        for (ulong c = 0; c < 10_000; c++)
        {
            Assert.Equal(CounterRandom.Bits(3, c * 7919), Solvers.Kernels.SketchRandom.Bits(3, c * 7919));
            Assert.Equal(CounterRandom.Gaussian(3, c), Solvers.Kernels.SketchRandom.Gaussian(3, c));
        }
    }
}
