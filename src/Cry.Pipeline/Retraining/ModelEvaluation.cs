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
    [property: JsonPropertyName("clips")] int Clips)
{
    /// <summary>Share of the held-out cries (need clips and <c>cry/</c>) the detector found; null without a detector.</summary>
    [JsonPropertyName("cryRecall")]
    public double? CryRecall { get; init; }

    /// <summary>Share of the held-out <c>not_cry/</c> clips it recognised; null without a detector or without such clips.</summary>
    [JsonPropertyName("nonCryRecognised")]
    public double? NonCryRecognised { get; init; }

    /// <summary>Held-out <c>not_cry/</c> clips scored.</summary>
    [JsonPropertyName("nonCries")]
    public int NonCries { get; init; }
}

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
        await StoredBundle.DownloadAsync(store, modelId, folder, cancellation).ConfigureAwait(false);

        var options = new InferenceOptions { Device = "cpu" };
        using var predictor = new Predictor(new HotSwapModelSource(folder, options, Timeout.InfiniteTimeSpan), options);
        // The need quality is measured on need clips only: not_cry/ and cry/ clips have no need to be right about.
        var needClips = snapshot.Clips.Where(c => !ReservedLabels.IsReserved(c.Label)).ToList();
        var labels = needClips.Select(c => c.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var actual = new List<int>();
        var predicted = new List<int>();
        int cries = 0, found = 0, nonCries = 0, recognised = 0;
        bool hasDetector = false;
        foreach (var clip in snapshot.Clips.Where(c => c.HeldOut))
        {
            var wav = await store.TryReadAsync(Containers.Clips, $"{clip.Label}/{clip.Name}", cancellation).ConfigureAwait(false);
            if (wav is null)
            {
                continue; // Erased since the snapshot.
            }

            PredictionResult answer;
            try
            {
                answer = predictor.Predict(wav.Data);
            }
            catch (AudioFormatException)
            {
                continue; // Cannot happen for an accepted clip unless it was replaced; it is not scored.
            }

            if (answer.CryDetected is { } detected)
            {
                hasDetector = true;
                if (clip.Label == ReservedLabels.NotCry)
                {
                    nonCries++;
                    recognised += detected ? 0 : 1;
                }
                else
                {
                    cries++;
                    found += detected ? 1 : 0;
                }
            }

            if (ReservedLabels.IsReserved(clip.Label))
            {
                continue; // not_cry/ and cry/ have no need to be right about.
            }

            AddNeedAnswer(labels, actual, predicted, clip.Label, answer.Label);
        }

        if (actual.Count == 0)
        {
            throw new InvalidOperationException($"Snapshot {snapshot.SnapshotId} has no evaluation clips to score.");
        }

        var metrics = ClassificationMetrics.Compute([.. actual], [.. predicted], labels.Count);
        return new EvaluationResult(modelId, snapshot.SnapshotId, metrics.MacroF1, metrics.BalancedAccuracy, actual.Count)
        {
            CryRecall = hasDetector && cries > 0 ? found / (double)cries : null,
            NonCryRecognised = hasDetector && nonCries > 0 ? recognised / (double)nonCries : null,
            NonCries = nonCries,
        };
    }

    // Records a need clip's true and answered label as indices into labels.
    private static void AddNeedAnswer(List<string> labels, List<int> actual, List<int> predicted, string clipLabel, string? answerLabel)
    {
        string label = answerLabel ?? "(no cry detected)"; // A missed cry is a wrong answer.

        int index = labels.IndexOf(label);
        if (index < 0)
        {
            labels.Add(label); // The model predicts a label the evaluation set lacks: always wrong.
            index = labels.Count - 1;
        }

        actual.Add(labels.IndexOf(clipLabel));
        predicted.Add(index);
    }

    /// <summary>The current champion pointer and its version tag, or null.</summary>
    public static async Task<(ChampionPointer Pointer, string ETag)?> ReadChampionAsync(IArtifactStore store, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var stored = await store.TryReadAsync(Containers.Models, ChampionPointer.Path, cancellation).ConfigureAwait(false);
        return stored is null ? null : (JsonSerializer.Deserialize<ChampionPointer>(stored.Data)!, stored.ETag);
    }

    /// <summary>How much worse than the champion's a challenger's cry recall or non-cry recognition may be and still be promoted.</summary>
    public const double DetectionTolerance = 0.02;

    /// <summary>
    /// Promotes the challenger when there is no champion, or when its macro-F1 beats the champion's by at least
    /// <paramref name="margin"/> <b>and</b> its detection is not worse: a champion with a cry detector is never replaced
    /// by a challenger without one, and neither the challenger's cry recall nor its non-cry recognition may fall more
    /// than <see cref="DetectionTolerance"/> below the champion's on the same held-out clips. Better needs never buy
    /// worse detection. The write is conditional on the champion read before scoring, so a concurrent promotion is
    /// never overwritten (it raises <see cref="ArtifactConflictException"/>).
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

        if (champion is not null && WorseDetection(challenger, champion) is { } worse)
        {
            return new PromotionDecision(false, $"worse cry detection: {worse}; {reason}", challenger, champion);
        }

        await PromoteAsync(store, challenger.ModelId, reason, championETag, cancellation).ConfigureAwait(false);
        return new PromotionDecision(true, reason, challenger, champion);
    }

    private static string? WorseDetection(EvaluationResult challenger, EvaluationResult champion)
    {
        if (champion.CryRecall is not null && challenger.CryRecall is null)
        {
            return "the challenger has no cry detector and the champion has one";
        }

        if (champion.CryRecall is { } recall && challenger.CryRecall is { } challengerRecall && challengerRecall < recall - DetectionTolerance)
        {
            return $"cry recall {challengerRecall:0.000} vs {recall:0.000}";
        }

        if (champion.NonCryRecognised is { } specificity && challenger.NonCryRecognised is { } challengerSpecificity && challengerSpecificity < specificity - DetectionTolerance)
        {
            return $"non-cries recognised {challengerSpecificity:0.000} vs {specificity:0.000} of {challenger.NonCries}";
        }

        return null;
    }

    /// <summary>Writes <c>champion.json</c> naming <paramref name="modelId"/>, conditional on the given version (or on there being none).</summary>
    /// <exception cref="ArtifactConflictException">The champion changed in the meantime.</exception>
    /// <exception cref="ModelBundleException">Nothing is stored under the model's id.</exception>
    /// <exception cref="BundleNotPromotableException">The model is not a complete, hash-checked bundle of a run that succeeded.</exception>
    public static async Task PromoteAsync(IArtifactStore store, string modelId, string reason, string? expectedETag, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        await StoredBundle.CheckPromotableAsync(store, modelId, cancellation).ConfigureAwait(false);

        var pointer = new ChampionPointer(modelId, DateTimeOffset.UtcNow, reason);
        await store.WriteAsync(
            Containers.Models,
            ChampionPointer.Path,
            JsonSerializer.SerializeToUtf8Bytes(pointer),
            expectedETag is null ? WriteCondition.IfNotExists : WriteCondition.IfMatch(expectedETag),
            cancellation).ConfigureAwait(false);
    }
}
