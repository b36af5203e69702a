using System.IO.Compression;
using System.Text;
using CsCheck;
using Solvers.Sparse;
using Xunit;
using static Solvers.Kernels.Tests.PropertyGens;

namespace Solvers.Kernels.Tests;

/// <summary>
/// Property tests of <see cref="LibSvm"/> and <see cref="Csv"/>: random valid files written by the test's own
/// formatter read back exactly, and random corruptions either read or fail with a
/// <see cref="MatrixMarketFormatException"/> naming an existing line.
/// </summary>
public sealed class DatasetReaderPropertyTests
{
    // ---- LIBSVM ------------------------------------------------------------------------------------------

    private const string SvmSource = "p.svm";

    public sealed record SvmCase(int Rows, int MaxIndex, int DensityPct, double[] Pool, double[] Labels, int ExtraFeatures, int Layout)
    {
        public override string ToString() => $"{Rows} rows, indices <= {MaxIndex}, density {DensityPct}%, extra {ExtraFeatures}, layout {Layout}, pool [{string.Join(", ", Pool.Select(p => p.ToString("R", Inv)))}], labels [{string.Join(", ", Labels.Select(p => p.ToString("R", Inv)))}]";
    }

    private static readonly Gen<SvmCase> SvmGen =
        from rows in Gen.Int[0, 12]
        from maxIndex in Gen.Frequency<int>((4, (IGen<int>)Gen.Int[0, 12]), (1, Gen.Int[13, 100_000]))
        from density in Gen.Int[0, 100]
        from pool in Finite.Array[1, 20]
        from labels in Gen.Frequency<double[]>((1, (IGen<double[]>)Finite.Array[1, 5]), (1, Gen.OneOf(-1.0, 1.0, 0.0, 2.0, 3.0).Array[1, 5]))
        from extra in Gen.Int[-1, 3]
        from layout in Gen.Int
        select new SvmCase(rows, maxIndex, density, pool, labels, extra, layout);

    private sealed class SvmFile
    {
        public required string Text;
        public required int? Features;
        public required int Columns;
        public required double[] Labels;
        public required List<List<(int Col, double Value)>> Rows; // non-zero entries only
        public required List<int> SampleLines;
    }

    private static SvmFile FormatSvm(SvmCase c)
    {
        var rnd = new Random(c.Layout);
        var lines = new List<string>();
        var rows = new List<List<(int, double)>>();
        var labels = new List<double>();
        var sampleLines = new List<int>();
        string Sep() => rnd.Next(4) switch { 0 => "\t", 1 => "  ", _ => " " };
        int maxListed = 0, t = 0;
        for (int r = 0; r < c.Rows; r++)
        {
            if (rnd.Next(8) == 0) lines.Add(rnd.Next(2) == 0 ? "" : "# comment " + r);
            double label = c.Labels[r % c.Labels.Length];
            var sb = new StringBuilder(rnd.Next(5) == 0 ? " " : "");
            sb.Append(label == Math.Round(label) && Math.Abs(label) < 1e6 && !(label == 0 && double.IsNegative(label)) && rnd.Next(2) == 0
                ? ((long)label).ToString(rnd.Next(2) == 0 ? "+0;-0" : "0", Inv)
                : Num(label, rnd.Next(8)));
            var row = new List<(int, double)>();
            // Sparse index choice keeps wide files short: at most ~20 listed indices per row.
            int step = Math.Max(1, c.MaxIndex / 20);
            for (int idx = 1 + rnd.Next(step); idx <= c.MaxIndex; idx += 1 + rnd.Next(step))
            {
                if (rnd.Next(100) >= c.DensityPct) continue;
                double v = c.Pool[t++ % c.Pool.Length];
                sb.Append(Sep()).Append(idx.ToString(Inv)).Append(':').Append(Num(v, rnd.Next(8)));
                maxListed = Math.Max(maxListed, idx);
                if (v != 0) row.Add((idx - 1, v));
            }
            if (rnd.Next(6) == 0) sb.Append(Sep()).Append("# trailing comment 1:2");
            if (rnd.Next(6) == 0) sb.Append(' ');
            lines.Add(sb.ToString());
            sampleLines.Add(lines.Count);
            rows.Add(row);
            labels.Add(label);
        }
        int? features = c.ExtraFeatures < 0 ? null : maxListed + c.ExtraFeatures;
        return new SvmFile
        {
            Text = string.Concat(lines.Select(l => l + (rnd.Next(5) == 0 ? "\r\n" : "\n"))),
            Features = features, Columns = features ?? maxListed, Labels = labels.ToArray(), Rows = rows, SampleLines = sampleLines,
        };
    }

    private static LibSvmData ReadSvm(string text, int? features) => LibSvm.Read(new StringReader(text), SvmSource, features);

    [Fact]
    public void LibSvm_formatted_files_read_back_exactly()
    {
        PropertyCheck.ForAll(SvmGen, c =>
        {
            var f = FormatSvm(c);
            var d = ReadSvm(f.Text, f.Features);
            Assert.Equal(f.Labels.Length, d.Labels.Length);
            for (int i = 0; i < f.Labels.Length; i++) AssertBits(f.Labels[i], d.Labels[i], $"label {i}");
            var m = d.Features;
            CheckValid(m);
            Assert.Equal(f.Rows.Count, m.Rows);
            Assert.Equal(f.Columns, m.Columns);
            for (int i = 0; i < f.Rows.Count; i++)
            {
                int start = m.RowPointers[i];
                Assert.Equal(f.Rows[i].Count, m.RowPointers[i + 1] - start);
                for (int k = 0; k < f.Rows[i].Count; k++)
                {
                    Assert.Equal(f.Rows[i][k].Col, m.ColumnIndices[start + k]);
                    AssertBits(f.Rows[i][k].Value, m.Values[start + k], $"({i}, {f.Rows[i][k].Col})");
                }
            }
        }, iter: 300, print: c => c + "\n--- file ---\n" + FormatSvm(c).Text);
    }

    private enum SvmCorruption { Truncate, DeleteLine, DuplicateLine, BadToken, SwapTokens, IndexBeyondFeatures, InsertChar }

    private static readonly string[] BadSvmTokens =
        ["abc", "1:", ":1", "0:1", "-1:2", "3:NaN", "2:1e999", "x:1", "99999999999:1", "1:1:1", "1:abc", "2147483648:1", "1,5"];

    private static readonly string[] InsertedChars = ["x", "-", ".", ":", ",", "#", "\n", "\0", "é", " ", "9", "e"];

    private static (string Text, int MustLine) CorruptSvm(SvmFile f, SvmCorruption kind, int a, int b)
    {
        var lines = Lines(f.Text).ToList();
        if (lines.Count == 0) return (f.Text, 0);
        int k = a % lines.Count;
        var tokens = lines[k].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        bool commentLine = tokens.Length == 0 || tokens[0].StartsWith('#');
        switch (kind)
        {
            case SvmCorruption.Truncate:
                return (f.Text[..(a % (f.Text.Length + 1))], 0);
            case SvmCorruption.DeleteLine:
                lines.RemoveAt(k);
                return (Join(lines), 0);
            case SvmCorruption.DuplicateLine:
                lines.Insert(k, lines[k]);
                return (Join(lines), 0);
            case SvmCorruption.BadToken:
            {
                if (commentLine) return (f.Text, 0);
                int hash = Array.FindIndex(tokens, s => s.StartsWith('#'));
                int count = hash < 0 ? tokens.Length : hash;
                // Token 0 is the label: any bad token there is an error; a later one replaces or adds a feature.
                int at = b % (count + 1);
                string bad = BadSvmTokens[(b / 3) % BadSvmTokens.Length];
                var list = tokens.ToList();
                if (at == count) list.Insert(count, bad); else list[at] = bad;
                lines[k] = string.Join(' ', list);
                // An appended or replaced token may be valid by chance only when it is a well-formed index:value.
                return (Join(lines), k + 1);
            }
            case SvmCorruption.SwapTokens:
            {
                int hash = Array.FindIndex(tokens, s => s.StartsWith('#'));
                int count = hash < 0 ? tokens.Length : hash;
                if (commentLine || count < 3) return (f.Text, 0);
                int i = 1 + b % (count - 2);
                (tokens[i], tokens[i + 1]) = (tokens[i + 1], tokens[i]);
                lines[k] = string.Join(' ', tokens);
                return (Join(lines), k + 1); // indices no longer ascending
            }
            case SvmCorruption.IndexBeyondFeatures:
            {
                if (commentLine || f.Features is null) return (f.Text, 0);
                var list = tokens.Where(s => !s.StartsWith('#')).ToList();
                int hash = Array.FindIndex(tokens, s => s.StartsWith('#'));
                if (hash >= 0) list = tokens[..hash].ToList();
                list.Add($"{f.Features + 1 + b % 5}:1");
                lines[k] = string.Join(' ', list);
                return (Join(lines), k + 1);
            }
            case SvmCorruption.InsertChar:
            {
                int p = a % (f.Text.Length + 1);
                return (f.Text[..p] + InsertedChars[b % InsertedChars.Length] + f.Text[p..], 0);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    [Fact]
    public void LibSvm_corrupt_files_read_or_fail_with_a_format_error_naming_the_line()
    {
        var gen = Gen.Select(SvmGen, Gen.Enum<SvmCorruption>(), Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue]);
        PropertyCheck.ForAll(gen, g =>
        {
            var f = FormatSvm(g.Item1);
            var (text, mustLine) = CorruptSvm(f, g.Item2, g.Item3, g.Item4);
            var (d, error, allocated) = Attempt(() => ReadSvm(text, f.Features));
            Assert.True(allocated < 4_000_000 + 400L * text.Length, $"the reader allocated {allocated} bytes for a {text.Length}-character file");
            if (error is null)
            {
                CheckValid(d!.Features);
                Assert.Equal(d.Features.Rows, d.Labels.Length);
                Assert.All(d.Labels, x => Assert.True(double.IsFinite(x)));
                return;
            }
            var fe = CheckFormatError(error, SvmSource, text, _ => false);
            if (mustLine > 0) Assert.Equal(mustLine, fe.LineNumber);
        }, iter: 500, print: g => $"{g.Item2} a={g.Item3} b={g.Item4}\n{g.Item1}\n--- corrupted ---\n{CorruptSvm(FormatSvm(g.Item1), g.Item2, g.Item3, g.Item4).Text}");
    }

    // ---- CSV ---------------------------------------------------------------------------------------------

    private const string CsvSource = "p.csv";

    public sealed record CsvCase(int Rows, int Fields, bool Header, int LabelColumn, double[] Pool, int Layout)
    {
        public override string ToString() => $"{Rows} rows x {Fields} fields, header {Header}, label column {LabelColumn}, layout {Layout}, pool [{string.Join(", ", Pool.Select(p => p.ToString("R", Inv)))}]";
    }

    private static readonly Gen<CsvCase> CsvGen =
        from rows in Gen.Int[1, 12]
        from fields in Gen.Int[2, 7]
        from header in Gen.Bool
        from label in Gen.Int[-1, fields - 1]
        from pool in Finite.Array[1, 30]
        from layout in Gen.Int
        select new CsvCase(rows, fields, header, label, pool, layout);

    private sealed class CsvFile
    {
        public required string Text;
        public required string[]? Header;
        public required double[,] Features;
        public required double[] Labels;
    }

    private static CsvFile FormatCsv(CsvCase c)
    {
        var rnd = new Random(c.Layout);
        var lines = new List<string>();
        string Ws() => rnd.Next(5) switch { 0 => " ", 1 => "\t", _ => "" };
        string[]? header = null;
        if (c.Header)
        {
            header = Enumerable.Range(0, c.Fields).Select(j => rnd.Next(3) switch { 0 => "x y " + j, 1 => "label", _ => "c" + j }).ToArray();
            lines.Add(string.Join(",", header.Select(h => Ws() + h + Ws())));
        }
        int label = c.LabelColumn < 0 ? c.Fields - 1 : c.LabelColumn;
        var features = new double[c.Rows, c.Fields - 1];
        var labels = new double[c.Rows];
        int t = 0;
        for (int i = 0; i < c.Rows; i++)
        {
            if (rnd.Next(8) == 0) lines.Add(rnd.Next(2) == 0 ? "" : "  ");
            var fields = new string[c.Fields];
            for (int j = 0, col = 0; j < c.Fields; j++)
            {
                double v = c.Pool[t++ % c.Pool.Length];
                fields[j] = Ws() + Num(v, rnd.Next(8)) + Ws();
                if (j == label) labels[i] = v; else features[i, col++] = v;
            }
            lines.Add(string.Join(",", fields));
        }
        return new CsvFile
        {
            Text = string.Concat(lines.Select(l => l + (rnd.Next(5) == 0 ? "\r\n" : "\n"))),
            Header = header, Features = features, Labels = labels,
        };
    }

    [Fact]
    public void Csv_formatted_files_read_back_exactly()
    {
        PropertyCheck.ForAll(CsvGen, c =>
        {
            var f = FormatCsv(c);
            var d = Csv.Read(new StringReader(f.Text), CsvSource, c.LabelColumn);
            Assert.Equal(f.Header, d.Header);
            Assert.Equal(f.Features.GetLength(0), d.Features.GetLength(0));
            Assert.Equal(f.Features.GetLength(1), d.Features.GetLength(1));
            for (int i = 0; i < f.Labels.Length; i++)
            {
                AssertBits(f.Labels[i], d.Labels[i], $"label {i}");
                for (int j = 0; j < f.Features.GetLength(1); j++) AssertBits(f.Features[i, j], d.Features[i, j], $"({i}, {j})");
            }
        }, iter: 300, print: c => c + "\n--- file ---\n" + FormatCsv(c).Text);
    }

    private enum CsvCorruption { Truncate, DeleteLine, DuplicateLine, BadToken, ExtraField, MissingField, Empty, InsertChar }

    private static (string Text, int MustLine) CorruptCsv(CsvFile f, CsvCorruption kind, int a, int b)
    {
        var lines = Lines(f.Text).ToList();
        int k = a % lines.Count;
        int firstLine = lines.FindIndex(l => !string.IsNullOrWhiteSpace(l));
        int firstData = f.Header is null ? firstLine : lines.FindIndex(firstLine + 1, l => !string.IsNullOrWhiteSpace(l));
        bool dataLine = !string.IsNullOrWhiteSpace(lines[k]) && !(f.Header is not null && k == firstLine);
        // The first data line fixes the field count (and, without a header, may turn into one when corrupted), so
        // an error caused there may surface on a later line; any other corrupted data line must be the one named.
        int must = dataLine && k != firstData ? k + 1 : 0;
        switch (kind)
        {
            case CsvCorruption.Truncate:
                return (f.Text[..(a % (f.Text.Length + 1))], 0);
            case CsvCorruption.DeleteLine:
                lines.RemoveAt(k);
                return (Join(lines), 0);
            case CsvCorruption.DuplicateLine:
                lines.Insert(k, lines[k]);
                return (Join(lines), 0);
            case CsvCorruption.BadToken:
            {
                if (!dataLine) return (f.Text, 0);
                var fields = lines[k].Split(',');
                fields[b % fields.Length] = new[] { "abc", "NaN", "1e999", "", "1..2", "-Infinity", "0x10", "1 2", "\0" }[(b / 7) % 9];
                lines[k] = string.Join(",", fields);
                return (Join(lines), must);
            }
            case CsvCorruption.ExtraField:
                if (!dataLine) return (f.Text, 0);
                lines[k] += ",1";
                return (Join(lines), must);
            case CsvCorruption.MissingField:
            {
                if (!dataLine) return (f.Text, 0);
                lines[k] = lines[k][..lines[k].LastIndexOf(',')];
                return (Join(lines), must);
            }
            case CsvCorruption.Empty:
                return ("", 0);
            case CsvCorruption.InsertChar:
            {
                int p = a % (f.Text.Length + 1);
                return (f.Text[..p] + InsertedChars[b % InsertedChars.Length] + f.Text[p..], 0);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    /// <summary>A CSV reader error without a line is allowed only for input with no data rows.</summary>
    private static bool NoDataRows(MatrixMarketFormatException e) => e.Detail.Contains("no data rows", StringComparison.Ordinal);

    [Fact]
    public void Csv_corrupt_files_read_or_fail_with_a_format_error_naming_the_line()
    {
        var gen = Gen.Select(CsvGen, Gen.Enum<CsvCorruption>(), Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue]);
        PropertyCheck.ForAll(gen, g =>
        {
            var f = FormatCsv(g.Item1);
            var (text, mustLine) = CorruptCsv(f, g.Item2, g.Item3, g.Item4);
            var (d, error, allocated) = Attempt(() => Csv.Read(new StringReader(text), CsvSource, g.Item1.LabelColumn));
            Assert.True(allocated < 4_000_000 + 400L * text.Length, $"the reader allocated {allocated} bytes for a {text.Length}-character file");
            if (error is null)
            {
                Assert.Equal(d!.Features.GetLength(0), d.Labels.Length);
                foreach (double x in d.Features) Assert.True(double.IsFinite(x));
                Assert.All(d.Labels, x => Assert.True(double.IsFinite(x)));
                return;
            }
            var fe = CheckFormatError(error, CsvSource, text, NoDataRows);
            if (mustLine > 0) Assert.Equal(mustLine, fe.LineNumber);
        }, iter: 500, print: g => $"{g.Item2} a={g.Item3} b={g.Item4}\n{g.Item1}\n--- corrupted ---\n{CorruptCsv(FormatCsv(g.Item1), g.Item2, g.Item3, g.Item4).Text}");
    }

    [Fact]
    public void Csv_truncated_gzip_files_read_or_fail_with_a_format_error()
    {
        string dir = Path.Combine(Path.GetTempPath(), "solvers-csv-props-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        try
        {
            var gen = Gen.Select(CsvGen, Gen.Int[0, int.MaxValue]);
            PropertyCheck.ForAll(gen, g =>
            {
                var f = FormatCsv(g.Item1);
                var buffer = new MemoryStream();
                using (var gz = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
                    gz.Write(Encoding.UTF8.GetBytes(f.Text));
                var bytes = buffer.ToArray();
                string path = Path.Combine(dir, "t.csv.gz");
                File.WriteAllBytes(path, bytes[..(g.Item2 % (bytes.Length + 1))]);
                var (_, error, _) = Attempt(() => Csv.Read(path, g.Item1.LabelColumn));
                if (error is not null) CheckFormatError(error, path, f.Text, _ => true);
            }, iter: 60, print: g => $"cut at {g.Item2}\n{g.Item1}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
