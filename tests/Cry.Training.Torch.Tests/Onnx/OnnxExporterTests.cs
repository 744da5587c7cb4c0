using Cry.Training.Torch.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Cry.Training.Torch.Models;

namespace Cry.Training.Torch.Tests.Onnx;

public sealed class OnnxExporterTests
{
    private static readonly long[] s_cryNetShape = [3, 64, 64];
    private static readonly long[] s_deepShape = [1, 32, 32];
    private static readonly long[] s_avgPoolShape = [2, 20, 20];

    public OnnxExporterTests() => set_num_threads(1);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Export_CryNetSLike_MatchesTorchSharp(bool foldBatchNorm)
    {
        using var scope = NewDisposeScope();
        using var model = CryNetS(classes: 5, seed: 11);
        OnnxParity.PrepareForExport(model, s_cryNetShape, seed: 12);

        byte[] onnx = OnnxParity.Export(model, s_cryNetShape, new OnnxExportOptions { FoldBatchNorm = foldBatchNorm });

        float difference = OnnxParity.MaxDifference(model, s_cryNetShape, onnx, seed: 13, classes: 5);
        Assert.InRange(difference, 0f, OnnxParity.Tolerance);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Export_DeepNetWithStridedGroupedAndBiaslessConvs_MatchesTorchSharp(bool foldBatchNorm)
    {
        using var scope = NewDisposeScope();
        using var model = DeepNet(classes: 7, seed: 21);
        OnnxParity.PrepareForExport(model, s_deepShape, seed: 22);

        byte[] onnx = OnnxParity.Export(model, s_deepShape, new OnnxExportOptions { FoldBatchNorm = foldBatchNorm });

        float difference = OnnxParity.MaxDifference(model, s_deepShape, onnx, seed: 23, classes: 7);
        Assert.InRange(difference, 0f, OnnxParity.Tolerance);
    }

    [Fact]
    public void Export_AvgPoolNetWithLogSoftmax_MatchesTorchSharp()
    {
        using var scope = NewDisposeScope();
        using var model = AvgPoolNet(classes: 4, seed: 31);
        OnnxParity.PrepareForExport(model, s_avgPoolShape, seed: 32);

        byte[] onnx = OnnxParity.Export(model, s_avgPoolShape);

        float difference = OnnxParity.MaxDifference(model, s_avgPoolShape, onnx, seed: 33, classes: 4);
        Assert.InRange(difference, 0f, OnnxParity.Tolerance);
    }

    [Fact]
    public void Export_LeadingBatchNormAndSoftmax_MatchesTorchSharp()
    {
        using var scope = NewDisposeScope();
        long[] inputShape = [2, 6, 5];
        TorchSharp.torch.random.manual_seed(81);
        using var model = nn.Sequential(
            nn.BatchNorm2d(2), nn.Conv2d(2, 4, 3, padding: 1), nn.ReLU(),
            nn.Flatten(), nn.Linear(4 * 6 * 5, 6), nn.Softmax(-1));
        OnnxParity.PrepareForExport(model, inputShape, seed: 82);

        byte[] onnx = OnnxParity.Export(model, inputShape);

        float difference = OnnxParity.MaxDifference(model, inputShape, onnx, seed: 83, classes: 6);
        Assert.InRange(difference, 0f, OnnxParity.Tolerance);
    }

    [Fact]
    public void Export_OneSession_RunsEveryBatchSize()
    {
        using var scope = NewDisposeScope();
        using var model = SmallNet(classes: 3, seed: 41);
        byte[] onnx = OnnxParity.Export(model, [3, 16, 16]);
        using var session = OnnxParity.CreateSession(onnx);

        foreach (long batch in new long[] { 1, 2, 4, 7 })
        {
            long[] shape = [batch, 3, 16, 16];
            float[] input = OnnxParity.RandomInput(42, batch * 3 * 16 * 16);
            var (values, outputShape) = OnnxParity.RunOrt(session, input, shape);
            Assert.Equal(new[] { batch, 3L }, outputShape);
            float[] expected = OnnxParity.RunTorch(model, input, shape);
            Assert.Equal(expected.Length, values.Length);
            Assert.All(expected.Zip(values), pair => Assert.InRange(Math.Abs(pair.First - pair.Second), 0f, OnnxParity.Tolerance));
        }
    }

    [Fact]
    public void Export_ToPath_WritesMetadataAndSymbolicShapesThatOnnxRuntimeReads()
    {
        using var scope = NewDisposeScope();
        using var model = SmallNet(classes: 3, seed: 51);
        var metadata = new Dictionary<string, string>
        {
            ["labels"] = "[\"hungry\",\"tired\",\"discomfort\"]",
            ["featureSpec"] = "{\"sampleRate\":16000,\"image\":{\"size\":16}}",
        };
        string path = Path.Combine(Path.GetTempPath(), $"cry-onnx-{Guid.NewGuid():N}.onnx");
        try
        {
            OnnxExporter.Export(model, [3, 16, 16], path, new OnnxExportOptions { MetadataProps = metadata, ModelVersion = 3 });

            using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(path);
            var modelMetadata = session.ModelMetadata;
            Assert.Equal(metadata.OrderBy(p => p.Key), modelMetadata.CustomMetadataMap.OrderBy(p => p.Key));
            Assert.Equal(OnnxExporter.ProducerName, modelMetadata.ProducerName);
            Assert.Equal(3, modelMetadata.Version);

            var input = Assert.Single(session.InputMetadata);
            Assert.Equal(OnnxExporter.InputName, input.Key);
            Assert.Equal(new[] { -1, 3, 16, 16 }, input.Value.Dimensions);
            Assert.Equal(OnnxExporter.BatchDimension, input.Value.SymbolicDimensions[0]);
            var output = Assert.Single(session.OutputMetadata);
            Assert.Equal(OnnxExporter.OutputName, output.Key);
            Assert.Equal(new[] { -1, 3 }, output.Value.Dimensions);
            Assert.Equal(OnnxExporter.BatchDimension, output.Value.SymbolicDimensions[0]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(true, 0)]
    [InlineData(false, 3)]
    public void BuildModel_CryNetS_WritesIr8Opset17FloatRawInitializers(bool foldBatchNorm, int batchNormNodes)
    {
        using var scope = NewDisposeScope();
        using var model = CryNetS(classes: 5, seed: 61);
        model.eval();

        var proto = OnnxExporter.BuildModel(model, s_cryNetShape, new OnnxExportOptions { FoldBatchNorm = foldBatchNorm });

        Assert.Equal(8, proto.IrVersion);
        var opset = Assert.Single(proto.OpsetImport);
        Assert.Equal(17, opset.Version);
        Assert.Equal("CryFunctions", proto.ProducerName);
        Assert.Equal(batchNormNodes, proto.Graph.Node.Count(n => n.OpType == "BatchNormalization"));
        Assert.DoesNotContain(proto.Graph.Node, n => n.OpType is "Dropout" or "Identity");
        Assert.Equal("logits", proto.Graph.Node[^1].Output[0]);
        Assert.Contains(proto.Graph.Initializer, t => t.Name == "block1.conv.weight");
        Assert.Contains(proto.Graph.Initializer, t => t.Name == "classifier.bias");
        Assert.All(proto.Graph.Initializer, t =>
        {
            Assert.Equal((int)global::Onnx.TensorProto.Types.DataType.Float, t.DataType);
            Assert.Equal(4 * t.Dims.Aggregate(1L, (a, b) => a * b), t.RawData.Length);
        });
    }

    [Fact]
    public void Export_UnsupportedLayer_ThrowsNamingTypeAndPosition()
    {
        using var scope = NewDisposeScope();
        using var model = nn.Sequential(nn.Conv2d(1, 4, 3, padding: 1), nn.ReLU(), nn.LeakyReLU(), nn.Flatten());

        var error = Assert.Throws<NotSupportedException>(() => OnnxParity.Export(model, [1, 8, 8]));

        Assert.Contains("LeakyReLU", error.Message, StringComparison.Ordinal);
        Assert.Contains("Layer 2 ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_CeilModeMaxPool_ThrowsNamingIt()
    {
        using var scope = NewDisposeScope();
        using var model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.MaxPool2d(2, ceil_mode: true));

        var error = Assert.Throws<NotSupportedException>(() => OnnxParity.Export(model, [1, 9, 9]));

        Assert.Contains("MaxPool2d", error.Message, StringComparison.Ordinal);
        Assert.Contains("Layer 1 ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_BatchNormWithoutRunningStats_Throws()
    {
        using var scope = NewDisposeScope();
        using var model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4, track_running_stats: false));
        model.eval();

        var error = Assert.Throws<NotSupportedException>(() => OnnxParity.Export(model, [1, 8, 8]));

        Assert.Contains("BatchNorm2d", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_LinearFeaturesDoNotMatchInputShape_ThrowsArgumentException()
    {
        using var scope = NewDisposeScope();
        using var model = nn.Sequential(nn.Conv2d(1, 8, 3, padding: 1), nn.Flatten(), nn.Linear(100, 3));

        var error = Assert.Throws<ArgumentException>(() => OnnxParity.Export(model, [1, 4, 4]));

        Assert.Contains("Linear", error.Message, StringComparison.Ordinal);
        Assert.Contains("128", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new long[] { 3, 16 })]
    [InlineData(new long[] { 3, 16, 16, 1 })]
    [InlineData(new long[] { 3, 0, 16 })]
    [InlineData(new long[] { 2, 16, 16 })]
    public void Export_BadInputShape_ThrowsArgumentException(long[] inputShape)
    {
        using var scope = NewDisposeScope();
        using var model = SmallNet(classes: 3, seed: 71);

        Assert.ThrowsAny<ArgumentException>(() => OnnxParity.Export(model, inputShape));
    }

    /// <summary>Three conv 3×3 / BN / ReLU / max-pool blocks (32, 64, 128), global average pooling, flatten, dropout, linear.</summary>
    private static Sequential CryNetS(long classes, int seed)
    {
        TorchSharp.torch.random.manual_seed(seed);
        return nn.Sequential(
            ("block1", Block(3, 32)),
            ("block2", Block(32, 64)),
            ("block3", Block(64, 128)),
            ("pool", nn.AdaptiveAvgPool2d(1)),
            ("flatten", nn.Flatten()),
            ("dropout", nn.Dropout(0.3)),
            ("classifier", nn.Linear(128, classes)));

        static Sequential Block(long inChannels, long outChannels) => nn.Sequential(
            ("conv", nn.Conv2d(inChannels, outChannels, 3, padding: 1)),
            ("bn", nn.BatchNorm2d(outChannels)),
            ("relu", nn.ReLU()),
            ("pool", nn.MaxPool2d(2)));
    }

    /// <summary>Seven conv blocks over 1×32×32: strided, bias-free, rectangular, dilated, grouped and "same"-padded convolutions, one BatchNorm2d after a ReLU.</summary>
    private static Sequential DeepNet(long classes, int seed)
    {
        TorchSharp.torch.random.manual_seed(seed);
        return nn.Sequential(
            nn.Conv2d(1, 16, 3, padding: 1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 16, 3, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, (5, 3), padding: (2, 1), bias: false), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, 32, 3, padding: 2, dilation: 2, groups: 32), nn.ReLU(), nn.BatchNorm2d(32),
            nn.Conv2d(32, 48, 1), nn.BatchNorm2d(48), nn.ReLU(), nn.MaxPool2d(3, stride: 2, padding: 1),
            nn.Conv2d(48, 48, 3, stride: 2, bias: false, groups: 4), nn.BatchNorm2d(48), nn.ReLU(),
            nn.Conv2d(48, 64, 2, padding: Padding.Same), nn.BatchNorm2d(64), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.5), nn.Linear(64, classes));
    }

    /// <summary>Average pooling with and without counted padding, ending in LogSoftmax.</summary>
    private static Sequential AvgPoolNet(long classes, int seed)
    {
        TorchSharp.torch.random.manual_seed(seed);
        return nn.Sequential(
            nn.Conv2d(2, 8, 3, padding: 1), nn.ReLU(),
            nn.AvgPool2d(3, stride: 2, padding: 1),
            nn.Conv2d(8, 8, 3), nn.BatchNorm2d(8), nn.ReLU(),
            nn.AvgPool2d(2),
            nn.AvgPool2d(3, stride: 1, padding: 1, count_include_pad: false),
            nn.Flatten(), nn.Linear(8 * 4 * 4, classes), nn.LogSoftmax(1));
    }

    /// <summary>A conv / max-pool / linear net for 3×16×16 inputs.</summary>
    private static Sequential SmallNet(long classes, int seed)
    {
        TorchSharp.torch.random.manual_seed(seed);
        var model = nn.Sequential(
            nn.Conv2d(3, 6, 3, padding: 1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(6 * 8 * 8, classes));
        model.eval();
        return model;
    }
}
