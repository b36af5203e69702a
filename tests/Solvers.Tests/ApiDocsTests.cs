using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;

namespace Solvers.Tests;

/// <summary>Keeps docs/api.md true: every public type of the three library assemblies must be named there.</summary>
public class ApiDocsTests
{
    private static readonly Assembly[] Libraries =
    [
        typeof(Solvers.Kernels.Backend).Assembly,
        typeof(Solvers.Sketching.CounterRandom).Assembly,
        typeof(Solvers.Linear.ConjugateGradient).Assembly,
    ];

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Solvers.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No Solvers.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>The name a type goes by in the docs: Outer.Inner for nested types, no generic arity.</summary>
    private static string DocName(Type t)
    {
        string name = t.Name;
        int tick = name.IndexOf('`');
        if (tick >= 0) name = name[..tick];
        return t.DeclaringType is { } outer ? DocName(outer) + "." + name : name;
    }

    [Fact]
    public void The_three_library_assemblies_are_distinct()
        => Assert.Equal(3, Libraries.Distinct().Count());

    [Fact]
    public void Every_public_type_is_named_in_docs_api_md()
    {
        string text = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "api.md"));
        var missing = Libraries
            .SelectMany(a => a.GetExportedTypes())
            .Select(t => (Type: t, Name: DocName(t)))
            .Where(e => !Regex.IsMatch(text, $@"(?<![\w.]){Regex.Escape(e.Name)}(?![\w])"))
            .Select(e => $"{e.Type.Assembly.GetName().Name}: {e.Type.FullName}")
            .OrderBy(s => s, StringComparer.Ordinal)
            .ToList();
        Assert.True(missing.Count == 0,
            $"{missing.Count} public type(s) are not mentioned in docs/api.md; add a line for each:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void Every_namespace_has_a_section_in_docs_api_md()
    {
        string text = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "api.md"));
        var missing = Libraries
            .SelectMany(a => a.GetExportedTypes())
            .Select(t => t.Namespace ?? "")
            .Distinct()
            .Where(ns => !text.Contains($"## {ns}", StringComparison.Ordinal))
            .OrderBy(s => s, StringComparer.Ordinal)
            .ToList();
        Assert.True(missing.Count == 0, "Namespaces without a '## Namespace' section in docs/api.md: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_public_type_documents_its_thread_safety()
    {
        var missing = new List<string>();
        foreach (var assembly in Libraries)
        {
            string xmlPath = Path.ChangeExtension(assembly.Location, ".xml");
            Assert.True(File.Exists(xmlPath), $"No XML documentation next to {assembly.Location}.");
            var docs = XDocument.Load(xmlPath).Descendants("member")
                .ToDictionary(m => (string)m.Attribute("name")!, m => m.Value, StringComparer.Ordinal);
            foreach (var t in assembly.GetExportedTypes())
            {
                string key = "T:" + t.FullName!.Replace('+', '.');
                if (!docs.TryGetValue(key, out var text)
                    || !Regex.IsMatch(text, "thread safety|thread-safe|safe to share between threads|several threads", RegexOptions.IgnoreCase))
                    missing.Add(t.FullName!);
            }
        }
        missing.Sort(StringComparer.Ordinal);
        Assert.True(missing.Count == 0,
            $"{missing.Count} public type(s) whose XML summary or remarks do not say whether instances are safe to use from several threads:\n"
            + string.Join("\n", missing));
    }
}
