using System.Globalization;
using System.Text;

namespace Cry.Training.Evaluation;

/// <summary>Renders a <see cref="TrustReport"/> as Markdown: detector, sets, confident answers, calibration.</summary>
public static class TrustReportMarkdown
{
    /// <summary>The report as Markdown sections; rates with three decimals, counts beside them, invariant culture.</summary>
    public static string Render(TrustReport trust, string? scope = null)
    {
        ArgumentNullException.ThrowIfNull(trust);
        var md = new StringBuilder();
        md.AppendLine(Invariant($"## What the answers are worth{(scope is null ? string.Empty : $" ({scope})")}")).AppendLine();
        md.AppendLine(Invariant($"{trust.Recordings} recordings. Intervals are exact two-sided 95 % (Clopper–Pearson); \"≥\" is the one-sided lower bound at 97.5 %.")).AppendLine();

        if (trust.Detector is { } d)
        {
            md.AppendLine("### Cry detection").AppendLine();
            md.AppendLine(Invariant($"{d.Cries} cries, {d.NonCries} non-cries ({d.NonCryHours:0.###} h). AUC **{d.Auc:0.000}**; at the bundle's threshold cry recall **{d.Recall:0.000}** (≥ {d.RecallLower:0.000}), non-cries recognised **{d.Specificity:0.000}** (≥ {d.SpecificityLower:0.000})") +
                (d.FalseSegmentsPerHour is { } f ? Invariant($", **{f:0.0}** false cry segments per hour of non-cry audio.") : "."));
            md.AppendLine();
            md.AppendLine("| Source | Kind | Recordings | Right | Rate | 95 % interval |").AppendLine("|---|---|---:|---:|---:|---:|");
            foreach (var s in d.PerSource)
            {
                md.AppendLine(Invariant($"| {Cell(s.Source)} | {(s.IsCry ? "cries detected" : "non-cries recognised")} | {s.Count} | {s.Correct} | {s.Rate:0.000} | {s.Lower:0.000}–{s.Upper:0.000} |"));
            }

            md.AppendLine();
        }
        else
        {
            md.AppendLine("No cry detector: every recording is answered as a cry.").AppendLine();
        }

        if (trust.Sets is { } sets)
        {
            md.AppendLine("### Prediction sets").AppendLine();
            md.AppendLine(Invariant($"Level {sets.Level:0.00}: the set held the true need for **{sets.Coverage:0.000}** of {sets.Cries} need cries (≥ {sets.CoverageLower:0.000}; a missed cry counts as not covered), {sets.CoverageWhenDetected:0.000} of those detected. Mean set size **{sets.MeanSize:0.00}** of {trust.Labels.Count} needs, single-need sets {sets.SingletonShare:0.000}."));
            md.AppendLine();
            md.AppendLine("| Need | Cries | Covered | Coverage | 95 % interval | Mean set size |").AppendLine("|---|---:|---:|---:|---:|---:|");
            foreach (var c in sets.PerClass)
            {
                md.AppendLine(Invariant($"| {Cell(c.Label)} | {c.Count} | {c.Covered} | {c.Coverage:0.000} | {c.Lower:0.000}–{c.Upper:0.000} | {c.MeanSize:0.00} |"));
            }

            md.AppendLine();
        }

        var confident = trust.Confident;
        md.AppendLine("### Confident answers").AppendLine();
        md.AppendLine(confident.Answers == 0
            ? Invariant($"No answer was confident ({confident.ShareOfDetectedCries:0.000} of the detected need cries).")
            : Invariant($"{confident.Answers} confident answers ({confident.ShareOfDetectedCries:0.000} of the detected need cries; {confident.NonCriesAnswered} to non-cries, counted wrong): right **{confident.Accuracy:0.000}** (≥ {confident.Lower:0.000})."));
        md.AppendLine();
        if (confident.Answers > 0)
        {
            md.AppendLine("| Need answered | Confident answers | Right | Accuracy | 95 % interval |").AppendLine("|---|---:|---:|---:|---:|");
            foreach (var l in confident.PerLabel.Where(l => l.Count > 0))
            {
                md.AppendLine(Invariant($"| {Cell(l.Name)} | {l.Count} | {l.Correct} | {l.Rate:0.000} | {l.Lower:0.000}–{l.Upper:0.000} |"));
            }

            md.AppendLine();
        }

        if (trust.Calibration is { } calibration)
        {
            md.AppendLine("### Calibration").AppendLine();
            md.AppendLine(Invariant($"Expected calibration error (10 bins) of the {calibration.Answers} answered need cries: **{calibration.Ece:0.000}**."));
            md.AppendLine();
        }

        return md.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");

    // An empty rate (no recordings of a class) reads as a dash, not NaN.
    private static string Invariant(FormattableString text) =>
        string.Format(CultureInfo.InvariantCulture, text.Format, [.. text.GetArguments().Select(a => a is double d && double.IsNaN(d) ? (object)"—" : a)]);
}
