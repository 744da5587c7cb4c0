using Cry.Features;
using Cry.Features.Specs;
using Cry.Training.Data;
using Cry.Training.Evaluation;

namespace Cry.Training.Detection;

/// <summary>A labelled cry that the cry detector, out of fold, scores like a non-cry.</summary>
/// <param name="Clip">The clip.</param>
/// <param name="Score">Its out-of-fold detector score (by the fold model that did not see its group).</param>
public sealed record DetectorFlag(ClipInfo Clip, double Score);

/// <summary>What <see cref="DetectorAudit.Run"/> found.</summary>
/// <param name="Cries">Cries the detector was trained and scored on (the labelled clips, <c>cry/</c> and other cry folders).</param>
/// <param name="NonCries">Non-cries (<c>not_cry/</c>).</param>
/// <param name="Auc">Out-of-fold AUC of the detector.</param>
/// <param name="Bar">The median out-of-fold score of the non-cries: a labelled clip scored below it looks less like a cry than half of the real non-cries.</param>
/// <param name="Flags">The labelled clips below <paramref name="Bar"/>, lowest first.</param>
public sealed record DetectorAuditResult(int Cries, int NonCries, double Auc, double Bar, IReadOnlyList<DetectorFlag> Flags);

/// <summary>
/// The data audit's cry check: the product's cry detector trained with grouped folds on the labelled clips (as cries)
/// and the non-cries, and each labelled clip scored by the fold model that did not see its app instance. A clip scored
/// below the median non-cry is flagged: it may not be a cry at all (a mislabelled or empty upload).
/// </summary>
/// <remarks>
/// The bar is the non-cries' median rather than the bundle's threshold: that threshold is set for a cry recall (0.97),
/// so it puts 3 % of the cries below it by construction, whatever they sound like.
/// </remarks>
public static class DetectorAudit
{
    /// <summary>Trains and scores the detector out of fold.</summary>
    /// <param name="dataset">The labelled folder (its <c>not_cry/</c> and <c>cry/</c> clips take part too).</param>
    /// <param name="extra">More detector recordings (e.g. a phone app's raw uploads: <c>not_cry/</c>, <c>cry/</c>).</param>
    /// <param name="folds">Grouped folds (default 5).</param>
    /// <param name="seed">Seed of the fold assignment.</param>
    /// <param name="threads">Parallel decoders.</param>
    /// <param name="skipped">Receives (path, reason) for each recording that cannot be decoded.</param>
    /// <exception cref="DatasetException">There are no non-cries, or too few groups of them for the folds.</exception>
    public static DetectorAuditResult Run(ClipDataset dataset, IReadOnlyList<ClipInfo> extra, int folds = 5, ulong seed = 1, int threads = 1, Action<string, string>? skipped = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(extra);
        List<ClipInfo> all = [.. dataset.Clips, .. dataset.DetectorClips, .. extra];
        if (!all.Any(c => c.Label == ReservedLabels.NotCry))
        {
            throw new DatasetException($"The cry check needs non-cries: a {ReservedLabels.NotCry}/ folder in the data or in a detector folder.");
        }

        var recordings = DetectorTraining.Featurize(all, new FeatureExtractor(FeatureSpecPresets.Default), threads, skipped);
        int[] isCry = [.. recordings.Select(r => r.IsCry ? 1 : 0)];
        string[] groups = [.. recordings.Select(r => r.Group)];
        int[] fold = new StratifiedGroupKFold(new StratifiedGroupKFoldOptions { Folds = folds, Seed = seed }).AssignFolds(isCry, groups, 2, ["not_cry", "cry"]);
        var foldOfGroup = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < recordings.Count; i++)
        {
            foldOfGroup[groups[i]] = fold[i];
        }

        var result = DetectorTraining.Train(recordings, g => foldOfGroup[g], folds);
        double[] nonCry = [.. Enumerable.Range(0, recordings.Count).Where(i => !recordings[i].IsCry).Select(i => result.OutOfFoldScores[i]).Order()];
        double bar = BootstrapConfidence.Quantile(nonCry, 0.5);
        var labelled = dataset.Clips.ToDictionary(c => c.ClipId, StringComparer.Ordinal);
        var flags = Enumerable.Range(0, recordings.Count)
            .Where(i => labelled.ContainsKey(recordings[i].ClipId) && result.OutOfFoldScores[i] < bar)
            .Select(i => new DetectorFlag(labelled[recordings[i].ClipId], result.OutOfFoldScores[i]))
            .OrderBy(f => f.Score)
            .ToList();
        return new DetectorAuditResult(recordings.Count(r => r.IsCry), nonCry.Length, result.Model.OutOfFold.Auc, bar, flags);
    }
}
