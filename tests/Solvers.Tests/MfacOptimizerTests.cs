using MathNet.Numerics.LinearAlgebra.Double;
using Solvers.Mfac;
using Xunit;

namespace Solvers.Tests;

/// <summary>The optimizers' first steps against hand computations, and OBS pruning against a dense MathNet inverse.</summary>
public sealed class MfacOptimizerTests
{
    [Fact]
    public void Mfac_first_step_is_the_sherman_morrison_direction()
    {
        // One gradient in the window: F = lambda I + g g', so F^-1 g = g / (lambda + g'g).
        double[] w = [1, 2, 3], g = [0.5, -1, 2];
        var opt = new MfacOptimizer(new MfacOptions { WindowSize = 4, Lambda = 0.1 }, LearningRate: 0.3);
        var state = opt.Init(w);
        var updates = new double[3];
        opt.Update(g, state, w, updates);
        double gg = g.Sum(v => v * v);
        for (int i = 0; i < 3; i++) Assert.Equal(-0.3 * g[i] / (0.1 + gg), updates[i], 12);
        Assert.Equal(1, state.Step);
    }

    [Fact]
    public void Adam_and_sgd_first_steps_match_hand_values()
    {
        double[] w = [1, -1], g = [0.2, -4];
        var updates = new double[2];
        var adam = new Adam(LearningRate: 0.01);
        adam.Update(g, adam.Init(w), w, updates);
        // Bias-corrected moments equal g and g^2 after one step: the update is -lr g / (|g| + eps).
        for (int i = 0; i < 2; i++) Assert.Equal(-0.01 * g[i] / (Math.Abs(g[i]) + 1e-8), updates[i], 12);

        var sgd = new SgdMomentum(LearningRate: 0.1, Momentum: 0.5, WeightDecay: 0.01);
        var s = sgd.Init(w);
        sgd.Update(g, s, w, updates);
        sgd.Update(g, s, w, updates);
        // v1 = g + wd w, v2 = 0.5 v1 + g + wd w = 1.5 (g + wd w).
        for (int i = 0; i < 2; i++) Assert.Equal(-0.1 * 1.5 * (g[i] + 0.01 * w[i]), updates[i], 12);
    }

    [Fact]
    public void Optimizer_rejects_bad_gradients_and_foreign_state()
    {
        double[] w = [1, 2];
        var opt = new MfacOptimizer(new MfacOptions { WindowSize = 2, Lambda = 1 });
        var state = opt.Init(w);
        var e = Assert.Throws<ArgumentException>(() => opt.Update([double.NaN, 1], state, w, new double[2]));
        Assert.Contains("entry 0", e.Message);
        Assert.Equal(0, state.Step);
        Assert.Throws<ArgumentException>(() => opt.Update([1, 1, 1], state, w, new double[2]));
        Assert.Throws<ArgumentException>(() => opt.Update([1, 1], new Adam().Init(w), w, new double[2]));
    }

    [Fact]
    public void Obs_removes_the_lowest_scoring_weight_with_the_exact_correction()
    {
        // Fixed gradient samples make F = lambda I + G'G/m exactly; removing one weight q from the optimum of the
        // quadratic with Hessian F costs w_q^2 / (2 [F^-1]_qq) and the best correction is -(w_q / [F^-1]_qq) F^-1 e_q.
        const int d = 6, m = 4;
        const double lambda = 0.5;
        var rng = new Random(2);
        var grads = new double[m, d];
        for (int i = 0; i < m; i++) for (int k = 0; k < d; k++) grads[i, k] = rng.NextDouble() * 2 - 1;
        double[] w = [0.9, -0.05, 0.4, 0.3, -0.7, 0.12];
        var gm = DenseMatrix.OfArray(grads);
        var fInv = (lambda * DenseMatrix.CreateIdentity(d) + gm.TransposeThisAndMultiply(gm) / m).Inverse();
        int q = Enumerable.Range(0, d).OrderBy(k => w[k] * w[k] / (2 * fInv[k, k])).First();
        var expected = (double[])w.Clone();
        for (int k = 0; k < d; k++) expected[k] -= w[q] / fInv[q, q] * fInv[k, q];

        var weights = (double[])w.Clone();
        var mask = Pruning.OptimalBrainSurgeon(weights, (_, i, g) => { for (int k = 0; k < d; k++) g[k] = grads[i, k]; },
            new PruningOptions { TargetSparsity = 1.0 / d, Steps = 1, Fisher = new MfacOptions { WindowSize = m, Lambda = lambda } });
        Assert.Equal(1, mask.Count(p => p));
        Assert.True(mask[q]);
        Assert.Equal(0.0, weights[q]);
        for (int k = 0; k < d; k++) Assert.Equal(expected[k], weights[k], 1e-10);
    }

    [Fact]
    public void Magnitude_pruning_zeroes_the_smallest_unprotected_weights()
    {
        double[] w = [0.5, -0.1, 0.3, 0.05, -2];
        var mask = Pruning.Magnitude(w, 0.5, [false, false, false, true, false]);
        // Four prunable weights, half of them: -0.1 and 0.3 (0.05 is protected).
        Assert.Equal([false, true, true, false, false], mask);
        Assert.Equal([0.5, 0, 0, 0.05, -2], w);
        Assert.Throws<ArgumentOutOfRangeException>(() => Pruning.Magnitude(w, 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PruningOptions { TargetSparsity = -0.1 });
    }
}
