using Solvers.Kernels;
using Xunit;

namespace Solvers.Kernels.Tests;

/// <summary>Backend selection: explicit kinds, Auto, the SOLVERS_BACKEND override, and CUDA where there is none.</summary>
[Collection(nameof(EnvironmentVariableCollection))]
public sealed class BackendSelectionTests
{
    [Theory]
    [InlineData("cpu", BackendKind.Cpu)]
    [InlineData("CPU", BackendKind.Cpu)]
    [InlineData("ilgpu-cpu", BackendKind.IlgpuCpu)]
    [InlineData(" cuda ", BackendKind.Cuda)]
    [InlineData("auto", BackendKind.Auto)]
    public void Names_parse(string text, BackendKind kind) => Assert.Equal(kind, Backend.ParseKind(text));

    [Fact]
    public void Unknown_name_lists_the_choices()
    {
        var e = Assert.Throws<ArgumentException>(() => Backend.ParseKind("opencl", "--backend"));
        Assert.Contains("--backend", e.Message);
        Assert.Contains("ilgpu-cpu", e.Message);
    }

    [Fact]
    public void Environment_variable_overrides_auto_and_a_bad_value_is_named()
    {
        string? saved = Environment.GetEnvironmentVariable(Backend.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(Backend.EnvironmentVariable, "ilgpu-cpu");
            using (var b = Backend.Create())
                Assert.Equal(BackendKind.IlgpuCpu, b.Kind);
            // An explicit kind wins over the variable.
            using (var c = Backend.Create(BackendKind.Cpu))
                Assert.Equal(BackendKind.Cpu, c.Kind);
            Environment.SetEnvironmentVariable(Backend.EnvironmentVariable, "tpu");
            var e = Assert.Throws<ArgumentException>(() => Backend.Create());
            Assert.Contains(Backend.EnvironmentVariable, e.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Backend.EnvironmentVariable, saved);
        }
    }

    [Fact]
    public void Cuda_without_a_gpu_is_a_clear_error_and_auto_falls_back_to_cpu()
    {
        string? saved = Environment.GetEnvironmentVariable(Backend.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(Backend.EnvironmentVariable, null);
            bool hasGpu = Backend.ListDevices().Any(d => d.Kind == BackendKind.Cuda);
            using var auto = Backend.Create();
            Assert.Equal(hasGpu ? BackendKind.Cuda : BackendKind.Cpu, auto.Kind);
            if (!hasGpu)
            {
                var e = Assert.Throws<BackendUnavailableException>(() => Backend.Create(BackendKind.Cuda));
                Assert.Contains("CUDA", e.Message);
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable(Backend.EnvironmentVariable, saved);
        }
    }

    [Fact]
    public void Device_list_always_has_the_cpu_and_the_ilgpu_emulator()
    {
        var devices = Backend.ListDevices();
        Assert.Contains(devices, d => d.Kind == BackendKind.Cpu);
        Assert.Contains(devices, d => d.Kind == BackendKind.IlgpuCpu);
    }

    [Fact]
    public void Options_reject_bad_values()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BackendOptions { MaxDegreeOfParallelism = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new BackendOptions { CudaDeviceIndex = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new BackendOptions { IlgpuCpuWarpSize = 3 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new BackendOptions { IlgpuCpuWarpsPerGroup = 0 });
    }
}

/// <summary>Tests that change process environment variables run one at a time.</summary>
[CollectionDefinition(nameof(EnvironmentVariableCollection), DisableParallelization = true)]
public sealed class EnvironmentVariableCollection;
