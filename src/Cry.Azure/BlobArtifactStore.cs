using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Cry.Pipeline.Storage;

namespace Cry.Azure;

/// <summary>Artifacts as block blobs: container = blob container, path = blob name. Works with Azure Storage and Azurite.</summary>
public sealed class BlobArtifactStore : IArtifactStore
{
    private readonly BlobServiceClient _service;
    private readonly ConcurrentDictionary<string, Task> _created = new(StringComparer.Ordinal);

    /// <summary>Creates a store over a service client (connection string or managed identity, as the host configures).</summary>
    public BlobArtifactStore(BlobServiceClient service)
    {
        ArgumentNullException.ThrowIfNull(service);
        _service = service;
    }

    /// <inheritdoc/>
    public async Task<StoredArtifact?> TryReadAsync(string container, string path, CancellationToken cancellation = default)
    {
        ArtifactPath.Check(container, path);
        try
        {
            var result = await _service.GetBlobContainerClient(container).GetBlobClient(path).DownloadContentAsync(cancellation).ConfigureAwait(false);
            return new StoredArtifact(result.Value.Content.ToArray(), result.Value.Details.ETag.ToString("H"));
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public async Task<string> WriteAsync(string container, string path, ReadOnlyMemory<byte> data, WriteCondition? condition = null, CancellationToken cancellation = default)
    {
        ArtifactPath.Check(container, path);
        await EnsureContainerAsync(container, cancellation).ConfigureAwait(false);
        var conditions = condition switch
        {
            WriteCondition.IfNotExistsCondition => new BlobRequestConditions { IfNoneMatch = ETag.All },
            WriteCondition.IfMatchCondition match => new BlobRequestConditions { IfMatch = new ETag(match.ETag) },
            _ => null,
        };
        try
        {
            var blob = _service.GetBlobContainerClient(container).GetBlobClient(path);
            var response = await blob.UploadAsync(BinaryData.FromBytes(data), new BlobUploadOptions { Conditions = conditions }, cancellation).ConfigureAwait(false);
            return response.Value.ETag.ToString("H");
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            throw new ArtifactConflictException($"{container}/{path}: the write condition does not hold ({ex.ErrorCode}).", ex);
        }
    }

    /// <inheritdoc/>
    public async Task<bool> DeleteAsync(string container, string path, CancellationToken cancellation = default)
    {
        ArtifactPath.Check(container, path);
        try
        {
            var response = await _service.GetBlobContainerClient(container).GetBlobClient(path)
                .DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellation).ConfigureAwait(false);
            return response.Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false; // The container itself does not exist.
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ArtifactInfo> ListAsync(string container, string prefix = "", [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        ArtifactPath.CheckContainer(container);
        var client = _service.GetBlobContainerClient(container);
        if (!(await client.ExistsAsync(cancellation).ConfigureAwait(false)).Value)
        {
            yield break;
        }

        await foreach (var item in client.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellation).ConfigureAwait(false))
        {
            yield return new ArtifactInfo(item.Name, item.Properties.ContentLength ?? 0, item.Properties.LastModified ?? DateTimeOffset.MinValue);
        }
    }

    private Task EnsureContainerAsync(string container, CancellationToken cancellation) =>
        _created.GetOrAdd(container, name => _service.GetBlobContainerClient(name).CreateIfNotExistsAsync(cancellationToken: cancellation));
}
