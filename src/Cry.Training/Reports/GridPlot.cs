using System.Globalization;
using Cry.Training.Evaluation;
using ScottPlot;

namespace Cry.Training.Reports;

/// <summary>The figure of an experiment grid: each cell's macro-F1 and balanced accuracy with its 95 % interval, and the baselines as lines.</summary>
public static class GridPlot
{
    /// <summary>One cell of the figure.</summary>
    /// <param name="Name">The cell's id.</param>
    /// <param name="MacroF1">Macro-F1 with its interval.</param>
    /// <param name="BalancedAccuracy">Balanced accuracy with its interval.</param>
    public sealed record Row(string Name, ConfidenceInterval MacroF1, ConfidenceInterval BalancedAccuracy);

    /// <summary>Writes the figure as PNG: two panels, the cells along the bottom, the baselines dashed.</summary>
    /// <param name="rows">The cells.</param>
    /// <param name="baselines">The data's baselines (always-majority, class-prior random).</param>
    /// <param name="path">The PNG file.</param>
    /// <param name="fontFile">A font file; null looks one up on this machine.</param>
    public static void Write(IReadOnlyList<Row> rows, IReadOnlyList<BaselineMetrics> baselines, string path, string? fontFile = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(baselines);
        string font = ReportFonts.Resolve(fontFile);
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        (string Title, Func<Row, ConfidenceInterval> Value, Func<BaselineMetrics, double> Baseline)[] panels =
        [
            ("macro-F1", r => r.MacroF1, b => b.MacroF1),
            ("balanced accuracy", r => r.BalancedAccuracy, b => b.BalancedAccuracy),
        ];
        var palette = new ScottPlot.Palettes.Category10();
        for (int p = 0; p < panels.Length; p++)
        {
            var plot = multiplot.GetPlot(p);
            plot.Font.Set(font);
            double[] xs = [.. Enumerable.Range(0, rows.Count).Select(i => (double)i)];
            double[] ys = [.. rows.Select(r => Finite(panels[p].Value(r).Estimate))];
            double[] below = [.. rows.Select(r => Finite(panels[p].Value(r).Estimate - panels[p].Value(r).Lower))];
            double[] above = [.. rows.Select(r => Finite(panels[p].Value(r).Upper - panels[p].Value(r).Estimate))];
            var bars = plot.Add.ErrorBar(xs, ys, above);
            bars.YErrorNegative = below; // The intervals are not symmetric.
            bars.Color = palette.GetColor(0);
            var points = plot.Add.ScatterPoints(xs, ys);
            points.Color = palette.GetColor(0);
            points.MarkerSize = 8;
            for (int b = 0; b < baselines.Count; b++)
            {
                double value = panels[p].Baseline(baselines[b]);
                if (double.IsFinite(value))
                {
                    var line = plot.Add.HorizontalLine(value, 1.5f, palette.GetColor(b + 1), LinePattern.Dashed);
                    line.LegendText = string.Create(CultureInfo.InvariantCulture, $"{baselines[b].Name} ({value:0.000})");
                }
            }

            plot.Axes.Bottom.SetTicks(xs, [.. rows.Select(r => r.Name)]);
            plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
            plot.Axes.Bottom.MinimumSize = 140;
            plot.Axes.SetLimits(-0.5, rows.Count - 0.5, 0, Math.Max(0.5, ys.Concat(above.Select((a, i) => ys[i] + a)).DefaultIfEmpty(0).Max() * 1.15));
            plot.Title($"{panels[p].Title} per cell, with 95 % intervals");
            plot.YLabel(panels[p].Title);
            plot.Legend.IsVisible = true;
            plot.Legend.FontName = font;
            plot.Legend.Alignment = Alignment.UpperRight;
        }

        multiplot.SavePng(path, Math.Clamp(400 + (60 * rows.Count), 700, 4000), 1000);
    }

    private static double Finite(double value) => double.IsFinite(value) ? value : 0;
}
