using TorchSharp.Modules;
using static TorchSharp.torch;
using Cry.Training.Torch.Models;

namespace Cry.Training.Torch.Tests;

public class ModelFactoryTests
{
    private static readonly HashSet<string> s_exportableLayers =
        ["Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d", "AdaptiveAvgPool2d", "Dropout", "Flatten", "Linear"];

    [Theory]
    [InlineData("crynet-s", 3, 64)]
    [InlineData("crynet-s", 1, 280)]
    [InlineData("paper", 3, 64)]
    [InlineData("paper", 1, 280)]
    [InlineData("crynet-s", 1, 1)]
    [InlineData("crynet-xs", 3, 64)]
    [InlineData("crynet-xs", 1, 1)]
    [InlineData("paper", 2, 5)]
    public void Create_FeatureImageSizes_GiveOneLogitPerClass(string name, int channels, int size)
    {
        random.manual_seed(3);
        using var model = ModelFactory.Create(name, channels, size, 5);
        model.eval();
        using var noGrad = no_grad();
        using var input = randn(2, channels, size, size);
        using var output = model.forward(input);
        Assert.Equal(new long[] { 2, 5 }, output.shape);
        Assert.All(output.data<float>().ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Theory]
    [InlineData("crynet-s", 64, 3)]
    [InlineData("crynet-s", 4, 2)]
    [InlineData("crynet-s", 1, 0)]
    [InlineData("paper", 280, 7)]
    [InlineData("paper", 64, 6)]
    [InlineData("paper", 1, 0)]
    public void Create_SmallInputs_PoolWhileTheSideAllows(string name, int size, int expectedPools)
    {
        using var model = ModelFactory.Create(name, 1, size, 5);
        int pools = model.named_children().Count(c => c.module is MaxPool2d);
        Assert.Equal(expectedPools, pools);
    }

    [Theory]
    [InlineData("crynet-s")]
    [InlineData("crynet-xs")]
    [InlineData("paper")]
    public void Create_AnyModel_UsesOnlyExportableNamedLayers(string name)
    {
        using var model = ModelFactory.Create(name, 3, 64, 5);
        var children = model.named_children().ToList();
        Assert.NotEmpty(children);
        Assert.All(children, c => Assert.Contains(c.module.GetType().Name, s_exportableLayers));
        Assert.Equal(children.Count, children.Select(c => c.name).Distinct().Count());
    }

    [Fact]
    public void Create_CryNetS_HasTheSpecifiedLayerOrder()
    {
        using var model = ModelFactory.Create("crynet-s", 3, 64, 5);
        string[] expected =
        [
            "conv1", "bn1", "relu1", "pool1", "conv2", "bn2", "relu2", "pool2", "conv3", "bn3", "relu3", "pool3",
            "gap", "flatten", "dropout", "fc",
        ];
        Assert.Equal(expected, model.named_children().Select(c => c.name));
        var fc = Assert.IsType<Linear>(model.named_children().Last().module);
        Assert.Equal(128, fc.in_features);
        Assert.Equal(5, fc.out_features);
    }

    [Fact]
    public void Create_CryNetXs_HalvesTheWidthAndAboutQuartersTheParameters()
    {
        using var small = ModelFactory.Create("crynet-xs", 3, 64, 5);
        using var full = ModelFactory.Create("crynet-s", 3, 64, 5);
        var fc = Assert.IsType<Linear>(small.named_children().Last().module);
        Assert.Equal(64, fc.in_features);
        long Count(Sequential m) => m.parameters().Sum(p => p.numel());
        double ratio = (double)Count(small) / Count(full);
        Assert.InRange(ratio, 0.2, 0.3);
    }

    [Fact]
    public void Create_CryNetSWithFourBlocks_EndsWith256Filters()
    {
        using var model = CryNetS.Create(3, 64, 5, new CryNetSOptions { Blocks = 4 });
        Assert.Contains(model.named_children(), c => c.name == "conv4");
        var fc = Assert.IsType<Linear>(model.named_children().Last().module);
        Assert.Equal(256, fc.in_features);
    }

    [Fact]
    public void Create_Paper_HasDropoutAfterBlocksOneAndFourAndA512UnitHead()
    {
        using var model = ModelFactory.Create("paper", 1, 280, 5);
        var names = model.named_children().Select(c => c.name).ToList();
        Assert.Equal(names.IndexOf("pool1") + 1, names.IndexOf("drop1"));
        Assert.Equal(names.IndexOf("pool4") + 1, names.IndexOf("drop4"));
        Assert.Equal(2, model.named_children().Count(c => c.module is Dropout));
        var linears = model.named_children().Select(c => c.module).OfType<Linear>().ToList();
        Assert.Equal([(1024L, 512L), (512L, 5L)], linears.Select(l => (l.in_features, l.out_features)));
    }

    [Fact]
    public void Create_UnknownName_ThrowsListingKnownNames()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelFactory.Create("resnet", 3, 64, 5));
        Assert.Contains("resnet", e.Message, StringComparison.Ordinal);
        Assert.All(ModelFactory.Names, n => Assert.Contains(n, e.Message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0, 64, 5)]
    [InlineData(3, 0, 5)]
    [InlineData(3, 64, 0)]
    public void Create_NonPositiveSize_Throws(int channels, int size, int classes) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelFactory.Create("crynet-s", channels, size, classes));
}
