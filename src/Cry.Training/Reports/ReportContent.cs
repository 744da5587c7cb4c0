using Cry.Training.Data;
using Cry.Training.Evaluation;

namespace Cry.Training.Reports;

/// <summary>One epoch of one training run: losses and the validation score, as drawn in the learning curves.</summary>
/// <param name="Epoch">Epoch number (the x axis).</param>
/// <param name="TrainLoss">Mean training loss of the epoch; NaN or infinity is left out of the plot.</param>
/// <param name="ValidationLoss">Validation loss after the epoch; NaN or infinity is left out of the plot.</param>
/// <param name="ValidationScore">Validation score after the epoch (e.g. macro-F1); NaN or infinity is left out of the plot.</param>
public sealed record EpochMetrics(int Epoch, double TrainLoss, double ValidationLoss, double ValidationScore);

/// <summary>A feature tensor to show as an example of its class.</summary>
/// <param name="Values">The values, row-major.</param>
/// <param name="Shape">(H, W) or (C, H, W); channels are drawn side by side.</param>
public sealed record FeatureExample(float[] Values, int[] Shape);

/// <summary>What goes into an evaluation report folder written by <see cref="ReportWriter"/>.</summary>
public sealed record ReportContent
{
    /// <summary>The report's title (the Markdown H1).</summary>
    public required string Title { get; init; }

    /// <summary>One paragraph, Markdown, saying how the numbers were measured (data, protocol, model).</summary>
    public required string Method { get; init; }

    /// <summary>The metrics to report; written as <c>metrics.json</c> and as the headline tables.</summary>
    public required MetricsReport Metrics { get; init; }

    /// <summary>Per fold (or per run), the history of its epochs; drawn as <c>learning-curves.png</c> when given.</summary>
    public IReadOnlyList<IReadOnlyList<EpochMetrics>>? LearningCurves { get; init; }

    /// <summary>Feature images per class label; a few of each are drawn in <c>examples.png</c> when given.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<FeatureExample>>? Examples { get; init; }

    /// <summary>A Markdown section appended after the figures (e.g. a comparison with another protocol).</summary>
    public string? ExtraMarkdown { get; init; }

    /// <summary>Clips left out of the evaluation, listed in a table at the end.</summary>
    public IReadOnlyList<SkippedClip>? Skipped { get; init; }
}
