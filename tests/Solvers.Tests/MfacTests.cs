using System.Collections.Concurrent;
using MathNet.Numerics.LinearAlgebra.Double;
using Solvers.Mfac;
using Xunit;

namespace Solvers.Tests;

public class MfacTests
{
    private const double Lambda = 1e-3;

    public static TheoryData<int, int> Sizes => new() { { 50, 1 }, { 200, 8 }, { 1000, 32 }, { 2000, 64 } };

    /// <summary>3m + 5 gradients (float values, so float and double runs see the same data) and the dense inverse over the last m.</summary>
    private sealed record Case(int D, int M, double[] Sequence, double[] Last, DenseMatrix Inverse, double[] X);

    private static readonly ConcurrentDictionary<(int, int), Lazy<Case>> Cases = new();

    private static Case Get(int d, int m) => Cases.GetOrAdd((d, m), key => new Lazy<Case>(() => Build(key.Item1, key.Item2))).Value;

    private static Case Build(int d, int m)
    {
        var rng = new Random(1000 * d + m);
        int pushes = 3 * m + 5;
        // A shared direction makes the gradients correlated, as consecutive training gradients are.
        var shared = new double[d];
        for (int k = 0; k < d; k++) shared[k] = Normal(rng);
        var seq = new double[pushes * d];
        for (int i = 0; i < pushes; i++)
            for (int k = 0; k < d; k++) seq[i * d + k] = (float)(Normal(rng) + 0.7 * shared[k]);
        var last = seq[((pushes - m) * d)..];
        var g = DenseMatrix.Create(m, d, (i, k) => last[i * d + k]);
        var x = new double[d];
        for (int k = 0; k < d; k++) x[k] = (float)Normal(rng);
        return new Case(d, m, seq, last, d <= DenseLimit ? DenseInverse(g, m) : WoodburyInverse(g, m), x);
    }

    /// <summary>Largest d whose reference is MathNet's general dense inverse: at d = 2000 it alone takes ~20 s (managed LU, one thread).</summary>
    private const int DenseLimit = 1000;

    /// <summary>The reference: (lambda I + G'G/m)^-1 formed densely and inverted by MathNet's LU, in double.</summary>
    private static DenseMatrix DenseInverse(DenseMatrix g, int m)
    {
        var f = (DenseMatrix)(g.TransposeThisAndMultiply(g) / m);
        for (int k = 0; k < f.RowCount; k++) f[k, k] += Lambda;
        return (DenseMatrix)f.Inverse();
    }

    /// <summary>
    /// The same d x d inverse by Woodbury, (I - G'(m lambda I + G G')^-1 G) / lambda with a Cholesky factor of the
    /// m x m matrix, all in MathNet double: independent of the Sherman-Morrison recursion under test, O(d^2 m).
    /// </summary>
    private static DenseMatrix WoodburyInverse(DenseMatrix g, int m)
    {
        var small = (DenseMatrix)(g * g.Transpose());
        for (int i = 0; i < m; i++) small[i, i] += m * Lambda;
        var inv = (DenseMatrix)(-g.TransposeThisAndMultiply(small.Cholesky().Solve(g)));
        for (int k = 0; k < inv.RowCount; k++) inv[k, k] += 1;
        return (DenseMatrix)(inv / Lambda);
    }

    [Fact]
    public void WoodburyReferenceAgreesWithDenseInverse()
    {
        var c = Get(DenseLimit, 32);
        var g = DenseMatrix.Create(32, DenseLimit, (i, k) => c.Last[i * DenseLimit + k]);
        var woodbury = WoodburyInverse(g, 32);
        Assert.InRange((woodbury - c.Inverse).FrobeniusNorm() / c.Inverse.FrobeniusNorm(), 0, 1e-10);
    }

    private static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    private static MfacOptions Options(int m) => new() { Lambda = Lambda, WindowSize = m };

    private static double RelativeError(IReadOnlyList<double> actual, IReadOnlyList<double> expected)
    {
        double num = 0, den = 0;
        for (int k = 0; k < expected.Count; k++) { num += Math.Pow(actual[k] - expected[k], 2); den += expected[k] * expected[k]; }
        return Math.Sqrt(num / den);
    }

    private static double MaxEntryError(IReadOnlyList<double> actual, IReadOnlyList<double> expected)
    {
        double worst = 0;
        for (int k = 0; k < expected.Count; k++) worst = Math.Max(worst, Math.Abs(actual[k] - expected[k]) / Math.Abs(expected[k]));
        return worst;
    }

    private static double[] Expected(Case c) => (c.Inverse * DenseVector.OfArray(c.X)).ToArray();

    private static double[] ExpectedDiagonal(Case c) => c.Inverse.Diagonal().ToArray();

    [Theory]
    [MemberData(nameof(Sizes))]
    public void StaticDoubleMatchesDenseInverse(int d, int m)
    {
        var c = Get(d, m);
        var mfac = new StaticMfac<double>(c.Last, d, Options(m));
        var y = new double[d];
        mfac.InverseTimes(c.X, y);
        Assert.InRange(RelativeError(y, Expected(c)), 0, 1e-9);

        var diag = new double[d];
        mfac.InverseDiagonal(diag);
        var expectedDiag = ExpectedDiagonal(c);
        Assert.InRange(MaxEntryError(diag, expectedDiag), 0, 1e-9);
        foreach (int k in new[] { 0, d / 3, d - 1 })
            Assert.InRange(Math.Abs(mfac.InverseDiagonalEntry(k) - expectedDiag[k]) / expectedDiag[k], 0, 1e-9);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void StaticFloatMatchesDenseInverse(int d, int m)
    {
        var c = Get(d, m);
        var mfac = new StaticMfac<float>(c.Last.Select(v => (float)v).ToArray(), d, Options(m));
        var y = new float[d];
        mfac.InverseTimes(c.X.Select(v => (float)v).ToArray(), y);
        Assert.InRange(RelativeError(y.Select(v => (double)v).ToArray(), Expected(c)), 0, 1e-4);

        var diag = new float[d];
        mfac.InverseDiagonal(diag);
        var expectedDiag = ExpectedDiagonal(c);
        Assert.InRange(MaxEntryError(diag.Select(v => (double)v).ToArray(), expectedDiag), 0, 1e-4);
        foreach (int k in new[] { 0, d / 3, d - 1 })
            Assert.InRange(Math.Abs(mfac.InverseDiagonalEntry(k) - expectedDiag[k]) / expectedDiag[k], 0, 1e-4);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void SlidingAfterWrapMatchesStaticAndDense(int d, int m)
    {
        var c = Get(d, m);
        var sliding = new SlidingMfac<double>(d, Options(m));
        int pushes = c.Sequence.Length / d;
        for (int i = 0; i < pushes; i++) sliding.Push(c.Sequence.AsSpan(i * d, d));
        Assert.Equal(m, sliding.Count);
        Assert.Equal(pushes, sliding.Pushes);

        var reference = new StaticMfac<double>(c.Last, d, Options(m));
        var y = new double[d];
        var z = new double[d];
        sliding.InverseTimes(c.X, y);
        reference.InverseTimes(c.X, z);
        Assert.InRange(RelativeError(y, z), 0, 1e-9);
        Assert.InRange(RelativeError(y, Expected(c)), 0, 1e-9);

        var diag = new double[d];
        var staticDiag = new double[d];
        sliding.InverseDiagonal(diag);
        reference.InverseDiagonal(staticDiag);
        var expectedDiag = ExpectedDiagonal(c);
        Assert.InRange(MaxEntryError(diag, staticDiag), 0, 1e-9);
        Assert.InRange(MaxEntryError(diag, expectedDiag), 0, 1e-9);
        foreach (int k in new[] { 0, d / 2, d - 1 })
            Assert.InRange(Math.Abs(sliding.InverseDiagonalEntry(k) - expectedDiag[k]) / expectedDiag[k], 0, 1e-9);
    }

    [Fact]
    public void SlidingFloatBeforeWindowFillsUsesCount()
    {
        // Two gradients in a window of 8: F = lambda I + (g1 g1' + g2 g2') / 2.
        var c = Get(200, 8);
        int d = 200;
        var sliding = new SlidingMfac<float>(d, Options(8));
        var g = c.Sequence.AsSpan(0, 2 * d).ToArray();
        sliding.Push(g.AsSpan(0, d).ToArray().Select(v => (float)v).ToArray());
        sliding.Push(g.AsSpan(d, d).ToArray().Select(v => (float)v).ToArray());
        Assert.Equal(2, sliding.Count);
        var reference = new StaticMfac<double>(g, d, Options(2));
        var y = new float[d];
        var z = new double[d];
        sliding.InverseTimes(c.X.Select(v => (float)v).ToArray(), y);
        reference.InverseTimes(c.X, z);
        Assert.InRange(RelativeError(y.Select(v => (double)v).ToArray(), z), 0, 1e-4);
    }

    [Fact]
    public void EmptyWindowIsScaledIdentity()
    {
        var sliding = new SlidingMfac<double>(3, Options(4));
        var y = new double[3];
        sliding.InverseTimes(new double[] { 1, 2, 3 }, y);
        Assert.Equal(new[] { 1 / Lambda, 2 / Lambda, 3 / Lambda }, y);
        var diag = new double[3];
        sliding.InverseDiagonal(diag);
        Assert.All(diag, v => Assert.Equal(1 / Lambda, v));
        Assert.Equal(1 / Lambda, sliding.InverseDiagonalEntry(1));
    }

    // (70_001, 7): neither d a multiple of the setup's block length nor m of its 4-row tile, so the padded edges run.
    [Theory]
    [InlineData(40_000, 4)]
    [InlineData(70_001, 7)]
    public void LargeDimensionRunsInParallelDeterministicallyAndMatchesWoodbury(int d, int m)
    {
        var rng = new Random(7);
        var g = new double[m * d];
        for (int i = 0; i < g.Length; i++) g[i] = Normal(rng);
        var x = new double[d];
        for (int k = 0; k < d; k++) x[k] = Normal(rng);

        // Woodbury: F^-1 x = (x - G'(m lambda I + G G')^-1 G x) / lambda, all in double on the m x m system.
        var gm = DenseMatrix.Create(m, d, (i, k) => g[i * d + k]);
        var small = (DenseMatrix)(gm * gm.Transpose());
        for (int i = 0; i < m; i++) small[i, i] += m * Lambda;
        var xv = DenseVector.OfArray(x);
        var expected = ((xv - gm.TransposeThisAndMultiply(small.Cholesky().Solve(gm * xv))) / Lambda).ToArray();

        var mfac = new StaticMfac<double>(g, d, Options(m));
        var sliding = new SlidingMfac<double>(d, Options(m));
        for (int i = 0; i < m; i++) sliding.Push(g.AsSpan(i * d, d));
        var a = new double[d];
        var b = new double[d];
        var s = new double[d];
        mfac.InverseTimes(x, a);
        mfac.InverseTimes(x, b);
        sliding.InverseTimes(x, s);
        Assert.Equal(a, b);
        Assert.InRange(RelativeError(a, expected), 0, 1e-9);
        Assert.InRange(RelativeError(s, expected), 0, 1e-9);

        var diagA = new double[d];
        var diagB = new double[d];
        var diagS = new double[d];
        mfac.InverseDiagonal(diagA);
        mfac.InverseDiagonal(diagB);
        sliding.InverseDiagonal(diagS);
        Assert.Equal(diagA, diagB);
        Assert.InRange(MaxEntryError(diagS, diagA), 0, 1e-9);
        Assert.Equal(diagA[12345], mfac.InverseDiagonalEntry(12345), 12);
    }

    [Fact]
    public void OptionsAreValidated()
    {
        Assert.Equal("WindowSize", Assert.Throws<ArgumentOutOfRangeException>(() => new MfacOptions { WindowSize = 0 }).ParamName);
        foreach (double bad in new[] { 0, -1e-3, double.NaN, double.PositiveInfinity })
            Assert.Equal("Lambda", Assert.Throws<ArgumentOutOfRangeException>(() => new MfacOptions { Lambda = bad }).ParamName);
    }

    [Fact]
    public void WrongLengthsAreRejectedWithBothSizes()
    {
        var ex = Assert.Throws<ArgumentException>(() => new StaticMfac<double>(new double[29], 10, Options(3)));
        Assert.Contains("30", ex.Message);
        Assert.Contains("29", ex.Message);

        var mfac = new StaticMfac<double>(new double[30], 10, Options(3));
        ex = Assert.Throws<ArgumentException>(() => mfac.InverseTimes(new double[9], new double[10]));
        Assert.Contains("10", ex.Message);
        Assert.Contains("9", ex.Message);

        var sliding = new SlidingMfac<float>(10, Options(3));
        ex = Assert.Throws<ArgumentException>(() => sliding.Push(new float[11]));
        Assert.Contains("10", ex.Message);
        Assert.Contains("11", ex.Message);
        Assert.Throws<ArgumentException>(() => sliding.InverseDiagonal(new float[7]));
        Assert.Throws<ArgumentOutOfRangeException>(() => sliding.InverseDiagonalEntry(10));
    }

    [Fact]
    public void StaticRejectsNonFiniteGradientNamingRowAndEntry()
    {
        var g = new double[30];
        g[2 * 10 + 4] = double.NaN;
        var ex = Assert.Throws<ArgumentException>(() => new StaticMfac<double>(g, 10, Options(3)));
        Assert.Contains("Gradient 2", ex.Message);
        Assert.Contains("index 4", ex.Message);
    }

    [Fact]
    public void SlidingRejectsNonFiniteGradientAndKeepsState()
    {
        var c = Get(200, 8);
        const int d = 200;
        var sliding = new SlidingMfac<double>(d, Options(8));
        for (int i = 0; i < 11; i++) sliding.Push(c.Sequence.AsSpan(i * d, d)); // wrapped once
        var before = new double[d];
        sliding.InverseTimes(c.X, before);

        var bad = c.Sequence.AsSpan(11 * d, d).ToArray();
        bad[37] = double.PositiveInfinity;
        bad[90] = double.NaN;
        var ex = Assert.Throws<ArgumentException>(() => sliding.Push(bad));
        Assert.Contains("Gradient 11", ex.Message);
        Assert.Contains("index 37", ex.Message);
        Assert.Equal(8, sliding.Count);
        Assert.Equal(11, sliding.Pushes);

        var after = new double[d];
        sliding.InverseTimes(c.X, after);
        Assert.Equal(before, after);
    }

    public static TheoryData<Solvers.Kernels.BackendKind> DeviceKinds => new() { Solvers.Kernels.BackendKind.Cpu, Solvers.Kernels.BackendKind.IlgpuCpu };

    /// <summary>The device path (U uploaded once, products on the backend's Dense kernels) agrees with the host path.</summary>
    [Theory]
    [MemberData(nameof(DeviceKinds))]
    public void StaticDevicePathMatchesHost(Solvers.Kernels.BackendKind kind)
    {
        const int d = 300, m = 8;
        var c = Get(d, m);
        using var b = Solvers.Kernels.Backend.Create(kind);
        var deviceOptions = Options(m) with { Backend = b };
        Assert.NotEqual(Options(m), deviceOptions);
        Assert.Equal(deviceOptions, Options(m) with { Backend = b });

        var host = new StaticMfac<double>(c.Last, d, Options(m));
        using var device = new StaticMfac<double>(c.Last, d, deviceOptions);
        var y = new double[d];
        var z = new double[d];
        host.InverseTimes(c.X, y);
        device.InverseTimes(c.X, z);
        Assert.InRange(RelativeError(z, y), 0, 1e-12);
        device.InverseTimes(c.X, z); // buffers are reused
        Assert.InRange(RelativeError(z, y), 0, 1e-12);

        var lastF = c.Last.Select(v => (float)v).ToArray();
        var xF = c.X.Select(v => (float)v).ToArray();
        var hostF = new StaticMfac<float>(lastF, d, Options(m));
        using var deviceF = new StaticMfac<float>(lastF, d, deviceOptions);
        var yF = new float[d];
        var zF = new float[d];
        hostF.InverseTimes(xF, yF);
        deviceF.InverseTimes(xF, zF);
        Assert.InRange(RelativeError(zF.Select(v => (double)v).ToArray(), yF.Select(v => (double)v).ToArray()), 0, 1e-5);
    }

    /// <summary>The sliding window mirrored slot for slot on the backend agrees with the host path after the ring wraps (2m + 3 pushes), and before it fills.</summary>
    [Theory]
    [MemberData(nameof(DeviceKinds))]
    public void SlidingDevicePathMatchesHostAfterWrap(Solvers.Kernels.BackendKind kind)
    {
        const int d = 300, m = 8, pushes = 2 * m + 3;
        var c = Get(d, m);
        using var b = Solvers.Kernels.Backend.Create(kind);
        var deviceOptions = Options(m) with { Backend = b };

        var host = new SlidingMfac<double>(d, Options(m));
        using var device = new SlidingMfac<double>(d, deviceOptions);
        var hostF = new SlidingMfac<float>(d, Options(m));
        using var deviceF = new SlidingMfac<float>(d, deviceOptions);
        var xF = c.X.Select(v => (float)v).ToArray();
        var y = new double[d];
        var z = new double[d];
        var yF = new float[d];
        var zF = new float[d];
        void Compare()
        {
            host.InverseTimes(c.X, y);
            device.InverseTimes(c.X, z);
            Assert.InRange(RelativeError(z, y), 0, 1e-12);
            hostF.InverseTimes(xF, yF);
            deviceF.InverseTimes(xF, zF);
            Assert.InRange(RelativeError(zF.Select(v => (double)v).ToArray(), yF.Select(v => (double)v).ToArray()), 0, 1e-5);
        }
        Compare(); // empty window: x / lambda
        for (int i = 0; i < pushes; i++)
        {
            var g = c.Sequence.AsSpan(i * d, d);
            host.Push(g);
            device.Push(g);
            var gF = c.Sequence.Skip(i * d).Take(d).Select(v => (float)v).ToArray();
            hostF.Push(gF);
            deviceF.Push(gF);
            if (i == 2 || i == m + 1) Compare(); // partly filled, and wrapped once
        }
        Assert.Equal(m, device.Count);
        Compare();
    }
}
