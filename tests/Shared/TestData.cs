namespace Solvers.TestSupport;

/// <summary>Locates the shared data directory that sits next to the repository checkout.</summary>
internal static class TestData
{
    /// <summary>
    /// The shared data directory (<c>../shared/data</c> relative to the directory holding Solvers.sln), or null
    /// when the checkout has none, e.g. on a machine without the downloaded matrices.
    /// </summary>
    public static string? FindSharedData()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Solvers.sln"))) continue;
            string data = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data"));
            return Directory.Exists(data) ? data : null;
        }
        return null;
    }

    /// <summary>The shared Matrix Market directory, or null when absent.</summary>
    public static string? FindMatrices()
    {
        string? data = FindSharedData();
        if (data is null) return null;
        string matrices = Path.Combine(data, "matrices");
        return Directory.Exists(matrices) ? matrices : null;
    }

    /// <summary>
    /// Reads ../shared/data/matrices/NAME.mtx, or returns null after telling <paramref name="log"/> that the test is
    /// skipped (xunit 2 has no dynamic skip for plain facts).
    /// </summary>
    public static Solvers.Sparse.CsrMatrix? ReadSharedMatrix(string name, Action<string> log)
    {
        string? dir = FindMatrices();
        if (dir is null)
        {
            log($"SKIPPED: ../shared/data/matrices not found; {name} not tested.");
            return null;
        }
        return Solvers.Sparse.MatrixMarket.ReadMatrix(Path.Combine(dir, name + ".mtx"));
    }
}
