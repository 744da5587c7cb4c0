using System.Globalization;
using Cry.Training.Evaluation;
using ScottPlot;

namespace Cry.Training.Reports;

/// <summary>The figures of a <see cref="TrustReport"/>: detector curves, set coverage, calibration and accuracy–coverage.</summary>
internal static class TrustPlots
{
    /// <summary>ROC and precision–recall curves of the detector, the bundle's operating point marked.</summary>
    public static void Detector(DetectorTrust detector, string font, string path)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        Plot roc = multiplot.GetPlot(0);
        Plot pr = multiplot.GetPlot(1);
        roc.Font.Set(font);
        pr.Font.Set(font);

        Curve(roc, detector.Roc, Colors.C0, Invariant($"AUC {detector.Auc:0.000}"));
        var diagonal = roc.Add.Line(0, 0, 1, 1);
        diagonal.LinePattern = LinePattern.Dashed;
        diagonal.LineColor = Colors.Gray;
        var point = roc.Add.Marker(1 - detector.Specificity, detector.Recall, MarkerShape.FilledCircle, 9, Colors.C3);
        point.LegendText = Invariant($"threshold: recall {detector.Recall:0.000}, specificity {detector.Specificity:0.000}");
        Finish(roc, "Cry detector ROC", "false-positive rate (non-cries called cries)", "cry recall", font, Alignment.LowerRight);

        Curve(pr, detector.PrecisionRecall, Colors.C0, "precision–recall");
        double prevalence = detector.Cries / (double)Math.Max(1, detector.Cries + detector.NonCries);
        var baseLine = pr.Add.HorizontalLine(prevalence, 1, Colors.Gray, LinePattern.Dashed);
        baseLine.LegendText = Invariant($"share of cries ({prevalence:0.000})");
        Finish(pr, "Cry detector precision–recall", "cry recall", "precision", font, Alignment.LowerLeft);
        multiplot.SavePng(path, 1200, 500);
    }

    /// <summary>Set coverage per need with its interval and the level as a dashed line.</summary>
    public static void Sets(SetTrust sets, string font, string path)
    {
        var plot = new Plot();
        plot.Font.Set(font);
        var classes = sets.PerClass;
        var bars = classes.Select((c, i) => new Bar
        {
            Position = i,
            Value = double.IsFinite(c.Coverage) ? c.Coverage : 0,
            Error = 0,
            FillColor = Colors.C0,
            LineWidth = 0,
        }).ToList();
        plot.Add.Bars(bars);
        for (int i = 0; i < classes.Count; i++)
        {
            if (classes[i].Count > 0)
            {
                var error = plot.Add.Line(i, classes[i].Lower, i, classes[i].Upper);
                error.LineColor = Colors.Black;
                error.LineWidth = 2;
            }
        }

        var level = plot.Add.HorizontalLine(sets.Level, 2, Colors.C3, LinePattern.Dashed);
        level.LegendText = Invariant($"level 1 − α = {sets.Level:0.00}");
        plot.Axes.Bottom.SetTicks(
            [.. Enumerable.Range(0, classes.Count).Select(i => (double)i)],
            [.. classes.Select(c => Invariant($"{c.Label}\nn={c.Count}, size {c.MeanSize:0.0}"))]);
        plot.Axes.SetLimits(-0.6, classes.Count - 0.4, 0, 1.05);
        plot.Title(Invariant($"Set coverage per need (overall {sets.Coverage:0.000}, mean size {sets.MeanSize:0.00})"));
        plot.YLabel("share of cries whose set holds the true need");
        plot.Legend.IsVisible = true;
        plot.Legend.FontName = font;
        plot.Legend.Alignment = Alignment.LowerRight;
        plot.SavePng(path, Math.Max(700, 160 * classes.Count), 520);
    }

    /// <summary>Reliability diagram of the answered need probabilities and the accuracy–coverage curve.</summary>
    public static void Calibration(CalibrationTrust calibration, ConfidentTrust confident, string font, string path)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        Plot reliability = multiplot.GetPlot(0);
        Plot coverage = multiplot.GetPlot(1);
        reliability.Font.Set(font);
        coverage.Font.Set(font);

        var filled = calibration.Bins.Where(b => b.Count > 0).ToArray();
        var bins = reliability.Add.Scatter(filled.Select(b => b.MeanConfidence).ToArray(), filled.Select(b => b.Accuracy).ToArray(), Colors.C0);
        bins.LegendText = Invariant($"bins (ECE {calibration.Ece:0.000}, n = {calibration.Answers})");
        bins.MarkerSize = 7;
        bins.LineWidth = 0;
        var ideal = reliability.Add.Line(0, 0, 1, 1);
        ideal.LinePattern = LinePattern.Dashed;
        ideal.LineColor = Colors.Gray;
        foreach (var b in filled)
        {
            var text = reliability.Add.Text(Invariant($"{b.Count}"), b.MeanConfidence, b.Accuracy);
            text.LabelFontName = font;
            text.LabelFontSize = 11;
            text.OffsetY = -14;
        }

        Finish(reliability, "Reliability of the top probability", "mean top probability", "share right", font, Alignment.UpperLeft);
        reliability.Axes.SetLimits(0, 1, 0, 1.1);

        Curve(coverage, confident.AccuracyCoverage, Colors.C0, "answering the most probable share");
        Finish(coverage, "Accuracy against coverage", "share of detected need cries answered", "share right", font, Alignment.UpperRight);
        multiplot.SavePng(path, 1200, 500);
    }

    private static void Curve(Plot plot, IReadOnlyList<CurvePoint> points, Color color, string legend)
    {
        if (points.Count == 0)
        {
            return;
        }

        var scatter = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), color);
        scatter.MarkerSize = 0;
        scatter.LineWidth = 2;
        scatter.LegendText = legend;
    }

    private static void Finish(Plot plot, string title, string xLabel, string yLabel, string font, Alignment legend)
    {
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.Axes.SetLimits(0, 1, 0, 1.02);
        plot.Legend.IsVisible = true;
        plot.Legend.FontName = font;
        plot.Legend.Alignment = legend;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
