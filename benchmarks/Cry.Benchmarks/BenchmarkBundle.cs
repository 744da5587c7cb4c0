using System.Security.Cryptography;
using Cry.Features.Models;
using Cry.Features.Specs;
using Cry.Training.Torch;
using Cry.Training.Torch.Onnx;
using TorchSharp;
using Cry.Training.Torch.Models;

namespace Cry.Benchmarks;

/// <summary>
/// Bundles for speed measurements: the product's networks and input (tsi-rgb64, 3 × 64 × 64, five labels)
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

    /// <summary>
    /// The served shape of a format-2 bundle: <paramref name="members"/> fold models of network <paramref name="model"/> (seeded random weights),
    /// sets, certified thresholds and a cry detector with random weights whose threshold lets every window through, so
    /// each call pays for the detector features, every member and the sets.
    /// </summary>
    public static void WriteEnsemble(string folder, int members, string model = CryNetS.Name)
    {
        Directory.CreateDirectory(Path.Combine(folder, "members"));
        var entries = new List<EnsembleMember>();
        for (int k = 1; k <= members; k++)
        {
            torch.random.manual_seed(k);
            using var network = ModelFactory.Create(model, 3, 64, Labels.Length);
            network.eval();
            string file = $"members/benchmark-fold-{k}.onnx";
            OnnxExporter.Export(network, [3, 64, 64], Path.Combine(folder, file));
            entries.Add(new EnsembleMember(file, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(folder, file)))), new InputNormalisation([0, 0, 0], [1, 1, 1])));
        }

        var random = new Random(3);
        int features = Cry.Features.Detection.CryFeatures.Count;
        var manifest = new ModelManifest
        {
            FormatVersion = ModelManifest.CurrentFormatVersion,
            ModelId = "benchmark-ensemble",
            CreatedUtc = DateTimeOffset.UtcNow,
            Architecture = model,
            Labels = Labels,
            FeatureSpec = FeatureSpecPresets.TsiRgb64,
            InputShape = [3, 64, 64],
            Normalisation = entries[0].Normalisation,
            Members = entries,
            Calibration = new ProbabilityCalibration(1.2, [0.1, -0.1, 0, 0.2, -0.2]),
            Conformal = new ConformalCalibration(0.1, [.. Labels.Select(_ => (IReadOnlyList<IReadOnlyList<double>>)[.. Enumerable.Range(0, members).Select(f => (IReadOnlyList<double>)[.. Enumerable.Range(1, 20).Select(i => i / 21.0)])])], []),
            Certification = new CertificationInfo(0.8, 0.05, 0.95, [.. Labels.Select(l => new LabelCertificate(l, 0.2, 0.8, 0.9, 0.82, 40, 38, "benchmark"))]),
            Priors = Labels.ToDictionary(l => l, _ => 0.2),
            Detector = new CryDetectorModel
            {
                Mean = new double[features],
                Scale = [.. Enumerable.Repeat(1.0, features)],
                Weights = [.. Enumerable.Range(0, features).Select(_ => (random.NextDouble() - 0.5) * 0.01)],
                Bias = 0,
                Threshold = 0,
                RecallTarget = 0.97,
                OutOfFold = new DetectorQuality(0.97, 0.5, 0.9, 1, 1),
            },
            TrainingData = new TrainingDataInfo("none: random weights for speed measurements", 0, 0, new Dictionary<string, int>(), []),
        };
        File.WriteAllText(Path.Combine(folder, ModelManifest.FileName), manifest.ToJson());
    }
}
