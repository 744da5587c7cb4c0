using Cry.Features.Models;
using Cry.Features.Specs;

namespace Cry.Inference.Tests;

public sealed class OnnxCryModelTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cry-bundle-" + Guid.NewGuid().ToString("N"));

    public OnnxCryModelTests() => Directory.CreateDirectory(_folder);

    private static ModelManifest Manifest() => new()
    {
        ModelId = "test",
        CreatedUtc = DateTimeOffset.UnixEpoch,
        Architecture = "crynet-s",
        Labels = ["a", "b"],
        FeatureSpec = FeatureSpecPresets.TsiRgb64,
        InputShape = [3, 64, 64],
        Normalisation = new InputNormalisation([0, 0, 0], [1, 1, 1]),
        TrainingData = new TrainingDataInfo("h", 1, 1, new Dictionary<string, int>(), []),
    };

    [Fact]
    public void Load_MissingFolder_SaysSo()
    {
        var ex = Assert.Throws<ModelBundleException>(() => OnnxCryModel.Load(Path.Combine(_folder, "none")));
        Assert.Contains("not found", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFiles_NamesThem()
    {
        var ex = Assert.Throws<ModelBundleException>(() => OnnxCryModel.Load(_folder));
        Assert.Contains("manifest.json and model.onnx", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BrokenManifest_IsRefusedWithTheReason()
    {
        File.WriteAllText(Path.Combine(_folder, "manifest.json"), Manifest().ToJson().Replace("\"labels\"", "\"labelz\"", StringComparison.Ordinal));
        File.WriteAllBytes(Path.Combine(_folder, "model.onnx"), [1, 2, 3]);
        var ex = Assert.Throws<ModelBundleException>(() => OnnxCryModel.Load(_folder));
        Assert.Contains("manifest.json", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ModelThatIsNotOnnx_IsRefusedWithoutACrash()
    {
        File.WriteAllText(Path.Combine(_folder, "manifest.json"), Manifest().ToJson());
        File.WriteAllText(Path.Combine(_folder, "model.onnx"), "this is not a protobuf");
        var ex = Assert.Throws<ModelBundleException>(() => OnnxCryModel.Load(_folder));
        Assert.Contains("ONNX Runtime cannot load", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Leftover temp files are harmless.
        }
    }
}
