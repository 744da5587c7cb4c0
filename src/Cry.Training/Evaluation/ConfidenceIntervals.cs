namespace Cry.Training.Evaluation;

/// <summary>A point estimate with the bounds of its confidence interval.</summary>
/// <param name="Estimate">The metric on the data as observed.</param>
/// <param name="Lower">Lower bound.</param>
/// <param name="Upper">Upper bound.</param>
public sealed record ConfidenceInterval(double Estimate, double Lower, double Upper);

/// <summary>Bootstrap confidence intervals of the headline metrics and how they were drawn.</summary>
/// <param name="MacroF1">Interval of macro-F1.</param>
/// <param name="BalancedAccuracy">Interval of balanced accuracy.</param>
/// <param name="Accuracy">Interval of accuracy.</param>
/// <param name="Level">Coverage, e.g. 0.95.</param>
/// <param name="Resamples">Number of resamples.</param>
/// <param name="Unit">What was resampled: <c>clip</c> or <c>group</c>.</param>
/// <param name="Seed">Seed of the resampling.</param>
public sealed record ConfidenceIntervals(
    ConfidenceInterval MacroF1,
    ConfidenceInterval BalancedAccuracy,
    ConfidenceInterval Accuracy,
    double Level,
    int Resamples,
    string Unit,
    ulong Seed);
