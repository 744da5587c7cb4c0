using System.Text.RegularExpressions;
using System.Xml.Linq;
using Cry.TestSupport;

namespace Cry.Deployment.Tests;

/// <summary>The projects reference one another as docs/architecture.md draws it, and Azure and TorchSharp stay where the design puts them.</summary>
public sealed partial class ArchitectureTests
{
    [GeneratedRegex(@"^\| `([\w.]+)` \| (.+) \|$")]
    private static partial Regex DependencyRow();

    [GeneratedRegex(@"`([\w.]+)`")]
    private static partial Regex Quoted();

    private static IEnumerable<string> SourceProjects() =>
        Directory.GetDirectories(Path.Combine(Repository.Root(), "src"))
            .SelectMany(folder => Directory.GetFiles(folder, "*.csproj")) // not the projects the SDKs generate under obj/
            .Order(StringComparer.Ordinal);

    private static IEnumerable<string> References(string project, string item) =>
        XDocument.Load(project).Descendants(item).Select(e => (string)e.Attribute("Include")!);

    // The "### Dependencies" table of docs/architecture.md: project → the projects it references.
    private static Dictionary<string, SortedSet<string>> Documented()
    {
        string[] lines = File.ReadAllLines(Path.Combine(Repository.Root(), "docs", "architecture.md"));
        var table = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (string line in lines.SkipWhile(l => l != "### Dependencies").Skip(1).TakeWhile(l => !l.StartsWith("###", StringComparison.Ordinal)))
        {
            if (DependencyRow().Match(line) is { Success: true } row)
            {
                table[row.Groups[1].Value] = new SortedSet<string>(Quoted().Matches(row.Groups[2].Value).Select(m => m.Groups[1].Value), StringComparer.Ordinal);
            }
        }

        return table;
    }

    [Fact]
    public void ProjectReferences_AreTheDocumentedTable()
    {
        var documented = Documented();
        var actual = SourceProjects().ToDictionary(
            p => Path.GetFileNameWithoutExtension(p),
            p => new SortedSet<string>(References(p, "ProjectReference").Select(r => Path.GetFileNameWithoutExtension(r.Replace('\\', '/'))), StringComparer.Ordinal),
            StringComparer.Ordinal);

        Assert.Equal(actual.Keys.Order(StringComparer.Ordinal), documented.Keys.Order(StringComparer.Ordinal));
        foreach (var (project, references) in actual)
        {
            Assert.True(references.SetEquals(documented[project]), $"{project} references {string.Join(", ", references)}; docs/architecture.md says {string.Join(", ", documented[project])}.");
        }
    }

    [Fact]
    public void AzureSdkPackages_OnlyInCryAzure_TorchSharpOnlyInTrainingTorch()
    {
        foreach (string project in SourceProjects())
        {
            string name = Path.GetFileNameWithoutExtension(project);
            var packages = References(project, "PackageReference").ToList();
            if (name != "Cry.Azure")
            {
                Assert.DoesNotContain(packages, p => p.StartsWith("Azure.", StringComparison.Ordinal) && !p.StartsWith("Azure.Monitor.", StringComparison.Ordinal));
                Assert.DoesNotContain("Microsoft.Extensions.Azure", packages);
            }

            if (name != "Cry.Training.Torch")
            {
                Assert.DoesNotContain(packages, p => p.StartsWith("TorchSharp", StringComparison.Ordinal) || p.StartsWith("libtorch", StringComparison.Ordinal));
            }
        }
    }
}
