using Solvers.Sketching;
using Xunit;

namespace Solvers.Sketching.Tests;

/// <summary>
/// Statistical checks of the counter-based generator with fixed seeds. Each bound is about six standard
/// errors of the estimate, so a correct generator fails with probability below 1e-8.
/// </summary>
public sealed class CounterRandomTests
{
    private const int Samples = 200_000;

    [Fact]
    public void Uniform_has_mean_one_half_and_variance_one_twelfth()
    {
        double sum = 0, sumSq = 0;
        for (ulong k = 0; k < Samples; k++)
        {
            double u = CounterRandom.Uniform(42, k);
            Assert.InRange(u, 0.0, 1.0 - 1e-17);
            sum += u;
            sumSq += u * u;
        }
        double mean = sum / Samples, variance = sumSq / Samples - mean * mean;
        // Standard error of the mean: sqrt(1/12 / n) = 6.5e-4.
        Assert.InRange(mean, 0.5 - 6 * 6.5e-4, 0.5 + 6 * 6.5e-4);
        Assert.InRange(variance, 1.0 / 12 - 0.002, 1.0 / 12 + 0.002);
    }

    [Fact]
    public void Rademacher_is_balanced_and_uncorrelated_between_neighbours()
    {
        double sum = 0, lag = 0, prev = CounterRandom.Rademacher(7, 0);
        for (ulong k = 1; k <= Samples; k++)
        {
            double s = CounterRandom.Rademacher(7, k);
            sum += s;
            lag += s * prev;
            prev = s;
        }
        // Both are sums of n fair signs: standard deviation sqrt(n) = 447.
        Assert.InRange(sum, -6 * 447.0, 6 * 447.0);
        Assert.InRange(lag, -6 * 447.0, 6 * 447.0);
    }

    [Fact]
    public void Same_seed_same_values_different_seed_different_values()
    {
        Assert.Equal(CounterRandom.Bits(1, 12345), CounterRandom.Bits(1, 12345));
        int equal = 0;
        for (ulong k = 0; k < 1000; k++)
            if (CounterRandom.Bits(1, k) == CounterRandom.Bits(2, k)) equal++;
        Assert.Equal(0, equal);
    }

    [Fact]
    public void Below_covers_the_range_evenly_and_rejects_empty_ranges()
    {
        var counts = new int[10];
        for (ulong k = 0; k < Samples; k++) counts[CounterRandom.Below(3, k, 10)]++;
        // Each bin is binomial(n, 0.1): standard deviation sqrt(n 0.09) = 134.
        Assert.All(counts, c => Assert.InRange(c, Samples / 10 - 6 * 134, Samples / 10 + 6 * 134));
        Assert.Throws<ArgumentOutOfRangeException>(() => CounterRandom.Below(1, 1, 0));
    }
}
