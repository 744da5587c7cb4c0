using Cry.Features.Models;
using Cry.Inference;
using Cry.Pipeline.Storage;

namespace Cry.Pipeline.Retraining;

/// <summary>
/// A model bundle under <c>models/{modelId}/</c>: its manifest names the files that make it (the member models of a
/// format-2 bundle, or the one <c>model.onnx</c> of format 1), so it is copied by what the manifest lists.
/// </summary>
public static class StoredBundle
{
    /// <summary>The report written beside a bundle (optional).</summary>
    public const string MetricsFile = "metrics.json";

    /// <summary>Copies <c>models/{modelId}/</c> into <paramref name="folder"/>: the manifest, every file it names, and metrics.json when stored.</summary>
    /// <exception cref="ModelBundleException">The manifest or a file it names is missing, or the manifest is not valid.</exception>
    public static async Task<ModelManifest> DownloadAsync(IArtifactStore store, string modelId, string folder, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var stored = await store.TryReadAsync(Containers.Models, $"{modelId}/{ModelManifest.FileName}", cancellation).ConfigureAwait(false)
            ?? throw new ModelBundleException($"models/{modelId}/{ModelManifest.FileName} is missing.");
        ModelManifest manifest;
        try
        {
            manifest = ModelManifest.Parse(System.Text.Encoding.UTF8.GetString(stored.Data));
        }
        catch (InvalidDataException ex)
        {
            throw new ModelBundleException($"models/{modelId}/{ModelManifest.FileName}: {ex.Message}", ex);
        }

        IEnumerable<string> files = manifest.Members is { } members ? members.Select(m => m.File) : [OnnxCryModel.SingleModelFile];
        Directory.CreateDirectory(folder);
        foreach (string file in files)
        {
            var artifact = await store.TryReadAsync(Containers.Models, $"{modelId}/{file}", cancellation).ConfigureAwait(false)
                ?? throw new ModelBundleException($"models/{modelId}/{file} is missing; the bundle cannot be loaded.");
            string path = Path.Combine(folder, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, artifact.Data, cancellation).ConfigureAwait(false);
        }

        var metrics = await store.TryReadAsync(Containers.Models, $"{modelId}/{MetricsFile}", cancellation).ConfigureAwait(false);
        if (metrics is not null)
        {
            await File.WriteAllBytesAsync(Path.Combine(folder, MetricsFile), metrics.Data, cancellation).ConfigureAwait(false);
        }

        // The manifest last: a loader that sees it finds every file it names already in place.
        await File.WriteAllBytesAsync(Path.Combine(folder, ModelManifest.FileName), stored.Data, cancellation).ConfigureAwait(false);
        return manifest;
    }

    /// <summary>Uploads a bundle folder to <c>models/{modelId}/</c>: every file below it, the manifest last.</summary>
    public static async Task UploadAsync(IArtifactStore store, string modelId, string folder, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f).Replace(Path.DirectorySeparatorChar, '/'))
            .OrderBy(f => f == ModelManifest.FileName ? 1 : 0)
            .ThenBy(f => f, StringComparer.Ordinal);
        foreach (string file in files)
        {
            await store.WriteAsync(Containers.Models, $"{modelId}/{file}", await File.ReadAllBytesAsync(Path.Combine(folder, file), cancellation).ConfigureAwait(false), cancellation: cancellation)
                .ConfigureAwait(false);
        }
    }
}
