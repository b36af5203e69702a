using Solvers.Models;
using Xunit;

namespace Solvers.Tests;

/// <summary>The hand-written MLP's loss against a hand computation, its gradient against central differences, and its errors.</summary>
public sealed class MlpTests
{
    [Fact]
    public void Loss_of_zero_parameters_is_log_of_the_class_count()
    {
        // All logits 0: softmax is uniform, the cross-entropy is ln(classes) for every sample.
        var mlp = new Mlp(3, 4, 5);
        var x = new double[,] { { 1, 2, 3 }, { -1, 0, 2 } };
        double loss = mlp.LossAndGradient(new double[mlp.ParameterCount], x, [0, 4], Span<double>.Empty);
        Assert.Equal(Math.Log(5), loss, 12);
    }

    [Fact]
    public void Gradient_matches_central_differences()
    {
        var mlp = new Mlp(4, 6, 3);
        var rng = new Random(3);
        var x = new double[7, 4];
        for (int k = 0; k < 7; k++) for (int i = 0; i < 4; i++) x[k, i] = rng.NextDouble() * 2 - 1;
        int[] labels = [0, 1, 2, 1, 0, 2, 2];
        var w = mlp.Initialize(5);
        var g = new double[mlp.ParameterCount];
        mlp.LossAndGradient(w, x, labels, g);
        const double h = 1e-6;
        for (int p = 0; p < w.Length; p++)
        {
            var wp = (double[])w.Clone();
            var wm = (double[])w.Clone();
            wp[p] += h;
            wm[p] -= h;
            double fd = (mlp.LossAndGradient(wp, x, labels, Span<double>.Empty) - mlp.LossAndGradient(wm, x, labels, Span<double>.Empty)) / (2 * h);
            Assert.True(Math.Abs(fd - g[p]) <= 1e-6 * Math.Max(1, Math.Abs(fd)), $"parameter {p}: analytic {g[p]}, central difference {fd}");
        }
    }

    [Fact]
    public void Bad_shapes_are_named()
    {
        var mlp = new Mlp(2, 3, 2);
        var w = mlp.Initialize(0);
        Assert.Contains("3 columns", Assert.Throws<ArgumentException>(() => mlp.LossAndGradient(w, new double[1, 3], [0], Span<double>.Empty)).Message);
        Assert.Contains("label 2", Assert.Throws<ArgumentException>(() => mlp.LossAndGradient(w, new double[1, 2], [2], Span<double>.Empty)).Message);
        Assert.Contains("length 3", Assert.Throws<ArgumentException>(() => mlp.LossAndGradient(new double[3], new double[1, 2], [0], Span<double>.Empty)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Mlp(2, 3, 1));
    }
}
