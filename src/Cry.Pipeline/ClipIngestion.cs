using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cry.Audio;
using Cry.Features;
using Cry.Features.Npy;
using Cry.Features.Rendering;
using Cry.Pipeline.Storage;
using Cry.Training.Data;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Cry.Audio.Decoding;
using Cry.Audio.Wav;

namespace Cry.Pipeline;

/// <summary>One unit of feature work: a clip's variant under a spec.</summary>
/// <param name="Label">The clip's label (its folder).</param>
/// <param name="Name">The clip's blob name inside the label folder.</param>
/// <param name="SpecId">The spec's id.</param>
/// <param name="Variant">0 for the original, 1..k for augmented variants.</param>
public sealed record FeatureWork(
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("specId")] string SpecId,
    [property: JsonPropertyName("variant")] int Variant);

/// <summary>What became of an uploaded clip.</summary>
/// <param name="ClipRef">An opaque id of the clip for logs (a hash: never the file name, which carries metadata).</param>
/// <param name="Accepted">False when the clip was quarantined, or was gone already.</param>
/// <param name="Reason">Why it was quarantined.</param>
/// <param name="Work">The feature work to fan out when accepted.</param>
public sealed record IngestionResult(string ClipRef, bool Accepted, string? Reason, IReadOnlyList<FeatureWork> Work);

/// <summary>The quarantine note stored next to a refused clip.</summary>
public sealed record QuarantineReason(
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("originalPath")] string OriginalPath,
    [property: JsonPropertyName("sha256")] string Sha256,
    [property: JsonPropertyName("bytes")] long Bytes,
    [property: JsonPropertyName("quarantinedUtc")] DateTimeOffset QuarantinedUtc);

/// <summary>
/// Clip ingestion on stored artifacts: accept an uploaded clip or quarantine it with the reason; compute one unit of
/// feature work (tensor + preview); erase a clip and all that was derived from it.
/// </summary>
/// <remarks>
/// Everything written is a pure function of the clip's bytes, label and name and of the options, so running a step
/// twice writes the same objects at the same paths: no duplicates. Logs carry an opaque clip reference, never the
/// file name or audio.
/// </remarks>
public sealed class ClipIngestion
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };
    private readonly IArtifactStore _store;
    private readonly PipelineOptions _options;
    private readonly ILogger _logger;
    private readonly Dictionary<string, FeatureExtractor> _extractors;

    /// <summary>Creates the step over a store.</summary>
    public ClipIngestion(IArtifactStore store, PipelineOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _store = store;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _extractors = options.Specs.ToDictionary(s => s.Id, s => new FeatureExtractor(s), StringComparer.Ordinal);
    }

    /// <summary>An opaque, stable reference to a clip for logs and telemetry.</summary>
    public static string ClipRef(string label, string name) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{label}/{name}")))[..16];

    /// <summary>
    /// A decoded recording as the lossless WAV the pipeline stores: 16-bit PCM when every sample is a 16-bit value
    /// (a PCM16 source, IMA4, AMR, G.711), else 32-bit float, at the recording's own rate, so decoding the stored clip
    /// gives exactly the samples of the upload. Nothing of the uploaded file's tags or metadata is kept.
    /// </summary>
    public static byte[] CanonicalWav(AudioSignal signal)
    {
        ArgumentNullException.ThrowIfNull(signal);
        bool pcm16 = true;
        foreach (float x in signal.Samples)
        {
            float scaled = x * 32768f;
            if (scaled != MathF.Round(scaled) || scaled > short.MaxValue)
            {
                pcm16 = false;
                break;
            }
        }

        return WavEncoder.Encode(signal.Samples, signal.SampleRate, pcm16 ? WavSampleFormat.Pcm16 : WavSampleFormat.Float32);
    }

    /// <summary>The path (without extension) of a unit's outputs under <c>features/</c>: <c>{specId}/{label}/{name}/{variant}</c>.</summary>
    /// <remarks>The clip's full name is its folder, so clips whose names differ only in the extension never share one.</remarks>
    public static string FeaturePath(string specId, string label, string name, int variant) => $"{specId}/{label}/{name}/{variant}";

    /// <summary>Where a refused clip's copy is kept under <c>quarantine/</c>: <c>clips/{label}/{name}</c>.</summary>
    public static string QuarantinedClipPath(string label, string name) => $"clips/{label}/{name}";

    /// <summary>
    /// Where the reason for a refused clip is kept under <c>quarantine/</c>: <c>reasons/{label}/{name}.json</c>, a prefix
    /// apart from the copies, so no clip name can reach another clip's note.
    /// </summary>
    public static string QuarantineNotePath(string label, string name) => $"reasons/{label}/{name}.json";

    /// <summary>Checks an uploaded clip; quarantines it with the reason when it cannot be used.</summary>
    /// <remarks>A label or name that breaks <see cref="ClipNames"/> is quarantined without being read.</remarks>
    public async Task<IngestionResult> AcceptAsync(string label, string name, CancellationToken cancellation = default)
    {
        string clipRef = ClipRef(label, name);
        string path = $"{label}/{name}";
        if (ClipNames.Validate(label) is string badLabel)
        {
            return await QuarantineAsync(label, name, QuarantineKind.UnsafeLabel, $"The label cannot be stored safely: {badLabel}.", cancellation).ConfigureAwait(false);
        }

        if (ClipNames.Validate(name) is string badName)
        {
            return await QuarantineAsync(label, name, QuarantineKind.UnsafeName, $"The clip's name cannot be stored safely: {badName}.", cancellation).ConfigureAwait(false);
        }

        var clip = await _store.TryReadAsync(Containers.Clips, path, cancellation).ConfigureAwait(false);
        if (clip is null)
        {
            PipelineLog.ClipGone(_logger, clipRef);
            return new IngestionResult(clipRef, false, null, []);
        }

        if (Check(label, clip.Data) is ({ } kind, { } reason))
        {
            return await QuarantineAsync(label, name, kind, reason, cancellation).ConfigureAwait(false);
        }

        var work = new List<FeatureWork>();
        int variants = VariantCount(label);
        foreach (var spec in _options.Specs)
        {
            for (int v = 0; v < variants; v++)
            {
                work.Add(new FeatureWork(label, name, spec.Id, v));
            }
        }

        PipelineMetrics.ClipsAccepted.Add(1, new KeyValuePair<string, object?>("label", label));
        PipelineLog.ClipAccepted(_logger, clipRef, label, work.Count);
        return new IngestionResult(clipRef, true, null, work);
    }

    /// <summary>Computes one unit: the variant's tensor (and preview) under the spec, written under <c>features/</c>.</summary>
    /// <returns>The tensor's path, or null when the clip is gone.</returns>
    /// <exception cref="ArgumentException">The spec is not one of the pipeline's, the variant is out of range, or the label or name is not valid.</exception>
    /// <exception cref="AudioFormatException">The clip cannot be decoded (it was replaced by a bad file since it was accepted).</exception>
    public async Task<string?> ComputeAsync(FeatureWork work, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        ThrowIfInvalid(work.Label, work.Name, nameof(work));
        if (!_extractors.TryGetValue(work.SpecId, out var extractor))
        {
            throw new ArgumentException($"Spec {work.SpecId} is not one of the pipeline's ({string.Join(", ", _extractors.Keys)}).", nameof(work));
        }

        int variants = VariantCount(work.Label);
        if (work.Variant < 0 || work.Variant >= variants)
        {
            throw new ArgumentException($"Variant {work.Variant} is out of range: {work.Label} clips have {variants}.", nameof(work));
        }

        var clip = await _store.TryReadAsync(Containers.Clips, $"{work.Label}/{work.Name}", cancellation).ConfigureAwait(false);
        if (clip is null)
        {
            return null;
        }

        var prepared = new AudioSignal(extractor.PrepareAudio(AudioDecoder.Default.Decode(clip.Data)), extractor.Spec.SampleRate);
        // Seeded by the training pipeline's clip id (label/name), so a variant here is the same bits as in `cry train`.
        string seedId = Cry.Training.Data.ClipInfo.MakeClipId(work.Label, work.Name);
        float[] samples = work.Variant == 0 ? prepared.Samples : _options.Augmentation.CreateVariant(prepared, work.Label, seedId, work.Variant);
        float[] tensor = extractor.ComputeImage(samples);
        int[] shape = [.. extractor.ImageShape];
        string basePath = FeaturePath(work.SpecId, work.Label, work.Name, work.Variant);

        using (var npy = new MemoryStream())
        {
            NpyFile.Write(npy, tensor, shape);
            await _store.WriteAsync(Containers.Features, basePath + ".npy", npy.ToArray(), cancellation: cancellation).ConfigureAwait(false);
        }

        if (_options.Previews)
        {
            using var png = new MemoryStream();
            FeatureImageRenderer.WritePng(tensor, shape, png);
            await _store.WriteAsync(Containers.Features, basePath + ".png", png.ToArray(), cancellation: cancellation).ConfigureAwait(false);
        }

        // An erasure that deleted the clip while this unit ran may have listed the features before this write: the
        // clip is deleted first, so a clip gone now means this tensor must go too (nothing of an erased clip stays).
        if (!await ErasureRecord.ExistsAsync(_store, Containers.Clips, $"{work.Label}/{work.Name}", cancellation).ConfigureAwait(false))
        {
            await _store.DeleteAsync(Containers.Features, basePath + ".npy", cancellation).ConfigureAwait(false);
            await _store.DeleteAsync(Containers.Features, basePath + ".png", cancellation).ConfigureAwait(false);
            return null;
        }

        PipelineMetrics.FeaturesComputed.Add(1);
        return basePath + ".npy";
    }

    /// <summary>
    /// Moves a clip to <c>quarantine/</c> (<see cref="QuarantinedClipPath"/>) with a reason note
    /// (<see cref="QuarantineNotePath"/>): copy, read back and compare, then delete the original, so nothing is ever
    /// lost. Quarantining again overwrites the same objects.
    /// </summary>
    /// <remarks>
    /// A name refused by <see cref="ClipNames"/> is still quarantined under itself when the store can address it; one
    /// that cannot be (a separator, a control character, a trailing '.') stays where it is, and the log says why.
    /// </remarks>
    public Task<IngestionResult> QuarantineAsync(string label, string name, string reason, CancellationToken cancellation = default) =>
        QuarantineAsync(label, name, QuarantineKind.Other, reason, cancellation);

    /// <summary>Quarantines a clip for a reason of a known kind: the kind is logged, the reason goes only into the note.</summary>
    public async Task<IngestionResult> QuarantineAsync(string label, string name, QuarantineKind kind, string reason, CancellationToken cancellation = default)
    {
        string clipRef = ClipRef(label, name);
        if (!ClipNames.IsAddressable(label) || !ClipNames.IsAddressable(name))
        {
            // The store cannot address such a name; the blob stays where it is (nothing is lost) and the log says why.
            PipelineLog.ClipUnaddressable(_logger, clipRef, kind);
            return new IngestionResult(clipRef, false, reason, []);
        }

        string path = $"{label}/{name}";
        var clip = await _store.TryReadAsync(Containers.Clips, path, cancellation).ConfigureAwait(false);
        if (clip is null)
        {
            return new IngestionResult(clipRef, false, reason, []);
        }

        string sha = Convert.ToHexStringLower(SHA256.HashData(clip.Data));
        string copyPath = QuarantinedClipPath(label, name);
        await _store.WriteAsync(Containers.Quarantine, copyPath, clip.Data, cancellation: cancellation).ConfigureAwait(false);
        var note = new QuarantineReason(reason, $"{Containers.Clips}/{path}", sha, clip.Data.LongLength, DateTimeOffset.UtcNow);
        await _store.WriteAsync(Containers.Quarantine, QuarantineNotePath(label, name), JsonSerializer.SerializeToUtf8Bytes(note, s_json), cancellation: cancellation).ConfigureAwait(false);

        var copy = await _store.TryReadAsync(Containers.Quarantine, copyPath, cancellation).ConfigureAwait(false);
        if (copy is null || Convert.ToHexStringLower(SHA256.HashData(copy.Data)) != sha)
        {
            throw new IOException($"The quarantine copy of clip {clipRef} does not match the original; the original is kept.");
        }

        await _store.DeleteAsync(Containers.Clips, path, cancellation).ConfigureAwait(false);
        PipelineMetrics.ClipsQuarantined.Add(1);
        PipelineLog.ClipQuarantined(_logger, clipRef, kind);
        return new IngestionResult(clipRef, false, reason, []);
    }

    /// <summary>
    /// Erases a clip and everything derived from it: the clip, its features and previews under every spec, its
    /// quarantine copy and note. Only objects of exactly this label and name: never another clip's.
    /// </summary>
    /// <returns>The number of objects deleted (0 when nothing was stored under the name).</returns>
    /// <exception cref="ArgumentException">The label or name is not valid (<see cref="ClipNames.Validate"/>); nothing is deleted.</exception>
    public async Task<int> EraseAsync(string label, string name, CancellationToken cancellation = default)
    {
        ThrowIfInvalid(label, name, nameof(name));
        int deleted = 0;
        deleted += await _store.DeleteAsync(Containers.Clips, $"{label}/{name}", cancellation).ConfigureAwait(false) ? 1 : 0;
        var features = new List<string>();
        await foreach (var item in _store.ListAsync(Containers.Features, cancellation: cancellation).ConfigureAwait(false))
        {
            // {specId}/{label}/{name}/{variant}.*: whole segments compared, so "a" never matches "a.wav".
            string[] parts = item.Path.Split('/');
            if (parts.Length == 4 && string.Equals(parts[1], label, StringComparison.Ordinal) && string.Equals(parts[2], name, StringComparison.Ordinal))
            {
                features.Add(item.Path);
            }
        }

        foreach (string path in features)
        {
            deleted += await _store.DeleteAsync(Containers.Features, path, cancellation).ConfigureAwait(false) ? 1 : 0;
        }

        deleted += await _store.DeleteAsync(Containers.Quarantine, QuarantinedClipPath(label, name), cancellation).ConfigureAwait(false) ? 1 : 0;
        deleted += await _store.DeleteAsync(Containers.Quarantine, QuarantineNotePath(label, name), cancellation).ConfigureAwait(false) ? 1 : 0;
        var redacted = await Retraining.DatasetSnapshot.RedactAsync(_store, label, name, cancellation).ConfigureAwait(false);
        if (deleted > 0 || redacted.Count > 0)
        {
            var record = new ErasureRecord(ErasureRecord.IdOf(label, name), DateTimeOffset.UtcNow, deleted, redacted);
            await _store.WriteAsync(Containers.Datasets, ErasureRecord.PathOf(record.Id), JsonSerializer.SerializeToUtf8Bytes(record), cancellation: cancellation).ConfigureAwait(false);
        }

        PipelineLog.ClipErased(_logger, ClipRef(label, name), deleted, redacted.Count);
        return deleted;
    }

    // The detector's folders are never augmented: their recordings are used as they are.
    private int VariantCount(string label) => ReservedLabels.IsReserved(label) ? 1 : _options.Augmentation.VariantsFor(label).Count + 1;

    private (QuarantineKind? Kind, string? Reason) Check(string label, byte[] data)
    {
        if (!_options.Labels.Contains(label, StringComparer.Ordinal) && !ReservedLabels.IsReserved(label))
        {
            try
            {
                ReservedLabels.CheckSpelling(label);
            }
            catch (DatasetException ex)
            {
                return (QuarantineKind.UnknownLabel, ex.Message);
            }

            return (QuarantineKind.UnknownLabel, $"Unknown label '{label}'; the labels are {string.Join(", ", _options.Labels)}, and {ReservedLabels.NotCry} and {ReservedLabels.Cry} for the cry detector.");
        }

        if (data.LongLength > _options.MaxClipBytes)
        {
            return (QuarantineKind.TooLarge, $"The clip is {data.LongLength:N0} bytes, more than the limit of {_options.MaxClipBytes:N0}.");
        }

        try
        {
            var signal = AudioDecoder.Default.Decode(data);
            foreach (var extractor in _extractors.Values)
            {
                extractor.PrepareAudio(signal);
            }

            return (null, null);
        }
        catch (AudioFormatException ex)
        {
            return (ex.IsUnsupportedFormat ? QuarantineKind.UnsupportedFormat : QuarantineKind.Undecodable, ex.Message);
        }
    }

    private static void ThrowIfInvalid(string label, string name, string parameter)
    {
        if (ClipNames.Validate(label) is string badLabel)
        {
            throw new ArgumentException($"The label is not a valid name: {badLabel}.", parameter);
        }

        if (ClipNames.Validate(name) is string badName)
        {
            throw new ArgumentException($"The clip's name is not valid: {badName}.", parameter);
        }
    }
}
