using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Solvers.Kernels;
using Solvers.Sparse;
using Spectre.Console;

namespace Solvers.Cli.Commands;

/// <summary>The process exit codes of the <c>solvers</c> command.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked (a solve converged).</summary>
    public const int Success = 0;

    /// <summary>A numerical failure: the solve did not converge, or the matrix is not SPD. The status is printed.</summary>
    public const int NotConverged = 1;

    /// <summary>Bad input or usage; one line <c>solvers: error: ...</c> on stderr.</summary>
    public const int Usage = 2;
}

/// <summary>Bad input found by the CLI itself (a missing file, conflicting options); exit code 2.</summary>
internal sealed class CliUsageException(string message) : Exception(message);

/// <summary>Helpers shared by the commands: consoles, error reporting, JSON, formatting.</summary>
internal static class CliHelpers
{
    /// <summary>JSON options of every <c>--json</c> output: camelCase, indented, enums as names.</summary>
    public static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Writes <paramref name="value"/> as one JSON object followed by a newline.</summary>
    public static void WriteJson<T>(TextWriter stdout, T value)
    {
        stdout.WriteLine(JsonSerializer.Serialize(value, Json));
        stdout.Flush();
    }

    /// <summary>True when <paramref name="stdout"/> is the process's own standard output and that is a terminal.</summary>
    public static bool IsInteractiveTerminal(TextWriter stdout)
        => ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected
           && AnsiConsole.Profile.Capabilities.Interactive && AnsiConsole.Profile.Capabilities.Ansi;

    /// <summary>
    /// A Spectre console that writes to <paramref name="stdout"/>: the process console when it is the standard
    /// output, else a plain console (no colours, no cursor control) over the writer, as tests use.
    /// </summary>
    public static IAnsiConsole ConsoleFor(TextWriter stdout)
    {
        if (ReferenceEquals(stdout, Console.Out))
        {
            // Redirected to a file or pipe, Spectre assumes 80 columns and wraps every table cell.
            if (Console.IsOutputRedirected) AnsiConsole.Console.Profile.Width = 140;
            return AnsiConsole.Console;
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(stdout),
        });
        console.Profile.Width = 120;
        return console;
    }

    /// <summary>
    /// Turns the exceptions that mean bad input into one line <c>solvers: error: ...</c> on stderr and exit code 2;
    /// returns false (and writes nothing) for any other exception.
    /// </summary>
    public static bool TryReportInputError(Exception e, TextWriter stderr, out int exitCode)
    {
        string? message = e switch
        {
            CliUsageException => e.Message,
            // Already "file:line: detail".
            MatrixMarketFormatException => e.Message,
            BackendUnavailableException => e.Message,
            FileNotFoundException f => $"{f.FileName ?? "file"}: file not found",
            DirectoryNotFoundException => e.Message,
            UnauthorizedAccessException => e.Message,
            NotSupportedException => e.Message,
            ArgumentException a => CleanArgumentMessage(a),
            IOException => e.Message,
            _ => null,
        };
        if (message is null)
        {
            exitCode = 0;
            return false;
        }
        WriteError(stderr, message);
        exitCode = ExitCodes.Usage;
        return true;
    }

    /// <summary>Writes <c>solvers: error: message</c> as one line on stderr.</summary>
    public static void WriteError(TextWriter stderr, string message)
    {
        stderr.WriteLine($"solvers: error: {OneLine(message)}");
        stderr.Flush();
    }

    /// <summary>Collapses line breaks so a message is one line.</summary>
    public static string OneLine(string message)
        => string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    // ArgumentException appends " (Parameter 'name')", and ArgumentOutOfRangeException "Actual value was ...":
    // noise for a CLI user, who named no parameter.
    private static string CleanArgumentMessage(ArgumentException e)
    {
        string m = e.Message;
        if (e is ArgumentOutOfRangeException { ActualValue: not null } r)
            m = m.Replace($"Actual value was {r.ActualValue}.", "", StringComparison.Ordinal);
        if (e.ParamName is { } p)
            m = m.Replace($" (Parameter '{p}')", "", StringComparison.Ordinal);
        return OneLine(m);
    }

    /// <summary>Throws <see cref="CliUsageException"/> when <paramref name="path"/> does not name an existing file.</summary>
    public static void RequireFile(string path, string what)
    {
        if (Directory.Exists(path)) throw new CliUsageException($"{path}: is a directory, not a {what} file");
        if (!File.Exists(path)) throw new CliUsageException($"{path}: {what} file not found");
    }

    /// <summary>Reads a Matrix Market matrix, naming the file when it is missing.</summary>
    public static CsrMatrix ReadMatrixFile(string path)
    {
        RequireFile(path, "matrix");
        return MatrixMarket.ReadMatrix(path);
    }

    /// <summary>
    /// The matrix a <c>--problem</c> value names: a generator spec (<c>poisson2d:N</c> ...) or, when it names an
    /// existing file or ends in <c>.mtx</c>, a Matrix Market file.
    /// </summary>
    public static CsrMatrix LoadProblem(string spec, out string name)
    {
        if (File.Exists(spec) || spec.EndsWith(".mtx", StringComparison.OrdinalIgnoreCase))
        {
            name = Path.GetFileName(spec);
            return ReadMatrixFile(spec);
        }
        name = spec.Trim().ToLowerInvariant();
        return Problems.PdeProblems.Parse(spec);
    }

    /// <summary>Creates the backend named by <paramref name="kindName"/> with an optional thread count.</summary>
    public static Backend CreateBackend(string kindName, int? threads)
    {
        var kind = Backend.ParseKind(kindName, "--backend");
        if (threads is < 1) throw new CliUsageException($"--threads must be at least 1, got {threads}");
        var options = threads is { } t ? new BackendOptions { MaxDegreeOfParallelism = t } : new BackendOptions();
        return Backend.Create(kind, options);
    }

    /// <summary>The CLI name of a backend kind.</summary>
    public static string KindName(BackendKind kind) => kind switch
    {
        BackendKind.Cpu => "cpu",
        BackendKind.IlgpuCpu => "ilgpu-cpu",
        BackendKind.Cuda => "cuda",
        _ => "auto",
    };

    /// <summary>Maps NaN and infinities to null, which JSON can carry.</summary>
    public static double? Finite(double v) => double.IsFinite(v) ? v : null;

    /// <summary>Memory traffic rate of a solve in GB/s, or NaN when no iteration ran.</summary>
    public static double GigabytesPerSecond(long bytesPerIteration, int iterations, TimeSpan elapsed)
        => iterations > 0 && elapsed > TimeSpan.Zero && bytesPerIteration > 0
            ? bytesPerIteration * (double)iterations / elapsed.TotalSeconds / 1e9
            : double.NaN;

    /// <summary>max_i |x_i - 1|.</summary>
    public static double MaxErrorVsOnes(ReadOnlySpan<double> x)
    {
        double e = 0;
        foreach (double v in x)
        {
            double d = Math.Abs(v - 1.0);
            if (double.IsNaN(d)) return double.NaN;
            if (d > e) e = d;
        }
        return e;
    }

    /// <summary>Invariant-culture formatting with a format string, "n/a" for NaN.</summary>
    public static string F(double v, string format)
        => double.IsNaN(v) ? "n/a" : v.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Invariant-culture integer formatting with group separators.</summary>
    public static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);
}
