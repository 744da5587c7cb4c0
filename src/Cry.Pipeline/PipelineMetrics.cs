using System.Diagnostics.Metrics;

namespace Cry.Pipeline;

/// <summary>
/// The pipeline's metrics (meter <see cref="MeterName"/>): clips accepted and quarantined, feature units computed,
/// predictions and their latency, retraining runs by outcome. No instrument carries audio, file names or clip metadata.
/// The Function app exports them with OpenTelemetry (Azure Monitor when Application Insights is configured).
/// </summary>
public static class PipelineMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "CryFunctions";

    private static readonly Meter s_meter = new(MeterName);

    /// <summary>Clips accepted for processing, by label.</summary>
    public static Counter<long> ClipsAccepted { get; } = s_meter.CreateCounter<long>("cry.clips.accepted", "{clip}");

    /// <summary>Clips moved to quarantine.</summary>
    public static Counter<long> ClipsQuarantined { get; } = s_meter.CreateCounter<long>("cry.clips.quarantined", "{clip}");

    /// <summary>Feature units written.</summary>
    public static Counter<long> FeaturesComputed { get; } = s_meter.CreateCounter<long>("cry.features.computed", "{tensor}");

    /// <summary>Predictions answered, by status code.</summary>
    public static Counter<long> Predictions { get; } = s_meter.CreateCounter<long>("cry.predictions", "{request}");

    /// <summary>Time to answer a prediction request.</summary>
    public static Histogram<double> PredictionDuration { get; } = s_meter.CreateHistogram<double>("cry.prediction.duration", "ms");

    /// <summary>Retraining runs that reached a decision, by outcome (promoted / not promoted).</summary>
    public static Counter<long> RetrainingRuns { get; } = s_meter.CreateCounter<long>("cry.retraining.runs", "{run}");
}
