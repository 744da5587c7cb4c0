using System.Globalization;
using System.Text;

namespace Cry.Training.Evaluation;

/// <summary>Renders a <see cref="MetricsReport"/> as Markdown tables: headline metrics with intervals, baselines, per-class scores, confusion.</summary>
public static class MetricsReportMarkdown
{
    /// <summary>The report as Markdown; numbers with three decimals, invariant culture.</summary>
    public static string Render(MetricsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        md.Append("## ").AppendLine(report.Title ?? "Evaluation").AppendLine();
        md.AppendLine(Invariant($"{report.SampleCount} scored predictions, {report.Labels.Length} classes.")).AppendLine();

        ConfidenceIntervals? ci = report.ConfidenceIntervals;
        string level = ci is null ? "CI" : Invariant($"{ci.Level * 100:0.#} % CI ({ci.Resamples} × {ci.Unit} bootstrap)");
        md.AppendLine(Invariant($"| Metric | Value | {level} |"));
        md.AppendLine("|---|---:|---:|");
        AppendHeadline(md, "Macro-F1", report.MacroF1, ci?.MacroF1, report.Folds?.MacroF1);
        AppendHeadline(md, "Balanced accuracy", report.BalancedAccuracy, ci?.BalancedAccuracy, report.Folds?.BalancedAccuracy);
        AppendHeadline(md, "Accuracy", report.Accuracy, ci?.Accuracy, report.Folds?.Accuracy);
        if (report.Ece is double ece)
        {
            md.AppendLine(Invariant($"| ECE (10 bins) | {ece:0.000} | |"));
        }

        if (report.LogLoss is double logLoss)
        {
            md.AppendLine(Invariant($"| Log loss | {logLoss:0.000} | |"));
        }

        if (report.Temperature is double temperature)
        {
            md.AppendLine(Invariant($"| Temperature | {temperature:0.000} | |"));
        }

        if (report.Baselines.Length > 0)
        {
            md.AppendLine().AppendLine("| Baseline | Macro-F1 | Balanced accuracy | Accuracy |");
            md.AppendLine("|---|---:|---:|---:|");
            foreach (BaselineMetrics b in report.Baselines)
            {
                md.AppendLine(Invariant($"| {b.Name} | {b.MacroF1:0.000} | {b.BalancedAccuracy:0.000} | {b.Accuracy:0.000} |"));
            }
        }

        md.AppendLine().AppendLine("| Class | Precision | Recall | F1 | Support |");
        md.AppendLine("|---|---:|---:|---:|---:|");
        foreach (ClassReport c in report.PerClass)
        {
            md.AppendLine(Invariant($"| {c.Label} | {c.Precision:0.000} | {c.Recall:0.000} | {c.F1:0.000} | {c.Support} |"));
        }

        md.AppendLine().Append("| actual \\ predicted |");
        foreach (string label in report.Labels)
        {
            md.Append(' ').Append(label).Append(" |");
        }

        md.AppendLine().Append("|---|").Append(string.Concat(Enumerable.Repeat("---:|", report.Labels.Length))).AppendLine();
        for (int i = 0; i < report.Confusion.Length; i++)
        {
            md.Append("| ").Append(report.Labels[i]).Append(" |");
            foreach (int count in report.Confusion[i])
            {
                md.Append(' ').Append(count.ToString(CultureInfo.InvariantCulture)).Append(" |");
            }

            md.AppendLine();
        }

        return md.ToString();
    }

    private static void AppendHeadline(StringBuilder md, string name, double value, ConfidenceInterval? interval, MeanStd? folds)
    {
        string ci = interval is null ? string.Empty : Invariant($"[{interval.Lower:0.000}, {interval.Upper:0.000}]");
        string perFold = folds is null ? string.Empty : Invariant($" (folds {folds})");
        md.AppendLine(Invariant($"| {name} | {value:0.000}{perFold} | {ci} |"));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
