using System.Globalization;
using System.Text;
using System.Text.Json;
using Solvers.Sketching;

namespace Solvers.Learning;

/// <summary>Validation, sampling and JSON plumbing shared by the learners.</summary>
internal static class LearnerChecks
{
    /// <summary>Copies and checks a grid: the learners index arms by position, so order and uniqueness matter.</summary>
    internal static double[] ValidateGrid(IReadOnlyList<double> grid, string paramName)
    {
        ArgumentNullException.ThrowIfNull(grid, paramName);
        if (grid.Count == 0) throw new ArgumentException("The omega grid is empty: a learner needs at least one arm.", paramName);
        var copy = grid.ToArray();
        for (int i = 0; i < copy.Length; i++)
        {
            double w = copy[i];
            if (!(w > 0 && w < 2))
                throw new ArgumentException($"Grid value {i} is {Fmt(w)}, outside (0, 2) where SOR can converge.", paramName);
            if (i > 0 && !(w > copy[i - 1]))
                throw new ArgumentException(
                    $"The grid must be strictly ascending without duplicates, but value {i} ({Fmt(w)}) follows {Fmt(copy[i - 1])}.", paramName);
        }
        return copy;
    }

    internal static void ValidateOmega(double omega, string paramName)
    {
        if (!(omega > 0 && omega < 2))
            throw new ArgumentOutOfRangeException(paramName, omega, "omega must be in (0, 2), where SOR can converge.");
    }

    internal static void ValidateCost(double cost, string paramName)
    {
        if (!(cost >= 0) || !double.IsFinite(cost))
            throw new ArgumentOutOfRangeException(paramName, cost, "The cost must be finite and >= 0.");
    }

    /// <summary>The bounded loss the bandit theory needs: cost / scale clipped to [0, 1].</summary>
    /// <summary>The loss stored for a cost: clipped cost / scale with a fixed scale, the raw cost when adaptive.</summary>
    internal static double Loss(double cost, double? costScale) => costScale is { } s ? Math.Min(1.0, cost / s) : cost;

    internal static void EnsureNotPending(bool pending, string name)
    {
        if (pending)
            throw new InvalidOperationException(
                $"{name}: Next was called twice without Observe; report the cost of the previous omega first.");
    }

    internal static void EnsurePending(bool pending, string name)
    {
        if (!pending)
            throw new InvalidOperationException($"{name}: Observe was called without a pending omega; call Next first.");
    }

    /// <summary>Checks the range order, which the record cannot check property by property.</summary>
    internal static void ValidateRange(ContextualOptions contextual, string paramName)
    {
        ArgumentNullException.ThrowIfNull(contextual, paramName);
        if (!(contextual.ContextMax > contextual.ContextMin))
            throw new ArgumentException(
                $"ContextMax ({Fmt(contextual.ContextMax)}) must be greater than ContextMin ({Fmt(contextual.ContextMin)}).", paramName);
    }

    internal static void ValidateContext(double context, string name)
    {
        if (!double.IsFinite(context))
            throw new ArgumentException($"{name} is contextual and needs a finite context, got {Fmt(context)}.", nameof(context));
    }

    /// <summary>
    /// Validates a context and clamps it into [ContextMin, ContextMax]. Clamping rather than throwing keeps a
    /// long time loop running when the context drifts slightly past the range the caller guessed; the count and
    /// the warning let the caller notice and widen the range.
    /// </summary>
    internal static double ClampContext(double context, ContextualOptions range, string name, ref int clamped, ref string? warning)
    {
        ValidateContext(context, name);
        if (context >= range.ContextMin && context <= range.ContextMax) return context;
        double c = Math.Clamp(context, range.ContextMin, range.ContextMax);
        clamped++;
        warning = $"{name}: context {Fmt(context)} is outside [ContextMin, ContextMax] = [{Fmt(range.ContextMin)}, {Fmt(range.ContextMax)}] "
            + $"and was clamped to {Fmt(c)} ({clamped} clamped so far); widen the range if this is frequent.";
        return c;
    }

    /// <summary>
    /// Inverse-CDF draw. The fallback to the last positive entry covers a u that rounding pushes past the total.
    /// </summary>
    internal static int Sample(ReadOnlySpan<double> p, double u)
    {
        double cumulative = 0;
        int last = 0;
        for (int i = 0; i < p.Length; i++)
        {
            if (p[i] <= 0) continue;
            last = i;
            cumulative += p[i];
            if (u < cumulative) return i;
        }
        return last;
    }

    internal static double Uniform(ulong seed, ref ulong counter) => CounterRandom.Uniform(seed, counter++);

    internal static string Fmt(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    // ---- JSON writing ----

    internal static string WriteJson(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false }))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    internal static void WriteArray(Utf8JsonWriter w, string name, IEnumerable<double> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }

    internal static void WriteArray(Utf8JsonWriter w, string name, IEnumerable<int> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }

    internal static void WriteOptions(Utf8JsonWriter w, double[] grid, ulong seed, double? costScale)
    {
        w.WriteStartObject("options");
        WriteArray(w, "grid", grid);
        w.WriteNumber("seed", seed);
        if (costScale is { } scale) w.WriteNumber("costScale", scale); else w.WriteNull("costScale");
        w.WriteEndObject();
    }

    internal static void WriteContextual(Utf8JsonWriter w, ContextualOptions c)
    {
        w.WriteStartObject("contextual");
        w.WriteNumber("contextMin", c.ContextMin);
        w.WriteNumber("contextMax", c.ContextMax);
        w.WriteNumber("degree", c.Degree);
        w.WriteNumber("bins", c.Bins);
        if (c.Exploration is { } e) w.WriteNumber("exploration", e); else w.WriteNull("exploration");
        w.WriteEndObject();
    }

    internal static void WriteNullable(Utf8JsonWriter w, string name, int? value)
    {
        if (value is { } v) w.WriteNumber(name, v); else w.WriteNull(name);
    }
}

/// <summary>
/// Reads a learner's JSON with errors that name the offending field (with its path), so that a hand-edited or
/// truncated state file says what is wrong instead of failing deep inside a learner.
/// </summary>
internal readonly struct JsonFields(JsonElement element, string path)
{
    private const string Param = "json";

    internal static ArgumentException Error(string field, string problem) =>
        new($"Invalid learner JSON: field '{field}' {problem}.", Param);

    private string Full(string name) => path.Length == 0 ? name : path + "." + name;

    /// <summary>An error about field <paramref name="name"/> of this object, named with its full path.</summary>
    internal ArgumentException Fail(string name, string problem) => Error(Full(name), problem);

    /// <summary>The objects of an array field, each reading with its own path (e.g. "bins[3].rounds").</summary>
    internal JsonFields[] Objects(string name, int length)
    {
        var v = Get(name, JsonValueKind.Array);
        int n = v.GetArrayLength();
        if (n != length) throw Error(Full(name), $"has {n} entries but {length} are needed");
        var result = new JsonFields[n];
        int i = 0;
        foreach (var e in v.EnumerateArray())
        {
            string at = $"{Full(name)}[{i}]";
            if (e.ValueKind != JsonValueKind.Object) throw Error(at, "must be an object");
            result[i++] = new JsonFields(e, at);
        }
        return result;
    }

    /// <summary>An array of equal-length number arrays (per-arm statistics).</summary>
    internal double[][] DoubleRows(string name, int rows, int columns)
    {
        var v = Get(name, JsonValueKind.Array);
        int n = v.GetArrayLength();
        if (n != rows) throw Error(Full(name), $"has {n} rows but {rows} are needed");
        var result = new double[rows][];
        int i = 0;
        foreach (var e in v.EnumerateArray())
        {
            string at = $"{Full(name)}[{i}]";
            if (e.ValueKind != JsonValueKind.Array) throw Error(at, "must be an array");
            if (e.GetArrayLength() != columns) throw Error(at, $"has {e.GetArrayLength()} entries but {columns} are needed");
            var row = new double[columns];
            int j = 0;
            foreach (var x in e.EnumerateArray())
            {
                if (x.ValueKind != JsonValueKind.Number || !x.TryGetDouble(out double d) || !double.IsFinite(d))
                    throw Error($"{at}[{j}]", "is not a finite number");
                row[j++] = d;
            }
            result[i++] = row;
        }
        return result;
    }

    private JsonElement Get(string name, JsonValueKind kind)
    {
        if (!element.TryGetProperty(name, out var v)) throw Error(Full(name), "is missing");
        if (v.ValueKind != kind) throw Error(Full(name), $"must be {Describe(kind)}, not {Describe(v.ValueKind)}");
        return v;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Number => "a number",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.String => "a string",
        JsonValueKind.Null => "null",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private bool IsNull(string name) =>
        !element.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null;

    internal JsonFields Object(string name) => new(Get(name, JsonValueKind.Object), Full(name));

    internal bool Bool(string name)
    {
        if (!element.TryGetProperty(name, out var v)) throw Error(Full(name), "is missing");
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(Full(name), "must be true or false"),
        };
    }

    internal string String(string name) => Get(name, JsonValueKind.String).GetString()!;

    internal double Double(string name)
    {
        var v = Get(name, JsonValueKind.Number);
        if (!v.TryGetDouble(out double d) || !double.IsFinite(d)) throw Error(Full(name), "is not a finite number");
        return d;
    }

    internal double? NullableDouble(string name) => IsNull(name) ? null : Double(name);

    internal ulong ULong(string name)
    {
        var v = Get(name, JsonValueKind.Number);
        if (!v.TryGetUInt64(out ulong u)) throw Error(Full(name), "is not an unsigned 64-bit integer");
        return u;
    }

    internal int Int(string name, int min = 0, int max = int.MaxValue)
    {
        var v = Get(name, JsonValueKind.Number);
        if (!v.TryGetInt32(out int i)) throw Error(Full(name), "is not a 32-bit integer");
        if (i < min || i > max) throw Error(Full(name), $"is {i}, outside [{min}, {max}]");
        return i;
    }

    internal int? NullableInt(string name, int min, int max) => IsNull(name) ? null : Int(name, min, max);

    internal string? NullableString(string name) => IsNull(name) ? null : String(name);

    internal double[] Doubles(string name, int? length = null)
    {
        var v = Get(name, JsonValueKind.Array);
        int n = v.GetArrayLength();
        if (length is { } len && n != len) throw Error(Full(name), $"has {n} entries but {len} are needed");
        var result = new double[n];
        int i = 0;
        foreach (var e in v.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetDouble(out double d) || !double.IsFinite(d))
                throw Error($"{Full(name)}[{i}]", "is not a finite number");
            result[i++] = d;
        }
        return result;
    }

    internal int[] Ints(string name, int length)
    {
        var v = Get(name, JsonValueKind.Array);
        int n = v.GetArrayLength();
        if (n != length) throw Error(Full(name), $"has {n} entries but {length} are needed");
        var result = new int[n];
        int i = 0;
        foreach (var e in v.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out int k) || k < 0)
                throw Error($"{Full(name)}[{i}]", "is not a non-negative 32-bit integer");
            result[i++] = k;
        }
        return result;
    }

    /// <summary>Rebuilds the options record, turning its validation errors into errors that name the field.</summary>
    internal LearnerOptions Options()
    {
        var o = Object("options");
        var grid = o.Doubles("grid");
        double? costScale = o.NullableDouble("costScale");
        ulong seed = o.ULong("seed");
        try { _ = new LearnerOptions { Grid = grid }; }
        catch (ArgumentException e) { throw Error(o.Full("grid"), $"is not a valid grid ({FirstLine(e.Message)})"); }
        if (costScale is { } cs && !(cs > 0 && double.IsFinite(cs))) throw Error(o.Full("costScale"), "must be > 0 or null");
        return new LearnerOptions { Grid = grid, Seed = seed, CostScale = costScale };
    }

    internal ContextualOptions Contextual()
    {
        var c = Object("contextual");
        double min = c.Double("contextMin"), max = c.Double("contextMax");
        if (!(max > min)) throw Error(c.Full("contextMax"), $"({LearnerChecks.Fmt(max)}) must exceed contextMin ({LearnerChecks.Fmt(min)})");
        int degree = c.Int("degree", 0, 30);
        int bins = c.Int("bins", 1, 100_000);
        double? exploration = c.NullableDouble("exploration");
        if (exploration is <= 0) throw Error(c.Full("exploration"), "must be null or > 0");
        return new ContextualOptions { ContextMin = min, ContextMax = max, Degree = degree, Bins = bins, Exploration = exploration };
    }

    private static string FirstLine(string s)
    {
        int i = s.IndexOf(" (Parameter", StringComparison.Ordinal);
        return i < 0 ? s : s[..i];
    }
}
