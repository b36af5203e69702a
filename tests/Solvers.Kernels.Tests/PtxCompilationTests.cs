using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using Solvers.Kernels.Ilgpu;
using Xunit;

namespace Solvers.Kernels.Tests;

/// <summary>
/// Compiles every kernel with ILGPU's PTX backend, which needs no GPU. CPU-accelerator tests never reach PTX
/// code generation, so an intrinsic that only fails there (a math function without EnableAlgorithms, an
/// unsupported shuffle type) would otherwise surface first on a user's GPU.
/// </summary>
public sealed class PtxCompilationTests
{
    public static TheoryData<string> Kernels()
    {
        var data = new TheoryData<string>();
        foreach (var (m, _) in IlgpuKernels.EntryPoints) data.Add(m.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Kernel_compiles_to_ptx_for_hopper(string name)
    {
        var (method, grouped) = IlgpuKernels.EntryPoints.Single(e => e.Method.Name == name);
        using var context = IlgpuBackend.CreateContext(b => b.Cuda());
        using var backend = new PTXBackend(context, CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, nvvmAPI: null!);
        var entry = grouped
            ? EntryPointDescription.FromExplicitlyGroupedKernel(method)
            : EntryPointDescription.FromImplicitlyGroupedKernel(method);
        var compiled = (PTXCompiledKernel)backend.Compile(entry, default(KernelSpecialization));
        Assert.Contains(".entry", compiled.PTXAssembly, StringComparison.Ordinal);
        Assert.Contains(".target sm_", compiled.PTXAssembly, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_kernel_is_listed()
    {
        // Guards the discovery: a kernel added without being public static would silently skip PTX checks.
        Assert.True(IlgpuKernels.EntryPoints.Count >= 24, $"only {IlgpuKernels.EntryPoints.Count} kernels found");
        Assert.Contains(IlgpuKernels.EntryPoints, e => e.Method.Name == nameof(IlgpuKernels.SorColor) && !e.ExplicitlyGrouped);
        Assert.Contains(IlgpuKernels.EntryPoints, e => e.Method.Name == nameof(IlgpuKernels.GaussianSketchApply) && !e.ExplicitlyGrouped);
        Assert.Contains(IlgpuKernels.EntryPoints, e => e.Method.Name == nameof(IlgpuKernels.GaussianSketchApplyTranspose) && !e.ExplicitlyGrouped);
        Assert.Contains(IlgpuKernels.EntryPoints, e => e.Method.Name == nameof(IlgpuKernels.ReluMaskedForward) && !e.ExplicitlyGrouped);
        Assert.Contains(IlgpuKernels.EntryPoints, e => e.Method.Name == nameof(IlgpuKernels.ReluMaskedBackward) && !e.ExplicitlyGrouped);
        foreach (string dense in new[]
        {
            nameof(IlgpuKernels.DenseRowsTimesPartials), nameof(IlgpuKernels.DenseRowsTimesFinish),
            nameof(IlgpuKernels.DenseRowsTransposeTimes), nameof(IlgpuKernels.DenseSetRow),
            nameof(IlgpuKernels.DenseRowsTimesPartialsSingle), nameof(IlgpuKernels.DenseRowsTimesFinishSingle),
            nameof(IlgpuKernels.DenseRowsTransposeTimesSingle), nameof(IlgpuKernels.DenseSetRowSingle),
        })
            Assert.Contains(IlgpuKernels.EntryPoints, e => e.Method.Name == dense && !e.ExplicitlyGrouped);
    }
}
