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

    /// <summary>
    /// Checks that <c>models/{modelId}/</c> is fit to become the champion: its training run reported success in
    /// result.json, its manifest is valid, and every file the manifest names is stored with the SHA-256 it records.
    /// Serving loads whatever the champion names, so a failed run's folder or a bundle missing a file must never get there.
    /// </summary>
    /// <exception cref="ModelBundleException">Nothing is stored under <paramref name="modelId"/> (no manifest and no result).</exception>
    /// <exception cref="BundleNotPromotableException">Something is stored, but not a complete, succeeded, hash-checked bundle; the message says what.</exception>
    public static async Task CheckPromotableAsync(IArtifactStore store, string modelId, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var storedManifest = await store.TryReadAsync(Containers.Models, $"{modelId}/{ModelManifest.FileName}", cancellation).ConfigureAwait(false);
        var storedResult = await store.TryReadAsync(Containers.Models, TrainingResult.PathOf(modelId), cancellation).ConfigureAwait(false);
        if (storedManifest is null && storedResult is null)
        {
            throw new ModelBundleException($"models/{modelId} holds no model.");
        }

        TrainingResult? result = null;
        if (storedResult is not null)
        {
            try
            {
                result = TrainingResult.Parse(storedResult.Data);
            }
            catch (System.Text.Json.JsonException)
            {
                throw new BundleNotPromotableException($"models/{TrainingResult.PathOf(modelId)} is not a valid training result.");
            }
        }

        if (result is null)
        {
            throw new BundleNotPromotableException($"models/{modelId} has no training result: its run did not finish.");
        }

        if (result.Status != TrainingResult.Succeeded)
        {
            throw new BundleNotPromotableException($"The training run {modelId} did not succeed ({result.Status}).");
        }

        if (result.RunId != modelId)
        {
            throw new BundleNotPromotableException($"models/{TrainingResult.PathOf(modelId)} reports another run.");
        }

        if (storedManifest is null)
        {
            throw new BundleNotPromotableException($"models/{modelId}/{ModelManifest.FileName} is missing.");
        }

        ModelManifest manifest;
        try
        {
            manifest = ModelManifest.Parse(System.Text.Encoding.UTF8.GetString(storedManifest.Data));
        }
        catch (InvalidDataException ex)
        {
            throw new BundleNotPromotableException($"models/{modelId}/{ModelManifest.FileName} is not valid: {ex.Message}");
        }

        IEnumerable<(string File, string? Sha256)> files = manifest.Members is { } members
            ? members.Select(m => (m.File, (string?)m.Sha256))
            : [(OnnxCryModel.SingleModelFile, manifest.ModelSha256)];
        foreach (var (file, sha256) in files)
        {
            var artifact = await store.TryReadAsync(Containers.Models, $"{modelId}/{file}", cancellation).ConfigureAwait(false)
                ?? throw new BundleNotPromotableException($"models/{modelId}/{file}, which the manifest names, is missing.");
            if (sha256 is null)
            {
                throw new BundleNotPromotableException($"The manifest of {modelId} records no SHA-256 for {file}, so it cannot be checked.");
            }

            if (!string.Equals(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(artifact.Data)), sha256, StringComparison.Ordinal))
            {
                throw new BundleNotPromotableException($"models/{modelId}/{file} does not match the SHA-256 its manifest records.");
            }
        }
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
