using Cry.Pipeline.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cry.Pipeline;

/// <summary>
/// The retention setting (off by default): clips older than N days are erased with everything derived from them
/// (features, previews, quarantine copies), and quarantined uploads older than N days too. Models already trained keep
/// their weights; a model bundle holds no audio.
/// </summary>
public static class Retention
{
    /// <summary>Erases what is older than <paramref name="days"/> days; returns the number of clips erased.</summary>
    public static async Task<int> ApplyAsync(IArtifactStore store, ClipIngestion ingestion, double days, DateTimeOffset now, ILogger? logger = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(ingestion);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(days);
        logger ??= NullLogger.Instance;
        var cutoff = now - TimeSpan.FromDays(days);
        var expired = new List<(string Label, string Name)>();
        await foreach (var item in store.ListAsync(Containers.Clips, cancellation: cancellation).ConfigureAwait(false))
        {
            string[] parts = item.Path.Split('/');
            if (parts.Length == 2 && item.LastModified < cutoff)
            {
                expired.Add((parts[0], parts[1]));
            }
        }

        await foreach (var item in store.ListAsync(Containers.Quarantine, cancellation: cancellation).ConfigureAwait(false))
        {
            string[] parts = item.Path.Split('/');
            if (parts.Length == 2 && !parts[1].EndsWith(".reason.json", StringComparison.Ordinal) && item.LastModified < cutoff)
            {
                expired.Add((parts[0], parts[1]));
            }
        }

        foreach (var (label, name) in expired.Distinct())
        {
            await ingestion.EraseAsync(label, name, cancellation).ConfigureAwait(false);
        }

        logger.LogInformation("Retention ({Days} days): {Clips} clips erased.", days, expired.Count);
        return expired.Count;
    }
}
