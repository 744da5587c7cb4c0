using System.Text.Json;
using System.Text.Json.Serialization;
using Cry.Features.Models;
using Cry.Training.Guarantees;

namespace Cry.Training.Evaluation;

/// <summary>One recording as the product answered it, with the truth beside it: what a trust report is computed from.</summary>
/// <param name="Id">The recording's id (clip id).</param>
/// <param name="Source">Where it comes from (a data folder, a sub-folder of non-cries such as <c>negatives/espeak</c>).</param>
/// <param name="IsCry">Whether it is an infant cry.</param>
/// <param name="Need">The index of its need label, or null (a non-cry, or a cry without a reason label).</param>
/// <param name="DurationSeconds">Its length.</param>
/// <param name="CryScore">The detector's recording score; null without a detector.</param>
/// <param name="Detected">Whether the product said "cry"; null without a detector (every recording is then answered).</param>
/// <param name="Segments">How many cry segments it was given; null without a detector.</param>
/// <param name="Probabilities">The calibrated need probabilities answered (null when no cry was detected).</param>
/// <param name="Set">The conformal set answered (empty when no cry; null without sets).</param>
/// <param name="Confident">Whether the answer was confident (<c>uncertain: false</c>).</param>
public sealed record TrustCase(
    string Id,
    string Source,
    bool IsCry,
    int? Need,
    double DurationSeconds,
    double? CryScore,
    bool? Detected,
    int? Segments,
    float[]? Probabilities,
    IReadOnlyList<int>? Set,
    bool Confident)
{
    /// <summary>Whether the product answered a need (a cry was detected, or there is no detector).</summary>
    public bool Answered => Probabilities is not null && Detected != false;

    /// <summary>The need answered (the most probable), or null.</summary>
    public int? Predicted => Answered ? Cry.Features.Models.Probabilities.ArgMax(Probabilities!) : null;
}

/// <summary>
/// What the product's statements are worth on a set of recordings: the cry detector, the prediction sets, the
/// confident answers and the calibration — each with the counts behind it, so that every rate can be checked.
/// </summary>
/// <remarks>
/// <para>Intervals are exact two-sided 95 % Clopper–Pearson intervals. Set coverage counts every need cry: a cry the
/// detector missed gets the empty set and is not covered. Confident accuracy counts a confident answer to a non-cry as
/// wrong and leaves out cries without a reason label (nothing to check it against). Calibration is computed over the
/// need cries that were answered.</para>
/// <para>Keys of the JSON (<see cref="ToJson"/>): <c>labels</c>, <c>recordings</c>, <c>detector</c> (null without a
/// detector: <c>cries</c>, <c>nonCries</c>, <c>auc</c>, <c>recall</c>, <c>specificity</c>, <c>perSource</c> with
/// <c>source</c>, <c>isCry</c>, <c>count</c>, <c>correct</c>, <c>rate</c>, <c>lower</c>, <c>upper</c> (cries: share
/// detected; non-cries: share recognised), <c>falseSegmentsPerHour</c> and <c>nonCryHours</c>, <c>roc</c> and
/// <c>precisionRecall</c> curves), <c>sets</c> (null without sets: <c>level</c>, <c>cries</c>, <c>coverage</c>,
/// <c>coverageLower</c>, <c>coverageWhenDetected</c>, <c>meanSize</c>, <c>singletonShare</c>, <c>perClass</c>),
/// <c>confident</c> (<c>answers</c>, <c>right</c>, <c>accuracy</c>, <c>lower</c>, <c>nonCriesAnswered</c>,
/// <c>shareOfDetectedCries</c>, <c>perLabel</c>, <c>accuracyCoverage</c>), <c>calibration</c> (<c>ece</c>,
/// <c>answers</c>, <c>bins</c>).</para>
/// </remarks>
public sealed record TrustReport
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The need labels, in index order.</summary>
    public required IReadOnlyList<string> Labels { get; init; }

    /// <summary>Recordings scored.</summary>
    public required int Recordings { get; init; }

    /// <summary>The cry detector's quality; null when the answers carry no detection.</summary>
    public required DetectorTrust? Detector { get; init; }

    /// <summary>The prediction sets' coverage and size; null when the answers carry no sets.</summary>
    public required SetTrust? Sets { get; init; }

    /// <summary>The confident answers' accuracy.</summary>
    public required ConfidentTrust Confident { get; init; }

    /// <summary>Calibration of the answered need probabilities; null when no need cry was answered.</summary>
    public required CalibrationTrust? Calibration { get; init; }

    /// <summary>The report as indented JSON (camelCase).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, s_json);

    /// <summary>Computes the report.</summary>
    /// <param name="labels">The need labels.</param>
    /// <param name="cases">The recordings as answered.</param>
    /// <param name="setLevel">The sets' level (1 − α), or null without sets.</param>
    /// <exception cref="ArgumentException">There are no recordings, or a need index is out of range.</exception>
    public static TrustReport Compute(IReadOnlyList<string> labels, IReadOnlyList<TrustCase> cases, double? setLevel)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(cases);
        if (cases.Count == 0)
        {
            throw new ArgumentException("A trust report needs at least one recording.", nameof(cases));
        }

        if (cases.Any(c => c.Need is { } n && (n < 0 || n >= labels.Count || !c.IsCry)))
        {
            throw new ArgumentException($"A recording has a need outside [0, {labels.Count}) or a need without being a cry.", nameof(cases));
        }

        return new TrustReport
        {
            Labels = labels,
            Recordings = cases.Count,
            Detector = cases.Any(c => c.CryScore is not null) ? DetectorTrust.Compute(cases.Where(c => c.CryScore is not null).ToList()) : null,
            Sets = setLevel is { } level && cases.Any(c => c.Set is not null) ? SetTrust.Compute(labels, cases, level) : null,
            Confident = ConfidentTrust.Compute(labels, cases),
            Calibration = CalibrationTrust.Compute(labels.Count, cases),
        };
    }

    /// <summary>An exact two-sided 95 % interval of k successes in n trials.</summary>
    internal static (double Lower, double Upper) Interval(int successes, int trials) =>
        trials == 0 ? (0, 1) : (ClopperPearson.Lower(successes, trials, 0.975), 1 - ClopperPearson.Lower(trials - successes, trials, 0.975));

    internal static double Rate(int successes, int trials) => trials == 0 ? double.NaN : successes / (double)trials;
}

/// <summary>A rate with its counts and exact 95 % interval.</summary>
public sealed record CountedRate(string Name, int Count, int Correct, double Rate, double Lower, double Upper)
{
    internal static CountedRate Of(string name, int correct, int count)
    {
        var (lower, upper) = TrustReport.Interval(correct, count);
        return new CountedRate(name, count, correct, TrustReport.Rate(correct, count), lower, upper);
    }
}

/// <summary>Detection rate of one source: the share of its cries detected, or of its non-cries recognised as such.</summary>
public sealed record SourceRate(string Source, bool IsCry, int Count, int Correct, double Rate, double Lower, double Upper);

/// <summary>A point of a curve.</summary>
public sealed record CurvePoint(double X, double Y, double Threshold);

/// <summary>The detector's quality on the recordings: at the bundle's threshold, per source, and over all thresholds.</summary>
public sealed record DetectorTrust(
    int Cries,
    int NonCries,
    double Auc,
    double Recall,
    double RecallLower,
    double Specificity,
    double SpecificityLower,
    IReadOnlyList<SourceRate> PerSource,
    double NonCryHours,
    double? FalseSegmentsPerHour,
    IReadOnlyList<CurvePoint> Roc,
    IReadOnlyList<CurvePoint> PrecisionRecall)
{
    internal static DetectorTrust Compute(IReadOnlyList<TrustCase> cases)
    {
        var cries = cases.Where(c => c.IsCry).ToList();
        var others = cases.Where(c => !c.IsCry).ToList();
        int detected = cries.Count(c => c.Detected == true);
        int recognised = others.Count(c => c.Detected == false);
        var perSource = cases.GroupBy(c => (c.Source, c.IsCry))
            .OrderBy(g => g.Key.IsCry).ThenBy(g => g.Key.Source, StringComparer.Ordinal)
            .Select(g =>
            {
                int correct = g.Count(c => c.Detected == c.IsCry);
                var (lower, upper) = TrustReport.Interval(correct, g.Count());
                return new SourceRate(g.Key.Source, g.Key.IsCry, g.Count(), correct, TrustReport.Rate(correct, g.Count()), lower, upper);
            })
            .ToList();
        double hours = others.Sum(c => c.DurationSeconds) / 3600;
        int falseSegments = others.Sum(c => c.Segments ?? 0);
        return new DetectorTrust(
            cries.Count,
            others.Count,
            AreaUnderCurve([.. cries.Select(c => c.CryScore!.Value)], [.. others.Select(c => c.CryScore!.Value)]),
            TrustReport.Rate(detected, cries.Count),
            TrustReport.Interval(detected, cries.Count).Lower,
            TrustReport.Rate(recognised, others.Count),
            TrustReport.Interval(recognised, others.Count).Lower,
            perSource,
            Math.Round(hours, 4),
            hours > 0 ? falseSegments / hours : null,
            Curves(cases, roc: true),
            Curves(cases, roc: false));
    }

    /// <summary>ROC (false-positive rate, recall) or precision–recall (recall, precision), one point per distinct score, at most ~200 points.</summary>
    private static List<CurvePoint> Curves(IReadOnlyList<TrustCase> cases, bool roc)
    {
        var ordered = cases.OrderByDescending(c => c.CryScore!.Value).ToList();
        int positives = ordered.Count(c => c.IsCry), negatives = ordered.Count - positives;
        var points = new List<CurvePoint>();
        if (positives == 0 || negatives == 0)
        {
            return points;
        }

        int step = Math.Max(1, ordered.Count / 200);
        int tp = 0, fp = 0;
        if (roc)
        {
            points.Add(new CurvePoint(0, 0, 1));
        }

        for (int i = 0; i < ordered.Count; i++)
        {
            if (ordered[i].IsCry)
            {
                tp++;
            }
            else
            {
                fp++;
            }

            bool lastOfScore = i == ordered.Count - 1 || ordered[i + 1].CryScore!.Value < ordered[i].CryScore!.Value;
            if (lastOfScore && (i % step == 0 || i == ordered.Count - 1))
            {
                double threshold = ordered[i].CryScore!.Value;
                points.Add(roc
                    ? new CurvePoint(fp / (double)negatives, tp / (double)positives, threshold)
                    : new CurvePoint(tp / (double)positives, tp / (double)(tp + fp), threshold));
            }
        }

        return points;
    }

    /// <summary>Area under the ROC curve (ties count half); NaN when either side is empty.</summary>
    public static double AreaUnderCurve(double[] cries, double[] others)
    {
        ArgumentNullException.ThrowIfNull(cries);
        ArgumentNullException.ThrowIfNull(others);
        if (cries.Length == 0 || others.Length == 0)
        {
            return double.NaN;
        }

        var sorted = others.Order().ToArray();
        double sum = 0;
        foreach (double c in cries)
        {
            int below = LowerBound(sorted, c);
            int belowOrEqual = UpperBound(sorted, c);
            sum += below + (0.5 * (belowOrEqual - below));
        }

        return sum / ((double)cries.Length * others.Length);
    }

    private static int LowerBound(double[] sorted, double x)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < x)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static int UpperBound(double[] sorted, double x)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= x)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}

/// <summary>A class's set coverage and mean set size.</summary>
public sealed record ClassCoverage(string Label, int Count, int Covered, double Coverage, double Lower, double Upper, double MeanSize);

/// <summary>The prediction sets' coverage of the true need and their size.</summary>
public sealed record SetTrust(
    double Level,
    int Cries,
    int Covered,
    double Coverage,
    double CoverageLower,
    double CoverageWhenDetected,
    double MeanSize,
    double SingletonShare,
    IReadOnlyList<ClassCoverage> PerClass)
{
    internal static SetTrust Compute(IReadOnlyList<string> labels, IReadOnlyList<TrustCase> cases, double level)
    {
        var needs = cases.Where(c => c.Need is not null).ToList();
        bool Covers(TrustCase c) => c.Set is { } set && set.Contains(c.Need!.Value);
        var answered = needs.Where(c => c.Answered && c.Set is not null).ToList();
        int covered = needs.Count(Covers);
        var perClass = labels.Select((label, k) =>
        {
            var mine = needs.Where(c => c.Need == k).ToList();
            int hit = mine.Count(Covers);
            var (lower, upper) = TrustReport.Interval(hit, mine.Count);
            var sized = mine.Where(c => c.Answered && c.Set is not null).ToList();
            return new ClassCoverage(label, mine.Count, hit, TrustReport.Rate(hit, mine.Count), lower, upper, sized.Count == 0 ? double.NaN : sized.Average(c => c.Set!.Count));
        }).ToList();
        return new SetTrust(
            level,
            needs.Count,
            covered,
            TrustReport.Rate(covered, needs.Count),
            TrustReport.Interval(covered, needs.Count).Lower,
            TrustReport.Rate(answered.Count(Covers), answered.Count),
            answered.Count == 0 ? double.NaN : answered.Average(c => c.Set!.Count),
            answered.Count == 0 ? double.NaN : answered.Count(c => c.Set!.Count == 1) / (double)answered.Count,
            perClass);
    }
}

/// <summary>The confident answers: how many, how often right, per label, and the accuracy–coverage trade-off of the top probability.</summary>
public sealed record ConfidentTrust(
    int Answers,
    int Right,
    double Accuracy,
    double Lower,
    int NonCriesAnswered,
    double ShareOfDetectedCries,
    IReadOnlyList<CountedRate> PerLabel,
    IReadOnlyList<CurvePoint> AccuracyCoverage)
{
    internal static ConfidentTrust Compute(IReadOnlyList<string> labels, IReadOnlyList<TrustCase> cases)
    {
        // Checkable answers: need cries (right when the need matches) and non-cries (always wrong).
        var confident = cases.Where(c => c.Confident && c.Answered && (c.Need is not null || !c.IsCry)).ToList();
        bool Right(TrustCase c) => c.Need is { } n && c.Predicted == n;
        int right = confident.Count(Right);
        var detectedNeeds = cases.Where(c => c.Need is not null && c.Answered).ToList();
        var perLabel = labels.Select((label, k) =>
        {
            var mine = confident.Where(c => c.Predicted == k).ToList();
            return CountedRate.Of(label, mine.Count(Right), mine.Count);
        }).ToList();

        // Answering only the top share by calibrated top probability: accuracy at each share (X = coverage).
        var ranked = detectedNeeds.OrderByDescending(c => c.Probabilities!.Max()).ToList();
        var curve = new List<CurvePoint>();
        int hits = 0;
        int step = Math.Max(1, ranked.Count / 100);
        for (int i = 0; i < ranked.Count; i++)
        {
            hits += Right(ranked[i]) ? 1 : 0;
            if ((i + 1) % step == 0 || i == ranked.Count - 1)
            {
                curve.Add(new CurvePoint((i + 1) / (double)ranked.Count, hits / (double)(i + 1), ranked[i].Probabilities!.Max()));
            }
        }

        return new ConfidentTrust(
            confident.Count,
            right,
            TrustReport.Rate(right, confident.Count),
            TrustReport.Interval(right, confident.Count).Lower,
            confident.Count(c => !c.IsCry),
            TrustReport.Rate(detectedNeeds.Count(c => c.Confident), detectedNeeds.Count),
            perLabel,
            curve);
    }
}

/// <summary>Calibration of the answered need probabilities.</summary>
public sealed record CalibrationTrust(int Answers, double Ece, IReadOnlyList<ReliabilityBin> Bins)
{
    internal static CalibrationTrust? Compute(int classes, IReadOnlyList<TrustCase> cases)
    {
        var answered = cases.Where(c => c.Need is not null && c.Answered).ToList();
        if (answered.Count == 0)
        {
            return null;
        }

        int[] actual = [.. answered.Select(c => c.Need!.Value)];
        float[] probabilities = [.. answered.SelectMany(c => c.Probabilities!)];
        var bins = CalibrationMetrics.Reliability(actual, probabilities, classes);
        return new CalibrationTrust(answered.Count, CalibrationMetrics.ExpectedCalibrationError(actual, probabilities, classes), bins);
    }
}
