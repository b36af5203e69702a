using Solvers.Kernels;

namespace Solvers.Relu;

/// <summary>Which convex program <see cref="ConvexReluNetwork.Fit"/> solves.</summary>
/// <remarks>Thread safety: an enum; its values are immutable.</remarks>
public enum ReluFormulation
{
    /// <summary>
    /// The exact convex reformulation of the two-layer ReLU network with weight decay (Pilanci and Ergen): cone
    /// constraints (2 D_i - I) X v_i &gt;= 0, solved by the ADMM of Bai, Gautam and Sojoudi (2022).
    /// </summary>
    Relu,

    /// <summary>
    /// The unconstrained sampled convex program: the cone constraints dropped, which gives a gated ReLU network
    /// (gates h_i fixed, f(x) = sum_i 1[x h_i &gt;= 0] x u_i), solved by accelerated proximal gradient (FISTA).
    /// Simpler and cheaper per iteration; its objective is a lower bound on the ReLU program's.
    /// </summary>
    Gated,
}

/// <summary>How the ADMM's fixed linear system (I + F'F/rho + G'G) u = b is solved.</summary>
/// <remarks>Thread safety: an enum; its values are immutable.</remarks>
public enum ReluLinearSolver
{
    /// <summary>Woodbury up to <see cref="ConvexReluOptions.WoodburyLimit"/> samples, conjugate gradients beyond.</summary>
    Auto,

    /// <summary>
    /// Woodbury identity around the block-diagonal I + G'G = blockdiag(I + X'X): one n x n Cholesky factor of
    /// rho I + F (I + X'X)^-1 F' computed once, then two masked products each way per iteration.
    /// </summary>
    Woodbury,

    /// <summary>Conjugate gradients, warm-started, with the block-diagonal preconditioner I + X'X + X'D_i X / rho.</summary>
    ConjugateGradient,
}

/// <summary>Options of <see cref="ConvexReluNetwork.Fit"/>; validated when set, each error naming the property.</summary>
/// <remarks>Thread safety: immutable (init-only), safe to share; the Backend it names is not thread-safe, so concurrent fits need their own backends, and ExtraGates is read, not copied.</remarks>
public sealed record ConvexReluOptions
{
    private readonly int _patterns = 64, _maxIterations = 5000, _checkInterval = 10, _woodburyLimit = 4000;
    private readonly double _beta = 1e-3, _rho = 0.1, _tolerance = 1e-4, _absoluteTolerance = 1e-6;

    /// <summary>Gates to sample, P (default 64); duplicate and empty patterns are dropped, the count used is reported.</summary>
    public int Patterns { get => _patterns; init => _patterns = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Patterns), value, "Patterns (P) must be at least 1."); }

    /// <summary>Weight decay beta &gt;= 0 of the network, the group-lasso weight of the convex program (default 1e-3).</summary>
    public double Beta { get => _beta; init => _beta = value >= 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(Beta), value, "Beta must be a finite number >= 0."); }

    /// <summary>ADMM penalty rho &gt; 0 (default 0.1): the starting value when <see cref="AdaptiveRho"/>.</summary>
    public double Rho { get => _rho; init => _rho = value > 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(Rho), value, "Rho must be positive and finite."); }

    /// <summary>
    /// Adapt rho by residual balancing (default false): doubled when the primal residual exceeds 10 times the
    /// dual one, halved in the opposite case, at most 40 times, refactoring the linear system each time (an n x n
    /// Cholesky factorisation, seconds at n = 4000, so it is off unless asked for).
    /// </summary>
    public bool AdaptiveRho { get; init; }

    /// <summary>Most iterations (default 5000).</summary>
    public int MaxIterations { get => _maxIterations; init => _maxIterations = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxIterations), value, "At least one iteration."); }

    /// <summary>
    /// Relative tolerance (default 1e-4): ADMM stops when its primal and dual residuals are below
    /// AbsoluteTolerance sqrt(dim) + Tolerance * scale (Boyd et al. 2011, section 3.3.1); FISTA when the relative
    /// change of the objective over <see cref="CheckInterval"/> iterations and the prox-gradient step are below it.
    /// </summary>
    public double Tolerance { get => _tolerance; init => _tolerance = value > 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(Tolerance), value, "Tolerance must be positive."); }

    /// <summary>Absolute tolerance of the ADMM residuals (default 1e-6).</summary>
    public double AbsoluteTolerance { get => _absoluteTolerance; init => _absoluteTolerance = value >= 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(AbsoluteTolerance), value, "Must be >= 0."); }

    /// <summary>Iterations between residual checks and history records (default 10): each check costs a few extra masked products.</summary>
    public int CheckInterval { get => _checkInterval; init => _checkInterval = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(CheckInterval), value, "At least 1."); }

    /// <summary>The convex program (default the exact ReLU reformulation by ADMM).</summary>
    public ReluFormulation Formulation { get; init; } = ReluFormulation.Relu;

    /// <summary>The ADMM's linear solver (default Auto).</summary>
    public ReluLinearSolver LinearSolver { get; init; } = ReluLinearSolver.Auto;

    /// <summary>Largest n for which Auto picks the Woodbury factorisation (default 4000: its n x n factor takes 128 MB there).</summary>
    public int WoodburyLimit { get => _woodburyLimit; init => _woodburyLimit = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(WoodburyLimit), value, "At least 1."); }

    /// <summary>Standardize features to mean 0 and standard deviation 1 from the training data (default true; constant columns are centred only).</summary>
    public bool Standardize { get; init; } = true;

    /// <summary>Append a constant feature 1 so each neuron has a bias (default true).</summary>
    public bool FitIntercept { get; init; } = true;

    /// <summary>
    /// Gates whose patterns are added to the sampled ones (rows in the network's feature space: standardized, with
    /// the intercept column last when <see cref="FitIntercept"/>), e.g. the first layer of a network trained by
    /// SGD or Adam on the same features: the convex optimum is then certified no worse than that network's objective.
    /// </summary>
    public double[,]? ExtraGates { get; init; }

    /// <summary>Seed of the gates.</summary>
    public ulong Seed { get; init; }

    /// <summary>Backend of the masked products (default: a CPU backend created for the fit).</summary>
    public Backend? Backend { get; init; }

    /// <summary>Resume from a network fitted earlier on the same data with the same options and seed (its convex variables and ADMM state).</summary>
    public ConvexReluNetwork? WarmStart { get; init; }

    /// <summary>
    /// Checked before every iteration and after every recorded one: the fit then stops with status Cancelled and the
    /// network of the iterate so far (cancelling from <see cref="Progress"/> at iteration k stops at k).
    /// </summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Receives each recorded iteration (every <see cref="CheckInterval"/> iterations), on the fitting thread.</summary>
    public IProgress<ReluIteration>? Progress { get; init; }
}

/// <summary>One recorded iteration of the convex training.</summary>
/// <param name="Iteration">Iteration number.</param>
/// <param name="Objective">Convex objective at the group-sparse iterate.</param>
/// <param name="PrimalResidual">ADMM: ||(u - z, G u - s)||; FISTA: the prox-gradient step norm.</param>
/// <param name="DualResidual">ADMM: rho ||(z - z_prev) + G'(s - s_prev)||; FISTA: 0.</param>
/// <param name="Elapsed">Time since the solve started.</param>
/// <remarks>Thread safety: an immutable value.</remarks>
public readonly record struct ReluIteration(int Iteration, double Objective, double PrimalResidual, double DualResidual, TimeSpan Elapsed);

/// <summary>What <see cref="ConvexReluNetwork.Fit"/> did.</summary>
/// <remarks>Thread safety: immutable once created (arrays it holds are not defensive copies); safe to read from several threads.</remarks>
public sealed record ConvexReluReport
{
    /// <summary>Converged, MaxIterations, Cancelled or NonFinite.</summary>
    public required SolverStatus Status { get; init; }

    /// <summary>Why, in words.</summary>
    public required string Message { get; init; }

    /// <summary>Iterations run.</summary>
    public required int Iterations { get; init; }

    /// <summary>The convex objective 1/2||sum_i D_i X (v_i - w_i) - y||^2 + beta sum_i (||v_i|| + ||w_i||) at the returned variables.</summary>
    public required double ConvexObjective { get; init; }

    /// <summary>The recovered network's objective 1/2||f(X) - y||^2 + beta/2 sum_j (||u_j||^2 + alpha_j^2): equal to the convex one when the cone constraints hold.</summary>
    public required double NetworkObjective { get; init; }

    /// <summary>Largest violation of the cone constraints, max(0, -(2 D_i - I) X v_i) (0 for the gated formulation).</summary>
    public required double MaxConstraintViolation { get; init; }

    /// <summary>Gates sampled.</summary>
    public required int PatternsRequested { get; init; }

    /// <summary>Distinct non-empty patterns used, P.</summary>
    public required int PatternsUsed { get; init; }

    /// <summary>Neurons of the recovered network (nonzero groups).</summary>
    public required int Neurons { get; init; }

    /// <summary>Which linear solver the ADMM used, and why, or "FISTA" for the gated formulation.</summary>
    public required string LinearSolver { get; init; }

    /// <summary>Recorded iterations.</summary>
    public required IReadOnlyList<ReluIteration> History { get; init; }

    /// <summary>Set-up time (patterns, factorisation).</summary>
    public required TimeSpan SetupElapsed { get; init; }

    /// <summary>Iteration time.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>The name of the backend that ran the masked products, as <see cref="Linear.LinearSolveResult.Backend"/> reports it.</summary>
    public string Backend { get; init; } = "";
}
