using System.Security.Cryptography;
using Cry.Features.Models;
using Cry.TestSupport;

namespace Cry.Inference.Tests;

public sealed class EnsembleModelTests : IDisposable
{
    private static readonly string[] s_labels = ["a", "b", "c"];
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cry-ensemble-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void TheEnsemble_IsTheCalibratedMembersCombinedByMeanLogProbability()
    {
        // Two members with different weights, calibrated by T = 1.5 and a class bias, as a format-2 bundle.
        var first = TinyBundle.Create(s_labels);
        var second = first with { Weights = [.. first.Weights.Select((w, i) => w * (i % 2 == 0 ? -1.3f : 0.7f))], Bias = [0.3f, -0.2f, 0.1f] };
        double[] bias = [0.4, -0.1, -0.3];
        Directory.CreateDirectory(Path.Combine(_folder, "members"));
        var members = new List<EnsembleMember>();
        foreach (var (bundle, k) in new[] { (first, 1), (second, 2) })
        {
            byte[] onnx = bundle.OnnxBytes();
            string file = $"members/m-fold-{k}.onnx";
            File.WriteAllBytes(Path.Combine(_folder, file), onnx);
            members.Add(new EnsembleMember(file, Convert.ToHexStringLower(SHA256.HashData(onnx)), new InputNormalisation([0, 0, 0], [1, 1, 1])));
        }

        var manifest = first.Manifest() with
        {
            FormatVersion = ModelManifest.CurrentFormatVersion,
            Members = members,
            Calibration = new ProbabilityCalibration(1.5, bias),
        };
        File.WriteAllText(Path.Combine(_folder, ModelManifest.FileName), manifest.ToJson());

        using var model = OnnxCryModel.Load(_folder);
        Assert.Equal(2, model.MemberCount);
        var random = new Random(2);
        var input = Enumerable.Range(0, model.InputLength).Select(_ => (float)random.NextDouble()).ToArray();
        var actual = model.PredictProbabilities(input, 1);

        // Expected, by hand in double precision: logits of each member → softmax(z / T + b) → mean log → renormalise.
        var logMeans = new double[s_labels.Length];
        foreach (var bundle in new[] { first, second })
        {
            var p = bundle.Expected(input); // softmax(z) at T = 1: recover z up to a constant with log p.
            var z = p.Select((v, k) => (Math.Log(v) / 1.5) + bias[k]).ToArray();
            double max = z.Max(), total = z.Sum(v => Math.Exp(v - max));
            for (int k = 0; k < s_labels.Length; k++)
            {
                logMeans[k] += (z[k] - max - Math.Log(total)) / 2;
            }
        }

        double sum = logMeans.Sum(Math.Exp);
        for (int k = 0; k < s_labels.Length; k++)
        {
            Assert.Equal(Math.Exp(logMeans[k]) / sum, actual[k], 1e-5);
        }

        // Each member's uncalibrated probabilities are its plain softmax.
        var (_, raw) = model.PredictMembers(input, 1);
        Assert.Equal(first.Expected(input)[0], raw[0][0], 1e-5);
        Assert.Equal(second.Expected(input)[2], raw[1][2], 1e-5);
    }

    [Fact]
    public void AMemberThatDoesNotMatchItsHash_IsRefused()
    {
        var bundle = TinyBundle.Create(s_labels);
        Directory.CreateDirectory(Path.Combine(_folder, "members"));
        File.WriteAllBytes(Path.Combine(_folder, "members/x.onnx"), bundle.OnnxBytes());
        var manifest = bundle.Manifest() with
        {
            FormatVersion = ModelManifest.CurrentFormatVersion,
            Members = [new EnsembleMember("members/x.onnx", new string('0', 64), new InputNormalisation([0, 0, 0], [1, 1, 1]))],
            Calibration = new ProbabilityCalibration(1, [0, 0, 0]),
        };
        File.WriteAllText(Path.Combine(_folder, ModelManifest.FileName), manifest.ToJson());
        var ex = Assert.Throws<ModelBundleException>(() => OnnxCryModel.Load(_folder));
        Assert.Contains("members/x.onnx", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
