using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cry.Pipeline.Storage;

namespace Cry.Pipeline;

/// <summary>
/// The record of one erasure, kept as <c>datasets/erasures/{id}.json</c>: an opaque id (the SHA-256 of
/// <c>label/name</c>, never the name), when, how many objects were deleted, and which stored snapshots the clip was
/// redacted from — so an operator can show that an erasure happened and find the models trained before it.
/// </summary>
/// <param name="Id">The SHA-256 of <c>label/name</c> (64 lower-case hex digits).</param>
/// <param name="ErasedUtc">When the erasure ran.</param>
/// <param name="ObjectsDeleted">The clip, its tensors and previews, its quarantine copy and note.</param>
/// <param name="RedactedSnapshots">The snapshots that listed the clip and no longer do.</param>
public sealed record ErasureRecord(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("erasedUtc")] DateTimeOffset ErasedUtc,
    [property: JsonPropertyName("objectsDeleted")] int ObjectsDeleted,
    [property: JsonPropertyName("redactedSnapshots")] IReadOnlyList<string> RedactedSnapshots)
{
    /// <summary>The folder of the records under <c>datasets/</c>.</summary>
    public const string Folder = "erasures/";

    /// <summary>The opaque id of a clip.</summary>
    public static string IdOf(string label, string name) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{label}/{name}")));

    /// <summary>The record's path under <c>datasets/</c>.</summary>
    public static string PathOf(string id) => $"{Folder}{id}.json";

    /// <summary>Every stored record.</summary>
    public static async IAsyncEnumerable<ErasureRecord> ListAsync(IArtifactStore store, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        await foreach (var item in store.ListAsync(Containers.Datasets, Folder, cancellation).ConfigureAwait(false))
        {
            if (await store.TryReadAsync(Containers.Datasets, item.Path, cancellation).ConfigureAwait(false) is { } stored
                && JsonSerializer.Deserialize<ErasureRecord>(stored.Data) is { } record)
            {
                yield return record;
            }
        }
    }

    /// <summary>Whether <paramref name="path"/> exists in <paramref name="container"/> (one listing call, nothing read).</summary>
    internal static async Task<bool> ExistsAsync(IArtifactStore store, string container, string path, CancellationToken cancellation)
    {
        await foreach (var item in store.ListAsync(container, path, cancellation).ConfigureAwait(false))
        {
            if (string.Equals(item.Path, path, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
