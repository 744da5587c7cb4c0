using Cry.Training.Data;
using Cry.Training.Evaluation;

namespace Cry.Training.Torch.Experiments;

/// <summary>One fold's outcome.</summary>
/// <param name="Fold">Fold number (0-based).</param>
/// <param name="Metrics">Metrics on the fold's test samples (calibrated probabilities).</param>
/// <param name="History">The training history.</param>
/// <param name="Temperature">The calibration temperature fitted on the fold's validation groups.</param>
/// <param name="TrainSamples">Training samples, augmented variants included.</param>
/// <param name="ValidationSamples">Validation samples.</param>
/// <param name="TestSamples">Test samples.</param>
public sealed record FoldOutcome(
    int Fold, ClassificationMetrics Metrics, IReadOnlyList<EpochReport> History, double Temperature, int TrainSamples, int ValidationSamples, int TestSamples);

/// <summary>A fold's trained model, handed to the caller before it is disposed.</summary>
/// <param name="Fold">Fold number (0-based).</param>
/// <param name="Model">The fold model (disposed after the callback returns).</param>
/// <param name="TestUnits">The units (clips, grouped) of the fold's test part.</param>
/// <param name="TestLogits">The model's logits of those units, in order.</param>
public sealed record FoldModel(int Fold, TrainedModel Model, int[] TestUnits, float[,] TestLogits);

/// <summary>The pooled out-of-fold predictions of a cross-validation and its report.</summary>
/// <param name="Report">Metrics on the pooled out-of-fold predictions, with fold mean ± sd, intervals and baselines.</param>
/// <param name="Folds">Per-fold outcomes.</param>
/// <param name="Actual">True label of every scored sample.</param>
/// <param name="Probabilities">Calibrated probabilities, row-major (samples × classes).</param>
/// <param name="UncalibratedProbabilities">The same before temperature scaling.</param>
public sealed record CrossValidationResult(
    MetricsReport Report, IReadOnlyList<FoldOutcome> Folds, int[] Actual, float[] Probabilities, float[] UncalibratedProbabilities);

/// <summary>Cross-validation of a network on a featurized dataset, grouped (honest) or leaky (the research's protocol).</summary>
/// <remarks>
/// Grouped: stratified group k-fold over clips; in each fold a grouped, stratified share of the training groups is
/// held out for early stopping and temperature scaling; the network trains on the remaining clips and their augmented
/// variants; the fold's test clips are scored as originals only. Every clip is predicted once, by the model that did not
/// see its group, and the headline metrics are computed on these pooled predictions.
/// Leaky: every variant is a sample of its own and samples are split at random (stratified), so copies of one recording
/// and recordings of one app instance land on both sides; scored over all variants, as the research did.
/// </remarks>
public static class CrossValidation
{
    /// <summary>Runs the cross-validation.</summary>
    /// <param name="data">The featurized clips and their augmented variants.</param>
    /// <param name="options">Protocol, folds, validation share and training options.</param>
    /// <param name="log">Receives one line per fold.</param>
    /// <param name="progress">Receives every epoch of every fold, synchronously on the training thread.</param>
    /// <param name="extraStages">Training runs the caller will add after the folds (e.g. the final model), counted in the reported stage count.</param>
    /// <param name="onFoldModel">Receives each fold model with its test logits before it is disposed (to export or score it).</param>
    /// <exception cref="DatasetException">A class has fewer groups (or, leaky, samples) than folds.</exception>
    public static CrossValidationResult Run(
        FeaturizedDataset data, ExperimentOptions options, Action<string>? log = null, IProgress<TrainingProgress>? progress = null, int extraStages = 0,
        Action<FoldModel>? onFoldModel = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        if (!(options.TrainingGroupShare > 0 && options.TrainingGroupShare <= 1))
        {
            throw new ArgumentException($"The training share must lie in (0, 1], not {options.TrainingGroupShare}.", nameof(options));
        }

        var samples = SampleTable.Create(data, options.Protocol);
        if (options.Protocol == EvaluationProtocol.Grouped)
        {
            data.Dataset.EnsureGroupedFolds(options.Folds);
        }

        int classes = data.Dataset.Labels.Count;
        var splits = new StratifiedGroupKFold(new StratifiedGroupKFoldOptions { Folds = options.Folds, Seed = options.Seed })
            .Split(samples.UnitLabels, samples.UnitGroups, classes, [.. data.Dataset.Labels]);

        var scored = new List<(int Unit, float[] Calibrated, float[] Raw)>();
        var outcomes = new List<FoldOutcome>();
        foreach (var split in splits)
        {
            var validationSplit = new GroupedValidationSplit(new GroupedValidationSplitOptions { Share = options.ValidationShare, Seed = options.Seed + (ulong)split.Fold })
                .Split(Select(samples.UnitLabels, split.TrainIndices), Select(samples.UnitGroups, split.TrainIndices), classes);
            int[] trainUnits = validationSplit.TrainIndices.Select(i => split.TrainIndices[i]).ToArray();
            if (options.TrainingGroupShare < 1)
            {
                int before = trainUnits.Select(u => samples.UnitGroups[u]).Distinct().Count();
                trainUnits = Subsample(trainUnits, samples.UnitGroups, samples.UnitLabels, options.TrainingGroupShare, options.Seed ^ (options.SubsampleSeed * 0x9E3779B97F4A7C15UL) ^ (ulong)split.Fold);
                log?.Invoke($"fold {split.Fold + 1}/{splits.Count}: training on {trainUnits.Select(u => samples.UnitGroups[u]).Distinct().Count()} of {before} app instances (share {options.TrainingGroupShare:0.##})");
            }

            int[] validationUnits = validationSplit.HeldOutIndices.Select(i => split.TrainIndices[i]).ToArray();

            var train = samples.Build(trainUnits, includeVariants: true);
            var validation = samples.Build(validationUnits, includeVariants: false);
            var test = samples.Build(split.TestIndices, includeVariants: false);
            log?.Invoke($"fold {split.Fold + 1}/{splits.Count}: {train.Count} training samples, {validation.Count} validation, {test.Count} test");

            var epochs = TrainingProgress.For(progress, $"fold {split.Fold + 1}/{splits.Count}", split.Fold, splits.Count + extraStages, options.Training.Epochs);
            using var model = Trainer.Fit(
                train, validation, options.Training, (actual, predicted) => ClassificationMetrics.Compute(actual, predicted, classes).MacroF1, epochs);
            double temperature = FitTemperature(model, validation, classes);
            var testLogits = model.Predict(test.Inputs, test.Count);
            onFoldModel?.Invoke(new FoldModel(split.Fold, model, split.TestIndices, testLogits));
            float[] raw = Softmax(testLogits, 1.0);
            float[] calibrated = Softmax(testLogits, temperature);
            for (int i = 0; i < test.Count; i++)
            {
                scored.Add((split.TestIndices[i], calibrated.AsSpan(i * classes, classes).ToArray(), raw.AsSpan(i * classes, classes).ToArray()));
            }

            var foldMetrics = ClassificationMetrics.Compute(test.Labels, calibrated, classes);
            outcomes.Add(new FoldOutcome(split.Fold, foldMetrics, model.History, temperature, train.Count, validation.Count, test.Count));
            log?.Invoke($"fold {split.Fold + 1}: macro-F1 {foldMetrics.MacroF1:0.000}, balanced accuracy {foldMetrics.BalancedAccuracy:0.000}, best epoch {model.BestEpoch}, T {temperature:0.00}");
        }

        scored.Sort((a, b) => a.Unit.CompareTo(b.Unit));
        int[] actualLabels = scored.Select(s => samples.UnitLabels[s.Unit]).ToArray();
        float[] probabilities = scored.SelectMany(s => s.Calibrated).ToArray();
        float[] uncalibrated = scored.SelectMany(s => s.Raw).ToArray();
        string[] groups = scored.Select(s => samples.UnitGroups[s.Unit]).ToArray();
        var report = MetricsReport.Evaluate([.. data.Dataset.Labels], actualLabels, probabilities, groups, bootstrap: new BootstrapOptions { Seed = options.Seed })
            with
            {
                Folds = FoldSummary.Of(outcomes.Select(o => o.Metrics).ToList()),
            };
        return new CrossValidationResult(report, outcomes, actualLabels, probabilities, uncalibrated);
    }

    /// <summary>Fits the calibration temperature on a model's validation logits (1 when there is nothing to fit on).</summary>
    public static double FitTemperature(TrainedModel model, TrainingData validation, int classes)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(validation);
        if (validation.Count == 0)
        {
            return 1.0;
        }

        var logits = model.Predict(validation.Inputs, validation.Count);
        var rows = new float[validation.Count][];
        for (int i = 0; i < validation.Count; i++)
        {
            rows[i] = new float[classes];
            for (int k = 0; k < classes; k++)
            {
                rows[i][k] = logits[i, k];
            }
        }

        return TemperatureScaling.Fit(rows, validation.Labels);
    }

    /// <summary>Softmax of logits / temperature, row-major.</summary>
    public static float[] Softmax(float[,] logits, double temperature)
    {
        ArgumentNullException.ThrowIfNull(logits);
        int n = logits.GetLength(0), classes = logits.GetLength(1);
        var flat = new float[n * classes];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < classes; k++)
            {
                flat[(i * classes) + k] = logits[i, k];
            }
        }

        var result = new float[flat.Length];
        TemperatureScaling.Apply(flat, temperature, result, classes);
        return result;
    }

    /// <summary>The units of a seeded share of the groups, every label keeping at least one group.</summary>
    private static int[] Subsample(int[] units, string[] unitGroups, int[] unitLabels, double share, ulong seed)
    {
        var random = new Random(unchecked((int)(seed ^ (seed >> 32))));
        string[] groups = [.. units.Select(u => unitGroups[u]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        random.Shuffle(groups);
        int keep = Math.Max(1, (int)Math.Ceiling(share * groups.Length));
        var kept = new HashSet<string>(StringComparer.Ordinal);
        foreach (int label in units.Select(u => unitLabels[u]).Distinct().Order())
        {
            kept.Add(groups.First(g => units.Any(u => unitGroups[u] == g && unitLabels[u] == label)));
        }

        foreach (string group in groups)
        {
            if (kept.Count >= keep)
            {
                break;
            }

            kept.Add(group);
        }

        return [.. units.Where(u => kept.Contains(unitGroups[u]))];
    }

    private static T[] Select<T>(IReadOnlyList<T> values, int[] indices) => indices.Select(i => values[i]).ToArray();
}
