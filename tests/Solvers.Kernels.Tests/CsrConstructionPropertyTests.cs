using CsCheck;
using Solvers.Sparse;
using Xunit;
using static Solvers.Kernels.Tests.PropertyGens;

namespace Solvers.Kernels.Tests;

/// <summary>
/// Property tests of CSR construction: <see cref="CsrMatrix.FromCoordinates"/> against the test's own dense
/// accumulation of the triplets in input order, <see cref="CsrMatrix.FromDense"/> against the non-zeros of the
/// array, and invalid input against the documented <see cref="ArgumentException"/>s.
/// </summary>
public sealed class CsrConstructionPropertyTests
{
    public sealed record Triplets(int Rows, int Cols, int[] R, int[] C, double[] V)
    {
        public override string ToString()
            => $"{Rows}x{Cols}: " + string.Join(" ", R.Select((r, k) => $"({r},{C[k]},{V[k].ToString("R", Inv)})"));
    }

    /// <summary>Random triplets in range: duplicates (a small matrix and many triplets), any order, explicit zeros.</summary>
    private static readonly Gen<Triplets> TripletGen =
        from rows in Gen.Int[0, 8]
        from cols in Gen.Int[0, 8]
        from count in rows * cols == 0 ? Gen.Const(0) : Gen.Int[0, 40]
        from r in Gen.Int[0, Math.Max(0, rows - 1)].Array[count]
        from c in Gen.Int[0, Math.Max(0, cols - 1)].Array[count]
        from v in Gen.Frequency<double>((4, (IGen<double>)Finite), (1, Gen.Const(0.0))).Array[count]
        select new Triplets(rows, cols, r, c, v);

    [Fact]
    public void FromCoordinates_equals_the_dense_accumulation_of_the_triplets()
    {
        PropertyCheck.ForAll(TripletGen, t =>
        {
            // The test's own reference: each position's first value, then later ones added in input order.
            var expected = new Dictionary<(int, int), double>();
            for (int k = 0; k < t.V.Length; k++)
                expected[(t.R[k], t.C[k])] = expected.TryGetValue((t.R[k], t.C[k]), out double s) ? s + t.V[k] : t.V[k];
            if (expected.Values.Any(x => !double.IsFinite(x)))
            {
                // Duplicates that overflow cannot be stored as finite values: rejected, naming the values and a triplet.
                var e = Assert.Throws<ArgumentException>(() => CsrMatrix.FromCoordinates(t.Rows, t.Cols, t.R, t.C, t.V));
                Assert.Equal("values", e.ParamName);
                Assert.Contains("Triplet ", e.Message);
                var m2 = CsrMatrix.FromCoordinates(t.Rows, t.Cols, t.R, t.C, t.V, allowNonFinite: true);
                AssertEntries(expected, m2);
                return;
            }
            var m = CsrMatrix.FromCoordinates(t.Rows, t.Cols, t.R, t.C, t.V);
            Assert.Equal(t.Rows, m.Rows);
            Assert.Equal(t.Cols, m.Columns);
            CheckValid(m); // sorted, unique columns per row, consistent pointers
            AssertEntries(expected, m);
            // Bit-exact too, signed zeros aside: a lone -0 triplet is stored as -0.
            foreach (var ((i, j), x) in expected)
                if (x != 0) AssertBits(x, m[i, j], $"({i}, {j})");
        }, iter: 500, print: t => t.ToString());
    }

    private enum Bad { RowNegative, RowTooLarge, ColumnNegative, ColumnTooLarge, NaN, PositiveInfinity, NegativeInfinity, ShortRows, ShortColumns, ShortValues }

    [Fact]
    public void FromCoordinates_rejects_invalid_triplets_naming_the_argument_and_the_index()
    {
        var gen = Gen.Select(TripletGen.Where(t => t.V.Length > 0), Gen.Enum<Bad>(), Gen.Int[0, int.MaxValue]);
        PropertyCheck.ForAll(gen, g =>
        {
            var (t, bad, a) = g;
            int[] r = (int[])t.R.Clone(), c = (int[])t.C.Clone();
            double[] v = (double[])t.V.Clone();
            int k = a % v.Length;
            string param;
            switch (bad)
            {
                case Bad.RowNegative: r[k] = a % 2 == 0 ? -1 : int.MinValue; param = "rowIndices"; break;
                case Bad.RowTooLarge: r[k] = a % 2 == 0 ? t.Rows : int.MaxValue; param = "rowIndices"; break;
                case Bad.ColumnNegative: c[k] = a % 2 == 0 ? -1 : int.MinValue; param = "columnIndices"; break;
                case Bad.ColumnTooLarge: c[k] = a % 2 == 0 ? t.Cols : int.MaxValue; param = "columnIndices"; break;
                case Bad.NaN: v[k] = double.NaN; param = "values"; break;
                case Bad.PositiveInfinity: v[k] = double.PositiveInfinity; param = "values"; break;
                case Bad.NegativeInfinity: v[k] = double.NegativeInfinity; param = "values"; break;
                case Bad.ShortRows: r = r[..^1]; param = "rowIndices"; break;
                case Bad.ShortColumns: c = c[..^1]; param = "rowIndices"; break;
                default: v = v[..^1]; param = "rowIndices"; break;
            }
            var e = Assert.ThrowsAny<ArgumentException>(() => CsrMatrix.FromCoordinates(t.Rows, t.Cols, r, c, v));
            Assert.Equal(param, e.ParamName);
            if (bad >= Bad.ShortRows)
                Assert.Contains($"lengths {r.Length}, {c.Length} and {v.Length}", e.Message);
            else
                Assert.Contains($"Triplet {k}", e.Message); // the only bad triplet is the first one
        }, iter: 300, print: g => $"{g.Item2} a={g.Item3} {g.Item1}");
    }

    private static readonly Gen<(double[,] Dense, double Tolerance)> DenseGen =
        from rows in Gen.Int[0, 8]
        from cols in Gen.Int[0, 8]
        from values in Gen.Frequency<double>((2, (IGen<double>)Finite), (1, Gen.Const(0.0)), (1, Gen.Const(-0.0))).Array[rows * cols]
        from tol in Gen.OneOf(0.0, 0.0, 1e-300, 0.5, 1.0, 1e300)
        select (Build(rows, cols, values), tol);

    private static double[,] Build(int rows, int cols, double[] values)
    {
        var d = new double[rows, cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) d[i, j] = values[i * cols + j];
        return d;
    }

    [Fact]
    public void FromDense_keeps_exactly_the_entries_above_the_tolerance()
    {
        PropertyCheck.ForAll(DenseGen, g =>
        {
            var (d, tol) = g;
            var m = CsrMatrix.FromDense(d, tol);
            CheckValid(m);
            Assert.Equal(d.GetLength(0), m.Rows);
            Assert.Equal(d.GetLength(1), m.Columns);
            var expected = new Dictionary<(int, int), double>();
            for (int i = 0; i < d.GetLength(0); i++)
                for (int j = 0; j < d.GetLength(1); j++)
                    if (Math.Abs(d[i, j]) > tol) expected[(i, j)] = d[i, j];
            AssertEntries(expected, m);

            // A non-finite entry is rejected, naming the argument and the first such position in row-major order.
            if (d.Length > 0)
            {
                int at = (int)(BitConverter.DoubleToInt64Bits(tol) % d.Length + d.Length) % d.Length;
                int ii = at / d.GetLength(1), jj = at % d.GetLength(1);
                var bad = (double[,])d.Clone();
                bad[ii, jj] = double.NaN;
                var e = Assert.Throws<ArgumentException>(() => CsrMatrix.FromDense(bad, tol));
                Assert.Equal("dense", e.ParamName);
                Assert.Contains($"Entry ({ii}, {jj})", e.Message);
            }
        }, iter: 300, print: g => $"tol {g.Tolerance:R} {g.Dense.GetLength(0)}x{g.Dense.GetLength(1)}: [{string.Join(", ", g.Dense.Cast<double>().Select(x => x.ToString("R", Inv)))}]");
    }
}
