using Cry.Training.Torch.Onnx;

namespace Cry.Training.Torch.Tests.Onnx;

public sealed class OnnxExportOptionsTests
{
    [Fact]
    public void Constructor_Defaults_FoldWithoutMetadata()
    {
        var options = new OnnxExportOptions();

        Assert.True(options.FoldBatchNorm);
        Assert.Empty(options.MetadataProps);
        Assert.Equal(0, options.ModelVersion);
        Assert.Null(options.DocString);
    }

    [Fact]
    public void MetadataProps_EmptyKey_Throws() =>
        Assert.ThrowsAny<ArgumentException>(() => new OnnxExportOptions { MetadataProps = new Dictionary<string, string> { [""] = "x" } });

    [Fact]
    public void ModelVersion_Negative_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxExportOptions { ModelVersion = -1 });
}
