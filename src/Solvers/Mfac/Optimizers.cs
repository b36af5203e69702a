namespace Solvers.Mfac;

/// <summary>
/// An optimizer's state. Optimizers here keep large buffers (M-FAC's gradient window), so <see cref="IGradientTransformation.Update"/>
/// updates the state in place and returns the same object rather than a copy.
/// </summary>
/// <remarks>Thread safety: the mutable state of one optimisation run; use it from one thread at a time.</remarks>
public abstract class OptimizerState : IDisposable
{
    /// <summary>Updates taken so far.</summary>
    public long Step { get; internal set; }

    /// <summary>Frees device buffers the state holds (M-FAC's window when its options name a backend); a no-op otherwise.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees what the derived state holds.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>
/// A first-order optimizer in the shape of Optax's gradient transformations: <see cref="Init"/> makes the state,
/// <see cref="Update"/> turns a gradient into the update to add to the parameters. It needs only gradients, so
/// it works with any model that gives them.
/// </summary>
/// <remarks>Thread safety: the library's transformations are immutable records, safe to share; the state they update is an OptimizerState, one per run and thread.</remarks>
public interface IGradientTransformation
{
    /// <summary>A name for reports.</summary>
    string Name { get; }

    /// <summary>The state for parameters of this length.</summary>
    OptimizerState Init(ReadOnlySpan<double> parameters);

    /// <summary>Writes the update (parameters += updates) for <paramref name="gradient"/> and advances the state.</summary>
    /// <exception cref="ArgumentException">The lengths differ, the state came from another optimizer, the gradient or the parameters are not finite, or a hyperparameter is NaN, infinite or out of range (the state is then unchanged).</exception>
    OptimizerState Update(ReadOnlySpan<double> gradient, OptimizerState state, ReadOnlySpan<double> parameters, Span<double> updates);
}

/// <summary>Argument checks shared by the optimizers.</summary>
internal static class OptimizerChecks
{
    public static TState Check<TState>(OptimizerState state, ReadOnlySpan<double> gradient, ReadOnlySpan<double> parameters, Span<double> updates, int dimension, string optimizer)
        where TState : OptimizerState
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state is not TState typed) throw new ArgumentException($"The state is a {state.GetType().Name}, not the state of {optimizer}.", nameof(state));
        if (gradient.Length != dimension || parameters.Length != dimension || updates.Length != dimension)
            throw new ArgumentException($"gradient, parameters and updates have lengths {gradient.Length}, {parameters.Length}, {updates.Length}; the state is for {dimension}.", nameof(gradient));
        for (int i = 0; i < gradient.Length; i++)
            if (!double.IsFinite(gradient[i]))
                throw new ArgumentException($"Gradient entry {i} is {gradient[i]} at step {state.Step}; the state is unchanged.", nameof(gradient));
        // The parameters enter the update through weight decay: a NaN there used to surface as a bad *gradient*
        // (M-FAC) or as NaN updates (SGD, Adam).
        for (int i = 0; i < parameters.Length; i++)
            if (!double.IsFinite(parameters[i]))
                throw new ArgumentException($"Parameter {i} is {parameters[i]} at step {state.Step}; the state is unchanged.", nameof(parameters));
        return typed;
    }

    /// <summary>
    /// Checks a hyperparameter of the positional optimizer records (which cannot validate in their constructors
    /// without changing their shape): NaN or infinity used to give NaN or zero updates without a word.
    /// </summary>
    public static void Range(double value, string name, double min, double max, bool minInclusive = true)
    {
        bool ok = double.IsFinite(value) && (minInclusive ? value >= min : value > min) && value < max;
        if (!ok)
            throw new ArgumentOutOfRangeException(name, value,
                $"{name} must be finite and in {(minInclusive ? "[" : "(")}{min}, {(double.IsPositiveInfinity(max) ? "infinity" : max.ToString(System.Globalization.CultureInfo.InvariantCulture))}).");
    }
}

/// <summary>SGD with (heavy-ball) momentum and decoupled weight decay: v = mu v + g + wd w; update = -lr v.</summary>
/// <param name="LearningRate">Step size lr.</param>
/// <param name="Momentum">mu in [0, 1).</param>
/// <param name="WeightDecay">wd &gt;= 0, added to the gradient.</param>
/// <remarks>Thread safety: immutable hyper-parameters, safe to share; each run keeps its state in its own OptimizerState.</remarks>
public sealed record SgdMomentum(double LearningRate = 0.01, double Momentum = 0.9, double WeightDecay = 0) : IGradientTransformation
{
    private sealed class State(int n) : OptimizerState
    {
        public double[] Velocity { get; } = new double[n];
    }

    /// <inheritdoc/>
    public string Name => $"SGD (momentum {Momentum})";

    /// <inheritdoc/>
    public OptimizerState Init(ReadOnlySpan<double> parameters) => new State(parameters.Length);

    /// <inheritdoc/>
    public OptimizerState Update(ReadOnlySpan<double> gradient, OptimizerState state, ReadOnlySpan<double> parameters, Span<double> updates)
    {
        OptimizerChecks.Range(LearningRate, nameof(LearningRate), 0, double.PositiveInfinity);
        OptimizerChecks.Range(Momentum, nameof(Momentum), 0, 1);
        OptimizerChecks.Range(WeightDecay, nameof(WeightDecay), 0, double.PositiveInfinity);
        var s = OptimizerChecks.Check<State>(state, gradient, parameters, updates, parameters.Length, Name);
        for (int i = 0; i < gradient.Length; i++)
        {
            s.Velocity[i] = Momentum * s.Velocity[i] + gradient[i] + WeightDecay * parameters[i];
            updates[i] = -LearningRate * s.Velocity[i];
        }
        s.Step++;
        return s;
    }
}

/// <summary>Adam (Kingma and Ba 2015) with bias correction; weight decay added to the gradient.</summary>
/// <param name="LearningRate">Step size.</param>
/// <param name="Beta1">First-moment decay.</param>
/// <param name="Beta2">Second-moment decay.</param>
/// <param name="Epsilon">Denominator guard.</param>
/// <param name="WeightDecay">Added to the gradient times the parameters.</param>
/// <remarks>Thread safety: immutable hyper-parameters, safe to share; each run keeps its state in its own OptimizerState.</remarks>
public sealed record Adam(double LearningRate = 1e-3, double Beta1 = 0.9, double Beta2 = 0.999, double Epsilon = 1e-8, double WeightDecay = 0) : IGradientTransformation
{
    private sealed class State(int n) : OptimizerState
    {
        public double[] M { get; } = new double[n];
        public double[] V { get; } = new double[n];
    }

    /// <inheritdoc/>
    public string Name => "Adam";

    /// <inheritdoc/>
    public OptimizerState Init(ReadOnlySpan<double> parameters) => new State(parameters.Length);

    /// <inheritdoc/>
    public OptimizerState Update(ReadOnlySpan<double> gradient, OptimizerState state, ReadOnlySpan<double> parameters, Span<double> updates)
    {
        OptimizerChecks.Range(LearningRate, nameof(LearningRate), 0, double.PositiveInfinity);
        OptimizerChecks.Range(Beta1, nameof(Beta1), 0, 1);
        OptimizerChecks.Range(Beta2, nameof(Beta2), 0, 1);
        OptimizerChecks.Range(Epsilon, nameof(Epsilon), 0, double.PositiveInfinity, minInclusive: false);
        OptimizerChecks.Range(WeightDecay, nameof(WeightDecay), 0, double.PositiveInfinity);
        var s = OptimizerChecks.Check<State>(state, gradient, parameters, updates, parameters.Length, Name);
        s.Step++;
        double c1 = 1 - Math.Pow(Beta1, s.Step), c2 = 1 - Math.Pow(Beta2, s.Step);
        for (int i = 0; i < gradient.Length; i++)
        {
            double g = gradient[i] + WeightDecay * parameters[i];
            s.M[i] = Beta1 * s.M[i] + (1 - Beta1) * g;
            s.V[i] = Beta2 * s.V[i] + (1 - Beta2) * g * g;
            updates[i] = -LearningRate * (s.M[i] / c1) / (Math.Sqrt(s.V[i] / c2) + Epsilon);
        }
        return s;
    }
}

/// <summary>
/// The M-FAC optimizer (Frantar, Kurtic and Alistarh 2021): SGD preconditioned by the sliding-window inverse
/// empirical Fisher. Each step pushes g + wd w into the window of the last m gradients, takes s = F^-1 (g + wd w),
/// v = mu v + s, update = -lr v.
/// </summary>
/// <param name="Fisher">Window size m and damping lambda.</param>
/// <param name="LearningRate">Step size.</param>
/// <param name="Momentum">mu in [0, 1).</param>
/// <param name="WeightDecay">Added to the gradient times the parameters.</param>
/// <remarks>Thread safety: immutable hyper-parameters, safe to share; each run keeps its state (an M-FAC window) in its own OptimizerState.</remarks>
public sealed record MfacOptimizer(MfacOptions Fisher, double LearningRate = 1e-3, double Momentum = 0, double WeightDecay = 0) : IGradientTransformation
{
    private sealed class State(int n, MfacOptions options) : OptimizerState
    {
        public SlidingMfac<double> Window { get; } = new(n, options);
        public double[] Velocity { get; } = new double[n];
        public double[] Direction { get; } = new double[n];
        public double[] Decayed { get; } = new double[n];

        protected override void Dispose(bool disposing)
        {
            if (disposing) Window.Dispose();
        }
    }

    /// <inheritdoc/>
    public string Name => $"M-FAC (m = {Fisher.WindowSize})";

    /// <inheritdoc/>
    public OptimizerState Init(ReadOnlySpan<double> parameters) => new State(parameters.Length, Fisher);

    /// <inheritdoc/>
    public OptimizerState Update(ReadOnlySpan<double> gradient, OptimizerState state, ReadOnlySpan<double> parameters, Span<double> updates)
    {
        OptimizerChecks.Range(LearningRate, nameof(LearningRate), 0, double.PositiveInfinity);
        OptimizerChecks.Range(Momentum, nameof(Momentum), 0, 1);
        OptimizerChecks.Range(WeightDecay, nameof(WeightDecay), 0, double.PositiveInfinity);
        var s = OptimizerChecks.Check<State>(state, gradient, parameters, updates, parameters.Length, Name);
        for (int i = 0; i < gradient.Length; i++) s.Decayed[i] = gradient[i] + WeightDecay * parameters[i];
        s.Window.Push(s.Decayed);
        s.Window.InverseTimes(s.Decayed, s.Direction);
        for (int i = 0; i < gradient.Length; i++)
        {
            s.Velocity[i] = Momentum * s.Velocity[i] + s.Direction[i];
            updates[i] = -LearningRate * s.Velocity[i];
        }
        s.Step++;
        return s;
    }
}
