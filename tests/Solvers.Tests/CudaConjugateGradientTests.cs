using MathNet.Numerics.LinearAlgebra.Double;
using Solvers.Kernels;
using Solvers.Linear;
using Solvers.Problems;
using Xunit;

namespace Solvers.Tests;

/// <summary>CG on a CUDA GPU against the CPU backend and a dense solve; skipped, with the reason, without a GPU.</summary>
public sealed class CudaConjugateGradientTests
{
    private static Backend RequireCuda()
    {
        try
        {
            return Backend.Create(BackendKind.Cuda);
        }
        catch (BackendUnavailableException e)
        {
            Skip.If(true, $"No CUDA device here: {e.Message}");
            throw;
        }
    }

    [SkippableTheory]
    [InlineData("poisson2d:40", "jacobi")]
    [InlineData("anisotropic2d:30,0.01", "jacobi")]
    [InlineData("poisson3d:12", "none")]
    [InlineData("poisson2d:40", "chebyshev")]
    [InlineData("poisson2d:64", "amg")]
    [InlineData("poisson3d:14", "amg-jacobi")]
    [InlineData("poisson2d:48", "amg-v")]
    [InlineData("anisotropic2d:48,0.01", "amg-chebyshev")]
    public void Cuda_cg_matches_cpu_and_dense_solve(string spec, string precond)
    {
        using var cuda = RequireCuda();
        using var cpu = Backend.Create(BackendKind.Cpu);
        var a = PdeProblems.Parse(spec);
        var b = Enumerable.Range(0, a.Rows).Select(i => Math.Sin(0.1 * i) + 1).ToArray();
        var options = new CgOptions { Tolerance = 1e-10, Preconditioner = Preconditioners.Parse(precond) };
        var rg = new ConjugateGradient(options, cuda).Solve(a, b);
        var rc = new ConjugateGradient(options, cpu).Solve(a, b);
        Assert.Equal(SolverStatus.Converged, rg.Status);
        Assert.StartsWith("cuda", rg.Backend);
        Assert.True(rg.RelativeResidual <= 1e-10 * 1.01, $"relative residual {rg.RelativeResidual:E2}");
        var dense = DenseMatrix.OfArray(a.ToDense()).Cholesky().Solve(DenseVector.OfArray(b)).ToArray();
        for (int i = 0; i < a.Rows; i++)
        {
            Assert.True(Math.Abs(dense[i] - rg.Solution[i]) <= 1e-7 * Math.Max(1, Math.Abs(dense[i])), $"x[{i}] vs dense");
            Assert.True(Math.Abs(rc.Solution[i] - rg.Solution[i]) <= 1e-7 * Math.Max(1, Math.Abs(rc.Solution[i])), $"x[{i}] vs cpu");
        }
    }

    [SkippableFact]
    public void Cuda_reports_indefinite_matrix()
    {
        using var cuda = RequireCuda();
        var a = Solvers.Sparse.CsrMatrix.FromDense(new double[,] { { 1, 2 }, { 2, 1 } });
        var r = new ConjugateGradient(new CgOptions { Preconditioner = Preconditioners.None }, cuda).Solve(a, new[] { 1.0, 0.0 });
        Assert.Equal(SolverStatus.IndefiniteMatrix, r.Status);
    }
}
