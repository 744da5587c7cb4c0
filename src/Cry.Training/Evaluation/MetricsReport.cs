using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cry.Training.Evaluation;

/// <summary>Precision, recall and F1 of one named class in a <see cref="MetricsReport"/>.</summary>
/// <param name="Label">Class name.</param>
/// <param name="Precision">TP / predicted (0 when nothing was predicted as it).</param>
/// <param name="Recall">TP / support (0 without support).</param>
/// <param name="F1">Harmonic mean of precision and recall (0 when both are 0).</param>
/// <param name="Support">Clips of this class.</param>
/// <param name="Predicted">Clips predicted as this class.</param>
public sealed record ClassReport(string Label, double Precision, double Recall, double F1, int Support, int Predicted);

/// <summary>Everything an evaluation reports: headline metrics, per-class scores, confusion, calibration, intervals, baselines.</summary>
/// <remarks>Serialises to camelCase JSON with <see cref="ToJson"/>; null members are left out. Renders to Markdown with <see cref="MetricsReportMarkdown"/>.</remarks>
public sealed record MetricsReport
{
    /// <summary>What was evaluated (model, protocol), free text.</summary>
    public string? Title { get; init; }

    /// <summary>Class names in class-index order.</summary>
    public required string[] Labels { get; init; }

    /// <summary>Number of clips scored.</summary>
    public required int SampleCount { get; init; }

    /// <summary>Mean F1 over classes present in actual or predicted labels.</summary>
    public required double MacroF1 { get; init; }

    /// <summary>Mean recall over classes present in the actual labels.</summary>
    public required double BalancedAccuracy { get; init; }

    /// <summary>Share of clips predicted correctly.</summary>
    public required double Accuracy { get; init; }

    /// <summary>Scores of every class, in class-index order.</summary>
    public required ClassReport[] PerClass { get; init; }

    /// <summary>Confusion matrix, <c>confusion[actual][predicted]</c>.</summary>
    public required int[][] Confusion { get; init; }

    /// <summary>Expected calibration error (10 bins), when probabilities were scored.</summary>
    public double? Ece { get; init; }

    /// <summary>Log loss, when probabilities were scored.</summary>
    public double? LogLoss { get; init; }

    /// <summary>The temperature applied to the logits before scoring, when one was fitted.</summary>
    public double? Temperature { get; init; }

    /// <summary>Bootstrap intervals of the headline metrics.</summary>
    public ConfidenceIntervals? ConfidenceIntervals { get; init; }

    /// <summary>Scores of the always-majority and class-prior random baselines.</summary>
    public required BaselineMetrics[] Baselines { get; init; }

    /// <summary>Per-fold mean ± sd, for a cross-validated evaluation.</summary>
    public FoldSummary? Folds { get; init; }

    /// <summary>What the product's statements are worth (detector, sets, confident answers, calibration); null when not measured.</summary>
    public TrustReport? Trust { get; init; }

    /// <summary>Assembles a report from computed parts.</summary>
    /// <exception cref="ArgumentException">The number of labels differs from the metrics' class count.</exception>
    public static MetricsReport Create(
        IReadOnlyList<string> labels,
        ClassificationMetrics metrics,
        IReadOnlyList<BaselineMetrics> baselines,
        ConfidenceIntervals? confidenceIntervals = null,
        FoldSummary? folds = null,
        string? title = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(baselines);
        if (labels.Count != metrics.ClassCount)
        {
            throw new ArgumentException($"There are {labels.Count} labels but the metrics have {metrics.ClassCount} classes.", nameof(labels));
        }

        return new MetricsReport
        {
            Title = title,
            Labels = labels.ToArray(),
            SampleCount = metrics.SampleCount,
            MacroF1 = metrics.MacroF1,
            BalancedAccuracy = metrics.BalancedAccuracy,
            Accuracy = metrics.Accuracy,
            PerClass = metrics.PerClass
                .Select(c => new ClassReport(labels[c.ClassIndex], c.Precision, c.Recall, c.F1, c.Support, c.Predicted))
                .ToArray(),
            Confusion = metrics.Confusion.Select(row => row.ToArray()).ToArray(),
            Ece = metrics.ExpectedCalibrationError,
            LogLoss = metrics.LogLoss,
            ConfidenceIntervals = confidenceIntervals,
            Baselines = baselines.ToArray(),
            Folds = folds,
        };
    }

    /// <summary>Scores hard predictions with bootstrap intervals and baselines in one call.</summary>
    /// <param name="labels">Class names in class-index order.</param>
    /// <param name="actual">Actual class of every clip.</param>
    /// <param name="predicted">Predicted class of every clip.</param>
    /// <param name="groups">Group keys; when given, the bootstrap resamples groups.</param>
    /// <param name="trainingLabels">Labels the baselines may know (the training set); empty to use <paramref name="actual"/>.</param>
    /// <param name="bootstrap">Bootstrap settings.</param>
    /// <exception cref="ArgumentException">Lengths disagree, there are no clips, or a class index is out of range.</exception>
    public static MetricsReport Evaluate(
        IReadOnlyList<string> labels,
        ReadOnlySpan<int> actual,
        ReadOnlySpan<int> predicted,
        IReadOnlyList<string>? groups = null,
        ReadOnlySpan<int> trainingLabels = default,
        BootstrapOptions? bootstrap = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var metrics = ClassificationMetrics.Compute(actual, predicted, labels.Count);
        return Create(
            labels,
            metrics,
            Evaluation.Baselines.Compute(actual, labels.Count, trainingLabels),
            BootstrapConfidence.Compute(actual, predicted, labels.Count, bootstrap, groups));
    }

    /// <summary>Scores row-major class probabilities (arg-max predictions plus ECE and log loss) with intervals and baselines.</summary>
    /// <exception cref="ArgumentException">Lengths disagree, there are no clips, or a class index is out of range.</exception>
    public static MetricsReport Evaluate(
        IReadOnlyList<string> labels,
        ReadOnlySpan<int> actual,
        ReadOnlySpan<float> probabilities,
        IReadOnlyList<string>? groups = null,
        ReadOnlySpan<int> trainingLabels = default,
        BootstrapOptions? bootstrap = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var metrics = ClassificationMetrics.Compute(actual, probabilities, labels.Count);
        int[] predicted = ClassificationMetrics.ArgMax(probabilities, labels.Count);
        return Create(
            labels,
            metrics,
            Evaluation.Baselines.Compute(actual, labels.Count, trainingLabels),
            BootstrapConfidence.Compute(actual, predicted, labels.Count, bootstrap, groups));
    }

    /// <summary>The report as indented camelCase JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, MetricsReportJsonContext.Default.MetricsReport);

    /// <summary>Reads a report written by <see cref="ToJson"/>.</summary>
    /// <exception cref="JsonException">The text is not a valid report.</exception>
    public static MetricsReport FromJson(string json) =>
        JsonSerializer.Deserialize(json, MetricsReportJsonContext.Default.MetricsReport)
        ?? throw new JsonException("The JSON holds no report.");
}

/// <summary>Source-generated JSON metadata for <see cref="MetricsReport"/>: camelCase, indented, nulls omitted.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(MetricsReport))]
internal sealed partial class MetricsReportJsonContext : JsonSerializerContext;
