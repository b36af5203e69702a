namespace Solvers.Examples;

/// <summary>Finds the shared data folder that sits beside the repository checkout (../shared/data next to Solvers.sln).</summary>
internal static class ExampleData
{
    // Walks up from both the binary and the working directory, because `dotnet run` starts in the caller's
    // directory while the binary lives under examples/X/bin; either one sits inside the checkout.
    public static string? Find(string relative)
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (!File.Exists(Path.Combine(dir.FullName, "Solvers.sln"))) continue;
                string candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", relative));
                if (File.Exists(candidate)) return candidate;
                break;
            }
        }
        return null;
    }
}
