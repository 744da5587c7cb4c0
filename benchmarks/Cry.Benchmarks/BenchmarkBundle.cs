using System.Security.Cryptography;
using Cry.Features.Models;
using Cry.Features.Specs;
using Cry.Training.Torch;
using Cry.Training.Torch.Onnx;
using TorchSharp;

namespace Cry.Benchmarks;

/// <summary>
/// A CryNet-S bundle for speed measurements: the product's network and input (tsi-rgb64, 3 × 64 × 64, five labels)
/// with seeded random weights, exported by the product's exporter. Inference costs the same as for trained weights.
/// </summary>
internal static class BenchmarkBundle
{
    public static readonly string[] Labels = ["belly_pain", "burping", "discomfort", "hungry", "tired"];

    public static void Write(string folder)
    {
        Directory.CreateDirectory(folder);
        torch.random.manual_seed(1);
        using var model = ModelFactory.Create(CryNetS.Name, 3, 64, Labels.Length);
        model.eval();
        string onnx = Path.Combine(folder, "model.onnx");
        OnnxExporter.Export(model, [3, 64, 64], onnx);
        var manifest = new ModelManifest
        {
            ModelId = "benchmark-crynet-s",
            CreatedUtc = DateTimeOffset.UtcNow,
            Architecture = CryNetS.Name,
            Labels = Labels,
            FeatureSpec = FeatureSpecPresets.TsiRgb64,
            InputShape = [3, 64, 64],
            Normalisation = new InputNormalisation([0, 0, 0], [1, 1, 1]),
            ModelSha256 = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(onnx))),
            TrainingData = new TrainingDataInfo("none: random weights for speed measurements", 0, 0, new Dictionary<string, int>(), []),
        };
        File.WriteAllText(Path.Combine(folder, ModelManifest.FileName), manifest.ToJson());
    }
}
