namespace Cry.Pipeline.Storage;

/// <summary>A stored object's bytes and version tag.</summary>
/// <param name="Data">The content.</param>
/// <param name="ETag">The version tag, for conditional writes.</param>
public sealed record StoredArtifact(byte[] Data, string ETag);

/// <summary>A listed object.</summary>
/// <param name="Path">Its path inside the container.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="LastModified">When it was last written.</param>
public sealed record ArtifactInfo(string Path, long Size, DateTimeOffset LastModified);

/// <summary>When a write may happen.</summary>
public abstract record WriteCondition
{
    /// <summary>Always (overwrite).</summary>
    public static WriteCondition None { get; } = new NoneCondition();

    /// <summary>Only when nothing is stored at the path yet.</summary>
    public static WriteCondition IfNotExists { get; } = new IfNotExistsCondition();

    /// <summary>Only when the stored version still has this tag (optimistic concurrency).</summary>
    public static WriteCondition IfMatch(string etag) => new IfMatchCondition(etag);

    /// <summary>Always: what a store does for <see cref="None"/> or a null condition.</summary>
    public sealed record NoneCondition : WriteCondition;

    /// <summary>Only when nothing is stored at the path: <see cref="IfNotExists"/>.</summary>
    public sealed record IfNotExistsCondition : WriteCondition;

    /// <summary>Only when the stored version has this tag: <see cref="IfMatch"/>.</summary>
    /// <param name="ETag">The version tag the write expects.</param>
    public sealed record IfMatchCondition(string ETag) : WriteCondition;
}

/// <summary>A write refused by its <see cref="WriteCondition"/>: someone else wrote first.</summary>
public sealed class ArtifactConflictException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ArtifactConflictException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    public ArtifactConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public ArtifactConflictException()
        : base("The artifact was changed by someone else.")
    {
    }
}

/// <summary>
/// The small storage interface the pipeline needs: containers of objects addressed by '/'-separated paths. Azure Blob
/// Storage in Azure (and Azurite), a local folder on a laptop; both lay out the same paths.
/// </summary>
public interface IArtifactStore
{
    /// <summary>The object, or null when there is none.</summary>
    Task<StoredArtifact?> TryReadAsync(string container, string path, CancellationToken cancellation = default);

    /// <summary>Writes an object; returns its new version tag.</summary>
    /// <exception cref="ArtifactConflictException">The condition does not hold.</exception>
    Task<string> WriteAsync(string container, string path, ReadOnlyMemory<byte> data, WriteCondition? condition = null, CancellationToken cancellation = default);

    /// <summary>Deletes an object; false when there was none.</summary>
    Task<bool> DeleteAsync(string container, string path, CancellationToken cancellation = default);

    /// <summary>The objects whose path starts with <paramref name="prefix"/>, in ordinal path order.</summary>
    IAsyncEnumerable<ArtifactInfo> ListAsync(string container, string prefix = "", CancellationToken cancellation = default);
}
