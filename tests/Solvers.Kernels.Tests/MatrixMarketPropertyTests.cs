using System.Text;
using CsCheck;
using Solvers.Sparse;
using Xunit;
using static Solvers.Kernels.Tests.PropertyGens;

namespace Solvers.Kernels.Tests;

/// <summary>
/// Property tests of <see cref="MatrixMarket"/>: random valid files written by the test's own formatter (or the
/// library's writer) read back to the test's own dense accumulation, and random corruptions of valid files either
/// read or fail with a <see cref="MatrixMarketFormatException"/> that names an existing line.
/// </summary>
public sealed class MatrixMarketPropertyTests
{
    private const string Source = "p.mtx";

    /// <summary>Parameters of one random Matrix Market file; <see cref="Layout"/> seeds the layout choices.</summary>
    public sealed record MmCase(string Format, string Field, string Symmetry, int Rows, int Cols, int DensityPct,
        int Duplicates, double[] Pool, int Layout)
    {
        public override string ToString() => $"{Format} {Field} {Symmetry} {Rows}x{Cols} density {DensityPct}% dups {Duplicates} layout {Layout} pool [{string.Join(", ", Pool.Select(p => p.ToString("R", Inv)))}]";
    }

    private static string[] Fields(string format, string symmetry)
        => format == "coordinate" && symmetry != "skew-symmetric" ? ["real", "integer", "pattern"] : ["real", "integer"];

    // Sizes 0 and 1 (empty matrices, vectors) are drawn often enough to be seen in every run.
    private static readonly Gen<int> Size = Gen.Frequency<int>((1, (IGen<int>)Gen.Int[0, 1]), (3, Gen.Int[0, 8]));

    internal static readonly Gen<MmCase> CaseGen =
        from format in Gen.OneOf("coordinate", "array")
        from symmetry in Gen.OneOf("general", "symmetric", "skew-symmetric")
        from field in Gen.OneOf(Fields(format, symmetry))
        from rows in Size
        from cols in symmetry == "general" ? Size : Gen.Const(rows)
        from density in Gen.Int[0, 100]
        from dups in Gen.Int[0, 4]
        from pool in Finite.Array[1, 20]
        from layout in Gen.Int
        select new MmCase(format, field, symmetry, rows, cols, density, dups, pool, layout);

    /// <summary>A formatted file and what it must read as.</summary>
    internal sealed class MmFile
    {
        public required string Text;
        public required int Rows;
        public required int Cols;
        public required bool IsArray;
        public required int SizeLine;              // 1-based
        public required List<int> EntryLines;      // 1-based line of each data entry, in file order
        public required List<int> IndexTokenLines; // entry lines that hold indices (coordinate files)
        /// <summary>Coordinate: every listed position (mirrors included) with its sum in file order. Array: every position.</summary>
        public required Dictionary<(int, int), double> Expected;
        public bool Overflows => Expected.Values.Any(v => !double.IsFinite(v));
    }

    private static double FieldValue(MmCase c, int t)
    {
        double v = c.Pool[t % c.Pool.Length];
        return c.Field switch
        {
            "pattern" => 1.0,
            "integer" => Math.Clamp(Math.Truncate(v), -1e15, 1e15),
            _ => v,
        };
    }

    private static string FormatValue(MmCase c, double v, Random rnd)
        => c.Field == "integer" ? ((long)v).ToString(Inv) : Num(v, rnd.Next(8));

    internal static MmFile Format(MmCase c)
    {
        var rnd = new Random(c.Layout);
        var lines = new List<string>();
        string Sep() => rnd.Next(4) switch { 0 => "\t", 1 => "  ", _ => " " };
        string Pad(string s) => rnd.Next(6) switch { 0 => " " + s, 1 => s + " \t", _ => s };
        void Filler()
        {
            int k = rnd.Next(10);
            if (k == 0) lines.Add("% a comment " + rnd.Next(100));
            else if (k == 1) lines.Add(rnd.Next(2) == 0 ? "" : "  \t");
        }

        string banner = $"%%MatrixMarket{Sep()}matrix{Sep()}{c.Format}{Sep()}{c.Field}{Sep()}{c.Symmetry}";
        lines.Add(rnd.Next(3) == 0 ? banner.ToUpperInvariant().Replace("%%MATRIXMARKET", "%%matrixmarket") : banner);
        for (int k = rnd.Next(3); k > 0; k--) lines.Add("% comment line " + k);

        bool mirror = c.Symmetry != "general";
        double sign = c.Symmetry == "skew-symmetric" ? -1.0 : 1.0;
        var allowed = new List<(int I, int J)>();
        for (int j = 0; j < c.Cols; j++) // column-major, the order of array files
            for (int i = 0; i < c.Rows; i++)
                if (c.Symmetry == "general" || (c.Symmetry == "symmetric" ? i >= j : i > j)) allowed.Add((i, j));

        var expected = new Dictionary<(int, int), double>();
        var entryLines = new List<int>();
        var indexLines = new List<int>();
        int sizeLine;
        if (c.Format == "array")
        {
            lines.Add(Pad($"{c.Rows}{Sep()}{c.Cols}"));
            sizeLine = lines.Count;
            for (int i = 0; i < c.Rows; i++)
                for (int j = 0; j < c.Cols; j++) expected[(i, j)] = 0.0;
            int t = 0;
            foreach (var (i, j) in allowed)
            {
                Filler();
                double v = rnd.Next(100) < c.DensityPct ? FieldValue(c, t++) : 0.0;
                lines.Add(Pad(v == 0 && rnd.Next(2) == 0 ? "0" : FormatValue(c, v, rnd)));
                entryLines.Add(lines.Count);
                expected[(i, j)] = v;
                if (mirror) expected[(j, i)] = sign * v;
            }
        }
        else
        {
            var chosen = allowed.Where(_ => rnd.Next(100) < c.DensityPct).ToList();
            // Duplicates are summed; the declared count may not exceed the positions the matrix has.
            for (int d = 0; d < c.Duplicates && chosen.Count > 0 && chosen.Count < allowed.Count; d++)
                chosen.Add(chosen[rnd.Next(chosen.Count)]);
            for (int k = chosen.Count - 1; k > 0; k--)
            {
                int m = rnd.Next(k + 1);
                (chosen[k], chosen[m]) = (chosen[m], chosen[k]);
            }
            lines.Add(Pad($"{c.Rows}{Sep()}{c.Cols}{Sep()}{chosen.Count}"));
            sizeLine = lines.Count;
            int t = 0;
            foreach (var (i, j) in chosen)
            {
                Filler();
                double v = FieldValue(c, t++);
                string text = $"{i + 1}{Sep()}{j + 1}";
                if (c.Field != "pattern") text += Sep() + FormatValue(c, v, rnd);
                lines.Add(Pad(text));
                entryLines.Add(lines.Count);
                indexLines.Add(lines.Count);
                // The test's own accumulation, in file order: a position's first value, then each later one added.
                expected[(i, j)] = expected.TryGetValue((i, j), out double s) ? s + v : v;
                if (mirror && i != j)
                    expected[(j, i)] = expected.TryGetValue((j, i), out double s2) ? s2 + sign * v : sign * v;
            }
        }
        if (rnd.Next(4) == 0) lines.Add("");
        string newline = rnd.Next(4) == 0 ? "\r\n" : "\n";
        var sb = new StringBuilder();
        for (int k = 0; k < lines.Count; k++)
        {
            sb.Append(lines[k]);
            if (k < lines.Count - 1 || rnd.Next(5) != 0) sb.Append(newline); // sometimes no final newline
        }
        return new MmFile
        {
            Text = sb.ToString(), Rows = c.Rows, Cols = c.Cols, IsArray = c.Format == "array", SizeLine = sizeLine,
            EntryLines = entryLines, IndexTokenLines = indexLines, Expected = expected,
        };
    }

    private static CsrMatrix Read(string text, long maxEntries = MatrixMarket.DefaultMaxEntries)
        => MatrixMarket.ReadMatrix(new StringReader(text), Source, maxEntries);

    private static string Print(MmCase c) => c + "\n--- file ---\n" + Format(c).Text;

    // ---- round trip --------------------------------------------------------------------------------------

    [Fact]
    public void Formatted_files_read_back_to_the_test_accumulation()
    {
        PropertyCheck.ForAll(CaseGen, c =>
        {
            var f = Format(c);
            if (f.Overflows)
            {
                // Duplicates that sum past double.MaxValue cannot be stored: the reader must say so, on an entry line.
                var e = Assert.ThrowsAny<Exception>(() => Read(f.Text));
                var fe = CheckFormatError(e, Source, f.Text, _ => false);
                Assert.Contains((int)fe.LineNumber, f.EntryLines);
                return;
            }
            var m = Read(f.Text);
            Assert.Equal(f.Rows, m.Rows);
            Assert.Equal(f.Cols, m.Columns);
            CheckValid(m);
            // Array files store every position; the reader keeps only the non-zeros of those.
            var expected = f.IsArray ? f.Expected.Where(kv => kv.Value != 0).ToDictionary() : f.Expected;
            AssertEntries(expected, m);

            if ((f.Rows == 1 || f.Cols == 1) && !f.Overflows)
            {
                double[] v = MatrixMarket.ReadVector(new StringReader(f.Text), Source);
                int n = f.Cols == 1 ? f.Rows : f.Cols;
                Assert.Equal(n, v.Length);
                for (int k = 0; k < n; k++)
                {
                    var key = f.Cols == 1 ? (k, 0) : (0, k);
                    double want = f.Expected.TryGetValue(key, out double x) ? x : 0.0;
                    Assert.True(want == v[k], $"v[{k}]: expected {want:R}, got {v[k]:R}");
                }
            }
        }, iter: 300, print: Print);
    }

    /// <summary>A CSR matrix built by the test from its own arrays: random pattern, values of every kind, explicit zeros.</summary>
    internal static readonly Gen<(int Rows, int Cols, bool Symmetric, double[] Pool, int Layout)> WriterGen =
        from sym in Gen.Bool
        from rows in Gen.Int[0, 9]
        from cols in sym ? Gen.Const(rows) : Gen.Int[0, 9]
        from pool in Finite.Array[1, 30]
        from layout in Gen.Int
        select (rows, cols, sym, pool, layout);

    [Fact]
    public void Library_writer_round_trips_every_value_bit_for_bit()
    {
        PropertyCheck.ForAll(WriterGen, g =>
        {
            var rnd = new Random(g.Layout);
            double density = rnd.NextDouble();
            var dense = new double?[g.Rows, g.Cols];
            int t = 0;
            for (int i = 0; i < g.Rows; i++)
                for (int j = 0; j < (g.Symmetric ? i + 1 : g.Cols); j++)
                    if (rnd.NextDouble() < density)
                    {
                        dense[i, j] = g.Pool[t++ % g.Pool.Length];
                        if (g.Symmetric) dense[j, i] = dense[i, j];
                    }
            var rp = new List<int> { 0 };
            var ci = new List<int>();
            var v = new List<double>();
            for (int i = 0; i < g.Rows; i++)
            {
                for (int j = 0; j < g.Cols; j++)
                    if (dense[i, j] is double x) { ci.Add(j); v.Add(x); }
                rp.Add(v.Count);
            }
            var a = new CsrMatrix(g.Rows, g.Cols, rp.ToArray(), ci.ToArray(), v.ToArray());
            var w = new StringWriter();
            MatrixMarket.WriteMatrix(w, a, g.Symmetric);
            var b = Read(w.ToString());
            Assert.Equal(g.Rows, b.Rows);
            Assert.Equal(g.Cols, b.Columns);
            Assert.Equal(rp.ToArray(), b.RowPointers.ToArray());
            Assert.Equal(ci.ToArray(), b.ColumnIndices.ToArray());
            for (int k = 0; k < v.Count; k++) AssertBits(v[k], b.Values[k], $"entry {k}");

            var vec = v.ToArray();
            var wv = new StringWriter();
            MatrixMarket.WriteVector(wv, vec);
            var back = MatrixMarket.ReadVector(new StringReader(wv.ToString()), Source);
            Assert.Equal(vec.Length, back.Length);
            for (int k = 0; k < vec.Length; k++) AssertBits(vec[k], back[k], $"v[{k}]");
        }, iter: 200, print: g => $"{g.Rows}x{g.Cols} symmetric {g.Symmetric} layout {g.Layout} pool [{string.Join(", ", g.Pool.Select(p => p.ToString("R", Inv)))}]");
    }

    // ---- corruption --------------------------------------------------------------------------------------

    internal enum Corruption
    {
        Truncate, DeleteLine, DuplicateLine, BadToken, CountPlus, CountMinus, HugeSize, LyingSize, Empty, NoBanner,
        InsertChar, IndexOutOfRange,
    }

    internal static readonly Gen<(MmCase Case, Corruption Kind, int A, int B)> CorruptGen =
        Gen.Select(CaseGen, Gen.Enum<Corruption>(), Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue]);

    private static readonly string[] InsertedChars = ["x", "-", ".", ":", ",", "%", "\n", "\0", "é", " ", "9", "e"];

    /// <summary>The corrupted text, and the line an error must name if the reader throws (0: any line).</summary>
    internal static (string Text, int MustLine, bool MustThrow) Corrupt(MmFile f, Corruption kind, int a, int b)
    {
        var lines = Lines(f.Text).ToList();
        switch (kind)
        {
            case Corruption.Truncate:
                return (f.Text[..(a % (f.Text.Length + 1))], 0, false);
            case Corruption.DeleteLine:
                lines.RemoveAt(a % lines.Count);
                return (Join(lines), 0, false);
            case Corruption.DuplicateLine:
            {
                int k = a % lines.Count;
                lines.Insert(k, lines[k]);
                return (Join(lines), 0, false);
            }
            case Corruption.BadToken:
            {
                int k = a % lines.Count;
                var tokens = lines[k].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (tokens.Length == 0) return (f.Text, 0, false);
                tokens[b % tokens.Length] = BadNumberTokens[(b / 7) % BadNumberTokens.Length];
                lines[k] = string.Join(' ', tokens);
                // A bad token in a comment's later words leaves it a comment; anywhere else the error is on that line.
                bool comment = tokens[0].StartsWith('%') && k > 0;
                return (Join(lines), comment ? 0 : k + 1, false);
            }
            case Corruption.CountPlus:
            case Corruption.CountMinus:
            {
                int k = f.SizeLine - 1;
                var tokens = lines[k].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                int which = f.IsArray ? a % 2 : 2;
                long delta = 1 + b % 3;
                tokens[which] = (long.Parse(tokens[which], Inv) + (kind == Corruption.CountPlus ? delta : -delta)).ToString(Inv);
                lines[k] = string.Join(' ', tokens);
                // Coordinate files: the count no longer matches the entries. Array files may still match by chance.
                return (Join(lines), 0, !f.IsArray);
            }
            case Corruption.HugeSize:
                lines[f.SizeLine - 1] = f.IsArray ? "1000000000 1000000000" : "1000000000 1000000000 1000000000000";
                return (Join(lines), f.SizeLine, true);
            case Corruption.LyingSize:
                // Within the default limit but far beyond what the file holds: must fail without allocating the size.
                lines[f.SizeLine - 1] = f.IsArray ? "9000 9000" : "100000 100000 99000000";
                return (Join(lines), 0, true);
            case Corruption.Empty:
                return ("", 0, true);
            case Corruption.NoBanner:
                lines.RemoveAt(0);
                return (Join(lines), 1, true);
            case Corruption.InsertChar:
            {
                int p = a % (f.Text.Length + 1);
                return (f.Text[..p] + InsertedChars[b % InsertedChars.Length] + f.Text[p..], 0, false);
            }
            case Corruption.IndexOutOfRange:
            {
                if (f.IndexTokenLines.Count == 0) return (f.Text, 0, false);
                int line = f.IndexTokenLines[a % f.IndexTokenLines.Count];
                var tokens = lines[line - 1].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                int which = b % 2;
                int size = which == 0 ? f.Rows : f.Cols;
                string[] bad = ["0", "-1", (size + 1).ToString(Inv), "2147483648", "-2147483649", "99999999999999999999"];
                tokens[which] = bad[(b / 2) % bad.Length];
                lines[line - 1] = string.Join(' ', tokens);
                return (Join(lines), line, true);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    [Fact]
    public void Corrupt_files_read_or_fail_with_a_format_error_naming_the_line()
    {
        PropertyCheck.ForAll(CorruptGen, g =>
        {
            var f = Format(g.Case);
            var (text, mustLine, mustThrow) = Corrupt(f, g.Kind, g.A, g.B);
            foreach (bool vector in new[] { false, true })
            {
                var (m, error, allocated) = vector
                    ? Attempt(() => (object)MatrixMarket.ReadVector(new StringReader(text), Source))
                    : Attempt(() => (object)Read(text));
                // Nothing of a declared size is allocated before the file shows it holds that much.
                Assert.True(allocated < 4_000_000 + 200L * text.Length, $"the reader allocated {allocated} bytes for a {text.Length}-character file");
                if (error is null)
                {
                    Assert.False(mustThrow && !vector, $"{g.Kind}: the corrupt file was read without error");
                    if (m is CsrMatrix mm) CheckValid(mm);
                    else Assert.All((double[])m!, x => Assert.True(double.IsFinite(x)));
                    continue;
                }
                var fe = CheckFormatError(error, Source, text, e => text.Length == 0 || Lines(text).All(string.IsNullOrWhiteSpace));
                if (mustLine > 0 && !vector) Assert.Equal(mustLine, fe.LineNumber);
            }
        }, iter: 600, print: g => $"{g.Kind} a={g.A} b={g.B}\n{Print(g.Case)}\n--- corrupted ---\n{Corrupt(Format(g.Case), g.Kind, g.A, g.B).Text}");
    }

    [Fact]
    public void Declared_sizes_are_checked_against_a_configurable_limit_before_reading()
    {
        var gen = Gen.Select(CaseGen, Gen.Long[1, 100]);
        PropertyCheck.ForAll(gen, g =>
        {
            var (c, limit) = g;
            var f = Format(c);
            long held = f.IsArray ? (long)c.Rows * c.Cols : (c.Symmetry == "general" ? 1 : 2) * (long)f.EntryLines.Count;
            bool over = held > limit || c.Rows > limit;
            var (m, error, _) = Attempt(() => Read(f.Text, limit));
            if (over)
            {
                var fe = CheckFormatError(error!, Source, f.Text, _ => false);
                Assert.Equal(f.SizeLine, fe.LineNumber);
                Assert.Contains($"limit of {limit}", fe.Message);
            }
            else if (!f.Overflows)
            {
                Assert.Null(error);
                CheckValid(m!);
            }
        }, iter: 200, print: g => $"limit {g.Item2}\n{Print(g.Item1)}");
    }
}
