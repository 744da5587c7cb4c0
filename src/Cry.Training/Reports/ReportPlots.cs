using System.Globalization;
using Cry.Features.Rendering;
using Cry.Training.Evaluation;
using ScottPlot;

namespace Cry.Training.Reports;

/// <summary>The report's figures, drawn with ScottPlot and saved as PNG.</summary>
internal static class ReportPlots
{
    private static readonly IPalette s_palette = new ScottPlot.Palettes.Category10();

    /// <summary>Heatmap of the row-normalised confusion matrix, counts and row shares in the cells, actual classes top to bottom.</summary>
    public static void Confusion(MetricsReport report, string font, string path)
    {
        int n = report.Labels.Length;
        using var plot = NewPlot(font);
        var shares = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            int support = report.Confusion[i].Sum();
            for (int j = 0; j < n; j++)
            {
                // A class without clips has no row to normalise: its cells stay 0.
                shares[i, j] = support > 0 ? (double)report.Confusion[i][j] / support : 0;
            }
        }

        // Heatmap row 0 is drawn at the top, at y = n − 1, so actual class i sits at y = n − 1 − i.
        var heatmap = plot.Add.Heatmap(shares);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        var colorBar = plot.Add.ColorBar(heatmap);
        colorBar.Label = "share of the actual class";
        float cellFont = n <= 6 ? 14 : n <= 12 ? 11 : 8;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                string text = Invariant($"{report.Confusion[i][j]}\n{shares[i, j]:0.00}");
                var label = plot.Add.Text(text, j, n - 1 - i);
                label.LabelFontName = font;
                label.LabelFontSize = cellFont;
                label.LabelAlignment = Alignment.MiddleCenter;
                label.LabelFontColor = shares[i, j] > 0.6 ? Colors.Black : Colors.White;
            }
        }

        double[] positions = Enumerable.Range(0, n).Select(k => (double)k).ToArray();
        SetBottomTicks(plot, positions, report.Labels, font, Math.Clamp(360 + (70 * n), 500, 2400) - 150);
        plot.Axes.Left.SetTicks(positions.Reverse().ToArray(), report.Labels.Select((l, i) => Invariant($"{l}\nn={report.Confusion[i].Sum()}")).ToArray());

        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        plot.Title("Confusion matrix (rows normalised)");
        plot.XLabel("predicted");
        plot.YLabel("actual");
        int size = Math.Clamp(360 + (70 * n), 500, 2400);
        plot.SavePng(path, size + 200, size);
    }

    /// <summary>Grouped bars of precision, recall and F1 per class, with the always-majority macro-F1 as a dashed line.</summary>
    public static void PerClass(MetricsReport report, string font, string path)
    {
        int n = report.PerClass.Length;
        using var plot = NewPlot(font);
        (string Name, Func<ClassReport, double> Value)[] series =
        [
            ("precision", c => c.Precision),
            ("recall", c => c.Recall),
            ("F1", c => c.F1),
        ];
        var bars = new List<Bar>();
        for (int s = 0; s < series.Length; s++)
        {
            Color color = s_palette.GetColor(s);
            for (int c = 0; c < n; c++)
            {
                double value = series[s].Value(report.PerClass[c]);
                bars.Add(new Bar
                {
                    Position = (c * (series.Length + 1)) + s,
                    Value = double.IsFinite(value) ? value : 0,
                    FillColor = color,
                    LineWidth = 0,
                });
            }

            plot.Legend.ManualItems.Add(new LegendItem { LabelText = series[s].Name, FillColor = color, LabelFontName = font });
        }

        plot.Add.Bars(bars);
        BaselineMetrics? majority = report.Baselines.FirstOrDefault(b => b.Name == Baselines.AlwaysMajorityName);
        if (majority is not null && double.IsFinite(majority.MacroF1))
        {
            var line = plot.Add.HorizontalLine(majority.MacroF1, 2, Colors.Black, LinePattern.Dashed);
            line.ExcludeFromLegend = true;
            plot.Legend.ManualItems.Add(new LegendItem
            {
                LabelText = Invariant($"always-majority macro-F1 ({majority.MacroF1:0.000})"),
                LineColor = Colors.Black,
                LineWidth = 2,
                LinePattern = LinePattern.Dashed,
                LabelFontName = font,
            });
        }

        double[] ticks = Enumerable.Range(0, n).Select(c => (c * (series.Length + 1)) + 1.0).ToArray();
        int width = Math.Clamp(300 + (110 * n), 700, 3000);
        SetBottomTicks(plot, ticks, report.PerClass.Select(c => Invariant($"{c.Label}\nn={c.Support}")).ToArray(), font, width - 300);
        plot.Axes.SetLimits(-1, (n * (series.Length + 1)) - 1, 0, 1.05);
        plot.ShowLegend(Edge.Right);
        plot.Title("Per-class precision, recall and F1");
        plot.YLabel("score");
        plot.SavePng(path, width + 260, 520);
    }

    /// <summary>Two panels against epoch: train (solid) and validation (dashed) loss, and validation score; one colour per fold.</summary>
    public static void LearningCurves(IReadOnlyList<IReadOnlyList<EpochMetrics>> folds, string font, string path)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        Plot losses = multiplot.GetPlot(0);
        Plot scores = multiplot.GetPlot(1);
        losses.Font.Set(font);
        scores.Font.Set(font);
        bool anyLoss = false, anyScore = false;
        for (int f = 0; f < folds.Count; f++)
        {
            Color color = s_palette.GetColor(f);
            string fold = folds.Count == 1 ? string.Empty : Invariant($"fold {f + 1} ");
            anyLoss |= AddSeries(losses, folds[f], e => e.TrainLoss, color, LinePattern.Solid, fold + "train");
            anyLoss |= AddSeries(losses, folds[f], e => e.ValidationLoss, color, LinePattern.Dashed, fold + "validation");
            anyScore |= AddSeries(scores, folds[f], e => e.ValidationScore, color, LinePattern.Solid, fold + "validation");
        }

        // Losses usually fall and scores rise: each legend goes where its curves usually are not.
        FinishPanel(losses, "Loss", "loss", anyLoss, font, Alignment.UpperRight);
        FinishPanel(scores, "Validation score", "score", anyScore, font, Alignment.LowerRight);
        multiplot.SavePng(path, 1200, 480);
    }

    /// <summary>A grid of feature images, one row per class, at most <paramref name="perClass"/> per row.</summary>
    public static void Examples(IReadOnlyDictionary<string, IReadOnlyList<FeatureExample>> examples, int perClass, string font, string path)
    {
        string[] labels = examples.Keys.Order(StringComparer.Ordinal).ToArray();
        using var plot = NewPlot(font);
        var images = new List<(int Row, int Column, Image Image)>();
        double aspect = 1;
        for (int r = 0; r < labels.Length; r++)
        {
            IReadOnlyList<FeatureExample> row = examples[labels[r]];
            for (int c = 0; c < Math.Min(perClass, row.Count); c++)
            {
                using var png = new MemoryStream();
                FeatureImageRenderer.WritePng(row[c].Values, row[c].Shape, png);
                var image = new Image(png.ToArray());
                aspect = Math.Max(aspect, (double)image.Width / image.Height);
                images.Add((r, c, image));
            }
        }

        // Cells are 1 unit high and `aspect` units wide; each image keeps its proportions. Row 0 is at the top.
        const double Gap = 0.08;
        foreach ((int row, int column, Image image) in images)
        {
            double left = column * (aspect + Gap);
            double bottom = (labels.Length - 1 - row) * (1 + Gap);
            plot.Add.ImageRect(image, new CoordinateRect(left, left + ((double)image.Width / image.Height), bottom, bottom + 1));
        }

        if (images.Count == 0)
        {
            plot.Add.Annotation("no feature images", Alignment.MiddleCenter).LabelFontName = font;
        }

        int columns = Math.Max(1, Math.Min(perClass, labels.Select(l => examples[l].Count).DefaultIfEmpty(0).Max()));
        double[] rows = Enumerable.Range(0, labels.Length).Select(r => ((labels.Length - 1 - r) * (1 + Gap)) + 0.5).ToArray();
        plot.Axes.Left.SetTicks(rows, labels.Select(l => Invariant($"{l}\nn={examples[l].Count}")).ToArray());
        plot.Axes.Bottom.SetTicks([], []);
        plot.Axes.Left.MajorTickStyle.Length = 0;
        plot.Grid.IsVisible = false;
        double xMax = (columns * (aspect + Gap)) - Gap;
        double yMax = (Math.Max(labels.Length, 1) * (1 + Gap)) - Gap;
        plot.Axes.SetLimits(-Gap, xMax + Gap, -Gap, yMax + Gap);
        plot.Title("Feature images per class");
        int cellPixels = (int)Math.Clamp(1800 / Math.Max(xMax, 1), 60, labels.Length > 8 ? 110 : 170);
        int widthPx = Math.Clamp((int)(xMax * cellPixels) + 220, 400, 4000);
        int heightPx = Math.Clamp((int)(yMax * cellPixels) + 110, 250, 4000);
        plot.SavePng(path, widthPx, heightPx);
        foreach ((_, _, Image image) in images)
        {
            image.Dispose();
        }
    }

    private static bool AddSeries(Plot plot, IReadOnlyList<EpochMetrics> epochs, Func<EpochMetrics, double> value, Color color, LinePattern pattern, string legend)
    {
        // Non-finite values (a diverged or skipped validation) are left out rather than drawn as gaps or spikes.
        EpochMetrics[] finite = epochs.Where(e => double.IsFinite(value(e))).OrderBy(e => e.Epoch).ToArray();
        if (finite.Length == 0)
        {
            return false;
        }

        var scatter = plot.Add.Scatter(finite.Select(e => (double)e.Epoch).ToArray(), finite.Select(value).ToArray(), color);
        scatter.LinePattern = pattern;
        scatter.LineWidth = 2;
        scatter.MarkerSize = finite.Length == 1 ? 7 : 3;
        scatter.LegendText = legend;
        return true;
    }

    private static void FinishPanel(Plot plot, string title, string yLabel, bool hasData, string font, Alignment legend)
    {
        plot.Title(title);
        plot.XLabel("epoch");
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.YLabel(yLabel);
        if (hasData)
        {
            plot.Legend.IsVisible = true;
            plot.Legend.FontName = font;
            plot.Legend.Alignment = legend;
        }
        else
        {
            plot.Add.Annotation("no finite values", Alignment.MiddleCenter).LabelFontName = font;
        }
    }

    /// <summary>Sets class-name ticks on the bottom axis, turned 45° with room below when they would not fit side by side.</summary>
    private static void SetBottomTicks(Plot plot, double[] positions, string[] labels, string font, int pixels)
    {
        plot.Axes.Bottom.SetTicks(positions, labels);
        using var measure = new SkiaSharp.SKFont(Fonts.GetTypeface(font, bold: false, italic: false), plot.Axes.Bottom.TickLabelStyle.FontSize);
        float widest = labels.SelectMany(l => l.Split('\n')).Select(line => measure.MeasureText(line)).DefaultIfEmpty(0).Max();
        if (widest * labels.Length > pixels * 0.9)
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
            plot.Axes.Bottom.MinimumSize = (widest * 0.75f) + 40;
        }
    }

    private static Plot NewPlot(string font)
    {
        var plot = new Plot();
        plot.Font.Set(font);
        return plot;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
