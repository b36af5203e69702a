namespace Solvers.Learning;

/// <summary>
/// An online learner over a finite grid of SOR relaxation parameters (omegas), for a caller that solves a
/// sequence of related linear systems: per instance it calls <see cref="Next"/>, solves with the omega it got,
/// then reports the cost (iterations or seconds) with <see cref="Observe"/>. Only the cost of the omega that was
/// played is seen (bandit feedback), so the learners explore on purpose; see Khodak, Chow, Balcan, Talwalkar,
/// "Learning to Relax", ICLR 2024.
/// </summary>
/// <remarks>Not thread-safe: one time loop owns a learner. Next and Observe must alternate.</remarks>
public interface IOmegaLearner
{
    /// <summary>A short identifier for logs and plots, e.g. "tsallis-inf", "chebcb", "binned-tsallis-inf", "fixed(1.5)".</summary>
    string Name { get; }

    /// <summary>The arms: the omegas the learner may return, strictly ascending.</summary>
    IReadOnlyList<double> Grid { get; }

    /// <summary>The number of completed <see cref="Observe"/> calls.</summary>
    int Rounds { get; }

    /// <summary>
    /// Chooses the omega for the next instance. Non-contextual learners ignore <paramref name="context"/>;
    /// contextual learners require a finite one (NaN, the default, means "no context").
    /// </summary>
    /// <param name="context">A scalar feature of the instance known before solving (e.g. a diagonal shift).</param>
    /// <returns>One of the values of <see cref="Grid"/>.</returns>
    /// <exception cref="InvalidOperationException">The previous omega has not been observed yet.</exception>
    /// <exception cref="ArgumentException">A contextual learner got a NaN or infinite context.</exception>
    double Next(double context = double.NaN);

    /// <summary>Reports the cost of the omega returned by the last <see cref="Next"/>.</summary>
    /// <param name="cost">Iterations or seconds; finite and &gt;= 0.</param>
    /// <exception cref="InvalidOperationException">No omega is pending.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The cost is negative, NaN or infinite.</exception>
    void Observe(double cost);

    /// <summary>
    /// The full state (kind, options, statistics, random-stream position, pending arm) as camelCase JSON, so that
    /// <see cref="OmegaLearners.FromJson"/> rebuilds a learner that continues exactly as this one would.
    /// </summary>
    string ToJson();
}
