using Cry.Features.Models;
using Cry.Features.Specs;

namespace Cry.Features.Tests.Models;

public class ModelManifestTests
{
    private static ModelManifest Sample() => new()
    {
        ModelId = "m-20261125-0001",
        CreatedUtc = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero),
        Architecture = "crynet-s",
        Labels = ["belly_pain", "burping", "discomfort", "hungry", "tired"],
        FeatureSpec = FeatureSpecPresets.TsiRgb64,
        InputShape = [3, 64, 64],
        Normalisation = new InputNormalisation([0.1f, -0.2f, 0.3f], [0.5f, 0.6f, 0.2f]),
        Temperature = 1.7,
        TrainingData = new TrainingDataInfo("abc", 380, 250, new Dictionary<string, int> { ["hungry"] = 320 }, ["g1", "g2"]),
        Metrics = new Dictionary<string, double> { ["macroF1"] = 0.31 },
        Packages = new Dictionary<string, string> { ["TorchSharp"] = "0.107.0" },
        CommandLine = "cry train --data corpus --out model",
    };

    [Fact]
    public void Json_RoundTrips()
    {
        var manifest = Sample();
        string json = manifest.ToJson();
        Assert.Contains("\"specId\": \"" + FeatureSpecPresets.TsiRgb64.Id + "\"", json, StringComparison.Ordinal);
        Assert.Contains("\"melNorm\": \"slaney\"", json, StringComparison.Ordinal);
        var again = ModelManifest.Parse(json);
        Assert.Equal(manifest.ModelId, again.ModelId);
        Assert.Equal(manifest.FeatureSpec, again.FeatureSpec);
        Assert.Equal(manifest.Labels, again.Labels);
        Assert.Equal(manifest.Normalisation.Std, again.Normalisation.Std);
        Assert.Equal(1.7, again.Temperature);
        Assert.Equal(json, again.ToJson());
    }

    [Fact]
    public void Parse_ShapeThatDoesNotMatchTheSpec_IsRefused()
    {
        string json = (Sample() with { InputShape = [1, 64, 64] }).ToJson();
        var ex = Assert.Throws<InvalidDataException>(() => ModelManifest.Parse(json));
        Assert.Contains("inputShape", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"labels\"", "\"labelz\"")]
    [InlineData("\"temperature\": 1.7", "\"temperature\": -1")]
    [InlineData("\"formatVersion\": 1", "\"formatVersion\": 9")]
    [InlineData("\"nFft\": 512", "\"nFft\": 0")]
    public void Parse_BrokenManifest_IsRefusedWithAMessage(string find, string replace)
    {
        string json = Sample().ToJson().Replace(find, replace, StringComparison.Ordinal);
        var ex = Assert.Throws<InvalidDataException>(() => ModelManifest.Parse(json));
        Assert.StartsWith("The model manifest", ex.Message, StringComparison.Ordinal);
    }
}
