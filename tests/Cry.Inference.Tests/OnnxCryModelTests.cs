using Cry.Features.Models;
using Cry.Features.Specs;
using Cry.TestSupport;

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

    [Fact]
    public void Probabilities_MatchTheHandComputedModel_AcrossBatches()
    {
        var bundle = TinyBundle.Create(["a", "b", "c"]) with { Mean = [1, 2, 3], Std = [0.5f, 1, 4], Temperature = 2.5 };
        bundle.Write(_folder);
        using var model = OnnxCryModel.Load(_folder, new InferenceOptions { Device = "cpu", MaxBatch = 2 });
        var random = new Random(7);
        int count = 5;
        var inputs = new float[count * model.InputLength];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = (float)((random.NextDouble() * 6) - 1);
        }

        float[] probabilities = model.PredictProbabilities(inputs, count);
        for (int i = 0; i < count; i++)
        {
            double[] expected = bundle.Expected(inputs.AsSpan(i * model.InputLength, model.InputLength));
            for (int k = 0; k < 3; k++)
            {
                Assert.Equal(expected[k], probabilities[(i * 3) + k], 5);
            }
        }
    }

    [Fact]
    public void Load_ModelThatIsNotTheOneTheManifestHashes_IsRefused()
    {
        TinyBundle.Create(["a", "b"]).Write(_folder);
        File.WriteAllBytes(Path.Combine(_folder, "model.onnx"), (TinyBundle.Create(["a", "b"]) with { Bias = [3, 4] }).OnnxBytes());
        var ex = Assert.Throws<ModelBundleException>(() => OnnxCryModel.Load(_folder));
        Assert.Contains("not the model the manifest describes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ModelWhoseShapeDiffersFromTheManifest_SaysBoth()
    {
        var bundle = TinyBundle.Create(["a", "b"]);
        File.WriteAllBytes(Path.Combine(_folder, "model.onnx"), TinyBundle.Create(["a", "b", "c"]).OnnxBytes());
        File.WriteAllText(Path.Combine(_folder, "manifest.json"), bundle.Manifest().ToJson());
        var ex = Assert.Throws<ModelBundleException>(() => OnnxCryModel.Load(_folder));
        Assert.Contains("2 labels", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Device_CudaFailsClearlyWithoutCuda_AutoFallsBackWithOneLine()
    {
        TinyBundle.Create(["a", "b"]).Write(_folder);
        var log = new List<string>();
        using var auto = OnnxCryModel.Load(_folder, new InferenceOptions { Device = "auto" }, log.Add);
        if (auto.Device == "cuda")
        {
            Assert.Empty(log); // A machine with CUDA: nothing to fall back from.
            return;
        }

        Assert.Equal("cpu", auto.Device);
        var line = Assert.Single(log);
        Assert.Contains("CUDA is not available", line, StringComparison.Ordinal);
        var ex = Assert.Throws<InferenceDeviceException>(() => OnnxCryModel.Load(_folder, new InferenceOptions { Device = "cuda" }));
        Assert.Contains("CUDA", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gpu", 1)]
    [InlineData("cpu", 0)]
    public void Options_OutOfRange_AreRefused(string device, int threads)
    {
        TinyBundle.Create(["a", "b"]).Write(_folder);
        Assert.Throws<ArgumentException>(() => OnnxCryModel.Load(_folder, new InferenceOptions { Device = device, Threads = threads }));
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
