using System.Numerics;
using MathNet.Numerics.LinearAlgebra.Double;
using Solvers.Problems;
using Solvers.Sparse;
using Xunit;

namespace Solvers.Tests;

public class PdeProblemsTests
{
    private static void AssertStructurallyValid(CsrMatrix a)
    {
        // Re-validating through the public constructor checks sorted, unique, in-range columns.
        _ = new CsrMatrix(a.Rows, a.Columns, a.RowPointers, a.ColumnIndices, a.Values);
    }

    private static double[] RowSums(CsrMatrix a)
    {
        var sums = new double[a.Rows];
        for (int i = 0; i < a.Rows; i++)
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++) sums[i] += a.Values[k];
        return sums;
    }

    [Fact]
    public void Poisson2DOfThreeIsTheKnownMatrix()
    {
        double[,] expected =
        {
            { 4, -1, 0, -1, 0, 0, 0, 0, 0 },
            { -1, 4, -1, 0, -1, 0, 0, 0, 0 },
            { 0, -1, 4, 0, 0, -1, 0, 0, 0 },
            { -1, 0, 0, 4, -1, 0, -1, 0, 0 },
            { 0, -1, 0, -1, 4, -1, 0, -1, 0 },
            { 0, 0, -1, 0, -1, 4, 0, 0, -1 },
            { 0, 0, 0, -1, 0, 0, 4, -1, 0 },
            { 0, 0, 0, 0, -1, 0, -1, 4, -1 },
            { 0, 0, 0, 0, 0, -1, 0, -1, 4 },
        };
        var a = PdeProblems.Poisson2D(3);
        Assert.Equal(expected, a.ToDense());
        Assert.Equal(33, a.NonZeros);
        AssertStructurallyValid(a);
    }

    [Fact]
    public void Poisson2DOfOneIsFour()
    {
        var a = PdeProblems.Poisson2D(1);
        Assert.Equal(new double[,] { { 4 } }, a.ToDense());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(17)]
    public void NonZeroCountsFollowTheFormulas(int n)
    {
        var a2 = PdeProblems.Poisson2D(n);
        Assert.Equal(n * n, a2.Rows);
        Assert.Equal(5 * n * n - 4 * n, a2.NonZeros);
        Assert.Equal(5 * n * n - 4 * n, PdeProblems.Anisotropic2D(n, 0.3).NonZeros);
        Assert.Equal(5 * n * n - 4 * n, PdeProblems.VariableCoefficient2D(n).NonZeros);
        var a3 = PdeProblems.Poisson3D(n);
        Assert.Equal(n * n * n, a3.Rows);
        Assert.Equal(7 * n * n * n - 6 * n * n, a3.NonZeros);
        AssertStructurallyValid(a2);
        AssertStructurallyValid(a3);
        Assert.True(a2.IsSymmetric());
        Assert.True(a3.IsSymmetric());
    }

    [Fact]
    public void Poisson2DRowSumsCountMissingNeighbours()
    {
        // Each neighbour lost to the boundary leaves +1 in the row sum: corners 2, edges 1, interior 0.
        const int n = 4;
        var sums = RowSums(PdeProblems.Poisson2D(n));
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                int missing = (i == 0 ? 1 : 0) + (i == n - 1 ? 1 : 0) + (j == 0 ? 1 : 0) + (j == n - 1 ? 1 : 0);
                Assert.Equal(missing, sums[i * n + j]);
            }
        Assert.Equal(2, sums[0]);
        Assert.Equal(1, sums[1]);
        Assert.Equal(0, sums[5]);
    }

    [Fact]
    public void Poisson3DOfTwoCouplesIndicesDifferingInOneBit()
    {
        // With n = 2 the index (i*2 + j)*2 + l has one bit per coordinate; neighbours differ in exactly one bit.
        var d = PdeProblems.Poisson3D(2).ToDense();
        for (int a = 0; a < 8; a++)
            for (int b = 0; b < 8; b++)
            {
                double expected = a == b ? 6 : BitOperations.PopCount((uint)(a ^ b)) == 1 ? -1 : 0;
                Assert.Equal(expected, d[a, b]);
            }
        Assert.All(RowSums(PdeProblems.Poisson3D(2)), s => Assert.Equal(3, s));
    }

    [Fact]
    public void Poisson3DOfThreeCenterRow()
    {
        var a = PdeProblems.Poisson3D(3);
        int c = 13; // (1, 1, 1)
        Assert.Equal([4, 10, 12, 13, 14, 16, 22], a.ColumnIndices[a.RowPointers[c]..a.RowPointers[c + 1]].ToArray());
        Assert.Equal([-1, -1, -1, 6, -1, -1, -1], a.Values[a.RowPointers[c]..a.RowPointers[c + 1]].ToArray());
        Assert.Equal(0, RowSums(a)[c]);
    }

    [Fact]
    public void Poisson2DEigenvaluesMatchTheClosedForm()
    {
        // lambda_{pq} = 4 - 2 cos(p pi/(n+1)) - 2 cos(q pi/(n+1)), p, q = 1..n.
        const int n = 4;
        var evd = DenseMatrix.OfArray(PdeProblems.Poisson2D(n).ToDense()).Evd();
        var actual = evd.EigenValues.Select(z => z.Real).Order().ToArray();
        var expected = (from p in Enumerable.Range(1, n)
                        from q in Enumerable.Range(1, n)
                        select 4 - 2 * Math.Cos(p * Math.PI / (n + 1)) - 2 * Math.Cos(q * Math.PI / (n + 1))).Order().ToArray();
        for (int k = 0; k < expected.Length; k++) Assert.Equal(expected[k], actual[k], 1e-12);
    }

    [Fact]
    public void AnisotropicEntries()
    {
        const double eps = 0.01;
        var a = PdeProblems.Anisotropic2D(3, eps);
        // Center point 4: x-neighbours 3 and 5, y-neighbours 1 and 7.
        Assert.Equal(2 + 2 * eps, a[4, 4]);
        Assert.Equal(-1, a[4, 3]);
        Assert.Equal(-1, a[4, 5]);
        Assert.Equal(-eps, a[4, 1]);
        Assert.Equal(-eps, a[4, 7]);
        Assert.Equal(0, a[4, 0]);
        Assert.Equal(5, a.RowPointers[5] - a.RowPointers[4]);
        // Corner 0: x-neighbour 1, y-neighbour 3; row sum 1 + eps from the two boundary links.
        Assert.Equal(-1, a[0, 1]);
        Assert.Equal(-eps, a[0, 3]);
        Assert.Equal(1 + eps, RowSums(a)[0], 1e-15);
        Assert.True(a.IsSymmetric());
    }

    [Fact]
    public void AnisotropicWithEpsilonOneIsPoisson()
        => Assert.Equal(PdeProblems.Poisson2D(5).ToDense(), PdeProblems.Anisotropic2D(5, 1.0).ToDense());

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void AnisotropicRejectsBadEpsilon(double eps)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => PdeProblems.Anisotropic2D(3, eps));
        Assert.Equal("epsilon", ex.ParamName);
    }

    [Fact]
    public void VariableCoefficientWithUnitCoefficientIsPoisson()
        => Assert.Equal(PdeProblems.Poisson2D(6).ToDense(), PdeProblems.VariableCoefficient2D(6, (_, _) => 1.0).ToDense());

    [Fact]
    public void VariableCoefficientMatchesHandComputationForLinearK()
    {
        // k = 1 + x, n = 2, h = 1/3. Point 0 at (1/3, 1/3): west edge x = 1/6, east x = 1/2, vertical edges x = 1/3.
        // Point 1 at (2/3, 1/3): west x = 1/2, east x = 5/6, vertical x = 2/3.
        var a = PdeProblems.VariableCoefficient2D(2, (x, _) => 1 + x);
        Assert.Equal(7.0 / 6 + 3.0 / 2 + 2 * 4.0 / 3, a[0, 0], 1e-14);
        Assert.Equal(-3.0 / 2, a[0, 1], 1e-14);
        Assert.Equal(-4.0 / 3, a[0, 2], 1e-14);
        Assert.Equal(0, a[0, 3]);
        Assert.Equal(3.0 / 2 + 11.0 / 6 + 2 * 5.0 / 3, a[1, 1], 1e-14);
        Assert.Equal(-5.0 / 3, a[1, 3], 1e-14);
        Assert.Equal(a[0, 0], a[2, 2], 1e-14); // k does not depend on y
        Assert.True(a.IsSymmetric());

        // n = 1, h = 1/2: edges at x = 1/4 and 3/4 plus two at x = 1/2: 1.25 + 1.75 + 1.5 + 1.5.
        Assert.Equal(6.0, PdeProblems.VariableCoefficient2D(1, (x, _) => 1 + x)[0, 0], 1e-14);
    }

    [Fact]
    public void DefaultCoefficientField()
    {
        Assert.Equal(1.0, PdeProblems.DefaultCoefficient(0.5, 0.3), 1e-15);
        Assert.Equal(1.9, PdeProblems.DefaultCoefficient(0.25, 0.25), 1e-15);
        Assert.Equal(0.1, PdeProblems.DefaultCoefficient(0.25, 0.75), 1e-15);
        Assert.Equal(PdeProblems.VariableCoefficient2D(4, PdeProblems.DefaultCoefficient).ToDense(),
            PdeProblems.VariableCoefficient2D(4).ToDense());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(20)]
    public void VariableCoefficientIsSymmetricAndDiagonallyDominant(int n)
    {
        var a = PdeProblems.VariableCoefficient2D(n);
        Assert.True(a.IsSymmetric()); // exactly, since each edge coefficient is shared by both rows
        for (int i = 0; i < a.Rows; i++)
        {
            double diag = 0, off = 0;
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
            {
                if (a.ColumnIndices[k] == i) diag = a.Values[k];
                else { Assert.True(a.Values[k] < 0); off += -a.Values[k]; }
            }
            Assert.True(diag > 0);
            int r = i / n, c = i % n;
            bool boundary = r == 0 || c == 0 || r == n - 1 || c == n - 1;
            // Interior rows sum to zero up to rounding; boundary rows keep the boundary edges' k >= 0.1 each.
            if (boundary) Assert.True(diag - off >= 0.1 - 1e-12, $"row {i}: {diag} vs {off}");
            else Assert.True(diag - off >= -1e-12 * diag, $"row {i}: {diag} vs {off}");
        }
    }

    [Fact]
    public void VariableCoefficientRejectsNonPositiveKNamingThePoint()
    {
        var ex = Assert.Throws<ArgumentException>(() => PdeProblems.VariableCoefficient2D(1, (x, _) => x < 0.5 ? 1 : -1));
        Assert.Equal("k", ex.ParamName);
        Assert.Contains("k(0.75, 0.5) = -1", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => PdeProblems.VariableCoefficient2D(3, (_, _) => double.NaN));
        Assert.Contains("NaN", ex.Message);
        Assert.Throws<ArgumentException>(() => PdeProblems.VariableCoefficient2D(3, (_, _) => 0.0));
    }

    public static TheoryData<string> SmallProblems => new()
    {
        "poisson2d:4", "poisson3d:3", "anisotropic2d:4,0.001", "anisotropic2d:3,100", "variable2d:5", "variable2d:1",
    };

    [Theory]
    [MemberData(nameof(SmallProblems))]
    public void SmallProblemsAreSpd(string spec)
    {
        var a = PdeProblems.Parse(spec);
        var dense = DenseMatrix.OfArray(a.ToDense());
        Assert.True(a.IsSymmetric());
        var chol = dense.Cholesky(); // throws when the matrix is not positive definite
        Assert.True(chol.Determinant > 0);
        // Cholesky alone would accept an asymmetric matrix's lower triangle; the reconstruction closes that gap.
        Assert.True((chol.Factor * chol.Factor.Transpose() - dense).FrobeniusNorm() < 1e-10 * dense.FrobeniusNorm());
    }

    [Fact]
    public void CholeskyRejectsAnIndefiniteMatrix()
    {
        // Guards the SPD test above: MathNet must actually fail on a symmetric indefinite matrix.
        Assert.ThrowsAny<ArgumentException>(() => DenseMatrix.OfArray(new double[,] { { 1, 2 }, { 2, 1 } }).Cholesky());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void NonPositiveSizesAreRejected(int n)
    {
        Assert.Equal("n", Assert.Throws<ArgumentOutOfRangeException>(() => PdeProblems.Poisson2D(n)).ParamName);
        Assert.Equal("n", Assert.Throws<ArgumentOutOfRangeException>(() => PdeProblems.Poisson3D(n)).ParamName);
        Assert.Equal("n", Assert.Throws<ArgumentOutOfRangeException>(() => PdeProblems.Anisotropic2D(n, 1)).ParamName);
        Assert.Equal("n", Assert.Throws<ArgumentOutOfRangeException>(() => PdeProblems.VariableCoefficient2D(n)).ParamName);
    }

    [Fact]
    public void SizesOverflowingInt32AreRejectedBeforeAllocating()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PdeProblems.Poisson2D(46341));  // n^2 > int.MaxValue
        Assert.Throws<ArgumentOutOfRangeException>(() => PdeProblems.Poisson2D(25000));  // 5n^2 - 4n > Array.MaxLength
        Assert.Throws<ArgumentOutOfRangeException>(() => PdeProblems.Poisson3D(1291));   // n^3 > int.MaxValue
        Assert.Throws<ArgumentOutOfRangeException>(() => PdeProblems.Poisson3D(700));    // 7n^3 - 6n^2 > Array.MaxLength
        Assert.Throws<ArgumentOutOfRangeException>(() => PdeProblems.VariableCoefficient2D(int.MaxValue, (_, _) => 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => PdeProblems.Anisotropic2D(100000, 0.5));
    }

    [Fact]
    public void ParseBuildsEachProblem()
    {
        Assert.Equal(PdeProblems.Poisson2D(3).ToDense(), PdeProblems.Parse("poisson2d:3").ToDense());
        Assert.Equal(PdeProblems.Poisson3D(2).ToDense(), PdeProblems.Parse(" Poisson3D:2 ").ToDense());
        Assert.Equal(PdeProblems.Anisotropic2D(3, 0.5).ToDense(), PdeProblems.Parse("ANISOTROPIC2D:3, 0.5").ToDense());
        Assert.Equal(PdeProblems.Anisotropic2D(2, 1e-3).ToDense(), PdeProblems.Parse("anisotropic2d:2,1e-3").ToDense());
        Assert.Equal(PdeProblems.VariableCoefficient2D(4).ToDense(), PdeProblems.Parse("variable2d:4").ToDense());
    }

    [Theory]
    [InlineData("")]
    [InlineData("poisson2d")]
    [InlineData("poisson2d:")]
    [InlineData("poisson2d:0")]
    [InlineData("poisson2d:-3")]
    [InlineData("poisson2d:abc")]
    [InlineData("poisson2d:3,4")]
    [InlineData("poisson2d:3.5")]
    [InlineData("anisotropic2d:3")]
    [InlineData("anisotropic2d:3,-1")]
    [InlineData("anisotropic2d:3,x")]
    [InlineData("anisotropic2d:3,NaN")]
    [InlineData("heat2d:3")]
    [InlineData("poisson3d:2000")]
    public void ParseRejectsBadSpecs(string spec)
    {
        var ex = Assert.Throws<ArgumentException>(() => PdeProblems.Parse(spec));
        Assert.Equal("spec", ex.ParamName);
        Assert.Contains($"'{spec}'", ex.Message);
        if (spec != "poisson3d:2000")
            Assert.Contains("poisson2d:N, poisson3d:N, anisotropic2d:N,eps, variable2d:N", ex.Message);
    }
}
