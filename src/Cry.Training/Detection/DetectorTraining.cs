using System.Collections.Concurrent;
using Cry.Audio;
using Cry.Features;
using Cry.Features.Detection;
using Cry.Features.Models;
using Cry.Training.Data;
using Cry.Audio.Decoding;

namespace Cry.Training.Detection;

/// <summary>One recording as the detector sees it: its windows' features and whether it is a cry.</summary>
/// <param name="ClipId">The clip's id.</param>
/// <param name="Group">Its group (app instance or source folder): the unit of the folds.</param>
/// <param name="IsCry">True for an infant cry (a need label or <c>cry/</c>), false for <c>not_cry/</c>.</param>
/// <param name="Source">Where it comes from, for per-source reports (e.g. <c>not_cry/speech</c>, <c>hungry</c>).</param>
/// <param name="Features">Windows × <see cref="CryFeatures.Count"/>, row-major.</param>
/// <param name="NeedImage">For a non-cry, the need models' input of its first window (to count what a detector's false positive would be answered); else null.</param>
public sealed record DetectorRecording(string ClipId, string Group, bool IsCry, string Source, float[] Features, float[]? NeedImage = null)
{
    /// <summary>Its windows.</summary>
    public int Windows => Features.Length / CryFeatures.Count;

    /// <summary>The recording's length in seconds.</summary>
    public double DurationSeconds { get; init; }
}

/// <summary>Settings of the cry detector's training.</summary>
public sealed record DetectorTrainingOptions
{
    /// <summary>The out-of-fold cry recall the threshold is chosen for (default 0.97).</summary>
    public double RecallTarget { get; init; } = 0.97;

    /// <summary>The L2 penalty of the logistic model on standardised features (default 3, chosen by grouped CV on the corpus).</summary>
    public double Lambda { get; init; } = 3;

    /// <summary>Consecutive cry windows a segment of a multi-window recording needs (default 2).</summary>
    public int MinSegmentWindows { get; init; } = 2;

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public void Validate()
    {
        if (!(RecallTarget > 0 && RecallTarget < 1) || !(Lambda >= 0) || MinSegmentWindows < 1)
        {
            throw new ArgumentException($"The recall target ({RecallTarget}) must lie in (0, 1), the penalty ({Lambda}) be ≥ 0 and segments need at least one window ({MinSegmentWindows}).");
        }
    }
}

/// <summary>What the detector's training produced.</summary>
/// <param name="Model">The bundle's detector: the mean of the fold models, with the out-of-fold threshold and quality.</param>
/// <param name="Recordings">The recordings it was trained and scored on.</param>
/// <param name="OutOfFoldScores">Each recording's score by the fold model that did not see its group (<see cref="CryDetection.RecordingScore"/>).</param>
/// <param name="OutOfFoldWindows">Each recording's window probabilities by that fold model.</param>
public sealed record DetectorResult(CryDetectorModel Model, IReadOnlyList<DetectorRecording> Recordings, double[] OutOfFoldScores, double[][] OutOfFoldWindows);

/// <summary>Trains the cry detector with grouped folds and chooses its threshold out of fold.</summary>
public static class DetectorTraining
{
    /// <summary>Decodes every clip and computes the detector features of its windows (in parallel).</summary>
    /// <param name="clips">Need clips and reserved-folder clips.</param>
    /// <param name="extractor">The need models' extractor: its windows are the detector's too.</param>
    /// <param name="threads">Parallel decoders.</param>
    /// <param name="skipped">Receives (path, reason) for each recording that cannot be decoded.</param>
    public static IReadOnlyList<DetectorRecording> Featurize(IReadOnlyList<ClipInfo> clips, FeatureExtractor extractor, int threads, Action<string, string>? skipped = null)
    {
        ArgumentNullException.ThrowIfNull(clips);
        ArgumentNullException.ThrowIfNull(extractor);
        var result = new DetectorRecording?[clips.Count];
        var features = new ThreadLocal<CryFeatures>(() => new CryFeatures());
        var failures = new ConcurrentBag<(int Index, string Reason)>();
        Parallel.For(0, clips.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, i =>
        {
            var clip = clips[i];
            try
            {
                var signal = AudioDecoder.Default.Decode(File.ReadAllBytes(clip.Path));
                var windows = RecordingWindows.Plan(extractor, signal);
                bool isCry = clip.Label != ReservedLabels.NotCry;
                result[i] = new DetectorRecording(
                    clip.ClipId, clip.Group, isCry, SourceOf(clip), CryDetection.Features(windows, features.Value), isCry ? null : extractor.ComputeImage(windows.Window(0)))
                {
                    DurationSeconds = signal.DurationSeconds,
                };
            }
            catch (Exception ex) when (ex is AudioFormatException or IOException or UnauthorizedAccessException)
            {
                failures.Add((i, ex.Message));
            }
        });
        features.Dispose();
        foreach (var (index, reason) in failures.OrderBy(f => f.Index))
        {
            skipped?.Invoke(clips[index].Path, reason);
        }

        return [.. result.Where(r => r is not null).Select(r => r!)];
    }

    /// <summary>
    /// Grouped k-fold training: each fold model scores the recordings of its held-out groups; the threshold is the
    /// highest that keeps the out-of-fold cry recall at the target; the bundle's model is the mean of the fold models.
    /// </summary>
    /// <param name="recordings">Cries and non-cries.</param>
    /// <param name="foldOf">The fold of each group (shared with the need models, so no group is on both sides of either).</param>
    /// <param name="folds">The number of folds.</param>
    /// <param name="options">Recall target, penalty, segment rule.</param>
    /// <exception cref="DatasetException">There are no non-cries or no cries, or a fold has none of one of them to train on.</exception>
    public static DetectorResult Train(IReadOnlyList<DetectorRecording> recordings, Func<string, int> foldOf, int folds, DetectorTrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(recordings);
        ArgumentNullException.ThrowIfNull(foldOf);
        options ??= new DetectorTrainingOptions();
        options.Validate();
        int positives = recordings.Count(r => r.IsCry), negatives = recordings.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            throw new DatasetException($"The cry detector needs cries and non-cries; the data has {positives} cries and {negatives} recordings in {ReservedLabels.NotCry}/.");
        }

        int[] foldOfRecording = [.. recordings.Select(r => foldOf(r.Group))];
        var members = new List<LogisticModel>();
        var windows = new double[recordings.Count][];
        var scores = new double[recordings.Count];
        for (int fold = 0; fold < folds; fold++)
        {
            var train = Enumerable.Range(0, recordings.Count).Where(i => foldOfRecording[i] != fold).ToList();
            if (!train.Any(i => recordings[i].IsCry) || train.All(i => recordings[i].IsCry))
            {
                throw new DatasetException(
                    $"Fold {fold + 1} of the cry detector has no cries or no non-cries to train on: {ReservedLabels.NotCry}/ needs recordings of at least {folds} groups " +
                    "(app instances, or sub-folders such as not_cry/tv/ and not_cry/speech/).");
            }

            var model = Fit(recordings, train, options.Lambda);
            members.Add(model);
            foreach (int i in Enumerable.Range(0, recordings.Count).Where(i => foldOfRecording[i] == fold))
            {
                windows[i] = Score(model, recordings[i]);
                scores[i] = CryDetection.RecordingScore(windows[i], options.MinSegmentWindows);
            }
        }

        double[] cryScores = [.. Enumerable.Range(0, recordings.Count).Where(i => recordings[i].IsCry).Select(i => scores[i]).Order()];
        double threshold = cryScores[(int)Math.Floor((1 - options.RecallTarget) * cryScores.Length)];
        double recall = cryScores.Count(s => s >= threshold) / (double)cryScores.Length;
        double specificity = Enumerable.Range(0, recordings.Count).Where(i => !recordings[i].IsCry).Count(i => scores[i] < threshold) / (double)negatives;
        var mean = LogisticModel.Mean(members);
        var (featureMean, featureScale) = Standardisation(recordings);
        var detector = new CryDetectorModel
        {
            Mean = featureMean,
            Scale = featureScale,
            Weights = [.. mean.Weights.Select((w, j) => w * featureScale[j])],
            Bias = mean.Bias + mean.Weights.Select((w, j) => w * featureMean[j]).Sum(),
            Threshold = threshold,
            RecallTarget = options.RecallTarget,
            MinSegmentWindows = options.MinSegmentWindows,
            OutOfFold = new DetectorQuality(
                Math.Round(recall, 6), Math.Round(specificity, 6), Math.Round(Auc(recordings, scores), 6), positives, negatives),
        };
        detector.Validate();
        return new DetectorResult(detector, recordings, scores, windows);
    }

    /// <summary>The area under the ROC curve of scores for cries against non-cries (ties count half).</summary>
    public static double Auc(IReadOnlyList<DetectorRecording> recordings, IReadOnlyList<double> scores) =>
        Evaluation.DetectorTrust.AreaUnderCurve(
            [.. Enumerable.Range(0, recordings.Count).Where(i => recordings[i].IsCry).Select(i => scores[i])],
            [.. Enumerable.Range(0, recordings.Count).Where(i => !recordings[i].IsCry).Select(i => scores[i])]);

    private static double[] Score(LogisticModel model, DetectorRecording recording)
    {
        var result = new double[recording.Windows];
        for (int w = 0; w < result.Length; w++)
        {
            result[w] = model.Probability(recording.Features.AsSpan(w * CryFeatures.Count, CryFeatures.Count));
        }

        return result;
    }

    // Every window a sample; each recording weighs 1 in total, and cries and non-cries weigh the same in total.
    private static LogisticModel Fit(IReadOnlyList<DetectorRecording> recordings, List<int> indices, double lambda)
    {
        int windows = indices.Sum(i => recordings[i].Windows);
        var x = new float[windows * CryFeatures.Count];
        var y = new bool[windows];
        var w = new double[windows];
        int cries = indices.Count(i => recordings[i].IsCry), others = indices.Count - cries;
        int row = 0;
        foreach (int i in indices)
        {
            var recording = recordings[i];
            recording.Features.CopyTo(x, row * CryFeatures.Count);
            double weight = 1.0 / recording.Windows / (recording.IsCry ? cries : others);
            for (int k = 0; k < recording.Windows; k++, row++)
            {
                y[row] = recording.IsCry;
                w[row] = weight;
            }
        }

        return LogisticRegression.Fit(x, CryFeatures.Count, y, w, lambda);
    }

    private static (double[] Mean, double[] Scale) Standardisation(IReadOnlyList<DetectorRecording> recordings)
    {
        var mean = new double[CryFeatures.Count];
        var squares = new double[CryFeatures.Count];
        long n = 0;
        foreach (var r in recordings)
        {
            for (int k = 0; k < r.Features.Length; k++)
            {
                mean[k % CryFeatures.Count] += r.Features[k];
                squares[k % CryFeatures.Count] += (double)r.Features[k] * r.Features[k];
            }

            n += r.Windows;
        }

        var scale = new double[CryFeatures.Count];
        for (int j = 0; j < CryFeatures.Count; j++)
        {
            mean[j] /= n;
            double sd = Math.Sqrt(Math.Max(0, (squares[j] / n) - (mean[j] * mean[j])));
            scale[j] = sd > 1e-9 ? sd : 1;
        }

        return (mean, scale);
    }

    private static string SourceOf(ClipInfo clip)
    {
        if (clip.Source is { } source)
        {
            return source;
        }

        if (!ReservedLabels.IsReserved(clip.Label))
        {
            return clip.Label;
        }

        // Reserved clip ids are label/relative/path: the first sub-folder names the source.
        string relative = clip.ClipId[(clip.Label.Length + 1)..];
        int slash = relative.IndexOf('/');
        return slash > 0 ? $"{clip.Label}/{relative[..slash]}" : clip.Label;
    }
}
