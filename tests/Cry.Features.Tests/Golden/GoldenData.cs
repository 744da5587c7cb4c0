using System.Text.Json;

namespace Cry.Features.Tests.Golden;

/// <summary>One entry of the golden <c>cases.json</c>.</summary>
public sealed record GoldenCase(string Id, string Kind, JsonElement Params, JsonElement Input, JsonElement Expected, double? Atol)
{
    /// <summary>Full path of a file named in this case (input or expected).</summary>
    public static string PathOf(string fileName) =>
        Path.Combine(GoldenData.Directory ?? throw new InvalidOperationException(GoldenData.SkipReason), fileName);

    public override string ToString() => Id;
}

/// <summary>Locates and reads the shared golden reference data (<c>&lt;repo&gt;/../shared/golden</c>).</summary>
/// <remarks>
/// The folder is found from <c>CRY_GOLDEN_DIR</c> when set, otherwise by walking up from the test binaries to the
/// first folder holding <c>shared/golden/cases.json</c>. When absent, <see cref="Directory"/> is null and golden
/// tests call <c>Assert.Skip(GoldenData.SkipReason)</c>.
/// </remarks>
public static class GoldenData
{
    public const string SkipReason = "../shared/golden not found: golden cases skipped";
    public const string EnvironmentVariable = "CRY_GOLDEN_DIR";

    private static readonly Lazy<string?> s_directory = new(Locate);
    private static readonly Lazy<IReadOnlyList<GoldenCase>> s_cases = new(Load);

    /// <summary>The golden folder, or null when it cannot be found.</summary>
    public static string? Directory => s_directory.Value;

    /// <summary>Every case in <c>cases.json</c>; empty when the folder is absent.</summary>
    public static IReadOnlyList<GoldenCase> All => s_cases.Value;

    /// <summary>The cases of one kind ("tsi", "audio").</summary>
    public static IEnumerable<GoldenCase> OfKind(string kind) => All.Where(c => c.Kind == kind);

    /// <summary>The case with this id; throws when it does not exist.</summary>
    public static GoldenCase Get(string id) =>
        All.SingleOrDefault(c => c.Id == id) ?? throw new KeyNotFoundException($"No golden case '{id}'.");

    /// <summary>Skips the running test when the golden folder is absent; returns the folder otherwise.</summary>
    public static string RequireDirectory()
    {
        if (Directory is null)
        {
            Assert.Skip(SkipReason);
        }

        return Directory!;
    }

    private static string? Locate()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return File.Exists(Path.Combine(fromEnvironment, "cases.json")) ? Path.GetFullPath(fromEnvironment) : null;
        }

        for (DirectoryInfo? folder = new(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            string candidate = Path.Combine(folder.FullName, "shared", "golden");
            if (File.Exists(Path.Combine(candidate, "cases.json")))
            {
                return candidate;
            }
        }

        return null;
    }

    private static IReadOnlyList<GoldenCase> Load()
    {
        if (Directory is null)
        {
            return [];
        }

        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "cases.json")));
        var cases = new List<GoldenCase>();
        foreach (JsonElement item in document.RootElement.GetProperty("cases").EnumerateArray())
        {
            double? atol = item.TryGetProperty("atol", out JsonElement a) && a.ValueKind == JsonValueKind.Number ? a.GetDouble() : null;
            cases.Add(new GoldenCase(
                item.GetProperty("id").GetString()!,
                item.GetProperty("kind").GetString()!,
                item.GetProperty("params").Clone(),
                item.GetProperty("input").Clone(),
                item.GetProperty("expected").Clone(),
                atol));
        }

        return cases;
    }
}
