using System.CommandLine;
using System.Globalization;
using Cry.Audio.Augmentation;
using Cry.Audio;
using Cry.Inference;
using Cry.Training.Data;
using Cry.Training.Evaluation;
using Cry.Training.Reports;
using Cry.Training.Torch.Experiments;

namespace Cry.Cli.Commands;

/// <summary><c>cry evaluate</c>: cross-validation of the method on a folder of clips, written as a report folder.</summary>
internal static class EvaluateCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var arguments = new TrainingArguments();
        var folds = new Option<int>("--folds") { Description = "Number of folds (every class needs at least this many groups when grouped).", DefaultValueFactory = _ => 5 };
        var protocol = new Option<string>("--protocol")
        {
            Description = "grouped: stratified group k-fold by app instance, augmentation only in training folds (honest). " +
                "leaky: the research's protocol, augment first then split at random (for comparison; it leaks).",
            DefaultValueFactory = _ => "grouped",
        };
        protocol.AcceptOnlyFromAmong("grouped", "leaky");
        var outFolder = new Option<string>("--out") { Description = "The report folder: metrics.json, report.md and figures (and bundle/, the cross-validation's bundle).", Required = true };
        var command = new Command(
            "evaluate",
            "Cross-validate the method on --data and write a report (pooled out-of-fold metrics, per-fold mean ± sd, intervals, baselines, " +
            "and what the answers are worth: detector, sets, confident answers, calibration). With --model <bundle> it scores that bundle instead, " +
            "answering every recording of --data and --detector-data as `cry predict` would.");
        foreach (var option in arguments.All.Concat(arguments.Guarantees))
        {
            command.Options.Add(option);
        }

        command.Options.Add(folds);
        command.Options.Add(protocol);
        command.Options.Add(outFolder);
        command.SetAction(parse =>
        {
            int k = parse.GetValue(folds);
            if (k < 2)
            {
                throw new UsageException("--folds must be at least 2.");
            }

            string modelArgument = parse.GetValue(arguments.Model)!;
            if (File.Exists(Path.Combine(modelArgument, Features.Models.ModelManifest.FileName)))
            {
                return ScoreBundle(modelArgument, parse.GetValue(arguments.Data)!, arguments.DetectorClips(parse), parse.GetValue(outFolder)!, parse.GetValue(arguments.Threads), output, error);
            }

            var chosen = parse.GetValue(protocol) == "leaky" ? EvaluationProtocol.Leaky : EvaluationProtocol.Grouped;
            var features = arguments.Featurize(parse, error);
            if (chosen == EvaluationProtocol.Grouped)
            {
                return CrossValidateBundle(parse, arguments, features, k, parse.GetValue(outFolder)!, output, error);
            }

            var options = arguments.Experiment(parse, k, chosen);
            CrossValidationResult result;
            try
            {
                var view = TrainingProgressView.Create(error);
                result = view.Run(() => CrossValidation.Run(features, options, view.Log, view));
            }
            catch (DatasetException ex)
            {
                throw new BadInputException(ex.Message, ex);
            }

            string folder = parse.GetValue(outFolder)!;
            Directory.CreateDirectory(folder);
            var report = result.Report with { Title = $"{k}-fold {chosen.ToString().ToLowerInvariant()} cross-validation, {features.Spec.Id}, {options.Training.Model}" };
            ReportContents.Write(folder, ReportContents.From(report.Title!, ReportContents.Method(features, options), report, result, features));
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"evaluate: {chosen.ToString().ToLowerInvariant()} {k}-fold, {result.Actual.Length} predictions, macro-F1 {report.MacroF1:0.000}, balanced accuracy {report.BalancedAccuracy:0.000}, accuracy {report.Accuracy:0.000} → {folder}"));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// The grouped cross-validation exactly as <c>cry train</c> runs it (the bundle is kept in <c>bundle/</c>): the
    /// report's trust section comes from the same out-of-fold answers that fitted the bundle's calibration and rules.
    /// </summary>
    private static int CrossValidateBundle(ParseResult parse, TrainingArguments arguments, FeaturizedDataset features, int k, string folder, TextWriter output, TextWriter error)
    {
        try
        {
            features.Dataset.EnsureGroupedFolds(k); // Asked for k folds to measure: refused, not lowered as `cry train` does.
        }
        catch (DatasetException ex)
        {
            throw new BadInputException(ex.Message, ex);
        }

        var options = arguments.Ensemble(parse, features, k, error);
        var extra = arguments.DetectorClips(parse);
        EnsembleResult result;
        try
        {
            var view = TrainingProgressView.Create(error);
            result = view.Run(() => EnsembleBundle.Train(features, Path.Combine(folder, "bundle"), options, "cry evaluate", view.Log, view, extra));
        }
        catch (DatasetException ex)
        {
            throw new BadInputException(ex.Message, ex);
        }

        var report = result.Report with { Title = $"{options.Experiment.Folds}-fold grouped cross-validation, {features.Spec.Id}, {options.Experiment.Training.Model}" };
        string method = ReportContents.Method(features, options.Experiment) + " " + TrustMethod(result.Manifest, outOfFold: true);
        ReportContents.Write(folder, ReportContents.From(report.Title!, method, report, result.CrossValidation, features));
        ReportContents.WritePredictions(folder, result.CrossValidation, features);
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"evaluate: grouped {options.Experiment.Folds}-fold, {result.CrossValidation.Actual.Length} predictions, macro-F1 {report.MacroF1:0.000}, balanced accuracy {report.BalancedAccuracy:0.000}, accuracy {report.Accuracy:0.000} → {folder}"));
        foreach (string line in TrustLines(report.Trust))
        {
            output.WriteLine($"evaluate: {line}");
        }

        return ExitCodes.Success;
    }

    /// <summary>What the trust section of a report measures.</summary>
    private static string TrustMethod(Features.Models.ModelManifest manifest, bool outOfFold) =>
        (outOfFold
            ? "The trust section answers every recording with the fold model and detector fold model that did not see its group, with the bundle's calibration and certified thresholds; " +
              "sets there are split conformal within each fold (the bundle's own sets are cross-conformal over all folds), and the confident answers are the very answers the thresholds were certified on."
            : "The trust section answers every recording as `cry predict` does (detector, segments, the ensemble over cry windows, sets, confident rule).") +
        (manifest.Detector is null ? " The bundle has no cry detector." : string.Empty);

    /// <summary>One-line summaries of a trust report for the console.</summary>
    internal static IEnumerable<string> TrustLines(TrustReport? trust)
    {
        if (trust is null)
        {
            yield break;
        }

        if (trust.Detector is { } d)
        {
            yield return string.Create(CultureInfo.InvariantCulture,
                $"cry detection: recall {d.Recall:0.000} of {d.Cries} cries, non-cries recognised {d.Specificity:0.000} of {d.NonCries}, AUC {d.Auc:0.000}") +
                (d.FalseSegmentsPerHour is { } f ? string.Create(CultureInfo.InvariantCulture, $", {f:0.0} false segments per hour") : string.Empty);
            foreach (var s in d.PerSource.Where(s => !s.IsCry))
            {
                yield return string.Create(CultureInfo.InvariantCulture, $"  non-cries of {s.Source}: {s.Correct}/{s.Count} recognised ({s.Rate:0.000})");
            }
        }

        if (trust.Sets is { } sets)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"sets at {sets.Level:0.00}: coverage {sets.Coverage:0.000} of {sets.Cries} need cries, mean size {sets.MeanSize:0.00}");
        }

        var c = trust.Confident;
        yield return c.Answers == 0
            ? "confident answers: none"
            : string.Create(CultureInfo.InvariantCulture, $"confident answers: {c.Right}/{c.Answers} right ({c.Accuracy:0.000}), {c.NonCriesAnswered} to non-cries");
        if (trust.Calibration is { } cal)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"calibration: ECE {cal.Ece:0.000} over {cal.Answers} answered need cries");
        }
    }

    /// <summary>Scores an existing model bundle on a labelled folder: no training, the bundle's own spec and calibration.</summary>
    private static int ScoreBundle(string modelFolder, string data, IReadOnlyList<ClipInfo> detectorData, string folder, int threads, TextWriter output, TextWriter error)
    {
        OnnxCryModel model;
        try
        {
            model = OnnxCryModel.Load(modelFolder);
        }
        catch (ModelBundleException ex)
        {
            throw new BadInputException(ex.Message, ex);
        }

        using (model)
        {
            FeaturizedDataset features;
            try
            {
                var dataset = ClipDataset.FromFolder(data);
                var unknown = dataset.Labels.Except(model.Manifest.Labels, StringComparer.Ordinal).ToList();
                if (unknown.Count > 0)
                {
                    throw new BadInputException($"{data}: the model does not know the label(s) {string.Join(", ", unknown)}; it knows {string.Join(", ", model.Manifest.Labels)}.");
                }

                features = FeaturizedDataset.Compute(dataset, model.Manifest.FeatureSpec, AugmentationPolicy.None, threads: threads);
            }
            catch (DatasetException ex)
            {
                throw new BadInputException($"{data}: {ex.Message}", ex);
            }

            foreach (var skipped in features.Skipped)
            {
                error.WriteLine($"cry: skipped {skipped.Path}: {skipped.Reason}");
            }

            int count = features.Dataset.Count;
            var inputs = new float[count * model.InputLength];
            for (int i = 0; i < count; i++)
            {
                features.Variants[i][0].CopyTo(inputs, i * model.InputLength);
            }

            var probabilities = model.PredictProbabilities(inputs, count);
            int[] actual = features.Dataset.Clips.Select(c => model.Manifest.Labels.ToList().IndexOf(c.Label)).ToArray();
            var trust = HeldOutTrust(modelFolder, model.Manifest, [.. features.Dataset.Clips, .. features.Dataset.DetectorClips, .. detectorData], threads, error);
            var report = MetricsReport.Evaluate([.. model.Manifest.Labels], actual, probabilities, [.. features.Dataset.Groups])
                with
                {
                    Title = $"Model {model.Manifest.ModelId} on {data}",
                    Temperature = model.Manifest.Temperature,
                    Trust = trust,
                };
            ReportContents.Write(folder, new ReportContent
            {
                Title = report.Title!,
                Method = $"The bundle `{model.Manifest.ModelId}` ({model.Manifest.Architecture}, spec `{model.Manifest.SpecId}`, temperature {model.Manifest.Temperature:0.00}) scored with ONNX Runtime on {count} clips, no training; " +
                    "the headline metrics score each clip's first window with the need model alone. " + TrustMethod(model.Manifest, outOfFold: false) + " " +
                    "Clips the model was trained on give optimistic numbers: score it on groups it never saw.",
                Metrics = report,
                Skipped = features.Skipped,
            });
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"evaluate: model {model.Manifest.ModelId} on {count} clips, macro-F1 {report.MacroF1:0.000}, balanced accuracy {report.BalancedAccuracy:0.000}, accuracy {report.Accuracy:0.000} → {folder}"));
            foreach (string line in TrustLines(trust))
            {
                output.WriteLine($"evaluate: {line}");
            }

            return ExitCodes.Success;
        }
    }

    /// <summary>Every recording answered by the bundle as <c>cry predict</c> answers it, beside its truth.</summary>
    private static TrustReport? HeldOutTrust(string modelFolder, Features.Models.ModelManifest manifest, IReadOnlyList<ClipInfo> clips, int threads, TextWriter error)
    {
        var labels = manifest.Labels;
        using var predictor = Predictor.FromFolder(modelFolder, new InferenceOptions());
        var cases = new TrustCase?[clips.Count];
        var failures = new System.Collections.Concurrent.ConcurrentBag<(int Index, string Reason)>();
        Parallel.For(0, clips.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, i =>
        {
            var clip = clips[i];
            try
            {
                using var stream = File.OpenRead(clip.Path);
                var answer = predictor.Predict(stream);
                int need = labels.ToList().IndexOf(clip.Label);
                cases[i] = new TrustCase(
                    clip.ClipId,
                    clip.Source ?? clip.Label,
                    clip.Label != ReservedLabels.NotCry,
                    need >= 0 ? need : null,
                    answer.DurationSeconds,
                    answer.CryProbability,
                    answer.CryDetected,
                    answer.CryDetected is null ? null : answer.Segments.Count,
                    answer.Probabilities is { } p ? [.. labels.Select(l => (float)p[l])] : null,
                    answer.LabelSet is { } set ? [.. set.Select(l => labels.ToList().IndexOf(l))] : null,
                    !answer.Uncertain);
            }
            catch (Exception ex) when (ex is AudioFormatException or IOException or UnauthorizedAccessException)
            {
                failures.Add((i, ex.Message));
            }
        });
        foreach (var (index, reason) in failures.OrderBy(f => f.Index))
        {
            error.WriteLine($"cry: skipped {clips[index].Path}: {reason}");
        }

        var scored = cases.Where(c => c is not null).Select(c => c!).ToList();
        return scored.Count == 0 ? null : TrustReport.Compute(labels, scored, manifest.Conformal is { } conformal ? 1 - conformal.Alpha : null);
    }
}
