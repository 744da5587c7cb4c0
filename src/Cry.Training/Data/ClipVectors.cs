using System.Collections.Concurrent;
using System.Security.Cryptography;
using Cry.Audio;
using Cry.Features;
using Cry.Features.Npy;
using Cry.Features.Specs;
using Cry.Audio.Decoding;

namespace Cry.Training.Data;

/// <summary>One feature vector per clip (the spec's acoustic functionals), for models that take a vector, not an image.</summary>
/// <remarks>
/// No augmented variants: a vector model is weighted per need instead. Clips that cannot be decoded are left out and
/// listed in <see cref="Skipped"/>; <see cref="Dataset"/> holds the usable clips in the order of <see cref="Vectors"/>.
/// Cached as <c>cache/functionals-{version}-{spec id}/label/clip-hash.npy</c>, so a changed file, spec or feature
/// definition never reuses an old vector.
/// </remarks>
public sealed class ClipVectors
{
    /// <summary>Changes whenever the functionals' definition changes (it is part of the cache path and of grid signatures).</summary>
    public const string FunctionalsVersion = "functionals-v1";

    private ClipVectors(ClipDataset dataset, IReadOnlyList<float[]> vectors, IReadOnlyList<string> names, IReadOnlyList<SkippedClip> skipped)
    {
        Dataset = dataset;
        Vectors = vectors;
        Names = names;
        Skipped = skipped;
    }

    /// <summary>The usable clips.</summary>
    public ClipDataset Dataset { get; }

    /// <summary>One vector per usable clip.</summary>
    public IReadOnlyList<float[]> Vectors { get; }

    /// <summary>The features' names.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Clips left out, and why.</summary>
    public IReadOnlyList<SkippedClip> Skipped { get; }

    /// <summary>Computes (or loads from the cache) the acoustic functionals of every clip, in parallel.</summary>
    /// <param name="dataset">The clips.</param>
    /// <param name="spec">The spec whose rate, window, mel bands and MFCCs the functionals use.</param>
    /// <param name="cacheFolder">Cache folder, or null for none.</param>
    /// <param name="threads">Clips processed in parallel (0: all cores).</param>
    /// <exception cref="DatasetException">No clip is usable.</exception>
    public static ClipVectors Functionals(ClipDataset dataset, FeatureSpec spec, string? cacheFolder = null, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var extractor = new FeatureExtractor(spec);
        int length = extractor.Functionals.Count;
        var results = new float[dataset.Count][];
        var skipped = new ConcurrentBag<(int Index, SkippedClip Clip)>();
        Parallel.For(0, dataset.Count, new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount }, i =>
        {
            var clip = dataset.Clips[i];
            try
            {
                byte[] bytes = File.ReadAllBytes(clip.Path);
                string? file = cacheFolder is null ? null : Path.Combine(
                    cacheFolder, $"{FunctionalsVersion}-{spec.Id}", clip.Label, $"{Path.GetFileNameWithoutExtension(clip.Path)}-{Convert.ToHexStringLower(SHA256.HashData(bytes))[..12]}.npy");
                if (file is not null && File.Exists(file) && TryRead(file, length) is { } cached)
                {
                    results[i] = cached;
                    return;
                }

                var prepared = extractor.PrepareAudio(AudioDecoder.Default.Decode(bytes));
                results[i] = extractor.Functionals.Compute(prepared);
                if (file is not null)
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                    string temporary = $"{file}.{Environment.CurrentManagedThreadId}.tmp";
                    NpyFile.Write(temporary, results[i], [length]);
                    File.Move(temporary, file, overwrite: true);
                }
            }
            catch (Exception ex) when (ex is AudioFormatException or IOException or UnauthorizedAccessException)
            {
                skipped.Add((i, new SkippedClip(clip.Path, ex.Message)));
            }
        });

        var left = skipped.Select(s => s.Index).ToHashSet();
        int[] kept = [.. Enumerable.Range(0, dataset.Count).Where(i => !left.Contains(i))];
        if (kept.Length == 0)
        {
            throw new DatasetException($"None of the {dataset.Count} clips is usable; the first problem: {skipped.OrderBy(s => s.Index).First().Clip.Reason}");
        }

        var usable = kept.Length == dataset.Count ? dataset : ClipDataset.FromClips(kept.Select(i => dataset.Clips[i]).Concat(dataset.DetectorClips));
        return new ClipVectors(usable, [.. kept.Select(i => results[i])], extractor.Functionals.Names, [.. skipped.OrderBy(s => s.Index).Select(s => s.Clip)]);
    }

    private static float[]? TryRead(string file, int length)
    {
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
}
