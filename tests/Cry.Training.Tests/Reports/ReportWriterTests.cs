using System.Globalization;
using Cry.Training.Data;
using Cry.Training.Evaluation;
using Cry.Training.Reports;
using SkiaSharp;

namespace Cry.Training.Tests.Reports;

/// <summary>One report with every optional part, written once and shared by the tests that only read it.</summary>
public sealed class FullReportFixture : IDisposable
{
    public FullReportFixture()
    {
        try
        {
            ReportFonts.FindFontFile();
        }
        catch (InvalidOperationException e)
        {
            NoFont = e.Message;
            return;
        }

        Written = ReportWriter.Write(Folder, Content);
    }

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "cry-report-" + Guid.NewGuid().ToString("N"));

    public ReportContent Content { get; } = ReportWriterTests.FullContent();

    public IReadOnlyList<string> Written { get; } = [];

    public string? NoFont { get; }

    public string PathOf(string file)
    {
        if (NoFont is not null)
        {
            Assert.Skip(NoFont);
        }

        return Path.Combine(Folder, file);
    }

    public void Dispose()
    {
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }
}

public sealed class ReportWriterTests(FullReportFixture full) : IClassFixture<FullReportFixture>, IDisposable
{
    private static readonly string[] s_labels = ["belly_pain", "burping", "discomfort", "hungry", "tired"];
    private static readonly string[] s_allImages =
        [ReportWriter.ConfusionFile, ReportWriter.PerClassFile, ReportWriter.LearningCurvesFile, ReportWriter.ExamplesFile];

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cry-report-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public void Write_FullContent_WritesEveryFile()
    {
        string[] expected = [ReportWriter.MetricsFile, ReportWriter.MarkdownFile, .. s_allImages];

        Assert.All(expected, file => Assert.True(File.Exists(full.PathOf(file)), file));
        Assert.Equal(expected.Order(StringComparer.Ordinal), full.Written.Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Write_FullContent_ImagesDecodeWithContent()
    {
        foreach (string file in s_allImages)
        {
            using SKBitmap? bitmap = SKBitmap.Decode(full.PathOf(file));
            Assert.NotNull(bitmap);
            Assert.InRange(bitmap.Width, 300, 4000);
            Assert.InRange(bitmap.Height, 200, 4000);
            Assert.True(DistinctColours(bitmap) > 16, $"{file} is (nearly) a single colour");
        }
    }

    [Fact]
    public void Write_FullContent_MarkdownLinksImagesAndShowsMetrics()
    {
        ReportContent content = full.Content;

        string md = File.ReadAllText(full.PathOf(ReportWriter.MarkdownFile));
        Assert.StartsWith("# Test report", md, StringComparison.Ordinal);
        Assert.Contains(content.Method, md, StringComparison.Ordinal);
        Assert.All(s_allImages, file => Assert.Contains($"]({file})", md, StringComparison.Ordinal));
        string macroF1 = content.Metrics.MacroF1.ToString("0.000", CultureInfo.InvariantCulture);
        Assert.Contains($"| Macro-F1 | {macroF1}", md, StringComparison.Ordinal);
        Assert.Contains("## Leaky protocol", md, StringComparison.Ordinal);
        Assert.Contains("| clips/a\\|b.wav | too short |", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_FullContent_MetricsJsonRoundTrips()
    {
        ReportContent content = full.Content;

        MetricsReport back = MetricsReport.FromJson(File.ReadAllText(full.PathOf(ReportWriter.MetricsFile)));
        Assert.Equal(content.Metrics.MacroF1, back.MacroF1);
        Assert.Equal(content.Metrics.Labels, back.Labels);
        Assert.Equal(content.Metrics.Confusion, back.Confusion);
        Assert.Equal(content.Metrics.ToJson(), back.ToJson());
    }

    [Fact]
    public void Write_MetricsOnly_NoOptionalFiguresOrSections()
    {
        RequireFont();

        IReadOnlyList<string> written = ReportWriter.Write(_folder, new ReportContent { Title = "Bare", Method = "Held-out clips.", Metrics = Metrics() });

        Assert.Equal(4, written.Count);
        string md = File.ReadAllText(Path.Combine(_folder, ReportWriter.MarkdownFile));
        Assert.DoesNotContain(ReportWriter.LearningCurvesFile, md, StringComparison.Ordinal);
        Assert.DoesNotContain(ReportWriter.ExamplesFile, md, StringComparison.Ordinal);
        Assert.DoesNotContain("## Skipped clips", md, StringComparison.Ordinal);
    }

    public static TheoryData<string> EdgeCases() => ["single fold one epoch", "NaN validation loss", "all values NaN", "class without examples", "2-D example", "single class"];

    [Theory]
    [MemberData(nameof(EdgeCases))]
    public void Write_EdgeCase_WritesDecodablePngs(string edgeCase)
    {
        RequireFont();
        ReportContent content = FullContent();
        content = edgeCase switch
        {
            "single fold one epoch" => content with { LearningCurves = [[new EpochMetrics(1, 1.2, 1.3, 0.4)]] },
            "NaN validation loss" => content with { LearningCurves = [Curve(5, nanValidationLoss: true)] },
            "all values NaN" => content with { LearningCurves = [[new EpochMetrics(1, double.NaN, double.NaN, double.PositiveInfinity)]] },
            "class without examples" => content with { Examples = new Dictionary<string, IReadOnlyList<FeatureExample>> { ["hungry"] = [], ["tired"] = [Example(3, 8, 8, 1)] } },
            "2-D example" => content with { Examples = new Dictionary<string, IReadOnlyList<FeatureExample>> { ["hungry"] = [new FeatureExample(new float[40 * 20], [40, 20])] } },
            "single class" => content with { Metrics = MetricsReport.Evaluate(["hungry"], [0, 0, 0], [0, 0, 0]) },
            _ => throw new ArgumentOutOfRangeException(nameof(edgeCase)),
        };

        ReportWriter.Write(_folder, content);

        foreach (string file in s_allImages)
        {
            using SKBitmap? bitmap = SKBitmap.Decode(Path.Combine(_folder, file));
            Assert.NotNull(bitmap);
            Assert.True(DistinctColours(bitmap) > 4, $"{file} is (nearly) a single colour");
        }
    }

    [Fact]
    public void Write_ZeroSupportClass_ReportedWithZeroSupport()
    {
        MetricsReport back = MetricsReport.FromJson(File.ReadAllText(full.PathOf(ReportWriter.MetricsFile)));
        Assert.Equal(0, back.PerClass[0].Support);
        Assert.True(back.PerClass[0].Predicted > 0);
    }

    [Fact]
    public void Write_MissingFontFile_Throws()
    {
        var options = new ReportWriterOptions { FontFile = Path.Combine(_folder, "missing.ttf") };

        Assert.Throws<FileNotFoundException>(() => ReportWriter.Write(_folder, FullContent(), options));
    }

    [Fact]
    public void Write_ConfusionDoesNotMatchLabels_Throws()
    {
        ReportContent content = FullContent();
        content = content with { Metrics = content.Metrics with { Labels = ["a", "b"] } };

        Assert.Throws<ArgumentException>(() => ReportWriter.Write(_folder, content));
    }

    [Fact]
    public void Resolve_FoundFont_TypefaceHasGlyphs()
    {
        RequireFont();

        string name = ReportFonts.Resolve(null);

        using var font = new SKFont(ScottPlot.Fonts.GetTypeface(name, bold: false, italic: false));
        Assert.True(font.Typeface.GlyphCount > 100);
        Assert.True(font.MeasureText("hungry") > 0);
        Assert.All(font.GetGlyphs("hungry 0.83"), glyph => Assert.NotEqual(0, glyph));
    }

    private static void RequireFont()
    {
        try
        {
            ReportFonts.FindFontFile();
        }
        catch (InvalidOperationException e)
        {
            Assert.Skip(e.Message);
        }
    }

    internal static ReportContent FullContent() => new()
    {
        Title = "Test report",
        Method = "Five-fold grouped cross-validation of a small CNN on synthetic predictions.",
        Metrics = Metrics(),
        LearningCurves = [Curve(6, nanValidationLoss: false), Curve(4, nanValidationLoss: true)],
        Examples = new Dictionary<string, IReadOnlyList<FeatureExample>>
        {
            ["hungry"] = [Example(3, 16, 16, 1), Example(3, 16, 16, 2), Example(3, 16, 16, 3), Example(3, 16, 16, 4), Example(3, 16, 16, 5)],
            ["tired"] = [Example(3, 16, 16, 6)],
        },
        ExtraMarkdown = "## Leaky protocol\n\nClip-level folds score higher.",
        Skipped = [new SkippedClip("clips/a|b.wav", "too short")],
    };

    // Class 0 (belly_pain) has no clips but is predicted twice: a zero-support row.
    private static MetricsReport Metrics() => MetricsReport.Evaluate(
        s_labels,
        [1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 3, 4, 4, 4],
        [0, 1, 2, 3, 2, 3, 3, 3, 0, 3, 4, 4, 4, 3],
        bootstrap: new BootstrapOptions { Resamples = 50, Seed = 7 });

    private static EpochMetrics[] Curve(int epochs, bool nanValidationLoss) =>
        Enumerable.Range(1, epochs)
            .Select(e => new EpochMetrics(e, 1.5 / e, nanValidationLoss && e == 2 ? double.NaN : 1.6 / Math.Sqrt(e), 0.3 + (0.05 * e)))
            .ToArray();

    private static FeatureExample Example(int channels, int height, int width, int seed)
    {
        var random = new Random(seed);
        var values = new float[channels * height * width];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)random.NextDouble();
        }

        return new FeatureExample(values, [channels, height, width]);
    }

    private static int DistinctColours(SKBitmap bitmap)
    {
        var colours = new HashSet<uint>();
        for (int y = 0; y < bitmap.Height; y += 3)
        {
            for (int x = 0; x < bitmap.Width; x += 3)
            {
                colours.Add((uint)bitmap.GetPixel(x, y));
            }
        }

        return colours.Count;
    }
}
