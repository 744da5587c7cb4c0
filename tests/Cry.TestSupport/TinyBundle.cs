using System.Security.Cryptography;
using Cry.Features.Models;
using Cry.Features.Specs;
using Google.Protobuf;
using Onnx;

namespace Cry.TestSupport;

/// <summary>
/// A model bundle small enough to reason about by hand: logits = mean over each channel's normalised pixels · W + b.
/// Built directly as an ONNX graph (GlobalAveragePool → Flatten → Gemm), so inference tests need no training.
/// </summary>
public sealed record TinyBundle
{
    public required IReadOnlyList<string> Labels { get; init; }

    public FeatureSpec Spec { get; init; } = FeatureSpecPresets.TsiRgb64;

    /// <summary>Weights, channels × labels, row-major.</summary>
    public required float[] Weights { get; init; }

    public required float[] Bias { get; init; }

    public float[]? Mean { get; init; }

    public float[]? Std { get; init; }

    public double Temperature { get; init; } = 1.0;

    public double? UncertaintyThreshold { get; init; }

    public string ModelId { get; init; } = "tiny";

    public int Channels => Spec.Image!.Channels.Count;

    /// <summary>A bundle whose logits favour each label in turn by a margin.</summary>
    public static TinyBundle Create(IReadOnlyList<string> labels, string modelId = "tiny", FeatureSpec? spec = null)
    {
        spec ??= FeatureSpecPresets.TsiRgb64;
        int channels = spec.Image!.Channels.Count;
        var weights = new float[channels * labels.Count];
        for (int c = 0; c < channels; c++)
        {
            for (int k = 0; k < labels.Count; k++)
            {
                weights[(c * labels.Count) + k] = (float)Math.Sin(1 + c + (3 * k));
            }
        }

        return new TinyBundle
        {
            Labels = labels,
            Spec = spec,
            Weights = weights,
            Bias = [.. Enumerable.Range(0, labels.Count).Select(k => 0.1f * k)],
            ModelId = modelId,
        };
    }

    public ModelManifest Manifest(string? modelSha256 = null)
    {
        int size = Spec.Image!.Size;
        return new ModelManifest
        {
            ModelId = ModelId,
            CreatedUtc = DateTimeOffset.UnixEpoch,
            Architecture = "tiny",
            Labels = Labels,
            FeatureSpec = Spec,
            InputShape = [Channels, size, size],
            Normalisation = new InputNormalisation(Mean ?? new float[Channels], Std ?? [.. Enumerable.Repeat(1f, Channels)]),
            Temperature = Temperature,
            UncertaintyThreshold = UncertaintyThreshold,
            ModelSha256 = modelSha256,
            TrainingData = new TrainingDataInfo("test", 1, 1, new Dictionary<string, int>(), []),
        };
    }

    /// <summary>Writes model.onnx and manifest.json (with the model's SHA-256) into <paramref name="folder"/>.</summary>
    public void Write(string folder)
    {
        Directory.CreateDirectory(folder);
        byte[] onnx = OnnxBytes();
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), onnx);
        File.WriteAllText(Path.Combine(folder, ModelManifest.FileName), Manifest(Convert.ToHexStringLower(SHA256.HashData(onnx))).ToJson());
    }

    /// <summary>
    /// Writes a format-2 bundle of this model as its only member, with sets (every label's calibration scores spread
    /// over [0, 1]), the given certified threshold for every label, priors, and a detector whose weights are zero: its
    /// cry probability is the logistic of <paramref name="detectorBias"/> for every window (a cry when positive).
    /// </summary>
    public ModelManifest WriteEnsemble(string folder, double detectorBias, double? confidentThreshold = null)
    {
        Directory.CreateDirectory(Path.Combine(folder, "members"));
        byte[] onnx = OnnxBytes();
        string file = $"members/{ModelId}-fold-1.onnx";
        File.WriteAllBytes(Path.Combine(folder, file), onnx);
        int n = Labels.Count;
        int features = Cry.Features.Detection.CryFeatures.Count;
        var manifest = Manifest() with
        {
            FormatVersion = ModelManifest.CurrentFormatVersion,
            Members = [new EnsembleMember(file, Convert.ToHexStringLower(SHA256.HashData(onnx)), new InputNormalisation(Mean ?? new float[Channels], Std ?? [.. Enumerable.Repeat(1f, Channels)]))],
            Calibration = new ProbabilityCalibration(1, new double[n]),
            Conformal = new ConformalCalibration(0.1, [.. Labels.Select(_ => (IReadOnlyList<IReadOnlyList<double>>)[[.. Enumerable.Range(1, 19).Select(i => i / 20.0)]])], []),
            Certification = new CertificationInfo(0.8, 0.05, 0.95, [.. Labels.Select(l => new LabelCertificate(
                l, 1.0 / n, 0.8, confidentThreshold, confidentThreshold is null ? null : 0.85, 40, 38, confidentThreshold is null ? "never confident" : "certified"))]),
            Priors = Labels.ToDictionary(l => l, _ => Math.Round(1.0 / n, 6)),
            Detector = new CryDetectorModel
            {
                Mean = new double[features],
                Scale = [.. Enumerable.Repeat(1.0, features)],
                Weights = new double[features],
                Bias = detectorBias,
                Threshold = 0.5,
                RecallTarget = 0.97,
                OutOfFold = new DetectorQuality(0.97, 0.9, 0.95, 100, 100),
            },
        };
        File.WriteAllText(Path.Combine(folder, ModelManifest.FileName), manifest.ToJson());
        return manifest;
    }

    /// <summary>The probabilities the bundle should give for one C × H × W tensor, computed here in double precision.</summary>
    public double[] Expected(ReadOnlySpan<float> tensor)
    {
        int plane = tensor.Length / Channels;
        var logits = Bias.Select(b => (double)b).ToArray();
        for (int c = 0; c < Channels; c++)
        {
            double mean = 0;
            double m = Mean?[c] ?? 0, s = Std?[c] ?? 1;
            foreach (float v in tensor.Slice(c * plane, plane))
            {
                mean += (v - m) / s;
            }

            mean /= plane;
            for (int k = 0; k < Labels.Count; k++)
            {
                logits[k] += mean * Weights[(c * Labels.Count) + k];
            }
        }

        double max = logits.Max(z => z / Temperature);
        var p = logits.Select(z => Math.Exp((z / Temperature) - max)).ToArray();
        double total = p.Sum();
        return [.. p.Select(v => v / total)];
    }

    public byte[] OnnxBytes()
    {
        int size = Spec.Image!.Size;
        var graph = new GraphProto { Name = "tiny" };
        graph.Input.Add(ValueInfo("input", [Channels, size, size]));
        graph.Output.Add(ValueInfo("logits", [Labels.Count]));
        graph.Initializer.Add(Tensor("W", [Channels, Labels.Count], Weights));
        graph.Initializer.Add(Tensor("b", [Labels.Count], Bias));
        graph.Node.Add(Node("GlobalAveragePool", ["input"], "pooled"));
        var flatten = Node("Flatten", ["pooled"], "flat");
        flatten.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        graph.Node.Add(flatten);
        graph.Node.Add(Node("Gemm", ["flat", "W", "b"], "logits"));
        var model = new ModelProto { IrVersion = 8, ProducerName = "Cry.TestSupport", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 17 });
        return model.ToByteArray();
    }

    private static NodeProto Node(string op, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = op, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }

    private static TensorProto Tensor(string name, long[] dims, float[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.FloatData.AddRange(values);
        return tensor;
    }

    private static ValueInfoProto ValueInfo(string name, long[] shape)
    {
        var tensorShape = new TensorShapeProto();
        tensorShape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        foreach (long d in shape)
        {
            tensorShape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = tensorShape } },
        };
    }
}
