using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Cry.Pipeline.Storage;

/// <summary>Artifacts as files under a folder: <c>{root}/{container}/{path}</c>, the same layout as the blob store.</summary>
/// <remarks>
/// Writes go to a temporary file and are renamed into place, so a reader never sees half an object. The version tag
/// is a hash of the content; conditional writes are checked and done under one lock, which makes them atomic within
/// a process (the local pipeline runs in one).
/// </remarks>
public sealed class LocalArtifactStore : IArtifactStore
{
    private readonly Lock _conditional = new();

    /// <summary>Creates a store rooted at <paramref name="root"/> (created when missing).</summary>
    public LocalArtifactStore(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
    }

    /// <summary>The root folder.</summary>
    public string Root { get; }

    /// <inheritdoc/>
    public async Task<StoredArtifact?> TryReadAsync(string container, string path, CancellationToken cancellation = default)
    {
        string file = FileOf(container, path);
        try
        {
            byte[] data = await File.ReadAllBytesAsync(file, cancellation).ConfigureAwait(false);
            return new StoredArtifact(data, ETagOf(data));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public Task<string> WriteAsync(string container, string path, ReadOnlyMemory<byte> data, WriteCondition? condition = null, CancellationToken cancellation = default)
    {
        string file = FileOf(container, path);
        condition ??= WriteCondition.None;
        if (condition is WriteCondition.NoneCondition)
        {
            Write(file, data.Span);
            return Task.FromResult(ETagOf(data.Span));
        }

        lock (_conditional)
        {
            string? current = File.Exists(file) ? ETagOf(File.ReadAllBytes(file)) : null;
            switch (condition)
            {
                case WriteCondition.IfNotExistsCondition when current is not null:
                    throw new ArtifactConflictException($"{container}/{path} already exists.");
                case WriteCondition.IfMatchCondition match when current != match.ETag:
                    throw new ArtifactConflictException($"{container}/{path} was changed by someone else (version {current ?? "none"}, expected {match.ETag}).");
                default:
                    Write(file, data.Span);
                    return Task.FromResult(ETagOf(data.Span));
            }
        }
    }

    /// <inheritdoc/>
    public Task<bool> DeleteAsync(string container, string path, CancellationToken cancellation = default)
    {
        string file = FileOf(container, path);
        if (!File.Exists(file))
        {
            return Task.FromResult(false);
        }

        File.Delete(file);
        return Task.FromResult(true);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ArtifactInfo> ListAsync(string container, string prefix = "", [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        ArtifactPath.CheckContainer(container);
        ArgumentNullException.ThrowIfNull(prefix);
        string folder = Path.Combine(Root, container);
        if (!Directory.Exists(folder))
        {
            yield break;
        }

        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".tmp", StringComparison.Ordinal))
            .Select(f => (Path: Path.GetRelativePath(folder, f).Replace(Path.DirectorySeparatorChar, '/'), File: f))
            .Where(f => f.Path.StartsWith(prefix, StringComparison.Ordinal))
            .OrderBy(f => f.Path, StringComparer.Ordinal);
        foreach (var (relative, file) in files)
        {
            cancellation.ThrowIfCancellationRequested();
            var info = new FileInfo(file);
            if (!info.Exists)
            {
                continue; // Deleted while listing.
            }

            yield return new ArtifactInfo(relative, info.Length, info.LastWriteTimeUtc);
            await Task.Yield();
        }
    }

    private static string ETagOf(ReadOnlySpan<byte> data) => "\"" + Convert.ToHexStringLower(SHA256.HashData(data))[..32] + "\"";

    private static void Write(string file, ReadOnlySpan<byte> data)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        string temporary = $"{file}.{Guid.NewGuid():N}.tmp";
        File.WriteAllBytes(temporary, data);
        File.Move(temporary, file, overwrite: true);
    }

    private string FileOf(string container, string path)
    {
        ArtifactPath.Check(container, path);
        return Path.Combine(Root, container, path.Replace('/', Path.DirectorySeparatorChar));
    }
}
