using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Solvers.Kernels;
using Spectre.Console;

namespace Solvers.Cli.Commands;

/// <summary><c>solvers info</c>: the backends and devices of this machine, the runtime and the SIMD width.</summary>
internal static class InfoCommand
{
    /// <summary>Prints the report; returns 0.</summary>
    public static int Run(TextWriter stdout, TextWriter stderr)
    {
        try
        {
            var console = CliHelpers.ConsoleFor(stdout);
            var devices = Backend.ListDevices();
            bool cuda = devices.Any(d => d.Kind == BackendKind.Cuda);
            string? env = Environment.GetEnvironmentVariable(Backend.EnvironmentVariable);

            var runtime = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
            void Row(string k, string v) => runtime.AddRow(new Text(k, new Style(decoration: Decoration.Bold)), new Text(v));
            Row("solvers", typeof(InfoCommand).Assembly.GetName().Version?.ToString(3) ?? "?");
            Row(".NET", $"{RuntimeInformation.FrameworkDescription} ({Environment.Version})");
            Row("OS", $"{RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})");
            Row("processors", Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Row("SIMD", $"Vector<double>: {Vector<double>.Count} doubles ({Vector<byte>.Count * 8} bit), " +
                        $"hardware accelerated: {Vector.IsHardwareAccelerated}; " +
                        $"AVX2: {System.Runtime.Intrinsics.X86.Avx2.IsSupported}, AVX-512: {Vector512.IsHardwareAccelerated}, " +
                        $"Arm AdvSIMD: {System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported}");
            Row(Backend.EnvironmentVariable, string.IsNullOrWhiteSpace(env) ? "(unset)" : env);
            Row("auto backend", string.IsNullOrWhiteSpace(env)
                ? (cuda ? "cuda (a CUDA device is present)" : "cpu (no CUDA device)")
                : $"{env.Trim()} (from {Backend.EnvironmentVariable})");
            console.Write(runtime);
            console.WriteLine();

            var table = new Table().Title("Backends and devices")
                .AddColumn("backend").AddColumn("device").AddColumn("details");
            foreach (var d in devices)
                table.AddRow(Markup.Escape(CliHelpers.KindName(d.Kind)), Markup.Escape(d.Name), Markup.Escape(d.Details));
            if (!cuda) table.AddRow("cuda", "[grey](none)[/]", "no NVIDIA GPU or driver found; --backend cuda is unavailable");
            console.Write(table);
            return ExitCodes.Success;
        }
        catch (Exception e) when (CliHelpers.TryReportInputError(e, stderr, out int code))
        {
            return code;
        }
    }
}
