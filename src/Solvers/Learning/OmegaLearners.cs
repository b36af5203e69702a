using System.Text.Json;

namespace Solvers.Learning;

/// <summary>Grids and persistence for the omega learners.</summary>
/// <remarks>Thread safety: stateless; safe to call from several threads at once.</remarks>
public static class OmegaLearners
{
    /// <summary>
    /// Evenly spaced omegas from <paramref name="min"/> to <paramref name="max"/> inclusive. The defaults are the
    /// grid of the Learning-to-Relax experiments, linspace(1, 1.95, 20): over-relaxation only, stopping short of 2
    /// where SOR diverges.
    /// </summary>
    /// <param name="count">Number of points, &gt;= 1 (1 gives just <paramref name="min"/>).</param>
    /// <param name="min">Smallest omega, in (0, 2).</param>
    /// <param name="max">Largest omega, in (0, 2) and &gt; <paramref name="min"/> when count &gt; 1.</param>
    public static double[] DefaultGrid(int count = 20, double min = 1.0, double max = 1.95)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "The grid needs at least one point.");
        LearnerChecks.ValidateOmega(min, nameof(min));
        LearnerChecks.ValidateOmega(max, nameof(max));
        if (count == 1) return [min];
        if (!(max > min)) throw new ArgumentException($"max ({LearnerChecks.Fmt(max)}) must exceed min ({LearnerChecks.Fmt(min)}) for a grid of {count} points.", nameof(max));
        var grid = new double[count];
        // Interpolating from both ends keeps the end points exact and the values symmetric in rounding.
        for (int i = 0; i < count; i++) grid[i] = (min * (count - 1 - i) + max * i) / (count - 1);
        grid[^1] = max;
        return grid;
    }

    /// <summary>
    /// Rebuilds a learner saved by <see cref="IOmegaLearner.ToJson"/>, choosing the type from the "kind" field
    /// ("tsallis-inf", "chebcb", "binned-tsallis-inf", "fixed"). The restored learner continues the same random
    /// stream, so it returns the same omegas as the original would have.
    /// </summary>
    /// <exception cref="ArgumentException">The text is not JSON or a field is missing or invalid; the message names the field.</exception>
    public static IOmegaLearner FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try { document = JsonDocument.Parse(json); }
        catch (JsonException e) { throw new ArgumentException($"Invalid learner JSON: {e.Message}", nameof(json), e); }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new ArgumentException("Invalid learner JSON: the root must be an object.", nameof(json));
            var root = new JsonFields(document.RootElement, "");
            string kind = root.String("kind");
            return kind switch
            {
                TsallisInf.Kind => TsallisInf.Read(root),
                ChebCb.Kind => ChebCb.Read(root),
                BinnedTsallisInf.Kind => BinnedTsallisInf.Read(root),
                FixedOmega.Kind => FixedOmega.Read(root),
                _ => throw JsonFields.Error("kind", $"is '{kind}', not one of '{TsallisInf.Kind}', '{ChebCb.Kind}', "
                    + $"'{BinnedTsallisInf.Kind}', '{FixedOmega.Kind}'"),
            };
        }
    }
}
