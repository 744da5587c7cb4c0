using System.Text.Json;
using Cry.Training.Evaluation;

namespace Cry.Training.Tests.Evaluation;

public sealed class MetricsReportTests
{
    private static readonly string[] s_labels = ["burping", "hungry", "tired"];

    [Fact]
    public void ToJson_ProbabilityReport_CamelCaseMembers()
    {
        MetricsReport report = Sample();

        using var json = JsonDocument.Parse(report.ToJson());
        JsonElement root = json.RootElement;

        foreach (string name in new[] { "macroF1", "balancedAccuracy", "accuracy", "perClass", "confusion", "ece", "logLoss", "confidenceIntervals", "baselines", "labels", "sampleCount" })
        {
            Assert.True(root.TryGetProperty(name, out _), $"missing {name}");
        }

        Assert.False(root.TryGetProperty("temperature", out _));
        Assert.Equal("hungry", root.GetProperty("perClass")[1].GetProperty("label").GetString());
        Assert.Equal(report.MacroF1, root.GetProperty("confidenceIntervals").GetProperty("macroF1").GetProperty("estimate").GetDouble());
        Assert.Equal("always-majority", root.GetProperty("baselines")[0].GetProperty("name").GetString());
        Assert.Equal(3, root.GetProperty("confusion")[1].GetArrayLength());
    }

    [Fact]
    public void FromJson_RoundTrip_SameValues()
    {
        MetricsReport report = Sample() with
        {
            Temperature = 1.7,
            Folds = FoldSummary.Of([ClassificationMetrics.Compute([0, 1], [0, 1], 2), ClassificationMetrics.Compute([0, 1], [1, 1], 2)]),
        };

        MetricsReport back = MetricsReport.FromJson(report.ToJson());

        Assert.Equal(report.MacroF1, back.MacroF1);
        Assert.Equal(report.Labels, back.Labels);
        Assert.Equal(report.PerClass, back.PerClass);
        Assert.Equal(report.Confusion, back.Confusion);
        Assert.Equal(report.ConfidenceIntervals, back.ConfidenceIntervals);
        Assert.Equal(report.Baselines, back.Baselines);
        Assert.Equal(report.Ece, back.Ece);
        Assert.Equal(1.7, back.Temperature);
        Assert.Equal(report.Folds!.MacroF1, back.Folds!.MacroF1);
    }

    [Fact]
    public void Evaluate_HardPredictions_MatchesParts()
    {
        int[] actual = [0, 1, 1, 1, 2, 2];
        int[] predicted = [0, 1, 1, 2, 2, 1];

        MetricsReport report = MetricsReport.Evaluate(s_labels, actual, predicted);

        var metrics = ClassificationMetrics.Compute(actual, predicted, 3);
        Assert.Equal(metrics.MacroF1, report.MacroF1);
        Assert.Equal(metrics.Confusion, report.Confusion);
        Assert.Null(report.Ece);
        Assert.Equal(2, report.Baselines.Length);
        Assert.Equal(6, report.SampleCount);
    }

    [Fact]
    public void Create_LabelCountMismatch_Throws()
    {
        var metrics = ClassificationMetrics.Compute([0, 1], [0, 1], 2);

        Assert.Throws<ArgumentException>(() => MetricsReport.Create(s_labels, metrics, []));
    }

    [Fact]
    public void Render_Markdown_HeadlineBaselinesClassesAndConfusion()
    {
        MetricsReport report = Sample() with { Title = "Fold 1" };

        string md = MetricsReportMarkdown.Render(report);

        Assert.StartsWith("## Fold 1", md, StringComparison.Ordinal);
        Assert.Contains("| Metric | Value | 95 % CI (1000 × group bootstrap) |", md, StringComparison.Ordinal);
        Assert.Contains($"| Macro-F1 | {report.MacroF1.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)} |", md, StringComparison.Ordinal);
        Assert.Contains("| always-majority |", md, StringComparison.Ordinal);
        Assert.Contains("| hungry | ", md, StringComparison.Ordinal);
        Assert.Contains("| actual \\ predicted | burping | hungry | tired |", md, StringComparison.Ordinal);
        Assert.Contains("| tired | 0 | 1 | 1 |", md, StringComparison.Ordinal);
    }

    private static MetricsReport Sample()
    {
        int[] actual = [0, 1, 1, 1, 2, 2];
        float[] probabilities =
        [
            0.7f, 0.2f, 0.1f,
            0.1f, 0.8f, 0.1f,
            0.2f, 0.6f, 0.2f,
            0.3f, 0.4f, 0.3f,
            0.1f, 0.3f, 0.6f,
            0.1f, 0.5f, 0.4f,
        ];
        string[] groups = ["a", "b", "b", "c", "d", "d"];
        return MetricsReport.Evaluate(s_labels, actual, probabilities, groups);
    }
}
