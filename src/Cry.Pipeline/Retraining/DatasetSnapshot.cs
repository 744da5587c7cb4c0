using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cry.Features.Specs;
using Cry.Pipeline.Storage;
using Cry.Training.Data;
using Cry.Training.Evaluation;

namespace Cry.Pipeline.Retraining;

/// <summary>One clip of a snapshot.</summary>
/// <param name="Label">Its label.</param>
/// <param name="Name">Its blob name under <c>clips/{label}/</c>.</param>
/// <param name="Group">Its group key (the app instance): groups never straddle training and evaluation.</param>
/// <param name="HeldOut">Whether its group is in the evaluation share.</param>
/// <param name="Variants">How many feature tensors (original + augmented) are stored for it.</param>
public sealed record SnapshotClip(
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("group")] string Group,
    [property: JsonPropertyName("heldOut")] bool HeldOut,
    [property: JsonPropertyName("variants")] int Variants)
{
    /// <summary>The tensor path of a variant under <c>features/</c>.</summary>
    public string TensorPath(string specId, int variant) => ClipIngestion.FeaturePath(specId, Label, Name, variant) + ".npy";
}

/// <summary>
/// The dataset at one moment: the processed clips, their groups, which groups are held out for evaluation, and the
/// spec, stored as <c>datasets/{snapshotId}.json</c>. The id is a hash of the content, so an unchanged dataset gives
/// the same id (and retraining can skip it).
/// </summary>
public sealed record DatasetSnapshot
{
    private static readonly JsonSerializerOptions s_json = new(FeatureSpec.SerializerOptions) { WriteIndented = true };

    /// <summary>The content hash id.</summary>
    [JsonPropertyName("snapshotId")]
    public required string SnapshotId { get; init; }

    /// <summary>When it was taken.</summary>
    [JsonPropertyName("createdUtc")]
    public required DateTimeOffset CreatedUtc { get; init; }

    /// <summary>The feature spec whose tensors it uses.</summary>
    [JsonPropertyName("spec")]
    public required FeatureSpec Spec { get; init; }

    /// <summary>The evaluation share of groups (by a stable hash of the group key).</summary>
    [JsonPropertyName("holdoutShare")]
    public required double HoldoutShare { get; init; }

    /// <summary>The clips, ordered by label then name.</summary>
    [JsonPropertyName("clips")]
    public required IReadOnlyList<SnapshotClip> Clips { get; init; }

    /// <summary>How many clips were removed from this snapshot by erasures since it was taken (their names are gone).</summary>
    [JsonPropertyName("redacted")]
    public int Redacted { get; init; }

    /// <summary>
    /// Removes a clip from every stored snapshot that lists it (an erasure: no name of an erased clip stays in
    /// <c>datasets/</c>). Each rewrite is conditional on the version read, so concurrent erasures never undo each other.
    /// </summary>
    /// <returns>The ids of the snapshots it was removed from.</returns>
    public static async Task<IReadOnlyList<string>> RedactAsync(IArtifactStore store, string label, string name, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var paths = new List<string>();
        await foreach (var item in store.ListAsync(Containers.Datasets, cancellation: cancellation).ConfigureAwait(false))
        {
            if (!item.Path.Contains('/', StringComparison.Ordinal) && item.Path.EndsWith(".json", StringComparison.Ordinal))
            {
                paths.Add(item.Path);
            }
        }

        var redacted = new List<string>();
        foreach (string path in paths)
        {
            for (int attempt = 0; ; attempt++)
            {
                var stored = await store.TryReadAsync(Containers.Datasets, path, cancellation).ConfigureAwait(false);
                DatasetSnapshot? snapshot;
                try
                {
                    snapshot = stored is null ? null : JsonSerializer.Deserialize<DatasetSnapshot>(stored.Data, s_json);
                }
                catch (JsonException)
                {
                    snapshot = null; // not a snapshot: nothing of ours to redact
                }

                if (stored is null || snapshot is null || !snapshot.Clips.Any(c => c.Label == label && c.Name == name))
                {
                    break;
                }

                var kept = snapshot.Clips.Where(c => !(c.Label == label && c.Name == name)).ToList();
                try
                {
                    var next = snapshot with { Clips = kept, Redacted = snapshot.Redacted + (snapshot.Clips.Count - kept.Count) };
                    await store.WriteAsync(Containers.Datasets, path, next.ToJson(), WriteCondition.IfMatch(stored.ETag), cancellation).ConfigureAwait(false);
                    redacted.Add(snapshot.SnapshotId);
                    break;
                }
                catch (ArtifactConflictException) when (attempt < 20)
                {
                    // Another erasure rewrote it meanwhile: read it again.
                }
            }
        }

        return redacted;
    }

    /// <summary>The storage path of a snapshot.</summary>
    public static string PathOf(string snapshotId) => $"{snapshotId}.json";

    /// <summary>The snapshot as JSON.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, s_json);

    /// <summary>Reads a stored snapshot.</summary>
    /// <exception cref="InvalidDataException">It does not exist or is not valid.</exception>
    public static async Task<DatasetSnapshot> ReadAsync(IArtifactStore store, string snapshotId, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var stored = await store.TryReadAsync(Containers.Datasets, PathOf(snapshotId), cancellation).ConfigureAwait(false)
            ?? throw new InvalidDataException($"Snapshot {snapshotId} does not exist.");
        try
        {
            return JsonSerializer.Deserialize<DatasetSnapshot>(stored.Data, s_json) ?? throw new InvalidDataException($"Snapshot {snapshotId} is empty.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Snapshot {snapshotId} is not valid: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Takes a snapshot of every clip whose original tensor exists under the spec (processed clips only), with group keys
    /// from the file names and the stable holdout, and stores it (a snapshot with the same id is already identical).
    /// </summary>
    public static async Task<DatasetSnapshot> TakeAsync(
        IArtifactStore store, FeatureSpec spec, double holdoutShare = RetrainDefaults.HoldoutShare, GroupKeyPattern? groups = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(spec);
        groups ??= GroupKeyPattern.Default;
        var holdout = new StableHoldout(new StableHoldoutOptions { Share = holdoutShare });

        var tensors = new Dictionary<(string Label, string Name), int>();
        await foreach (var item in store.ListAsync(Containers.Features, spec.Id + "/", cancellation).ConfigureAwait(false))
        {
            string[] parts = item.Path.Split('/'); // specId/label/name/variant.npy
            if (parts.Length == 4 && parts[3].EndsWith(".npy", StringComparison.Ordinal))
            {
                var key = (parts[1], parts[2]);
                tensors[key] = tensors.GetValueOrDefault(key) + 1;
            }
        }

        var clips = new List<SnapshotClip>();
        await foreach (var item in store.ListAsync(Containers.Clips, cancellation: cancellation).ConfigureAwait(false))
        {
            string[] parts = item.Path.Split('/');
            if (parts.Length != 2 || !tensors.TryGetValue((parts[0], parts[1]), out int variants))
            {
                continue; // Not processed (yet).
            }

            string group = groups.GetGroup(parts[1]);
            clips.Add(new SnapshotClip(parts[0], parts[1], group, holdout.IsHeldOut(group), variants));
        }

        clips.Sort((a, b) => string.CompareOrdinal($"{a.Label}/{a.Name}", $"{b.Label}/{b.Name}"));
        var content = new StringBuilder($"{spec.Id}\n{holdoutShare:R}\n");
        foreach (var clip in clips)
        {
            content.Append(clip.Label).Append('/').Append(clip.Name).Append('\t').Append(clip.Group).Append('\t').Append(clip.Variants).Append('\n');
        }

        var snapshot = new DatasetSnapshot
        {
            SnapshotId = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content.ToString())))[..16],
            CreatedUtc = DateTimeOffset.UtcNow,
            Spec = spec,
            HoldoutShare = holdoutShare,
            Clips = clips,
        };
        try
        {
            await store.WriteAsync(Containers.Datasets, PathOf(snapshot.SnapshotId), snapshot.ToJson(), WriteCondition.IfNotExists, cancellation).ConfigureAwait(false);
        }
        catch (ArtifactConflictException)
        {
            // The same content was snapshotted before: the stored one is equivalent.
        }

        // A clip erased after the listing above but before the erasure looked for snapshots would stay named in this
        // one: look again now that it is stored, and redact what is gone (the erasure deletes the clip first).
        var present = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var item in store.ListAsync(Containers.Clips, cancellation: cancellation).ConfigureAwait(false))
        {
            present.Add(item.Path);
        }

        foreach (var gone in clips.Where(c => !present.Contains($"{c.Label}/{c.Name}")).ToList())
        {
            await RedactAsync(store, gone.Label, gone.Name, cancellation).ConfigureAwait(false);
        }

        if (clips.Any(c => !present.Contains($"{c.Label}/{c.Name}")))
        {
            var kept = clips.Where(c => present.Contains($"{c.Label}/{c.Name}")).ToList();
            snapshot = snapshot with { Clips = kept, Redacted = clips.Count - kept.Count };
        }

        return snapshot;
    }
}
