namespace Solvers.Learning;

/// <summary>
/// The baseline that always plays one omega, e.g. the best fixed omega found offline or a textbook choice, so that
/// a time loop can compare learners against it through the same interface.
/// </summary>
/// <remarks>Thread safety: stateful (Next, then Observe); use an instance from one thread at a time.</remarks>
public sealed class FixedOmega : IOmegaLearner
{
    internal const string Kind = "fixed";

    private readonly double _omega;
    private int _rounds;
    private bool _pending;

    /// <summary>Creates the baseline.</summary>
    /// <param name="omega">The relaxation parameter, in (0, 2).</param>
    public FixedOmega(double omega)
    {
        LearnerChecks.ValidateOmega(omega, nameof(omega));
        _omega = omega;
        Grid = Array.AsReadOnly(new[] { omega });
        Name = $"fixed({LearnerChecks.Fmt(omega)})";
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public IReadOnlyList<double> Grid { get; }

    /// <inheritdoc/>
    public int Rounds => _rounds;

    /// <inheritdoc/>
    /// <remarks>The context is ignored.</remarks>
    public double Next(double context = double.NaN)
    {
        LearnerChecks.EnsureNotPending(_pending, Name);
        _pending = true;
        return _omega;
    }

    /// <inheritdoc/>
    /// <remarks>The cost is validated and counted but cannot change the choice.</remarks>
    public void Observe(double cost)
    {
        LearnerChecks.EnsurePending(_pending, Name);
        LearnerChecks.ValidateCost(cost, nameof(cost));
        _pending = false;
        _rounds++;
    }

    /// <inheritdoc/>
    public string ToJson() => LearnerChecks.WriteJson(w =>
    {
        w.WriteString("kind", Kind);
        w.WriteNumber("omega", _omega);
        w.WriteNumber("rounds", _rounds);
        w.WriteBoolean("pending", _pending);
    });

    internal static FixedOmega Read(JsonFields root)
    {
        double omega = root.Double("omega");
        if (!(omega > 0 && omega < 2)) throw root.Fail("omega", $"is {LearnerChecks.Fmt(omega)}, outside (0, 2)");
        return new FixedOmega(omega) { _rounds = root.Int("rounds"), _pending = root.Bool("pending") };
    }
}
