using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cry.Audio;
using Cry.Audio.Augmentation;
using Cry.Features;
using Cry.Features.Npy;
using Cry.Features.Specs;
using Cry.Audio.Decoding;

namespace Cry.Training.Data;

/// <summary>A clip that could not be used, and why.</summary>
/// <param name="Path">The clip's file.</param>
/// <param name="Reason">What is wrong with it.</param>
public sealed record SkippedClip(string Path, string Reason);

/// <summary>The feature tensors of a dataset under one spec: per clip, the original (variant 0) and its augmented variants.</summary>
/// <remarks>
/// Clips that cannot be decoded or are too short are left out and listed in <see cref="Skipped"/>; <see cref="Dataset"/>
/// holds only the usable clips, in the same order as <see cref="Variants"/>. Augmented variants follow the
/// <see cref="AugmentationPolicy"/> and are deterministic (seeded by clip id and variant index), so the same data and
/// policy always give the same tensors. Augmentation is applied to the prepared window (spec rate, spec duration).
/// </remarks>
public sealed class FeaturizedDataset
{
    private FeaturizedDataset(ClipDataset dataset, FeatureSpec spec, IReadOnlyList<int> shape, float[][][] variants, IReadOnlyList<SkippedClip> skipped)
    {
        Dataset = dataset;
        Spec = spec;
        Shape = shape;
        Variants = variants;
        Skipped = skipped;
    }

    /// <summary>A dataset from tensors computed elsewhere (e.g. read from the pipeline's storage): variants[clip][variant].</summary>
    /// <exception cref="ArgumentException">The counts or tensor lengths do not match the dataset and spec.</exception>
    public static FeaturizedDataset FromTensors(ClipDataset dataset, FeatureSpec spec, float[][][] variants)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(variants);
        spec.RequireStage(FeatureStage.Image);
        var image = spec.Image!;
        int[] shape = [image.Channels.Count, image.Size, image.Size];
        int length = shape[0] * shape[1] * shape[2];
        if (variants.Length != dataset.Count)
        {
            throw new ArgumentException($"{variants.Length} tensor sets for {dataset.Count} clips.", nameof(variants));
        }

        for (int i = 0; i < variants.Length; i++)
        {
            if (variants[i] is not { Length: > 0 } set || set.Any(t => t is null || t.Length != length))
            {
                throw new ArgumentException($"Clip {dataset.Clips[i].ClipId} needs at least one tensor of {length} values (shape {string.Join(" × ", shape)}).", nameof(variants));
            }
        }

        return new FeaturizedDataset(dataset, spec, shape, variants, []);
    }

    /// <summary>The usable clips.</summary>
    public ClipDataset Dataset { get; }

    /// <summary>The spec the tensors were made with.</summary>
    public FeatureSpec Spec { get; }

    /// <summary>The tensor shape (C, H, W).</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>Variants[clip][variant]: the tensor (C × H × W floats) of a variant; variant 0 is the original.</summary>
    public IReadOnlyList<float[][]> Variants { get; }

    /// <summary>Clips left out, with the reason.</summary>
    public IReadOnlyList<SkippedClip> Skipped { get; }

    /// <summary>Floats per tensor.</summary>
    public int TensorLength => Shape[0] * Shape[1] * Shape[2];

    /// <summary>
    /// Computes (or loads from <paramref name="cacheFolder"/>) the tensors of every clip and its augmented variants, in parallel.
    /// </summary>
    /// <param name="dataset">The clips.</param>
    /// <param name="spec">The feature spec; must have an image part.</param>
    /// <param name="policy">Which variants each label gets.</param>
    /// <param name="cacheFolder">Folder of the on-disk cache (tensors as .npy under the spec id), or null for none.</param>
    /// <param name="threads">Clips processed in parallel.</param>
    /// <param name="progress">Reports the number of clips done.</param>
    /// <exception cref="FeatureSpecException">The spec has no image.</exception>
    /// <exception cref="DatasetException">No clip is usable.</exception>
    public static FeaturizedDataset Compute(
        ClipDataset dataset, FeatureSpec spec, AugmentationPolicy policy, string? cacheFolder = null, int threads = 0, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(policy);
        spec.RequireStage(FeatureStage.Image);
        var extractor = new FeatureExtractor(spec);
        var shape = extractor.ImageShape;
        var results = new float[dataset.Count][][];
        var skipped = new ConcurrentBag<(int Index, SkippedClip Clip)>();
        int done = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount };
        Parallel.For(0, dataset.Count, options, i =>
        {
            var clip = dataset.Clips[i];
            try
            {
                results[i] = ComputeClip(clip, extractor, policy, cacheFolder);
            }
            catch (Exception ex) when (ex is AudioFormatException or IOException or UnauthorizedAccessException)
            {
                skipped.Add((i, new SkippedClip(clip.Path, ex.Message)));
            }

            progress?.Report(Interlocked.Increment(ref done));
        });

        var skippedIndices = skipped.Select(s => s.Index).ToHashSet();
        var kept = Enumerable.Range(0, dataset.Count).Where(i => !skippedIndices.Contains(i)).ToArray();
        if (kept.Length == 0)
        {
            throw new DatasetException($"None of the {dataset.Count} clips is usable; the first problem: {skipped.OrderBy(s => s.Index).First().Clip.Reason}");
        }

        var usable = kept.Length == dataset.Count ? dataset : ClipDataset.FromClips(kept.Select(i => dataset.Clips[i]).Concat(dataset.DetectorClips));
        return new FeaturizedDataset(
            usable,
            spec,
            [.. shape],
            kept.Select(i => results[i]).ToArray(),
            skipped.OrderBy(s => s.Index).Select(s => s.Clip).ToList());
    }

    private static float[][] ComputeClip(ClipInfo clip, FeatureExtractor extractor, AugmentationPolicy policy, string? cacheFolder)
    {
        byte[] bytes = File.ReadAllBytes(clip.Path);
        var augmentations = policy.VariantsFor(clip.Label);
        string? folder = cacheFolder is null ? null : CacheFolderOf(cacheFolder, extractor.Spec, clip, bytes);
        var variants = new float[augmentations.Count + 1][];
        int length = extractor.ImageShape[0] * extractor.ImageShape[1] * extractor.ImageShape[2];
        AudioSignal? prepared = null;
        for (int v = 0; v < variants.Length; v++)
        {
            string? file = folder is null ? null : Path.Combine(folder, v == 0 ? "v0.npy" : $"v{v}-{AugmentationKey(augmentations[v - 1])}.npy");
            if (file is not null && TryLoad(file, length) is { } cached)
            {
                variants[v] = cached;
                continue;
            }

            prepared ??= new AudioSignal(extractor.PrepareAudio(AudioDecoder.Default.Decode(bytes)), extractor.Spec.SampleRate);
            var samples = v == 0 ? prepared.Samples : policy.CreateVariant(prepared, clip.Label, clip.ClipId, v);
            variants[v] = extractor.ComputeImage(samples);
            if (file is not null)
            {
                Directory.CreateDirectory(folder!);
                string temporary = $"{file}.{Environment.CurrentManagedThreadId}.tmp";
                NpyFile.Write(temporary, variants[v], [.. extractor.ImageShape]);
                File.Move(temporary, file, overwrite: true);
            }
        }

        return variants;
    }

    private static float[]? TryLoad(string file, int length)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        try
        {
            var array = NpyFile.Read(file);
            return array.ElementCount == length ? array.ToSingleArray() : null;
        }
        catch (NpyFormatException)
        {
            return null; // A damaged cache entry is recomputed.
        }
    }

    /// <summary>cache/specId/label/clipName-contentHash: a changed file or spec never reuses old tensors.</summary>
    private static string CacheFolderOf(string cacheFolder, FeatureSpec spec, ClipInfo clip, byte[] bytes) =>
        Path.Combine(cacheFolder, spec.Id, clip.Label, $"{Path.GetFileNameWithoutExtension(clip.Path)}-{Convert.ToHexStringLower(SHA256.HashData(bytes))[..12]}");

    private static string AugmentationKey(IAugmentation augmentation)
    {
        string json = JsonSerializer.Serialize(augmentation, AugmentationJson.Options);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..8];
    }
}
