using MathNet.Numerics.LinearAlgebra.Double;
using Solvers.Mfac;
using Xunit;

namespace Solvers.Tests;

/// <summary>The block-diagonal M-FAC against a dense MathNet inverse of each diagonal block, formed separately.</summary>
public class BlockDiagonalMfacTests
{
    private const double Lambda = 1e-3;

    private static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>m x d gradients with a shared direction (correlated, as training gradients are), float-representable.</summary>
    private static double[] Gradients(int m, int d, int seed)
    {
        var rng = new Random(seed);
        var shared = new double[d];
        for (int k = 0; k < d; k++) shared[k] = Normal(rng);
        var g = new double[m * d];
        for (int i = 0; i < m; i++)
            for (int k = 0; k < d; k++) g[i * d + k] = (float)(Normal(rng) + 0.7 * shared[k]);
        return g;
    }

    /// <summary>The d x d block-diagonal inverse: each block (lambda I + G_b' G_b / m)^-1 by MathNet's dense LU.</summary>
    private static DenseMatrix Reference(double[] g, int m, int d, int blockSize)
    {
        var inverse = new DenseMatrix(d, d);
        for (int start = 0; start < d; start += blockSize)
        {
            int len = Math.Min(blockSize, d - start);
            var gb = DenseMatrix.Create(m, len, (i, k) => g[i * d + start + k]);
            var f = (DenseMatrix)(gb.TransposeThisAndMultiply(gb) / m);
            for (int k = 0; k < len; k++) f[k, k] += Lambda;
            inverse.SetSubMatrix(start, start, f.Inverse());
        }
        return inverse;
    }

    private static double RelativeError(IReadOnlyList<double> actual, IReadOnlyList<double> expected)
    {
        double num = 0, den = 0;
        for (int k = 0; k < expected.Count; k++) { num += Math.Pow(actual[k] - expected[k], 2); den += expected[k] * expected[k]; }
        return Math.Sqrt(num / den);
    }

    // (300, 8, 64): four full blocks and a short last one; (257, 5, 300): B above d, one block.
    [Theory]
    [InlineData(300, 8, 64)]
    [InlineData(400, 13, 100)]
    [InlineData(257, 5, 300)]
    public void MatchesDenseBlockInverseInDoubleAndFloat(int d, int m, int blockSize)
    {
        var g = Gradients(m, d, d + m);
        var rng = new Random(5);
        var x = Enumerable.Range(0, d).Select(_ => (double)(float)Normal(rng)).ToArray();
        var reference = Reference(g, m, d, blockSize);
        var expected = (reference * DenseVector.OfArray(x)).ToArray();
        var expectedDiagonal = reference.Diagonal().ToArray();
        var options = new MfacOptions { Lambda = Lambda, WindowSize = m, BlockSize = blockSize };

        using var mfac = new BlockDiagonalMfac<double>(g, d, options);
        Assert.Equal((d + blockSize - 1) / blockSize, mfac.BlockCount);
        var y = new double[d];
        mfac.InverseTimes(x, y);
        Assert.InRange(RelativeError(y, expected), 0, 1e-9);
        var diagonal = new double[d];
        mfac.InverseDiagonal(diagonal);
        Assert.InRange(RelativeError(diagonal, expectedDiagonal), 0, 1e-9);
        foreach (int k in new[] { 0, Math.Min(blockSize - 1, d - 1), Math.Min(blockSize, d - 1), d - 1 })
            Assert.Equal(expectedDiagonal[k], mfac.InverseDiagonalEntry(k), expectedDiagonal[k] * 1e-9);

        using var single = new BlockDiagonalMfac<float>(g.Select(v => (float)v).ToArray(), d, options);
        var yf = new float[d];
        single.InverseTimes(x.Select(v => (float)v).ToArray(), yf);
        Assert.InRange(RelativeError(yf.Select(v => (double)v).ToArray(), expected), 0, 1e-4);
    }

    [Fact]
    public void OneBlockIsTheStaticInverseBitForBit()
    {
        const int d = 500, m = 6;
        var g = Gradients(m, d, 3);
        var x = Gradients(1, d, 4);
        using var block = new BlockDiagonalMfac<double>(g, d, new MfacOptions { Lambda = Lambda, WindowSize = m, BlockSize = d });
        using var full = new StaticMfac<double>(g, d, new MfacOptions { Lambda = Lambda, WindowSize = m });
        var a = new double[d];
        var b = new double[d];
        block.InverseTimes(x, a);
        full.InverseTimes(x, b);
        Assert.Equal(b, a);
    }

    [Fact]
    public void FullSolversRejectABlockSizeBelowD()
    {
        var options = new MfacOptions { Lambda = Lambda, WindowSize = 2, BlockSize = 5 };
        var ex = Assert.Throws<ArgumentException>(() => new StaticMfac<double>(new double[20], 10, options));
        Assert.Contains("BlockSize = 5", ex.Message);
        Assert.Contains("d = 10", ex.Message);
        Assert.Throws<ArgumentException>(() => new SlidingMfac<double>(10, options));
        Assert.Equal("BlockSize", Assert.Throws<ArgumentOutOfRangeException>(() => new MfacOptions { BlockSize = 0 }).ParamName);
    }

    [Fact]
    public void BadGradientsAreNamed()
    {
        var options = new MfacOptions { Lambda = Lambda, WindowSize = 2, BlockSize = 4 };
        var g = new double[20];
        g[13] = double.NaN;
        var ex = Assert.Throws<ArgumentException>(() => new BlockDiagonalMfac<double>(g, 10, options));
        Assert.Contains("Gradient 1", ex.Message);
        Assert.Contains("index 3", ex.Message);
        Assert.Throws<ArgumentException>(() => new BlockDiagonalMfac<double>(new double[19], 10, options));
    }

    /// <summary>
    /// Pruning with a block-diagonal Fisher: with B = d it must give the same mask and weights as the full Fisher, and
    /// with B = 1 the Fisher is diagonal, so OBS scores reduce to w_k^2 (lambda + mean g_k^2) / 2 (hand formula).
    /// </summary>
    [Fact]
    public void PruningWithBlocks()
    {
        const int d = 40, m = 8;
        var g = Gradients(m, d, 11);
        var w0 = Gradients(1, d, 12);
        GradientSampler sampler = (_, i, gradient) => g.AsSpan(i * d, d).CopyTo(gradient);
        var full = new PruningOptions { TargetSparsity = 0.5, Steps = 1, Fisher = new MfacOptions { Lambda = Lambda, WindowSize = m } };
        var wFull = (double[])w0.Clone();
        var wBlock = (double[])w0.Clone();
        var maskFull = Pruning.OptimalBrainSurgeon(wFull, sampler, full);
        var maskBlock = Pruning.OptimalBrainSurgeon(wBlock, sampler, full with { Fisher = full.Fisher with { BlockSize = d } });
        Assert.Equal(maskFull, maskBlock);
        Assert.Equal(wFull, wBlock);

        var wDiag = (double[])w0.Clone();
        var maskDiag = Pruning.OptimalBrainSurgeon(wDiag, sampler, full with { Fisher = full.Fisher with { BlockSize = 1 } });
        var score = Enumerable.Range(0, d).Select(k => w0[k] * w0[k] * (Lambda + Enumerable.Range(0, m).Average(i => g[i * d + k] * g[i * d + k])) / 2).ToArray();
        var expected = Enumerable.Range(0, d).OrderBy(k => score[k]).ThenBy(k => k).Take(d / 2).ToHashSet();
        for (int k = 0; k < d; k++)
        {
            Assert.Equal(expected.Contains(k), maskDiag[k]);
            // A diagonal Fisher couples nothing: kept weights are unchanged, pruned ones are zero.
            Assert.Equal(maskDiag[k] ? 0 : w0[k], wDiag[k]);
        }
    }
}
