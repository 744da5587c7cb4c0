using System.Text;
using Cry.Training.Data;
using Cry.Training.Evaluation;

namespace Cry.Training.Reports;

/// <summary>Writes an evaluation report folder: <c>metrics.json</c>, <c>report.md</c> and its PNG figures.</summary>
/// <remarks>
/// <para>Files: <c>metrics.json</c> (<see cref="MetricsReport.ToJson"/>); <c>report.md</c> (title, method paragraph,
/// the tables of <see cref="MetricsReportMarkdown"/>, the figures linked by relative path, the extra section, the skipped
/// clips); <c>confusion.png</c>; <c>per-class.png</c>; <c>learning-curves.png</c> when curves are given;
/// <c>examples.png</c> when examples are given; with a trust report (<see cref="MetricsReport.Trust"/>) its section in
/// <c>report.md</c> and <c>detector.png</c>, <c>sets.png</c> and <c>calibration.png</c> where it has those parts. Existing files of these names are replaced.</para>
/// <para>Figures are drawn with ScottPlot; the font comes from <see cref="ReportWriterOptions.FontFile"/> or is looked up
/// (see <see cref="ReportWriterOptions"/>).</para>
/// </remarks>
public static class ReportWriter
{
    /// <summary>File name of the metrics JSON.</summary>
    public const string MetricsFile = "metrics.json";

    /// <summary>File name of the Markdown report.</summary>
    public const string MarkdownFile = "report.md";

    /// <summary>File name of the confusion heatmap.</summary>
    public const string ConfusionFile = "confusion.png";

    /// <summary>File name of the per-class bar chart.</summary>
    public const string PerClassFile = "per-class.png";

    /// <summary>File name of the learning curves.</summary>
    public const string LearningCurvesFile = "learning-curves.png";

    /// <summary>File name of the feature-image examples.</summary>
    public const string ExamplesFile = "examples.png";

    /// <summary>File name of the cry detector's ROC and precision–recall curves (with a trust report).</summary>
    public const string DetectorFile = "detector.png";

    /// <summary>File name of the set coverage per need (with a trust report that has sets).</summary>
    public const string SetsFile = "sets.png";

    /// <summary>File name of the reliability diagram and accuracy–coverage curve (with a trust report).</summary>
    public const string CalibrationFile = "calibration.png";

    /// <summary>Writes the report into <paramref name="folder"/>, creating it, and returns the paths of the files written.</summary>
    /// <exception cref="ArgumentException">The folder is empty, or the metrics' confusion matrix does not match its labels.</exception>
    /// <exception cref="InvalidOperationException">No font for plot text was given or found.</exception>
    public static IReadOnlyList<string> Write(string folder, ReportContent content, ReportWriterOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentNullException.ThrowIfNull(content);
        options ??= new ReportWriterOptions();
        options.Validate();
        MetricsReport metrics = content.Metrics;
        Check(metrics, nameof(content));

        string font = ReportFonts.Resolve(options.FontFile);
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        var figures = new List<(string File, string Caption)>();

        string Save(string file)
        {
            string path = Path.Combine(folder, file);
            written.Add(path);
            return path;
        }

        File.WriteAllText(Save(MetricsFile), metrics.ToJson());

        ReportPlots.Confusion(metrics, font, Save(ConfusionFile));
        figures.Add((ConfusionFile, "Confusion matrix, each row divided by the clips of its actual class; cells show count and share"));

        ReportPlots.PerClass(metrics, font, Save(PerClassFile));
        figures.Add((PerClassFile, "Precision, recall and F1 per class; dashed line: macro-F1 of always predicting the majority class"));

        if (content.LearningCurves is { Count: > 0 } curves)
        {
            ReportPlots.LearningCurves(curves, font, Save(LearningCurvesFile));
            figures.Add((LearningCurvesFile, "Learning curves: train and validation loss, validation score, per fold"));
        }

        if (content.Examples is { Count: > 0 } examples)
        {
            ReportPlots.Examples(examples, options.ExamplesPerClass, font, Save(ExamplesFile));
            figures.Add((ExamplesFile, "Feature images of a few clips per class"));
        }

        if (metrics.Trust is { } trust)
        {
            if (trust.Detector is { } detector)
            {
                TrustPlots.Detector(detector, font, Save(DetectorFile));
                figures.Add((DetectorFile, "Cry detector: ROC and precision–recall curves, the bundle's threshold marked"));
            }

            if (trust.Sets is { } sets)
            {
                TrustPlots.Sets(sets, font, Save(SetsFile));
                figures.Add((SetsFile, "Prediction sets: share of each need's cries whose set holds the true need (95 % intervals), the level dashed"));
            }

            if (trust.Calibration is { } calibration)
            {
                TrustPlots.Calibration(calibration, trust.Confident, font, Save(CalibrationFile));
                figures.Add((CalibrationFile, "Reliability of the answered top probability (clips per bin) and accuracy when answering only the most probable share"));
            }
        }

        File.WriteAllText(Save(MarkdownFile), Markdown(content, figures));
        return written;
    }

    private static string Markdown(ReportContent content, List<(string File, string Caption)> figures)
    {
        var md = new StringBuilder();
        md.Append("# ").AppendLine(content.Title).AppendLine();
        md.AppendLine(content.Method.Trim()).AppendLine();
        md.AppendLine(MetricsReportMarkdown.Render(content.Metrics).TrimEnd()).AppendLine();
        if (content.Metrics.Trust is { } trust)
        {
            md.AppendLine(TrustReportMarkdown.Render(trust).TrimEnd()).AppendLine();
        }

        md.AppendLine("## Figures").AppendLine();
        foreach ((string file, string caption) in figures)
        {
            md.Append("![").Append(caption).Append("](").Append(file).AppendLine(")").AppendLine();
        }

        if (!string.IsNullOrWhiteSpace(content.ExtraMarkdown))
        {
            md.AppendLine(content.ExtraMarkdown.Trim()).AppendLine();
        }

        if (content.Skipped is { Count: > 0 } skipped)
        {
            md.AppendLine("## Skipped clips").AppendLine();
            md.AppendLine("| Clip | Reason |").AppendLine("|---|---|");
            foreach (SkippedClip clip in skipped)
            {
                md.Append("| ").Append(Cell(clip.Path)).Append(" | ").Append(Cell(clip.Reason)).AppendLine(" |");
            }

            md.AppendLine();
        }

        return md.ToString();
    }

    // A table cell must not break the row: pipes escaped, line breaks flattened.
    private static string Cell(string text) =>
        text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");

    private static void Check(MetricsReport metrics, string paramName)
    {
        int n = metrics.Labels.Length;
        if (n == 0 || metrics.Confusion.Length != n || metrics.Confusion.Any(row => row.Length != n) || metrics.PerClass.Length != n)
        {
            throw new ArgumentException(
                $"The metrics have {n} labels but a {metrics.Confusion.Length}-row confusion matrix or {metrics.PerClass.Length} per-class scores.",
                paramName);
        }
    }
}
