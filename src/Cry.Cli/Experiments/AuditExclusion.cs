using System.Text.Json;
using Cry.Training.Data;

namespace Cry.Cli.Experiments;

/// <summary>
/// Applies an <c>audit.json</c> of <c>cry audit</c> to a dataset (<c>--exclude-audit</c>): its flagged clips and the
/// second clip of each duplicate pair are left out, and the app instances it says to merge become one group.
/// </summary>
internal static class AuditExclusion
{
    /// <summary>The dataset without what the audit flags, with merged groups; <paramref name="summary"/> says what changed.</summary>
    /// <exception cref="BadInputException">The file cannot be read or is not an audit of <c>cry audit</c>.</exception>
    public static ClipDataset Apply(ClipDataset dataset, string dataRoot, string auditPath, out string summary)
    {
        JsonElement audit;
        try
        {
            audit = JsonDocument.Parse(File.ReadAllText(auditPath)).RootElement;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new BadInputException($"{auditPath}: not a readable audit of `cry audit`: {ex.Message}", ex);
        }

        if (audit.ValueKind != JsonValueKind.Object
            || !audit.TryGetProperty("flagged", out var flagged) || !audit.TryGetProperty("duplicates", out var duplicates) || !audit.TryGetProperty("groupsToMerge", out var merges))
        {
            throw new BadInputException($"{auditPath}: not an audit of `cry audit` (it needs flagged, duplicates and groupsToMerge).");
        }

        try
        {
            return Apply(dataset, dataRoot, flagged, duplicates, merges, out summary);
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException)
        {
            throw new BadInputException($"{auditPath}: not an audit of `cry audit`: {ex.Message}", ex);
        }
    }

    private static ClipDataset Apply(ClipDataset dataset, string dataRoot, JsonElement flagged, JsonElement duplicates, JsonElement merges, out string summary)
    {
        var excluded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var clip in flagged.EnumerateArray())
        {
            excluded.Add(clip.GetProperty("clip").GetString()!);
        }

        int flaggedCount = excluded.Count;
        foreach (var pair in duplicates.EnumerateArray())
        {
            // One recording of each copy stays: the first, unless it is itself flagged.
            string first = pair.GetProperty("first").GetString()!, second = pair.GetProperty("second").GetString()!;
            excluded.Add(excluded.Contains(first) ? first : second);
        }

        var mergedInto = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var set in merges.EnumerateArray())
        {
            string[] groups = [.. set.EnumerateArray().Select(g => g.GetString()!)];
            foreach (string group in groups)
            {
                mergedInto[group] = groups[0];
            }
        }

        string root = Path.GetFullPath(dataRoot);
        var kept = dataset.Clips
            .Where(c => !excluded.Contains(Path.GetRelativePath(root, c.Path).Replace('\\', '/')))
            .Select(c => mergedInto.TryGetValue(c.Group, out string? merged) ? c with { Group = merged } : c)
            .ToList();
        int left = dataset.Count - kept.Count;
        int regrouped = dataset.Clips.Count(c => mergedInto.ContainsKey(c.Group));
        summary = $"the audit leaves out {left} clips ({flaggedCount} flagged, the rest second copies of duplicates) and merges {mergedInto.Count} app instances into {merges.GetArrayLength()} ({regrouped} clips regrouped)";
        try
        {
            return ClipDataset.FromClips(kept);
        }
        catch (DatasetException ex)
        {
            throw new BadInputException($"after the audit's exclusions: {ex.Message}", ex);
        }
    }
}
