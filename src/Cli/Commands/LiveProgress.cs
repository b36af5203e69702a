using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Solvers.Cli.Commands;

/// <summary>
/// A single updating status line (iteration and relative residual) while a solve runs on an interactive
/// terminal, refreshed at most about ten times a second. Off when stdout is redirected or JSON is asked for.
/// </summary>
internal static class LiveProgress
{
    private static readonly long Interval = Stopwatch.Frequency / 10;

    /// <summary>
    /// Runs <paramref name="solve"/>, giving it a progress sink that drives a status line when
    /// <paramref name="enabled"/>, or null (no reporting cost at all) otherwise.
    /// </summary>
    public static T Run<T>(IAnsiConsole console, bool enabled, string label, double rightHandSideNorm,
        Func<IProgress<IterationRecord>?, T> solve)
    {
        if (!enabled) return solve(null);
        T result = default!;
        double scale = rightHandSideNorm > 0 ? 1.0 / rightHandSideNorm : 1.0;
        string escaped = Markup.Escape(label);
        console.Status()
            .Spinner(Spinner.Known.Dots)
            .Start($"{escaped}: starting", ctx =>
            {
                var sink = new Throttled(r => ctx.Status = string.Create(CultureInfo.InvariantCulture,
                    $"{escaped}: iteration {r.Iteration,6}, relative residual {r.ResidualNorm * scale:0.000E+00}, {r.Elapsed.TotalSeconds:F1} s"));
                result = solve(sink);
            });
        return result;
    }

    /// <summary>Forwards at most one record per <see cref="Interval"/>, on the solver's thread.</summary>
    private sealed class Throttled(Action<IterationRecord> update) : IProgress<IterationRecord>
    {
        private long _next;

        public void Report(IterationRecord value)
        {
            long now = Stopwatch.GetTimestamp();
            if (now < _next) return;
            _next = now + Interval;
            update(value);
        }
    }
}
