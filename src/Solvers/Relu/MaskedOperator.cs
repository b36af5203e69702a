using Solvers.Kernels;
using Solvers.Kernels.Cpu;

namespace Solvers.Relu;

/// <summary>
/// F u = sum_i D_i X (v_i - w_i) and G u = ((2 D_i - I) X v_i, (2 D_i - I) X w_i), and their transposes, through the
/// backend's masked-product kernels. The solver works on the host arrays <see cref="U"/>, <see cref="Fu"/>, ...; on
/// the CPU backend they are the device vectors' own storage, elsewhere they are copied in and out around each call.
/// </summary>
internal sealed class MaskedOperator : IDisposable
{
    private readonly Backend _backend;
    private readonly DeviceVector _x, _masks, _u, _fu, _gu, _r, _t, _y, _none;

    public MaskedOperator(Backend backend, double[] x, int n, int d, double[] masks, int p)
    {
        _backend = backend;
        N = n;
        D = d;
        P = p;
        Masks = masks;
        _x = backend.Upload(x);
        _masks = backend.Upload(masks);
        _u = backend.Allocate(2 * p * d);
        _fu = backend.Allocate(n);
        _gu = backend.Allocate(n * 2 * p);
        _r = backend.Allocate(n);
        _t = backend.Allocate(n * 2 * p);
        _y = backend.Allocate(2 * p * d);
        _none = backend.Allocate(0);
        U = Host(_u);
        Fu = Host(_fu);
        Gu = Host(_gu);
        R = Host(_r);
        T = Host(_t);
        Y = Host(_y);
    }

    public int N { get; }
    public int D { get; }
    public int P { get; }

    /// <summary>The patterns, n x P row-major (host copy).</summary>
    public double[] Masks { get; }

    /// <summary>Input of <see cref="Forward"/>: 2P x d, rows v_1..v_P then w_1..w_P.</summary>
    public double[] U { get; }

    /// <summary>Output F u (n).</summary>
    public double[] Fu { get; }

    /// <summary>Output G u (n x 2P).</summary>
    public double[] Gu { get; }

    /// <summary>Input r of <see cref="Backward"/> (n).</summary>
    public double[] R { get; }

    /// <summary>Input t of <see cref="Backward"/> (n x 2P).</summary>
    public double[] T { get; }

    /// <summary>Output F'r + G't (2P x d).</summary>
    public double[] Y { get; }

    private static double[] Host(DeviceVector v) => v is CpuVector c ? c.Data : new double[v.Length];

    private bool OnHost => _backend.Kind == BackendKind.Cpu;

    /// <summary>Fu = F U, and Gu = G U when <paramref name="withG"/>.</summary>
    public void Forward(bool withG)
    {
        if (!OnHost) _u.CopyFrom(U);
        _backend.Relu.MaskedForward(_x, N, D, _masks, P, _u, _fu, withG ? _gu : _none);
        if (OnHost) return;
        _fu.CopyTo(Fu);
        if (withG) _gu.CopyTo(Gu);
    }

    /// <summary>Y = F'R + G'T (G'T only when <paramref name="withT"/>).</summary>
    public void Backward(bool withT)
    {
        if (!OnHost)
        {
            _r.CopyFrom(R);
            if (withT) _t.CopyFrom(T);
        }
        _backend.Relu.MaskedBackward(_x, N, D, _masks, P, _r, withT ? _t : _none, _y);
        if (!OnHost) _y.CopyTo(Y);
    }

    public void Dispose()
    {
        foreach (var v in new[] { _x, _masks, _u, _fu, _gu, _r, _t, _y, _none }) v.Dispose();
    }
}
