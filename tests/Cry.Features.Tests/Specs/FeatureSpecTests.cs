using Cry.Features.Imaging;
using Cry.Features.Spectral;
using Cry.Features.Specs;

namespace Cry.Features.Tests.Specs;

public class FeatureSpecTests
{
    // The tsi-rgb64 spec exactly as the product documents it.
    private const string TsiRgb64Json = """
        { "sampleRate": 8000, "durationSeconds": 6.5,
          "nFft": 512, "hopLength": 128, "center": true,
          "nMels": 40, "fMin": 0, "fMax": 4000, "htk": false, "melNorm": "slaney", "power": 2.0,
          "topDb": 80, "dbRef": "one", "nMfcc": 30, "lifter": 0,
          "series": "mean",
          "image": { "channels": ["gasf", "gadf", "mtf"], "size": 64, "sampleRange": [-1, 1],
                     "overlapping": false, "bins": 8, "strategy": "quantile" } }
        """;

    [Fact]
    public void Parse_DocumentedJson_EqualsThePreset()
    {
        var spec = FeatureSpec.Parse(TsiRgb64Json);
        Assert.Equal(FeatureSpecPresets.TsiRgb64, spec);
        Assert.Equal(FeatureSpecPresets.TsiRgb64.Id, spec.Id);
    }

    [Fact]
    public void CanonicalJson_RoundTrips()
    {
        foreach (string name in FeatureSpecPresets.Names)
        {
            var preset = FeatureSpecPresets.Get(name);
            var again = FeatureSpec.Parse(preset.ToCanonicalJson());
            Assert.Equal(preset, again);
            Assert.Equal(preset.ToCanonicalJson(), again.ToCanonicalJson());
            Assert.Equal(preset, FeatureSpec.Parse(preset.ToJson()));
        }
    }

    [Fact]
    public void Id_IsShortStableAndDiffersBetweenSpecs()
    {
        Assert.Matches("^[0-9a-f]{12}$", FeatureSpecPresets.TsiRgb64.Id);
        Assert.NotEqual(FeatureSpecPresets.TsiRgb64.Id, FeatureSpecPresets.Paper.Id);
        Assert.NotEqual(FeatureSpecPresets.TsiRgb64.Id, (FeatureSpecPresets.TsiRgb64 with { HopLength = 64 }).Id);
    }

    [Theory]
    [InlineData("nFft")]
    [InlineData("topDb")]
    [InlineData("melNorm")]
    [InlineData("sampleRate")]
    public void Parse_MissingRequiredProperty_IsRefusedByName(string property)
    {
        string json = RemoveProperty(TsiRgb64Json, property);
        var ex = Assert.Throws<FeatureSpecException>(() => FeatureSpec.Parse(json));
        Assert.Contains(property, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OptionalPartsMissing_IsAccepted()
    {
        string json = RemoveProperty(RemoveProperty(RemoveProperty(TsiRgb64Json, "image"), "series"), "durationSeconds");
        var spec = FeatureSpec.Parse(json);
        Assert.Null(spec.Image);
        Assert.Null(spec.Series);
        Assert.Null(spec.DurationSeconds);
        Assert.Throws<FeatureSpecException>(() => spec.RequireStage(FeatureStage.Series));
        Assert.Throws<FeatureSpecException>(() => spec.RequireStage(FeatureStage.Image));
        spec.RequireStage(FeatureStage.Mfcc);
    }

    [Theory]
    [InlineData("\"hopLength\": 128", "\"hopLength\": 128, \"colour\": 1", "colour")]
    [InlineData("\"melNorm\": \"slaney\"", "\"melNorm\": \"l2\"", "melNorm")]
    [InlineData("\"nFft\": 512", "\"nFft\": \"512\"", "nFft")]
    [InlineData("\"fMax\": 4000", "\"fMax\": 5000", "Nyquist")]
    [InlineData("\"hopLength\": 128", "\"hopLength\": 0", "hopLength")]
    [InlineData("\"size\": 64", "\"size\": 0", "image.size")]
    [InlineData("\"strategy\": \"quantile\"", "\"strategy\": \"kmeans\"", "strategy")]
    [InlineData("[\"gasf\", \"gadf\", \"mtf\"]", "[\"gasf\", \"spiral\"]", "channels")]
    [InlineData("[\"gasf\", \"gadf\", \"mtf\"]", "[]", "channels")]
    [InlineData("\"sampleRange\": [-1, 1]", "\"sampleRange\": [1, -1]", "sampleRange")]
    public void Parse_InvalidValue_IsRefusedWithAMessageNamingIt(string find, string replace, string expectedInMessage)
    {
        string json = TsiRgb64Json.Replace(find, replace, StringComparison.Ordinal);
        Assert.NotEqual(TsiRgb64Json, json);
        var ex = Assert.Throws<FeatureSpecException>(() => FeatureSpec.Parse(json));
        Assert.Contains(expectedInMessage, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[1, 2]")]
    [InlineData("{ \"sampleRate\": 8000")]
    public void Parse_NotASpecObject_IsRefused(string json)
    {
        Assert.Throws<FeatureSpecException>(() => FeatureSpec.Parse(json));
    }

    [Fact]
    public void Parse_NullTopDbAndRecurrenceThresholds_AreRead()
    {
        string json = TsiRgb64Json
            .Replace("\"topDb\": 80", "\"topDb\": null", StringComparison.Ordinal)
            .Replace("[\"gasf\", \"gadf\", \"mtf\"]", "[\"rp\"], \"threshold\": 0.25, \"dimension\": 2", StringComparison.Ordinal);
        var spec = FeatureSpec.Parse(json);
        Assert.Null(spec.TopDb);
        Assert.Equal(new RecurrenceThresholdSetting(RecurrenceThreshold.Value, 0.25), spec.Image!.Threshold);
        Assert.Equal(spec, FeatureSpec.Parse(spec.ToCanonicalJson()));

        var point = FeatureSpec.Parse(json.Replace("0.25", "\"point\"", StringComparison.Ordinal));
        Assert.Equal(RecurrenceThreshold.Point, point.Image!.Threshold!.Value.Kind);
        Assert.Throws<FeatureSpecException>(() => FeatureSpec.Parse(json.Replace("0.25", "\"median\"", StringComparison.Ordinal)));
    }

    [Fact]
    public void Paper_HasTheResearchParametersAndWarnsAboutClampedMfccs()
    {
        var paper = FeatureSpecPresets.Paper;
        Assert.Equal((22050, 1024, 512, 20, 300.0, 600.0), (paper.SampleRate, paper.NFft, paper.HopLength, paper.NMels, paper.FMin, paper.FMax));
        Assert.Equal([ImageChannel.Gadf], paper.Image!.Channels);
        var warning = Assert.Single(paper.Warnings());
        Assert.Contains("nMfcc 30", warning, StringComparison.Ordinal);
        Assert.Empty(FeatureSpecPresets.TsiRgb64.Warnings());
        Assert.Equal(MelNormalization.Slaney, paper.MelNorm);
        Assert.Equal(DbReference.One, paper.DbRef);
    }

    [Fact]
    public void Get_UnknownPreset_ListsTheKnownOnes()
    {
        var ex = Assert.Throws<FeatureSpecException>(() => FeatureSpecPresets.Get("fast"));
        Assert.Contains("tsi-rgb64", ex.Message, StringComparison.Ordinal);
    }

    private static string RemoveProperty(string json, string name)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        Assert.True(node.Remove(name), $"{name} not in the JSON");
        return node.ToJsonString();
    }
}
