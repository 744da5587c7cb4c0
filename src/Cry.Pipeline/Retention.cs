using Cry.Pipeline.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cry.Pipeline;

/// <summary>
/// The retention setting (off by default): clips older than N days are erased with everything derived from them
/// (features, previews, quarantine copies and notes), and quarantined uploads older than N days too. Models already
/// trained keep their weights; a model bundle holds no audio.
/// </summary>
public static class Retention
{
    /// <summary>Erases what is older than <paramref name="days"/> days; returns the number of clips erased.</summary>
    /// <remarks>
    /// A quarantined upload whose name <see cref="ClipNames"/> refuses (it was held under that name, never accepted, so
    /// nothing was derived from it) has its copy and note deleted directly; a clip whose name the stores cannot address
    /// is left and logged.
    /// </remarks>
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

        // clips/{label}/{name} (the copy) and reasons/{label}/{name}.json (the note): either one expires the upload.
        await foreach (var item in store.ListAsync(Containers.Quarantine, cancellation: cancellation).ConfigureAwait(false))
        {
            string[] parts = item.Path.Split('/');
            if (parts.Length != 3 || item.LastModified >= cutoff)
            {
                continue;
            }

            if (parts[0] == "clips")
            {
                expired.Add((parts[1], parts[2]));
            }
            else if (parts[0] == "reasons" && parts[2].EndsWith(".json", StringComparison.Ordinal))
            {
                expired.Add((parts[1], parts[2][..^".json".Length]));
            }
        }

        int erased = 0, failed = 0;
        foreach (var (label, name) in expired.Distinct())
        {
            try
            {
                if (ClipNames.Validate(label) is null && ClipNames.Validate(name) is null)
                {
                    await ingestion.EraseAsync(label, name, cancellation).ConfigureAwait(false);
                    erased++;
                }
                else if (ClipNames.IsAddressable(label) && ClipNames.IsAddressable(name))
                {
                    await store.DeleteAsync(Containers.Clips, $"{label}/{name}", cancellation).ConfigureAwait(false);
                    await store.DeleteAsync(Containers.Quarantine, ClipIngestion.QuarantinedClipPath(label, name), cancellation).ConfigureAwait(false);
                    await store.DeleteAsync(Containers.Quarantine, ClipIngestion.QuarantineNotePath(label, name), cancellation).ConfigureAwait(false);
                    erased++;
                }
                else
                {
                    PipelineLog.RetentionUnaddressable(logger, ClipIngestion.ClipRef(label, name));
                }
            }
            catch (Exception ex) when (!cancellation.IsCancellationRequested)
            {
                // One item that cannot be erased now (storage refused it, a name a store cannot take) does not stop the
                // others; it is expired still and comes back in the next run.
                failed++;
                PipelineLog.RetentionItemFailed(logger, ClipIngestion.ClipRef(label, name), ex.GetType().Name);
            }
        }

        PipelineLog.RetentionDone(logger, days, erased, failed);
        return erased;
    }
}
