using Solvers.Relu;
using Xunit;
using Xunit.Abstractions;

namespace Solvers.Tests;

/// <summary>
/// The Adam baseline for two-layer ReLU networks: its gradient against central differences, training to a small
/// loss on a planted network, determinism, cancellation and the argument checks.
/// </summary>
public sealed class AdamReluTrainerTests(ITestOutputHelper output)
{
    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>n x (features + 1) Gaussian data whose last column is ones, the bias of the network.</summary>
    internal static double[,] DataWithBias(Random rng, int n, int features)
    {
        var x = new double[n, features + 1];
        for (int k = 0; k < n; k++)
        {
            for (int c = 0; c < features; c++) x[k, c] = Gaussian(rng);
            x[k, features] = 1;
        }
        return x;
    }

    /// <summary>Targets of the planted network y = relu(X a) - 0.8 relu(X b) with fixed a, b (three inputs with the bias).</summary>
    internal static double[] Planted(double[,] x)
    {
        double[] a = [1.0, -0.5, 0.3], b = [-0.4, 1.2, -0.2];
        var y = new double[x.GetLength(0)];
        for (int k = 0; k < y.Length; k++)
        {
            double ha = 0, hb = 0;
            for (int c = 0; c < 3; c++) { ha += x[k, c] * a[c]; hb += x[k, c] * b[c]; }
            y[k] = Math.Max(0, ha) - 0.8 * Math.Max(0, hb);
        }
        return y;
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.3)]
    public void Gradient_matches_central_differences(double beta)
    {
        var rng = new Random(11);
        int n = 15, d = 3, m = 5;
        var x = DataWithBias(rng, n, d - 1);
        var y = new double[n];
        for (int k = 0; k < n; k++) y[k] = Gaussian(rng);
        var u = new double[m, d];
        var alpha = new double[m];
        for (int j = 0; j < m; j++)
        {
            for (int c = 0; c < d; c++) u[j, c] = Gaussian(rng);
            alpha[j] = Gaussian(rng);
        }
        var gu = new double[m, d];
        var ga = new double[m];
        double value = AdamReluTrainer.Gradient(x, y, u, alpha, beta, gu, ga);
        Assert.Equal(AdamReluTrainer.Objective(x, y, u, alpha, beta), value, 1e-12);

        // A kink x_k . u_j = 0 inside [-h, h] would spoil the difference; with Gaussian data it is that unlikely.
        const double H = 1e-6;
        double worst = 0;
        for (int j = 0; j < m; j++)
        {
            for (int c = 0; c < d; c++)
            {
                double keep = u[j, c];
                u[j, c] = keep + H; double plus = AdamReluTrainer.Objective(x, y, u, alpha, beta);
                u[j, c] = keep - H; double minus = AdamReluTrainer.Objective(x, y, u, alpha, beta);
                u[j, c] = keep;
                double fd = (plus - minus) / (2 * H);
                worst = Math.Max(worst, Math.Abs(fd - gu[j, c]) / (1 + Math.Abs(fd)));
            }
            double a0 = alpha[j];
            alpha[j] = a0 + H; double p = AdamReluTrainer.Objective(x, y, u, alpha, beta);
            alpha[j] = a0 - H; double q = AdamReluTrainer.Objective(x, y, u, alpha, beta);
            alpha[j] = a0;
            double fda = (p - q) / (2 * H);
            worst = Math.Max(worst, Math.Abs(fda - ga[j]) / (1 + Math.Abs(fda)));
        }
        output.WriteLine($"largest relative gradient error {worst:E2}");
        Assert.True(worst < 1e-6, $"gradient differs from central differences by {worst:E2} (relative)");
    }

    [Fact]
    public void Parallel_path_matches_the_definition()
    {
        // n d m = 2000 * 9 * 10 is above the threshold where Gradient and Predict switch to Parallel.For.
        var rng = new Random(17);
        int n = 2000, d = 9, m = 10;
        var x = DataWithBias(rng, n, d - 1);
        var y = new double[n];
        for (int k = 0; k < n; k++) y[k] = Gaussian(rng);
        var u = new double[m, d];
        var alpha = new double[m];
        for (int j = 0; j < m; j++)
        {
            for (int c = 0; c < d; c++) u[j, c] = Gaussian(rng);
            alpha[j] = Gaussian(rng);
        }
        const double Beta = 0.2;
        var gu = new double[m, d];
        var ga = new double[m];
        double value = AdamReluTrainer.Gradient(x, y, u, alpha, Beta, gu, ga);
        var prediction = AdamReluTrainer.Predict(x, u, alpha);

        var eu = new double[m, d];
        var ea = new double[m];
        double loss = 0;
        for (int k = 0; k < n; k++)
        {
            var h = new double[m];
            double f = 0;
            for (int j = 0; j < m; j++)
            {
                for (int c = 0; c < d; c++) h[j] += x[k, c] * u[j, c];
                f += alpha[j] * Math.Max(0, h[j]);
            }
            Assert.Equal(f, prediction[k], 1e-12);
            double r = f - y[k];
            loss += 0.5 * r * r;
            for (int j = 0; j < m; j++)
            {
                if (h[j] <= 0) continue;
                ea[j] += r * h[j];
                for (int c = 0; c < d; c++) eu[j, c] += alpha[j] * r * x[k, c];
            }
        }
        double reg = 0;
        for (int j = 0; j < m; j++)
        {
            ea[j] += Beta * alpha[j];
            reg += alpha[j] * alpha[j];
            for (int c = 0; c < d; c++) { eu[j, c] += Beta * u[j, c]; reg += u[j, c] * u[j, c]; }
        }
        Assert.Equal(loss + 0.5 * Beta * reg, value, 1e-9 * value);
        for (int j = 0; j < m; j++)
        {
            Assert.Equal(ea[j], ga[j], 1e-9 * (1 + Math.Abs(ea[j])));
            for (int c = 0; c < d; c++) Assert.Equal(eu[j, c], gu[j, c], 1e-9 * (1 + Math.Abs(eu[j, c])));
        }
    }

    [Fact]
    public void Fits_a_planted_two_neuron_network()
    {
        var rng = new Random(3);
        var x = DataWithBias(rng, 40, 2);
        var y = Planted(x);
        double half = 0.5 * y.Sum(t => t * t);
        var result = AdamReluTrainer.Train(x, y, new AdamReluOptions { Width = 8, Beta = 0, Epochs = 4000, Seed = 1 });
        output.WriteLine($"1/2||y||^2 = {half:G6}; objective {result.History[0]:G6} after 1 epoch, {result.Objective:E3} after {result.Epochs} in {result.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(SolverStatus.MaxIterations, result.Status);
        Assert.Equal(4000, result.Epochs);
        Assert.Equal(4000, result.History.Count);
        Assert.Equal(result.History[^1], result.Objective);
        Assert.True(result.Objective < 1e-3 * half, $"objective {result.Objective:E3} not below 1e-3 of 1/2||y||^2 = {half:G6}");
        Assert.Equal(AdamReluTrainer.Objective(x, y, result.FirstLayer, result.SecondLayer, 0), result.Objective, 1e-12);
    }

    [Fact]
    public void Same_seed_gives_same_network_and_zero_epochs_returns_the_start()
    {
        var rng = new Random(5);
        var x = DataWithBias(rng, 20, 2);
        var y = Planted(x);
        var options = new AdamReluOptions { Width = 4, Beta = 0.1, Epochs = 50, Seed = 9 };
        var a = AdamReluTrainer.Train(x, y, options);
        var b = AdamReluTrainer.Train(x, y, options);
        Assert.Equal(a.FirstLayer, b.FirstLayer);
        Assert.Equal(a.SecondLayer, b.SecondLayer);
        Assert.Equal(a.History, b.History);

        var start = AdamReluTrainer.Train(x, y, options with { Epochs = 0 });
        Assert.Equal(0, start.Epochs);
        Assert.Empty(start.History);
        Assert.Equal(AdamReluTrainer.Objective(x, y, start.FirstLayer, start.SecondLayer, 0.1), start.Objective, 1e-12);
        Assert.True(a.Objective < start.Objective);
    }

    [Fact]
    public void Cancelled_token_stops_before_the_first_epoch()
    {
        var rng = new Random(6);
        var x = DataWithBias(rng, 10, 1);
        var y = new double[10];
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var result = AdamReluTrainer.Train(x, y, new AdamReluOptions { Width = 3, CancellationToken = cts.Token });
        Assert.Equal(SolverStatus.Cancelled, result.Status);
        Assert.Equal(0, result.Epochs);
    }

    [Fact]
    public void Argument_errors_name_the_culprit()
    {
        var x = new double[5, 2];
        var options = new AdamReluOptions { Width = 2 };

        var size = Assert.Throws<ArgumentException>(() => AdamReluTrainer.Train(x, new double[4], options));
        Assert.Contains("5", size.Message);
        Assert.Contains("4", size.Message);

        x[3, 1] = double.NaN;
        var nanX = Assert.Throws<ArgumentException>(() => AdamReluTrainer.Train(x, new double[5], options));
        Assert.Contains("row 3", nanX.Message);
        Assert.Contains("column 1", nanX.Message);
        x[3, 1] = 0;

        var y = new double[5];
        y[2] = double.NaN;
        var nanY = Assert.Throws<ArgumentException>(() => AdamReluTrainer.Train(x, y, options));
        Assert.Contains("row 2", nanY.Message);

        Assert.Equal("Beta", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamReluOptions { Width = 2, Beta = -1 }).ParamName);
        Assert.Equal("Width", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamReluOptions { Width = 0 }).ParamName);
        Assert.Equal("Epochs", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamReluOptions { Width = 1, Epochs = -1 }).ParamName);
        Assert.Equal("LearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamReluOptions { Width = 1, LearningRate = 0 }).ParamName);
        Assert.Equal("beta", Assert.Throws<ArgumentOutOfRangeException>(() => AdamReluTrainer.Objective(x, new double[5], new double[1, 2], new double[1], -0.5)).ParamName);
        Assert.Throws<ArgumentException>(() => AdamReluTrainer.Predict(x, new double[2, 3], new double[2]));
        Assert.Throws<ArgumentException>(() => AdamReluTrainer.Predict(x, new double[2, 2], new double[3]));
    }
}
