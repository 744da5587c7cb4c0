using System.Text.Json;
using System.Text.Json.Serialization;
using Cry.Audio;
using Cry.Inference;
using Cry.Pipeline.Storage;
using Cry.Training.Data;
using Cry.Training.Evaluation;

namespace Cry.Pipeline.Retraining;

/// <summary>A model's score on a snapshot's evaluation groups.</summary>
public sealed record EvaluationResult(
    [property: JsonPropertyName("modelId")] string ModelId,
    [property: JsonPropertyName("snapshotId")] string SnapshotId,
    [property: JsonPropertyName("macroF1")] double MacroF1,
    [property: JsonPropertyName("balancedAccuracy")] double BalancedAccuracy,
    [property: JsonPropertyName("clips")] int Clips);

/// <summary>The outcome of comparing a challenger with the champion.</summary>
public sealed record PromotionDecision(
    [property: JsonPropertyName("promoted")] bool Promoted,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("challenger")] EvaluationResult Challenger,
    [property: JsonPropertyName("champion")] EvaluationResult? Champion);

/// <summary>
/// Scores stored models on a snapshot's held-out groups through the serving path (the clip's WAV → <see cref="Predictor"/>),
/// and promotes a challenger by rewriting <c>models/champion.json</c> under an ETag condition.
/// </summary>
public static class ModelEvaluation
{
    /// <summary>Scores <c>models/{modelId}</c> on the snapshot's evaluation clips (those still stored).</summary>
    /// <exception cref="ModelBundleException">The bundle is missing or broken.</exception>
    /// <exception cref="InvalidOperationException">The snapshot has no evaluation clips.</exception>
    public static async Task<EvaluationResult> ScoreAsync(
        IArtifactStore store, string modelId, DatasetSnapshot snapshot, string cacheFolder, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(snapshot);
        string folder = Path.Combine(cacheFolder, "evaluate-" + modelId);
        foreach (string file in new[] { "model.onnx", "manifest.json" })
        {
            var artifact = await store.TryReadAsync(Containers.Models, $"{modelId}/{file}", cancellation).ConfigureAwait(false)
                ?? throw new ModelBundleException($"models/{modelId}/{file} is missing.");
            Directory.CreateDirectory(folder);
            await File.WriteAllBytesAsync(Path.Combine(folder, file), artifact.Data, cancellation).ConfigureAwait(false);
        }

        var options = new InferenceOptions { Device = "cpu" };
        using var predictor = new Predictor(new HotSwapModelSource(folder, options, Timeout.InfiniteTimeSpan), options);
        // The need quality is measured on need clips only: not_cry/ and cry/ clips have no need to be right about.
        var needClips = snapshot.Clips.Where(c => !ReservedLabels.IsReserved(c.Label)).ToList();
        var labels = needClips.Select(c => c.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var actual = new List<int>();
        var predicted = new List<int>();
        foreach (var clip in needClips.Where(c => c.HeldOut))
        {
            var wav = await store.TryReadAsync(Containers.Clips, $"{clip.Label}/{clip.Name}", cancellation).ConfigureAwait(false);
            if (wav is null)
            {
                continue; // Erased since the snapshot.
            }

            string label;
            try
            {
                label = predictor.Predict(wav.Data).Label ?? "(no cry detected)"; // A missed cry is a wrong answer.
            }
            catch (AudioFormatException)
            {
                continue; // Cannot happen for an accepted clip unless it was replaced; it is not scored.
            }

            int index = labels.IndexOf(label);
            if (index < 0)
            {
                labels.Add(label); // The model predicts a label the evaluation set lacks: always wrong.
                index = labels.Count - 1;
            }

            actual.Add(labels.IndexOf(clip.Label));
            predicted.Add(index);
        }

        if (actual.Count == 0)
        {
            throw new InvalidOperationException($"Snapshot {snapshot.SnapshotId} has no evaluation clips to score.");
        }

        var metrics = ClassificationMetrics.Compute([.. actual], [.. predicted], labels.Count);
        return new EvaluationResult(modelId, snapshot.SnapshotId, metrics.MacroF1, metrics.BalancedAccuracy, actual.Count);
    }

    /// <summary>The current champion pointer and its version tag, or null.</summary>
    public static async Task<(ChampionPointer Pointer, string ETag)?> ReadChampionAsync(IArtifactStore store, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var stored = await store.TryReadAsync(Containers.Models, ChampionPointer.Path, cancellation).ConfigureAwait(false);
        return stored is null ? null : (JsonSerializer.Deserialize<ChampionPointer>(stored.Data)!, stored.ETag);
    }

    /// <summary>
    /// Promotes the challenger when there is no champion or its macro-F1 beats the champion's by at least
    /// <paramref name="margin"/>. The write is conditional on the champion read before scoring, so a concurrent
    /// promotion is never overwritten (it raises <see cref="ArtifactConflictException"/>).
    /// </summary>
    public static async Task<PromotionDecision> DecideAsync(
        IArtifactStore store, EvaluationResult challenger, EvaluationResult? champion, string? championETag, double margin, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(challenger);
        bool better = champion is null || challenger.MacroF1 >= champion.MacroF1 + margin;
        string reason = champion is null
            ? $"no champion yet; challenger macro-F1 {challenger.MacroF1:0.000} on {challenger.Clips} evaluation clips"
            : $"challenger macro-F1 {challenger.MacroF1:0.000} vs champion {champion.MacroF1:0.000} on {challenger.Clips} evaluation clips (margin {margin:0.000})";
        if (!better)
        {
            return new PromotionDecision(false, "not better: " + reason, challenger, champion);
        }

        await PromoteAsync(store, challenger.ModelId, reason, championETag, cancellation).ConfigureAwait(false);
        return new PromotionDecision(true, reason, challenger, champion);
    }

    /// <summary>Writes <c>champion.json</c> naming <paramref name="modelId"/>, conditional on the given version (or on there being none).</summary>
    /// <exception cref="ArtifactConflictException">The champion changed in the meantime.</exception>
    /// <exception cref="ModelBundleException">The model's bundle does not exist.</exception>
    public static async Task PromoteAsync(IArtifactStore store, string modelId, string reason, string? expectedETag, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (await store.TryReadAsync(Containers.Models, $"{modelId}/manifest.json", cancellation).ConfigureAwait(false) is null)
        {
            throw new ModelBundleException($"models/{modelId} has no bundle to promote.");
        }

        var pointer = new ChampionPointer(modelId, DateTimeOffset.UtcNow, reason);
        await store.WriteAsync(
            Containers.Models,
            ChampionPointer.Path,
            JsonSerializer.SerializeToUtf8Bytes(pointer),
            expectedETag is null ? WriteCondition.IfNotExists : WriteCondition.IfMatch(expectedETag),
            cancellation).ConfigureAwait(false);
    }
}
