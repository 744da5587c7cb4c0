using System.Globalization;
using Cry.Training.Data;
using Cry.Training.Evaluation;
using Cry.Training.Reports;
using Cry.Training.Torch.Experiments;

namespace Cry.Cli.Commands;

/// <summary>Builds the report of a cross-validation run: metrics, learning curves, example images, skipped clips.</summary>
internal static class ReportContents
{
    public static ReportContent From(string title, string method, MetricsReport metrics, CrossValidationResult result, FeaturizedDataset features) => new()
    {
        Title = title,
        Method = method,
        Metrics = metrics,
        LearningCurves = result.Folds
            .Select(f => (IReadOnlyList<EpochMetrics>)f.History.Select(e => new EpochMetrics(e.Epoch, e.TrainLoss, e.ValidationLoss, e.ValidationScore)).ToList())
            .ToList(),
        Examples = Enumerable.Range(0, features.Dataset.Count)
            .GroupBy(i => features.Dataset.Clips[i].Label, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => (IReadOnlyList<FeatureExample>)g.Take(4).Select(i => new FeatureExample(features.Variants[i][0], [.. features.Shape])).ToList(),
                StringComparer.Ordinal),
        Skipped = features.Skipped,
        ExtraMarkdown = Calibration(result, metrics.Labels.Length),
    };

    /// <summary>ECE of the pooled out-of-fold probabilities before and after temperature scaling, and the fold temperatures.</summary>
    public static string Calibration(CrossValidationResult result, int classes)
    {
        double before = CalibrationMetrics.ExpectedCalibrationError(result.Actual, result.UncalibratedProbabilities, classes);
        double after = CalibrationMetrics.ExpectedCalibrationError(result.Actual, result.Probabilities, classes);
        string temperatures = string.Join(", ", result.Folds.Select(f => f.Temperature.ToString("0.00", CultureInfo.InvariantCulture)));
        return string.Create(
            CultureInfo.InvariantCulture,
            $"## Calibration\n\nExpected calibration error (10 bins) of the pooled out-of-fold probabilities: **{before:0.000}** before temperature scaling, **{after:0.000}** after. Temperatures fitted per fold on its validation groups: {temperatures}.\n");
    }

    /// <summary>The file of <see cref="WritePredictions"/>.</summary>
    public const string PredictionsFile = "predictions.csv";

    /// <summary>
    /// Writes every clip's pooled out-of-fold prediction of a grouped cross-validation (one row per clip, in the
    /// dataset's order: clip id, group, true label, predicted label, the probability of each label from the clip's fold
    /// model with that fold's temperature — the predictions the headline metrics are computed on; the bundle's answers
    /// add the pooled calibration of the trust section), so a
    /// reader can compute any score of their own — a ROC at another operating point, a per-source table — from the
    /// very predictions the report summarises.
    /// </summary>
    /// <exception cref="ArgumentException">The result does not hold one prediction per clip (a leaky run scores variants).</exception>
    public static void WritePredictions(string folder, CrossValidationResult result, FeaturizedDataset features)
    {
        var clips = features.Dataset.Clips;
        var labels = features.Dataset.Labels;
        int classes = labels.Count;
        if (result.Actual.Length != clips.Count || result.Probabilities.Length != clips.Count * classes)
        {
            throw new ArgumentException($"{result.Actual.Length} predictions for {clips.Count} clips: only a grouped cross-validation has one per clip.", nameof(result));
        }

        var csv = new System.Text.StringBuilder("clip,group,label,predicted");
        foreach (string label in labels)
        {
            csv.Append(',').Append(CsvField("p_" + label));
        }

        csv.Append('\n');
        for (int i = 0; i < clips.Count; i++)
        {
            var row = result.Probabilities.AsSpan(i * classes, classes);
            int predicted = Cry.Features.Models.Probabilities.ArgMax(row);
            csv.Append(CsvField(clips[i].ClipId)).Append(',').Append(CsvField(clips[i].Group)).Append(',')
                .Append(CsvField(labels[result.Actual[i]])).Append(',').Append(CsvField(labels[predicted]));
            foreach (float p in row)
            {
                csv.Append(',').Append(p.ToString("0.######", CultureInfo.InvariantCulture));
            }

            csv.Append('\n');
        }

        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, PredictionsFile), csv.ToString());
    }

    /// <summary>An RFC 4180 field: quoted (with doubled quotes) when it holds a comma, a quote or a line break.</summary>
    private static string CsvField(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    /// <summary>Writes a report folder; a missing font for the figures is reported as an unavailable resource, not a bug.</summary>
    public static void Write(string folder, ReportContent content)
    {
        try
        {
            ReportWriter.Write(folder, content);
        }
        catch (InvalidOperationException ex)
        {
            throw new ResourceUnavailableException($"The report figures cannot be drawn: {ex.Message}", ex);
        }
    }

    public static string Method(FeaturizedDataset features, ExperimentOptions options) =>
        $"{features.Dataset.Count} clips in {features.Dataset.GroupCount} groups (app instances), feature spec `{features.Spec.Id}` " +
        $"({features.Shape[0]}×{features.Shape[1]}×{features.Shape[2]}), network `{options.Training.Model}`, up to {options.Training.Epochs} epochs with " +
        (options.Training.StopOn == Cry.Training.Torch.EarlyStoppingCriterion.Last
            ? "no early stopping (the last epoch is kept) and the loss reported "
            : $"early stopping (patience {options.Training.Patience}) ") +
        $"on the {(options.Training.StopOn == Cry.Training.Torch.EarlyStoppingCriterion.MacroF1 ? "macro-F1" : "loss")} of a {(options.Protocol == EvaluationProtocol.Grouped ? "grouped" : "random")} {options.ValidationShare:P0} validation share of each training fold, " +
        "class-weighted cross-entropy, temperature scaling fitted on that validation share. " +
        (options.Protocol == EvaluationProtocol.Grouped
            ? $"Stratified group {options.Folds}-fold cross-validation: no app instance is on both sides of a split, augmented variants are used only in training folds, and every clip is predicted once, by the model that did not see its group. The headline numbers are computed on these pooled out-of-fold predictions; the fold mean ± sd is beside them, and the intervals come from resampling groups."
            : $"Leaky protocol (the research's): every augmented variant is a sample, and samples are split into {options.Folds} folds at random, so copies of one recording and recordings of one app instance are on both sides. Shown only to compare with the grouped protocol; these numbers overstate what the method does on new infants.");
}
