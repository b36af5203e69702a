using System.Diagnostics;
using Solvers.Kernels;
using Solvers.Sparse;

namespace Solvers.Linear.Multigrid;

/// <summary>
/// Smoothed-aggregation algebraic multigrid as a CG preconditioner: one symmetric V-cycle per apply. The
/// hierarchy is built on the host; the V-cycle runs on the solver's backend through SpMV and vector kernels
/// only (the coarsest solve is a product with the dense inverse), so it runs unchanged on CUDA.
/// </summary>
/// <remarks>Thread safety: the preconditioner object is stateless apart from <see cref="LastHierarchy"/>.</remarks>
public sealed class AmgPreconditioner(AmgOptions? options = null) : IPreconditioner
{
    /// <summary>The options.</summary>
    public AmgOptions Options { get; } = options ?? new AmgOptions();

    /// <inheritdoc/>
    public string Name => "amg";

    /// <summary>Statistics of the hierarchy built by the last setup.</summary>
    public AmgHierarchyInfo? LastHierarchy { get; private set; }

    /// <summary>Builds the hierarchy of <paramref name="a"/> on the host and reports its statistics (no backend needed).</summary>
    /// <exception cref="PreconditionerSetupException">A has a non-positive diagonal entry (named) or is otherwise not SPD.</exception>
    public static AmgHierarchyInfo Describe(CsrMatrix a, AmgOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        var sw = Stopwatch.StartNew();
        var h = BuildChecked(a, options ?? new AmgOptions());
        return Info(h, sw.Elapsed.TotalSeconds);
    }

    /// <inheritdoc/>
    public AppliedPreconditioner Setup(Backend backend, DeviceCsr a, CsrMatrix? hostMatrix = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        if (hostMatrix is null)
            throw new ArgumentException("AMG builds its hierarchy on the host and needs the matrix there: solve with a CsrMatrix, not a DeviceCsr.", nameof(hostMatrix));
        var sw = Stopwatch.StartNew();
        var h = BuildChecked(hostMatrix, Options);
        var applied = new Applied(backend, a, h, Options);
        LastHierarchy = Info(h, sw.Elapsed.TotalSeconds);
        return applied;
    }

    private static HostHierarchy BuildChecked(CsrMatrix a, AmgOptions options)
    {
        if (!a.IsSquare) throw new ArgumentException($"A is {a.Rows}x{a.Columns}: AMG needs a square matrix.", nameof(a));
        var d = a.Diagonal();
        for (int i = 0; i < d.Length; i++)
            if (!(d[i] > 0))
                throw new PreconditionerSetupException(SolverStatus.IndefiniteMatrix,
                    $"AMG: diagonal entry A[{i},{i}] = {d[i]:G6} is not positive, so A is not SPD (AMG needs a positive diagonal).");
        return SmoothedAggregation.Build(a, options);
    }

    private static AmgHierarchyInfo Info(HostHierarchy h, double seconds)
    {
        var levels = h.Operators.Select(o => new AmgLevelInfo(o.Rows, o.NonZeros)).ToList();
        double opc = levels.Sum(l => (double)l.NonZeros) / Math.Max(1, levels[0].NonZeros);
        double gc = levels.Sum(l => (double)l.Rows) / Math.Max(1, levels[0].Rows);
        return new AmgHierarchyInfo(levels, opc, gc, seconds);
    }

    /// <summary>One level on the device: operator, smoother, transfer operators and work vectors.</summary>
    private sealed class Level : IDisposable
    {
        public required DeviceCsr A { get; init; }
        public required bool OwnsA { get; init; }
        public required DeviceVector InverseDiagonal { get; init; }
        public ChebyshevIteration? Chebyshev { get; init; }
        public double JacobiWeight { get; init; }
        public DeviceCsr? P { get; init; }
        public DeviceCsr? R { get; init; }
        public required DeviceVector Residual { get; init; }
        public required DeviceVector Tmp { get; init; }
        public DeviceVector? CoarseB { get; init; }
        public DeviceVector? CoarseX { get; init; }
        public DeviceVector? CoarseResidual { get; init; }
        public DeviceVector? CoarseCorrection { get; init; }

        public void Dispose()
        {
            if (OwnsA) A.Dispose();
            InverseDiagonal.Dispose();
            Chebyshev?.Dispose();
            P?.Dispose();
            R?.Dispose();
            Residual.Dispose();
            Tmp.Dispose();
            CoarseB?.Dispose();
            CoarseX?.Dispose();
            CoarseResidual?.Dispose();
            CoarseCorrection?.Dispose();
        }
    }

    private sealed class Applied : AppliedPreconditioner
    {
        private readonly Backend _backend;
        private readonly List<Level> _levels = [];
        private readonly DeviceCsr? _coarseInverse;
        private readonly AmgOptions _options;
        private readonly long _bytesPerCycle;

        public Applied(Backend backend, DeviceCsr fine, HostHierarchy h, AmgOptions options)
        {
            _backend = backend;
            _options = options;
            try
            {
                int count = h.Operators.Count;
                long bytes = 0, visits = 1;
                for (int l = 0; l < count; l++)
                {
                    var host = h.Operators[l];
                    var a = l == 0 ? fine : backend.Upload(host);
                    int n = host.Rows;
                    var inv = backend.Allocate(n);
                    backend.Sparse.Diagonal(a, inv);
                    backend.Blas.Reciprocal(inv);
                    bool coarsest = l == count - 1;
                    ChebyshevIteration? cheb = null;
                    double weight = 0;
                    if (!coarsest || h.CoarseInverse is null)
                    {
                        double lambda = ChebyshevPreconditioner.GershgorinBound(host);
                        lambda = Math.Min(lambda, 1.1 * ChebyshevIteration.EstimateLambdaMax(backend, a, inv, 15, 7));
                        if (options.Smoother == AmgSmoother.Chebyshev)
                            cheb = new ChebyshevIteration(backend, a, inv, lambda / 30, 1.1 * lambda, options.SmootherDegree);
                        else
                            weight = 4.0 / (3.0 * lambda);
                    }
                    var level = new Level
                    {
                        A = a,
                        OwnsA = l > 0,
                        InverseDiagonal = inv,
                        Chebyshev = cheb,
                        JacobiWeight = weight,
                        P = coarsest ? null : backend.Upload(h.Prolongators[l]),
                        R = coarsest ? null : backend.Upload(h.Restrictors[l]),
                        Residual = backend.Allocate(n),
                        Tmp = backend.Allocate(n),
                        CoarseB = coarsest ? null : backend.Allocate(h.Operators[l + 1].Rows),
                        CoarseX = coarsest ? null : backend.Allocate(h.Operators[l + 1].Rows),
                        CoarseResidual = coarsest || options.CycleIndex == 1 ? null : backend.Allocate(h.Operators[l + 1].Rows),
                        CoarseCorrection = coarsest || options.CycleIndex == 1 ? null : backend.Allocate(h.Operators[l + 1].Rows),
                    };
                    // CoarseB and CoarseX of level l are the b and x of level l + 1.
                    _levels.Add(level);
                    long smoothing = 2L * (cheb?.BytesPerRun(n) ?? options.SmootherDegree * (a.MatrixBytes + 64L * n));
                    bytes += visits * (smoothing + 2 * a.MatrixBytes + 48L * n);
                    // A W-cycle visits each level below the finest twice as often as its parent, the coarsest excepted.
                    if (options.CycleIndex == 2 && l + 2 < count) visits *= 2;
                }
                if (h.CoarseInverse is not null)
                {
                    _coarseInverse = backend.Upload(h.CoarseInverse);
                    bytes += visits * _coarseInverse.MatrixBytes;
                }
                _bytesPerCycle = bytes;
            }
            catch
            {
                foreach (var l in _levels) l.Dispose();
                _coarseInverse?.Dispose();
                throw;
            }
        }

        public override long BytesPerApply(int n) => _bytesPerCycle;

        public override void Apply(DeviceVector r, DeviceVector z, DeviceVector scalars, int slot)
        {
            Cycle(0, r, z);
            _backend.Blas.DotInto(r, z, scalars, slot);
        }

        /// <summary>x = V-cycle applied to b at level l (x's contents on entry are ignored).</summary>
        private void Cycle(int l, DeviceVector b, DeviceVector x)
        {
            var level = _levels[l];
            var blas = _backend.Blas;
            if (l == _levels.Count - 1 && _coarseInverse is not null)
            {
                _backend.Sparse.Multiply(_coarseInverse, b, x);
                return;
            }
            Smooth(level, b, x, zeroInitialGuess: true);
            if (l == _levels.Count - 1)
            {
                Smooth(level, b, x, zeroInitialGuess: false);
                return;
            }
            _backend.Sparse.Multiply(level.A, x, level.Tmp);
            blas.Waxpy(-1, level.Tmp, b, level.Residual);
            _backend.Sparse.Multiply(level.R!, level.Residual, level.CoarseB!);
            Cycle(l + 1, level.CoarseB!, level.CoarseX!);
            if (level.CoarseResidual is { } rc && level.CoarseCorrection is { } ec && l + 1 < _levels.Count - 1)
            {
                // W-cycle: a second coarse correction on what the first left (the coarsest solve is exact, so skip it there).
                var coarseA = _levels[l + 1].A;
                _backend.Sparse.Multiply(coarseA, level.CoarseX!, rc);
                blas.Waxpy(-1, rc, level.CoarseB!, rc);
                Cycle(l + 1, rc, ec);
                blas.Axpy(1, ec, level.CoarseX!);
            }
            _backend.Sparse.Multiply(level.P!, level.CoarseX!, level.Tmp);
            blas.Axpy(1, level.Tmp, x);
            Smooth(level, b, x, zeroInitialGuess: false);
        }

        private void Smooth(Level level, DeviceVector b, DeviceVector x, bool zeroInitialGuess)
        {
            if (level.Chebyshev is { } cheb)
            {
                cheb.Run(b, x, zeroInitialGuess);
                return;
            }
            var blas = _backend.Blas;
            for (int sweep = 0; sweep < _options.SmootherDegree; sweep++)
            {
                if (zeroInitialGuess && sweep == 0)
                {
                    blas.PointwiseMultiply(level.InverseDiagonal, b, x);
                    blas.Scale(level.JacobiWeight, x);
                    continue;
                }
                _backend.Sparse.Multiply(level.A, x, level.Tmp);
                blas.Waxpy(-1, level.Tmp, b, level.Residual);
                blas.PointwiseMultiply(level.InverseDiagonal, level.Residual, level.Residual);
                blas.Axpy(level.JacobiWeight, level.Residual, x);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (!disposing) return;
            foreach (var l in _levels) l.Dispose();
            _coarseInverse?.Dispose();
        }
    }
}
