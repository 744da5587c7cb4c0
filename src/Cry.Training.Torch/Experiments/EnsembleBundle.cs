using System.Security.Cryptography;
using Cry.Features.Detection;
using Cry.Features.Guarantees;
using Cry.Features.Models;
using Cry.Training.Data;
using Cry.Training.Detection;
using Cry.Training.Evaluation;
using Cry.Training.Guarantees;
using Cry.Training.Torch.Onnx;

namespace Cry.Training.Torch.Experiments;

/// <summary>Settings of an ensemble bundle beyond the cross-validation itself.</summary>
public sealed record EnsembleOptions
{
    /// <summary>Folds, seed and training options of the grouped cross-validation whose fold models answer together.</summary>
    public ExperimentOptions Experiment { get; init; } = new();

    /// <summary>The conformal sets' miscoverage level α (default 0.1: sets at level 0.9).</summary>
    public double Alpha { get; init; } = 0.1;

    /// <summary>What a confident answer must earn.</summary>
    public CertificationOptions Certification { get; init; } = new();

    /// <summary>The cry detector's recall target, penalty and segment rule.</summary>
    public DetectorTrainingOptions Detector { get; init; } = new();

    /// <summary>The bundle's model id (a pipeline run's id); null: the UTC time and the spec id.</summary>
    public string? ModelId { get; init; }
}

/// <summary>What training an ensemble bundle produced, besides the files.</summary>
/// <param name="Manifest">The bundle's manifest as written.</param>
/// <param name="CrossValidation">The grouped cross-validation whose fold models are the members (out-of-fold report).</param>
/// <param name="Detector">The detector's training, or null when the data has no <c>not_cry/</c>.</param>
/// <param name="CalibratedOutOfFold">The out-of-fold probabilities after the bundle's calibration (clips × labels).</param>
/// <param name="Report">The out-of-fold report as written to <c>metrics.json</c>, with its trust section.</param>
public sealed record EnsembleResult(ModelManifest Manifest, CrossValidationResult CrossValidation, DetectorResult? Detector, float[] CalibratedOutOfFold, MetricsReport Report);

/// <summary>
/// Trains a bundle whose answer is the ensemble of the k fold models of a grouped cross-validation, with every number
/// it states fitted out of fold: calibration (temperature and class bias on the pooled out-of-fold logits), Mondrian
/// cross-conformal sets, the certification of confident answers, and the cry detector (same folds by group).
/// </summary>
/// <remarks>
/// <para>Bundle layout (format 2): <c>manifest.json</c>, <c>metrics.json</c> (the out-of-fold report) and
/// <c>members/{modelId}-fold-{k}.onnx</c>. Member files carry the model id, so writing a new bundle never overwrites a
/// file an old manifest names; files no manifest names are removed after the new manifest is in place.</para>
/// <para>Guarantees: the sets are cross-conformal, so every fold model ranks the new recording among the scores of the
/// recordings it did not see (valid at ≥ 1 − 2α, ≈ 1 − α in practice, for the ensemble). A confident answer needs
/// every member at or above the label's threshold; the threshold is certified on the out-of-fold answers of single
/// members, and the unanimous rule answers confidently on a subset of what each member would — the statement is
/// about each member's rule, and the held-out measurement (<c>cry evaluate --model</c>) checks the ensemble's.</para>
/// </remarks>
public static class EnsembleBundle
{
    /// <summary>The folder of the member files inside a bundle.</summary>
    public const string MembersFolder = "members";

    /// <summary>Cross-validates, calibrates, certifies, trains the detector when there are non-cries, and writes the bundle.</summary>
    /// <param name="data">The need clips' features (with augmented variants).</param>
    /// <param name="folder">The bundle folder.</param>
    /// <param name="options">Folds, training, α, certification, detector.</param>
    /// <param name="commandLine">Recorded in the manifest.</param>
    /// <param name="log">Receives progress lines.</param>
    /// <param name="progress">Receives every epoch.</param>
    /// <param name="extraDetectorClips">Recordings for the detector only, beyond the data's own <c>not_cry/</c> and <c>cry/</c> (e.g. raw phone files).</param>
    /// <exception cref="DatasetException">A class has too few groups for the folds, or the detector cannot be trained.</exception>
    public static EnsembleResult Train(
        FeaturizedDataset data,
        string folder,
        EnsembleOptions options,
        string commandLine,
        Action<string>? log = null,
        IProgress<TrainingProgress>? progress = null,
        IReadOnlyList<ClipInfo>? extraDetectorClips = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        var dataset = data.Dataset;
        var labels = dataset.Labels;
        int classes = labels.Count;
        int folds = options.Experiment.Folds;
        string modelId = options.ModelId ?? $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{data.Spec.Id[..6]}";

        // One fold assignment by group for the need models and the detector.
        var foldOfGroup = GroupFolds(dataset, options.Experiment);
        var detectorClips = dataset.DetectorClips.Concat(extraDetectorClips ?? []).ToList();
        DealDetectorOnlyGroups(foldOfGroup, detectorClips, folds);
        int FoldOf(string group) => foldOfGroup.TryGetValue(group, out int fold) ? fold : StableFold(group, folds);
        bool hasDetector = detectorClips.Any(c => c.Label == ReservedLabels.NotCry);
        IReadOnlyList<DetectorRecording> recordings = [];
        if (hasDetector)
        {
            log?.Invoke($"cry detector: features of {dataset.Count + detectorClips.Count} recordings");
            recordings = DetectorTraining.Featurize(
                [.. dataset.Clips, .. detectorClips], new Cry.Features.FeatureExtractor(data.Spec), options.Experiment.Training.Threads,
                (path, reason) => log?.Invoke($"cry detector: skipped {path}: {reason}"));
        }

        var members = TrainMembers(data, folder, modelId, options.Experiment, recordings, FoldOf, log, progress);
        var logits = members.Logits;
        int[] actual = dataset.LabelIndices.ToArray();
        double temperature = TemperatureScaling.Fit(logits, actual, classes);
        double[] bias = TemperatureScaling.FitBias(logits, actual, classes, temperature);
        var calibrated = new float[logits.Length];
        Probabilities.Softmax(logits, temperature, bias, calibrated, classes);
        var raw = new float[logits.Length];
        Probabilities.Softmax(logits, 1.0, [], raw, classes);

        var detector = hasDetector ? TrainDetector(recordings, FoldOf, folds, options.Detector, log) : null;

        // Sets: each clip's uncalibrated probability of its true label by the fold model that did not see it.
        var conformalScores = Enumerable.Range(0, dataset.Count).Select(i => new CalibrationScore(actual[i], members.FoldOfClip[i], raw[(i * classes) + actual[i]])).ToList();
        var conformal = MondrianConformal.Fit(conformalScores, classes, folds, options.Alpha);

        var (answers, falsePositives) = CertificationAnswers(dataset, raw, actual, detector, members);
        int[] perClass = dataset.ClipCountsPerLabel();
        double[] priors = [.. perClass.Select(c => c / (double)dataset.Count)];
        var certificates = ConfidenceCertifier.Certify(answers, priors, options.Certification);
        log?.Invoke($"certification: {answers.Count} out-of-fold answers ({falsePositives} of them non-cries the detector let through); " +
            string.Join("; ", certificates.Select(c => $"{labels[c.Label]}: {(c.Threshold is { } t ? $"confident at ≥ {t:0.###}, precision ≥ {c.CertifiedPrecision:0.000}" : "never confident")}")));

        var trust = OutOfFoldTrust(
            dataset, recordings, detector, calibrated, raw, members.FoldOfClip, conformalScores, members.Negatives.Select(n => n.Index).ToArray(), members.NegativeProbabilities,
            temperature, bias, certificates, options.Alpha, folds, FoldOf);
        var report = members.CrossValidation.Report with
        {
            Title = $"{folds}-fold grouped cross-validation (out of fold)",
            Temperature = temperature,
            Trust = trust,
        };
        var manifest = Manifest(
            data, options, modelId, commandLine, members.Entries, temperature, bias, conformalScores, conformal, certificates, priors, perClass, detector, report);
        manifest.Validate();
        ModelBundle.WriteAtomically(Path.Combine(folder, ModelBundle.MetricsFileName), report.ToJson());
        ModelBundle.WriteAtomically(Path.Combine(folder, ModelManifest.FileName), manifest.ToJson());
        RemoveUnlisted(folder, manifest);
        return new EnsembleResult(manifest, members.CrossValidation, detector, calibrated, report);
    }

    // The fold of every need clip's group in the grouped, stratified split.
    private static Dictionary<string, int> GroupFolds(ClipDataset dataset, ExperimentOptions experiment)
    {
        var labels = dataset.Labels;
        int folds = experiment.Folds;
        dataset.EnsureGroupedFolds(folds);
        var splits = new StratifiedGroupKFold(new StratifiedGroupKFoldOptions { Folds = folds, Seed = experiment.Seed })
            .Split(dataset.LabelIndices, [.. dataset.Groups], labels.Count, [.. labels]);
        var foldOfGroup = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var split in splits)
        {
            foreach (int i in split.TestIndices)
            {
                foldOfGroup[dataset.Groups[i]] = split.Fold;
            }
        }

        return foldOfGroup;
    }

    // The detector's recordings are every need clip, the reserved folders, and any extra detector data. Groups with no
    // need clip (a not_cry/ source) are dealt to the folds in name order, so every fold trains on some of them.
    private static void DealDetectorOnlyGroups(Dictionary<string, int> foldOfGroup, List<ClipInfo> detectorClips, int folds)
    {
        var detectorOnly = detectorClips.Select(c => c.Group).Where(g => !foldOfGroup.ContainsKey(g)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        for (int g = 0; g < detectorOnly.Count; g++)
        {
            foldOfGroup[detectorOnly[g]] = g % folds;
        }
    }

    /// <summary>
    /// The need models: the cross-validation's fold models are the members, exported as each is trained, with their
    /// out-of-fold logits and their answers to the non-cries of their folds' groups.
    /// </summary>
    private static OutOfFoldMembers TrainMembers(
        FeaturizedDataset data,
        string folder,
        string modelId,
        ExperimentOptions experiment,
        IReadOnlyList<DetectorRecording> recordings,
        Func<string, int> foldOf,
        Action<string>? log,
        IProgress<TrainingProgress>? progress)
    {
        var dataset = data.Dataset;
        var labels = dataset.Labels;
        int classes = labels.Count;
        string members = Path.Combine(folder, MembersFolder);
        Directory.CreateDirectory(members);
        var memberEntries = new EnsembleMember[experiment.Folds];
        var logits = new float[dataset.Count * classes];
        var foldOfClip = new int[dataset.Count];
        var negatives = recordings.Select((r, i) => (Recording: r, Index: i)).Where(x => !x.Recording.IsCry).ToList();
        var negativeProbabilities = new float[negatives.Count][];
        var cv = CrossValidation.Run(data, experiment, log, progress, onFoldModel: fold =>
        {
            string file = $"{MembersFolder}/{modelId}-fold-{fold.Fold + 1}.onnx";
            memberEntries[fold.Fold] = new EnsembleMember(
                file, Export(fold.Model, data, Path.Combine(folder, file), modelId, labels),
                new InputNormalisation([.. fold.Model.Normalization.Mean], [.. fold.Model.Normalization.Std]));
            for (int t = 0; t < fold.TestUnits.Length; t++)
            {
                foldOfClip[fold.TestUnits[t]] = fold.Fold;
                for (int k = 0; k < classes; k++)
                {
                    logits[(fold.TestUnits[t] * classes) + k] = fold.TestLogits[t, k];
                }
            }

            // Non-cries of this fold's groups, as the need model would answer them if the detector let them through.
            var mine = Enumerable.Range(0, negatives.Count).Where(n => foldOf(negatives[n].Recording.Group) == fold.Fold && negatives[n].Recording.NeedImage is not null).ToArray();
            if (mine.Length > 0)
            {
                var inputs = mine.SelectMany(n => negatives[n].Recording.NeedImage!).ToArray();
                var raw = new float[mine.Length * classes];
                Probabilities.Softmax(Flatten(fold.Model.Predict(inputs, mine.Length)), 1.0, [], raw, classes);
                for (int m = 0; m < mine.Length; m++)
                {
                    negativeProbabilities[mine[m]] = raw.AsSpan(m * classes, classes).ToArray();
                }
            }
        });
        return new OutOfFoldMembers(cv, memberEntries, logits, foldOfClip, negatives, negativeProbabilities);
    }

    private static DetectorResult TrainDetector(
        IReadOnlyList<DetectorRecording> recordings, Func<string, int> foldOf, int folds, DetectorTrainingOptions options, Action<string>? log)
    {
        var detector = DetectorTraining.Train(recordings, foldOf, folds, options);
        var q = detector.Model.OutOfFold;
        log?.Invoke($"cry detector: out of fold recall {q.Recall:0.000}, specificity {q.Specificity:0.000}, AUC {q.Auc:0.000} at threshold {detector.Model.Threshold:0.000}");
        return detector;
    }

    /// <summary>
    /// The answers the confident rule is certified on: out-of-fold answers of single members; a cry the detector misses
    /// gives no answer; a non-cry it lets through is answered, and wrong (counted as a false positive).
    /// </summary>
    private static (List<ScoredAnswer> Answers, int FalsePositives) CertificationAnswers(
        ClipDataset dataset, float[] raw, int[] actual, DetectorResult? detector, OutOfFoldMembers members)
    {
        int classes = dataset.Labels.Count;
        var cryScoreOf = new Dictionary<string, double>(StringComparer.Ordinal);
        if (detector is not null)
        {
            for (int r = 0; r < detector.Recordings.Count; r++)
            {
                cryScoreOf[detector.Recordings[r].ClipId] = detector.OutOfFoldScores[r];
            }
        }

        bool Detected(string clipId) => detector is null || (cryScoreOf.TryGetValue(clipId, out double s) && s >= detector.Model.Threshold);
        var answers = new List<ScoredAnswer>();
        for (int i = 0; i < dataset.Count; i++)
        {
            if (Detected(dataset.Clips[i].ClipId))
            {
                var row = raw.AsSpan(i * classes, classes);
                int predicted = Probabilities.ArgMax(row);
                answers.Add(new ScoredAnswer(predicted, row[predicted], predicted == actual[i]));
            }
        }

        var negatives = members.Negatives;
        int falsePositives = 0;
        for (int n = 0; n < negatives.Count; n++)
        {
            if (members.NegativeProbabilities[n] is { } row && detector is not null && detector.OutOfFoldScores[negatives[n].Index] >= detector.Model.Threshold)
            {
                int predicted = Probabilities.ArgMax(row);
                answers.Add(new ScoredAnswer(predicted, row[predicted], Correct: false));
                falsePositives++;
            }
        }

        return (answers, falsePositives);
    }

    private static ModelManifest Manifest(
        FeaturizedDataset data,
        EnsembleOptions options,
        string modelId,
        string commandLine,
        EnsembleMember[] memberEntries,
        double temperature,
        double[] bias,
        List<CalibrationScore> conformalScores,
        MondrianConformal conformal,
        IReadOnlyList<LabelCertification> certificates,
        double[] priors,
        int[] perClass,
        DetectorResult? detector,
        MetricsReport report)
    {
        var dataset = data.Dataset;
        var labels = dataset.Labels;
        int classes = labels.Count;
        int folds = options.Experiment.Folds;
        return new ModelManifest
        {
            FormatVersion = ModelManifest.CurrentFormatVersion,
            ModelId = modelId,
            CreatedUtc = DateTimeOffset.UtcNow,
            Architecture = options.Experiment.Training.Model,
            Labels = [.. labels],
            FeatureSpec = data.Spec,
            InputShape = [.. data.Shape],
            Normalisation = memberEntries[0].Normalisation,
            Temperature = temperature,
            Members = memberEntries,
            Calibration = new ProbabilityCalibration(Math.Round(temperature, 6), [.. bias.Select(b => Math.Round(b, 6))]),
            Conformal = new ConformalCalibration(
                options.Alpha,
                [.. Enumerable.Range(0, classes).Select(k => (IReadOnlyList<IReadOnlyList<double>>)[.. Enumerable.Range(0, folds).Select(f =>
                    (IReadOnlyList<double>)[.. conformalScores.Where(s => s.Label == k && s.Fold == f).Select(s => Math.Round(s.Probability, 7)).Order()])])],
                [.. conformal.AlwaysInSet.Select(k => labels[k])]),
            Certification = new CertificationInfo(
                options.Certification.Target,
                options.Certification.MarginOverPrior,
                options.Certification.Confidence,
                [.. certificates.Select(c => new LabelCertificate(
                    labels[c.Label], Math.Round(c.Prior, 6), Math.Round(c.Required, 6), c.Threshold,
                    c.CertifiedPrecision is { } p ? Math.Round(p, 6) : null, c.Answered, c.Correct, c.Reason))]),
            Priors = labels.Select((l, k) => (l, k)).ToDictionary(x => x.l, x => Math.Round(priors[x.k], 6), StringComparer.Ordinal),
            Detector = detector?.Model,
            TrainingData = new TrainingDataInfo(
                ModelBundle.DataHash(dataset.Clips, data.Spec.Id),
                dataset.Count,
                dataset.GroupCount,
                labels.Select((l, k) => (l, k)).ToDictionary(x => x.l, x => perClass[x.k], StringComparer.Ordinal),
                []),
            Metrics = new Dictionary<string, double>
            {
                ["macroF1"] = report.MacroF1,
                ["balancedAccuracy"] = report.BalancedAccuracy,
                ["accuracy"] = report.Accuracy,
                ["ece"] = report.Ece ?? double.NaN,
            }.Where(kv => double.IsFinite(kv.Value)).ToDictionary(),
            Packages = ModelBundle.PackageVersions(),
            CommandLine = commandLine,
        };
    }

    /// <summary>
    /// The trust report of the out-of-fold answers: every need clip and every non-cry as answered by the fold model and
    /// the detector fold model that did not see its group, with the bundle's calibration, certified thresholds and rules.
    /// </summary>
    /// <remarks>
    /// An out-of-fold recording has one model that did not see it, so its set is split conformal within its fold (ranked
    /// among the other held-out recordings of that fold): fewer calibration scores than the bundle's cross-conformal
    /// sets have, hence sets a little larger and classes more often always in. The confident rule's thresholds were
    /// certified on these same answers, so their accuracy here is the certification's own data, not a fresh check.
    /// </remarks>
    private static TrustReport OutOfFoldTrust(
        ClipDataset dataset,
        IReadOnlyList<DetectorRecording> recordings,
        DetectorResult? detector,
        float[] calibrated,
        float[] raw,
        int[] foldOfClip,
        List<CalibrationScore> conformalScores,
        int[] negativeRecordings,
        float[]?[] negativeProbabilities,
        double temperature,
        double[] bias,
        IReadOnlyList<LabelCertification> certificates,
        double alpha,
        int folds,
        Func<string, int> foldOf)
    {
        var labels = dataset.Labels;
        int classes = labels.Count;
        var recordingOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int r = 0; r < recordings.Count; r++)
        {
            recordingOf[recordings[r].ClipId] = r;
        }

        // Split conformal within each fold: the fold's held-out scores, one recording left out when it is one of them.
        var byFold = Enumerable.Range(0, folds).Select(f => conformalScores.Select((s, i) => (s, i)).Where(x => x.s.Fold == f).ToList()).ToArray();
        IReadOnlyList<int> SetOf(int fold, int leaveOut, float[] rawRow)
        {
            var scores = byFold[fold].Where(x => x.i != leaveOut).Select(x => x.s with { Fold = 0 }).ToList();
            var sets = MondrianConformal.Fit(scores, classes, 1, alpha);
            return sets.Set([[.. rawRow.Select(p => (double)p)]]);
        }

        var cases = new List<TrustCase>();
        for (int i = 0; i < dataset.Count; i++)
        {
            var clip = dataset.Clips[i];
            int r = recordingOf.GetValueOrDefault(clip.ClipId, -1);
            var (score, detected, segments) = Detection(detector, r);
            bool answered = detected != false;
            float[] rawRow = raw.AsSpan(i * classes, classes).ToArray();
            float[] row = calibrated.AsSpan(i * classes, classes).ToArray();
            int best = Probabilities.ArgMax(row);
            cases.Add(new TrustCase(
                clip.ClipId, clip.Source ?? clip.Label, IsCry: true, dataset.LabelIndices[i], r >= 0 ? recordings[r].DurationSeconds : 0, score, detected, segments,
                answered ? row : null, answered ? SetOf(foldOfClip[i], i, rawRow) : [], answered && Confident(certificates, best, rawRow[best])));
        }

        if (detector is not null)
        {
            AddDetectorOnlyCases(
                cases, dataset, recordings, detector, negativeRecordings, negativeProbabilities, temperature, bias, certificates, foldOf, SetOf);
        }

        return TrustReport.Compute(labels, cases, 1 - alpha);
    }

    // The trust cases of the detector's recordings that are not need clips: non-cries, and cries with no need label.
    private static void AddDetectorOnlyCases(
        List<TrustCase> cases,
        ClipDataset dataset,
        IReadOnlyList<DetectorRecording> recordings,
        DetectorResult detector,
        int[] negativeRecordings,
        float[]?[] negativeProbabilities,
        double temperature,
        double[] bias,
        IReadOnlyList<LabelCertification> certificates,
        Func<string, int> foldOf,
        Func<int, int, float[], IReadOnlyList<int>> setOf)
    {
        int classes = dataset.Labels.Count;
        var need = dataset.Clips.Select(c => c.ClipId).ToHashSet(StringComparer.Ordinal);
        var negativeOf = negativeRecordings.Select((r, n) => (r, n)).ToDictionary(x => x.r, x => x.n);
        for (int r = 0; r < recordings.Count; r++)
        {
            var recording = recordings[r];
            if (need.Contains(recording.ClipId))
            {
                continue;
            }

            var (score, detected, segments) = Detection(detector, r);
            float[]? rawRow = !recording.IsCry && negativeOf.TryGetValue(r, out int n) ? negativeProbabilities[n] : null;
            bool answered = detected == true && rawRow is not null;
            float[]? row = null;
            int best = 0;
            if (answered)
            {
                row = new float[classes];
                Probabilities.Softmax([.. rawRow!.Select(p => MathF.Log(Math.Max(p, 1e-30f)))], temperature, bias, row, classes);
                best = Probabilities.ArgMax(row);
            }

            cases.Add(new TrustCase(
                recording.ClipId, recording.Source, recording.IsCry, Need: null, recording.DurationSeconds, score, detected, segments,
                row, detected == true ? (answered ? setOf(foldOf(recording.Group), -1, rawRow!) : null) : [],
                answered && Confident(certificates, best, rawRow![best])));
        }
    }

    // A recording's out-of-fold detection (score, heard, segments); all null without a detector, r < 0 when not featurized.
    private static (double? Score, bool? Detected, int? Segments) Detection(DetectorResult? detector, int r)
    {
        if (detector is null)
        {
            return (null, null, null);
        }

        if (r < 0)
        {
            return (0, false, 0); // Not decodable for the detector: no cry heard.
        }

        var model = detector.Model;
        var windows = detector.OutOfFoldWindows[r];
        double[] starts = [.. Enumerable.Range(0, windows.Length).Select(w => (double)w)];
        int segments = CryDetection.Segments(windows, starts, 1, windows.Length, model.Threshold, model.MinSegmentWindows).Count;
        return (detector.OutOfFoldScores[r], detector.OutOfFoldScores[r] >= model.Threshold, segments);
    }

    private static bool Confident(IReadOnlyList<LabelCertification> certificates, int best, float memberProbability) =>
        certificates[best].Threshold is { } t && memberProbability >= t;

    /// <summary>A fold for a group that has no need clips (a detector-only source): FNV-1a of its name, modulo the folds.</summary>
    public static int StableFold(string group, int folds)
    {
        uint hash = 2166136261;
        foreach (char c in group)
        {
            hash = (hash ^ c) * 16777619;
        }

        return (int)(hash % (uint)folds);
    }

    private static string Export(TrainedModel model, FeaturizedDataset data, string path, string modelId, IReadOnlyList<string> labels)
    {
        string temporary = $"{path}.{Environment.ProcessId}.tmp";
        OnnxExporter.Export(
            model.Module,
            [data.Shape[0], data.Shape[1], data.Shape[2]],
            temporary,
            new OnnxExportOptions
            {
                MetadataProps = new Dictionary<string, string>
                {
                    ["labels"] = string.Join(',', labels),
                    ["specId"] = data.Spec.Id,
                    ["modelId"] = modelId,
                },
                DocString = $"CryFunctions {model.ModelName} fold model for {string.Join(", ", labels)}",
            });
        string hash;
        using (var onnx = File.OpenRead(temporary))
        {
            hash = Convert.ToHexStringLower(SHA256.HashData(onnx));
        }

        File.Move(temporary, path, overwrite: true);
        return hash;
    }

    private static void RemoveUnlisted(string folder, ModelManifest manifest)
    {
        var listed = manifest.Members!.Select(m => Path.GetFullPath(Path.Combine(folder, m.File))).ToHashSet(StringComparer.Ordinal);
        foreach (string file in Directory.EnumerateFiles(Path.Combine(folder, MembersFolder), "*.onnx"))
        {
            if (!listed.Contains(Path.GetFullPath(file)))
            {
                File.Delete(file);
            }
        }

        string single = Path.Combine(folder, ModelBundle.OnnxFileName);
        if (File.Exists(single))
        {
            File.Delete(single); // A format-1 model left from before: the new manifest does not name it.
        }
    }

    private static float[] Flatten(float[,] values)
    {
        int n = values.GetLength(0), classes = values.GetLength(1);
        var flat = new float[n * classes];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < classes; k++)
            {
                flat[(i * classes) + k] = values[i, k];
            }
        }

        return flat;
    }

    // The members and what the cross-validation's fold models answered out of fold.
    private sealed record OutOfFoldMembers(
        CrossValidationResult CrossValidation,
        EnsembleMember[] Entries,
        float[] Logits,
        int[] FoldOfClip,
        List<(DetectorRecording Recording, int Index)> Negatives,
        float[]?[] NegativeProbabilities);
}
